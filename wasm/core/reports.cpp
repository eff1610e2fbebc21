#include "reports.h"

#include "order.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <cstring>
#include <string_view>

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

Result<Scope> Resolve(const Export& data, const ReportOptions& options) {
  Scope s;
  s.has_from = options.from != kNoDay;
  s.has_to = options.to != kNoDay;
  if (s.has_from) s.from = options.from;
  if (s.has_to) s.to = options.to;
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

// A patient row while sorting: `key` orders it, `extra` carries per-row data.
struct SortItem {
  uint64_t key;
  Index patient;
  uint32_t extra;
};

uint64_t KeyOf(const SortItem& item) { return item.key; }

// Puts the first `wanted` patient rows (given in patient order) in order:
// amount descending, then name, then id (the patient's name rank, computed
// once at import); the rows after them are dropped. One radix sort on
// (max - amount, rank) packed in 64 bits, after keeping only the first
// `wanted` keys when there is a top N; a comparison sort in the rare export
// whose sums are too far apart to share 64 bits with the rank.
void SortByAmount(const Export& data, std::vector<SortItem>& items, Money max_amount,
                  size_t wanted) {
  const std::vector<uint32_t>& rank = data.patient_rank;
  // The true difference is in [0, INT64_MAX] (the builder bounds every sum), so
  // computing it modulo 2^64 is exact.
  uint64_t spread = 0;
  for (SortItem& item : items) {
    item.key = static_cast<uint64_t>(max_amount) - item.key;
    spread |= item.key;
  }
  const int amount_bits = std::bit_width(spread);
  const int rank_bits = std::bit_width(rank.size());
  const size_t keep = std::min(wanted, items.size());
  if (amount_bits + rank_bits <= 64) {
    for (SortItem& item : items) item.key = (item.key << rank_bits) | rank[item.patient];
    if (keep < items.size()) {  // the keys are unique now: the first `keep` are exact
      std::nth_element(items.begin(), items.begin() + static_cast<ptrdiff_t>(keep), items.end(),
                       [](const SortItem& a, const SortItem& b) { return a.key < b.key; });
      items.resize(keep);
    }
    RadixSort(items, amount_bits + rank_bits, KeyOf);
    for (SortItem& item : items) {
      item.key = static_cast<uint64_t>(max_amount) - (item.key >> rank_bits);
    }
    return;
  }
  auto less = [&rank](const SortItem& a, const SortItem& b) {
    return a.key != b.key ? a.key < b.key : rank[a.patient] < rank[b.patient];
  };
  std::partial_sort(items.begin(), items.begin() + static_cast<ptrdiff_t>(keep), items.end(), less);
  items.resize(keep);
  for (SortItem& item : items) item.key = static_cast<uint64_t>(max_amount) - item.key;
}

Money AmountOf(const SortItem& item) { return static_cast<Money>(item.key); }

// `given` when it covers the options' period of `data`, else one built in `own`.
const PeriodLines& PeriodFor(const Export& data, const ReportOptions& options,
                             const PeriodLines* given, std::optional<PeriodLines>& own) {
  if (given != nullptr && given->Covers(data, options)) return *given;
  return own.emplace(data, options.from, options.to);
}

size_t Shown(size_t rows, uint32_t top) {
  return top == 0 ? rows : std::min<size_t>(rows, top);
}

}  // namespace

PeriodLines::PeriodLines(const Export& data, Day from, Day to)
    : data_(&data), from_(from), to_(to) {
  // Widened to int64 so that an open side needs no test.
  const int64_t first = from == kNoDay ? INT64_MIN : from;
  const int64_t last = to == kNoDay ? INT64_MAX : to;
  if (first > last) return;  // an empty period (the reports refuse it)
  const size_t count = data.patients.size();
  const uint32_t* run_begin = data.patient_begin.data();
  const Day* days = data.lines.day.data();
  // Every patient's entry is written and kept only when it has lines: no
  // branch on that, and no regrowth (12 bytes a patient at most).
  patients_.resize(count);
  Patient* out = patients_.data();
  size_t kept = 0;
  for (Index p = 0; p < count; ++p) {
    uint32_t begin = run_begin[p], end = run_begin[p + 1];
    if (begin < end) {
      // The run is sorted by day: the period is one contiguous part of it.
      if (days[begin] < first) begin = DayBound<false>(days, begin, end, first);
      if (begin < end && days[end - 1] > last) end = DayBound<true>(days, begin, end, last);
    }
    out[kept] = Patient{p, begin, end};
    kept += begin < end;
  }
  patients_.resize(kept);
}

