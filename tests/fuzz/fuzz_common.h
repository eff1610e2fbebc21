// Shared checks of the libFuzzer targets: what must hold for ANY input.
//
// An import either fails with a well-formed error (a known code family, a
// sentence that ends with the code, valid UTF-8 without control characters),
// or gives an export whose columns are consistent and whose reports add up to
// the summary: never a crash, a wrong sum or a silently shortened report.
// A violated check prints what broke and aborts, which libFuzzer records as a
// crash with the input that caused it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "import.h"
#include "model.h"
#include "money.h"
#include "reports.h"

namespace clinic::fuzz {

[[noreturn]] inline void Broken(const std::string& what) {
  std::fprintf(stderr, "\nINVARIANT BROKEN: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void Expect(bool ok, const std::string& what) {
  if (!ok) Broken(what);
}

inline bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80                 ? 1
                       : c >= 0xC2 && c <= 0xDF ? 2
                       : c >= 0xE0 && c <= 0xEF ? 3
                       : c >= 0xF0 && c <= 0xF4 ? 4
                                                : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    if (len == 3 && ((c == 0xE0 && static_cast<unsigned char>(s[i + 1]) < 0xA0) ||
                     (c == 0xED && static_cast<unsigned char>(s[i + 1]) > 0x9F))) {
      return false;
    }
    if (len == 4 && ((c == 0xF0 && static_cast<unsigned char>(s[i + 1]) < 0x90) ||
                     (c == 0xF4 && static_cast<unsigned char>(s[i + 1]) > 0x8F))) {
      return false;
    }
    i += len;
  }
  return true;
}

/// A failed import or report: a stable code of an allowed family and a clean sentence.
/// `value_from_caller`: the location value echoes the caller's own option (an
/// id from the API or argv), not the file, so it is not required to be UTF-8.
inline void CheckError(const Error& e, std::initializer_list<std::string_view> families,
                       bool value_from_caller = false) {
  bool known = false;
  for (std::string_view f : families) known = known || e.code.rfind(f, 0) == 0;
  Expect(known, "unexpected error code " + e.code + ": " + e.message);
  const std::string tail = " [" + e.code + "]";
  Expect(e.message.size() > tail.size() &&
             e.message.compare(e.message.size() - tail.size(), tail.size(), tail) == 0,
         "message does not end with its code: " + e.message);
  Expect(IsValidUtf8(e.message), "message is not valid UTF-8");
  Expect(value_from_caller || IsValidUtf8(e.where.value), "location value is not valid UTF-8");
  Expect(IsValidUtf8(e.where.field), "location field is not valid UTF-8");
  for (const char c : e.message) {
    Expect(static_cast<unsigned char>(c) >= 0x20, "control character in message: " + e.message);
  }
  Expect(e.message.size() < 4096, "message of " + std::to_string(e.message.size()) + " bytes");
}

