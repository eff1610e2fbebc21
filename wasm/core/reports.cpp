#include "reports.h"

#include "order.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace clinic {

namespace {

// The options resolved once against the export, so the scans compare integers only.
struct Scope {
  int64_t from = INT64_MIN;  // inclusive; widened to int64 so "no bound" needs no branch
  int64_t to = INT64_MAX;
  bool has_from = false, has_to = false;
  bool by_division = false, by_employee = false;
  Index division = kNone, employee = kNone;

  bool InPeriod(int64_t day) const { return day >= from && day <= to; }
  bool DivisionPasses(Index d) const { return !by_division || d == division; }
  bool EmployeePasses(Index e) const { return !by_employee || e == employee; }
};

// The scope of a period and filters already checked (kNone: no filter).
Scope MakeScope(Day from, Day to, Index division, Index employee) {
  Scope s;
  s.has_from = from != kNoDay;
  s.has_to = to != kNoDay;
  if (s.has_from) s.from = from;
  if (s.has_to) s.to = to;
  s.by_division = division != kNone;
  s.division = division;
  s.by_employee = employee != kNone;
  s.employee = employee;
  return s;
}

Result<Scope> Resolve(const Export& data, const ReportOptions& options) {
  Scope s = MakeScope(options.from, options.to, kNone, kNone);
  if (s.has_from && s.has_to && options.from > options.to) {
    return MakeError(code::kBadPeriod,
                     Location{"", 0, 0, "period",
                              FormatDate(options.from) + ".." + FormatDate(options.to)},
                     "the period starts on " + FormatDate(options.from) +
                         ", which is after its end on " + FormatDate(options.to));
  }
  if (!options.division_id.empty()) {
    s.by_division = true;
    s.division = data.divisions.Find(options.division_id);
    if (s.division == kNone) {
      return MakeError(code::kUnknownDivision, Location{"", 0, 0, "division", options.division_id},
                       "there is no division " + QuoteForMessage(options.division_id) +
                           " in this export");
    }
  }
  if (!options.employee_id.empty()) {
    s.by_employee = true;
    s.employee = data.employees.Find(options.employee_id);
    if (s.employee == kNone) {
      return MakeError(code::kUnknownEmployee, Location{"", 0, 0, "employee", options.employee_id},
                       "there is no employee " + QuoteForMessage(options.employee_id) +
                           " in this export");
    }
  }
  return s;
}

// A patient's lines as [begin, end) offsets into the columns.
struct Run {
  uint32_t begin, end;
};

inline Run PatientRun(const Export& data, Index patient) {
  return Run{data.patient_begin[patient], data.patient_begin[patient + 1]};
}

// First offset in [begin, end) whose day is >= `day` (kStrict: > `day`); the
// run is sorted by day. Branchless, because most runs are short and a
// mispredicted branch per step would cost more than the search.
template <bool kStrict>
inline uint32_t DayBound(const Day* days, uint32_t begin, uint32_t end, int64_t day) {
  if (begin == end) return begin;
  const Day* base = days + begin;
  uint32_t n = end - begin;
  while (n > 1) {
    const uint32_t half = n / 2;
    const bool before = kStrict ? base[half] <= day : base[half] < day;
    base = before ? base + half : base;
    n -= half;
  }
  const bool before = kStrict ? *base <= day : *base < day;
  return static_cast<uint32_t>(base - days) + before;
}

// First offset in [begin, end) whose day is after `day`.
inline uint32_t DayUpperBound(const Day* days, uint32_t begin, uint32_t end, int64_t day) {
  return DayBound<true>(days, begin, end, day);
}

// Calls visit(i) for every line of `run` passing the division and employee
// filters; without filters the loop has no per-line test at all.
template <class Visit>
inline void ForEachCounted(const Lines& lines, const Scope& s, Run run, Visit&& visit) {
  if (!s.by_division && !s.by_employee) {
    for (uint32_t i = run.begin; i < run.end; ++i) visit(i);
    return;
  }
  const Index* division = lines.division.data();
  const Index* employee = lines.employee.data();
  for (uint32_t i = run.begin; i < run.end; ++i) {
    if (s.DivisionPasses(division[i]) && s.EmployeePasses(employee[i])) visit(i);
  }
}

// PercentTenths, but with part * 1000 in 64 bits whenever it fits (every
// realistic amount): 128-bit multiplication is a library call in wasm, and
// the rating computes two percentages per row.
Permille Percent(int64_t part, int64_t whole) {
  constexpr int64_t kLimit = INT64_MAX / 1000;
  if (part > kLimit || part < -kLimit) return PercentTenths(part, whole);
  if (whole == 0) return kNoPercent;
  return DivRoundHalfAway64(part * 1000, whole);
}

// Percent(part, whole) for parts that change little from one call to the
// next: the rating's shares and cumulative shares, row by row in amount
// order, take at most ~1,000 distinct values over ~100,000 rows. The last
// result is checked and moved by a step or two with multiplications only
// (for part >= 0 and whole > 0, q = round(1000 part / whole) is the q with
// (2q - 1) whole <= 2000 part < (2q + 1) whole); anything else is divided.
class PercentWalk {
 public:
  explicit PercentWalk(int64_t whole)
      : whole_(whole), walks_(whole > 0 && whole <= INT64_MAX / 16) {}

  Permille operator()(int64_t part) {
    // The bounds keep the products below (at most 2000 part + 6 whole) in 64 bits.
    if (!walks_ || part < 0 || part > INT64_MAX / 4000) return Percent(part, whole_);
    const int64_t twice = 2000 * part;
    int64_t q = last_;
    for (int step = 0; step < 3; ++step) {
      if ((2 * q + 1) * whole_ <= twice) {
        ++q;
      } else if ((2 * q - 1) * whole_ > twice) {
        --q;
      } else {
        return last_ = q;
      }
    }
    return last_ = Percent(part, whole_);
  }

