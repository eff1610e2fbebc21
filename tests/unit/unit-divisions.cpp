// Division rating (docs/reports.md, "Division rating"): the patients x
// divisions cross report. Expected numbers are computed by hand in comments.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.h"
#include "reports.h"

namespace clinic {
namespace {

using test::D;
using test::Fixture;
using test::M;
using test::Ok;
using test::Options;

std::vector<std::string> Columns(const Export& data, const DivisionsReport& r) {
  std::vector<std::string> ids;
  for (const Index d : r.columns) ids.emplace_back(d == kNone ? "(none)" : data.divisions.ids[d]);
  return ids;
}

std::vector<std::string> Rows(const Export& data, const DivisionsReport& r) {
  std::vector<std::string> ids;
  for (const Index p : r.rows) ids.push_back(test::PatientId(data, p));
  return ids;
}

// The row of cells of `row`, with "-" standing for an empty cell.
std::vector<std::string> Cells(const DivisionsReport& r, size_t row) {
  std::vector<std::string> out(r.columns.size(), "-");
  REQUIRE(r.cell_begin.size() == r.rows.size() + 1);
  for (uint32_t k = r.cell_begin[row]; k < r.cell_begin[row + 1]; ++k) {
    REQUIRE(r.cell_column[k] < r.columns.size());
    if (k > r.cell_begin[row]) REQUIRE(r.cell_column[k - 1] < r.cell_column[k]);  // column order
    out[r.cell_column[k]] = FormatMoney(r.cell_amount[k]);
  }
  return out;
}

std::vector<std::string> Totals(const DivisionsReport& r) {
  std::vector<std::string> out;
  for (size_t c = 0; c < r.columns.size(); ++c) {
    out.push_back(r.column_has[c] ? FormatMoney(r.column_totals[c]) : "-");
  }
  return out;
}

using Strings = std::vector<std::string>;

// Two divisions named "Dental" (ids D2 < D4), an empty X-ray, and lines
// without a division.
//   Anna  P1: Surgery 100, Dental(D2) 50, no division 10    = 160
//   Boris P2: Dental(D2) 30 - 30 = 0.00, Dental(D4) 5       =   5
//   Chen  P3: Surgery -20 (a cancelled X-ray line excluded) = -20
Export CrossExport() {
  Fixture f;
  f.Division("D1", "Surgery").Division("D2", "Dental").Division("D3", "X-ray");
  f.Division("D4", "Dental");
  f.Employee("E1", "Alice").Employee("E2", "Bob");
  f.Patient("P1", "Anna").Patient("P2", "Boris").Patient("P3", "Chen");
  f.Line("2024-01-02", "P1", "E1", "D1", "100.00");
  f.Line("2024-01-03", "P1", "E2", "D2", "50.00");
  f.Line("2024-01-04", "P1", "E1", "", "10.00");
  f.Line("2024-01-02", "P2", "E2", "D2", "30.00");
  f.Line("2024-01-05", "P2", "E2", "D2", "-30.00");
  f.Line("2024-01-06", "P2", "E1", "D4", "5.00");
  f.Line("2024-01-07", "P3", "E1", "D1", "-20.00");
  f.Cancelled("2024-01-08", "P3", "E1", "D3", "999.00");
  return f.Build();
}

TEST_CASE("divisions: columns by name then id, (no division) last, cells and totals") {
  const Export data = CrossExport();
  const DivisionsReport r = Ok(BuildCrossReport(data, ReportOptions{}));
  // "Dental" < "Surgery"; the two Dentals by id; X-ray has no completed line.
  CHECK(Columns(data, r) == Strings{"D2", "D4", "D1", "(none)"});
  CHECK(Rows(data, r) == Strings{"P1", "P2", "P3"});  // 160, 5, -20
  CHECK(r.patients == 3);
  CHECK(Cells(r, 0) == Strings{"50.00", "-", "100.00", "10.00"});
  CHECK(Cells(r, 1) == Strings{"0.00", "5.00", "-", "-"});  // 30 - 30 nets to 0: not empty
  CHECK(Cells(r, 2) == Strings{"-", "-", "-20.00", "-"});
  CHECK(r.row_totals == std::vector<Money>{M("160.00"), M("5.00"), M("-20.00")});
  // Dental(D2) 50 + 0; Dental(D4) 5; Surgery 100 - 20; no division 10.
  CHECK(Totals(r) == Strings{"50.00", "5.00", "80.00", "10.00"});
  CHECK(r.grand_total == M("145.00"));  // 160 + 5 - 20
  CHECK(r.cell_amount.size() == 6);  // only the cells with lines: 3 + 2 + 1 of 3 x 4
  CHECK(r.cell_begin == std::vector<uint32_t>{0, 3, 5, 6});
  CHECK(DivisionName(data, r.columns[0]) == "Dental");
  CHECK(DivisionName(data, kNone) == "(no division)");
  CHECK(DivisionName(data, kNone) == kNoDivision);
}

TEST_CASE("divisions: all divisions adds empty columns") {
  const Export data = CrossExport();
  SUBCASE("whole export") {
    const DivisionsReport r = Ok(BuildCrossReport(data, Options().AllDivisions()));
    CHECK(Columns(data, r) == Strings{"D2", "D4", "D1", "D3", "(none)"});  // X-ray after Surgery
    CHECK(Totals(r) == Strings{"50.00", "5.00", "80.00", "-", "10.00"});   // X-ray: empty, not 0
    CHECK(Cells(r, 0) == Strings{"50.00", "-", "100.00", "-", "10.00"});
    CHECK(r.grand_total == M("145.00"));
  }
  SUBCASE("empty period: every division, no rows, no (no division)") {
    const DivisionsReport r =
        Ok(BuildCrossReport(data, Options().AllDivisions().From("2025-01-01")));
    CHECK(Columns(data, r) == Strings{"D2", "D4", "D1", "D3"});
    CHECK(Totals(r) == Strings{"-", "-", "-", "-"});
    CHECK(r.rows.empty());
    CHECK(r.cell_amount.empty());
    CHECK(r.cell_begin == std::vector<uint32_t>{0});
    CHECK(r.grand_total == 0);
    CHECK(r.patients == 0);
  }
  SUBCASE("a division referenced only by a line is a column too") {
    Fixture f;
    f.Division("D1", "Surgery");
    f.Line("2024-01-01", "P1", "", "D9", "1.00");  // D9 is not declared: named by its id
    const Export undeclared = f.Build();
    const DivisionsReport r = Ok(BuildCrossReport(undeclared, Options().AllDivisions()));
    CHECK(Columns(undeclared, r) == Strings{"D9", "D1"});  // "D9" < "Surgery"
    CHECK(DivisionName(undeclared, r.columns[0]) == "D9");
    CHECK(Totals(r) == Strings{"1.00", "-"});
  }
}

TEST_CASE("divisions: an empty period gives an empty report") {
  const Export data = CrossExport();
  const DivisionsReport r = Ok(BuildCrossReport(data, Options().From("2024-02-01")));
  CHECK(r.columns.empty());
  CHECK(r.rows.empty());
  CHECK(r.column_totals.empty());
  CHECK(r.grand_total == 0);
  CHECK(r.patients == 0);
}

TEST_CASE("divisions: the period") {
  const Export data = CrossExport();
  // From 01-05: Boris -30 (D2) + 5 (D4) = -25; Chen -20 (Surgery).
  const DivisionsReport r = Ok(BuildCrossReport(data, Options().From("2024-01-05")));
  CHECK(Columns(data, r) == Strings{"D2", "D4", "D1"});
  CHECK(Rows(data, r) == Strings{"P3", "P2"});  // -20 > -25
  CHECK(Cells(r, 0) == Strings{"-", "-", "-20.00"});
  CHECK(Cells(r, 1) == Strings{"-30.00", "5.00", "-"});
  CHECK(Totals(r) == Strings{"-30.00", "5.00", "-20.00"});
  CHECK(r.grand_total == M("-45.00"));
}

TEST_CASE("divisions: top N keeps the TOTAL row over every patient") {
  const Export data = CrossExport();
  const DivisionsReport r = Ok(BuildCrossReport(data, Options().Top(1)));
  CHECK(Rows(data, r) == Strings{"P1"});
  CHECK(r.patients == 3);
  CHECK(r.cell_begin == std::vector<uint32_t>{0, 3});  // one row, three of four cells
  CHECK(Cells(r, 0) == Strings{"50.00", "-", "100.00", "10.00"});
  CHECK(Columns(data, r) == Strings{"D2", "D4", "D1", "(none)"});  // D4 is Boris's only
  CHECK(Totals(r) == Strings{"50.00", "5.00", "80.00", "10.00"});
  CHECK(r.grand_total == M("145.00"));
}

TEST_CASE("divisions: filters") {
  const Export data = CrossExport();
  SUBCASE("division D2: one column, a zero row stays") {
    const DivisionsReport r = Ok(BuildCrossReport(data, Options().Division("D2")));
    CHECK(Columns(data, r) == Strings{"D2"});
    CHECK(Rows(data, r) == Strings{"P1", "P2"});  // 50, then 30 - 30 = 0
    CHECK(Cells(r, 1) == Strings{"0.00"});
    CHECK(Totals(r) == Strings{"50.00"});
    CHECK(r.grand_total == M("50.00"));
  }
  SUBCASE("division D3 has only a cancelled line") {
    const DivisionsReport r = Ok(BuildCrossReport(data, Options().Division("D3")));
    CHECK(r.columns.empty());
    CHECK(r.rows.empty());
  }
  SUBCASE("employee E1") {
    // Anna: Surgery 100 + none 10 = 110; Boris: D4 5; Chen: Surgery -20.
    const DivisionsReport r = Ok(BuildCrossReport(data, Options().Employee("E1")));
    CHECK(Columns(data, r) == Strings{"D4", "D1", "(none)"});
    CHECK(Rows(data, r) == Strings{"P1", "P2", "P3"});
    CHECK(Cells(r, 0) == Strings{"-", "100.00", "10.00"});
    CHECK(Totals(r) == Strings{"5.00", "80.00", "10.00"});
    CHECK(r.grand_total == M("95.00"));  // 110 + 5 - 20
  }
}

TEST_CASE("divisions: row ties by name then id; a patient netting to 0") {
  Fixture f;
  f.Patient("P2", "Same").Patient("P1", "Same").Patient("P3", "Abe").Patient("P4", "Zero");
  f.Line("2024-01-01", "P1", "", "D1", "10.00");
  f.Line("2024-01-01", "P2", "", "D1", "10.00");
  f.Line("2024-01-01", "P3", "", "D1", "10.00");
  f.Line("2024-01-01", "P4", "", "D1", "10.00");
  f.Line("2024-01-02", "P4", "", "D1", "-10.00");
  const Export data = f.Build();
  const DivisionsReport r = Ok(BuildCrossReport(data, ReportOptions{}));
  CHECK(Rows(data, r) == Strings{"P3", "P1", "P2", "P4"});  // Abe, Same(P1), Same(P2), Zero 0
  CHECK(Cells(r, 3) == Strings{"0.00"});
  CHECK(Totals(r) == Strings{"30.00"});
}

// The cells by a sum of every line, for exports whose division slots (one per
// division, one for "no division") fit in one 64-bit word of slot bits and for
// those that do not (63 divisions: 64 slots; 64 divisions: 65), in random
// periods and with a division filter: each cell is the sum of its patient's
// completed lines in that column, every column total the sum of its column.
TEST_CASE("divisions: cells equal the sum of every line, below and above 64 division slots") {
  for (const int divisions : {3, 62, 63, 64, 100}) {
    CAPTURE(divisions);
    uint64_t state = 0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(divisions);
    const auto below = [&state](int n) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return static_cast<int>(state % static_cast<uint64_t>(n));
    };
    struct Line {
      int day, patient, division;  // division -1: none
      int64_t cents;
      bool completed;
    };
    std::vector<Line> lines;
    Fixture f;
    for (int d = 0; d < divisions; ++d) {
      f.Division("D" + std::to_string(100 + d), "Division " + std::to_string(100 + d));
    }
    for (int p = 0; p < 40; ++p)
      f.Patient("P" + std::to_string(100 + p), "Patient " + std::to_string(100 + p));
    for (int i = 0; i < 1500; ++i) {
      // Most patients in a few divisions, some in many (slot 63 and beyond too).
      const int patient = below(40);
      const int division =
          patient % 4 == 0 ? below(divisions + 1) - 1 : (patient + below(3)) % divisions;
      const Line line{below(60), patient, division, below(20000) - 3000, below(10) != 0};
      lines.push_back(line);
      const std::string day = FormatDate(D("2024-01-01") + line.day);
      const std::string id = "P" + std::to_string(100 + patient);
      const std::string div = division < 0 ? "" : "D" + std::to_string(100 + division);
      const std::string amount = FormatMoney(line.cents * 100);
      if (line.completed) {
        f.Line(day, id, "", div, amount);
      } else {
        f.Cancelled(day, id, "", div, amount);
      }
    }
    const Export data = f.Build();
    for (int round = 0; round < 6; ++round) {
      const int first = below(50), last = first + below(30);
      const int only = round == 5 ? below(divisions) : -2;  // -2: no division filter
      Options o;
      o.value.from = D("2024-01-01") + first;
      o.value.to = D("2024-01-01") + last;
      if (only >= 0) o.Division("D" + std::to_string(100 + only));
      CAPTURE(first);
      CAPTURE(last);
      CAPTURE(only);
      // (patient id, division id or "-") -> cents; a cell exists once a line is there.
      std::map<std::pair<std::string, std::string>, int64_t> expected;
      std::map<std::string, int64_t> column_expected;
      for (const Line& line : lines) {
        if (!line.completed || line.day < first || line.day > last) continue;
        if (only >= 0 && line.division != only) continue;
        const std::string division =
            line.division < 0 ? "-" : "D" + std::to_string(100 + line.division);
        expected[{"P" + std::to_string(100 + line.patient), division}] += line.cents;
        column_expected[division] += line.cents;
      }
      const DivisionsReport r = Ok(BuildCrossReport(data, o.value));
      std::map<std::pair<std::string, std::string>, int64_t> got;
      for (size_t row = 0; row < r.rows.size(); ++row) {
        for (uint32_t k = r.cell_begin[row]; k < r.cell_begin[row + 1]; ++k) {
          if (k > r.cell_begin[row]) CHECK(r.cell_column[k - 1] < r.cell_column[k]);
          const Index d = r.columns[r.cell_column[k]];
          const std::string division = d == kNone ? "-" : std::string(data.divisions.ids[d]);
          CHECK(r.cell_amount[k] % 100 == 0);
          got[{test::PatientId(data, r.rows[row]), division}] = r.cell_amount[k] / 100;
        }
      }
      CHECK(got == expected);
      std::map<std::string, int64_t> column_got;
      for (size_t c = 0; c < r.columns.size(); ++c) {
        const Index d = r.columns[c];
        column_got[d == kNone ? "-" : std::string(data.divisions.ids[d])] =
            r.column_totals[c] / 100;
      }
      CHECK(column_got == column_expected);
    }
  }
}

}  // namespace
}  // namespace clinic
