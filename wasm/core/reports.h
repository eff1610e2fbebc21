// The four reports, defined in docs/reports.md. Each is one scan over the
// columns of an Export; changing the period or an option re-runs the scan.
// What the reports of one period change have in common (the period's lines,
// their totals per patient and per employee, the patients ranked by amount)
// can be computed once and shared through a ReportCache.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model.h"
#include "status.h"

namespace clinic {

/// Period and options shared by the reports; unset members mean "no restriction".
struct ReportOptions {
  Day from = kNoDay;               // inclusive; kNoDay = start of the export
  Day to = kNoDay;                 // inclusive; kNoDay = end of the export
  uint32_t top = 0;                // rating and divisions: first N rows; 0 = all
  std::string division_id;         // only lines of this division; empty = all
  std::string employee_id;         // only lines of this employee; empty = all
  bool all_divisions = false;      // divisions: a column for every division of the export
  int32_t return_window = -1;      // loyalty: days after the first visit; <0 = up to `to`
  bool new_per_employee = false;   // loyalty: first visit counted per employee
};

struct RatingRow {
  uint32_t rank = 0;  // 1..n
  Index patient = 0;
  uint64_t visits = 0;
  Money amount = 0;
  Permille share = kNoPercent;       // of the period total (before `top`)
  Permille cumulative = kNoPercent;  // including this row
  char abc = 0;                      // 'A', 'B', 'C', or 0 when the total is not positive
};

struct RatingReport {
  std::vector<RatingRow> rows;
  uint64_t patients = 0;  // rows before `top`
  Money total = 0;        // all patients of the period
  uint64_t visits = 0;
};

struct DivisionsReport {
  std::vector<Index> columns;          // division index, or kNone for "(no division)"
  std::vector<Index> rows;             // patient index, by total descending
  // The cells where a patient has lines (a line netting to 0 still counts),
  // row by row, each row's in column order: row r's cells are
  // [cell_begin[r], cell_begin[r + 1]) of cell_column (an index into
  // `columns`) and cell_amount. Sparse, so the report stays as small as the
  // data however many divisions are added; a missing cell is shown empty.
  std::vector<uint32_t> cell_begin;    // rows.size() + 1
  std::vector<uint32_t> cell_column;
  std::vector<Money> cell_amount;
  std::vector<Money> row_totals;       // per row
  std::vector<Money> column_totals;    // per column, over all patients (also past `top`)
  std::vector<uint8_t> column_has;     // per column: 1 when any patient has a line there
  Money grand_total = 0;
  uint64_t patients = 0;               // rows before `top`
};

struct LoyaltyRow {
  Index employee = kNone;  // kNone only for the total row
  uint64_t primary = 0, returned = 0, returned_to_clinic = 0, old = 0, pending = 0;
  Permille retention = kNoPercent;  // returned / primary
};

struct LoyaltyReport {
  std::vector<LoyaltyRow> rows;  // by employee name, then id
  LoyaltyRow total;              // each patient counted once
  bool has_pending = false;      // true when a return window was given
};

struct RevenueRow {
  Index employee = kNone;  // kNone = "(unassigned)" (or the total row)
  Money services = 0, goods = 0, total = 0;
  Permille share = kNoPercent;
  uint64_t lines = 0, visits = 0, patients = 0;
  Money avg_visit = 0;  // total / visits rounded half away to cents; valid when visits > 0
};

struct RevenueReport {
  std::vector<RevenueRow> rows;  // by total descending, then name, then id
  RevenueRow total;
};

/// The lines of one period, patient by patient: each patient with at least
/// one line dated in [from, to], in patient order, and where those lines are
/// in the columns. Finding them is a search in every patient's run; the four
/// reports of one period change share it (ReportCache) instead of each
/// searching again.
class PeriodLines {
 public:
  struct Patient {
    Index patient;
    uint32_t begin, end;  // the patient's lines in the period: [begin, end) of data.lines
    Day first_visit;      // the day of the patient's first line in the whole export
  };

  /// Called with the patients found, in order, a block at a time.
  using BlockFound = std::function<void(std::span<const Patient>)>;

  /// `from` and `to` are inclusive; kNoDay leaves that side open. `found`, if
  /// given, sees the patients as they are found.
  PeriodLines(const Export& data, Day from, Day to, const BlockFound& found = {});

  /// Finds the lines of another period of the same export, in the same memory.
  void Find(Day from, Day to, const BlockFound& found = {});

  /// True when this was built from `data` for [from, to].
  bool Covers(const Export& data, Day from, Day to) const {
    return &data == data_ && from == from_ && to == to_;
  }
  std::span<const Patient> patients() const { return {patients_.get(), count_}; }
  /// How many lines are in the period (all of the patients' runs in it).
  uint32_t lines() const { return lines_; }

 private:
  const Export* data_;
  Day from_ = kNoDay, to_ = kNoDay;
  // Room for every patient of the export, left uninitialised: only the first
  // count_ are written, so finding a period writes no more than it keeps.
  std::unique_ptr<Patient[]> patients_;
  size_t count_ = 0;
  uint32_t lines_ = 0;
};

/// The counted lines of one period under the division and employee filters,
/// summed in one pass for the reports that add them up: per patient (the
/// customer rating and the division rating, whose rows are the same patients
/// in the same order) and per employee (the employee revenue, and the
/// loyalty's counts).
struct PeriodTotals {
  /// A patient with counted lines. `cells` says where its division cells
  /// are: when all its lines are in one division slot (most patients), it is
  /// that slot, and the one cell is `amount`; otherwise it is kSeveral | m,
  /// and its cells are [several_begin[m], several_begin[m + 1]) of
  /// cell_slot and cell_amount.
  struct Row {
    Money amount;     // the patient's counted lines in the period
    Index patient;
    uint32_t visits;  // distinct visits among them
    uint32_t cells;
  };
  static constexpr uint32_t kSeveral = 0x80000000u;