 private:
  const int64_t whole_;
  const bool walks_;
  int64_t last_ = 0;  // in [0, 1000 part / whole + 1] for a part seen, so the products fit
};

using Row = PeriodTotals::Row;

// Sorts rows by the key held in their `amount` (as uint64 bits), ascending;
// the keys are unique. LSD radix sort: one counting pass for every digit,
// then one scatter pass per digit that is not the same in every key. Digits
// of at most 12 bits (a 4,096-entry count table stays in L1), as few passes
// as cover `bits`, of equal width: a rank and an amount, 40 to 50 bits, take
// four passes.
void SortByKey(std::vector<Row>& rows, int bits) {
  const size_t n = rows.size();
  auto key = [](const Row& row) { return static_cast<uint64_t>(row.amount); };
  if (n < 2 || bits <= 0) return;
  if (n < 256) {
    std::sort(rows.begin(), rows.end(),
              [&key](const Row& a, const Row& b) { return key(a) < key(b); });
    return;
  }
  constexpr int kMaxDigitBits = 12;
  const int passes = (bits + kMaxDigitBits - 1) / kMaxDigitBits;
  const int digit_bits = (bits + passes - 1) / passes;
  const size_t buckets = size_t{1} << digit_bits;
  const uint64_t mask = buckets - 1;
  std::vector<uint32_t> counts(static_cast<size_t>(passes) * buckets, 0);
  for (const Row& row : rows) {
    const uint64_t k = key(row);
    for (int pass = 0; pass < passes; ++pass) {
      ++counts[static_cast<size_t>(pass) * buckets + ((k >> (pass * digit_bits)) & mask)];
    }
  }
  std::vector<Row> buffer(n);
  for (int pass = 0; pass < passes; ++pass) {
    uint32_t* offsets = counts.data() + static_cast<size_t>(pass) * buckets;
    const int shift = pass * digit_bits;
    if (offsets[(key(rows[0]) >> shift) & mask] == n) continue;  // a digit every key shares
    uint32_t sum = 0;
    for (size_t d = 0; d < buckets; ++d) {
      const uint32_t count = offsets[d];
      offsets[d] = sum;
      sum += count;
    }
    Row* out = buffer.data();
    for (const Row& row : rows) out[offsets[(key(row) >> shift) & mask]++] = row;
    rows.swap(buffer);
  }
}

// The inverse of an odd number modulo 2^64, by Newton's iteration (each step
// doubles the correct low bits; odd * odd is 1 modulo 8 to start with).
constexpr uint64_t InverseModulo64(uint64_t odd) {
  uint64_t x = odd;
  for (int i = 0; i < 5; ++i) x *= 2 - odd * x;
  return x;
}

// The largest factor 2^a * 5^b (b <= 4) that divides every sum, which its
// differences share: amounts are decimal, in units of 1/10000 (2^4 * 5^4),
// and mostly in whole cents (100 units) or half-cents. Found and divided out
// without a division instruction (tens of cycles a row, the divisor not being
// a constant): x is a multiple of an odd d exactly when x times d's inverse,
// modulo 2^64, is at most (2^64 - 1) / d, and that product is then x / d.
class CommonFactor {
 public:
  void Add(Money amount) {
    const auto units = static_cast<uint64_t>(amount);
    const uint64_t x = amount < 0 ? 0 - units : units;  // |amount|
    twos_ |= x;
    // The power of 5 still possible only falls, at most four times in all.
    while (fives_ > 0 && x * kInverse[fives_] > kLimit[fives_]) --fives_;
  }

  // Divides a difference of two sums by the common factor, exactly.
  class Divisor {
   public:
    uint64_t operator()(uint64_t difference) const { return (difference >> shift_) * inverse_; }
    uint64_t factor() const { return factor_; }

   private:
    friend class CommonFactor;
    int shift_ = 0;
    uint64_t inverse_ = 1, factor_ = 1;
  };

  Divisor Find() const {
    Divisor d;
    if (twos_ == 0) return d;  // every sum is zero: 1 divides them as well as any
    d.shift_ = std::countr_zero(twos_);
    d.inverse_ = kInverse[fives_];
    d.factor_ = kPowers[fives_] << d.shift_;
    return d;
  }

 private:
  static constexpr int kMaxFives = 4;
  static constexpr uint64_t kPowers[kMaxFives + 1] = {1, 5, 25, 125, 625};
  static constexpr uint64_t kInverse[kMaxFives + 1] = {1, InverseModulo64(5), InverseModulo64(25),
                                                       InverseModulo64(125), InverseModulo64(625)};
  static constexpr uint64_t kLimit[kMaxFives + 1] = {UINT64_MAX, UINT64_MAX / 5, UINT64_MAX / 25,
                                                     UINT64_MAX / 125, UINT64_MAX / 625};
  uint64_t twos_ = 0;
  int fives_ = kMaxFives;
};

// Puts the first `wanted` rows in order: amount descending, then name, then
// id (the patient's name rank, computed once at import); the rows after them
// are dropped. One radix sort on (max - amount, rank) packed in 64 bits,
// after keeping only the first `wanted` keys when there is a top N; a
// comparison sort in the rare export whose sums are too far apart to share 64
// bits with the rank. max - amount is packed divided by the sums' common
// factor: in whole cents 6.6 bits fewer; the 5M-line demo's sums (prices with
// four decimals) share 125 units, a 23-bit spread instead of 30, which with
// 20-bit ranks is one radix pass of five saved.
void SortByAmount(const Export& data, std::vector<Row>& rows, size_t wanted) {
  if (rows.empty()) return;
  const uint32_t* rank = data.patient_rank.data();
  Money max_amount = INT64_MIN, min_amount = INT64_MAX;
  CommonFactor common;
  for (const Row& row : rows) {
    max_amount = std::max(max_amount, row.amount);
    min_amount = std::min(min_amount, row.amount);
    common.Add(row.amount);
  }
  // The true difference is in [0, INT64_MAX] (the builder bounds every sum), so
  // computing it modulo 2^64 is exact; the common factor divides it.
  const auto max_key = static_cast<uint64_t>(max_amount);
  const CommonFactor::Divisor packed = common.Find();
  const int amount_bits = std::bit_width(packed(max_key - static_cast<uint64_t>(min_amount)));
  const int rank_bits = std::bit_width(data.patient_rank.size());
  const size_t keep = std::min(wanted, rows.size());
  if (amount_bits + rank_bits <= 64) {
    for (Row& row : rows) {
      const uint64_t key =
          (packed(max_key - static_cast<uint64_t>(row.amount)) << rank_bits) | rank[row.patient];
      row.amount = static_cast<Money>(key);
    }
    if (keep < rows.size()) {  // the keys are unique: the first `keep` are exact
      std::nth_element(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(keep), rows.end(),
                       [](const Row& a, const Row& b) {
                         return static_cast<uint64_t>(a.amount) < static_cast<uint64_t>(b.amount);
                       });
      rows.resize(keep);
    }
    SortByKey(rows, amount_bits + rank_bits);
    const uint64_t factor = packed.factor();
    for (Row& row : rows) {
      row.amount =
          static_cast<Money>(max_key - (static_cast<uint64_t>(row.amount) >> rank_bits) * factor);
    }
    return;
  }
  auto less = [rank](const Row& a, const Row& b) {
    return a.amount != b.amount ? a.amount > b.amount : rank[a.patient] < rank[b.patient];
  };
  std::partial_sort(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(keep), rows.end(), less);
  rows.resize(keep);
}

// Sums the counted lines of a period under a scope into PeriodTotals, in
// one pass over the period's patients, given in order, all at once or a
// block at a time as PeriodLines finds them: per patient its amount, visits
// and division cells, per division slot and per employee slot their totals.
// Every table is updated without a branch per line, through local pointers
// that no store can change.
class PeriodSummer {
 public:
  PeriodSummer(const Export& data, const Scope& s, PeriodTotals& out)
      : data_(data),
        s_(s),
        out_(out),
        unassigned_(static_cast<uint32_t>(data.employees.size())),
        no_division_(static_cast<uint32_t>(data.divisions.size())),
        employee_slots_(unassigned_ + 1),
        scratch_(no_division_ + 1, 0),
        touched_(no_division_ + 1, 0),
        primaries_(unassigned_ + 2, 0) {
    out.slot_total.assign(no_division_ + 1, 0);
    out.slot_used.assign(no_division_ + 1, 0);
    out.several_begin.assign(1, 0);
    out.cell_slot.clear();
    out.cell_amount.clear();
    out.rows.clear();
  }

