// UTF-8 checks shared by the JSON and CSV importers: both accept only valid
// UTF-8, and both quote bytes from an input in their error messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bytes.h"

namespace clinic {

/// The length of the valid UTF-8 sequence at s (s < end, *s >= 0x80), or 0
/// when it is invalid: overlong forms, UTF-16 surrogates and code points above
/// U+10FFFF are rejected, as is a sequence cut short by `end`.
inline size_t Utf8SequenceLength(const unsigned char* s, const unsigned char* end) {
  const unsigned char c = s[0];
  const size_t left = static_cast<size_t>(end - s);
  auto cont = [&](size_t i) { return i < left && (s[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 2) return 0;
    const unsigned char c1 = s[1];
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // UTF-16 surrogates
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 2) return 0;
    const unsigned char c1 = s[1];
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/// The length of the longest prefix of `text` of at most `max` bytes that is
/// valid UTF-8.
inline size_t ValidUtf8Length(std::string_view text, size_t max) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = s + text.size();
  size_t n = 0;
  while (n < text.size()) {
    const size_t len = s[n] < 0x80 ? 1 : Utf8SequenceLength(s + n, end);
    if (len == 0 || n + len > max) break;
    n += len;
  }
  return n;
}

/// Whether all of `text` is valid UTF-8 (ValidUtf8Length(text, text.size())
/// == text.size()), skipping ASCII 8 bytes at a time: for records that hold
/// a few multi-byte characters among ASCII, as names do.
inline bool IsValidUtf8(std::string_view text) {
  const char* s = text.data();
  const char* const end = s + text.size();
  while (s < end) {
    if (end - s >= 8 && (Load64(s) & 0x8080808080808080ULL) == 0) {
      s += 8;
    } else if (static_cast<unsigned char>(*s) < 0x80) {
      ++s;
    } else {
      const size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s),
                                            reinterpret_cast<const unsigned char*>(end));
      if (len == 0) return false;
      s += len;
    }
  }
  return true;
}

/// That prefix itself: for error values taken from bytes not checked yet.
inline std::string_view ValidUtf8Prefix(std::string_view text, size_t max) {
  return text.substr(0, ValidUtf8Length(text, max));
}

}  // namespace clinic