std::string EmployeeName(const Export& data, Index employee) {
  return employee == kNone ? std::string(kUnassigned) : data.employees.names[employee];
}

std::string DivisionName(const Export& data, Index division) {
  return division == kNone ? std::string(kNoDivision) : data.divisions.names[division];
}

Result<RatingReport> RankCustomers(const Export& data, const ReportOptions& options,
                                   const PeriodLines* given) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const Scope& s = resolved.value();
  std::optional<PeriodLines> own;
  const PeriodLines& period = PeriodFor(data, options, given, own);
  const Lines& lines = data.lines;
  const Day* days = lines.day.data();
  const Index* employees = lines.employee.data();
  const Money* amounts = lines.amount.data();

  RatingReport report;
  std::vector<SortItem> items;
  items.reserve(period.patients().size());
  Money max_amount = INT64_MIN;
  for (const PeriodLines::Patient& in : period.patients()) {
    const Run run{in.begin, in.end};
    Money amount = 0;
    uint32_t counted = 0, visits = 0;
    Day prev_day = kNoDay;  // never a real day, so the first line starts a visit
    Index prev_employee = kNone;
    ForEachCounted(lines, s, run, [&](uint32_t i) {
      amount += amounts[i];
      ++counted;
      // Counted lines keep the (day, employee) order, so a visit is a change of key.
      visits += (days[i] != prev_day) | (employees[i] != prev_employee);
      prev_day = days[i];
      prev_employee = employees[i];
    });
    if (counted == 0) continue;
    items.push_back(SortItem{static_cast<uint64_t>(amount), in.patient, visits});
    max_amount = std::max(max_amount, amount);
    report.total += amount;
    report.visits += visits;
  }
  report.patients = items.size();
  const size_t shown = Shown(items.size(), options.top);
  SortByAmount(data, items, max_amount, shown);

  report.rows.resize(shown);
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
  for (size_t r = 0; r < shown; ++r) {
    RatingRow& row = report.rows[r];
    row.rank = static_cast<uint32_t>(r + 1);
    row.patient = items[r].patient;
    row.visits = items[r].extra;
    row.amount = AmountOf(items[r]);
    row.share = Percent(row.amount, total);
    row.cumulative = Percent(before + row.amount, total);
    if (total > 0) row.abc = before < a_below ? 'A' : before < b_below ? 'B' : 'C';
    before += row.amount;
  }
  return report;
}

