// A flat, open-addressing string interner: each distinct string gets a dense
// index in insertion order and is stored once in an arena. It replaces
// std::unordered_map<std::string, ...> on the import hot path (one lookup per
// id per visit line), where node allocation and rehashing dominated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bytes.h"

namespace clinic {

namespace interner_detail {

inline uint64_t Mix(uint64_t h) {
  // The murmur3 finaliser: every input bit reaches every output bit.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace interner_detail

class StringInterner {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  /// The index of `s`, inserting it when new; `.second` tells whether it was inserted.
  std::pair<uint32_t, bool> Insert(std::string_view s);
  /// The index of `s`, or kAbsent. Inline: it runs for every id of every visit line.
  uint32_t Find(std::string_view s) const { return Find(s, Head(s)); }
  /// The same, given HeadOf(s).
  uint32_t Find(std::string_view s, uint64_t head) const {
    // Computed, not read, while the numbering is contiguous: no entry to wait
    // for (a cache miss per patient of a visit line, in random order, on a
    // large patient table).
    uint32_t computed;
    if (FindComputed(s, head, &computed)) return computed;
    const uint64_t number = NumberOf(s.size(), head);
    if (number < numbered_.size()) return numbered_[number] - 1;  // 0 - 1 is kAbsent
    if (slots_.empty()) return kAbsent;
    size_t slot;
    return Probe(s, HashOf(s, head), head, &slot);
  }
  /// Find's answer when it takes no lookup, small enough to inline where Find
  /// is not: while the strings are numbered with no gap (see contiguous_),
  /// true with the index of `s` (or kAbsent) in *index; otherwise false.
  bool FindComputed(std::string_view s, uint64_t head, uint32_t* index) const {
    if (!contiguous_) return false;
    const uint64_t i = NumberOf(s.size(), head) - first_number_;  // kNotNumbered: past size()
    *index = i < size() ? static_cast<uint32_t>(i) : kAbsent;
    return true;
  }
  /// The string with index `i`.
  std::string_view Get(uint32_t i) const {
    return {arena_.data() + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i])};
  }
  /// The same: an interner is also its strings' column. const: `ids[i] = id`
  /// would assign to a copy of the view.
  const std::string_view operator[](uint32_t i) const {  // NOLINT(readability-const-return-type)
    return Get(i);
  }
  size_t size() const { return offsets_.size() - 1; }
  /// Always true: every string back to back in index order, string i is
  /// bytes().substr(Offset(i), Offset(i + 1) - Offset(i)) (as a StringColumn's
  /// while packed()).
  bool packed() const { return true; }
  std::string_view bytes() const { return {arena_.data(), arena_.size()}; }
  uint64_t Offset(size_t i) const { return offsets_[i]; }

  /// The same strings in the same order.
  friend bool operator==(const StringInterner& a, const StringInterner& b) {
    return a.offsets_ == b.offsets_ && a.arena_ == b.arena_;
  }

  /// Hash used for the table; exposed for tests.
  static uint64_t Hash(std::string_view s) { return HashOf(s, Head(s)); }

 private:
  // A slot holds enough to reject, and for strings of up to 8 bytes to accept,
  // a candidate without reading the arena: a lookup then touches one cache
  // line instead of three (slot, offsets, arena), which dominated id lookups.
  struct Slot {
    uint32_t index_plus_1 = 0;  // 0 = empty
    uint32_t tag = 0;           // upper hash bits above min(size, 255)
    uint64_t head = 0;          // the first 8 bytes, zero-padded
  };