  void Add(std::span<const PeriodLines::Patient> patients) {
    if (no_division_ < 64) {
      AddPatients<true>(patients);
    } else {
      AddPatients<false>(patients);
    }
  }

  void Finish() {
    out_.ranked = false;
    out_.patients = out_.rows.size();
    out_.total = total_;
    out_.visits = visits_;
    out_.old_patients = old_patients_;
    out_.primary = primary_;
    out_.returned = returned_;
    out_.returned_to_clinic = returned_to_clinic_;
    out_.employees.resize(unassigned_ + 1);
    for (uint32_t e = 0; e <= unassigned_; ++e) {
      const EmployeeSlot& slot = employee_slots_[e];
      out_.employees[e] =
          PeriodTotals::Employee{slot.by_kind[0], slot.by_kind[1], slot.lines,
                                 slot.visits,     slot.patients,   slot.old_patients,
                                 slot.primary,    slot.returned,   slot.returned_to_clinic};
    }
  }

 private:
  // A patient first seen in the period, as the loyalty counts it without a
  // return window: primary for the employees of its first day (the first
  // `count` of primaries_; the unassigned slot is no one), returned to one of
  // them by a later line with them, returned to the clinic by any later line;
  // counted once in the totals when primary for anyone.
  void CreditFirstSeen(uint32_t stamp, uint32_t count, bool later) {
    bool primary = false, returned = false;
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t e = primaries_[k];
      if (e == unassigned_) continue;
      EmployeeSlot& slot = employee_slots_[e];
      const bool back = slot.returned_stamp == stamp;
      ++slot.primary;
      slot.returned += back;
      slot.returned_to_clinic += later;
      primary = true;
      returned |= back;
    }
    primary_ += primary;
    returned_ += returned;
    returned_to_clinic_ += primary & later;
  }

  // kMasked (at most 64 division slots): a patient's cells are summed by
  // slot in the one pass over its lines, the slots seen kept as bits of a
  // word; otherwise the pass keeps only whether every line is in one slot,
  // and a patient with lines in several is read again to sum them by slot.
  template <bool kMasked>
  void AddPatients(std::span<const PeriodLines::Patient> patients) {
    const Lines& lines = data_.lines;
    const Day* days = lines.day.data();
    const Index* employees = lines.employee.data();
    const Index* divisions = lines.division.data();
    const Money* amounts = lines.amount.data();
    const LineKind* kinds = lines.kind.data();
    static_assert(static_cast<int>(LineKind::kService) == 0 &&
                  static_cast<int>(LineKind::kGoods) == 1);
    // Employee slots, the last one for lines without an employee (kNone is
    // the largest index, so min() finds it); likewise division slots.
    const uint32_t unassigned = unassigned_, no_division = no_division_;
    EmployeeSlot* by_employee = employee_slots_.data();
    Money* slot_total = out_.slot_total.data();
    uint8_t* slot_used = out_.slot_used.data();
    Money* scratch = scratch_.data();  // a patient's cells by slot
    uint32_t* touched = touched_.data();
    uint32_t* primaries = primaries_.data();  // appended branchlessly, hence a spare entry
    const size_t first_row = out_.rows.size();
    out_.rows.resize(first_row + patients.size());
    Row* rows = out_.rows.data();
    size_t kept = first_row;
    Money total = 0;
    uint64_t all_visits = 0;
    constexpr uint32_t kNoSlot = UINT32_MAX;
    uint64_t old_patients = 0;
    for (const PeriodLines::Patient& in : patients) {
      const uint32_t stamp = in.patient + 1;
      const uint32_t old = in.first_visit < s_.from;  // first seen before the period
      uint32_t assigned = 0;                          // a line of an employee
      Money amount = 0;
      uint32_t counted = 0, visits = 0;
      Day prev_day = kNoDay;  // never a real day, so the first line starts a visit
      Index prev_employee = kNone;
      uint32_t only = kNoSlot;  // the division slot of every line so far, if one
      bool one = true;
      uint64_t seen = 0;  // kMasked: the slots of the lines so far, as bits
      // A patient first seen in the period: the employees of its first day,
      // and whether it came back after that day (within the period).
      uint32_t primary_count = 0;
      bool later = false;
      const auto sum_lines = [&](auto first_seen) {
        ForEachCounted(lines, s_, Run{in.begin, in.end}, [&](uint32_t i) {
          const Index employee = employees[i];
          const Money line_amount = amounts[i];
          // Counted lines keep the (day, employee) order, so a visit is a change of key.
          const uint32_t new_visit = (days[i] != prev_day) | (employee != prev_employee);
          EmployeeSlot& e = by_employee[std::min(employee, unassigned)];
          e.by_kind[static_cast<uint8_t>(kinds[i])] += line_amount;
          ++e.lines;
          e.visits += new_visit;
          const uint32_t first_here = e.stamp != stamp;
          e.patients += first_here;
          e.old_patients += first_here & old;
          e.stamp = stamp;
          assigned |= employee != kNone;
          const uint32_t slot = std::min(divisions[i], no_division);
          if constexpr (kMasked) {
            scratch[slot] += line_amount;
            seen |= uint64_t{1} << slot;
          } else {
            only = only == kNoSlot ? slot : only;
            one &= slot == only;
          }
          if constexpr (decltype(first_seen)::value) {
            const bool first_day = days[i] == in.first_visit;
            primaries[primary_count] = std::min(employee, unassigned);
            primary_count += first_day & (e.primary_stamp != stamp);
            e.primary_stamp = first_day ? stamp : e.primary_stamp;
            e.returned_stamp = first_day ? e.returned_stamp : stamp;
            later |= !first_day;
          }
          amount += line_amount;
          visits += new_visit;
          ++counted;
          prev_day = days[i];
          prev_employee = employee;
        });
      };
      if (old) {
        sum_lines(std::false_type{});
      } else {
        sum_lines(std::true_type{});
      }
      if (counted == 0) continue;
      if (!old) CreditFirstSeen(stamp, primary_count, later);
      if constexpr (kMasked) {
        one = (seen & (seen - 1)) == 0;
        only = static_cast<uint32_t>(std::countr_zero(seen));
        if (one) scratch[only] = 0;
      }
      uint32_t cells = only;
      if (one) {
        slot_total[only] += amount;
        slot_used[only] = 1;
      } else {
        // Lines in several divisions (a fifth of the patients of the demo).
        const auto first = static_cast<uint32_t>(out_.cell_slot.size());
        if constexpr (kMasked) {
          for (uint64_t bits = seen; bits != 0; bits &= bits - 1) {
            const auto slot = static_cast<uint32_t>(std::countr_zero(bits));
            out_.cell_slot.push_back(slot);  // summed already
          }
        } else {
          ForEachCounted(lines, s_, Run{in.begin, in.end}, [&](uint32_t i) {
            const uint32_t slot = std::min(divisions[i], no_division);
            scratch[slot] += amounts[i];
            if (touched[slot] == 0) out_.cell_slot.push_back(slot);
            touched[slot] = 1;
          });
        }
        for (size_t k = first; k < out_.cell_slot.size(); ++k) {
          const uint32_t slot = out_.cell_slot[k];
          out_.cell_amount.push_back(scratch[slot]);
          slot_total[slot] += scratch[slot];
          slot_used[slot] = 1;
          scratch[slot] = 0;
          touched[slot] = 0;
        }
        cells = PeriodTotals::kSeveral | static_cast<uint32_t>(out_.several_begin.size() - 1);
        out_.several_begin.push_back(static_cast<uint32_t>(out_.cell_slot.size()));
      }
      rows[kept++] = Row{amount, in.patient, visits, cells};
      total += amount;
      all_visits += visits;
      old_patients += old & assigned;
    }
    out_.rows.resize(kept);
    total_ += total;
    visits_ += all_visits;
    old_patients_ += old_patients;
  }

