#include "interner.h"

#include <bit>
#include <cstring>

namespace clinic {

namespace {

// Heads and hashes read bytes as little-endian words (x86-64 and wasm).
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

// The first min(size, 8) bytes, zero-padded: byte i at bits 8i. Two
// overlapping fixed-size loads cover every size below 8, so there is no loop
// and no variable-length memcpy (a library call in wasm).
inline uint64_t HeadOf(const char* p, size_t n) {
  if (n >= 8) return Load64(p);
  if (n >= 4) return Load32(p) | Load32(p + n - 4) << (8 * (n - 4));
  if (n == 0) return 0;
  const auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1));
}

inline uint64_t Mix(uint64_t h) {
  // The murmur3 finaliser: every input bit reaches every output bit.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

uint64_t StringInterner::Hash(std::string_view s) { return HashOf(s, Head(s)); }

uint64_t StringInterner::HashOf(std::string_view s, uint64_t head) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = s.size() * kMul;
  uint64_t tail = head;  // up to 8 bytes, the head is the whole string
  if (s.size() > 8) {
    const char* p = s.data();
    size_t n = s.size();
    for (; n > 8; p += 8, n -= 8) {
      h = (h ^ Load64(p)) * kMul;
      h ^= h >> 29;
    }
    tail = Load64(p + n - 8);  // the last 8 bytes, overlapping the block before
  }
  h = (h ^ tail) * kMul;
  return Mix(h);
}

uint32_t StringInterner::Tag(uint64_t hash, size_t size) {
  return static_cast<uint32_t>(hash >> 32 << 8) | static_cast<uint32_t>(size < 255 ? size : 255);
}

uint64_t StringInterner::Head(std::string_view s) { return HeadOf(s.data(), s.size()); }

uint32_t StringInterner::Probe(std::string_view s, uint64_t hash, uint64_t head,
                              size_t* slot) const {
  const size_t mask = slots_.size() - 1;
  const uint32_t tag = Tag(hash, s.size());
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& entry = slots_[i];
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

uint32_t StringInterner::Find(std::string_view s) const {
  if (slots_.empty()) return kAbsent;
  size_t slot;
  const uint64_t head = Head(s);
  return Probe(s, HashOf(s, head), head, &slot);
}

void StringInterner::Grow() {
  const size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (uint32_t index = 0; index < size(); ++index) {
    const std::string_view s = Get(index);
    const uint64_t head = Head(s);
    const uint64_t hash = HashOf(s, head);
    size_t i = hash & mask;
    while (slots_[i].index_plus_1 != 0) i = (i + 1) & mask;
    slots_[i] = Slot{index + 1, Tag(hash, s.size()), head};
  }
}

std::pair<uint32_t, bool> StringInterner::Insert(std::string_view s) {
  // Keep the load factor at or below 1/2 so probe runs stay short.
  if ((size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t head = Head(s);
  const uint64_t hash = HashOf(s, head);
  size_t slot;
  const uint32_t found = Probe(s, hash, head, &slot);
  if (found != kAbsent) return {found, false};
  const auto index = static_cast<uint32_t>(size());
  arena_.insert(arena_.end(), s.begin(), s.end());
  offsets_.push_back(arena_.size());
  slots_[slot] = Slot{index + 1, Tag(hash, s.size()), head};
  return {index, true};
}

bool UniqueStrings::Insert(std::string_view s) {
  if (!ordered_) return set_.Insert(s).second;
  if (!ends_.empty()) {
    const size_t last_begin = ends_.size() > 1 ? ends_[ends_.size() - 2] : 0;
    const std::string_view last(arena_.data() + last_begin, ends_.back() - last_begin);
    if (!Less(last, s)) {
      // Out of order: index the ids so far, then go on with the hash set alone.
      ordered_ = false;
      size_t begin = 0;
      for (const size_t end : ends_) {
        set_.Insert({arena_.data() + begin, end - begin});
        begin = end;
      }
      arena_ = {};
      ends_ = {};
      return set_.Insert(s).second;
    }
  }
  arena_.insert(arena_.end(), s.begin(), s.end());
  ends_.push_back(arena_.size());
  return true;
}

}  // namespace clinic
