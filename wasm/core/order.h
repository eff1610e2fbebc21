// Orders for reports: a stable LSD radix sort, and entities in name-then-id
// order (bytes, i.e. code point order for UTF-8), as every report lists them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model.h"

namespace clinic {

// Stable LSD radix sort by the low `bits` bits of key(item): linear, with
// 11-bit digits (16-bit for 64K items or more, fewer passes), skipping the
// digits every key shares.
template <class T, class Key>
void RadixSort(std::vector<T>& items, int bits, Key key) {
  if (bits <= 0 || items.size() < 2) return;
  if (items.size() < 256) {
    std::stable_sort(items.begin(), items.end(),
                     [&key](const T& a, const T& b) { return key(a) < key(b); });
    return;
  }
  const int digit_bits = items.size() >= (1u << 16) ? 16 : 11;
  const uint64_t mask = (uint64_t{1} << digit_bits) - 1;
  std::vector<T> buffer(items.size());
  std::vector<uint32_t> offsets(mask + 1);
  for (int shift = 0; shift < bits; shift += digit_bits) {
    std::fill(offsets.begin(), offsets.end(), 0);
    for (const T& item : items) ++offsets[(key(item) >> shift) & mask];
    if (offsets[(key(items[0]) >> shift) & mask] == items.size()) continue;
    uint32_t sum = 0;
    for (uint32_t& offset : offsets) {
      const uint32_t count = offset;
      offset = sum;
      sum += count;
    }
    for (const T& item : items) buffer[offsets[(key(item) >> shift) & mask]++] = item;
    items.swap(buffer);
  }
}

/// name_a < name_b, or the names are equal and id_a < id_b (bytewise).
bool NameThenIdLess(std::string_view name_a, std::string_view id_a, std::string_view name_b,
                    std::string_view id_b);

/// The entity a sorts before b by name, then id.
bool EntityLess(const EntityTable& table, Index a, Index b);

/// Per entity, its position (0-based) in name-then-id order: ties between
/// report rows are broken by comparing these integers.
std::vector<uint32_t> NameRanks(const EntityTable& table);

}  // namespace clinic
