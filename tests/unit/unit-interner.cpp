// The string interner behind id lookups and duplicate-id checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "interner.h"

namespace clinic {
namespace {

TEST_CASE("StringInterner gives dense indexes in insertion order") {
  StringInterner interner;
  CHECK(interner.Find("P1") == StringInterner::kAbsent);
  CHECK(interner.Insert("P1") == std::pair<uint32_t, bool>{0, true});
  CHECK(interner.Insert("") == std::pair<uint32_t, bool>{1, true});
  CHECK(interner.Insert("P1") == std::pair<uint32_t, bool>{0, false});
  CHECK(interner.Insert("P10") == std::pair<uint32_t, bool>{2, true});
  CHECK(interner.Find("") == 1);
  CHECK(interner.Find("P10") == 2);
  CHECK(interner.Find("P") == StringInterner::kAbsent);
  CHECK(interner.Get(2) == "P10");
  CHECK(interner.size() == 3);
}

TEST_CASE("StringInterner agrees with std::unordered_map over many growths") {
  StringInterner interner;
  std::unordered_map<std::string, uint32_t> model;
  // Ids that share long prefixes and differ in the tail, across the 8-byte blocks of the hash.
  for (uint32_t i = 0; i < 200000; ++i) {
    const std::string id = "patient-0000-" + std::to_string(i % 150000) + (i % 3 ? "" : "-x");
    const auto [index, inserted] = interner.Insert(id);
    const auto [it, model_inserted] = model.emplace(id, static_cast<uint32_t>(model.size()));
    REQUIRE(inserted == model_inserted);
    REQUIRE(index == it->second);
  }
  CHECK(interner.size() == model.size());
  for (const auto& [id, index] : model) REQUIRE(interner.Find(id) == index);
  CHECK(interner.Find("patient-0000-150000") == StringInterner::kAbsent);
}

TEST_CASE("embedded NUL bytes and non-ASCII ids are distinct keys") {
  StringInterner interner;
  const std::string a("a\0b", 3), b("a\0c", 3);
  CHECK(interner.Insert(a).second);
  CHECK(interner.Insert(b).second);
  CHECK(interner.Insert("Åse").second);
  CHECK(interner.Find(a) == 0);
  CHECK(interner.Find(b) == 1);
  CHECK(interner.Find("Åse") == 2);
}

TEST_CASE("StringInterner: a slot's size and 8-byte head never stand in for the whole string") {
  // Short strings are accepted on (size, head) alone: these differ only in size
  // or past the 8th byte, or reach the size cap of the tag (255) with one head.
  StringInterner interner;
  const std::string nul1("P1\0", 3), nul2("P1\0\0", 4);
  const std::string long_a(300, 'x'), long_b = std::string(299, 'x') + "y";
  const std::string cap_a(255, 'z'), cap_b(256, 'z');
  const std::vector<std::string> keys = {"P1",     nul1,    nul2,   "abcdefgh", "abcdefghi",
                                         "abcdefgi", long_a, long_b, cap_a,      cap_b, ""};
  for (size_t i = 0; i < keys.size(); ++i) REQUIRE(interner.Insert(keys[i]).first == i);
  for (size_t i = 0; i < keys.size(); ++i) CHECK(interner.Find(keys[i]) == i);
  CHECK(interner.Find(std::string(301, 'x')) == StringInterner::kAbsent);
  CHECK(interner.Find("abcdefg") == StringInterner::kAbsent);
  CHECK(interner.size() == keys.size());
}

TEST_CASE("StringInterner: short strings that differ in any one byte are distinct keys") {
  // Up to 8 bytes a string is matched on its head alone, which is read with
  // overlapping loads: every length and every byte position is tried, with
  // NUL, ASCII and 0xFF bytes, against std::unordered_map.
  StringInterner interner;
  std::unordered_map<std::string, uint32_t> model;
  auto add = [&](const std::string& s) {
    const auto [index, inserted] = interner.Insert(s);
    const auto [it, model_inserted] = model.emplace(s, static_cast<uint32_t>(model.size()));
    REQUIRE(inserted == model_inserted);
    REQUIRE(index == it->second);
  };
  const char bytes[] = {'\0', 'a', 'b', '\xFF'};
  for (size_t n = 0; n <= 9; ++n) {
    for (size_t at = 0; at < std::max<size_t>(n, 1); ++at) {
      for (const char c : bytes) {
        std::string s(n, 'a');
        if (n > 0) s[at] = c;
        add(s);
        if (n > 1) {
          s[n - 1 - at] = '\xFF';  // a second byte changed, mirrored
          add(s);
        }
      }
    }
  }
  for (const auto& [s, index] : model) REQUIRE(interner.Find(s) == index);
  CHECK(interner.Find(std::string(10, 'a')) == StringInterner::kAbsent);
}

// Numbered ids ("P000123") are found through their number, not the slots: the
// interner must still agree with a map on every string, whether of the shape
// or one byte off it, and on numbers beyond the direct entries at first.
TEST_CASE("StringInterner: numbered ids agree with std::unordered_map, shape or not") {
  struct Shape {
    const char* prefix;
    int digits;
  };
  // A prefix and 6 digits (the demo's patients), 3 (employees), none and 8,
  // 7 and 1, and a one-byte id.
  for (const Shape shape : {Shape{"P", 6}, Shape{"E", 3}, Shape{"", 8}, Shape{"ABCDEFG", 1},
                            Shape{"", 1}, Shape{"PAT-", 4}}) {
    CAPTURE(shape.prefix);
    CAPTURE(shape.digits);
    const auto numbered = [&](uint64_t n) {
      std::string digits = std::to_string(n);
      return shape.prefix + std::string(shape.digits - digits.size(), '0') + digits;
    };
    uint64_t top = 1;
    for (int i = 0; i < shape.digits; ++i) top *= 10;  // numbers run 0 .. top - 1
    StringInterner interner;
    std::unordered_map<std::string, uint32_t> model;
    auto add = [&](const std::string& s) {
      const auto [index, inserted] = interner.Insert(s);
      const auto [it, model_inserted] = model.emplace(s, static_cast<uint32_t>(model.size()));
      REQUIRE(inserted == model_inserted);
      REQUIRE(index == it->second);
    };
    // Strings one byte off the shape: every byte in turn replaced by the
    // neighbours of the digits ('/' and ':'), a letter, NUL, 0xB0 (which XOR
    // '0' turns into 0x80) and 0xFF; one byte shorter and longer.
    auto near_misses = [&](const std::string& s) {
      std::vector<std::string> out;
      for (size_t at = 0; at < s.size(); ++at) {
        for (const char c : {'/', ':', 'x', '\0', '\xB0', '\xFF'}) {
          std::string t = s;
          t[at] = c;
          out.push_back(t);
        }
      }
      out.push_back(s.substr(0, s.size() - 1));
      out.push_back(s + "0");
      out.push_back("0" + s);
      return out;
    };
    add(numbered(1));  // the first string gives the shape
    uint32_t x = 12345;
    for (int i = 0; i < 60000; ++i) {
      x = x * 1664525u + 1013904223u;
      switch ((x >> 24) % 8) {
        case 0:  // anywhere in the range: mostly beyond the direct entries at first
          add(numbered((uint64_t{x} * 2654435761u) % top));
          break;
        case 1:
          for (const std::string& t : near_misses(numbered(i % top))) add(t);
          break;
        default:  // dense, in order with repeats, as exports number them
          add(numbered((i / 2) % top));
          break;
      }
      if (i % 16384 == 0) {
        for (const auto& [s, index] : model) REQUIRE(interner.Find(s) == index);
      }
    }
    CHECK(interner.size() == model.size());
    for (const auto& [s, index] : model) REQUIRE(interner.Find(s) == index);
    // Absent strings of the shape, below and above the numbers seen, and off it.
    for (uint64_t n = 0; n < std::min<uint64_t>(top, 200000); n += 7) {
      const std::string s = numbered(n);
      const auto it = model.find(s);
      REQUIRE(interner.Find(s) == (it == model.end() ? StringInterner::kAbsent : it->second));
      for (const std::string& t : near_misses(s)) {
        const auto jt = model.find(t);
        REQUIRE(interner.Find(t) == (jt == model.end() ? StringInterner::kAbsent : jt->second));
      }
    }
  }
}

TEST_CASE("StringInterner: a contiguous numbering grown over many sizes, then left") {
  // The number entries grow (4096 at first, then twice as many each time) while
  // the numbering is contiguous, keeping every string's entry; once a string
  // out of order ends it, each is still found through them. First numbers near
  // and past the first size, where the entries cover the numbers late or never.
  for (const uint64_t first : {0, 1, 4000, 4095, 4096, 9000}) {
    CAPTURE(first);
    StringInterner interner;
    const auto patient = [](uint64_t n) {
      std::string digits = std::to_string(n);
      return "P" + std::string(6 - digits.size(), '0') + digits;
    };
    constexpr uint64_t kCount = 20000;
    for (uint64_t n = first; n < first + kCount; ++n) {
      REQUIRE(interner.Insert(patient(n)) == std::make_pair(static_cast<uint32_t>(n - first), true));
    }
    REQUIRE(interner.Insert(patient(first + kCount + 5)).second);  // a gap: no longer contiguous
    REQUIRE(interner.Insert("X-1").second);                        // off the shape
    uint32_t computed = 0;
    CHECK_FALSE(interner.FindComputed("P000001", HeadOf("P000001", 7), &computed));
    for (uint64_t n = first; n < first + kCount; ++n) {
      REQUIRE(interner.Find(patient(n)) == n - first);
      REQUIRE(interner.Insert(patient(n)) == std::make_pair(static_cast<uint32_t>(n - first), false));
    }
    CHECK(interner.Find(patient(first + kCount + 5)) == kCount);
    CHECK(interner.Find("X-1") == kCount + 1);
    CHECK(interner.Find(patient(first + kCount)) == StringInterner::kAbsent);
    if (first > 0) CHECK(interner.Find(patient(first - 1)) == StringInterner::kAbsent);
  }
}

TEST_CASE("StringInterner: a contiguous numbering, then each way of leaving it") {
  // A table listed in id order with no gap (P000001, P000002, ...) finds a
  // string by its number alone; a repeat keeps it so. Whatever ends it (a
  // gap, a number out of order or before the first, a string off the shape
  // or one byte off it, a number far beyond), every string is still found at
  // its index and every other string is absent, checked before and after.
  const auto patient = [](uint64_t n) {
    std::string digits = std::to_string(n);
    return "P" + std::string(6 - digits.size(), '0') + digits;
  };
  for (const std::string& breaker :
       {std::string("P000100"), std::string("P000007"), std::string("P000000"), std::string("X-1"),
        std::string("P00005x"), std::string("P0000051"), std::string("P999999"), std::string("")}) {
    for (const uint64_t first : {0, 1, 17}) {
      CAPTURE(breaker);
      CAPTURE(first);
      StringInterner interner;
      std::unordered_map<std::string, uint32_t> model;
      const auto add = [&](const std::string& s) {
        const auto [index, inserted] = interner.Insert(s);
        const auto [it, model_inserted] = model.emplace(s, static_cast<uint32_t>(model.size()));
        REQUIRE(inserted == model_inserted);
        REQUIRE(index == it->second);
      };
      // FindComputed answers only while the numbering is contiguous, and then as Find does.
      const auto computed = [&](const std::string& s, bool contiguous) {
        uint32_t index = 0;
        const bool answered = interner.FindComputed(s, HeadOf(s.data(), s.size()), &index);
        if (contiguous) REQUIRE(answered);
        if (answered) REQUIRE(index == interner.Find(s));
      };
      bool contiguous = true;
      const auto check = [&]() {
        for (const auto& [s, index] : model) {
          REQUIRE(interner.Find(s) == index);
          computed(s, contiguous);
        }
        for (uint64_t n = 0; n < 120; ++n) computed(patient(n), contiguous);
        for (const std::string& t :
             {std::string("X-1"), std::string("P0000051"), std::string("")}) {
          computed(t, contiguous);
        }
        for (uint64_t n = 0; n < 120; ++n) {
          const std::string s = patient(n);
          const auto it = model.find(s);
          REQUIRE(interner.Find(s) == (it == model.end() ? StringInterner::kAbsent : it->second));
        }
        for (const std::string& t :
             {std::string("X-1"), std::string("P00005x"), std::string("P0000051"),
              std::string("P999999"), std::string(""), std::string("P00005"),
              std::string("p000051")}) {
          const auto it = model.find(t);
          REQUIRE(interner.Find(t) == (it == model.end() ? StringInterner::kAbsent : it->second));
        }
      };
      for (uint64_t n = first; n < first + 50; ++n) add(patient(n));
      add(patient(first + 3));  // a repeat
      check();
      if (!breaker.empty()) {
        add(breaker);
        // Only a repeat of a string already in keeps the numbering contiguous.
        contiguous = model.size() == 50;
      }
      check();
      for (uint64_t n = first + 50; n < first + 80; ++n) add(patient(n));
      check();
    }
  }
}

TEST_CASE(
    "StringInterner: numbers beyond the direct entries are found before and after they grow") {
  // P0005000 comes when a two-string table keeps no entries that far (it is
  // in the slots alone); the dense run then grows the entries past it, and it
  // must be found through them. P9000000 stays beyond them throughout.
  StringInterner interner;
  REQUIRE(interner.Insert("P0000007").first == 0);
  REQUIRE(interner.Insert("P0005000").first == 1);
  REQUIRE(interner.Insert("P9000000").first == 2);
  CHECK(interner.Find("P0005000") == 1);
  CHECK(interner.Find("P0005001") == StringInterner::kAbsent);
  uint32_t next = 3;
  for (uint32_t n = 0; n < 20000; ++n) {
    if (n == 7 || n == 5000) continue;
    std::string digits = std::to_string(n);
    REQUIRE(interner.Insert("P" + std::string(7 - digits.size(), '0') + digits).first == next++);
  }
  CHECK(interner.Find("P0000007") == 0);
  CHECK(interner.Find("P0005000") == 1);
  CHECK(interner.Find("P9000000") == 2);
  CHECK(interner.Find("P0000000") == 3);
  CHECK(interner.Find("P0019999") == next - 1);
  CHECK(interner.Find("P0020000") == StringInterner::kAbsent);
  CHECK(interner.Find("P8999999") == StringInterner::kAbsent);
}

TEST_CASE("StringInterner::Hash equals the byte-by-byte definition") {
  // The definition, written plainly: the size, each full 8-byte block but the
  // last, then the last 8 bytes (or all of a shorter string, zero-padded).
  auto reference = [](std::string_view s) {
    constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
    auto word = [&s](size_t from, size_t count) {
      uint64_t w = 0;
      for (size_t i = 0; i < count; ++i) {
        w |= uint64_t{static_cast<unsigned char>(s[from + i])} << (8 * i);
      }
      return w;
    };
    uint64_t h = s.size() * kMul;
    size_t at = 0;
    for (; s.size() - at > 8; at += 8) {
      h = (h ^ word(at, 8)) * kMul;
      h ^= h >> 29;
    }
    const uint64_t tail = s.size() >= 8 ? word(s.size() - 8, 8) : word(0, s.size());
    h = (h ^ tail) * kMul;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  };
  std::string s;
  for (int n = 0; n <= 40; ++n) {
    CHECK(StringInterner::Hash(s) == reference(s));
    s += static_cast<char>(n * 37 + 1);
  }
}

TEST_CASE("UniqueStrings: increasing ids take the fast path, the first one out of order switches") {
  UniqueStrings ids;
  // Shortlex order: unpadded numbers count as increasing.
  for (const char* id : {"8", "9", "10", "11", "100"}) REQUIRE(ids.Insert(id));
  CHECK(ids.size() == 5);
  CHECK(UniqueStrings::Less("9", "10"));
  CHECK_FALSE(UniqueStrings::Less("10", "9"));
  CHECK_FALSE(UniqueStrings::Less("10", "10"));
  // A repeat of the last id is out of order (not greater): found in the set built then.
  CHECK_FALSE(ids.Insert("100"));
  // From then on every id goes through the set, including the earlier ones.
  CHECK_FALSE(ids.Insert("8"));
  CHECK(ids.Insert("7"));
  CHECK_FALSE(ids.Insert("7"));
  CHECK(ids.Insert("101"));
  CHECK(ids.size() == 7);
}

TEST_CASE("UniqueStrings::Increment: the trailing number plus one, in as many digits") {
  const auto next = [](std::string id) {
    return UniqueStrings::Increment(id) ? id : "none (" + id + ")";
  };
  CHECK(next("V0000040") == "V0000041");
  CHECK(next("A09") == "A10");
  CHECK(next("A099") == "A100");
  CHECK(next("7") == "8");
  CHECK(next("x8") == "x9");
  CHECK(next("12-39") == "12-40");  // only the digits after the last non-digit carry
  CHECK(next("9") == "none (9)");     // "10" has more digits
  CHECK(next("A99") == "none (A99)");
  CHECK(next("A9x") == "none (A9x)");  // no digit at the end
  CHECK(next("") == "none ()");
  CHECK(next(std::string("\0" "1", 2)) == std::string("\0" "2", 2));
}

TEST_CASE(
    "UniqueStrings::NextHead agrees with Increment on every id of up to 8 bytes of 0, 8, 9, x") {
  // Every string of 1 to 8 bytes over an alphabet with the cases that matter:
  // a digit that goes up, a 9 that carries, and a non-digit that stops it.
  const char alphabet[] = {'0', '8', '9', 'x'};
  size_t checked = 0, with_successor = 0;
  for (size_t size = 1; size <= 8; ++size) {
    std::string id(size, '0');
    for (uint32_t code = 0; code < (1u << (2 * size)); ++code) {
      for (size_t i = 0; i < size; ++i) id[i] = alphabet[(code >> (2 * i)) & 3];
      std::string expected = id;
      const bool has = UniqueStrings::Increment(expected);
      uint64_t next = 0;
      REQUIRE(UniqueStrings::NextHead(HeadOf(id.data(), size), size, &next) == has);
      if (has) {
        REQUIRE(next == HeadOf(expected.data(), size));
        ++with_successor;
      }
      ++checked;
    }
  }
  CHECK(checked == 87380);  // 4 + 16 + ... + 65536
  CHECK(with_successor > 0);
}

TEST_CASE("UniqueStrings: successors and gaps while ordered, then a switch that keeps every id") {
  UniqueStrings ids;
  // Runs of successors broken by gaps, by a new prefix with the next number
  // ("B22" after "A21"), a carry across digits, a longer id and one that has no
  // successor in as many digits (C99): each greater than the one before.
  const std::vector<std::string> ordered = {"A08", "A09", "A10", "A11", "A20", "A21", "B22",
                                            "B23", "C99", "D00", "D01", "E19", "E20", "E30",
                                            "A100", "A101"};
  for (const std::string& id : ordered) REQUIRE(ids.Insert(id));
  CHECK(ids.size() == ordered.size());
  // A001 is out of order: from then on the set must know each of the ids above,
  // including those only counted as successors, and none in the gaps.
  CHECK(ids.Insert("A001"));
  for (const std::string& id : ordered) CHECK_FALSE(ids.Insert(id));
  for (const char* gap : {"A12", "A19", "A22", "B21", "B24", "C98", "D02", "E21", "E29", "E31",
                          "A102", "A00"}) {
    CHECK(ids.Insert(gap));
  }
  CHECK(ids.size() == ordered.size() + 13);
  // A carry (E19 -> E20) followed by a gap: E30 is not E20's successor.
  UniqueStrings carry;
  for (const char* id : {"E19", "E20", "E30"}) REQUIRE(carry.Insert(id));
  CHECK(carry.Insert("E00"));  // out of order
  CHECK_FALSE(carry.Insert("E30"));
  CHECK(carry.Insert("E21"));
  // All 9s then all 0s: no successor, and out of order.
  UniqueStrings nines;
  CHECK(nines.Insert("99"));
  CHECK(nines.Insert("00"));
  CHECK_FALSE(nines.Insert("99"));
}

TEST_CASE("UniqueStrings: a repeat of an early id after a long ordered run is found") {
  UniqueStrings ids;
  for (int i = 0; i < 100000; ++i) REQUIRE(ids.Insert("V" + std::to_string(1000000 + i)));
  CHECK_FALSE(ids.Insert("V1000000"));
  CHECK(ids.Insert("V0999999"));
  CHECK(ids.size() == 100001);
}

TEST_CASE("UniqueStrings agrees with std::unordered_set on sequences mostly in order") {
  // A deterministic mix: ordered runs, restarts, repeats, the empty string, NUL bytes.
  for (const uint32_t seed : {1u, 7u, 12345u}) {
    UniqueStrings ids;
    std::unordered_set<std::string> model;
    uint32_t x = seed;
    uint32_t counter = 0;
    for (int i = 0; i < 20000; ++i) {
      x = x * 1664525u + 1013904223u;
      std::string id;
      switch ((x >> 24) % 8) {
        case 0: id = std::to_string((x >> 8) % 5000); break;                // random, may repeat
        case 1: id = std::string("a\0", 2) + std::to_string(counter % 97); break;  // NUL byte
        case 2: id = ""; break;
        default: id = std::to_string(counter++); break;                     // increasing
      }
      REQUIRE(ids.Insert(id) == model.insert(id).second);
    }
    CHECK(ids.size() == model.size());
  }
  // Mostly successors, with gaps and carries, then repeats and fill-ins of
  // the gaps once out of order: the runs must hand every id to the set.
  for (const uint32_t seed : {3u, 99u}) {
    UniqueStrings ids;
    std::unordered_set<std::string> model;
    uint32_t x = seed;
    uint32_t number = 0;
    // Ids of 7 bytes, then of 12 (longer than a head: successors found byte by byte).
    const auto id_of = [seed](uint32_t n) {
      std::string digits = std::to_string(n);
      const size_t width = seed == 3 ? 6 : 11;
      return "V" + std::string(width - digits.size(), '0') + digits;
    };
    for (int i = 0; i < 20000; ++i) {
      x = x * 1664525u + 1013904223u;
      number += (x >> 24) % 5 == 0 ? 1 + (x >> 8) % 7 : 1;
      const std::string id = id_of(number);
      REQUIRE(ids.Insert(id) == model.insert(id).second);
    }
    for (int i = 0; i < 20000; ++i) {
      x = x * 1664525u + 1013904223u;
      const std::string id = id_of((x >> 8) % (number + 100));
      REQUIRE(ids.Insert(id) == model.insert(id).second);
    }
    CHECK(ids.size() == model.size());
  }
  // Strictly increasing throughout: never leaves the fast path, and still exact.
  UniqueStrings ordered;
  for (int i = 0; i < 1000; ++i) REQUIRE(ordered.Insert(std::to_string(i)));
  CHECK(ordered.size() == 1000);
}

}  // namespace
}  // namespace clinic
