// Customer loyalty (docs/reports.md, "Customer loyalty"). Every count below
// is worked out by hand from the fixture's story in the comments.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fixtures.h"
#include "reports.h"

namespace clinic {
namespace {

using test::Fixture;
using test::Ok;
using test::Options;
using Strings = std::vector<std::string>;

// primary, returned, returned_to_clinic, old, pending, retention.
struct Counts {
  uint64_t primary, returned, to_clinic, old, pending;
  Permille retention;
};

void CheckRow(const LoyaltyRow& row, const Counts& want) {
  CHECK(row.primary == want.primary);
  CHECK(row.returned == want.returned);
  CHECK(row.returned_to_clinic == want.to_clinic);
  CHECK(row.old == want.old);
  CHECK(row.pending == want.pending);
  CHECK(row.retention == want.retention);
}

Strings RowIds(const Export& data, const LoyaltyReport& r) {
  Strings ids;
  for (const LoyaltyRow& row : r.rows) ids.push_back(test::EmployeeId(data, row.employee));
  return ids;
}

const LoyaltyRow& Row(const Export& data, const LoyaltyReport& r, const std::string& id) {
  for (const LoyaltyRow& row : r.rows) {
    if (test::EmployeeId(data, row.employee) == id) return row;
  }
  FAIL("no row for employee " << id);
  return r.total;
}

// The period is February 2024 (29 days). The export's last date is 03-20
// (P6's cancelled line), so a limit after 03-20 leaves a patient pending.
//   P1: first 02-03 with Alice and Bob; 02-10 Alice again.
//   P2: first 01-15 (before the period) with Alice; 02-05 Bob.
//   P3: first 02-20 Bob; back to Bob 03-05 (after `to`).
//   P4: first 02-25 Carol; never back.
//   P5: first 02-01 Alice; 02-02 a line without an employee.
//   P6: first 03-01 Alice (after `to`); a cancelled line 03-20.
//   P7: a cancelled line 02-04, first completed 02-06 Carol.
Export StoryExport() {
  Fixture f;
  f.Employee("E1", "Alice").Employee("E2", "Bob").Employee("E3", "Carol");
  f.Line("2024-02-03", "P1", "E1", "", "10.00");
  f.Line("2024-02-03", "P1", "E2", "", "10.00");
  f.Line("2024-02-10", "P1", "E1", "", "10.00");
  f.Line("2024-01-15", "P2", "E1", "", "10.00");
  f.Line("2024-02-05", "P2", "E2", "", "10.00");
  f.Line("2024-02-20", "P3", "E2", "", "10.00");
  f.Line("2024-03-05", "P3", "E2", "", "10.00");
  f.Line("2024-02-25", "P4", "E3", "", "10.00");
  f.Line("2024-02-01", "P5", "E1", "", "10.00");
  f.Line("2024-02-02", "P5", "", "", "10.00");
  f.Line("2024-03-01", "P6", "E1", "", "10.00");
  f.Cancelled("2024-03-20", "P6", "E2", "", "10.00");
  f.Cancelled("2024-02-04", "P7", "E3", "", "10.00");
  f.Line("2024-02-06", "P7", "E3", "", "10.00");
  return f.Build();
}

Options February() { return Options().From("2024-02-01").To("2024-02-29"); }

TEST_CASE("loyalty: without a return window returns count up to `to`") {
  const Export data = StoryExport();
  const LoyaltyReport r = Ok(ComputeRetention(data, February()));
  CHECK_FALSE(r.has_pending);
  REQUIRE(RowIds(data, r) == Strings{"E1", "E2", "E3"});  // Alice, Bob, Carol; no "none" row
  // Alice: primary P1, P5; returned P1 (02-10); to clinic P1, P5 (02-02 without employee).
  CheckRow(Row(data, r, "E1"), {2, 1, 2, 0, 0, 500});  // 1/2 = 50.0 %
  // Bob: primary P1 (same first day as Alice), P3; P3's 03-05 is after `to`;
  // to clinic P1 (Alice 02-10); old P2 (Bob 02-05, first visit 01-15 < from).
  CheckRow(Row(data, r, "E2"), {2, 0, 1, 1, 0, 0});
  // Carol: primary P4 and P7 (whose first *completed* line is 02-06).
  CheckRow(Row(data, r, "E3"), {2, 0, 0, 0, 0, 0});
  // TOTAL: P1 counted once: primary P1, P3, P4, P5, P7; returned P1;
  // to clinic P1, P5; old P2. Retention 1/5 = 20.0 %.
  CheckRow(r.total, {5, 1, 2, 1, 0, 200});
  CHECK(r.total.employee == kNone);
}

TEST_CASE("loyalty: a return window reaches past `to`, and pending patients") {
  const Export data = StoryExport();
  SUBCASE("window 30") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Window(30)));
    CHECK(r.has_pending);
    // Alice: P1's limit 02-03 + 30 = 03-04, returned 02-10; P5's limit 03-02 <= 03-20: not pending.
    CheckRow(Row(data, r, "E1"), {2, 1, 2, 0, 0, 500});
    // Bob: P3's limit 02-20 + 30 = 03-21 takes in 03-05; P1 not back to Bob, limit 03-04: not pending.
    CheckRow(Row(data, r, "E2"), {2, 1, 2, 1, 0, 500});
    // Carol: P4's limit 02-25 + 30 = 03-26 > 03-20: pending; P7's 03-07: not.
    CheckRow(Row(data, r, "E3"), {2, 0, 0, 0, 1, 0});
    // TOTAL: returned P1, P3; to clinic P1, P3, P5; pending P4. 2/5 = 40.0 %.
    CheckRow(r.total, {5, 2, 3, 1, 1, 400});
  }
  SUBCASE("a limit equal to the last date is not pending") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Window(24)));
    CHECK(Row(data, r, "E3").pending == 0);  // 02-25 + 24 = 03-20, not after 03-20
    CHECK(r.total.pending == 0);
  }
  SUBCASE("a limit one day after the last date is pending") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Window(25)));
    CHECK(Row(data, r, "E3").pending == 1);  // 02-25 + 25 = 03-21 > 03-20
    CHECK(r.total.pending == 1);
  }
  SUBCASE("the limit is inclusive") {
    const LoyaltyReport r14 = Ok(ComputeRetention(data, February().Window(14)));
    CHECK(Row(data, r14, "E2").returned == 1);  // 02-20 + 14 = 03-05: P3 is back that day
    const LoyaltyReport r13 = Ok(ComputeRetention(data, February().Window(13)));
    CHECK(Row(data, r13, "E2").returned == 0);  // 02-20 + 13 = 03-04
    CHECK(Row(data, r13, "E2").returned_to_clinic == 1);  // only P1
  }
  SUBCASE("window 0: no later date can be within the limit") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Window(0)));
    CheckRow(Row(data, r, "E1"), {2, 0, 0, 0, 0, 0});
    CheckRow(r.total, {5, 0, 0, 1, 0, 0});
  }
  SUBCASE("a window shorter than the period stops returns inside it") {
    // P1: 02-03 + 6 = 02-09 excludes 02-10; P5: 02-01 + 6 = 02-07 includes 02-02.
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Window(6)));
    CheckRow(Row(data, r, "E1"), {2, 0, 1, 0, 0, 0});
  }
}

