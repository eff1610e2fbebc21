// Differential test of ImportJson against nlohmann::json (this file only).
//
// A deterministic generator writes clinic exports in many spellings (escapes,
// whitespace, key order, ids as numbers, unknown keys, odd values), then
// mutates their bytes (flips, insertions, deletions, truncations, copied
// slices). Each document goes to nlohmann's parser and to ImportJson:
// - nlohmann rejects it: ImportJson must reject it as broken JSON
//   (json.syntax, json.too_deep or input.*);
// - nlohmann accepts it: ImportJson must not call it broken JSON, and an
//   independent checker written over nlohmann's parse decides whether it is
//   a valid export; if so, ImportJson must accept it with the same values
//   (names, per-patient sums, line counts), otherwise reject it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../fuzz/json_oracle.h"
#include "import.h"
#include "import_helpers.h"

namespace clinic {
namespace {

using test::Rng;

// ---------------------------------------------------------------- generator

class Generator {
 public:
  explicit Generator(Rng& rng) : rng_(rng) {}

  std::string Export() {
    divisions_ = lists_ = patients_ = 0;
    known_numeric_.clear();
    visit_keys_.clear();
    odd_ = rng_.Chance(25);  // most documents are clean exports, a quarter carry odd values
    const size_t divisions = rng_.Below(4), employees = rng_.Below(5), lists = rng_.Below(3),
                 patients = rng_.Below(6), visits = rng_.Below(12);
    std::vector<std::string> members;
    members.push_back(Member("format", !Odd(5) ? Str("clinic-export") : Str("clinic")));
    members.push_back(
        Member("version", !Odd(5) ? "1" : rng_.Pick<std::string>({"2", "1.0", "\"1\""})));
    if (rng_.Chance(70)) {
      std::string clinic = "{";
      std::vector<std::string> fields;
      if (rng_.Chance(90)) fields.push_back(Member("name", Str(Name())));
      if (rng_.Chance(80))
        fields.push_back(Member("currency", Odd(10) ? "7" : rng_.Chance(90) ? Str("EUR") : "null"));
      if (rng_.Chance(20)) fields.push_back(Member("note", Junk(3)));
      members.push_back(Member("clinic", Object(fields)));
    }
    if (divisions > 0 || rng_.Chance(20))
      members.push_back(Member("divisions", Table("D", divisions, 0)));
    if (employees > 0 || rng_.Chance(20))
      members.push_back(Member("employees", Table("E", employees, 1)));
    if (lists > 0 || rng_.Chance(20)) members.push_back(Member("priceLists", Table("L", lists, 0)));
    if (patients > 0 || rng_.Chance(20))
      members.push_back(Member("patients", Table("P", patients, 2)));
    if (!Odd(5)) {
      std::vector<std::string> items;
      for (size_t i = 0; i < visits; ++i) items.push_back(Visit(i));
      members.push_back(Member("visits", Array(items)));
    }
    if (rng_.Chance(30)) members.push_back(Member("exportedAt", Str("2024-03-31T18:00:00Z")));
    if (rng_.Chance(20)) members.push_back(Member("extra", Junk(5)));
    // format and version usually first, the rest in any order.
    for (size_t i = members.size() - 1; i > 2; --i)
      std::swap(members[i], members[2 + rng_.Below(i - 1)]);
    if (rng_.Chance(10)) std::swap(members[0], members[members.size() - 1]);
    std::string doc = rng_.Chance(5) ? "\xEF\xBB\xBF" : "";
    doc += Ws();
    doc += Object(members);
    doc += Ws();
    return doc;
  }

 private:
  std::string Ws() {
    static const std::vector<std::string> kWs = {"", "", "", " ", "\n", "\t", "\r\n", "  \n  "};
    return rng_.Pick(kWs);
  }
  // Every random draw is its own statement: the order of operands of '+' is
  // unspecified, and the documents must be the same with every compiler.
  std::string Member(std::string_view key, const std::string& value) {
    std::string out = Ws();
    out += Str(key);
    out += Ws();
    out += ':';
    out += Ws();
    out += value;
    out += Ws();
    return out;
  }
  std::string Object(std::vector<std::string> members) {
    std::string out = "{";
    for (size_t i = 0; i < members.size(); ++i) out += (i ? "," : "") + members[i];
    return out + Ws() + "}";
  }
  std::string Array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      out += i ? "," : "";
      out += Ws();
      out += items[i];
      out += Ws();
    }
    return out + Ws() + "]";
  }