  struct EmployeeSlot {
    Money by_kind[2] = {0, 0};
    uint64_t lines = 0, visits = 0, patients = 0, old_patients = 0;
    uint64_t primary = 0, returned = 0, returned_to_clinic = 0;
    uint32_t stamp = 0;  // patient + 1 of the last line counted here
    // patient + 1 of the last patient first seen in the period with a line
    // here on its first day (primary), and after it (returned).
    uint32_t primary_stamp = 0, returned_stamp = 0;
  };

  const Export& data_;
  const Scope s_;
  PeriodTotals& out_;
  const uint32_t unassigned_, no_division_;
  std::vector<EmployeeSlot> employee_slots_;
  std::vector<Money> scratch_;
  std::vector<uint32_t> touched_;
  std::vector<uint32_t> primaries_;  // the current patient's employees of its first day
  Money total_ = 0;
  uint64_t visits_ = 0, old_patients_ = 0;
  uint64_t primary_ = 0, returned_ = 0, returned_to_clinic_ = 0;
};

void SumPeriod(const Export& data, const Scope& s, const PeriodLines& period, PeriodTotals& out) {
  PeriodSummer summer(data, s, out);
  summer.Add(period.patients());
  summer.Finish();
}

bool Usable(const ReportCache* cache, const Export& data) {
  return cache != nullptr && cache->IsFor(data);
}

// The period's totals: the cache's (with every patient ranked, when
// `ranked`), or summed into `own` (with only the first `wanted` ranked).
const PeriodTotals& TotalsFor(const Export& data, const ReportOptions& options, const Scope& s,
                              ReportCache* cache, bool ranked, size_t wanted,
                              PeriodTotals& own) {
  if (Usable(cache, data)) {
    return cache->Totals(options.from, options.to, s.division, s.employee, ranked);
  }
  SumPeriod(data, s, PeriodLines(data, options.from, options.to), own);
  if (ranked) {
    SortByAmount(data, own.rows, wanted);
    own.ranked = true;
  }
  return own;
}

size_t Shown(size_t rows, uint32_t top) {
  return top == 0 ? rows : std::min<size_t>(rows, top);
}

// Writes to out[].patient, in order, every p in [0, count) with last[p] >= lo
// and first[p] <= hi; returns how many. Four patients a compare (wasm SIMD or
// SSE2), each written branchlessly; a group of four none of which meets the
// period, common as patients come and go in id order, is passed over.
size_t PatientsMeeting(const Day* first, const Day* last, size_t count, Day lo, Day hi,
                       PeriodLines::Patient* out) {
  size_t kept = 0, p = 0;
#if defined(__wasm_simd128__) || defined(__SSE2__)
#if defined(__wasm_simd128__)
  const v128_t lo4 = wasm_i32x4_splat(lo), hi4 = wasm_i32x4_splat(hi);
  const auto meeting = [&](size_t i) -> uint32_t {
    const v128_t f = wasm_v128_load(first + i), l = wasm_v128_load(last + i);
    return wasm_i32x4_bitmask(wasm_v128_and(wasm_i32x4_ge(l, lo4), wasm_i32x4_le(f, hi4)));
  };
#else
  const __m128i lo4 = _mm_set1_epi32(lo), hi4 = _mm_set1_epi32(hi);
  const auto meeting = [&](size_t i) -> uint32_t {
    const __m128i f = _mm_loadu_si128(reinterpret_cast<const __m128i*>(first + i));
    const __m128i l = _mm_loadu_si128(reinterpret_cast<const __m128i*>(last + i));
    const __m128i missing = _mm_or_si128(_mm_cmplt_epi32(l, lo4), _mm_cmpgt_epi32(f, hi4));
    return ~static_cast<uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(missing))) & 0xF;
  };
