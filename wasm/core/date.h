// Dates are day numbers (days since 1970-01-01, proleptic Gregorian), so a
// period filter is an integer comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.h"

namespace clinic {

using Day = int32_t;
inline constexpr Day kNoDay = INT32_MIN;

/// Day number of a valid civil date (no validation).
Day DaysFromCivil(int year, unsigned month, unsigned day);

/// Parses "YYYY-MM-DD" or an ISO 8601 date-time "YYYY-MM-DDThh:mm[:ss[.f]][Z|±hh:mm]"
/// (a space may stand for 'T'); the date part as written is the result.
/// Rejects impossible dates (2023-02-29, 2024-04-31) and years outside 1900..2199.
std::optional<Day> ParseDate(std::string_view text);

/// "YYYY-MM-DD".
std::string FormatDate(Day day);

/// ParseDate, remembering the last text it read: the lines of an export come
/// in date order, so most of their dates are the one before, and one compare
/// replaces a parse.
class DateReader {
 public:
  std::optional<Day> Read(std::string_view text) {
    if (!SameBytes(text, last_text_)) {
      const std::optional<Day> day = ParseDate(text);
      if (!day) return std::nullopt;
      last_text_.assign(text);
      last_day_ = *day;
    }
    return last_day_;
  }

 private:
  std::string last_text_;
  Day last_day_ = kNoDay;
};

}  // namespace clinic