  // A JSON string for `text`, escaped in a random style.
  std::string Str(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    auto u = [&](uint32_t cp) {
      std::string e = "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) {
        const char h = kHex[(cp >> shift) & 15];
        e += rng_.Chance(50) ? h : static_cast<char>(std::toupper(static_cast<unsigned char>(h)));
      }
      return e;
    };
    std::string out = "\"";
    for (size_t i = 0; i < text.size();) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 0x80) {
        // Decode one UTF-8 character (the generator only writes valid UTF-8).
        const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < len; ++k)
          cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        if (rng_.Chance(30)) {
          if (cp >= 0x10000) {
            const uint32_t v = cp - 0x10000;
            out += u(0xD800 + (v >> 10));
            out += u(0xDC00 + (v & 0x3FF));
          } else {
            out += u(cp);
          }
        } else {
          out.append(text.substr(i, len));
        }
        i += len;
        continue;
      }
      if (c == '"')
        out += "\\\"";
      else if (c == '\\')
        out += "\\\\";
      else if (c == '\n')
        out += rng_.Chance(50) ? std::string("\\n") : u(c);
      else if (c == '\t')
        out += "\\t";
      else if (c < 0x20)
        out += u(c);
      else if (c == '/' && rng_.Chance(50))
        out += "\\/";
      else if (rng_.Chance(3))
        out += u(c);
      else
        out += static_cast<char>(c);
      ++i;
    }
    return out + "\"";
  }

  std::string Name() {
    static const std::vector<std::string> kNames = {"Anna",
                                                    "Max \"Maxi\" Huber",
                                                    "J\xC3\xBCrgen \xC3\x98ster",
                                                    "Back\\slash",
                                                    "Two\nlines",
                                                    "Smile \xF0\x9F\x98\x80",
                                                    "Tab\tName",
                                                    "\xE6\x97\xA5\xE6\x9C\xAC",
                                                    "a/b",
                                                    "Ctrl\x01",
                                                    "Chlo\xC3\xA9",
                                                    ""};
    return rng_.Pick(kNames);
  }

  // An id of the table: a string, or sometimes a bare number.
  std::string Id(const std::string& prefix, size_t n) {
    if (prefix == "P" && rng_.Chance(25)) return std::to_string(100 + n);  // number-like id
    return prefix + std::to_string(n);
  }
  std::string IdValue(const std::string& id) {
    if (!id.empty() && id[0] != '0' && id.find_first_not_of("0123456789") == std::string::npos &&
        rng_.Chance(50)) {
      return id;  // a whole number
    }
    return Str(id);
  }
  // A reference: usually an id of the table, sometimes unknown, or (when
  // optional) empty or null.
  std::string Ref(const std::string& prefix, size_t count, bool required = false) {
    const size_t r = rng_.Below(100);
    if (r < 10 && (!required || Odd(50))) return "null";
    if (r < 14 && (!required || Odd(50))) return Str("");
    if (r < 22 || count == 0) return IdValue(prefix + "X" + std::to_string(rng_.Below(3)));
    const size_t n = rng_.Below(count);
    return IdValue(prefix == "P" && known_numeric_[n] ? std::to_string(100 + n)
                                                      : prefix + std::to_string(n));
  }

  std::string Amount() {
    std::string text = rng_.Chance(20) ? "-" : "";
    const size_t whole = rng_.Below(7);
    text += std::to_string(rng_.Below(whole == 0 ? 10 : 1000000));
    const size_t decimals = rng_.Below(5);
    if (decimals > 0) {
      text += '.';
      for (size_t i = 0; i < decimals; ++i) text += static_cast<char>('0' + rng_.Below(10));
    }
    if (Odd(10)) text += "1";        // maybe 5 decimals
    if (Odd(5)) return text + "e2";  // exponent
    if (Odd(5)) return "true";       // wrong type
    return rng_.Chance(50) ? text : Str(text);
  }

  std::string Date() {
    const int year = 2020 + static_cast<int>(rng_.Below(6));
    const int month = 1 + static_cast<int>(rng_.Below(12));
    const int day = 1 + static_cast<int>(rng_.Below(Odd(20) ? 31 : 28));  // some impossible
    auto two = [](int v) {
      return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
    };
    std::string text = std::to_string(year) + "-" + two(month) + "-" + two(day);
    static const std::vector<std::string> kTimes = {"T10:30", " 08:15:00", "T23:59:59.5Z",
                                                    "T12:00:00+02:00", "T00:00-0530"};
    if (rng_.Chance(20)) text += rng_.Pick(kTimes);
    if (Odd(5)) text = "2024/01/05";
    return Str(text);
  }

  std::string Junk(int depth) {
    const size_t r = rng_.Below(depth > 0 ? 9 : 6);
    switch (r) {
      case 0:
        return "null";
      case 1:
        return rng_.Chance(50) ? "true" : "false";
      case 2:
        return rng_.Pick<std::string>(
            {"0", "-0", "1e10", "-2.5E-3", "123456789012345678901234", "0.1"});
      case 3:
        return Str(Name());
      case 4:
        return "[]";
      case 5:
        return "{}";
      case 6:
      case 7: {
        std::vector<std::string> items;
        for (size_t i = rng_.Below(4); i > 0; --i) items.push_back(Junk(depth - 1));
        return Array(items);
      }
      default: {
        std::vector<std::string> members;
        static const std::vector<std::string> kKeys = {"a",      "id",     "visits",
                                                       "amount", "format", "x\\u0041"};
        for (size_t i = rng_.Below(4); i > 0; --i) {
          std::string member = Ws();
          member += "\"" + rng_.Pick(kKeys) + "\":";
          member += Junk(depth - 1);
          members.push_back(member);
        }
        return Object(members);
      }
    }
  }

  // kind 0: id+name; 1: employee; 2: patient.
  std::string Table(const std::string& prefix, size_t count, int kind) {
    if (count == 0 && rng_.Chance(30)) return "null";
    if (prefix == "P") {
      known_numeric_.assign(count, false);
    }
    std::vector<std::string> items;
    for (size_t i = 0; i < count; ++i) {
      std::vector<std::string> fields;
      std::string id = Id(prefix, i);
      if (prefix == "P") known_numeric_[i] = id[0] != 'P';
      if (Odd(5)) id = prefix + "0";  // a duplicate (or not, for i == 0)
      if (!Odd(5)) fields.push_back(Member("id", IdValue(id)));
      if (rng_.Chance(85)) fields.push_back(Member("name", rng_.Chance(95) ? Str(Name()) : "null"));
      if (kind == 1 && rng_.Chance(70)) fields.push_back(Member("division", Ref("D", divisions_)));
      if (kind == 2) {
        if (rng_.Chance(60)) fields.push_back(Member("priceList", Ref("L", lists_)));
        if (rng_.Chance(50)) fields.push_back(Member("bonusBalance", Amount()));
        if (rng_.Chance(40))
          fields.push_back(Member("registered", rng_.Chance(90) ? Date() : "null"));
      }
      if (rng_.Chance(10)) fields.push_back(Member("custom", Junk(2)));
      if (rng_.Chance(3) && !fields.empty())
        fields.push_back(fields[rng_.Below(fields.size())]);  // repeated key
      for (size_t k = fields.size(); k > 1; --k) std::swap(fields[k - 1], fields[rng_.Below(k)]);
      items.push_back(Odd(3) ? "1" : Object(fields));
    }
    if (prefix == "D") divisions_ = count;
    if (prefix == "L") lists_ = count;
    if (prefix == "P") patients_ = count;
    return Array(items);
  }

  // One visit member's value, by key.
  std::string VisitValue(const std::string& key, size_t index) {
    if (key == "id") return IdValue("V" + std::to_string(Odd(10) ? 0 : index));
    if (key == "date") return Date();
    if (key == "patient") return !Odd(10) ? Ref("P", patients_, true) : "7.5";
    if (key == "employee") return Ref("E", 5);
    if (key == "division") return Ref("D", divisions_);
    if (key == "amount") return Amount();
    if (key == "kind") {
      return Odd(20) ? "\"gift\""
                     : rng_.Pick<std::string>(
                           {"\"service\"", "\"goods\"", "\"Goods\"", "\"\"", "null"});
    }
    if (key == "status") {
      return Odd(20) ? "\"done\""
                     : rng_.Pick<std::string>({"\"completed\"", "\"cancelled\"", "\"no-show\"",
                                               "\"no_show\"", "\"CANCELED\"", "null", "\"\"",
                                               "\"completed\""});
    }
    if (key == "service") return !Odd(10) ? Str(Name()) : "1";
    return Junk(4);  // "meta"
  }

  // The keys of a visit, each present by chance, in a random order.
  std::vector<std::string> VisitKeys() {
    std::vector<std::string> keys;
    if (rng_.Chance(60)) keys.push_back("id");
    if (!Odd(3)) keys.push_back("date");
    if (!Odd(3)) keys.push_back("patient");
    if (rng_.Chance(80)) keys.push_back("employee");
    if (rng_.Chance(70)) keys.push_back("division");
    if (!Odd(3)) keys.push_back("amount");
    if (rng_.Chance(40)) keys.push_back("kind");
    if (rng_.Chance(50)) keys.push_back("status");
    if (rng_.Chance(30)) keys.push_back("service");
    if (rng_.Chance(10)) keys.push_back("meta");
    if (rng_.Chance(3) && !keys.empty()) keys.push_back(keys[rng_.Below(keys.size())]);
    for (size_t k = keys.size(); k > 1; --k) std::swap(keys[k - 1], keys[rng_.Below(k)]);
    return keys;
  }

  // Most visits of a document share its key order, as real exports do (and
  // as the importer's fast path for visits expects); some have their own.
  std::string Visit(size_t index) {
    if (visit_keys_.empty() || rng_.Chance(10)) visit_keys_ = VisitKeys();
    const std::vector<std::string> keys = rng_.Chance(15) ? VisitKeys() : visit_keys_;
    std::vector<std::string> fields;
    for (const std::string& key : keys) fields.push_back(Member(key, VisitValue(key, index)));
    return Object(fields);
  }

  bool Odd(int percent) { return odd_ && rng_.Chance(percent); }

  Rng& rng_;
  bool odd_ = false;
  size_t divisions_ = 0, lists_ = 0, patients_ = 0;
  std::vector<bool> known_numeric_;
  std::vector<std::string> visit_keys_;  // this document's usual visit key order
};