  // Numbered ids. Clinic systems number their records: "P000123", "E001", a
  // fixed prefix and a fixed count of digits. The interner takes the shape of
  // its first string when it is one (8 bytes at most, ending in a digit); for
  // strings of that shape the number indexes `numbered_` directly, a 4-byte
  // entry per number instead of a probe into slots four times as large: at
  // 200,000 patients the slots (8 MB) outgrow the core's cache, the entries
  // (0.8 MB) do not. Invariant: numbered_[n] is index + 1 of the string of the
  // shape with number n, or 0 when there is none, for every n < its size; the
  // slots hold the other strings (other shapes, numbers beyond the entries).
  static constexpr uint64_t kNotNumbered = UINT64_MAX;
  // The number of a string of `size` bytes with this head, or kNotNumbered
  // when it is not of the shape.
  uint64_t NumberOf(size_t size, uint64_t head) const {
    if (size != shape_size_ || (head & prefix_mask_) != prefix_) return kNotNumbered;
    // The digit bytes as values 0..9, the first digit lowest; any other byte
    // shows as a value of 10 or more (bit 7 set once 0x76 is added).
    const uint64_t values = (head ^ 0x3030303030303030ULL) & digit_mask_;
    if ((((values + (0x7676767676767676ULL & digit_mask_)) | values) & 0x8080808080808080ULL &
         digit_mask_) != 0) {
      return kNotNumbered;
    }
    // Shifted to the top bytes (the zero bytes below are leading zeros), then
    // the 8-digit SWAR conversion: pairs, quadruples, the whole.
    uint64_t v = values << digit_shift_;
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
  }
  void TakeShape(std::string_view s, uint64_t head);
  // Grows numbered_ to cover `number` when that keeps it within its limit.
  void Cover(uint64_t number);
  uint32_t Append(std::string_view s);  // the index of `s`, now stored

  static uint64_t Head(std::string_view s) { return HeadOf(s.data(), s.size()); }
  // Hash(s) from its head, which lookups compute once for both.
  static uint64_t HashOf(std::string_view s, uint64_t head) {
    constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
    uint64_t h = s.size() * kMul;
    uint64_t tail = head;  // up to 8 bytes, the head is the whole string
    if (s.size() > 8) [[unlikely]] {
      const char* p = s.data();
      size_t n = s.size();
      for (; n > 8; p += 8, n -= 8) {
        h = (h ^ Load64(p)) * kMul;
        h ^= h >> 29;
      }
      tail = Load64(p + n - 8);  // the last 8 bytes, overlapping the block before
    }
    h = (h ^ tail) * kMul;
    return interner_detail::Mix(h);
  }
  static uint32_t Tag(uint64_t hash, size_t size) {
    return static_cast<uint32_t>(hash >> 32 << 8) | static_cast<uint32_t>(size < 255 ? size : 255);
  }
  // The index of `s` (kAbsent when absent, *slot then the empty slot for it).
  uint32_t Probe(std::string_view s, uint64_t hash, uint64_t head, size_t* slot) const {
    const size_t mask = slots_.size() - 1;
    const uint32_t tag = Tag(hash, s.size());
    const Slot* slots = slots_.data();
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& entry = slots[i];
      if (entry.index_plus_1 == 0) {
        *slot = i;
        return kAbsent;
      }
      // Equal tags mean equal sizes below 255; up to 8 bytes the head is the whole string.
      if (entry.tag == tag && entry.head == head &&
          (s.size() <= 8 || SameBytes(Get(entry.index_plus_1 - 1), s))) {
        *slot = i;
        return entry.index_plus_1 - 1;
      }
    }
  }
  void Grow();

  ByteVector arena_;
  std::vector<uint64_t> offsets_{0};  // string i is arena_[offsets_[i], offsets_[i+1])
  std::vector<Slot> slots_;
  size_t slotted_ = 0;              // strings in the slots
  std::vector<uint32_t> numbered_;  // number -> index + 1, 0 = none
  // Whether every string so far is of the shape and string i has the number
  // first_number_ + i (a table listed in id order, with no gap: P000001,
  // P000002, ...). Then a string's index is its number minus the first, and
  // any other string is absent.
  bool contiguous_ = false;
  uint64_t first_number_ = 0;
  size_t shape_size_ = SIZE_MAX;    // no shape yet: NumberOf rejects every size
  uint64_t prefix_ = 0, prefix_mask_ = 0, digit_mask_ = 0;
  unsigned digit_shift_ = 0;
};

/// Tells whether each string was seen before (visit line ids). Exports mostly
/// list their line ids in increasing order; while they do, a new id only has
/// to be greater than the last one. Most are then the last one's successor
/// ("V0000041" after "V0000040"), which is only counted: the ids are kept as
/// runs, the first of each run stored and the rest implied. At the first id
/// out of order the hash set is built from the runs and used from then on.
class UniqueStrings {
 public:
  /// True when `s` was not seen before. Inline for the common id: the
  /// successor of the last one, of at most 8 bytes, found by one compare with
  /// its head computed in advance.
  bool Insert(std::string_view s) {
    if (s.size() == next_size_ && HeadOf(s.data(), s.size()) == next_head_) [[likely]] {
      short_head_ = next_head_;
      if (!NextHead(short_head_, short_size_, &next_head_)) next_size_ = kNoNext;
      ++counts_.back();
      ++ordered_count_;
      return true;
    }
    return InsertOther(s);
  }
  size_t size() const { return ordered_ ? ordered_count_ : set_.size(); }

