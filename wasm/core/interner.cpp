#include "interner.h"

#include <cstring>

namespace clinic {

namespace {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
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

uint64_t StringInterner::Hash(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = s.size() * kMul;
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    h = (h ^ Load64(p)) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ tail) * kMul;
  }
  return Mix(h);
}

uint32_t StringInterner::Probe(std::string_view s, uint64_t hash, size_t* slot) const {
  const size_t mask = slots_.size() - 1;
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t entry = slots_[i];
    if (entry == 0) {
      *slot = i;
      return kAbsent;
    }
    const uint32_t index = entry - 1;
    if (tags_[index] == tag && Get(index) == s) {
      *slot = i;
      return index;
    }
  }
}

uint32_t StringInterner::Find(std::string_view s) const {
  if (slots_.empty()) return kAbsent;
  size_t slot;
  return Probe(s, Hash(s), &slot);
}

void StringInterner::Grow() {
  const size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(capacity, 0);
  const size_t mask = capacity - 1;
  for (uint32_t index = 0; index < size(); ++index) {
    size_t i = Hash(Get(index)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = index + 1;
  }
}

std::pair<uint32_t, bool> StringInterner::Insert(std::string_view s) {
  // Keep the load factor at or below 1/2 so probe runs stay short.
  if ((size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = Hash(s);
  size_t slot;
  const uint32_t found = Probe(s, hash, &slot);
  if (found != kAbsent) return {found, false};
  const auto index = static_cast<uint32_t>(size());
  arena_.insert(arena_.end(), s.begin(), s.end());
  offsets_.push_back(arena_.size());
  tags_.push_back(static_cast<uint32_t>(hash >> 32));
  slots_[slot] = index + 1;
  return {index, true};
}

}  // namespace clinic
