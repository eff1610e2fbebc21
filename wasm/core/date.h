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
/// replaces a parse. A text of up to 16 bytes (a date, a date and time to the
/// minute) is remembered as two words, so that the compare is two loads.
class DateReader {
 public:
  [[gnu::always_inline]] std::optional<Day> Read(std::string_view text) {
    const size_t n = text.size();
    if (n == last_size_) {
      if (n <= 16) {
        const char* p = text.data();
        if (HeadOf(p, n) == last_head_ && TailOf(p, n) == last_tail_) {
          return last_day_;
        }
      } else if (SameBytes(text, last_long_)) {
        return last_day_;
      }
    }
    return ReadNew(text);
  }

 private:
  // Out of line: Read stays small enough to inline in the line loops.
  [[gnu::noinline]] std::optional<Day> ReadNew(std::string_view text) {
    const std::optional<Day> day = ParseDate(text);
    if (!day) return std::nullopt;
    const size_t n = text.size();
    last_size_ = n;
    last_head_ = HeadOf(text.data(), n);
    last_tail_ = TailOf(text.data(), n);
    if (n > 16) last_long_.assign(text);
    last_day_ = *day;
    return day;
  }

  // With HeadOf, all of a text of up to 16 bytes: its last 8 bytes when it
  // has more than 8 (overlapping the head), else nothing.
  static uint64_t TailOf(const char* p, size_t n) { return n <= 8 ? 0 : Load64(p + n - 8); }

  size_t last_size_ = SIZE_MAX;  // nothing read yet
  uint64_t last_head_ = 0, last_tail_ = 0;
  std::string last_long_;  // the text, when longer than 16 bytes
  Day last_day_ = kNoDay;
};

}  // namespace clinic