#endif
  for (; p + 4 <= count; p += 4) {
    const uint32_t mask = meeting(p);
    if (mask == 0) continue;
    for (uint32_t j = 0; j < 4; ++j) {
      out[kept].patient = static_cast<Index>(p + j);
      kept += (mask >> j) & 1;
    }
  }
#endif
  for (; p < count; ++p) {
    out[kept].patient = static_cast<Index>(p);
    kept += (last[p] >= lo) & (first[p] <= hi);
  }
  return kept;
}

}  // namespace

PeriodLines::PeriodLines(const Export& data, Day from, Day to, const BlockFound& found)
    : data_(&data), patients_(new Patient[data.patients.size()]) {
  Find(from, to, found);
}

void PeriodLines::Find(Day from, Day to, const BlockFound& found) {
  from_ = from;
  to_ = to;
  count_ = 0;
  lines_ = 0;
  // Widened to int64 so that an open side needs no test.
  const int64_t first = from == kNoDay ? INT64_MIN : from;
  const int64_t last = to == kNoDay ? INT64_MAX : to;
  const size_t count = data_->patients.size();
  if (first > last || count == 0) return;  // an empty period (the reports refuse it)
  const uint32_t* run_begin = data_->patient_begin.data();
  const Day* days = data_->lines.day.data();
  if (data_->lines.size() == 0) return;
  const Day* first_days = data_->patient_first_day.data();
  const Day* last_days = data_->patient_last_day.data();
  Patient* out = patients_.get();
  // First every patient whose lines start before the period ends and end
  // after it starts, from the patients' first and last days, four at a time.
  // A patient without lines has kNoDay for both, below any day the period
  // can start on once `first` is raised above it.
  const auto lo = static_cast<Day>(std::max<int64_t>(first, int64_t{kNoDay} + 1));
  const auto hi = static_cast<Day>(std::min<int64_t>(last, INT32_MAX));
  const size_t kept = PatientsMeeting(first_days, last_days, count, lo, hi, out);
  // Then each of those cut to the period, one contiguous part of its run,
  // and kept when the period does not fall between two of its lines.
  // Handed on a block at a time, while the block's days are still in the cache.
  constexpr size_t kBlock = 1024;
  size_t in_period = 0, block_begin = 0;
  uint32_t lines = 0;
  for (size_t k = 0; k < kept; ++k) {
    const Index p = out[k].patient;
    Patient run{p, run_begin[p], run_begin[p + 1], first_days[p]};
    if (run.first_visit < first) run.begin = DayBound<false>(days, run.begin, run.end, first);
    if (last_days[p] > last) run.end = DayBound<true>(days, run.begin, run.end, last);
    out[in_period] = run;
    in_period += run.begin < run.end;
    lines += run.end - run.begin;
    if (found && (in_period - block_begin == kBlock || k + 1 == kept)) {
      found(std::span<const Patient>(out + block_begin, in_period - block_begin));
      block_begin = in_period;
    }
  }
  count_ = in_period;
  lines_ = lines;
}

const PeriodLines& ReportCache::Period(Day from, Day to) {
  if (!period_) {
    period_.emplace(*data_, from, to);
    ++periods_found_;
  } else if (!period_->Covers(*data_, from, to)) {
    period_->Find(from, to);
    ++periods_found_;
  }
  return *period_;
}

const PeriodTotals& ReportCache::Totals(Day from, Day to, Index division, Index employee,
                                        bool ranked) {
  const bool same = totals_ && from == totals_from_ && to == totals_to_ &&
                    division == totals_division_ && employee == totals_employee_;
  if (!same) {
    if (!totals_) totals_.emplace();
    const Scope s = MakeScope(from, to, division, employee);
    if (period_ && period_->Covers(*data_, from, to)) {
      SumPeriod(*data_, s, *period_, *totals_);
    } else {
      // A new period: summed a block of patients at a time as they are
      // found, while their lines' days are still in the cache.
      PeriodSummer summer(*data_, s, *totals_);
      const auto add = [&summer](std::span<const PeriodLines::Patient> block) {
        summer.Add(block);
      };
      if (!period_) {
        period_.emplace(*data_, from, to, add);
      } else {
        period_->Find(from, to, add);
      }
      ++periods_found_;
      summer.Finish();
    }
    totals_from_ = from;
    totals_to_ = to;
    totals_division_ = division;
    totals_employee_ = employee;
    ++totals_made_;
  }
  if (ranked && !totals_->ranked) {
    SortByAmount(*data_, totals_->rows, SIZE_MAX);
    totals_->ranked = true;
    ++rankings_made_;
  }
  return *totals_;
}

std::string EmployeeName(const Export& data, Index employee) {
  return std::string(employee == kNone ? kUnassigned : data.employees.names[employee]);
}

std::string DivisionName(const Export& data, Index division) {
  return std::string(division == kNone ? kNoDivision : data.divisions.names[division]);
}

// The period's totals with the patients in report order, for the rating and
// the division rating: the cache's, or summed into `own` with only the first
// options.top ranked.
Result<const PeriodTotals*> RankedTotals(const Export& data, const ReportOptions& options,
                                         ReportCache* cache, PeriodTotals& own) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const size_t wanted = options.top == 0 ? SIZE_MAX : options.top;
  return &TotalsFor(data, options, resolved.value(), cache, true, wanted, own);
}

// RatingReport::rows as the sink of RankCustomers without one.
class RowVector final : public RatingRowSink {
 public:
  explicit RowVector(std::vector<RatingRow>& rows) : rows_(rows) {}
  void Begin(size_t rows) override { rows_.reserve(rows); }  // each row written once
  void Add(const RatingRow& row) override { rows_.push_back(row); }

 private:
  std::vector<RatingRow>& rows_;
};

