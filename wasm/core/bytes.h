// Byte-level helpers for the hot paths: fixed-size loads and compares. In
// wasm, std::memcmp, std::string_view's == and a variable-length memcpy are
// calls into the C library's byte loops, which showed in the import profiles.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace clinic {

// Words are read little-endian (x86-64 and wasm): the first byte is the lowest.
static_assert(std::endian::native == std::endian::little);

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

/// The first min(n, 8) bytes at p, zero-padded: byte i at bits 8i. Two
/// overlapping fixed-size loads cover every size below 8, so there is no loop
/// and no variable-length memcpy.
inline uint64_t HeadOf(const char* p, size_t n) {
  if (n >= 8) return Load64(p);
  if (n >= 4) return Load32(p) | Load32(p + n - 4) << (8 * (n - 4));
  if (n == 0) return 0;
  const auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1));
}

/// a == b with fixed-size loads only: below 8 bytes the two heads, else 8
/// bytes at a time and the last 8 (overlapping); for a literal it folds.
inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n < 8) return HeadOf(p, n) == HeadOf(q, n);
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (Load64(p + i) != Load64(q + i)) return false;
  }
  return Load64(p + n - 8) == Load64(q + n - 8);
}

}  // namespace clinic