// Byte-level damage: the kind of thing a bad editor, a cut download or a
// wrong encoding does.
std::string Mutate(Rng& rng, std::string doc) {
  static constexpr char kPool[] = "\"\\{}[],: 01-.eEtnu\n\t\x7f\x80\xbf\xc3\xed\xf4\xff/'";
  static const std::string kBytes = std::string(kPool, sizeof kPool - 1) + std::string(1, '\0');
  const size_t count = 1 + rng.Below(3);
  for (size_t m = 0; m < count; ++m) {
    if (doc.empty()) doc = "{";
    const size_t at = rng.Below(doc.size());
    switch (rng.Below(6)) {
      case 0:
        doc[at] = kBytes[rng.Below(kBytes.size())];
        break;
      case 1:
        doc.erase(at, 1);
        break;
      case 2:
        doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), kBytes[rng.Below(kBytes.size())]);
        break;
      case 3:
        doc.resize(at);
        break;
      case 4: {  // copy a slice elsewhere (may repeat keys, elements, or nothing sensible)
        const size_t len = 1 + rng.Below(std::min<size_t>(40, doc.size() - at));
        const std::string slice = doc.substr(at, len);
        doc.insert(rng.Below(doc.size() + 1), slice);
        break;
      }
      default: {  // swap two bytes
        const size_t other = rng.Below(doc.size());
        std::swap(doc[at], doc[other]);
        break;
      }
    }
  }
  return doc;
}

