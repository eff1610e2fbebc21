// A flat, open-addressing string interner: each distinct string gets a dense
// index in insertion order and is stored once in an arena. It replaces
// std::unordered_map<std::string, ...> on the import hot path (one lookup per
// id per visit line), where node allocation and rehashing dominated.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace clinic {

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
  uint32_t Probe(std::string_view s, uint64_t hash, size_t* slot) const;
  void Grow();

  std::vector<char> arena_;
  std::vector<uint64_t> offsets_{0};  // string i is arena_[offsets_[i], offsets_[i+1])
  std::vector<uint32_t> slots_;       // index + 1, or 0 for an empty slot
  std::vector<uint32_t> tags_;        // per index: upper hash bits, to skip most compares
};

}  // namespace clinic
