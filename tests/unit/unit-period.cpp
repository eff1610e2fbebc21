// PeriodLines: the lines of one period, found once and shared by the four
// reports of a period change. It must list exactly the patients with a line
// in the period, and a report given one must equal the report computed alone.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures.h"
#include "format.h"
#include "reports.h"

namespace clinic {
namespace {

using test::D;
using test::Fixture;
using test::Options;

// A small deterministic generator (xorshift64*), so failures repeat.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

std::string Day2024(int offset) { return FormatDate(D("2024-01-01") + offset); }

// 120 patients, 6 employees, 4 divisions, 2,000 lines over two years, with
// refunds, goods, cancelled and no-show lines, and lines without an employee
// or a division.
Export RandomExport(Rng& rng) {
  Fixture f;
  for (int d = 1; d <= 4; ++d) f.Division("D" + std::to_string(d), "Division " + std::to_string(d));
  for (int e = 1; e <= 6; ++e) f.Employee("E" + std::to_string(e), "Employee " + std::to_string(e));
  for (int p = 1; p <= 120; ++p)
    f.Patient("P" + std::to_string(p), "Name " + std::to_string(p % 17));
  for (int i = 0; i < 2000; ++i) {
    const std::string day = Day2024(rng.Below(730));
    const std::string patient = "P" + std::to_string(1 + rng.Below(120));
    const int e = rng.Below(7), d = rng.Below(5);
    const std::string employee = e == 6 ? "" : "E" + std::to_string(e + 1);
    const std::string division = d == 4 ? "" : "D" + std::to_string(d + 1);
    const int cents = rng.Below(50000) - (rng.Below(20) == 0 ? 60000 : 0);
    const std::string amount = (cents < 0 ? "-" : "") + std::to_string(std::abs(cents) / 100) +
                               "." + std::to_string(std::abs(cents) % 100 / 10) +
                               std::to_string(std::abs(cents) % 10);
    switch (rng.Below(12)) {
      case 0:
        f.Cancelled(day, patient, employee, division, amount);
        break;
      case 1:
        f.NoShow(day, patient, employee, division, amount);
        break;
      case 2:
        f.Goods(day, patient, employee, division, amount);
        break;
      default:
        f.Line(day, patient, employee, division, amount);
    }
  }
  return f.Build();
}

// The expected contents, by a different route: every line is tested on its
// own, and a patient's lines in the period must be one contiguous range.
std::vector<std::tuple<Index, uint32_t, uint32_t>> ByEveryLine(const Export& data, Day from,
                                                               Day to) {
  std::vector<std::tuple<Index, uint32_t, uint32_t>> out;
  for (Index p = 0; p < data.patients.size(); ++p) {
    uint32_t begin = 0, end = 0, count = 0;
    for (uint32_t i = data.patient_begin[p]; i < data.patient_begin[p + 1]; ++i) {
      const Day day = data.lines.day[i];
      if ((from != kNoDay && day < from) || (to != kNoDay && day > to)) continue;
      if (count++ == 0) begin = i;
      end = i + 1;
    }
    if (count == 0) continue;
    REQUIRE(end - begin == count);
    out.emplace_back(p, begin, end);
  }
  return out;
}

std::vector<std::tuple<Index, uint32_t, uint32_t>> Listed(const PeriodLines& period) {
  std::vector<std::tuple<Index, uint32_t, uint32_t>> out;
  for (const PeriodLines::Patient& p : period.patients())
    out.emplace_back(p.patient, p.begin, p.end);
  return out;
}

// All four reports as CSV text (every value a person sees) plus their counts.
std::string AllReports(const Export& data, const ReportOptions& options,
                       const PeriodLines* period) {
  const RatingReport rating = test::Ok(RankCustomers(data, options, period));
  const DivisionsReport divisions = test::Ok(BuildCrossReport(data, options, period));
  const LoyaltyReport loyalty = test::Ok(ComputeRetention(data, options, period));
  const RevenueReport revenue = test::Ok(ComputeRevenue(data, options, period));
  return ToCsv(RatingTable(data, rating)) + std::to_string(rating.patients) + "/" +
         std::to_string(rating.visits) + "/" + std::to_string(rating.total) + "\n" +
         ToCsv(DivisionsTable(data, divisions)) + std::to_string(divisions.patients) + "\n" +
         ToCsv(LoyaltyTable(data, loyalty)) + std::to_string(loyalty.total.pending) + "\n" +
         ToCsv(RevenueTable(data, revenue));
}

TEST_CASE(
    "period lines: exactly the patients with a line in the period, and where those lines are") {
  Fixture f;
  f.Patient("P1", "Anna").Patient("P2", "Boris").Patient("P3", "Chen");
  f.Line("2024-01-05", "P1", "", "", "10.00");
  f.Line("2024-02-01", "P1", "", "", "10.00");
  f.Line("2024-03-01", "P1", "", "", "10.00");
  f.Line("2024-01-31", "P2", "", "", "10.00");
  f.Cancelled("2024-02-10", "P3", "", "", "10.00");  // not a counted line: P3 has none
  const Export data = f.Build();
  // The lines are sorted by patient, then day: P1 at 0..2, P2 at 3.
  CHECK(Listed(PeriodLines(data, kNoDay, kNoDay)) ==
        std::vector<std::tuple<Index, uint32_t, uint32_t>>{{0, 0, 3}, {1, 3, 4}});
  // Inclusive at both ends: 2024-01-31 and 2024-02-01 are in, 2024-03-01 is out.
  CHECK(Listed(PeriodLines(data, D("2024-01-31"), D("2024-02-29"))) ==
        std::vector<std::tuple<Index, uint32_t, uint32_t>>{{0, 1, 2}, {1, 3, 4}});
  CHECK(Listed(PeriodLines(data, D("2024-02-02"), kNoDay)) ==
        std::vector<std::tuple<Index, uint32_t, uint32_t>>{{0, 2, 3}});
  CHECK(Listed(PeriodLines(data, kNoDay, D("2024-01-04"))).empty());
  CHECK(Listed(PeriodLines(data, D("2024-03-01"), D("2024-02-01"))).empty());  // from > to
}

TEST_CASE("period lines: random periods agree with a test of every line") {
  Rng rng(7);
  const Export data = RandomExport(rng);
  for (int k = 0; k < 300; ++k) {
    const Day from = rng.Below(6) == 0 ? kNoDay : D("2023-12-01") + rng.Below(800);
    const Day to = rng.Below(6) == 0 ? kNoDay
                   : from == kNoDay  ? D("2024-06-01")
                                     : from + rng.Below(400);
    CAPTURE(from);
    CAPTURE(to);
    CHECK(Listed(PeriodLines(data, from, to)) == ByEveryLine(data, from, to));
  }
}

TEST_CASE("period lines: reports given them equal reports computed alone; others are ignored") {
  Rng rng(11);
  const Export data = RandomExport(rng);
  const Export other = RandomExport(rng);
  for (int k = 0; k < 200; ++k) {
    Options o;
    if (rng.Below(5) != 0) o.value.from = D("2024-01-01") + rng.Below(700);
    if (rng.Below(5) != 0) {
      o.value.to = (o.value.from == kNoDay ? D("2024-03-01") : o.value.from) + rng.Below(400);
    }
    if (rng.Below(4) == 0) o.Top(static_cast<uint32_t>(1 + rng.Below(30)));
    if (rng.Below(5) == 0) o.Division("D" + std::to_string(1 + rng.Below(4)));
    if (rng.Below(5) == 0) o.Employee("E" + std::to_string(1 + rng.Below(6)));
    if (rng.Below(3) == 0) o.Window(rng.Below(120));
    if (rng.Below(4) == 0) o.NewPerEmployee();
    if (rng.Below(4) == 0) o.AllDivisions();
    CAPTURE(k);
    const std::string alone = AllReports(data, o, nullptr);
    const PeriodLines shared(data, o.value.from, o.value.to);
    CHECK(AllReports(data, o, &shared) == alone);
    // Built for another period, or for another export: not used.
    const PeriodLines wrong_period(data, o.value.from == kNoDay ? D("2024-05-01") : kNoDay,
                                   o.value.to);
    CHECK(AllReports(data, o, &wrong_period) == alone);
    const PeriodLines wrong_export(other, o.value.from, o.value.to);
    CHECK(AllReports(data, o, &wrong_export) == alone);
  }
}

}  // namespace
}  // namespace clinic
