// The hostile-input corpus (tests/corpus): every case is imported through
// clinic::ImportFiles and must give exactly its expected error (code, file,
// line, column, field, value) or exactly its expected import summary, and,
// when valid, reports whose totals are the summary's completed amount.
//
// tests/corpus/index.json lists the cases (directory listing is not relied
// on: this binary also runs as wasm under Node with the source at /src). A
// case names its input files, or a generate.json whose parts build large
// inputs in memory ({"text": "..."} or {"repeat": "x", "times": N}), so that
// the 10 MB and 1,000,000-line cases are not committed as big files.
// tests/e2e/corpus.test.mjs loads the same cases into the page.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "date.h"
#include "import.h"
#include "import_helpers.h"
#include "money.h"
#include "reports.h"
#include "status.h"

namespace clinic {
namespace {

using Json = nlohmann::ordered_json;

const std::string kCorpus = std::string(CLINIC_SOURCE_DIR) + "/tests/corpus/";


struct CorpusCase {
  std::string name;
  std::vector<std::string> names;  // file names as a user would give them
  std::vector<std::string> bytes;
};

/// The bytes of a generate.json spec:
/// {"files": [{"name", "parts": [{"text"} | {"repeat", "times", "numbered"?}]}]}.
void Generate(const Json& spec, CorpusCase& c) {
  for (const Json& file : spec.at("files")) {
    std::string bytes;
    for (const Json& part : file.at("parts")) {
      if (part.contains("text")) {
        bytes += part.at("text").get<std::string>();
      } else {
        const std::string unit = part.at("repeat").get<std::string>();
        const uint64_t times = part.at("times").get<uint64_t>();
        // "numbered": each copy is followed by its number (1, 2, ...), for distinct names.
        const bool numbered = part.value("numbered", false);
        bytes.reserve(bytes.size() + (unit.size() + (numbered ? 7 : 0)) * times);
        for (uint64_t i = 1; i <= times; ++i) {
          bytes += unit;
          if (numbered) bytes += std::to_string(i);
        }
      }
    }
    c.names.push_back(file.at("name").get<std::string>());
    c.bytes.push_back(std::move(bytes));
  }
}

CorpusCase LoadCase(const Json& entry) {
  CorpusCase c;
  c.name = entry.at("name").get<std::string>();
  const std::string dir = kCorpus + c.name + "/";
  if (entry.contains("files")) {
    for (const Json& name : entry.at("files")) {
      c.names.push_back(name.get<std::string>());
      c.bytes.push_back(test::ReadFile(dir + c.names.back()));
    }
  }
  if (entry.contains("generate")) {
    Generate(Json::parse(test::ReadFile(dir + entry.at("generate").get<std::string>())), c);
  }
  return c;
}

Json SummaryJson(const ImportSummary& s) {
  Json warnings = Json::array();
  for (const Warning& w : s.warnings) warnings.push_back({{"code", w.code}, {"count", w.count}});
  return Json{{"format", s.format},
              {"files", s.files},
              {"divisions", s.divisions},
              {"employees", s.employees},
              {"priceLists", s.price_lists},
              {"patients", s.patients},
              {"lines", s.lines},
              {"completed", s.completed},
              {"cancelled", s.cancelled},
              {"noShow", s.no_show},
              {"completedAmount", FormatMoney(s.completed_amount, 4)},
              {"cancelledAmount", FormatMoney(s.cancelled_amount, 4)},
              {"noShowAmount", FormatMoney(s.no_show_amount, 4)},
              {"goodsLines", s.goods_lines},
              {"refundLines", s.refund_lines},
              {"visits", s.visits},
              {"patientsWithLines", s.patients_with_lines},
              {"firstDay", FormatDate(s.first_day)},
              {"lastDay", FormatDate(s.last_day)},
              {"blankLines", s.blank_lines},
              {"warnings", warnings}};
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                              : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::string Dump(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

/// The reports agree with the summary: no line is lost or counted twice.
void CheckReports(const std::string& name, const Export& data) {
  const Money completed = data.summary.completed_amount;
  const ReportOptions all;
  const Result<RatingReport> rating = RankCustomers(data, all);
  REQUIRE_MESSAGE(rating.ok(), name);
  CHECK_MESSAGE(rating.value().total == completed, name << ": rating total");
  Money rows = 0;
  for (const RatingRow& r : rating.value().rows) rows += r.amount;
  CHECK_MESSAGE(rows == completed, name << ": rating rows");
  const Result<DivisionsReport> divisions = BuildCrossReport(data, all);
  REQUIRE_MESSAGE(divisions.ok(), name);
  CHECK_MESSAGE(divisions.value().grand_total == completed, name << ": divisions total");
  const Result<LoyaltyReport> loyalty = ComputeRetention(data, all);
  REQUIRE_MESSAGE(loyalty.ok(), name);
  const Result<RevenueReport> revenue = ComputeRevenue(data, all);
  REQUIRE_MESSAGE(revenue.ok(), name);
  CHECK_MESSAGE(revenue.value().total.total == completed, name << ": revenue total");
  CHECK_MESSAGE(revenue.value().total.lines == data.summary.completed, name << ": revenue lines");
}

void RunCase(const Json& entry) {
  const CorpusCase c = LoadCase(entry);
  const Json expect = Json::parse(test::ReadFile(kCorpus + c.name + "/expect.json"));
  std::vector<InputFile> inputs;
  for (size_t i = 0; i < c.names.size(); ++i) inputs.push_back(InputFile{c.names[i], c.bytes[i]});
  const Result<Export> result = ImportFiles(inputs);

  Json actual;
  if (result.ok()) {
    actual = Json{{"summary", SummaryJson(result.value().summary)}};
  } else {
    const Error& e = result.error();
    actual = Json{{"code", e.code},       {"file", e.where.file},   {"line", e.where.line},
                  {"column", e.where.column}, {"field", e.where.field}, {"value", e.where.value}};
    // The sentence shown to people: valid UTF-8, no raw control characters
    // from the input, ending with the code.
    CHECK_MESSAGE(IsValidUtf8(e.message), c.name << ": message is not UTF-8");
    CHECK_MESSAGE(IsValidUtf8(e.where.value), c.name << ": value is not UTF-8");
    for (const char ch : e.message) {
      CHECK_MESSAGE(static_cast<unsigned char>(ch) >= 0x20, c.name << ": control character in "
                                                                   << e.message);
    }
    const std::string tail = " [" + e.code + "]";
    CHECK_MESSAGE(e.message.size() > tail.size(), c.name);
    CHECK_MESSAGE(e.message.compare(e.message.size() - tail.size(), tail.size(), tail) == 0,
                  c.name << ": " << e.message);
    CHECK_MESSAGE(e.message.size() < 2000, c.name << ": message of " << e.message.size()
                                                  << " bytes");
  }
  CHECK_MESSAGE(actual == expect, c.name << ": expected\n"
                                        << Dump(expect) << "\nbut the engine gives\n"
                                        << Dump(actual));
  if (result.ok()) CheckReports(c.name, result.value());

  // Fed in pieces, as the page feeds what it has read so far: the same to the byte.
  size_t total = 0;
  for (const std::string& b : c.bytes) total += b.size();
  test::Rng rng(total);
  // Tiny pieces for the small cases; for the big ones (the 10 MB and
  // 1,000,000-line cases) a few thousand pieces, which still cut everywhere.
  const size_t tiny = total < (256 << 10) ? 7 : total / 2000;
  for (const size_t max_piece : {tiny, std::max<size_t>(64, total / 40)}) {
    CAPTURE(max_piece);
    test::CheckSameResult(test::ImportInRandomPieces(inputs, rng, max_piece), result);
  }
}

TEST_CASE("the hostile-input corpus gives exactly the expected error or summary") {
  const Json index = Json::parse(test::ReadFile(kCorpus + "index.json"));
  const Json& cases = index.at("cases");
  CHECK(cases.size() >= 40);
  for (const Json& entry : cases) {
    CAPTURE(entry.at("name").get<std::string>());
    RunCase(entry);
  }
}

// ---- Regressions: defects found by the corpus and the fuzzers, each named after the bug.

TEST_CASE("regression: a JSON sum overflow named the element number as the line, not the amount") {
  // The builder's limit errors carry the JSON element number (visits[1] -> 2)
  // as their line; the importer must point at the amount in the file.
  const std::string doc =
      "{\"format\": \"clinic-export\", \"version\": 1,\n\"visits\": [\n"
      "  {\"date\": \"2024-01-05\", \"patient\": \"P1\", \"amount\": 900000000000000},\n"
      "  {\"date\": \"2024-01-06\", \"patient\": \"P1\", \"amount\": \"-900000000000000\"}\n]}";
  const Result<Export> r = ImportJson("export.json", doc);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kAmountOverflow);
  CHECK(r.error().where.line == 4);
  CHECK(r.error().where.column == 53);
  CHECK(r.error().where.field == "amount");
  CHECK(r.error().where.value == "-900000000000000");
  CHECK(r.error().message.rfind("export.json, line 4, column 53 (amount): visits[1]: ", 0) == 0);
}

TEST_CASE("regression: a CSV sum overflow did not name the amount cell") {
  const std::string csv = "date,patient,amount\n2024-01-05,P1,900000000000000\n"
                          "2024-01-06,P1,-900000000000000.00\n";
  const Result<Export> r = ImportCsv({InputFile{"visits.csv", csv}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kAmountOverflow);
  CHECK(r.error().where.line == 3);
  CHECK(r.error().where.column == 3);
  CHECK(r.error().where.field == "amount");
  CHECK(r.error().where.value == "-900000000000000.00");
}

TEST_CASE("regression: a CSV header with many unknown columns was quadratic and warned unboundedly") {
  // 50,000 unknown columns: each was compared with all the earlier ones, and
  // the warning listed every name (a sentence of hundreds of kilobytes).
  constexpr int kColumns = 50000;
  std::string csv = "date,patient,amount";
  for (int i = 0; i < kColumns; ++i) csv += ",extra" + std::to_string(i);
  csv += "\n2024-01-05,P1,1.00" + std::string(kColumns, ',') + "\n";
  const Result<Export> r = ImportCsv({InputFile{"visits.csv", csv}});
  REQUIRE(r.ok());
  const std::vector<Warning>& warnings = r.value().summary.warnings;
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[1].code == "csv.unknown_column");
  CHECK(warnings[1].count == kColumns);
  CHECK(warnings[1].message.size() < 2000);
  CHECK(warnings[1].message.find("\"extra0\"") != std::string::npos);
  CHECK(warnings[1].message.find("49980 more") != std::string::npos);
  // A repeated unknown column is still an error, also far apart.
  const Result<Export> twice =
      ImportCsv({InputFile{"visits.csv", "date,patient,amount,x,y,z,x\n"}});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == code::kCsvDuplicateColumn);
  CHECK(twice.error().where.column == 7);
}

TEST_CASE("regression: an error's value held invalid UTF-8 from the text after the JSON data") {
  // Found by fuzz_json: the bytes after the end of the JSON were cut to 16
  // but not checked, so the error's value was not text.
  const Result<Export> r = ImportJson("export.json", std::string("\"currency\"s\"%\xd8\xfd;", 14));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kJsonSyntax);
  CHECK(r.error().where.value == "s\"%");
  CHECK(IsValidUtf8(r.error().where.value));
}

TEST_CASE("regression: an error's value held invalid UTF-8 from the text after a closing quote") {
  const Result<Export> r =
      ImportCsv({InputFile{"visits.csv", "date,patient,amount\n2024-01-05,\"P1\"x\xff\xfey,1\n"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kCsvBadQuote);
  CHECK(r.error().where.value == "\"P1\"x");
  const Result<Export> plain =
      ImportCsv({InputFile{"visits.csv", "date,patient,amount\n2024-01-05,P\"1\xc3,1\n"}});
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.error().code == code::kCsvBadQuote);
  CHECK(plain.error().where.value == "P\"1");
}

TEST_CASE("regression: an error's value held invalid UTF-8 from a broken \\u escape") {
  // Found by fuzz_json: "\ud" followed by bytes that are not hex digits.
  const Result<Export> r = ImportJson("export.json", "{\"ve\\ud\xc8\xcc\x9b\xac\": 1}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kJsonSyntax);
  CHECK(r.error().where.value == "\\ud");
}

TEST_CASE("regression: a CSV column name with a control character reached the message raw") {
  // Found by fuzz_csv: the field (a header name from the file) was printed
  // unescaped between parentheses, and in full however long it was.
  const Result<Export> r =
      ImportCsv({InputFile{"visits.csv", "id,name\x02x,name\x02x\n"},
                 InputFile{"employees.csv", "id,name\x02x,name\x02x\n"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kCsvDuplicateColumn);
  CHECK(r.error().message ==
        "employees.csv, line 1, column 3 (name\\x02x): the column \"name\\x02x\" appears twice in "
        "the header [csv.duplicate_column]");
  const std::string long_name(100000, 'n');
  const Result<Export> long_field = ImportCsv(
      {InputFile{"visits.csv", "date,patient,amount," + long_name + "," + long_name + "\n"}});
  REQUIRE_FALSE(long_field.ok());
  CHECK(long_field.error().code == code::kCsvDuplicateColumn);
  CHECK(long_field.error().message.size() < 1000);
  CHECK(long_field.error().where.field.size() <= 200);
}

TEST_CASE("regression: QuoteForMessage passed invalid UTF-8 through and ran on past its limit") {
  // Found by fuzz_options: an unknown division id of arbitrary bytes (the CLI
  // takes ids from argv) made a message that was not UTF-8; a run of
  // continuation bytes after the 60th character was copied without end.
  CHECK(QuoteForMessage("a\xff\xc3(b") == "\"a\\xff\\xc3(b\"");
  CHECK(QuoteForMessage("\xed\xa0\x80") == "\"\\xed\\xa0\\x80\"");  // a surrogate
  CHECK(QuoteForMessage("Chlo\xc3\xa9 \xf0\x9f\x98\x80") == "\"Chlo\xc3\xa9 \xf0\x9f\x98\x80\"");
  const std::string run = std::string(60, 'a') + std::string(100000, '\x80');
  const std::string quoted = QuoteForMessage(run);
  CHECK(quoted == "\"" + std::string(60, 'a') + "...\"");
  CHECK(IsValidUtf8(QuoteForMessage(std::string(59, 'a') + "\xe2\x82\xac\xe2\x82\xac")));
  CHECK(QuoteForMessage(std::string(59, 'a') + "\xe2\x82\xac\xe2\x82\xac") ==
        "\"" + std::string(59, 'a') + "\xe2\x82\xac...\"");
}

TEST_CASE("regression: an invalid JSON escape put the raw byte after the backslash in the message") {
  // Found by fuzz_json (a control character) and fuzz_json_differential (a
  // byte that is not UTF-8): the byte after '\\' was copied into the sentence.
  for (const char* doc : {"{\"a\\\x01\": 1}", "{\"a\\\xf5\": 1}", "{\"a\\\xc3\xa9\": 1}"}) {
    CAPTURE(doc);
    const Result<Export> r = ImportJson("export.json", doc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kJsonSyntax);
    CHECK(IsValidUtf8(r.error().message));
    for (const char c : r.error().message) CHECK(static_cast<unsigned char>(c) >= 0x20);
  }
  const Result<Export> x = ImportJson("export.json", "{\"a\\x\": 1}");
  REQUIRE_FALSE(x.ok());
  CHECK(x.error().message ==
        "export.json, line 1, column 4: \\x is not a valid escape in a JSON string (a lone '\\' "
        "must be written as \\\\) [json.syntax]");
  CHECK(x.error().where.value == "\\x");
}

TEST_CASE("regression: a .csv file starting with '{' was read as JSON") {
  // Found by fuzz_csv: the first character decided even when the name says CSV.
  const Result<Export> r = ImportFiles({InputFile{"visits.csv", "{date},patient,amount\n"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code::kCsvMissingColumn);
  // A file whose name says nothing is still recognised by its first character.
  const Result<Export> pasted = ImportFiles({InputFile{"export.txt", "[]"}});
  REQUIRE_FALSE(pasted.ok());
  CHECK(pasted.error().code == code::kCsvUnknownFile);
  const Result<Export> json = ImportFiles({InputFile{"export.txt", " {}"}});
  REQUIRE_FALSE(json.ok());
  CHECK(json.error().code == code::kJsonFormat);
}

TEST_CASE("regression: FormatDate overflowed on days far outside the calendar") {
  // Found by fuzz_options: a period error formats the option's day, and the
  // core's ReportOptions take any int32 day (front ends only 1900..2199).
  CHECK(FormatDate(0) == "1970-01-01");
  CHECK(FormatDate(DaysFromCivil(2199, 12, 31)) == "2199-12-31");
  CHECK(FormatDate(DaysFromCivil(1900, 1, 1)) == "1900-01-01");
  CHECK(FormatDate(INT32_MAX) == "5881580-07-11");
  CHECK(FormatDate(INT32_MIN + 1) == "-5877641-06-24");
  CHECK(FormatDate(kNoDay).empty());
}

TEST_CASE("regression: a quoted CSV cell with doubled quotes lost its text when a later one grew the scratch buffers") {
  // Found by fuzz_csv (heap-use-after-free): unescaped cells lived in a
  // vector<string> that was resized for a later cell of the same record, so
  // the earlier cell's view pointed into freed memory; without a sanitizer
  // the patient id was silently garbage.
  const std::string csv =
      "date,patient,amount,service\n2024-01-05,\"P\"\"1\",1.00,\"a \"\"b\"\"\"\n"
      "2024-01-06,\"P\"\"1\",2.00,\"a \"\"b\"\"\"\n";
  const Result<Export> r = ImportCsv({InputFile{"visits.csv", csv}});
  REQUIRE(r.ok());
  REQUIRE(r.value().patients.size() == 1);
  CHECK(r.value().patients.ids[0] == "P\"1");
  CHECK(r.value().summary.completed_amount == 30000);
}

TEST_CASE("the corpus generator builds the large inputs it describes") {
  CorpusCase c;
  Generate(Json::parse(R"({"files": [{"name": "a.json", "parts": [
               {"text": "["}, {"repeat": "ab", "times": 3}, {"text": "]"},
               {"repeat": ",c", "times": 3, "numbered": true}]}]})"),
           c);
  REQUIRE(c.bytes.size() == 1);
  CHECK(c.names[0] == "a.json");
  CHECK(c.bytes[0] == "[ababab],c1,c2,c3");
}

}  // namespace
}  // namespace clinic