// ---------------------------------------------------------------- nlohmann side

// The oracle (nlohmann/json through SAX, and a checker of the export format over
// its tree) is shared with the differential fuzzer, so both judge documents alike.
using oracle::Checker;
using oracle::Depth;
using oracle::Difference;
using oracle::Node;
using oracle::TreeBuilder;
using oracle::Values;

bool IsBrokenJsonCode(std::string_view c) {
  return c == code::kJsonSyntax || c == code::kJsonTooDeep || c.substr(0, 6) == "input.";
}

struct Tally {
  int cases = 0, rejected_by_both = 0, valid_exports = 0, invalid_exports = 0, number_overflows = 0,
      nul_bytes = 0;
};

void RunCase(const std::string& doc, Tally& tally) {
  ++tally.cases;
  TreeBuilder tree;
  const bool accepted = nlohmann::json::sax_parse(doc, &tree);
  // The plain DOM parse agrees with the SAX one.
  REQUIRE(nlohmann::json::parse(doc, nullptr, false).is_discarded() == !accepted);
  const Result<Export> ours = ImportJson("doc.json", doc);
  // Fed in pieces, as the page feeds what it has read so far: the same to the byte.
  Rng pieces(doc.size());
  test::CheckSameResult(test::ImportInRandomPieces({{"doc.json", doc}}, pieces, 1 + doc.size() / 8),
                        ours);
  if (!accepted && tree.number_overflow) {
    // nlohmann stopped at a number it cannot hold, so it says nothing about
    // the rest of the document: no verdict to compare with.
    ++tally.number_overflows;
    return;
  }
  if (accepted && doc.find('\0') != std::string::npos) {
    // nlohmann stops at a NUL byte outside strings as if the input ended there;
    // ImportJson refuses every NUL byte (a sign of UTF-16 or a binary file).
    ++tally.nul_bytes;
    if (ours.ok() || ours.error().code != code::kNulByte) {
      FAIL_CHECK("a NUL byte must be refused as input.nul_byte:\n" << doc);
    }
    return;
  }
  if (!accepted) {
    ++tally.rejected_by_both;
    if (ours.ok())
      FAIL_CHECK("nlohmann rejects, ImportJson accepts:\n" << doc);
    else if (!IsBrokenJsonCode(ours.error().code)) {
      FAIL_CHECK("nlohmann rejects, ImportJson says " << ours.error().message << "\n" << doc);
    }
    return;
  }
  if (!ours.ok() && ours.error().code == code::kJsonTooDeep && Depth(tree.root) > 512) {
    ++tally.rejected_by_both;  // valid JSON, but deeper than any export: refused by design
    return;
  }
  if (!ours.ok() && IsBrokenJsonCode(ours.error().code)) {
    FAIL_CHECK("nlohmann accepts, ImportJson says broken: " << ours.error().message << "\n" << doc);
    return;
  }
  Checker checker;
  const std::optional<Values> expected = checker.Check(tree.root);
  if (!expected) {
    ++tally.invalid_exports;
    if (ours.ok()) FAIL_CHECK("not a valid export, but ImportJson accepts:\n" << doc);
    return;
  }
  ++tally.valid_exports;
  if (!ours.ok()) {
    FAIL_CHECK("a valid export, but ImportJson says " << ours.error().message << "\n" << doc);
    return;
  }
  const std::string difference = Difference(ours.value(), *expected);
  if (!difference.empty()) FAIL_CHECK("values differ (" << difference << "):\n" << doc);
}