  /// A slot per employee, then one for lines without an employee.
  struct Employee {
    Money services = 0, goods = 0;
    uint64_t lines = 0, visits = 0, patients = 0;
    uint64_t old_patients = 0;  // of `patients`, those whose first visit is before the period
    // Of the others (first seen in the period), as the loyalty counts them
    // without a return window: primary here (a line here on their first
    // day), and of those, back here later in the period, or back to anyone.
    uint64_t primary = 0, returned = 0, returned_to_clinic = 0;
  };

  std::vector<Row> rows;  // in patient order; in report order (amount descending, then name,
                          // then id) once ranked, and then only the first N for a top N
  bool ranked = false;
  uint64_t patients = 0;  // every patient with counted lines (rows before a top N)
  Money total = 0;        // sum of their amounts
  uint64_t visits = 0;    // sum of their visits
  // Of them, those whose first visit is before the period and who have a
  // counted line of an employee (not unassigned): the loyalty's old patients.
  uint64_t old_patients = 0;
  // The patients first seen in the period and primary for an employee, and
  // of those, back later in the period to one of the employees of their first
  // day, or to anyone (each patient once; the loyalty without a return window).
  uint64_t primary = 0, returned = 0, returned_to_clinic = 0;

  std::vector<uint32_t> several_begin;  // the patients with cells in several slots
  std::vector<uint32_t> cell_slot;      // a division slot: division index, or the
  std::vector<Money> cell_amount;       // number of divisions for "(no division)"
  std::vector<Money> slot_total;        // per division slot, over every patient
  std::vector<uint8_t> slot_used;       // per division slot: 1 when any line is there

  std::vector<Employee> employees;  // per employee slot
};

/// The work the four reports of one period change share, for one export: the
/// period's lines and their totals (every report: the loyalty counts its
/// patients there, all of them unless a return window or an employee filter
/// needs the new ones' lines), with the patients ranked once for the rating
/// and the division rating. Each is computed by the first report that needs
/// it and kept until a report asks for another period or other filters; a
/// report's result never depends on what is kept.
class ReportCache {
 public:
  explicit ReportCache(const Export& data) : data_(&data) {}

  /// True when this cache belongs to `data`; reports ignore a cache of another export.
  bool IsFor(const Export& data) const { return &data == data_; }

  /// The lines of [from, to], found again only when the period changed.
  const PeriodLines& Period(Day from, Day to);

  /// The totals of [from, to] under the filters (kNone: no filter), summed
  /// again only when the period or a filter changed (for a new period, block
  /// by block as its lines are found, while they are in the cache); `ranked`
  /// also puts the patients in report order (once).
  const PeriodTotals& Totals(Day from, Day to, Index division, Index employee, bool ranked);

  /// How many times the period's lines, the totals and the ranking were computed (tests).
  uint64_t periods_found() const { return periods_found_; }
  uint64_t totals_made() const { return totals_made_; }
  uint64_t rankings_made() const { return rankings_made_; }

 private:
  const Export* data_;
  std::optional<PeriodLines> period_;
  std::optional<PeriodTotals> totals_;
  Day totals_from_ = kNoDay, totals_to_ = kNoDay;
  Index totals_division_ = kNone, totals_employee_ = kNone;
  uint64_t periods_found_ = 0, totals_made_ = 0, rankings_made_ = 0;
};

// Each report takes an optional ReportCache; without one (or with one of
// another export) the report computes everything itself.

/// Takes the customer rating's rows one at a time, in rank order, in place of
/// RatingReport::rows: the page's binding writes them straight into its
/// typed columns, with no vector of rows (40 bytes each) in between.
class RatingRowSink {
 public:
  virtual ~RatingRowSink() = default;
  /// Called once, before the rows: how many will follow.
  virtual void Begin(size_t rows) = 0;
  virtual void Add(const RatingRow& row) = 0;
};

/// Customer rating: patients by amount spent in the period, with ABC classes.
/// With a sink, the rows go there and the report's `rows` stay empty.
Result<RatingReport> RankCustomers(const Export& data, const ReportOptions& options,
                                   ReportCache* cache = nullptr, RatingRowSink* sink = nullptr);
/// Division rating: the patients x divisions cross report.
Result<DivisionsReport> BuildCrossReport(const Export& data, const ReportOptions& options,
                                         ReportCache* cache = nullptr);
/// Customer loyalty: primary, returned and old patients per employee.
Result<LoyaltyReport> ComputeRetention(const Export& data, const ReportOptions& options,
                                       ReportCache* cache = nullptr);
/// Employee revenue: what each employee earns for the clinic.
Result<RevenueReport> ComputeRevenue(const Export& data, const ReportOptions& options,
                                     ReportCache* cache = nullptr);

/// Display name of an employee row: "(unassigned)" for kNone.
std::string EmployeeName(const Export& data, Index employee);
/// Display name of a division column: "(no division)" for kNone.
std::string DivisionName(const Export& data, Index division);

inline constexpr std::string_view kUnassigned = "(unassigned)";
inline constexpr std::string_view kNoDivision = "(no division)";

}  // namespace clinic
