#include "order.h"

#include <bit>

#include "bytes.h"
#include "interner.h"

namespace clinic {

// Names and ids compared as bytes: std::string_view::compare is memcmp-like,
// i.e. unsigned bytes, which for UTF-8 is code point order.
bool NameThenIdLess(std::string_view name_a, std::string_view id_a, std::string_view name_b,
                    std::string_view id_b) {
  const int by_name = name_a.compare(name_b);
  if (by_name != 0) return by_name < 0;
  return id_a.compare(id_b) < 0;
}

bool EntityLess(const EntityTable& table, Index a, Index b) {
  return NameThenIdLess(table.names[a], table.ids[a], table.names[b], table.ids[b]);
}

namespace {

// The 8 bytes of `text` from `offset`, big-endian and zero-padded: comparing
// such integers agrees with comparing the bytes wherever they differ.
uint64_t BytesKey(std::string_view text, size_t offset) {
  uint64_t key = 0;
  const size_t n = text.size() > offset ? std::min<size_t>(8, text.size() - offset) : 0;
  // Byte by byte into the high end: a memcpy of a variable length is a library call in wasm.
  for (size_t i = 0; i < n; ++i) {
    key |= uint64_t{static_cast<unsigned char>(text[offset + i])} << (56 - 8 * i);
  }
  return key;
}

// A row with integer keys for its name and id, so that ordering rows by name
// rarely has to reach the strings (real exports repeat names a lot).
struct NameItem {
  uint64_t name_head, name_tail, id_head;  // BytesKey of the name at 0 and 8, of the id at 0
  uint32_t name_size, id_size;             // capped; only compared when <= 16 / 8
  Index entity;
  uint32_t position;  // where the item was before sorting
};

// The rows to order: entities of a table, or distinct names (no ids).
struct TableTexts {
  const EntityTable& table;
  std::string_view Name(Index i) const { return table.names[i]; }
  std::string_view Id(Index i) const { return table.ids[i]; }
};

// The distinct strings of a column, numbered in order of first appearance.
// A string of up to 16 bytes (nearly every name) is keyed by its size and two
// integers, its first and its last 8 bytes (overlapping from 9 to 15 bytes):
// a lookup compares integers and reads no string, where a StringInterner's
// reads its arena for every string over 8 bytes. Longer strings go to one.
class DistinctStrings {
 public:
  /// The number of `s`, which must stay valid as long as this set.
  uint32_t Insert(std::string_view s) {
    const size_t n = s.size();
    if (n > 16) [[unlikely]] {
      const auto [i, inserted] = long_.Insert(s);
      if (inserted) long_number_.push_back(Add(s));
      return long_number_[i];
    }
    const uint64_t first = HeadOf(s.data(), n < 8 ? n : 8);
    const uint64_t last = n > 8 ? Load64(s.data() + n - 8) : 0;
    const auto size_plus_1 = static_cast<uint32_t>(n + 1);
    if ((short_count_ + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(first, last) >> shift_;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.size_plus_1 == 0) {
        ++short_count_;
        slot = Slot{first, last, size_plus_1, Add(s)};
        return slot.number;
      }
      if (slot.first == first && slot.last == last && slot.size_plus_1 == size_plus_1) {
        return slot.number;
      }
    }
  }
  size_t size() const { return strings_.size(); }
  std::string_view operator[](uint32_t i) const { return strings_[i]; }