TEST_CASE("ImportJson agrees with nlohmann::json on generated and damaged documents") {
  Rng rng(20240229);
  Generator generator(rng);
  Tally tally;
  constexpr int kDocuments = 800;
  constexpr int kMutationsPerDocument = 10;
  for (int d = 0; d < kDocuments; ++d) {
    const std::string doc = generator.Export();
    RunCase(doc, tally);
    for (int m = 0; m < kMutationsPerDocument; ++m) RunCase(Mutate(rng, doc), tally);
  }
  MESSAGE(tally.cases << " cases: " << tally.rejected_by_both << " broken JSON, "
                      << tally.valid_exports << " valid exports, " << tally.invalid_exports
                      << " valid JSON but not valid exports, " << tally.number_overflows
                      << " with numbers beyond a double, " << tally.nul_bytes
                      << " accepted by nlohmann up to a NUL byte");
  CHECK(tally.cases == kDocuments * (1 + kMutationsPerDocument));
  // The generator must exercise every branch in earnest.
  CHECK(tally.rejected_by_both > 1000);
  CHECK(tally.valid_exports > 1000);
  CHECK(tally.invalid_exports > 500);
}

TEST_CASE("ImportJson agrees with nlohmann::json on hand-picked edge cases") {
  Tally tally;
  const std::vector<std::string> docs = {
      "",
      " ",
      "{",
      "}",
      "{}",
      "[]",
      "null",
      "0",
      "\"\"",
      "{\"a\"}",
      "{\"a\":}",
      "{,}",
      "[,]",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "[01]",
      "[-]",
      "[1.]",
      "[.5]",
      "[1e]",
      "[1e+]",
      "[-0]",
      "[0e0]",
      "[1E-0]",
      "[NaN]",
      "[Infinity]",
      "[-Infinity]",
      "[tru]",
      "[nul]",
      "[True]",
      "['a']",
      "[\"\\x\"]",
      "[\"\\u12\"]",
      "[\"\\uD800\"]",
      "[\"\\uDC00\"]",
      "[\"\\uD800\\uDC00\"]",
      "[\"\\uD83D\\uDE00\"]",
      "[\"\\uD800\\u0041\"]",
      "[\"\t\"]",
      "[\"\x7f\"]",
      "[\"\xC0\x80\"]",
      "[\"\xC2\x80\"]",
      "[\"\xE0\x9F\xBF\"]",
      "[\"\xE0\xA0\x80\"]",
      "[\"\xED\x9F\xBF\"]",
      "[\"\xED\xA0\x80\"]",
      "[\"\xEF\xBF\xBF\"]",
      "[\"\xF0\x8F\xBF\xBF\"]",
      "[\"\xF0\x90\x80\x80\"]",
      "[\"\xF4\x8F\xBF\xBF\"]",
      "[\"\xF4\x90\x80\x80\"]",
      "[\"\xF5\x80\x80\x80\"]",
      "[\"\xFF\"]",
      "[\"\xE2\x82\"]",
      "\xEF\xBB\xBF{}",
      "\xEF\xBB{}",
      "{}\xEF\xBB\xBF",
      "{} {}",
      "{}x",
      "[1] ",
      "\n[1]\n",
      "[1]\x0b",
      "\x0c[1]",
      "{\"a\":[[[[[[[[]]]]]]]]}",
      "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]",
      "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[]}",
      "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[{\"date\":\"2024-01-05\","
      "\"patient\":-0,\"amount\":-0}]}",
      "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[{\"date\":\"2024-01-05\","
      "\"patient\":1,\"amount\":1E400}]}",
      "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[{\"date\":\"2024-01-05\","
      "\"patient\":1e2,\"amount\":1}]}",
      "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[{\"date\":\"2024-01-05\","
      "\"patient\":18446744073709551616,\"amount\":1}]}",
      std::string("[\"a\0b\"]", 7),
      std::string("[1]\0", 4),
      std::string("{}\0garbage", 10),
      std::string("\xFF\xFE[\0]\0", 6),
      std::string(512, '[') + std::string(512, ']'),
      std::string(513, '[') + std::string(513, ']'),
      std::string(10000, '[') + std::string(10000, ']'),
  };
  for (const std::string& doc : docs) RunCase(doc, tally);
  CHECK(tally.cases == static_cast<int>(docs.size()));
  CHECK(tally.nul_bytes == 2);
  CHECK(tally.number_overflows == 1);
}

}  // namespace
}  // namespace clinic
