// Employee revenue (docs/reports.md, "Employee revenue"). Expected numbers
// are worked out by hand in the comments.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fixtures.h"
#include "reports.h"

namespace clinic {
namespace {

using test::Fixture;
using test::M;
using test::Ok;
using test::Options;
using Strings = std::vector<std::string>;

Strings RowIds(const Export& data, const RevenueReport& r) {
  Strings ids;
  for (const RevenueRow& row : r.rows) {
    ids.emplace_back(row.employee == kNone ? "(unassigned)" : data.employees.ids[row.employee]);
  }
  return ids;
}

// January 2024.
//   Anna  P1: 01-05 Alice service 100 + goods 20 (one visit); 01-12 Alice 50.
//   Boris P2: 01-05 Alice 30; 01-06 Bob 200 and a refund of -50 (one visit).
//   Chen  P3: 01-07 no employee: goods 15 + service 5; a cancelled Bob line 1000.
// Carol has no line.
Export RevenueExport() {
  Fixture f;
  f.Division("D1", "Surgery").Division("D2", "Dental");
  f.Employee("E1", "Alice").Employee("E2", "Bob").Employee("E3", "Carol");
  f.Patient("P1", "Anna").Patient("P2", "Boris").Patient("P3", "Chen");
  f.Line("2024-01-05", "P1", "E1", "D1", "100.00");
  f.Goods("2024-01-05", "P1", "E1", "D1", "20.00");
  f.Line("2024-01-12", "P1", "E1", "D2", "50.00");
  f.Line("2024-01-05", "P2", "E1", "D1", "30.00");
  f.Line("2024-01-06", "P2", "E2", "D2", "200.00");
  f.Line("2024-01-06", "P2", "E2", "D2", "-50.00");
  f.Goods("2024-01-07", "P3", "", "", "15.00");
  f.Line("2024-01-07", "P3", "", "", "5.00");
  f.Cancelled("2024-01-08", "P3", "E2", "D2", "1000.00");
  return f.Build();
}

TEST_CASE("revenue: per employee sums, visits, patients and averages") {
  const Export data = RevenueExport();
  const RevenueReport r = Ok(ComputeRevenue(data, ReportOptions{}));
  REQUIRE(RowIds(data, r) == Strings{"E1", "E2", "(unassigned)"});  // 200, 150, 20

  const RevenueRow& alice = r.rows[0];
  CHECK(alice.services == M("180.00"));  // 100 + 50 + 30
  CHECK(alice.goods == M("20.00"));
  CHECK(alice.total == M("200.00"));
  CHECK(alice.share == 541);  // 200 / 370 = 54.054.. % -> 54.1
  CHECK(alice.lines == 4);
  CHECK(alice.visits == 3);    // P1 01-05, P1 01-12, P2 01-05
  CHECK(alice.patients == 2);  // P1, P2
  CHECK(alice.avg_visit == M("66.67"));  // 200 / 3 = 66.666.. -> 66.67

  const RevenueRow& bob = r.rows[1];
  CHECK(bob.services == M("150.00"));  // 200 - 50: a refund sums like any line
  CHECK(bob.goods == 0);
  CHECK(bob.total == M("150.00"));
  CHECK(bob.share == 405);  // 150 / 370 = 40.540.. % -> 40.5
  CHECK(bob.lines == 2);
  CHECK(bob.visits == 1);
  CHECK(bob.patients == 1);
  CHECK(bob.avg_visit == M("150.00"));

  const RevenueRow& none = r.rows[2];
  CHECK(none.employee == kNone);
  CHECK(EmployeeName(data, none.employee) == "(unassigned)");
  CHECK(EmployeeName(data, none.employee) == kUnassigned);
  CHECK(none.services == M("5.00"));
  CHECK(none.goods == M("15.00"));
  CHECK(none.total == M("20.00"));
  CHECK(none.share == 54);  // 20 / 370 = 5.405.. % -> 5.4
  CHECK(none.lines == 2);
  CHECK(none.visits == 1);
  CHECK(none.patients == 1);
  CHECK(none.avg_visit == M("20.00"));

  const RevenueRow& total = r.total;
  CHECK(total.employee == kNone);
  CHECK(total.services == M("335.00"));  // 180 + 150 + 5
  CHECK(total.goods == M("35.00"));      // 20 + 15
  CHECK(total.total == M("370.00"));
  CHECK(total.share == 1000);
  CHECK(total.lines == 8);
  CHECK(total.visits == 5);              // 3 + 1 + 1
  CHECK(total.patients == 3);            // P1, P2, P3: not 2 + 1 + 1
  CHECK(total.avg_visit == M("74.00"));  // 370 / 5
}

TEST_CASE("revenue: filters and the period") {
  const Export data = RevenueExport();
  SUBCASE("employee E2: one row, the TOTAL is that row") {
    const RevenueReport r = Ok(ComputeRevenue(data, Options().Employee("E2")));
    REQUIRE(RowIds(data, r) == Strings{"E2"});
    CHECK(r.rows[0].share == 1000);
    CHECK(r.total.total == M("150.00"));
    CHECK(r.total.patients == 1);
    CHECK(r.total.visits == 1);
  }
  SUBCASE("division D2") {
    // Alice: P1 01-12 50; Bob: 200 - 50 = 150. Total 200.
    const RevenueReport r = Ok(ComputeRevenue(data, Options().Division("D2")));
    REQUIRE(RowIds(data, r) == Strings{"E2", "E1"});
    CHECK(r.rows[0].share == 750);  // 150 / 200
    CHECK(r.rows[1].share == 250);  // 50 / 200
    CHECK(r.rows[1].visits == 1);
    CHECK(r.total.patients == 2);
  }
  SUBCASE("period 01-06 .. 01-07") {
    const RevenueReport r = Ok(ComputeRevenue(data, Options().From("2024-01-06").To("2024-01-07")));
    REQUIRE(RowIds(data, r) == Strings{"E2", "(unassigned)"});
    CHECK(r.total.total == M("170.00"));  // 150 + 20
    CHECK(r.rows[0].share == 882);        // 150 / 170 = 88.235.. % -> 88.2
    CHECK(r.rows[1].share == 118);        // 20 / 170 = 11.764.. % -> 11.8
  }
  SUBCASE("an empty period") {
    const RevenueReport r = Ok(ComputeRevenue(data, Options().From("2024-02-01")));
    CHECK(r.rows.empty());
    CHECK(r.total.total == 0);
    CHECK(r.total.lines == 0);
    CHECK(r.total.visits == 0);
    CHECK(r.total.patients == 0);
    CHECK(r.total.share == kNoPercent);
  }
}

// One employee, `amounts` on consecutive days (one visit each).
RevenueRow OneEmployee(const std::vector<const char*>& amounts) {
  Fixture f;
  f.Employee("E1", "Alice");
  int day = 1;
  for (const char* amount : amounts) {
    f.Line("2024-01-0" + std::to_string(day++), "P1", "E1", "", amount);
  }
  const Export data = f.Build();
  const RevenueReport r = Ok(ComputeRevenue(data, ReportOptions{}));
  REQUIRE(r.rows.size() == 1);
  return r.rows[0];
}

TEST_CASE("revenue: the average per visit rounds half away from zero to cents") {
  SUBCASE("0.05 / 2 = 0.025 -> 0.03") {
    CHECK(OneEmployee({"0.02", "0.03"}).avg_visit == M("0.03"));
  }
  SUBCASE("-0.05 / 2 = -0.025 -> -0.03") {
    CHECK(OneEmployee({"-0.02", "-0.03"}).avg_visit == M("-0.03"));
  }
  SUBCASE("0.0249 / 1 -> 0.02, below the half") {
    CHECK(OneEmployee({"0.0249"}).avg_visit == M("0.02"));
  }
  SUBCASE("10.00 / 3 = 3.333.. -> 3.33") {
    CHECK(OneEmployee({"5.00", "3.00", "2.00"}).avg_visit == M("3.33"));
  }
  SUBCASE("a total netting to 0 over two visits") {
    const RevenueRow row = OneEmployee({"10.00", "-10.00"});
    CHECK(row.total == 0);
    CHECK(row.visits == 2);
    CHECK(row.avg_visit == 0);
  }
}

TEST_CASE("revenue: ties by name then id, (unassigned) by its name") {
  Fixture f;
  f.Employee("E2", "Same").Employee("E1", "Same").Employee("E3", "Zed");
  f.Line("2024-01-01", "P1", "E1", "", "10.00");
  f.Line("2024-01-01", "P1", "E2", "", "10.00");
  f.Line("2024-01-01", "P1", "E3", "", "10.00");
  f.Line("2024-01-01", "P1", "", "", "10.00");
  f.Line("2024-01-01", "P1", "E7", "", "10.00");  // not in the table: named "E7"
  const Export data = f.Build();
  const RevenueReport r = Ok(ComputeRevenue(data, ReportOptions{}));
  // "(unassigned)" ('(' = 0x28) < "E7" < "Same" (E1, E2) < "Zed".
  CHECK(RowIds(data, r) == Strings{"(unassigned)", "E7", "E1", "E2", "E3"});
  CHECK(r.total.visits == 5);    // five employees (one of them "none") on one day
  CHECK(r.total.patients == 1);
  for (const RevenueRow& row : r.rows) CHECK(row.share == 200);  // 10 / 50
}

TEST_CASE("revenue: a negative employee total sorts last, shares are signed") {
  Fixture f;
  f.Employee("E1", "Alice").Employee("E2", "Bob");
  f.Line("2024-01-01", "P1", "E1", "", "9.00");
  f.Line("2024-01-02", "P2", "E2", "", "-1.00");
  const Export data = f.Build();
  const RevenueReport r = Ok(ComputeRevenue(data, ReportOptions{}));
  REQUIRE(RowIds(data, r) == Strings{"E1", "E2"});
  CHECK(r.rows[0].share == 1125);  // 9 / 8 = 112.5 %
  CHECK(r.rows[1].share == -125);  // -1 / 8 = -12.5 % exactly
  CHECK(r.rows[1].avg_visit == M("-1.00"));
  CHECK(r.total.total == M("8.00"));
}

}  // namespace
}  // namespace clinic