/// The imported columns are consistent with each other and with the summary.
inline void CheckExport(const Export& data) {
  const ImportSummary& s = data.summary;
  const Lines& lines = data.lines;
  const size_t n = lines.size();
  Expect(lines.patient.size() == n && lines.employee.size() == n && lines.division.size() == n &&
             lines.amount.size() == n && lines.kind.size() == n,
         "line columns differ in length");
  Expect(s.completed == n, "summary.completed != completed lines held");
  Expect(s.lines == s.completed + s.cancelled + s.no_show, "line counts do not add up");
  Expect(data.patient_begin.size() == data.patients.size() + 1, "patient_begin size");
  Expect(data.patient_begin.back() == n, "patient_begin does not cover every line");
  Expect(data.patient_first_day.size() == data.patients.size() &&
             data.patient_last_day.size() == data.patients.size(),
         "patient first / last day sizes");
  for (size_t p = 0; p < data.patients.size(); ++p) {
    const uint32_t begin = data.patient_begin[p], end = data.patient_begin[p + 1];
    Expect(data.patient_first_day[p] == (begin == end ? kNoDay : lines.day[begin]) &&
               data.patient_last_day[p] == (begin == end ? kNoDay : lines.day[end - 1]),
           "patient first / last day differ from the lines");
  }
  __int128 sum = 0;
  uint64_t goods = 0, refunds = 0;
  for (size_t i = 0; i < n; ++i) {
    Expect(lines.patient[i] < data.patients.size(), "line patient out of range");
    Expect(lines.employee[i] == kNone || lines.employee[i] < data.employees.size(),
           "line employee out of range");
    Expect(lines.division[i] == kNone || lines.division[i] < data.divisions.size(),
           "line division out of range");
    Expect(i == 0 || lines.patient[i - 1] < lines.patient[i] ||
               (lines.patient[i - 1] == lines.patient[i] && lines.day[i - 1] <= lines.day[i]),
           "lines are not sorted by patient and day");
    Expect(lines.day[i] >= s.first_day && lines.day[i] <= s.last_day, "line day outside summary");
    sum += lines.amount[i];
    goods += lines.kind[i] == LineKind::kGoods;
    refunds += lines.amount[i] < 0;
  }
  Expect(sum == s.completed_amount, "completed lines do not add up to the completed amount");
  Expect(goods == s.goods_lines, "goods line count");
  Expect(refunds == s.refund_lines, "refund line count");
  for (const EntityTable* t :
       {&data.patients, &data.employees, &data.divisions, &data.price_lists}) {
    Expect(t->names.size() == t->size() && t->declared.size() == t->size(), "entity table sizes");
    for (size_t i = 0; i < t->size(); ++i) {
      Expect(!t->ids[i].empty(), "an empty id was kept");
      Expect(t->Find(t->ids[i]) == i, "entity id does not find itself");
    }
  }
  Expect(data.patient_price_list.size() == data.patients.size(), "patient_price_list size");
  Expect(data.employee_division.size() == data.employees.size(), "employee_division size");
}

/// The four reports over `options`: either all refuse the options with the
/// same options.* error, or their totals agree with each other and add up.
inline void CheckReports(const Export& data, const ReportOptions& options) {
  const Result<RatingReport> rating = RankCustomers(data, options);
  const Result<DivisionsReport> divisions = BuildCrossReport(data, options);
  const Result<LoyaltyReport> loyalty = ComputeRetention(data, options);
  const Result<RevenueReport> revenue = ComputeRevenue(data, options);
  Expect(
      rating.ok() == divisions.ok() && rating.ok() == loyalty.ok() && rating.ok() == revenue.ok(),
      "the reports disagree on whether the options are valid");
  if (!rating.ok()) {
    CheckError(rating.error(), {"options."}, /*value_from_caller=*/true);
    Expect(rating.error().code == divisions.error().code &&
               rating.error().code == loyalty.error().code &&
               rating.error().code == revenue.error().code,
           "the reports refuse the options with different codes");
    return;
  }
  const RatingReport& r = rating.value();
  const DivisionsReport& d = divisions.value();
  const RevenueReport& v = revenue.value();
  const LoyaltyReport& l = loyalty.value();
  const bool all_rows = options.top == 0;

  // Rating: rows (all of them without top) add up to the total.
  Expect(r.rows.size() == (all_rows ? r.patients : std::min<uint64_t>(r.patients, options.top)),
         "rating row count");
  __int128 rows = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    rows += r.rows[i].amount;
    Expect(r.rows[i].rank == i + 1, "rating ranks");
    Expect(i == 0 || r.rows[i - 1].amount >= r.rows[i].amount, "rating not by amount");
  }
  if (all_rows) Expect(rows == r.total, "rating rows do not add up to the total");

  // Divisions: cells add up to row totals, columns and rows to the grand total.
  const size_t m = d.columns.size();
  Expect(d.cell_begin.size() == d.rows.size() + 1 && d.cell_begin.front() == 0 &&
             d.cell_begin.back() == d.cell_amount.size() &&
             d.cell_column.size() == d.cell_amount.size(),
         "divisions cells size");
  Expect(d.column_totals.size() == m && d.row_totals.size() == d.rows.size(),
         "divisions totals size");
  __int128 columns = 0, row_sum = 0;
  for (size_t j = 0; j < m; ++j) columns += d.column_totals[j];
  for (size_t i = 0; i < d.rows.size(); ++i) {
    __int128 cells = 0;
    Expect(d.cell_begin[i] < d.cell_begin[i + 1], "divisions row without cells");
    for (uint32_t k = d.cell_begin[i]; k < d.cell_begin[i + 1]; ++k) {
      Expect(d.cell_column[k] < m, "divisions cell column out of range");
      Expect(k == d.cell_begin[i] || d.cell_column[k - 1] < d.cell_column[k],
             "divisions cells not in column order");
      cells += d.cell_amount[k];
    }
    Expect(cells == d.row_totals[i], "divisions cells do not add up to the row total");
    row_sum += d.row_totals[i];
  }
  Expect(columns == d.grand_total, "divisions columns do not add up to the grand total");
  if (all_rows) Expect(row_sum == d.grand_total, "divisions rows do not add up to the grand total");
  Expect(d.grand_total == r.total, "divisions and rating totals differ");

  // Revenue: services + goods per row, rows add up to the total.
  __int128 revenue_rows = 0;
  uint64_t revenue_lines = 0;
  for (const RevenueRow& row : v.rows) {
    Expect(row.services + row.goods == row.total, "revenue services + goods != total");
    revenue_rows += row.total;
    revenue_lines += row.lines;
  }
  Expect(revenue_rows == v.total.total, "revenue rows do not add up to the total");
  Expect(revenue_lines == v.total.lines, "revenue lines do not add up");
  Expect(v.total.total == r.total, "revenue and rating totals differ");

  // Loyalty: counts are consistent.
  for (const LoyaltyRow& row : l.rows) {
    Expect(row.returned <= row.primary, "loyalty: more returned than primary patients");
  }
  Expect(l.total.returned <= l.total.primary, "loyalty total: more returned than primary");
}

