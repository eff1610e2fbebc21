// Exact money: parsing, rounding and formatting (wasm/core/money.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "money.h"

namespace clinic {
namespace {

// The parsed amount, or a sentinel that no test expects, with the reason in *why.
Money Parse(std::string_view text, bool decimal_comma = false, AmountError* why = nullptr) {
  AmountError reason = AmountError::kNone;
  const std::optional<Money> m = ParseAmount(text, decimal_comma, &reason);
  if (why != nullptr) *why = reason;
  return m ? *m : INT64_MIN + 12345;
}

AmountError Why(std::string_view text, bool decimal_comma = false) {
  AmountError why = AmountError::kNone;
  CHECK_FALSE(ParseAmount(text, decimal_comma, &why).has_value());
  return why;
}

TEST_CASE("ParseAmount: valid amounts in 1/10000 units") {
  SUBCASE("whole number") { CHECK(Parse("45") == 450000); }
  SUBCASE("one decimal") { CHECK(Parse("45.5") == 455000); }
  SUBCASE("two decimals, negative") { CHECK(Parse("-20.00") == -200000); }
  SUBCASE("leading plus") { CHECK(Parse("+3") == 30000); }
  SUBCASE("four decimals") { CHECK(Parse("12.3456") == 123456); }
  SUBCASE("smallest unit") { CHECK(Parse("0.0001") == 1); }
  SUBCASE("negative smallest unit") { CHECK(Parse("-0.0001") == -1); }
  SUBCASE("minus zero is zero") { CHECK(Parse("-0") == 0); }
  SUBCASE("leading zeros") { CHECK(Parse("007.5") == 75000); }
  SUBCASE("many leading zeros do not overflow") {
    CHECK(Parse("0000000000000000000000000001.5") == 15000);
  }
  SUBCASE("why is kNone on success") {
    AmountError why = AmountError::kExponent;
    CHECK(Parse("1", false, &why) == 10000);
    CHECK(why == AmountError::kNone);
  }
  SUBCASE("null why pointer is allowed") {
    CHECK(ParseAmount("1.5", false) == std::optional<Money>(15000));
    CHECK(ParseAmount("x", false) == std::nullopt);
  }
  SUBCASE("largest") { CHECK(Parse("922337203685477.5807") == INT64_MAX); }
  SUBCASE("smallest (INT64_MIN)") { CHECK(Parse("-922337203685477.5808") == INT64_MIN); }
  SUBCASE("largest whole units") { CHECK(Parse("922337203685477") == 9223372036854770000); }
}

// An independent reading of the amount grammar, [+-]?D+([.,]D+)? with at most
// 4 decimals and a magnitude that fits int64 (2^63 for a negative amount),
// digit by digit in 128-bit arithmetic.
std::optional<Money> ReferenceAmount(std::string_view t, bool decimal_comma) {
  constexpr __int128 kCap = static_cast<__int128>(1) << 100;  // far out of range, no overflow
  size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
  __int128 v = 0;
  size_t int_digits = 0, decimals = 0;
  auto digit = [&] { v = std::min(kCap, v * 10 + (t[i++] - '0')); };
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++int_digits) digit();
  if (int_digits == 0) return std::nullopt;
  if (i < t.size() && (t[i] == '.' || (decimal_comma && t[i] == ','))) {
    ++i;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++decimals) digit();
    if (decimals == 0) return std::nullopt;
  }
  if (i != t.size() || decimals > 4) return std::nullopt;
  for (size_t k = decimals; k < 4; ++k) v = std::min(kCap, v * 10);
  const __int128 limit = static_cast<__int128>(INT64_MAX) + (negative ? 1 : 0);
  if (v > limit) return std::nullopt;
  return static_cast<Money>(negative ? -v : v);
}

