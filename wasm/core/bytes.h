// Byte-level helpers for the hot paths: fixed-size loads and compares. In
// wasm, std::memcmp, std::string_view's == and a variable-length memcpy are
// calls into the C library's byte loops, which showed in the import profiles.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// Copies n bytes, those of up to 16 with fixed-size moves (two overlapping
/// ones, or three single bytes below 4): in wasm a memcpy of a variable
/// length is a call and a loop, per id or name appended to a table.
inline void CopyBytes(char* out, const char* p, size_t n) {
  if (n > 16) {
    std::memcpy(out, p, n);
  } else if (n >= 8) {
    const uint64_t first = Load64(p), last = Load64(p + n - 8);
    std::memcpy(out, &first, 8);
    std::memcpy(out + n - 8, &last, 8);
  } else if (n >= 4) {
    const auto first = static_cast<uint32_t>(Load32(p));
    const auto last = static_cast<uint32_t>(Load32(p + n - 4));
    std::memcpy(out, &first, 4);
    std::memcpy(out + n - 4, &last, 4);
  } else if (n > 0) {
    out[0] = p[0];
    out[n / 2] = p[n / 2];
    out[n - 1] = p[n - 1];
  }
}

/// An allocator whose construct() without a value leaves the element
/// uninitialised, so that a vector's resize only moves its end.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  explicit UninitializedAllocator(const UninitializedAllocator<U>& /*other*/) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialised: for char, nothing is written
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// Strings stored back to back (an interner's or a name column's bytes).
using ByteVector = std::vector<char, UninitializedAllocator<char>>;

/// Appends `s` to `bytes`: the end moved without zeroing, then CopyBytes,
/// where std::vector::insert called memmove for every string.
inline void AppendBytes(ByteVector& bytes, std::string_view s) {
  // std::less: pointers into different arrays have no order of their own.
  const std::less<const char*> before;
  if (!before(s.data(), bytes.data()) && before(s.data(), bytes.data() + bytes.size()))
      [[unlikely]] {
    // Some of its own bytes: the buffer may move as it grows.
    const std::string copy(s);
    AppendBytes(bytes, copy);
    return;
  }
  const size_t at = bytes.size();
  bytes.resize(at + s.size());
  CopyBytes(bytes.data() + at, s.data(), s.size());
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

/// a < b bytewise (unsigned), 8 bytes at a time: in wasm, std::string_view's
/// compare is the C library's byte-loop memcmp.
inline bool BytesLess(std::string_view a, std::string_view b) {
  const size_t common = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < common; i += 8) {
    const size_t n = common - i < 8 ? common - i : 8;
    const uint64_t x = __builtin_bswap64(HeadOf(a.data() + i, n));
    const uint64_t y = __builtin_bswap64(HeadOf(b.data() + i, n));
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

/// 16 bytes compared with one byte value each at a time; a mask has bit i set
/// for byte i. Wasm SIMD, SSE2, or a byte loop where neither is there.
class Block16 {
 public:
  static constexpr size_t kSize = 16;

  explicit Block16(const char* p) {
#if defined(__wasm_simd128__)
    v_ = wasm_v128_load(p);
#elif defined(__SSE2__)
    v_ = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
#else
    std::memcpy(v_, p, kSize);
#endif
  }

  /// The bytes equal to `c`.
  uint32_t Equal(char c) const {
#if defined(__wasm_simd128__)
    return wasm_i8x16_bitmask(wasm_i8x16_eq(v_, wasm_i8x16_splat(c)));
#elif defined(__SSE2__)
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v_, _mm_set1_epi8(c))));
#else
    uint32_t m = 0;
    for (size_t i = 0; i < kSize; ++i) m |= uint32_t{v_[i] == c} << i;
    return m;
#endif
  }

  /// The bytes equal to `a` or `b`.
  uint32_t EqualAny(char a, char b) const {
#if defined(__wasm_simd128__)
    return wasm_i8x16_bitmask(wasm_v128_or(wasm_i8x16_eq(v_, wasm_i8x16_splat(a)),
                                           wasm_i8x16_eq(v_, wasm_i8x16_splat(b))));
#elif defined(__SSE2__)
    return static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(v_, _mm_set1_epi8(a)), _mm_cmpeq_epi8(v_, _mm_set1_epi8(b)))));