Result<DivisionsReport> BuildCrossReport(const Export& data, const ReportOptions& options,
                                         const PeriodLines* given) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const Scope& s = resolved.value();
  std::optional<PeriodLines> own;
  const PeriodLines& period = PeriodFor(data, options, given, own);
  const Lines& lines = data.lines;
  const Index* divisions = lines.division.data();
  const Money* amounts = lines.amount.data();

  // A slot per division, plus the last one for lines without a division.
  const uint32_t division_count = static_cast<uint32_t>(data.divisions.size());
  const uint32_t no_division = division_count;
  std::vector<Money> slot_total(division_count + 1, 0);
  std::vector<uint8_t> slot_used(division_count + 1, 0);

  // One pass over the period's lines, patient by patient: each patient's
  // cells are summed in a scratch row and staged (in patient order, by slot);
  // row and column totals come out of the same pass.
  DivisionsReport report;
  std::vector<SortItem> items;  // extra = how many cells the patient has
  items.reserve(period.patients().size());
  std::vector<uint32_t> staged_begin(data.patients.size(), 0);  // per patient
  std::vector<uint32_t> staged_slot;
  std::vector<Money> staged_amount;
  std::vector<Money> scratch(division_count + 1, 0);
  std::vector<uint8_t> touched(division_count + 1, 0);
  std::vector<uint32_t> touched_slots;
  Money max_amount = INT64_MIN;
  for (const PeriodLines::Patient& in : period.patients()) {
    const Run run{in.begin, in.end};
    const Index p = in.patient;
    Money amount = 0;
    ForEachCounted(lines, s, run, [&](uint32_t i) {
      const uint32_t slot = std::min(divisions[i], no_division);  // kNone is the largest index
      scratch[slot] += amounts[i];
      amount += amounts[i];
      if (!touched[slot]) {
        touched[slot] = 1;
        touched_slots.push_back(slot);
      }
    });
    if (touched_slots.empty()) continue;  // no counted line
    staged_begin[p] = static_cast<uint32_t>(staged_slot.size());
    for (const uint32_t slot : touched_slots) {
      staged_slot.push_back(slot);
      staged_amount.push_back(scratch[slot]);
      slot_total[slot] += scratch[slot];
      slot_used[slot] = 1;
      scratch[slot] = 0;
      touched[slot] = 0;
    }
    items.push_back(SortItem{static_cast<uint64_t>(amount), p,
                             static_cast<uint32_t>(touched_slots.size())});
    touched_slots.clear();
    max_amount = std::max(max_amount, amount);
    report.grand_total += amount;
  }
  report.patients = items.size();
  const size_t shown = Shown(items.size(), options.top);
  SortByAmount(data, items, max_amount, shown);

  for (Index d = 0; d < division_count; ++d) {
    if (options.all_divisions || slot_used[d]) report.columns.push_back(d);
  }
  std::sort(report.columns.begin(), report.columns.end(),
            [&data](Index a, Index b) { return EntityLess(data.divisions, a, b); });
  if (slot_used[no_division]) report.columns.push_back(kNone);

  const size_t column_count = report.columns.size();
  std::vector<uint32_t> column_of(division_count + 1, 0);
  report.column_totals.resize(column_count);
  report.column_has.resize(column_count);
  for (size_t c = 0; c < column_count; ++c) {
    const uint32_t slot = std::min(report.columns[c], no_division);
    column_of[slot] = static_cast<uint32_t>(c);
    report.column_totals[c] = slot_total[slot];
    report.column_has[c] = slot_used[slot];
  }

  // The shown rows' staged cells, in rank order, each row's in column order.
  report.rows.resize(shown);
  report.row_totals.resize(shown);
  report.cell_begin.assign(shown + 1, 0);
  size_t cell_count = 0;
  for (size_t r = 0; r < shown; ++r) cell_count += items[r].extra;
  report.cell_column.resize(cell_count);
  report.cell_amount.resize(cell_count);
  uint32_t at = 0;
  for (size_t r = 0; r < shown; ++r) {
    const SortItem& item = items[r];
    report.rows[r] = item.patient;
    report.row_totals[r] = AmountOf(item);
    const uint32_t first = at;
    for (uint32_t k = staged_begin[item.patient], end = k + item.extra; k < end; ++k, ++at) {
      // Insertion by column: a row has a few cells at most.
      const uint32_t column = column_of[staged_slot[k]];
      uint32_t j = at;
      for (; j > first && report.cell_column[j - 1] > column; --j) {
        report.cell_column[j] = report.cell_column[j - 1];
        report.cell_amount[j] = report.cell_amount[j - 1];
      }
      report.cell_column[j] = column;
      report.cell_amount[j] = staged_amount[k];
    }
    report.cell_begin[r + 1] = at;
  }
  return report;
}