Result<RatingReport> RankCustomers(const Export& data, const ReportOptions& options,
                                   ReportCache* cache, RatingRowSink* sink) {
  PeriodTotals own;
  const Result<const PeriodTotals*> ranked = RankedTotals(data, options, cache, own);
  if (!ranked.ok()) return ranked.error();
  const PeriodTotals& totals = *ranked.value();

  RatingReport report;
  report.patients = totals.patients;
  report.total = totals.total;
  report.visits = totals.visits;
  RowVector into_report(report.rows);
  RatingRowSink& out = sink != nullptr ? *sink : into_report;
  const size_t shown = Shown(totals.rows.size(), options.top);
  out.Begin(shown);
  const Money total = report.total;
  // Exact class limits, in 128 bits once rather than per row (a library call
  // in wasm): a class must not flip because of a rounded percentage. For a
  // positive total, before * 100 < total * 80 <=> before < ceil(total * 4 / 5),
  // and before * 100 < total * 95 <=> before < ceil(total * 19 / 20).
  const Money a_below =
      total > 0 ? static_cast<Money>((static_cast<__int128>(total) * 4 + 4) / 5) : 0;
  const Money b_below =
      total > 0 ? static_cast<Money>((static_cast<__int128>(total) * 19 + 19) / 20) : 0;
  Money before = 0;
  PercentWalk share(total), cumulative(total);
  for (size_t r = 0; r < shown; ++r) {
    const Row& in = totals.rows[r];
    const char abc = total <= 0 ? 0 : before < a_below ? 'A' : before < b_below ? 'B' : 'C';
    out.Add(RatingRow{static_cast<uint32_t>(r + 1), in.patient, in.visits, in.amount,
                      share(in.amount), cumulative(before + in.amount), abc});
    before += in.amount;
  }
  return report;
}

Result<DivisionsReport> BuildCrossReport(const Export& data, const ReportOptions& options,
                                         ReportCache* cache) {
  PeriodTotals own;
  const Result<const PeriodTotals*> ranked = RankedTotals(data, options, cache, own);
  if (!ranked.ok()) return ranked.error();
  const PeriodTotals& totals = *ranked.value();

  // A slot per division, plus the last one for lines without a division.
  const uint32_t division_count = static_cast<uint32_t>(data.divisions.size());
  const uint32_t no_division = division_count;
  DivisionsReport report;
  report.patients = totals.patients;
  report.grand_total = totals.total;
  for (Index d = 0; d < division_count; ++d) {
    if (options.all_divisions || totals.slot_used[d]) report.columns.push_back(d);
  }
  std::sort(report.columns.begin(), report.columns.end(),
            [&data](Index a, Index b) { return EntityLess(data.divisions, a, b); });
  if (totals.slot_used[no_division]) report.columns.push_back(kNone);

  const size_t column_count = report.columns.size();
  std::vector<uint32_t> column_by_slot(division_count + 1, 0);
  const uint32_t* column_of = column_by_slot.data();
  report.column_totals.resize(column_count);
  report.column_has.resize(column_count);
  for (size_t c = 0; c < column_count; ++c) {
    const uint32_t slot = std::min(report.columns[c], no_division);
    column_by_slot[slot] = static_cast<uint32_t>(c);
    report.column_totals[c] = totals.slot_total[slot];
    report.column_has[c] = totals.slot_used[slot];
  }

  // The shown rows' cells in rank order, each row's in column order: a row
  // with one cell has it in the row itself; the others' cells were summed
  // apart, in the order their slots were first seen.
  const size_t shown = Shown(totals.rows.size(), options.top);
  const Row* rows = totals.rows.data();
  const uint32_t* several_begin = totals.several_begin.data();
  size_t cell_count = 0;
  for (size_t r = 0; r < shown; ++r) {
    const uint32_t cells = rows[r].cells;
    const uint32_t m = cells & ~PeriodTotals::kSeveral;
    cell_count += cells & PeriodTotals::kSeveral ? several_begin[m + 1] - several_begin[m] : 1;
  }
  report.rows.resize(shown);
  report.row_totals.resize(shown);
  report.cell_begin.resize(shown + 1);
  report.cell_column.resize(cell_count);
  report.cell_amount.resize(cell_count);
  Index* row_patient = report.rows.data();
  Money* row_total = report.row_totals.data();
  uint32_t* cell_begin = report.cell_begin.data();
  uint32_t* cell_column = report.cell_column.data();
  Money* cell_amount = report.cell_amount.data();
  const uint32_t* several_slot = totals.cell_slot.data();
  const Money* several_amount = totals.cell_amount.data();
  uint32_t at = 0;
  cell_begin[0] = 0;
  for (size_t r = 0; r < shown; ++r) {
    const Row& row = rows[r];
    row_patient[r] = row.patient;
    row_total[r] = row.amount;
    if (!(row.cells & PeriodTotals::kSeveral)) {
      cell_column[at] = column_of[row.cells];
      cell_amount[at] = row.amount;
      cell_begin[r + 1] = ++at;
      continue;
    }
    const uint32_t m = row.cells & ~PeriodTotals::kSeveral;
    const uint32_t first = at;
    for (uint32_t k = several_begin[m]; k < several_begin[m + 1]; ++k, ++at) {
      // Insertion by column: a row has a few cells at most.
      const uint32_t column = column_of[several_slot[k]];
      uint32_t j = at;
      for (; j > first && cell_column[j - 1] > column; --j) {
        cell_column[j] = cell_column[j - 1];
        cell_amount[j] = cell_amount[j - 1];
      }
      cell_column[j] = column;
      cell_amount[j] = several_amount[k];
    }
    cell_begin[r + 1] = at;
  }
  return report;
}

namespace {

// Customer loyalty, patient by patient. A slot per employee plus a last one
// that soaks up lines without an employee, so the loops need no test for
// kNone; "last seen" stamps (patient + 1) replace per-patient sets. A slot's
// counts and stamps sit together, so a line touches one record; the loops
// work on local copies of the pointers, which no store can change.
class RetentionCounter {
 public:
  RetentionCounter(const Export& data, const Scope& s, const ReportOptions& options)
      : data_(data),
        s_(s),
        window_(options.return_window >= 0),
        window_days_(options.return_window),
        none_(static_cast<uint32_t>(data.employees.size())),
        slots_(none_ + 1),
        lists_(2 * (none_ + 2)) {}

  // The patients whose first visit is before the period: not primary for
  // anyone, old for the employees with a counted line in the period, which
  // the period's totals counted (distinct patients per employee) as they
  // summed those lines; an employee with a counted line has a row.
  void AddOld(const PeriodTotals& totals) {
    for (uint32_t e = 0; e < none_; ++e) {
      const PeriodTotals::Employee& counted = totals.employees[e];
      slots_[e].old += counted.old_patients;
      slots_[e].active |= counted.lines > 0;
    }
    total_.old += totals.old_patients;
  }

