#include "interner.h"

namespace clinic {

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