TEST_CASE("ParseAmount: random texts read as an independent parser reads them") {
  // Mostly digits and separators, so that most texts are amounts: short ones,
  // long ones (past the one-pass path's 14 digits), and every kind of refusal.
  const std::string alphabet = "0123456789012345678901234567890123456789..,,--+e x";
  uint64_t state = 42;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(state >> 33);
  };
  size_t accepted = 0;
  for (int k = 0; k < 200000; ++k) {
    std::string text;
    const size_t length = next() % (k % 4 == 0 ? 24 : 14);
    for (size_t i = 0; i < length; ++i) text += alphabet[next() % alphabet.size()];
    for (const bool decimal_comma : {false, true}) {
      const std::optional<Money> expected = ReferenceAmount(text, decimal_comma);
      AmountError why = AmountError::kNone;
      const std::optional<Money> got = ParseAmount(text, decimal_comma, &why);
      CAPTURE(text);
      CAPTURE(decimal_comma);
      REQUIRE(got == expected);
      CHECK((why == AmountError::kNone) == got.has_value());
      accepted += got.has_value();
    }
  }
  CHECK(accepted > 20000);
}

TEST_CASE("ParseAmount: digit counts and separators at their edges") {
  CHECK(Parse("0") == 0);
  CHECK(Parse("-0.0") == 0);
  CHECK(Parse("12345678") == 123456780000);
  CHECK(Parse("123456789") == 1234567890000);
  CHECK(Parse("12345678.9999") == 123456789999);
  CHECK(Parse("12345678901234.9999") == 123456789012349999);  // 14 digits: the plain path's last
  CHECK(Parse("123456789012345.9999") == 1234567890123459999);
  CHECK(Parse("-99999999.9999") == -999999999999);
  CHECK(Parse("1234567.1234") == 12345671234);
  CHECK(Parse("0.5") == 5000);
  CHECK(Parse("5.05") == 50500);
  CHECK(Parse("5,05", true) == 50500);
  CHECK(Why("5,05") == AmountError::kSyntax);
  CHECK(Why("1.2.3") == AmountError::kSyntax);
  CHECK(Why("1.23456") == AmountError::kTooManyDecimals);
  CHECK(Why("1/2") == AmountError::kSyntax);
  CHECK(Why("1:2") == AmountError::kSyntax);  // ':' is '0' + 10
  CHECK(Why("-.5") == AmountError::kSyntax);
  CHECK(Why("12\xB5") == AmountError::kSyntax);
}

TEST_CASE("ParseAmount: decimal comma") {
  SUBCASE("comma accepted when enabled") { CHECK(Parse("12,50", true) == 125000); }
  SUBCASE("point still accepted when enabled") { CHECK(Parse("12.50", true) == 125000); }
  SUBCASE("negative with comma") { CHECK(Parse("-0,5", true) == -5000); }
  SUBCASE("comma refused when disabled") { CHECK(Why("12,50") == AmountError::kSyntax); }
  SUBCASE("two separators refused") { CHECK(Why("1.234,56", true) == AmountError::kSyntax); }
  SUBCASE("five decimals with comma") {
    CHECK(Why("1,23456", true) == AmountError::kTooManyDecimals);
  }
}