  // The patients first seen in the period, from the period's totals, which
  // counted them as AddNew would without a return window and without an
  // employee filter (which keeps the other employees' lines from the totals).
  void AddFirstSeen(const PeriodTotals& totals) {
    for (uint32_t e = 0; e < none_; ++e) {
      const PeriodTotals::Employee& counted = totals.employees[e];
      slots_[e].primary += counted.primary;
      slots_[e].returned += counted.returned;
      slots_[e].returned_to_clinic += counted.returned_to_clinic;
    }
    total_.primary += totals.primary;
    total_.returned += totals.returned;
    total_.returned_to_clinic += totals.returned_to_clinic;
  }

  // A patient whose first visit is in the period: primary for the employees
  // of that day, returned (to them, to the clinic) by a counted line after
  // it up to the limit; scanned up to the later of `to` and the limit (the
  // rest of the patient's lines cannot matter). Which employees have a row
  // AddOld took from the totals, which count every line of the period.
  void AddNew(Index patient, Run period, uint32_t run_end) {
    const uint32_t stamp = patient + 1;
    const Lines& lines = data_.lines;
    const Day* days = lines.day.data();
    const Index* employees = lines.employee.data();
    const Index* divisions = lines.division.data();
    Slot* slots = slots_.data();
    uint32_t* primaries = lists_.data();
    const uint32_t none = none_;
    const bool by_division = s_.by_division;
    const Index division = s_.division;
    const int64_t to = s_.to;
    // The period's lines start at the first visit; without a window the
    // limit is `to`, where they end.
    const Day first_visit = days[period.begin];
    const int64_t limit = window_ ? first_visit + window_days_ : to;
    const uint32_t end = window_
                             ? std::max(period.end, DayUpperBound(days, period.end, run_end, limit))
                             : period.end;
    uint32_t primary_count = 0;
    bool to_clinic = false;
    for (uint32_t i = period.begin; i < end; ++i) {
      if (by_division && divisions[i] != division) continue;
      const uint32_t e = std::min(employees[i], none);
      const Day day = days[i];
      Slot& slot = slots[e];
      const bool first_day = day == first_visit;
      primaries[primary_count] = e;
      primary_count += first_day & (slot.primary_stamp != stamp);
      slot.primary_stamp = first_day ? stamp : slot.primary_stamp;
      const bool back = !first_day & (day <= limit);
      slot.returned_stamp = back ? stamp : slot.returned_stamp;
      to_clinic |= back;
    }
    const bool pending_possible = window_ && limit > data_.last_day;
    Credited credited;
    for (uint32_t k = 0; k < primary_count; ++k) {
      const uint32_t e = primaries[k];
      if (e == none) continue;
      const bool returned = slots[e].returned_stamp == stamp;
      CreditPrimary(e, returned, to_clinic, pending_possible && !returned, credited);
    }
    AddToTotal(credited, /*old=*/false);
  }

  // New per employee: a patient's first visit is taken per employee, over
  // every line of the patient (not only the period's).
  void AddPerEmployee(Index patient, Run whole) {
    const uint32_t stamp = patient + 1;
    const Lines& lines = data_.lines;
    const Day* days = lines.day.data();
    const Index* employees = lines.employee.data();
    const Index* divisions = lines.division.data();
    Slot* slots = slots_.data();
    uint32_t* primaries = lists_.data();
    uint32_t* olds = lists_.data() + none_ + 2;
    const uint32_t none = none_;
    for (uint32_t i = whole.begin; i < whole.end; ++i) {
      Slot& slot = slots[std::min(employees[i], none)];
      const bool fresh = slot.first_stamp != stamp;
      slot.first_with = fresh ? days[i] : slot.first_with;
      slot.first_stamp = stamp;
    }
    // The distinct days of the counted lines, to find a return to the clinic.
    if (counted_days_.size() < whole.end - whole.begin) counted_days_.resize(whole.end - whole.begin);
    Day* counted_days = counted_days_.data();
    uint32_t distinct_days = 0, primary_count = 0, old_count = 0;
    Day seen = kNoDay;  // never a real day
    for (uint32_t i = whole.begin; i < whole.end; ++i) {
      if (!s_.DivisionPasses(divisions[i])) continue;
      const Day day = days[i];
      counted_days[distinct_days] = day;
      distinct_days += day != seen;
      seen = day;
      const uint32_t e = std::min(employees[i], none);
      Slot& slot = slots[e];
      const int64_t anchor = slot.first_with;
      const bool in_period = s_.InPeriod(day);
      slot.active |= in_period;
      const bool is_old = in_period & (anchor < s_.from);
      olds[old_count] = e;
      old_count += is_old & (slot.old_stamp != stamp);
      slot.old_stamp = is_old ? stamp : slot.old_stamp;
      const bool is_primary = (day == anchor) & s_.InPeriod(anchor);
      primaries[primary_count] = e;
      primary_count += is_primary & (slot.primary_stamp != stamp);
      slot.primary_stamp = is_primary ? stamp : slot.primary_stamp;
      // day > anchor here, anchor being E's first day.
      const bool back = (day != anchor) & (day <= LimitOf(anchor));
      slot.returned_stamp = back ? stamp : slot.returned_stamp;
    }
    Credited credited;
    for (uint32_t k = 0; k < primary_count; ++k) {
      const uint32_t e = primaries[k];
      if (e == none) continue;
      const Slot& slot = slots[e];
      const int64_t anchor = slot.first_with;
      const int64_t limit = LimitOf(anchor);
      const bool returned = slot.returned_stamp == stamp;
      const uint32_t next = DayUpperBound(counted_days, 0, distinct_days, anchor);
      const bool back = next < distinct_days && counted_days[next] <= limit;
      CreditPrimary(e, returned, back, window_ && !returned && limit > data_.last_day, credited);
    }
    AddToTotal(credited, CountOld(slots, olds, old_count));
  }

  LoyaltyReport Finish() const {
    LoyaltyReport report;
    report.has_pending = window_;
    for (Index e = 0; e < none_; ++e) {
      const Slot& slot = slots_[e];
      if (!slot.active || !s_.EmployeePasses(e)) continue;
      LoyaltyRow row;
      row.employee = e;
      row.primary = slot.primary;
      row.returned = slot.returned;
      row.returned_to_clinic = slot.returned_to_clinic;
      row.old = slot.old;
      row.pending = slot.pending;
      row.retention =
          Percent(static_cast<int64_t>(row.returned), static_cast<int64_t>(row.primary));
      report.rows.push_back(row);
    }
    std::sort(report.rows.begin(), report.rows.end(),
              [this](const LoyaltyRow& a, const LoyaltyRow& b) {
                return EntityLess(data_.employees, a.employee, b.employee);
              });
    report.total = total_;
    report.total.employee = kNone;
    report.total.retention = Percent(static_cast<int64_t>(total_.returned),
                                     static_cast<int64_t>(total_.primary));
    return report;
  }

