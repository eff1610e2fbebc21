#include "money.h"

#include <cstdint>

namespace clinic {
namespace {

// Magnitudes up to 2^63 fit, so INT64_MIN (-922337203685477.5808) parses.
constexpr uint64_t kMaxMagnitude = static_cast<uint64_t>(INT64_MAX) + 1;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<Money> Fail(AmountError error, AmountError* why) {
  if (why != nullptr) *why = error;
  return std::nullopt;
}

// Appends the decimal digits of `v`.
void AppendUnsigned(std::string& out, unsigned __int128 v) {
  char buffer[40];
  int n = 0;
  do {
    buffer[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  while (n > 0) out += buffer[--n];
}

unsigned __int128 Magnitude(__int128 v) {
  // Negating in unsigned arithmetic is defined even for the most negative value.
  return v < 0 ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v)
               : static_cast<unsigned __int128>(v);
}

}  // namespace

std::optional<Money> ParseAmount(std::string_view text, bool decimal_comma, AmountError* why) {
  if (why != nullptr) *why = AmountError::kNone;
  if (text.empty()) return Fail(AmountError::kEmpty, why);
  if (const std::optional<Money> plain = ParsePlainAmount(text, decimal_comma)) return plain;

  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }

  // Scan the shape first so that "1e5" is reported as an exponent and
  // "1.23456" as too many decimals, whatever else is wrong with them.
  uint64_t magnitude = 0;  // in whole units, then scaled
  bool overflow = false;
  size_t int_digits = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i, ++int_digits) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (magnitude > (kMaxMagnitude - digit) / 10) {
      overflow = true;
    } else {
      magnitude = magnitude * 10 + digit;
    }
  }

  size_t frac_digits = 0;
  uint64_t fraction = 0;
  bool has_separator = false;
  if (i < text.size() && (text[i] == '.' || (decimal_comma && text[i] == ','))) {
    has_separator = true;
    ++i;
    for (; i < text.size() && IsDigit(text[i]); ++i, ++frac_digits) {
      if (frac_digits < static_cast<size_t>(kMoneyDecimals)) {
        fraction = fraction * 10 + static_cast<uint64_t>(text[i] - '0');
      }
    }
  }

  if (i < text.size()) {
    // A number followed by e/E looks like scientific notation (as spreadsheets
    // and JSON writers produce); say so instead of a generic syntax error.
    if ((text[i] == 'e' || text[i] == 'E') && int_digits > 0 &&
        (!has_separator || frac_digits > 0)) {
      size_t j = i + 1;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
      const size_t exp_begin = j;
      while (j < text.size() && IsDigit(text[j])) ++j;
      if (j == text.size() && j > exp_begin) return Fail(AmountError::kExponent, why);
    }
    return Fail(AmountError::kSyntax, why);
  }
  // Digits are required on both sides of the separator: ".5" and "5." are
  // more likely typos or cut cells than intended amounts.
  if (int_digits == 0 || (has_separator && frac_digits == 0)) {
    return Fail(AmountError::kSyntax, why);
  }
  if (frac_digits > static_cast<size_t>(kMoneyDecimals)) {
    return Fail(AmountError::kTooManyDecimals, why);
  }
  for (size_t k = frac_digits; k < static_cast<size_t>(kMoneyDecimals); ++k) fraction *= 10;

  if (overflow || magnitude > (kMaxMagnitude - fraction) / static_cast<uint64_t>(kMoneyScale)) {
    return Fail(AmountError::kOutOfRange, why);
  }
  const uint64_t scaled = magnitude * static_cast<uint64_t>(kMoneyScale) + fraction;
  if (!negative && scaled > static_cast<uint64_t>(INT64_MAX)) {
    return Fail(AmountError::kOutOfRange, why);
  }
  if (negative) {
    // 0 - scaled in unsigned arithmetic, then reinterpret: exact for 2^63 too.
    return static_cast<Money>(static_cast<uint64_t>(0) - scaled);
  }
  return static_cast<Money>(scaled);
}

std::string_view DescribeAmountError(AmountError why) {
  switch (why) {
    case AmountError::kNone:
      return "";
    case AmountError::kEmpty:
      return "the amount is empty";
    case AmountError::kSyntax:
      return "write digits with an optional sign and one decimal separator, without spaces, "
             "thousands separators or currency signs";
    case AmountError::kTooManyDecimals:
      return "at most 4 decimals are allowed";
    case AmountError::kExponent:
      return "exponents (like 1e5) are not allowed, write the digits out";
    case AmountError::kOutOfRange:
      return "the amount is too large";
  }
  return "";
}

int64_t DivRoundHalfAway(__int128 n, __int128 d) {
  const unsigned __int128 un = Magnitude(n);
  const unsigned __int128 ud = Magnitude(d);
  if ((un >> 63) == 0 && (ud >> 63) == 0) {
    return DivRoundHalfAway64(static_cast<int64_t>(n), static_cast<int64_t>(d));
  }
  const bool negative = (n < 0) != (d < 0);
  unsigned __int128 q = un / ud;
  const unsigned __int128 r = un % ud;
  // r >= d - r is 2r >= d without the risk of overflowing 2r.
  if (r >= ud - r) ++q;
  const __int128 signed_q = static_cast<__int128>(q);
  return static_cast<int64_t>(negative ? -signed_q : signed_q);
}

std::string FormatMoney(Money amount, int decimals) {
  if (decimals < 0) decimals = 0;
  if (decimals > kMoneyDecimals) decimals = kMoneyDecimals;
  int64_t drop = 1;
  for (int k = decimals; k < kMoneyDecimals; ++k) drop *= 10;
  int64_t keep = 1;
  for (int k = 0; k < decimals; ++k) keep *= 10;

  // Rounded in 128 bits: INT64_MIN or INT64_MAX rounded up do not fit 64 bits
  // as a count of 1/10000 but do as a count of cents.
  const bool negative = amount < 0;
  const unsigned __int128 magnitude = Magnitude(amount);
  const unsigned __int128 half = static_cast<unsigned __int128>(drop) / 2;
  const unsigned __int128 rounded =
      drop == 1 ? magnitude : (magnitude + half) / static_cast<unsigned __int128>(drop);

  std::string out;
  if (negative && rounded != 0) out += '-';  // no "-0.00"
  AppendUnsigned(out, rounded / static_cast<unsigned __int128>(keep));
  if (decimals > 0) {
    out += '.';
    std::string fraction;
    AppendUnsigned(fraction, rounded % static_cast<unsigned __int128>(keep));
    out.append(static_cast<size_t>(decimals) - fraction.size(), '0');
    out += fraction;
  }
  return out;
}

Permille PercentTenths(__int128 part, __int128 whole) {
  if (whole == 0) return kNoPercent;
  return DivRoundHalfAway(part * 1000, whole);
}

std::string FormatPercent(Permille p) {
  if (p == kNoPercent) return "";
  std::string out;
  const unsigned __int128 magnitude = Magnitude(p);
  if (p < 0) out += '-';
  AppendUnsigned(out, magnitude / 10);
  out += '.';
  out += static_cast<char>('0' + static_cast<int>(magnitude % 10));
  return out;
}

}  // namespace clinic