TEST_CASE("ParseAmount: refused amounts and why") {
  SUBCASE("empty") { CHECK(Why("") == AmountError::kEmpty); }
  SUBCASE("no digits before the point") { CHECK(Why(".5") == AmountError::kSyntax); }
  SUBCASE("no digits after the point") { CHECK(Why("5.") == AmountError::kSyntax); }
  SUBCASE("sign alone") { CHECK(Why("-") == AmountError::kSyntax); }
  SUBCASE("plus alone") { CHECK(Why("+") == AmountError::kSyntax); }
  SUBCASE("double sign") { CHECK(Why("--1") == AmountError::kSyntax); }
  SUBCASE("exponent") { CHECK(Why("1e5") == AmountError::kExponent); }
  SUBCASE("exponent with fraction and sign") { CHECK(Why("1.5E-3") == AmountError::kExponent); }
  SUBCASE("negative exponent form") { CHECK(Why("-2e+10") == AmountError::kExponent); }
  SUBCASE("e without digits is plain syntax") { CHECK(Why("1e") == AmountError::kSyntax); }
  SUBCASE("thousands separator") { CHECK(Why("1,234.00") == AmountError::kSyntax); }
  SUBCASE("space as thousands separator") { CHECK(Why("1 234") == AmountError::kSyntax); }
  SUBCASE("leading space") { CHECK(Why(" 12") == AmountError::kSyntax); }
  SUBCASE("trailing space") { CHECK(Why("12 ") == AmountError::kSyntax); }
  SUBCASE("currency sign before") {
    CHECK(Why("\xE2\x82\xAC"
              "12") == AmountError::kSyntax);
  }
  SUBCASE("currency code after") { CHECK(Why("12 EUR") == AmountError::kSyntax); }
  SUBCASE("two points") { CHECK(Why("1.2.3") == AmountError::kSyntax); }
  SUBCASE("hexadecimal") { CHECK(Why("0x10") == AmountError::kSyntax); }
  SUBCASE("five decimals") { CHECK(Why("1.23456") == AmountError::kTooManyDecimals); }
  SUBCASE("five decimals even if zero") { CHECK(Why("1.00000") == AmountError::kTooManyDecimals); }
  SUBCASE("one past the largest") {
    CHECK(Why("922337203685477.5808") == AmountError::kOutOfRange);
  }
  SUBCASE("one past the smallest") {
    CHECK(Why("-922337203685477.5809") == AmountError::kOutOfRange);
  }
  SUBCASE("far too large") { CHECK(Why("99999999999999999999999") == AmountError::kOutOfRange); }
  SUBCASE("whole part just over") { CHECK(Why("922337203685478") == AmountError::kOutOfRange); }
}

TEST_CASE("DescribeAmountError") {
  CHECK(DescribeAmountError(AmountError::kNone) == "");
  CHECK(DescribeAmountError(AmountError::kEmpty) == "the amount is empty");
  CHECK(DescribeAmountError(AmountError::kTooManyDecimals) == "at most 4 decimals are allowed");
  CHECK(DescribeAmountError(AmountError::kExponent) ==
        "exponents (like 1e5) are not allowed, write the digits out");
  CHECK(DescribeAmountError(AmountError::kOutOfRange) == "the amount is too large");
  CHECK(DescribeAmountError(AmountError::kSyntax) ==
        "write digits with an optional sign and one decimal separator, without spaces, "
        "thousands separators or currency signs");
}

// Independent method: round half away = sign * floor((2|n| + |d|) / (2|d|)), in 128 bits.
int64_t RoundedByFloor(__int128 n, __int128 d) {
  const __int128 an = n < 0 ? -n : n, ad = d < 0 ? -d : d;
  const __int128 q = (2 * an + ad) / (2 * ad);
  return static_cast<int64_t>(((n < 0) != (d < 0)) ? -q : q);
}

