#include "date.h"

#include <cstdint>

namespace clinic {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2199;

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int year, unsigned month) {
  static constexpr unsigned char kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29u : kDays[month - 1];
}

// Reads exactly `count` ASCII digits at `pos`; false when any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

// hh:mm[:ss[.fraction]] then an optional Z, ±hh:mm or ±hhmm, to the end.
bool IsValidTimeSuffix(std::string_view t) {
  int hour = 0, minute = 0;
  if (!ReadDigits(t, 0, 2, &hour) || t.size() < 5 || t[2] != ':' || !ReadDigits(t, 3, 2, &minute)) {
    return false;
  }
  if (hour > 23 || minute > 59) return false;
  size_t i = 5;
  if (i < t.size() && t[i] == ':') {
    int second = 0;
    if (!ReadDigits(t, i + 1, 2, &second) || second > 60) return false;  // 60: leap second
    i += 3;
    if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
      ++i;
      const size_t begin = i;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
      if (i == begin) return false;
    }
  }
  if (i == t.size()) return true;
  if (t[i] == 'Z') return i + 1 == t.size();
  if (t[i] != '+' && t[i] != '-') return false;
  int zone_hour = 0, zone_minute = 0;
  if (!ReadDigits(t, i + 1, 2, &zone_hour)) return false;
  size_t j = i + 3;
  if (j < t.size() && t[j] == ':') ++j;
  if (!ReadDigits(t, j, 2, &zone_minute)) return false;
  return j + 2 == t.size() && zone_hour <= 23 && zone_minute <= 59;
}

}  // namespace

// Howard Hinnant's days_from_civil (public domain), for the proleptic Gregorian calendar.
Day DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);                        // [0, 399]
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return static_cast<Day>(era * 146097 + static_cast<int>(doe) - 719468);
}

std::optional<Day> ParseDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || !ReadDigits(text, 0, 4, &year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day)) {
    return std::nullopt;
  }
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  if (text.size() > 10) {
    // The date as written is the visit's date; the time and zone are only
    // checked so that a mangled value is not half-read.
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    if (!IsValidTimeSuffix(text.substr(11))) return std::nullopt;
  }
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string FormatDate(Day day) {
  if (day == kNoDay) return "";
  // Hinnant's civil_from_days, in 64 bits: total over every int32 day (the
  // core's ReportOptions may hold any), not only the 1900..2199 of the input.
  const int64_t z = static_cast<int64_t>(day) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);

  std::string out;
  std::string year_text = std::to_string(y < 0 ? -y : y);
  if (y < 0) out += '-';
  if (year_text.size() < 4) out.append(4 - year_text.size(), '0');
  out += year_text;
  out += '-';
  out += static_cast<char>('0' + m / 10);
  out += static_cast<char>('0' + m % 10);
  out += '-';
  out += static_cast<char>('0' + d / 10);
  out += static_cast<char>('0' + d % 10);
  return out;
}

}  // namespace clinic
