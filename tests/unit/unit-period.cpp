// PeriodLines and ReportCache: the lines of one period, their totals and the
// ranked patients, found once and shared by the four reports of a period change.
// PeriodLines must list exactly the patients with a line in the period, and
// a report given a cache must equal the report computed alone, whatever the
// cache kept from the reports before it.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <span>
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

// 123 patients (the last three without lines), 6 employees, 4 divisions,
// 2,000 lines over two years, with refunds, goods, cancelled and no-show
// lines, and lines without an employee or a division.
Export RandomExport(Rng& rng) {
  Fixture f;
  for (int d = 1; d <= 4; ++d) f.Division("D" + std::to_string(d), "Division " + std::to_string(d));
  for (int e = 1; e <= 6; ++e) f.Employee("E" + std::to_string(e), "Employee " + std::to_string(e));
  for (int p = 1; p <= 123; ++p)
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

// Each report as CSV text (every value a person sees) plus its counts.
std::string RatingText(const Export& data, const ReportOptions& options, ReportCache* cache) {
  const RatingReport rating = test::Ok(RankCustomers(data, options, cache));
  return ToCsv(RatingTable(data, rating)) + std::to_string(rating.patients) + "/" +
         std::to_string(rating.visits) + "/" + std::to_string(rating.total) + "\n";
}
std::string DivisionsText(const Export& data, const ReportOptions& options, ReportCache* cache) {
  const DivisionsReport divisions = test::Ok(BuildCrossReport(data, options, cache));
  return ToCsv(DivisionsTable(data, divisions)) + std::to_string(divisions.patients) + "\n";
}
std::string LoyaltyText(const Export& data, const ReportOptions& options, ReportCache* cache) {
  const LoyaltyReport loyalty = test::Ok(ComputeRetention(data, options, cache));
  return ToCsv(LoyaltyTable(data, loyalty)) + std::to_string(loyalty.total.pending) + "\n";
}
std::string RevenueText(const Export& data, const ReportOptions& options, ReportCache* cache) {
  return ToCsv(RevenueTable(data, test::Ok(ComputeRevenue(data, options, cache))));
}

std::string AllReports(const Export& data, const ReportOptions& options, ReportCache* cache) {
  return RatingText(data, options, cache) + DivisionsText(data, options, cache) +
         LoyaltyText(data, options, cache) + RevenueText(data, options, cache);
}

// Random options over the RandomExport's two years, every option in play.
Options RandomOptions(Rng& rng) {
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
  return o;
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
  // The patients' first and last days, which find a period's patients four
  // at a time, are those of their runs; kNoDay for a patient without lines.
  size_t without_lines = 0;
  for (Index p = 0; p < data.patients.size(); ++p) {
    const uint32_t begin = data.patient_begin[p], end = data.patient_begin[p + 1];
    without_lines += begin == end;
    CHECK(data.patient_first_day[p] == (begin == end ? kNoDay : data.lines.day[begin]));
    CHECK(data.patient_last_day[p] == (begin == end ? kNoDay : data.lines.day[end - 1]));
  }
  CHECK(without_lines > 0);
  CHECK(data.patients.size() % 4 != 0);  // the last patients are found one by one
  for (int k = 0; k < 300; ++k) {
    const Day from = rng.Below(6) == 0 ? kNoDay : D("2023-12-01") + rng.Below(800);
    const Day to = rng.Below(6) == 0 ? kNoDay
                   : from == kNoDay  ? D("2024-06-01")
                                     : from + rng.Below(400);
    CAPTURE(from);
    CAPTURE(to);
    const PeriodLines period(data, from, to);
    const auto expected = ByEveryLine(data, from, to);
    CHECK(Listed(period) == expected);
    for (const PeriodLines::Patient& p : period.patients()) {
      CHECK(p.first_visit == data.lines.day[data.patient_begin[p.patient]]);
    }
    uint32_t lines = 0;
    for (const auto& [patient, begin, end] : expected) lines += end - begin;
    CHECK(period.lines() == lines);
  }
}

TEST_CASE("period lines: found again in the same memory, as if built anew, block by block") {
  Rng rng(5);
  const Export data = RandomExport(rng);
  PeriodLines reused(data, kNoDay, kNoDay);
  for (int k = 0; k < 200; ++k) {
    const Day from = rng.Below(6) == 0 ? kNoDay : D("2023-12-01") + rng.Below(800);
    const Day to = rng.Below(6) == 0 ? kNoDay : from == kNoDay ? D("2024-06-01") : from + rng.Below(400);
    CAPTURE(from);
    CAPTURE(to);
    // Blocks handed on as they are found, in order, add up to the patients.
    std::vector<std::tuple<Index, uint32_t, uint32_t>> blocks;
    reused.Find(from, to, [&blocks](std::span<const PeriodLines::Patient> block) {
      for (const PeriodLines::Patient& p : block) blocks.emplace_back(p.patient, p.begin, p.end);
    });
    CHECK(reused.Covers(data, from, to));
    CHECK(blocks == Listed(reused));
    const auto expected = ByEveryLine(data, from, to);
    CHECK(Listed(reused) == expected);
    uint32_t lines = 0;
    for (const auto& [patient, begin, end] : expected) lines += end - begin;
    CHECK(reused.lines() == lines);
  }
}

TEST_CASE("period lines: handed on in blocks that add up to the patients, in order") {
  // 5,000 patients: several of the blocks PeriodLines hands on while finding.
  Rng rng(23);
  Fixture f;
  for (int p = 0; p < 5000; ++p) {
    const std::string id = "P" + std::to_string(p);
    f.Patient(id, id);
    for (int k = 0, n = 1 + rng.Below(4); k < n; ++k)
      f.Line(Day2024(rng.Below(730)), id, "", "", "1.00");
  }
  const Export data = f.Build();
  for (const auto& [from, to] :
       {std::pair{kNoDay, kNoDay}, std::pair{D("2024-03-01"), D("2024-09-30")},
        std::pair{D("2025-06-01"), kNoDay}}) {
    size_t calls = 0;
    std::vector<std::tuple<Index, uint32_t, uint32_t>> blocks;
    const PeriodLines period(data, from, to, [&](std::span<const PeriodLines::Patient> block) {
      ++calls;
      for (const PeriodLines::Patient& p : block) blocks.emplace_back(p.patient, p.begin, p.end);
    });
    CHECK(calls > 1);
    CHECK(blocks == Listed(period));
    CHECK(blocks == ByEveryLine(data, from, to));
  }
}

TEST_CASE("period lines: patients without lines first and last") {
  Fixture f;
  f.Patient("P0", "Zed").Patient("P1", "Anna").Patient("P2", "Boris").Patient("P3", "Chen");
  f.Line("2024-01-05", "P1", "", "", "10.00");
  f.Line("2024-02-05", "P1", "", "", "10.00");
  f.Cancelled("2024-02-07", "P2", "", "", "10.00");
  const Export data = f.Build();
  REQUIRE(data.patients.size() == 4);
  REQUIRE(data.patients.ids[0] == "P0");
  CHECK(Listed(PeriodLines(data, kNoDay, kNoDay)) ==
        std::vector<std::tuple<Index, uint32_t, uint32_t>>{{1, 0, 2}});
  CHECK(Listed(PeriodLines(data, D("2024-02-01"), kNoDay)) ==
        std::vector<std::tuple<Index, uint32_t, uint32_t>>{{1, 1, 2}});
  CHECK(Listed(PeriodLines(data, D("2024-01-06"), D("2024-02-04"))).empty());
}

TEST_CASE("period lines: an export without patients, or without lines") {
  Fixture empty;
  const Export none = empty.Build();
  CHECK(PeriodLines(none, kNoDay, kNoDay).patients().empty());
  Fixture f;
  f.Patient("P1", "Anna").Patient("P2", "Boris");
  f.Cancelled("2024-02-10", "P2", "", "", "10.00");
  const Export no_lines = f.Build();
  CHECK(PeriodLines(no_lines, kNoDay, kNoDay).patients().empty());
  CHECK(PeriodLines(no_lines, D("2024-02-10"), D("2024-02-10")).patients().empty());
}

TEST_CASE("report cache: every report equals the report computed alone, in any order") {
  Rng rng(11);
  const Export data = RandomExport(rng);
  ReportCache cache(data);
  for (int k = 0; k < 300; ++k) {
    // Mostly a period change (all four reports on one period), sometimes one
    // report with other options, as the page does when one control changes.
    const Options o = RandomOptions(rng);
    CAPTURE(k);
    if (rng.Below(3) != 0) {
      CHECK(AllReports(data, o, &cache) == AllReports(data, o, nullptr));
      continue;
    }
    switch (rng.Below(4)) {
      case 0:
        CHECK(RatingText(data, o, &cache) == RatingText(data, o, nullptr));
        break;
      case 1:
        CHECK(DivisionsText(data, o, &cache) == DivisionsText(data, o, nullptr));
        break;
      case 2:
        CHECK(LoyaltyText(data, o, &cache) == LoyaltyText(data, o, nullptr));
        break;
      default:
        CHECK(RevenueText(data, o, &cache) == RevenueText(data, o, nullptr));
    }
  }
}

TEST_CASE("report cache: one option changed at a time, each change seen") {
  Rng rng(13);
  const Export data = RandomExport(rng);
  ReportCache cache(data);
  Options o;
  o.From("2024-03-01").To("2024-09-30");
  // Each step changes one option (or sets it back) and runs every report:
  // a cache that missed a change would give the previous option's result.
  const std::vector<std::function<void(Options&)>> steps = {
      [](Options& x) { x.From("2024-03-02"); },
      [](Options& x) { x.value.from = kNoDay; },
      [](Options& x) { x.To("2025-06-30"); },
      [](Options& x) { x.value.to = kNoDay; },
      [](Options& x) { x.Division("D2"); },
      [](Options& x) { x.Division("D3"); },
      [](Options& x) { x.value.division_id.clear(); },
      [](Options& x) { x.Employee("E4"); },
      [](Options& x) { x.Employee("E1"); },
      [](Options& x) { x.value.employee_id.clear(); },
      [](Options& x) { x.Top(5); },
      [](Options& x) { x.Top(0); },
      [](Options& x) { x.AllDivisions(); },
      [](Options& x) { x.value.all_divisions = false; },
      [](Options& x) { x.Window(30); },
      [](Options& x) { x.value.return_window = -1; },
      [](Options& x) { x.NewPerEmployee(); },
      [](Options& x) { x.value.new_per_employee = false; },
      [](Options& x) { x.From("2024-03-01").To("2024-09-30"); },
  };
  for (int k = 0; k < 400; ++k) {
    steps[static_cast<size_t>(rng.Below(static_cast<int>(steps.size())))](o);
    CAPTURE(k);
    CHECK(AllReports(data, o, &cache) == AllReports(data, o, nullptr));
  }
}

TEST_CASE("report cache: computed once per period and filters, again when they change") {
  Rng rng(17);
  const Export data = RandomExport(rng);
  ReportCache cache(data);
  Options o;
  o.From("2024-02-01").To("2024-04-30");
  AllReports(data, o, &cache);
  CHECK(cache.periods_found() == 1);  // the four reports share the period's lines
  CHECK(cache.totals_made() == 1);    // and its totals,
  CHECK(cache.rankings_made() == 1);  // and the rating and division rating their ranking
  // Options that do not change the lines or the totals reuse everything.
  AllReports(data, o.Top(3).AllDivisions().Window(10).NewPerEmployee(), &cache);
  CHECK(cache.periods_found() == 1);
  CHECK(cache.totals_made() == 1);
  CHECK(cache.rankings_made() == 1);
  // A filter changes the totals, not the period's lines.
  AllReports(data, o.Division("D1"), &cache);
  CHECK(cache.periods_found() == 1);
  CHECK(cache.totals_made() == 2);
  CHECK(cache.rankings_made() == 2);
  AllReports(data, o.Employee("E2"), &cache);
  CHECK(cache.totals_made() == 3);
  CHECK(cache.rankings_made() == 3);
  // A new period changes everything, once.
  AllReports(data, o.To("2024-05-31"), &cache);
  CHECK(cache.periods_found() == 2);
  CHECK(cache.totals_made() == 4);
  CHECK(cache.rankings_made() == 4);
  // Loyalty and revenue read the totals unranked (loyalty all its counts
  // there, without a return window or an employee filter); a rating after
  // them ranks the same totals.
  const Options other = Options().From("2024-06-01");
  CHECK(LoyaltyText(data, other, &cache) == LoyaltyText(data, other, nullptr));
  CHECK(cache.periods_found() == 3);
  CHECK(cache.totals_made() == 5);
  CHECK(RevenueText(data, other, &cache) == RevenueText(data, other, nullptr));
  CHECK(cache.totals_made() == 5);
  CHECK(cache.rankings_made() == 4);
  CHECK(RatingText(data, other, &cache) == RatingText(data, other, nullptr));
  CHECK(cache.totals_made() == 5);
  CHECK(cache.rankings_made() == 5);
  CHECK(RevenueText(data, other, &cache) == RevenueText(data, other, nullptr));  // ranked rows
  CHECK(cache.totals_made() == 5);
}

// The loyalty counts the patients first seen in the period from the period's
// totals when it has no return window and no employee filter, and line by
// line otherwise. With the period open to the end of the export and a window
// longer than the export, the line-by-line count looks at exactly the same
// lines (none lies past the export's end): the two must agree on every count
// but pending, which only a window has.
TEST_CASE("loyalty: patients first seen in the period, from the totals as line by line") {
  Rng rng(23);
  for (int round = 0; round < 40; ++round) {
    const Export data = RandomExport(rng);
    Options plain;
    // The 120 patients' 2,000 lines span two years, so every patient has
    // been seen within the first weeks: a later `from` leaves no one new.
    if (rng.Below(6) != 0) plain.value.from = D("2024-01-01") + rng.Below(30);
    if (rng.Below(4) == 0) plain.Division("D" + std::to_string(1 + rng.Below(4)));
    Options windowed = plain;
    windowed.Window(100000);
    CAPTURE(round);
    const LoyaltyReport a = test::Ok(ComputeRetention(data, plain.value));
    const LoyaltyReport b = test::Ok(ComputeRetention(data, windowed.value));
    const auto counts = [](const LoyaltyRow& r) {
      return std::vector<uint64_t>{r.employee, r.primary, r.returned, r.returned_to_clinic, r.old};
    };
    REQUIRE(a.rows.size() == b.rows.size());
    for (size_t i = 0; i < a.rows.size(); ++i) CHECK(counts(a.rows[i]) == counts(b.rows[i]));
    CHECK(counts(a.total) == counts(b.total));
    CHECK(a.total.primary > 0);
    CHECK(a.total.old + a.total.primary > 10);  // patients compared
  }
}

TEST_CASE("report cache: one of another export is ignored") {
  Rng rng(19);
  const Export data = RandomExport(rng);
  const Export other = RandomExport(rng);
  ReportCache cache(other);
  for (int k = 0; k < 50; ++k) {
    const Options o = RandomOptions(rng);
    CAPTURE(k);
    // Filled from `other` first, so a cache that was used would show it.
    AllReports(other, o, &cache);
    CHECK(AllReports(data, o, &cache) == AllReports(data, o, nullptr));
  }
  CHECK_FALSE(cache.IsFor(data));
}

}  // namespace
}  // namespace clinic