TEST_CASE("DivRoundHalfAway") {
  SUBCASE("exact") { CHECK(DivRoundHalfAway(6, 3) == 2); }
  SUBCASE("half rounds up") { CHECK(DivRoundHalfAway(5, 2) == 3); }
  SUBCASE("negative half rounds down") { CHECK(DivRoundHalfAway(-5, 2) == -3); }
  SUBCASE("negative divisor") { CHECK(DivRoundHalfAway(5, -2) == -3); }
  SUBCASE("both negative") { CHECK(DivRoundHalfAway(-5, -2) == 3); }
  SUBCASE("below half") { CHECK(DivRoundHalfAway(4, 3) == 1); }
  SUBCASE("above half") { CHECK(DivRoundHalfAway(5, 3) == 2); }
  SUBCASE("negative below half") { CHECK(DivRoundHalfAway(-4, 3) == -1); }
  SUBCASE("zero") { CHECK(DivRoundHalfAway(0, 7) == 0); }
  SUBCASE("small fraction") { CHECK(DivRoundHalfAway(1, 3) == 0); }
  SUBCASE("1.5 -> 2, -1.5 -> -2") {
    CHECK(DivRoundHalfAway(3, 2) == 2);
    CHECK(DivRoundHalfAway(-3, 2) == -2);
  }
  SUBCASE("wide numerator") {
    // Past 64 bits before the division, back in range after it.
    CHECK(DivRoundHalfAway(static_cast<__int128>(INT64_MAX) * 1000 + 499, 1000) == INT64_MAX);
    CHECK(DivRoundHalfAway(static_cast<__int128>(INT64_MIN) * 1000 - 499, 1000) == INT64_MIN);
    CHECK(DivRoundHalfAway(static_cast<__int128>(INT64_MAX) * 1000 - 500, 1000) == INT64_MAX);
  }
  SUBCASE("the 64-bit fast path agrees with rounding by floor(n/d + 1/2) on both sides of 2^63") {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 200000; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      const int shift = static_cast<int>(x % 64);
      __int128 n = static_cast<int64_t>(x) >> shift;  // all magnitudes, both signs
      if (i % 4 == 0) n *= 1000;                      // some past 2^63, as PercentTenths does
      __int128 d = static_cast<int64_t>((x >> 7) % 100000) - 50000;
      if (d == 0) d = 100;
      if (i % 7 == 0) d = (i % 14 == 0) ? 100 : -3;
      REQUIRE(DivRoundHalfAway(n, d) == RoundedByFloor(n, d));
    }
    CHECK(DivRoundHalfAway(INT64_MIN, 1) == INT64_MIN);  // |n| = 2^63: the 128-bit path
    CHECK(DivRoundHalfAway(INT64_MAX, 1) == INT64_MAX);
    CHECK(DivRoundHalfAway(INT64_MAX, INT64_MAX) == 1);
    CHECK(DivRoundHalfAway(INT64_MAX - 1, INT64_MAX) == 1);
    CHECK(DivRoundHalfAway(INT64_MAX / 2, INT64_MAX) == 0);  // just below a half
  }
  SUBCASE("DivRoundHalfAway64 and CentsOf agree with the same floor formula") {
    uint64_t x = 0xD1B54A32D192ED03ULL;
    for (int i = 0; i < 200000; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      int64_t n = static_cast<int64_t>(x) >> (x % 64);
      if (n == INT64_MIN) n = INT64_MAX;
      int64_t d = static_cast<int64_t>((x >> 11) % 200001) - 100000;
      if (d == 0) d = 7;
      if (i % 9 == 0) d = static_cast<int64_t>(x >> 1) >> ((x >> 5) % 63);  // large divisors too
      if (d == 0) d = -1;
      REQUIRE(DivRoundHalfAway64(n, d) == RoundedByFloor(n, d));
      const int64_t amount = static_cast<int64_t>(x);  // any amount, INT64_MIN included below
      REQUIRE(CentsOf(amount) == RoundedByFloor(amount, 100));
    }
    for (const int64_t amount :
         {INT64_MIN, INT64_MIN + 49, INT64_MIN + 50, INT64_MAX, int64_t{50}, int64_t{-50},
          int64_t{49}, int64_t{-49}, int64_t{150}, int64_t{-150}, int64_t{0}}) {
      CHECK(CentsOf(amount) == RoundedByFloor(amount, 100));
    }
    CHECK(CentsOf(-50) == -1);  // -0.0050 is half a cent: away from zero
    CHECK(CentsOf(149) == 1);
    CHECK(CentsOf(150) == 2);
  }
}