  /// The order used for the fast path: shorter first, then bytewise, so that
  /// unpadded numbers (9, 10, 11) count as increasing too.
  static bool Less(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return a.size() < b.size();
    // Bytewise, 8 at a time: in wasm, operator< is the C library's byte-loop memcmp.
    const char* p = a.data();
    const char* q = b.data();
    size_t n = a.size();
    for (; n >= 8; p += 8, q += 8, n -= 8) {
      const uint64_t x = Load64(p), y = Load64(q);
      if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
    }
    for (; n > 0; ++p, ++q, --n) {
      if (*p != *q) return static_cast<unsigned char>(*p) < static_cast<unsigned char>(*q);
    }
    return false;
  }

  /// Makes `id` its successor: the number its last digits spell, plus one, in
  /// as many digits ("A09" -> "A10"). False, `id` unchanged, when there is
  /// none: no digit at the end, or all of them 9s.
  static bool Increment(std::string& id);

  /// Increment's rule for an id of `size` bytes (1 to 8) given by its head
  /// (HeadOf): the successor's head in *next, or false when there is none.
  /// Word operations instead of a byte loop: the bytes after the last one
  /// that is not a '9' go from '9' to '0', and that one up by one.
  static bool NextHead(uint64_t head, size_t size, uint64_t* next) {
    constexpr uint64_t kNines = 0x3939393939393939ULL, kOnes = 0x0101010101010101ULL;
    const auto low_bytes = [](size_t n) {
      return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
    };
    // The id's last byte at the top, each '9' a zero byte.
    const uint64_t not_nine = (head ^ kNines) << (8 * (8 - size));
    if (not_nine == 0) return false;  // all 9s
    const size_t k = size - 1 - static_cast<size_t>(__builtin_clzll(not_nine)) / 8;
    const uint64_t c = (head >> (8 * k)) & 0xFF;
    if (c < '0' || c > '8') return false;
    const uint64_t nines = low_bytes(size) & ~low_bytes(k + 1);
    *next = head + (uint64_t{1} << (8 * k)) - (nines & (9 * kOnes));
    return true;
  }

 private:
  static constexpr size_t kNoNext = SIZE_MAX;

  bool InsertOther(std::string_view s);
  // The last id: its head while it has at most 8 bytes, else last_.
  std::string_view Last(char (&buffer)[8]) const;
  void SetLast(std::string_view s);

  // Tells whether `s` is the successor of last_ (an id over 8 bytes), and if
  // so makes last_ `s`: Increment's rule, checked in place against `s`
  // (keeping last_'s successor in a second string, advanced by Increment at
  // each id, made the 1M-line JSON import 0.97-0.98x as fast).
  bool Follows(std::string_view s) {
    const size_t n = last_.size();
    if (s.size() != n || n == 0) return false;
    char* last = last_.data();
    const char* next = s.data();
    size_t i = n - 1;
    for (; last[i] == '9'; --i) {
      if (next[i] != '0' || i == 0) return false;
    }
    if (last[i] < '0' || last[i] > '8' || next[i] != last[i] + 1) return false;
    if (!SameBytes({last, i}, {next, i})) return false;
    ++last[i];
    for (size_t j = i + 1; j < n; ++j) last[j] = '0';
    return true;
  }

  bool ordered_ = true;
  size_t ordered_count_ = 0;  // ids while ordered
  // While ordered, the last id: of 1 to 8 bytes, short_size_ and short_head_
  // (HeadOf) and its successor's head in next_head_ (next_size_ is then
  // short_size_, or kNoNext when there is none); else last_, with
  // short_size_ 0 and next_size_ kNoNext. Once out of order, next_size_ stays
  // kNoNext.
  size_t next_size_ = kNoNext;
  uint64_t next_head_ = 0;
  size_t short_size_ = 0;
  uint64_t short_head_ = 0;
  std::string last_;
  // While ordered, run r is the id arena_[starts_[r], starts_[r + 1]) (the
  // arena's end for the last run) and then counts_[r] - 1 successors.
  ByteVector arena_;
  std::vector<size_t> starts_;
  std::vector<uint32_t> counts_;
  StringInterner set_;  // once an id came out of order
};

}  // namespace clinic