#else
    return Equal(a) | Equal(b);
#endif
  }

  /// The bytes a JSON string cannot hold as they are: '"', '\\', control
  /// characters (below 0x20) and bytes of 0x80 and above (UTF-8 to check).
  /// A signed compare with 0x20 finds the last two kinds at once.
  uint32_t JsonSpecial() const {
#if defined(__wasm_simd128__)
    const v128_t any = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v_, wasm_i8x16_splat('"')),
                                                 wasm_i8x16_eq(v_, wasm_i8x16_splat('\\'))),
                                    wasm_i8x16_lt(v_, wasm_i8x16_splat(0x20)));
    return wasm_i8x16_bitmask(any);
#elif defined(__SSE2__)
    const __m128i any = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v_, _mm_set1_epi8('"')),
                                                  _mm_cmpeq_epi8(v_, _mm_set1_epi8('\\'))),
                                     _mm_cmplt_epi8(v_, _mm_set1_epi8(0x20)));
    return static_cast<uint32_t>(_mm_movemask_epi8(any));
#else
    return Equal('"') | Equal('\\') | ControlOrHigh();
#endif
  }

  /// Control characters (below 0x20) and bytes of 0x80 and above, in one
  /// signed compare with 0x20.
  uint32_t ControlOrHigh() const { return BelowOrHigh(0x20); }

  /// Spaces, control characters and bytes of 0x80 and above: one signed
  /// compare with 0x21 (the bytes a CSV record's plain cells hold none of but
  /// at the line end).
  uint32_t SpaceControlOrHigh() const { return BelowOrHigh(0x21); }

  /// The bytes of 0x80 and above (the bytes of multi-byte UTF-8 characters).
  uint32_t High() const {
#if defined(__wasm_simd128__)
    return wasm_i8x16_bitmask(v_);
#elif defined(__SSE2__)
    return static_cast<uint32_t>(_mm_movemask_epi8(v_));
#else
    uint32_t m = 0;
    for (size_t i = 0; i < kSize; ++i)
      m |= uint32_t{static_cast<unsigned char>(v_[i]) >= 0x80} << i;
    return m;
#endif
  }

 private:
  /// The bytes below `limit` (an ASCII byte) and those of 0x80 and above: one
  /// signed compare, as the latter are negative.
  uint32_t BelowOrHigh(char limit) const {
#if defined(__wasm_simd128__)
    return wasm_i8x16_bitmask(wasm_i8x16_lt(v_, wasm_i8x16_splat(limit)));
#elif defined(__SSE2__)
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(v_, _mm_set1_epi8(limit))));
#else
    uint32_t m = 0;
    for (size_t i = 0; i < kSize; ++i) {
      const auto c = static_cast<unsigned char>(v_[i]);
      m |= uint32_t{c < static_cast<unsigned char>(limit) || c >= 0x80} << i;
    }
    return m;
#endif
  }

#if defined(__wasm_simd128__)
  v128_t v_;
#elif defined(__SSE2__)
  __m128i v_;
#else
  char v_[kSize];
#endif
};

/// 32 bytes as two Block16s, with the same masks: bit i for byte i of the 32.
/// For a scan whose work per block (besides the compares) is worth halving:
/// the CSV record scan, whose records are mostly longer than 32 bytes.
class Block32 {
 public:
  static constexpr size_t kSize = 2 * Block16::kSize;

  explicit Block32(const char* p) : low_(p), high_(p + Block16::kSize) {}

  uint32_t Equal(char c) const { return Join(low_.Equal(c), high_.Equal(c)); }
  uint32_t EqualAny(char a, char b) const { return Join(low_.EqualAny(a, b), high_.EqualAny(a, b)); }
  uint32_t SpaceControlOrHigh() const {
    return Join(low_.SpaceControlOrHigh(), high_.SpaceControlOrHigh());
  }
  uint32_t High() const { return Join(low_.High(), high_.High()); }

 private:
  static uint32_t Join(uint32_t low, uint32_t high) { return low | high << Block16::kSize; }

  Block16 low_, high_;
};

}  // namespace clinic