TEST_CASE("FormatMoney") {
  SUBCASE("zero") { CHECK(FormatMoney(0) == "0.00"); }
  SUBCASE("two decimals") { CHECK(FormatMoney(125000) == "12.50"); }
  SUBCASE("negative") { CHECK(FormatMoney(-200000) == "-20.00"); }
  SUBCASE("-0.005 rounds away to -0.01") { CHECK(FormatMoney(-50) == "-0.01"); }
  SUBCASE("0.005 rounds away to 0.01") { CHECK(FormatMoney(50) == "0.01"); }
  SUBCASE("0.0049 rounds to 0.00") { CHECK(FormatMoney(49) == "0.00"); }
  SUBCASE("no negative zero") { CHECK(FormatMoney(-49) == "0.00"); }
  SUBCASE("four decimals") { CHECK(FormatMoney(123456, 4) == "12.3456"); }
  SUBCASE("four decimals, small negative") { CHECK(FormatMoney(-1, 4) == "-0.0001"); }
  SUBCASE("one decimal") { CHECK(FormatMoney(123456, 1) == "12.3"); }
  SUBCASE("three decimals rounds half away") { CHECK(FormatMoney(123455, 3) == "12.346"); }
  SUBCASE("no decimals") { CHECK(FormatMoney(125000, 0) == "13"); }
  SUBCASE("no decimals, negative") { CHECK(FormatMoney(-125000, 0) == "-13"); }
  SUBCASE("decimals clamped to 0..4") {
    CHECK(FormatMoney(123456, 7) == "12.3456");
    CHECK(FormatMoney(125000, -1) == "13");
  }
  SUBCASE("INT64_MAX") {
    CHECK(FormatMoney(INT64_MAX, 4) == "922337203685477.5807");
    CHECK(FormatMoney(INT64_MAX) == "922337203685477.58");
    CHECK(FormatMoney(INT64_MAX, 0) == "922337203685478");
  }
  SUBCASE("INT64_MIN") {
    CHECK(FormatMoney(INT64_MIN, 4) == "-922337203685477.5808");
    CHECK(FormatMoney(INT64_MIN) == "-922337203685477.58");
    CHECK(FormatMoney(INT64_MIN, 0) == "-922337203685478");
  }
  SUBCASE("round trip through ParseAmount") {
    for (const Money m : {Money{0}, Money{1}, Money{-1}, Money{99999999999}, Money{-123456789},
                          INT64_MAX, INT64_MIN}) {
      CHECK(Parse(FormatMoney(m, 4)) == m);
    }
  }
}

TEST_CASE("PercentTenths and FormatPercent") {
  SUBCASE("one third") {
    CHECK(PercentTenths(1, 3) == 333);
    CHECK(FormatPercent(333) == "33.3");
  }
  SUBCASE("two thirds round up") { CHECK(PercentTenths(2, 3) == 667); }
  SUBCASE("zero part") {
    CHECK(PercentTenths(0, 5) == 0);
    CHECK(FormatPercent(0) == "0.0");
  }
  SUBCASE("zero whole is none") {
    CHECK(PercentTenths(1, 0) == kNoPercent);
    CHECK(FormatPercent(kNoPercent) == "");
  }
  SUBCASE("negative exact") { CHECK(PercentTenths(-1, 8) == -125); }
  SUBCASE("half a tenth rounds away") {
    CHECK(PercentTenths(1, 2000) == 1);
    CHECK(PercentTenths(-1, 2000) == -1);
  }
  SUBCASE("negative small") { CHECK(FormatPercent(-5) == "-0.5"); }
  SUBCASE("hundred") {
    CHECK(PercentTenths(7, 7) == 1000);
    CHECK(FormatPercent(1000) == "100.0");
  }
  SUBCASE("above hundred") { CHECK(FormatPercent(PercentTenths(3, 2)) == "150.0"); }
  SUBCASE("huge money sums") {
    const __int128 whole = static_cast<__int128>(INT64_MAX) * 4;
    CHECK(PercentTenths(static_cast<__int128>(INT64_MAX), whole) == 250);
  }
}

}  // namespace
}  // namespace clinic
