#include "interner.h"

#include <algorithm>

namespace clinic {

void StringInterner::Grow() {
  const size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(capacity, Slot{});
  slotted_ = 0;
  const size_t mask = capacity - 1;
  for (uint32_t index = 0; index < size(); ++index) {
    const std::string_view s = Get(index);
    const uint64_t head = Head(s);
    if (NumberOf(s.size(), head) < numbered_.size()) continue;  // found by its number
    const uint64_t hash = HashOf(s, head);
    size_t i = hash & mask;
    while (slots_[i].index_plus_1 != 0) i = (i + 1) & mask;
    slots_[i] = Slot{index + 1, Tag(hash, s.size()), head};
    ++slotted_;
  }
}

uint32_t StringInterner::Append(std::string_view s) {
  const auto index = static_cast<uint32_t>(size());
  AppendBytes(arena_, s);
  offsets_.push_back(arena_.size());
  return index;
}

std::pair<uint32_t, bool> StringInterner::Insert(std::string_view s) {
  const uint64_t head = Head(s);
  const uint64_t number = NumberOf(s.size(), head);
  if (number != kNotNumbered && number >= numbered_.size()) Cover(number);
  if (number < numbered_.size()) {
    uint32_t& entry = numbered_[number];
    if (entry != 0) return {entry - 1, false};
    const uint32_t index = Append(s);
    entry = index + 1;
    contiguous_ = contiguous_ && number == first_number_ + index;
    return {index, true};
  }
  // Keep the load factor at or below 1/2 so probe runs stay short.
  if ((slotted_ + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = HashOf(s, head);
  size_t slot;
  const uint32_t found = Probe(s, hash, head, &slot);
  if (found != kAbsent) return {found, false};
  const uint32_t index = Append(s);
  slots_[slot] = Slot{index + 1, Tag(hash, s.size()), head};
  ++slotted_;
  contiguous_ = false;
  if (index == 0) TakeShape(s, head);  // it stays in the slots too: harmless
  return {index, true};
}

void StringInterner::TakeShape(std::string_view s, uint64_t head) {
  const size_t size = s.size();
  if (size == 0 || size > 8) return;
  size_t from = size;
  while (from > 0 && s[from - 1] >= '0' && s[from - 1] <= '9') --from;
  if (from == size) return;  // no digits at the end
  shape_size_ = size;
  prefix_mask_ = (uint64_t{1} << (8 * from)) - 1;  // from < size <= 8
  prefix_ = head & prefix_mask_;
  digit_mask_ = (size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1) & ~prefix_mask_;
  digit_shift_ = static_cast<unsigned>(8 * (8 - size));
  first_number_ = NumberOf(size, head);
  Cover(first_number_);  // not contiguous_ yet: brings in this string's entry
  contiguous_ = first_number_ != kNotNumbered;
}

void StringInterner::Cover(uint64_t number) {
  // At most 4 entries a string (and at least 4096): a sparse numbering
  // ("P1", "P9000000") stays in the slots until the table catches up.
  const uint64_t limit = std::max<uint64_t>(4096, 4 * (uint64_t{size()} + 1));
  if (number >= limit) return;
  const uint64_t grown = std::min(limit, std::max<uint64_t>(number + 1, 2 * numbered_.size()));
  if (contiguous_) {
    // Every string has its entry already (the first from TakeShape's Cover,
    // the others as they came, in order): none to bring in.
    numbered_.resize(grown, 0);
    return;
  }
  // Grown geometrically and refilled from every string, which brings in those
  // whose numbers were beyond the old size (they stay in the slots until the
  // slots grow: unused, since their number now finds them first).
  numbered_.assign(grown, 0);
  for (uint32_t i = 0; i < size(); ++i) {
    const std::string_view t = Get(i);
    const uint64_t n = NumberOf(t.size(), Head(t));
    if (n < numbered_.size()) numbered_[n] = i + 1;
  }
}

bool UniqueStrings::Increment(std::string& id) {
  size_t i = id.size();
  while (i > 0 && id[i - 1] == '9') --i;
  if (i == 0 || id[i - 1] < '0' || id[i - 1] > '8') return false;
  ++id[i - 1];
  for (; i < id.size(); ++i) id[i] = '0';
  return true;
}

std::string_view UniqueStrings::Last(char (&buffer)[8]) const {
  if (short_size_ == 0) return last_;
  for (size_t i = 0; i < short_size_; ++i) buffer[i] = static_cast<char>(short_head_ >> (8 * i));
  return {buffer, short_size_};
}

void UniqueStrings::SetLast(std::string_view s) {
  next_size_ = kNoNext;
  if (s.empty() || s.size() > 8) {
    short_size_ = 0;
    last_.assign(s);
    return;
  }
  last_.clear();
  short_size_ = s.size();
  short_head_ = HeadOf(s.data(), s.size());
  if (NextHead(short_head_, short_size_, &next_head_)) next_size_ = short_size_;
}

bool UniqueStrings::InsertOther(std::string_view s) {
  if (!ordered_) return set_.Insert(s).second;
  if (ordered_count_ > 0) {
    // A successor of an id over 8 bytes (a short one's took the inline path).
    if (short_size_ == 0 && Follows(s)) {
      ++counts_.back();
      ++ordered_count_;
      return true;
    }
    char buffer[8];
    if (!Less(Last(buffer), s)) {
      // Out of order: index the ids so far, then go on with the hash set alone.
      ordered_ = false;
      next_size_ = kNoNext;
      for (size_t r = 0; r < starts_.size(); ++r) {
        const size_t end = r + 1 < starts_.size() ? starts_[r + 1] : arena_.size();
        std::string id(arena_.data() + starts_[r], end - starts_[r]);
        set_.Insert(id);
        for (uint32_t k = 1; k < counts_[r]; ++k) {
          Increment(id);  // a successor was counted, so there is one
          set_.Insert(id);
        }
      }
      arena_ = {};
      starts_ = {};
      counts_ = {};
      last_ = {};
      return set_.Insert(s).second;
    }
  }
  starts_.push_back(arena_.size());
  counts_.push_back(1);
  AppendBytes(arena_, s);
  SetLast(s);
  ++ordered_count_;
  return true;
}

}  // namespace clinic
