// A flat, open-addressing string interner: each distinct string gets a dense
// index in insertion order and is stored once in an arena. It replaces
// std::unordered_map<std::string, ...> on the import hot path (one lookup per
// id per visit line), where node allocation and rehashing dominated.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace clinic {

/// a == b, inline: in wasm, std::string_view's == calls the C library's
/// byte-at-a-time memcmp, which showed in profiles of id lookups and key
/// dispatch. Compares 8 bytes at a time; for a literal the loop unrolls.
inline bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  size_t n = a.size();
  for (; n >= 8; p += 8, q += 8, n -= 8) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, q, 8);
    if (x != y) return false;
  }
  for (; n > 0; ++p, ++q, --n) {
    if (*p != *q) return false;
  }
  return true;
}

class StringInterner {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  /// The index of `s`, inserting it when new; `.second` tells whether it was inserted.
  std::pair<uint32_t, bool> Insert(std::string_view s);
  /// The index of `s`, or kAbsent.
  uint32_t Find(std::string_view s) const;
  /// The string with index `i`.
  std::string_view Get(uint32_t i) const {
    return {arena_.data() + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i])};
  }
  size_t size() const { return offsets_.size() - 1; }

  /// Hash used for the table; exposed for tests.
  static uint64_t Hash(std::string_view s);

 private:
  uint32_t Probe(std::string_view s, uint64_t hash, uint64_t head, size_t* slot) const;
  // Hash(s) from its head, which lookups compute once for both.
  static uint64_t HashOf(std::string_view s, uint64_t head);
  void Grow();

  // A slot holds enough to reject, and for strings of up to 8 bytes to accept,
  // a candidate without reading the arena: a lookup then touches one cache
  // line instead of three (slot, offsets, arena), which dominated id lookups.
  struct Slot {
    uint32_t index_plus_1 = 0;  // 0 = empty
    uint32_t tag = 0;           // upper hash bits above min(size, 255)
    uint64_t head = 0;          // the first 8 bytes, zero-padded
  };
  static uint32_t Tag(uint64_t hash, size_t size);
  static uint64_t Head(std::string_view s);

  std::vector<char> arena_;
  std::vector<uint64_t> offsets_{0};  // string i is arena_[offsets_[i], offsets_[i+1])
  std::vector<Slot> slots_;
};

/// Tells whether each string was seen before (visit line ids). Exports mostly
/// list their line ids in increasing order; while they do, a new id only has
/// to be greater than the last one, and the ids are just appended. At the
/// first id out of order the hash set is built from them and used from then on.
class UniqueStrings {
 public:
  /// True when `s` was not seen before.
  bool Insert(std::string_view s);
  size_t size() const { return ordered_ ? ends_.size() : set_.size(); }

  /// The order used for the fast path: shorter first, then bytewise, so that
  /// unpadded numbers (9, 10, 11) count as increasing too.
  static bool Less(std::string_view a, std::string_view b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }

 private:
  bool ordered_ = true;
  std::vector<char> arena_;   // the ids so far while ordered
  std::vector<size_t> ends_;  // id i ends at arena_[ends_[i]]
  StringInterner set_;        // once an id came out of order
};

}  // namespace clinic