TEST_CASE("loyalty: open ends of the period") {
  const Export data = StoryExport();
  SUBCASE("no `from`: nobody is old, earlier first visits are primary") {
    const LoyaltyReport r = Ok(ComputeRetention(data, Options().To("2024-02-29")));
    // Alice gains P2 (first 01-15): not back to Alice, back to the clinic 02-05 (Bob).
    CheckRow(Row(data, r, "E1"), {3, 1, 3, 0, 0, 333});  // 1/3 = 33.3 %
    CheckRow(Row(data, r, "E2"), {2, 0, 1, 0, 0, 0});
    CheckRow(r.total, {6, 1, 3, 0, 0, 167});  // 1/6 = 16.666.. % -> 16.7
  }
  SUBCASE("no `to`: returns up to the end of the export") {
    const LoyaltyReport r = Ok(ComputeRetention(data, Options().From("2024-02-01")));
    CheckRow(Row(data, r, "E1"), {3, 1, 2, 0, 0, 333});  // P6 (03-01) is primary now
    CheckRow(Row(data, r, "E2"), {2, 1, 2, 1, 0, 500});  // P3's 03-05 counts
    CheckRow(r.total, {6, 2, 3, 1, 0, 333});             // 2/6
  }
}

TEST_CASE("loyalty: an empty period") {
  const Export data = StoryExport();
  const LoyaltyReport r = Ok(ComputeRetention(data, Options().From("2025-01-01")));
  CHECK(r.rows.empty());
  CheckRow(r.total, {0, 0, 0, 0, 0, kNoPercent});
}

TEST_CASE("loyalty: the employee filter selects the rows and the TOTAL") {
  const Export data = StoryExport();
  const LoyaltyReport r = Ok(ComputeRetention(data, February().Employee("E2")));
  REQUIRE(RowIds(data, r) == Strings{"E2"});
  CheckRow(r.rows[0], {2, 0, 1, 1, 0, 0});
  // Returned to clinic still looks at any employee: P1 came back to Alice.
  CheckRow(r.total, {2, 0, 1, 1, 0, 0});
}

