// Day numbers and strict date parsing (wasm/core/date.h).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "date.h"

namespace clinic {
namespace {

// Day numbers below were computed independently (Python's datetime.date).
TEST_CASE("DaysFromCivil") {
  SUBCASE("epoch") { CHECK(DaysFromCivil(1970, 1, 1) == 0); }
  SUBCASE("day before the epoch") { CHECK(DaysFromCivil(1969, 12, 31) == -1); }
  SUBCASE("leap day 2024") { CHECK(DaysFromCivil(2024, 2, 29) == 19782); }
  SUBCASE("first day of 2024") { CHECK(DaysFromCivil(2024, 1, 1) == 19723); }
  SUBCASE("after the 2000 leap day") { CHECK(DaysFromCivil(2000, 3, 1) == 11017); }
  SUBCASE("first supported day") { CHECK(DaysFromCivil(1900, 1, 1) == -25567); }
  SUBCASE("last supported day") { CHECK(DaysFromCivil(2199, 12, 31) == 84005); }
  SUBCASE("2100 is not a leap year") { CHECK(DaysFromCivil(2100, 3, 1) == 47541); }
}

std::optional<Day> P(std::string_view text) { return ParseDate(text); }

TEST_CASE("ParseDate: calendar validation") {
  SUBCASE("leap day 2024") { CHECK(P("2024-02-29") == std::optional<Day>(19782)); }
  SUBCASE("leap day 2000 (divisible by 400)") { CHECK(P("2000-02-29").has_value()); }
  SUBCASE("no leap day 1900 (divisible by 100)") { CHECK_FALSE(P("1900-02-29").has_value()); }
  SUBCASE("no leap day 2100") { CHECK_FALSE(P("2100-02-29").has_value()); }
  SUBCASE("no leap day 2023") { CHECK_FALSE(P("2023-02-29").has_value()); }
  SUBCASE("February 28 2023") { CHECK(P("2023-02-28").has_value()); }
  SUBCASE("April has 30 days") { CHECK_FALSE(P("2024-04-31").has_value()); }
  SUBCASE("April 30") { CHECK(P("2024-04-30").has_value()); }
  SUBCASE("December 31") { CHECK(P("2024-12-31").has_value()); }
  SUBCASE("month 0") { CHECK_FALSE(P("2024-00-10").has_value()); }
  SUBCASE("month 13") { CHECK_FALSE(P("2024-13-01").has_value()); }
  SUBCASE("day 0") { CHECK_FALSE(P("2024-01-00").has_value()); }
  SUBCASE("day 32") { CHECK_FALSE(P("2024-01-32").has_value()); }
  SUBCASE("first supported year") { CHECK(P("1900-01-01") == std::optional<Day>(-25567)); }
  SUBCASE("last supported day") { CHECK(P("2199-12-31") == std::optional<Day>(84005)); }
  SUBCASE("year 1899") { CHECK_FALSE(P("1899-12-31").has_value()); }
  SUBCASE("year 2200") { CHECK_FALSE(P("2200-01-01").has_value()); }
}

TEST_CASE("ParseDate: shape") {
  SUBCASE("one-digit month") { CHECK_FALSE(P("2024-1-05").has_value()); }
  SUBCASE("slashes") { CHECK_FALSE(P("2024/01/05").has_value()); }
  SUBCASE("two-digit year") { CHECK_FALSE(P("24-01-05").has_value()); }
  SUBCASE("no separators") { CHECK_FALSE(P("20240105").has_value()); }
  SUBCASE("European order") { CHECK_FALSE(P("05.01.2024").has_value()); }
  SUBCASE("leading space") { CHECK_FALSE(P(" 2024-01-05").has_value()); }
  SUBCASE("trailing space") { CHECK_FALSE(P("2024-01-05 ").has_value()); }
  SUBCASE("T without time") { CHECK_FALSE(P("2024-01-05T").has_value()); }
  SUBCASE("trailing letter") { CHECK_FALSE(P("2024-01-05x").has_value()); }
  SUBCASE("empty") { CHECK_FALSE(P("").has_value()); }
  SUBCASE("signs in digits") { CHECK_FALSE(P("2024-+1-05").has_value()); }
}

TEST_CASE("ParseDate: date-time suffixes") {
  const std::optional<Day> jan5 = DaysFromCivil(2024, 1, 5);
  SUBCASE("hh:mm") { CHECK(P("2024-01-05T10:30") == jan5); }
  SUBCASE("space instead of T") { CHECK(P("2024-01-05 10:30") == jan5); }
  SUBCASE("seconds") { CHECK(P("2024-01-05T10:30:15") == jan5); }
  SUBCASE("fraction") { CHECK(P("2024-01-05T10:30:15.123") == jan5); }
  SUBCASE("fraction with comma") { CHECK(P("2024-01-05T10:30:15,5") == jan5); }
  SUBCASE("Z") { CHECK(P("2024-01-05T10:30:15Z") == jan5); }
  SUBCASE("Z without seconds") { CHECK(P("2024-01-05T10:30Z") == jan5); }
  SUBCASE("+hh:mm") { CHECK(P("2024-01-05T10:30:15+02:00") == jan5); }
  SUBCASE("-hhmm") { CHECK(P("2024-01-05T10:30:15-0530") == jan5); }
  SUBCASE("leap second") { CHECK(P("2024-01-05T23:59:60Z") == jan5); }
  SUBCASE("midnight") { CHECK(P("2024-01-05T00:00") == jan5); }
  SUBCASE("the date as written, no zone conversion") {
    CHECK(P("2024-03-15T23:30:00-05:00") == std::optional<Day>(19797));
  }
  SUBCASE("hour 24") { CHECK_FALSE(P("2024-01-05T24:00").has_value()); }
  SUBCASE("minute 60") { CHECK_FALSE(P("2024-01-05T10:60").has_value()); }
  SUBCASE("second 61") { CHECK_FALSE(P("2024-01-05T10:30:61").has_value()); }
  SUBCASE("hour only") { CHECK_FALSE(P("2024-01-05T10").has_value()); }
  SUBCASE("one-digit minute") { CHECK_FALSE(P("2024-01-05T10:3").has_value()); }
  SUBCASE("one-digit second") { CHECK_FALSE(P("2024-01-05T10:30:1").has_value()); }
  SUBCASE("fraction without seconds") { CHECK_FALSE(P("2024-01-05T10:30.5").has_value()); }
  SUBCASE("empty fraction") { CHECK_FALSE(P("2024-01-05T10:30:15.").has_value()); }
  SUBCASE("zone hours only") { CHECK_FALSE(P("2024-01-05T10:30:15+02").has_value()); }
  SUBCASE("one-digit zone hour") { CHECK_FALSE(P("2024-01-05T10:30:15+2:00").has_value()); }
  SUBCASE("zone hour 24") { CHECK_FALSE(P("2024-01-05T10:30:15+24:00").has_value()); }
  SUBCASE("text after Z") { CHECK_FALSE(P("2024-01-05T10:30:15Zjunk").has_value()); }
  SUBCASE("lowercase t") { CHECK_FALSE(P("2024-01-05t10:30").has_value()); }
  SUBCASE("lowercase z") { CHECK_FALSE(P("2024-01-05T10:30:15z").has_value()); }
  SUBCASE("space before the zone") { CHECK_FALSE(P("2024-01-05T10:30:15 +02:00").has_value()); }
  SUBCASE("invalid date with a valid time") { CHECK_FALSE(P("2023-02-29T10:00").has_value()); }
}

TEST_CASE("DateReader: each text read as ParseDate reads it, after any other text") {
  // The reader remembers the last date it read (up to 16 bytes as two words,
  // longer ones as text): every text below is read right after each of the
  // others and after itself, and after itself with any one byte changed, at
  // each length from a bare date to a date-time with zone (8 to 25 bytes).
  const std::vector<std::string> texts = {
      "2024-01-05",          "2024-01-06",          "2025-01-05",
      "2024-1-05",           "24-01-05",            "2024-01-05T10:30",
      "2024-01-05T10:31",    "2024-01-05 10:30",    "2024-01-05T10:30Z",
      "2024-01-05T10:30:15", "2024-01-06T10:30:15", "2024-01-05T10:30:15Z",
      "2024-01-05T10:30:15.5", "2024-01-05T10:30:15+02:00", "2024-01-06T10:30:15+02:00",
      "2024-01-05T10:30:15+02:01", "2023-02-29", "2024-02-29", ""};
  std::vector<std::string> all = texts;
  for (const std::string& text : texts) {
    for (size_t i = 0; i < text.size(); ++i) {
      std::string changed = text;
      changed[i] = changed[i] == '1' ? '2' : '1';
      all.push_back(changed);
    }
  }
  DateReader reader;
  size_t reads = 0, mismatches = 0;
  for (const std::string& a : all) {
    for (const std::string& b : texts) {
      for (const std::string* text : {&b, &a, &a, &b}) {
        ++reads;
        if (reader.Read(*text) != ParseDate(*text)) ++mismatches;
      }
    }
  }
  CHECK(reads == 4 * all.size() * texts.size());
  CHECK(mismatches == 0);
}

TEST_CASE("FormatDate") {
  SUBCASE("leap day") { CHECK(FormatDate(19782) == "2024-02-29"); }
  SUBCASE("epoch") { CHECK(FormatDate(0) == "1970-01-01"); }
  SUBCASE("before the epoch") { CHECK(FormatDate(-25567) == "1900-01-01"); }
  SUBCASE("last supported day") { CHECK(FormatDate(84005) == "2199-12-31"); }
  SUBCASE("no day") { CHECK(FormatDate(kNoDay) == ""); }
  SUBCASE("round trip over the whole supported range") {
    int mismatches = 0;
    Day expected = -25567;
    for (int y = 1900; y <= 2199; ++y) {
      for (unsigned m = 1; m <= 12; ++m) {
        for (unsigned d = 1; d <= 31; ++d) {
          std::string text = std::to_string(y) + (m < 10 ? "-0" : "-") + std::to_string(m) +
                             (d < 10 ? "-0" : "-") + std::to_string(d);
          const std::optional<Day> day = ParseDate(text);
          if (!day) continue;  // impossible dates are skipped; consecutive days must follow
          if (*day != expected || FormatDate(*day) != text) ++mismatches;
          ++expected;
        }
      }
    }
    CHECK(mismatches == 0);
    CHECK(expected == 84006);  // every day from 1900-01-01 to 2199-12-31, none skipped
  }
}

}  // namespace
}  // namespace clinic