 private:
  struct Slot {
    uint64_t primary = 0, returned = 0, returned_to_clinic = 0, old = 0, pending = 0;
    uint32_t primary_stamp = 0, returned_stamp = 0, old_stamp = 0, first_stamp = 0;
    Day first_with = kNoDay;  // new per employee: the patient's first day with the employee
    uint32_t active = 0;      // 1 once the employee has a counted line in the period
  };

  // What a patient was credited with for the employees that pass the
  // employee filter: TOTAL counts the patient once for each.
  struct Credited {
    bool primary = false, returned = false, returned_to_clinic = false, pending = false;
  };

  // The patient is primary for employee e: counted in e's row, and in
  // `credited` when e passes the employee filter.
  void CreditPrimary(uint32_t e, bool returned, bool returned_to_clinic, bool pending,
                     Credited& credited) {
    Slot& slot = slots_[e];
    ++slot.primary;
    slot.returned += returned;
    slot.returned_to_clinic += returned_to_clinic;
    slot.pending += pending;
    if (!s_.EmployeePasses(e)) return;
    credited.primary = true;
    credited.returned |= returned;
    credited.returned_to_clinic |= returned_to_clinic;
    credited.pending |= pending;
  }

  void AddToTotal(const Credited& credited, bool old) {
    total_.primary += credited.primary;
    total_.returned += credited.returned;
    total_.returned_to_clinic += credited.returned_to_clinic;
    total_.pending += credited.pending;
    total_.old += old;
  }

  // Counts the patient old for each employee in olds[0, count); true when one
  // of them passes the employee filter (TOTAL counts the patient once).
  bool CountOld(Slot* slots, const uint32_t* olds, uint32_t count) const {
    bool any_old = false;
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t e = olds[k];
      if (e == none_) continue;
      ++slots[e].old;
      any_old |= s_.EmployeePasses(e);
    }
    return any_old;
  }

  // Without a window, returns count up to `to` (or the end of the export).
  int64_t LimitOf(int64_t anchor) const { return window_ ? anchor + window_days_ : s_.to; }

  const Export& data_;
  const Scope& s_;
  const bool window_;
  const int64_t window_days_;
  const uint32_t none_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> lists_;    // the employees found primary / old for the current patient
  std::vector<Day> counted_days_;  // new per employee: distinct days of counted lines
  LoyaltyRow total_;
};

}  // namespace

Result<LoyaltyReport> ComputeRetention(const Export& data, const ReportOptions& options,
                                       ReportCache* cache) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const Scope& s = resolved.value();
  RetentionCounter counter(data, s, options);
  if (options.new_per_employee) {
    for (Index p = 0; p < data.patients.size(); ++p) {
      const Run whole = PatientRun(data, p);
      if (whole.begin != whole.end) counter.AddPerEmployee(p, whole);
    }
  } else {
    // A patient without lines in the period is neither primary nor old
    // there. The old ones are counted from the period's totals, which the
    // other reports of a period change share (and without a cache, this
    // report's own, found with the period's lines in one pass); so are the
    // patients first seen in the period, unless a return window (which
    // reaches past the period) or an employee filter (which leaves the
    // other employees' lines out of the totals) asks for their lines here.
    std::optional<ReportCache> own;
    if (!Usable(cache, data)) cache = &own.emplace(data);
    const PeriodTotals& totals =
        cache->Totals(options.from, options.to, s.division, s.employee, false);
    counter.AddOld(totals);
    if (options.return_window < 0 && !s.by_employee) {
      counter.AddFirstSeen(totals);
      return counter.Finish();
    }
    const uint32_t* run_begin = data.patient_begin.data();
    for (const PeriodLines::Patient& in : cache->Period(options.from, options.to).patients()) {
      // The first visit comes with the period's lines: looked up in the
      // patient's run, before the period, it would wait on memory here.
      if (in.first_visit < s.from) continue;
      counter.AddNew(in.patient, Run{in.begin, in.end}, run_begin[in.patient + 1]);
    }
  }
  return counter.Finish();
}

Result<RevenueReport> ComputeRevenue(const Export& data, const ReportOptions& options,
                                     ReportCache* cache) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const Scope& s = resolved.value();
  PeriodTotals own;
  const PeriodTotals& totals = TotalsFor(data, options, s, cache, false, SIZE_MAX, own);

  // A slot per employee, then "(unassigned)".
  const uint32_t unassigned = static_cast<uint32_t>(data.employees.size());
  RevenueReport report;
  RevenueRow& total = report.total;
  total.patients = totals.patients;
  for (uint32_t e = 0; e <= unassigned; ++e) {
    const PeriodTotals::Employee& slot = totals.employees[e];
    if (slot.lines == 0) continue;
    RevenueRow row;
    row.employee = e == unassigned ? kNone : e;
    row.services = slot.services;
    row.goods = slot.goods;
    row.total = row.services + row.goods;
    row.lines = slot.lines;
    row.visits = slot.visits;
    row.patients = slot.patients;
    total.services += row.services;
    total.goods += row.goods;
    total.lines += row.lines;
    total.visits += row.visits;
    report.rows.push_back(row);
  }
  total.employee = kNone;
  total.total = total.services + total.goods;

  // Average to cents: total / visits in units of 100 (1/10000 -> 1/100), scaled back.
  auto finish = [&total](RevenueRow& row) {
    row.share = Percent(row.total, total.total);
    if (row.visits > 0) {
      row.avg_visit = DivRoundHalfAway(row.total, static_cast<__int128>(row.visits) * 100) * 100;
    }
  };
  for (RevenueRow& row : report.rows) finish(row);
  finish(total);

  auto name_of = [&data](Index e) -> std::string_view {
    return e == kNone ? kUnassigned : std::string_view(data.employees.names[e]);
  };
  auto id_of = [&data](Index e) -> std::string_view {
    return e == kNone ? std::string_view() : std::string_view(data.employees.ids[e]);
  };
  std::sort(report.rows.begin(), report.rows.end(), [&](const RevenueRow& a, const RevenueRow& b) {
    if (a.total != b.total) return a.total > b.total;
    return NameThenIdLess(name_of(a.employee), id_of(a.employee), name_of(b.employee),
                          id_of(b.employee));
  });
  return report;
}

}  // namespace clinic