// Old patients (first visit before February), in the period:
//   O1: first 01-05 Alice; 02-03 Alice twice (D1, one visit), 02-10 Bob (D2).
//   O2: first 01-07 Bob; 02-04 a line without an employee (D1).
//   O3: first 01-09 Carol; 02-06 Carol (D2).
//   O4: first 01-11 Alice; nothing in February (03-01 Alice).
//   N1: first 02-02 Alice (D1): primary.
Export OldPatientsExport() {
  Fixture f;
  f.Division("D1", "Surgery").Division("D2", "Dental");
  f.Employee("E1", "Alice").Employee("E2", "Bob").Employee("E3", "Carol");
  f.Line("2024-01-05", "O1", "E1", "D1", "10.00");
  f.Line("2024-02-03", "O1", "E1", "D1", "10.00");
  f.Line("2024-02-03", "O1", "E1", "D1", "5.00");
  f.Line("2024-02-10", "O1", "E2", "D2", "10.00");
  f.Line("2024-01-07", "O2", "E2", "D1", "10.00");
  f.Line("2024-02-04", "O2", "", "D1", "10.00");
  f.Line("2024-01-09", "O3", "E3", "D2", "10.00");
  f.Line("2024-02-06", "O3", "E3", "D2", "10.00");
  f.Line("2024-01-11", "O4", "E1", "D1", "10.00");
  f.Line("2024-03-01", "O4", "E1", "D1", "10.00");
  f.Line("2024-02-02", "N1", "E1", "D1", "10.00");
  return f.Build();
}

TEST_CASE(
    "loyalty: old patients once per employee and once in TOTAL, never by a line without one") {
  const Export data = OldPatientsExport();
  SUBCASE("no filter") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February()));
    REQUIRE(RowIds(data, r) == Strings{"E1", "E2", "E3"});
    CheckRow(Row(data, r, "E1"), {1, 0, 0, 1, 0, 0});           // N1 primary; O1 old (two lines)
    CheckRow(Row(data, r, "E2"), {0, 0, 0, 1, 0, kNoPercent});  // O1 old; O2's line has no employee
    CheckRow(Row(data, r, "E3"), {0, 0, 0, 1, 0, kNoPercent});  // a row of old patients only
    CheckRow(r.total, {1, 0, 0, 2, 0, 0});                      // O1 (once) and O3, not O2 or O4
  }
  SUBCASE("employee filter: Bob") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Employee("E2")));
    REQUIRE(RowIds(data, r) == Strings{"E2"});
    CheckRow(r.rows[0], {0, 0, 0, 1, 0, kNoPercent});
    CheckRow(r.total, {0, 0, 0, 1, 0, kNoPercent});  // O1 through Bob's line
  }
  SUBCASE("division filter: Dental") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Division("D2")));
    REQUIRE(RowIds(data, r) == Strings{"E2", "E3"});  // Alice has no Dental line in February
    CheckRow(Row(data, r, "E2"), {0, 0, 0, 1, 0, kNoPercent});
    CheckRow(Row(data, r, "E3"), {0, 0, 0, 1, 0, kNoPercent});
    CheckRow(r.total, {0, 0, 0, 2, 0, kNoPercent});
  }
  SUBCASE("division filter: Surgery") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Division("D1")));
    REQUIRE(RowIds(data, r) == Strings{"E1"});  // O2's Surgery line has no employee
    CheckRow(r.rows[0], {1, 0, 0, 1, 0, 0});
    CheckRow(r.total, {1, 0, 0, 1, 0, 0});
  }
}

// R1: first 02-03 in Surgery (D1) with Alice, back 02-10 in Dental (D2).
// R2: 02-04 and 02-06 in Dental with Alice.
Export DivisionExport() {
  Fixture f;
  f.Division("D1", "Surgery").Division("D2", "Dental").Employee("E1", "Alice");
  f.Line("2024-02-03", "R1", "E1", "D1", "10.00");
  f.Line("2024-02-10", "R1", "E1", "D2", "10.00");
  f.Line("2024-02-04", "R2", "E1", "D2", "10.00");
  f.Line("2024-02-06", "R2", "E1", "D2", "10.00");
  return f.Build();
}