Result<LoyaltyReport> ComputeRetention(const Export& data, const ReportOptions& options,
                                       const PeriodLines* given) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const Scope& s = resolved.value();
  const Lines& lines = data.lines;
  const Day* days = lines.day.data();
  const Index* employees = lines.employee.data();
  const Index* divisions = lines.division.data();

  const bool window = options.return_window >= 0;
  const int64_t window_days = options.return_window;
  const bool per_employee = options.new_per_employee;
  const int64_t last_day = data.last_day;
  // Without a window, returns count up to `to` (or the end of the export).
  auto limit_of = [&](int64_t anchor) { return window ? anchor + window_days : s.to; };
  auto counted = [&](uint32_t i) { return s.DivisionPasses(divisions[i]); };

  // A slot per employee plus a last one that soaks up lines without an
  // employee, so the loops need no test for kNone; "last seen" stamps
  // (patient + 1) replace per-patient sets.
  const uint32_t employee_count = static_cast<uint32_t>(data.employees.size());
  const uint32_t none = employee_count;
  std::vector<LoyaltyRow> counts(employee_count + 1);
  std::vector<uint8_t> active(employee_count + 1, 0);  // a counted line in the period
  std::vector<uint32_t> primary_stamp(employee_count + 1, 0), returned_stamp(employee_count + 1, 0),
      old_stamp(employee_count + 1, 0), first_stamp(employee_count + 1, 0);
  std::vector<Day> first_with(employee_count + 1, kNoDay);  // new per employee: first day with E
  // Employees found primary / old for the current patient. Appends are
  // branchless (always write, advance by 0 or 1), hence one spare entry.
  std::vector<uint32_t> primary_list(employee_count + 2), old_list(employee_count + 2);
  std::vector<Day> counted_days;  // new per employee: distinct days of counted lines

  LoyaltyReport report;
  report.has_pending = window;
  LoyaltyRow& total = report.total;

  // One patient with lines: `whole` holds them all, `period` those dated in
  // the period (only used without new_per_employee, which reads every line).
  auto add_patient = [&](Index p, Run whole, Run period) {
    const uint32_t stamp = p + 1;
    const Day first_visit = days[whole.begin];
    uint32_t primaries = 0, olds = 0, distinct_days = 0;
    bool to_clinic = false;  // clinic-wide first visit: a counted line in (first, limit]

    if (!per_employee) {
      if (first_visit < s.from) {
        // Not primary for anyone; old for the employees seen in the period.
        for (uint32_t i = period.begin; i < period.end; ++i) {
          if (!counted(i)) continue;
          const uint32_t e = std::min(employees[i], none);
          active[e] = 1;
          old_list[olds] = e;
          olds += old_stamp[e] != stamp;
          old_stamp[e] = stamp;
        }
      } else {
        // The first visit is in the period: scan it, then up to the later of
        // `to` and the limit (the rest of the patient's lines cannot matter).
        const int64_t limit = limit_of(first_visit);
        const uint32_t end = std::max(period.end, DayUpperBound(days, period.end, whole.end, limit));
        for (uint32_t i = whole.begin; i < end; ++i) {
          if (!counted(i)) continue;
          const uint32_t e = std::min(employees[i], none);
          const Day day = days[i];
          active[e] |= day <= s.to;
          const bool first_day = day == first_visit;
          primary_list[primaries] = e;
          primaries += first_day & (primary_stamp[e] != stamp);
          primary_stamp[e] = first_day ? stamp : primary_stamp[e];
          const bool back = !first_day & (day <= limit);
          returned_stamp[e] = back ? stamp : returned_stamp[e];
          to_clinic |= back;
        }
      }
    } else {
      for (uint32_t i = whole.begin; i < whole.end; ++i) {
        const uint32_t e = std::min(employees[i], none);
        const bool fresh = first_stamp[e] != stamp;
        first_with[e] = fresh ? days[i] : first_with[e];
        first_stamp[e] = stamp;
      }
      if (counted_days.size() < whole.end - whole.begin) counted_days.resize(whole.end - whole.begin);
      Day seen = kNoDay;  // never a real day
      for (uint32_t i = whole.begin; i < whole.end; ++i) {
        if (!counted(i)) continue;
        const Day day = days[i];
        counted_days[distinct_days] = day;
        distinct_days += day != seen;
        seen = day;
        const uint32_t e = std::min(employees[i], none);
        const int64_t anchor = first_with[e];
        const bool in_period = s.InPeriod(day);
        active[e] |= in_period;
        const bool is_old = in_period & (anchor < s.from);
        old_list[olds] = e;
        olds += is_old & (old_stamp[e] != stamp);
        old_stamp[e] = is_old ? stamp : old_stamp[e];
        const bool is_primary = (day == anchor) & s.InPeriod(anchor);
        primary_list[primaries] = e;
        primaries += is_primary & (primary_stamp[e] != stamp);
        primary_stamp[e] = is_primary ? stamp : primary_stamp[e];
        // day > anchor here, anchor being E's first day.
        const bool back = (day != anchor) & (day <= limit_of(anchor));
        returned_stamp[e] = back ? stamp : returned_stamp[e];
      }
    }

    bool any_primary = false, any_returned = false, any_to_clinic = false, any_pending = false;
    for (uint32_t k = 0; k < primaries; ++k) {
      const uint32_t e = primary_list[k];
      if (e == none) continue;
      const int64_t anchor = per_employee ? first_with[e] : first_visit;
      const int64_t limit = limit_of(anchor);
      const bool returned = returned_stamp[e] == stamp;
      bool back = to_clinic;
      if (per_employee) {
        const uint32_t next = DayUpperBound(counted_days.data(), 0, distinct_days, anchor);
        back = next < distinct_days && counted_days[next] <= limit;
      }
      const bool pending = window && !returned && limit > last_day;
      LoyaltyRow& row = counts[e];
      ++row.primary;
      row.returned += returned;
      row.returned_to_clinic += back;
      row.pending += pending;
      if (!s.EmployeePasses(e)) continue;
      any_primary = true;
      any_returned |= returned;
      any_to_clinic |= back;
      any_pending |= pending;
    }
    bool any_old = false;
    for (uint32_t k = 0; k < olds; ++k) {
      const uint32_t e = old_list[k];
      if (e == none) continue;
      ++counts[e].old;
      any_old |= s.EmployeePasses(e);
    }
    total.primary += any_primary;
    total.returned += any_returned;
    total.returned_to_clinic += any_to_clinic;
    total.pending += any_pending;
    total.old += any_old;
  };
  if (per_employee) {
    for (Index p = 0; p < data.patients.size(); ++p) {
      const Run whole = PatientRun(data, p);
      if (whole.begin != whole.end) add_patient(p, whole, whole);
    }
  } else {
    // A patient without lines in the period is neither primary nor old there.
    std::optional<PeriodLines> own;
    for (const PeriodLines::Patient& in : PeriodFor(data, options, given, own).patients()) {
      add_patient(in.patient, PatientRun(data, in.patient), Run{in.begin, in.end});
    }
  }

  for (Index e = 0; e < employee_count; ++e) {
    if (!active[e] || !s.EmployeePasses(e)) continue;
    LoyaltyRow row = counts[e];
    row.employee = e;
    row.retention = Percent(static_cast<int64_t>(row.returned), static_cast<int64_t>(row.primary));
    report.rows.push_back(row);
  }
  std::sort(report.rows.begin(), report.rows.end(),
            [&data](const LoyaltyRow& a, const LoyaltyRow& b) {
              return EntityLess(data.employees, a.employee, b.employee);
            });
  total.employee = kNone;
  total.retention =
      Percent(static_cast<int64_t>(total.returned), static_cast<int64_t>(total.primary));
  return report;
}