 private:
  struct Slot {
    uint64_t first = 0, last = 0;
    uint32_t size_plus_1 = 0;  // 0: empty
    uint32_t number = 0;
  };
  // Not of the size: strings that differ only by trailing NUL bytes (nothing
  // a real name has) share a probe chain, and the size tells them apart.
  static uint64_t Hash(uint64_t first, uint64_t last) {
    const uint64_t h = first * 0x9E3779B97F4A7C15ULL ^ last * 0xC2B2AE3D27D4EB4FULL;
    return (h ^ h >> 32) * 0x9E3779B97F4A7C15ULL;  // its top bits index the slots
  }
  uint32_t Add(std::string_view s) {
    strings_.push_back(s);
    return static_cast<uint32_t>(strings_.size() - 1);
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    const size_t bits = old.empty() ? 10 : static_cast<size_t>(std::countr_zero(old.size())) + 1;
    slots_.assign(size_t{1} << bits, Slot{});
    shift_ = 64 - static_cast<unsigned>(bits);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.size_plus_1 == 0) continue;
      size_t i = Hash(slot.first, slot.last) >> shift_;
      while (slots_[i].size_plus_1 != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  unsigned shift_ = 64;
  size_t short_count_ = 0;  // strings in the slots
  std::vector<std::string_view> strings_;
  StringInterner long_;
  std::vector<uint32_t> long_number_;  // per string of long_, its number here
};

struct NameTexts {
  const DistinctStrings& names;
  std::string_view Name(Index i) const { return names[i]; }
  std::string_view Id(Index) const { return {}; }
};

template <class Texts>
NameItem MakeNameItem(const Texts& texts, Index entity, uint32_t position) {
  const std::string_view name = texts.Name(entity);
  const std::string_view id = texts.Id(entity);
  return NameItem{BytesKey(name, 0),
                  BytesKey(name, 8),
                  BytesKey(id, 0),
                  static_cast<uint32_t>(std::min<size_t>(name.size(), 17)),
                  static_cast<uint32_t>(std::min<size_t>(id.size(), 9)),
                  entity,
                  position};
}

template <class Texts>
bool NameItemLess(const Texts& texts, const NameItem& a, const NameItem& b) {
  if (a.name_head != b.name_head) return a.name_head < b.name_head;
  if (a.name_tail != b.name_tail) return a.name_tail < b.name_tail;
  if (a.name_size <= 16 && b.name_size <= 16) {
    // Equal keys within the sizes: the names are equal, or one is the other
    // plus NUL bytes, which sorts after it.
    if (a.name_size != b.name_size) return a.name_size < b.name_size;
    if (a.id_head != b.id_head) return a.id_head < b.id_head;
    if (a.id_size <= 8 && b.id_size <= 8) return a.id_size < b.id_size;
  }
  return NameThenIdLess(texts.Name(a.entity), texts.Id(a.entity), texts.Name(b.entity),
                        texts.Id(b.entity));
}

// Orders rows by name, then id: radix passes on the integer keys, then a
// comparison sort only for runs of equal 16-byte name heads whose order the
// keys cannot settle (longer names, ids equal in their first 8 bytes).
template <class Texts>
void SortByName(const Texts& texts, std::vector<NameItem>& items) {
  if (items.size() < 256) {
    std::sort(items.begin(), items.end(),
              [&texts](const NameItem& a, const NameItem& b) { return NameItemLess(texts, a, b); });
    return;
  }
  RadixSort(items, 64, [](const NameItem& item) { return item.id_head; });
  RadixSort(items, 64, [](const NameItem& item) { return item.name_tail; });
  RadixSort(items, 64, [](const NameItem& item) { return item.name_head; });
  for (size_t begin = 0; begin < items.size();) {
    size_t end = begin + 1;
    bool settled = items[begin].name_size <= 16;
    while (end < items.size() && items[end].name_head == items[begin].name_head &&
           items[end].name_tail == items[begin].name_tail) {
      settled = settled && items[end].name_size == items[begin].name_size &&
                items[end].id_head != items[end - 1].id_head;
      ++end;
    }
    if (!settled && end - begin > 1) {
      std::sort(
          items.begin() + static_cast<ptrdiff_t>(begin),
          items.begin() + static_cast<ptrdiff_t>(end),
          [&texts](const NameItem& a, const NameItem& b) { return NameItemLess(texts, a, b); });
    }
    begin = end;
  }
}

// Per row its rank, by sorting the rows themselves.
std::vector<uint32_t> RowRanks(const EntityTable& table) {
  const TableTexts texts{table};
  std::vector<NameItem> items(table.size());
  for (size_t i = 0; i < items.size(); ++i) {
    items[i] = MakeNameItem(texts, static_cast<Index>(i), static_cast<uint32_t>(i));
  }
  SortByName(texts, items);
  std::vector<uint32_t> ranks(items.size());
  for (size_t r = 0; r < items.size(); ++r) ranks[items[r].position] = static_cast<uint32_t>(r);
  return ranks;
}

}  // namespace

std::vector<uint32_t> NameRanks(const EntityTable& table) {
  // Exports repeat names (the demo's 200,000 patients have 7,524): the
  // distinct names are put in order, the rows counted into their name's place
  // (stable: each name's rows stay in table order), and only a name whose
  // rows' ids are out of order sorts them. In wasm, at 200,000 patients of
  // 7,500 names: 12 ms against 19 for sorting the rows (measured with a
  // StringInterner for the names; DistinctStrings took the 1M demo's from
  // 5.5 to 3.8 ms). With mostly distinct names the lookups cost more than
  // they save (63 ms against 36 to 40, with the interner): when more than
  // half of the first 32,768 names differ, the rows are sorted after all
  // (40 ms then, the lookups of the sample included).
  const size_t n = table.size();
  DistinctStrings distinct;
  std::vector<uint32_t> name_of(n);
  const size_t sample = std::min<size_t>(n, 32768);
  for (size_t i = 0; i < n; ++i) {
    name_of[i] = distinct.Insert(table.names[i]);
    if (i + 1 == sample && distinct.size() * 2 > sample) return RowRanks(table);
  }

  const NameTexts names{distinct};
  std::vector<NameItem> items(distinct.size());
  for (size_t i = 0; i < items.size(); ++i) {
    items[i] = MakeNameItem(names, static_cast<Index>(i), static_cast<uint32_t>(i));
  }
  SortByName(names, items);
  std::vector<uint32_t> name_rank(items.size());
  for (size_t r = 0; r < items.size(); ++r) name_rank[items[r].entity] = static_cast<uint32_t>(r);

  std::vector<uint32_t> begin(items.size() + 1,
                              0);  // the rows of name rank k: [begin[k], begin[k+1])
  for (size_t i = 0; i < n; ++i) ++begin[name_rank[name_of[i]] + 1];
  for (size_t k = 1; k < begin.size(); ++k) begin[k] += begin[k - 1];
  std::vector<Index> order(n);
  {
    std::vector<uint32_t> next(begin.begin(), begin.end() - 1);
    for (size_t i = 0; i < n; ++i) order[next[name_rank[name_of[i]]]++] = static_cast<Index>(i);
  }
  const auto id_less = [&table](Index a, Index b) { return BytesLess(table.ids[a], table.ids[b]); };
  // Tables mostly list their rows in id order: then so does every name's
  // rows, which are in table order, and none needs a look (which, row by row
  // of each name, waits on a cache miss per id).
  if (!table.ids_in_order()) {
    for (size_t k = 0; k + 1 < begin.size(); ++k) {
      const auto first = order.begin() + begin[k], last = order.begin() + begin[k + 1];
      if (!std::is_sorted(first, last, id_less)) std::sort(first, last, id_less);
    }
  }
  std::vector<uint32_t> ranks(n);
  for (size_t r = 0; r < n; ++r) ranks[order[r]] = static_cast<uint32_t>(r);
  return ranks;
}

}  // namespace clinic