TEST_CASE("loyalty: the division filter never moves the first visit") {
  const Export data = DivisionExport();
  SUBCASE("no filter") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February()));
    CheckRow(Row(data, r, "E1"), {2, 2, 2, 0, 0, 1000});
  }
  SUBCASE("Dental: R1's first visit stays 02-03 (Surgery), so R1 is neither primary nor old") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Division("D2")));
    CheckRow(Row(data, r, "E1"), {1, 1, 1, 0, 0, 1000});  // R2 only
    CheckRow(r.total, {1, 1, 1, 0, 0, 1000});
  }
  SUBCASE("Surgery: R1 is primary, its Dental return is not counted") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().Division("D1")));
    CheckRow(Row(data, r, "E1"), {1, 0, 0, 0, 0, 0});
  }
}

// Q1: first 01-10 Alice; 02-05 Bob (new to Bob), 02-12 Bob, 02-15 Alice.
// Q2: first 02-03 Alice and Bob; 02-08 Bob; 02-20 Alice.
Export PerEmployeeExport() {
  Fixture f;
  f.Employee("E1", "Alice").Employee("E2", "Bob");
  f.Line("2024-01-10", "Q1", "E1", "", "10.00");
  f.Line("2024-02-05", "Q1", "E2", "", "10.00");
  f.Line("2024-02-12", "Q1", "E2", "", "10.00");
  f.Line("2024-02-15", "Q1", "E1", "", "10.00");
  f.Line("2024-02-03", "Q2", "E1", "", "10.00");
  f.Line("2024-02-03", "Q2", "E2", "", "10.00");
  f.Line("2024-02-08", "Q2", "E2", "", "10.00");
  f.Line("2024-02-20", "Q2", "E1", "", "10.00");
  return f.Build();
}

TEST_CASE("loyalty: new per employee") {
  const Export data = PerEmployeeExport();
  SUBCASE("clinic-wide first visit: Q1 is old for both") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February()));
    CheckRow(Row(data, r, "E1"), {1, 1, 1, 1, 0, 1000});  // Q2 primary + back 02-20; Q1 old
    CheckRow(Row(data, r, "E2"), {1, 1, 1, 1, 0, 1000});  // Q2 primary + back 02-08; Q1 old
    CheckRow(r.total, {1, 1, 1, 1, 0, 1000});
  }
  SUBCASE("per employee: Q1 is old for Alice but new for Bob") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().NewPerEmployee()));
    CheckRow(Row(data, r, "E1"), {1, 1, 1, 1, 0, 1000});  // Q2 (02-03 -> 02-20); Q1 old (01-10)
    CheckRow(Row(data, r, "E2"), {2, 2, 2, 0, 0, 1000});  // Q1 (02-05 -> 02-12), Q2 (02-03 -> 02-08)
    // Q1 is primary (for Bob) and old (for Alice): it counts in both TOTAL columns.
    CheckRow(r.total, {2, 2, 2, 1, 0, 1000});
  }
  SUBCASE("per employee with a window: the limit is first-with-E + N") {
    const LoyaltyReport r = Ok(ComputeRetention(data, February().NewPerEmployee().Window(5)));
    // Alice: Q2 limit 02-08: her 02-20 is late, but Bob's 02-08 brings Q2 back to the clinic.
    CheckRow(Row(data, r, "E1"), {1, 0, 1, 1, 0, 0});
    // Bob: Q1 limit 02-10 misses 02-12 (not back at all); Q2 limit 02-08 catches 02-08.
    CheckRow(Row(data, r, "E2"), {2, 1, 1, 0, 0, 500});
    // TOTAL: primary Q1, Q2; returned Q2 (Bob); to clinic Q2; old Q1; nobody pending
    // (limits 02-08 and 02-10 are before the last date 02-20).
    CheckRow(r.total, {2, 1, 1, 1, 0, 500});
  }
}

TEST_CASE("loyalty: rows by name then id; EmployeeName") {
  Fixture f;
  f.Employee("E2", "Same").Employee("E1", "Same").Employee("E3", "Abe");
  f.Line("2024-02-01", "P1", "E1", "", "1.00");
  f.Line("2024-02-01", "P1", "E2", "", "1.00");
  f.Line("2024-02-01", "P1", "E3", "", "1.00");
  f.Line("2024-02-01", "P1", "E9", "", "1.00");  // not in the employees table
  const Export data = f.Build();
  const LoyaltyReport r = Ok(ComputeRetention(data, ReportOptions{}));
  CHECK(RowIds(data, r) == Strings{"E3", "E9", "E1", "E2"});  // Abe, "E9", Same(E1), Same(E2)
  CHECK(EmployeeName(data, r.rows[1].employee) == "E9");
  CHECK(EmployeeName(data, kNone) == "(unassigned)");
  CheckRow(r.total, {1, 0, 0, 0, 0, 0});  // one patient, four employees on the first day
  for (const LoyaltyRow& row : r.rows) CHECK(row.primary == 1);
}

}  // namespace
}  // namespace clinic
