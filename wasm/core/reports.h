// The four reports, defined in docs/reports.md. Each is one scan over the
// columns of an Export; changing the period or an option re-runs the scan.
// The patients with lines in the period (PeriodLines) can be found once and
// shared by the reports of that period.
#pragma once

#include <cstdint>
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
/// reports of one period change can share it instead of each searching again.
class PeriodLines {
 public:
  struct Patient {
    Index patient;
    uint32_t begin, end;  // the patient's lines in the period: [begin, end) of data.lines
  };

  /// `from` and `to` are inclusive; kNoDay leaves that side open.
  PeriodLines(const Export& data, Day from, Day to);

  /// True when this was built from `data` for the period of `options`.
  bool Covers(const Export& data, const ReportOptions& options) const {
    return &data == data_ && options.from == from_ && options.to == to_;
  }
  const std::vector<Patient>& patients() const { return patients_; }

 private:
  const Export* data_;
  Day from_, to_;
  std::vector<Patient> patients_;
};

// Each report takes an optional PeriodLines; when it is absent or does not
// cover the options' period, the report finds the period's lines itself.

/// Customer rating: patients by amount spent in the period, with ABC classes.
Result<RatingReport> RankCustomers(const Export& data, const ReportOptions& options,
                                   const PeriodLines* period = nullptr);
/// Division rating: the patients x divisions cross report.
Result<DivisionsReport> BuildCrossReport(const Export& data, const ReportOptions& options,
                                         const PeriodLines* period = nullptr);
/// Customer loyalty: primary, returned and old patients per employee.
Result<LoyaltyReport> ComputeRetention(const Export& data, const ReportOptions& options,
                                       const PeriodLines* period = nullptr);
/// Employee revenue: what each employee earns for the clinic.
Result<RevenueReport> ComputeRevenue(const Export& data, const ReportOptions& options,
                                     const PeriodLines* period = nullptr);

/// Display name of an employee row: "(unassigned)" for kNone.
std::string EmployeeName(const Export& data, Index employee);
/// Display name of a division column: "(no division)" for kNone.
std::string DivisionName(const Export& data, Index division);

inline constexpr std::string_view kUnassigned = "(unassigned)";
inline constexpr std::string_view kNoDivision = "(no division)";

}  // namespace clinic