/// What StreamingImport::Begin is told of the files before it reads them.
inline std::vector<FileHead> HeadsOf(const std::vector<InputFile>& files) {
  std::vector<FileHead> heads;
  for (const InputFile& f : files) {
    heads.push_back(FileHead{f.name, f.bytes.size(), std::string(f.bytes.substr(0, 3))});
  }
  return heads;
}

/// `other` is `whole` read another way (`how`): the same error, or the same export.
inline void CheckSameResult(const Result<Export>& whole, const Result<Export>& other,
                            const std::string& how) {
  Expect(other.ok() == whole.ok(), how + ", the import succeeds or fails otherwise");
  if (!whole.ok()) {
    const Error& a = whole.error();
    const Error& b = other.error();
    Expect(
        a.message == b.message && a.where.value == b.where.value && a.where.field == b.where.field,
        how + ", the error differs: " + b.message + " instead of " + a.message);
    return;
  }
  const Export& a = whole.value();
  const Export& b = other.value();
  const ImportSummary& s = a.summary;
  const ImportSummary& t = b.summary;
  bool same = s.lines == t.lines && s.completed_amount == t.completed_amount &&
              s.visits == t.visits && s.blank_lines == t.blank_lines &&
              s.warnings.size() == t.warnings.size() && a.patients.ids == b.patients.ids &&
              a.patients.names == b.patients.names && a.lines.amount == b.lines.amount &&
              a.lines.day == b.lines.day && a.lines.patient == b.lines.patient &&
              a.lines.employee == b.lines.employee && a.lines.division == b.lines.division;
  for (size_t k = 0; same && k < s.warnings.size(); ++k) {
    same = s.warnings[k].message == t.warnings[k].message;
  }
  Expect(same, how + ", the export differs");
}

/// The files fed in pieces (sizes drawn from `seed`), as the page feeds what
/// it has read so far, must give exactly `whole`: the same error to the byte,
/// or the same export.
inline void CheckSameInPieces(const std::vector<InputFile>& files, const Result<Export>& whole,
                              uint64_t seed) {
  Result<std::unique_ptr<StreamingImport>> begun = StreamingImport::Begin(HeadsOf(files));
  std::optional<Result<Export>> pieces;
  if (!begun.ok()) {
    pieces.emplace(begun.error());
  } else {
    StreamingImport& import = *begun.value();
    uint64_t state = seed | 1;
    const auto next = [&state] {  // xorshift64
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state;
    };
    bool more = true;
    for (const size_t i : import.order()) {
      const std::string_view bytes = files[i].bytes;
      size_t have = 0;
      do {  // an empty file too is fed once
        have = std::min(bytes.size(), have + 1 + static_cast<size_t>(next() % 64));
        more = import.Feed(i, bytes.substr(0, have));
      } while (more && have < bytes.size());
      if (!more) break;
    }
    pieces.emplace(import.Finish());
  }
  CheckSameResult(whole, *pieces, "fed in pieces");
}

}  // namespace clinic::fuzz
