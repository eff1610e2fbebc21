// Money is exact: an int64 count of 1/10000 of the currency unit. No floating
// point touches an amount anywhere in the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clinic {

/// An amount in 1/10000 of the currency unit (4 fractional digits).
using Money = int64_t;
inline constexpr int64_t kMoneyScale = 10000;
inline constexpr int kMoneyDecimals = 4;

/// Why an amount did not parse, for the error message.
enum class AmountError { kNone, kEmpty, kSyntax, kTooManyDecimals, kExponent, kOutOfRange };

/// The amounts nearly every export writes, read in one pass: an optional
/// sign, 1 to 14 digits (too few to overflow) and optionally a separator with
/// 1 to 4 decimals; `text` is not empty. Anything else (nullopt) is
/// ParseAmount's to read or refuse, and where this reads a value, ParseAmount
/// reads the same. Inline for the CSV importer's cell loop (inline in the JSON
/// scanner's element loop too, it measured slower there: bench/HISTORY.md).
inline std::optional<Money> ParsePlainAmount(std::string_view text, bool decimal_comma) {
  static constexpr uint64_t kScale[] = {10000, 1000, 100, 10, 1};
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = *p == '-';
  p += negative || *p == '+';
  const char* const digits = p;
  uint64_t units = 0;
  while (p < end && is_digit(*p)) units = units * 10 + static_cast<uint64_t>(*p++ - '0');
  const auto int_digits = static_cast<size_t>(p - digits);
  if (int_digits == 0 || int_digits > 14) return std::nullopt;
  uint64_t fraction = 0;
  size_t frac_digits = 0;
  if (p < end) {
    if (*p != '.' && !(decimal_comma && *p == ',')) return std::nullopt;
    const char* const decimals = ++p;
    while (p < end && is_digit(*p) && p - decimals < 4) {
      fraction = fraction * 10 + static_cast<uint64_t>(*p++ - '0');
    }
    frac_digits = static_cast<size_t>(p - decimals);
    if (p != end || frac_digits == 0) return std::nullopt;
  }
  const auto scaled = static_cast<int64_t>(units * 10000 + fraction * kScale[frac_digits]);
  return negative ? -scaled : scaled;
}

/// Parses an exact decimal: optional sign, digits, optional '.' (or ',' when
/// `decimal_comma`) and at most 4 fractional digits. No exponents, no thousands
/// separators, no currency signs, no surrounding spaces.
std::optional<Money> ParseAmount(std::string_view text, bool decimal_comma,
                                 AmountError* why = nullptr);

/// Explains an AmountError in words ("at most 4 decimals are allowed").
std::string_view DescribeAmountError(AmountError why);

/// n / d rounded half away from zero (d != 0), computed in 128 bits.
int64_t DivRoundHalfAway(__int128 n, __int128 d);

/// n / d rounded half away from zero, in 64 bits: d != 0 and neither is
/// INT64_MIN. Inline, because it runs per cell and per row of the reports and
/// 128-bit division is a slow library call in wasm.
inline int64_t DivRoundHalfAway64(int64_t n, int64_t d) {
  const uint64_t un = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  const uint64_t ud = d < 0 ? 0 - static_cast<uint64_t>(d) : static_cast<uint64_t>(d);
  uint64_t q = un / ud;
  const uint64_t r = un % ud;
  q += r >= ud - r;  // 2r >= d without overflowing 2r
  const auto signed_q = static_cast<int64_t>(q);  // q <= un < 2^63
  return (n < 0) != (d < 0) ? -signed_q : signed_q;
}

/// An amount in whole cents, rounded half away from zero (any amount).
inline int64_t CentsOf(Money amount) {
  // amount / 100 with the remainder's sign; |r| >= 50 rounds away from zero.
  const int64_t q = amount / 100;
  const int64_t r = amount % 100;
  return q + (r >= 50) - (r <= -50);
}

/// Formats with `decimals` (0..4) digits, rounding half away from zero: "-12.35".
std::string FormatMoney(Money amount, int decimals = 2);

/// A percentage in tenths of a percent (123 = 12.3 %), or none.
using Permille = int64_t;
inline constexpr Permille kNoPercent = INT64_MIN;

/// part / whole as tenths of a percent, rounded half away from zero; none when whole is 0.
Permille PercentTenths(__int128 part, __int128 whole);

/// "12.3", or "" for kNoPercent.
std::string FormatPercent(Permille p);

}  // namespace clinic