Result<RevenueReport> ComputeRevenue(const Export& data, const ReportOptions& options,
                                     const PeriodLines* given) {
  Result<Scope> resolved = Resolve(data, options);
  if (!resolved.ok()) return resolved.error();
  const Scope& s = resolved.value();
  std::optional<PeriodLines> own;
  const PeriodLines& period = PeriodFor(data, options, given, own);
  const Lines& lines = data.lines;
  const Day* days = lines.day.data();
  const Index* employees = lines.employee.data();
  const Money* amounts = lines.amount.data();
  const LineKind* kinds = lines.kind.data();

  // A slot per employee, plus the last one for "(unassigned)"; flat arrays
  // updated without branches (kind, new visit and new patient are 0/1 values).
  const uint32_t employee_count = static_cast<uint32_t>(data.employees.size());
  const uint32_t unassigned = employee_count;
  const size_t slots = employee_count + 1;
  std::vector<Money> by_kind(2 * slots, 0);  // [slot * 2 + kind]
  std::vector<uint64_t> line_count(slots, 0), visit_count(slots, 0), patient_count(slots, 0);
  std::vector<uint32_t> patient_stamp(slots, 0);
  static_assert(static_cast<int>(LineKind::kService) == 0 && static_cast<int>(LineKind::kGoods) == 1);

  RevenueReport report;
  RevenueRow& total = report.total;
  for (const PeriodLines::Patient& in : period.patients()) {
    const Run run{in.begin, in.end};
    const uint32_t stamp = in.patient + 1;
    uint32_t counted = 0;
    Day prev_day = kNoDay;  // never a real day, so the first line starts a visit
    Index prev_employee = kNone;
    ForEachCounted(lines, s, run, [&](uint32_t i) {
      const Index employee = employees[i];
      const uint32_t slot = std::min(employee, unassigned);  // kNone is the largest index
      by_kind[slot * 2 + static_cast<uint8_t>(kinds[i])] += amounts[i];
      ++line_count[slot];
      // Counted lines keep the (day, employee) order, so a visit is a change of key.
      visit_count[slot] += (days[i] != prev_day) | (employee != prev_employee);
      patient_count[slot] += patient_stamp[slot] != stamp;
      patient_stamp[slot] = stamp;
      prev_day = days[i];
      prev_employee = employee;
      ++counted;
    });
    total.patients += counted != 0;
  }

  for (uint32_t slot = 0; slot < slots; ++slot) {
    if (line_count[slot] == 0) continue;
    RevenueRow row;
    row.employee = slot == unassigned ? kNone : slot;
    row.services = by_kind[slot * 2];
    row.goods = by_kind[slot * 2 + 1];
    row.total = row.services + row.goods;
    row.lines = line_count[slot];
    row.visits = visit_count[slot];
    row.patients = patient_count[slot];
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
