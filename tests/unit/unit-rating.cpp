// Customer rating (docs/reports.md, "Customer rating"): every expected number
// below is computed by hand in the comment next to it.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures.h"
#include "reports.h"

namespace clinic {
namespace {

using test::Fixture;
using test::M;
using test::Ok;
using test::Options;

std::vector<std::string> RowIds(const Export& data, const RatingReport& report) {
  std::vector<std::string> ids;
  for (const RatingRow& row : report.rows) ids.push_back(test::PatientId(data, row.patient));
  return ids;
}

// Anna spends 200.00 in two visits, Boris 80.00, Chen 20.00; Dana has only
// cancelled and no-show lines.
/// Patients as (-amount, name, id): sorts them into report order (amount
/// descending, then name, then id) and returns their ids in that order.
using Expected = std::vector<std::tuple<int64_t, std::string, std::string>>;
std::vector<std::string> SortedIds(Expected& expected) {
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> ids;
  for (const auto& row : expected) ids.push_back(std::get<2>(row));
  return ids;
}

Export BasicExport() {
  Fixture f;
  f.Division("D1", "Surgery").Division("D2", "Dental");
  f.Employee("E1", "Alice", "D1").Employee("E2", "Bob", "D2");
  f.PriceList("L1", "Standard");
  f.Patient("P1", "Anna", "L1", "12.50").Patient("P2", "Boris").Patient("P3", "Chen");
  f.Patient("P4", "Dana");
  f.Line("2024-01-05", "P1", "E1", "D1", "100.00");
  f.Goods("2024-01-05", "P1", "E1", "D1", "50.00");  // same visit as the line above
  f.Line("2024-01-10", "P1", "E2", "D1", "50.00");
  f.Line("2024-01-06", "P2", "E1", "D2", "80.00");
  f.Line("2024-01-07", "P3", "E2", "D2", "20.00");
  f.Cancelled("2024-01-08", "P4", "E1", "D1", "500.00");
  f.NoShow("2024-01-09", "P4", "E1", "D1", "300.00");
  return f.Build();
}

TEST_CASE("rating: amounts, visits, shares, cumulative shares and ABC classes") {
  const Export data = BasicExport();
  const RatingReport report = Ok(RankCustomers(data, ReportOptions{}));

  CHECK(report.total == M("300.00"));  // 200 + 80 + 20; Dana's lines are not completed
  CHECK(report.patients == 3);
  CHECK(report.visits == 4);  // Anna 2 (01-05 with two lines, 01-10), Boris 1, Chen 1
  REQUIRE(RowIds(data, report) == std::vector<std::string>{"P1", "P2", "P3"});

  const RatingRow& anna = report.rows[0];
  CHECK(anna.rank == 1);
  CHECK(anna.visits == 2);
  CHECK(anna.amount == M("200.00"));
  CHECK(anna.share == 667);       // 200 / 300 = 66.666.. % -> 66.7
  CHECK(anna.cumulative == 667);  // same
  CHECK(anna.abc == 'A');         // before = 0
  // Price list and bonus come from the export tables, by the row's patient.
  CHECK(data.price_lists.names[data.patient_price_list[anna.patient]] == "Standard");
  CHECK(data.patient_has_bonus[anna.patient] == 1);
  CHECK(data.patient_bonus[anna.patient] == M("12.50"));

  const RatingRow& boris = report.rows[1];
  CHECK(boris.rank == 2);
  CHECK(boris.visits == 1);
  CHECK(boris.share == 267);       // 80 / 300 = 26.666.. % -> 26.7
  CHECK(boris.cumulative == 933);  // 280 / 300 = 93.333.. % -> 93.3
  CHECK(boris.abc == 'A');         // 100 * 200 = 20000 < 80 * 300 = 24000
  CHECK(data.patient_price_list[boris.patient] == kNone);
  CHECK(data.patient_has_bonus[boris.patient] == 0);

  const RatingRow& chen = report.rows[2];
  CHECK(chen.rank == 3);
  CHECK(chen.share == 67);          // 20 / 300 = 6.666.. % -> 6.7
  CHECK(chen.cumulative == 1000);   // 300 / 300
  CHECK(chen.abc == 'B');           // 100 * 280 = 28000: >= 24000, < 95 * 300 = 28500
}

TEST_CASE("rating: the period is inclusive at both ends") {
  const Export data = BasicExport();
  SUBCASE("from and to") {
    const RatingReport r = Ok(RankCustomers(data, Options().From("2024-01-06").To("2024-01-07")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P2", "P3"});  // 01-06 and 01-07 only
    CHECK(r.total == M("100.00"));                                   // 80 + 20
    CHECK(r.rows[0].share == 800);                                   // 80 / 100
  }
  SUBCASE("only from") {
    const RatingReport r = Ok(RankCustomers(data, Options().From("2024-01-10")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P1"});
    CHECK(r.total == M("50.00"));  // Anna's 01-10 line
    CHECK(r.rows[0].visits == 1);
  }
  SUBCASE("only to") {
    const RatingReport r = Ok(RankCustomers(data, Options().To("2024-01-05")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P1"});
    CHECK(r.total == M("150.00"));  // 100 + 50 on 01-05, one visit
    CHECK(r.rows[0].visits == 1);
  }
  SUBCASE("from == to") {
    const RatingReport r = Ok(RankCustomers(data, Options().From("2024-01-07").To("2024-01-07")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P3"});
  }
}

TEST_CASE("rating: an empty period has no rows and zero totals") {
  const Export data = BasicExport();
  const RatingReport r = Ok(RankCustomers(data, Options().From("2024-02-01").To("2024-02-29")));
  CHECK(r.rows.empty());
  CHECK(r.patients == 0);
  CHECK(r.total == 0);
  CHECK(r.visits == 0);
  // Only cancelled and no-show lines in the period: still empty.
  const RatingReport cancelled =
      Ok(RankCustomers(data, Options().From("2024-01-08").To("2024-01-09")));
  CHECK(cancelled.rows.empty());
  CHECK(cancelled.total == 0);
}

TEST_CASE("rating: division and employee filters keep only their lines") {
  const Export data = BasicExport();
  SUBCASE("division D2") {
    const RatingReport r = Ok(RankCustomers(data, Options().Division("D2")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P2", "P3"});
    CHECK(r.total == M("100.00"));  // 80 + 20
  }
  SUBCASE("employee E2") {
    const RatingReport r = Ok(RankCustomers(data, Options().Employee("E2")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P1", "P3"});
    CHECK(r.total == M("70.00"));       // Anna's 01-10 line 50 + Chen 20
    CHECK(r.rows[0].visits == 1);       // only the 01-10 visit is Bob's
    CHECK(r.rows[0].share == 714);      // 50 / 70 = 71.428.. % -> 71.4
  }
  SUBCASE("both") {
    const RatingReport r = Ok(RankCustomers(data, Options().Division("D1").Employee("E2")));
    CHECK(RowIds(data, r) == std::vector<std::string>{"P1"});  // 01-10, Bob, Surgery
    CHECK(r.total == M("50.00"));
  }
}

TEST_CASE("rating: visits are distinct (patient, employee, date)") {
  Fixture f;
  f.Employee("E1", "Alice").Employee("E2", "Bob").Patient("P1", "Anna");
  f.Line("2024-03-01", "P1", "E1", "", "10.00");
  f.Goods("2024-03-01", "P1", "E1", "", "5.00");  // same visit
  f.Line("2024-03-01", "P1", "E1", "D9", "1.00");  // same visit, other division
  f.Line("2024-03-01", "P1", "", "", "2.00");      // no employee: a visit of its own
  f.Line("2024-03-01", "P1", "", "", "3.00");      // ... the same one
  f.Line("2024-03-01", "P1", "E2", "", "4.00");    // another employee the same day
  f.Line("2024-03-02", "P1", "E1", "", "6.00");    // another day
  const Export data = f.Build();
  const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].visits == 4);  // (E1, 03-01), (none, 03-01), (E2, 03-01), (E1, 03-02)
  CHECK(r.visits == 4);
  CHECK(r.rows[0].amount == M("31.00"));  // 10 + 5 + 1 + 2 + 3 + 4 + 6
}

TEST_CASE("rating: ties by name, then id, comparing bytes") {
  Fixture f;
  f.Patient("P2", "Same").Patient("P1", "Same").Patient("P9", "Alpha");
  f.Patient("P10", "Same");        // "P10" < "P2" byte-wise
  f.Patient("P3", "\xC3\x89mile");  // "Émile": 0xC3 sorts after every ASCII letter
  f.Patient("P4", "Zed");
  f.Patient("P5", "zed");           // 'z' (0x7A) after 'Z' (0x5A)
  for (const char* id : {"P1", "P2", "P3", "P4", "P5", "P9", "P10"}) {
    f.Line("2024-01-01", id, "", "", "10.00");
  }
  f.Line("2024-01-02", "P4", "", "", "0.0001");  // Zed is ahead by the amount alone
  const Export data = f.Build();
  const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
  CHECK(RowIds(data, r) ==
        std::vector<std::string>{"P4", "P9", "P1", "P10", "P2", "P5", "P3"});
  // Zed 10.0001 first; then at 10.00: Alpha, Same (P1 < P10 < P2), zed, Émile.
}

TEST_CASE("rating: many ties, and a top N cut inside a tie, agree with a comparison sort") {
  // 1,000 patients (past the radix sort's threshold), 7 distinct amounts and
  // 40 distinct names, ids not in name order: the expected order is computed
  // here by std::sort on (amount descending, name, id) over the same values.
  Fixture f;
  Expected expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "P" + std::to_string((i * 7919) % 1000);
    const std::string name = "Name " + std::to_string((i * 31) % 40);
    const int cents = 1000 + ((i * 13) % 7) * 250;  // 10.00 .. 25.00
    f.Patient(id, name);
    const std::string amount = std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") +
                               std::to_string(cents % 100);
    f.Line("2024-01-01", id, "", "", amount);
    expected.emplace_back(-cents, name, id);
  }
  const std::vector<std::string> want = SortedIds(expected);
  const Export data = f.Build();

  const RatingReport all = Ok(RankCustomers(data, ReportOptions{}));
  CHECK(RowIds(data, all) == want);
  // 143 patients share the top amount (i * 13 % 7 == 6): the cut at 100 falls inside that tie.
  const RatingReport top = Ok(RankCustomers(data, Options().Top(100)));
  CHECK(RowIds(data, top) == std::vector<std::string>(want.begin(), want.begin() + 100));
  CHECK(top.patients == 1000);
}

TEST_CASE("rating: sums too far apart to pack with the name rank still sort by amount, then name") {
  // 400 trillion and minus 400 trillion are 2^62.8 units apart: with the rank
  // they do not fit 64 bits, so the comparison sort orders them.
  Fixture f;
  f.Patient("P1", "Rich").Patient("P2", "Refund").Patient("P3", "Beta").Patient("P4", "Alpha");
  f.Line("2024-01-01", "P1", "", "", "400000000000000.00");
  f.Line("2024-01-01", "P2", "", "", "-400000000000000.00");
  f.Line("2024-01-01", "P3", "", "", "1.00");
  f.Line("2024-01-01", "P4", "", "", "1.00");
  const Export data = f.Build();
  CHECK(RowIds(data, Ok(RankCustomers(data, ReportOptions{}))) ==
        std::vector<std::string>{"P1", "P4", "P3", "P2"});
  CHECK(RowIds(data, Ok(RankCustomers(data, Options().Top(2)))) ==
        std::vector<std::string>{"P1", "P4"});
  const DivisionsReport cross = Ok(BuildCrossReport(data, Options().Top(3)));
  CHECK(cross.rows == std::vector<Index>{0, 3, 2});
}

TEST_CASE("rating: the order agrees with a comparison sort whatever the spread of the sums") {
  // The rows are radix sorted on (max - amount, name rank) packed in 64
  // bits, or compared when the sums are too far apart for that: the spreads
  // below take both ways, the first two at two widths of the packed key.
  // The differences are packed divided by the factor 2^a * 5^b common to all
  // sums: amounts in steps of 1, 50 (half-cents) or 100 units (cents), or in
  // cents but for one line a few units off (4: a multiple of 4 but of no 5;
  // 25: the other way round; 625: 5^4; 50), or all zero.
  // 300 patients (past the radix threshold), ties, refunds, names repeated.
  struct Spread {
    const char* what;
    int64_t max_units;    // |amount| of a line, in 1/10000
    int64_t step;         // every line a multiple of it
    bool extremes;        // two patients 2^56 apart (+-4 * 10^16 units)
    int64_t one_off = 0;  // added to one line (the 100th)
  };
  const Spread spreads[] = {
      {"cents, 2^23 apart: radix", 5000000, 100, false},
      {"cents, 2^50 apart: radix", 500000000000000LL, 100, false},
      {"half-cents: radix", 5000000, 50, false},
      {"cents but one line 4 units off: radix", 5000000, 100, false, 4},
      {"cents but one line 25 units off: radix", 5000000, 100, false, 25},
      {"cents but one line 625 units off: radix", 5000000, 100, false, 625},
      {"cents but one line 50 units off: radix", 5000000, 100, false, -50},
      {"odd units, 2^50 apart: radix", 500000000000000LL, 1, false, 1},
      {"odd units, 2^56 apart: comparison", 500000000000000LL, 1, true, 1},
      {"every sum zero: radix on the name ranks", 0, 100, false},
  };
  for (const Spread& spread : spreads) {
    CAPTURE(spread.what);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    Fixture f;
    Expected expected;
    for (int i = 0; i < 300; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      const std::string id = "P" + std::to_string((i * 7919) % 1000);
      const std::string name = "Name " + std::to_string(i % 23);
      // 40 distinct magnitudes, so that many sums tie; one in 5 negative.
      int64_t units = spread.max_units / 40 * static_cast<int64_t>(x % 40 + 1);
      units -= units % spread.step;
      if (x % 5 == 0) units = -units;
      if (i == 100 || spread.step == 1) units += spread.one_off;
      if (spread.extremes && i < 2) units = i == 0 ? 40000000000000001LL : -40000000000000001LL;
      const uint64_t magnitude = units < 0 ? static_cast<uint64_t>(-units) : units;
      const std::string digits = std::to_string(magnitude + 10000000000000000000ULL).substr(1);
      std::string whole = digits.substr(0, digits.size() - 4);
      whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
      f.Patient(id, name);
      f.Line("2024-01-01", id, "", "",
             (units < 0 ? "-" : "") + whole + "." + digits.substr(digits.size() - 4));
      expected.emplace_back(-units, name, id);
    }
    const std::vector<std::string> want = SortedIds(expected);
    const Export data = f.Build();
    const RatingReport all = Ok(RankCustomers(data, ReportOptions{}));
    CHECK(RowIds(data, all) == want);
    for (size_t r = 0; r < all.rows.size(); ++r)
      CHECK(all.rows[r].amount == -std::get<0>(expected[r]));
    const RatingReport top = Ok(RankCustomers(data, Options().Top(37)));
    CHECK(RowIds(data, top) == std::vector<std::string>(want.begin(), want.begin() + 37));
    const DivisionsReport cross = Ok(BuildCrossReport(data, Options().Top(37)));
    REQUIRE(cross.rows.size() == 37);
    for (size_t r = 0; r < 37; ++r) CHECK(test::PatientId(data, cross.rows[r]) == want[r]);
  }
}

TEST_CASE("rating: refunds, a negative patient total and ABC on it") {
  Fixture f;
  f.Patient("P1", "Anna").Patient("P2", "Boris");
  f.Line("2024-01-01", "P1", "E1", "", "100.00");
  f.Line("2024-01-02", "P1", "E1", "", "-30.00");  // refund
  f.Line("2024-01-03", "P2", "E1", "", "-20.00");  // only a refund: negative total
  const Export data = f.Build();
  const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
  CHECK(r.total == M("50.00"));  // 100 - 30 - 20
  REQUIRE(RowIds(data, r) == std::vector<std::string>{"P1", "P2"});
  CHECK(r.rows[0].amount == M("70.00"));
  CHECK(r.rows[0].share == 1400);       // 70 / 50 = 140 %
  CHECK(r.rows[0].cumulative == 1400);
  CHECK(r.rows[0].abc == 'A');          // before 0
  CHECK(r.rows[0].visits == 2);
  CHECK(r.rows[1].amount == M("-20.00"));
  CHECK(r.rows[1].share == -400);       // -20 / 50 = -40 %
  CHECK(r.rows[1].cumulative == 1000);  // 50 / 50
  CHECK(r.rows[1].abc == 'C');          // 100 * 70 = 7000 >= 95 * 50 = 4750
}

TEST_CASE("rating: a total that is not positive") {
  SUBCASE("negative total: signed ratios, no classes") {
    Fixture f;
    f.Patient("P1", "Anna").Patient("P2", "Boris");
    f.Line("2024-01-01", "P1", "", "", "10.00");
    f.Line("2024-01-01", "P2", "", "", "-30.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    CHECK(r.total == M("-20.00"));
    REQUIRE(RowIds(data, r) == std::vector<std::string>{"P1", "P2"});
    CHECK(r.rows[0].share == -500);       // 10 / -20 = -50 %
    CHECK(r.rows[0].cumulative == -500);
    CHECK(r.rows[0].abc == 0);
    CHECK(r.rows[1].share == 1500);       // -30 / -20 = 150 %
    CHECK(r.rows[1].cumulative == 1000);  // -20 / -20
    CHECK(r.rows[1].abc == 0);
  }
  SUBCASE("zero total: shares are empty") {
    Fixture f;
    f.Patient("P1", "Anna").Patient("P2", "Boris");
    f.Line("2024-01-01", "P1", "", "", "10.00");
    f.Line("2024-01-01", "P2", "", "", "-10.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    CHECK(r.total == 0);
    REQUIRE(r.rows.size() == 2);
    for (const RatingRow& row : r.rows) {
      CHECK(row.share == kNoPercent);
      CHECK(row.cumulative == kNoPercent);
      CHECK(row.abc == 0);
    }
  }
}

// Amounts a, b, c for three patients; returns the classes in rating order.
std::string Classes(const char* a, const char* b, const char* c) {
  Fixture f;
  f.Patient("P1", "A").Patient("P2", "B").Patient("P3", "C");
  f.Line("2024-01-01", "P1", "", "", a);
  f.Line("2024-01-01", "P2", "", "", b);
  f.Line("2024-01-01", "P3", "", "", c);
  const Export data = f.Build();
  const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
  std::string classes;
  for (const RatingRow& row : r.rows) classes += row.abc;
  return classes;
}

TEST_CASE("rating: ABC boundaries are exact") {
  // Total 100 each time; the class depends on the cumulative amount *before* the row.
  SUBCASE("before == 80 % exactly is B, before == 95 % exactly is C") {
    CHECK(Classes("80.00", "15.00", "5.00") == "ABC");  // before: 0, 80, 95
  }
  SUBCASE("just below 80 % is still A") {
    CHECK(Classes("79.99", "15.01", "5.00") == "AAC");  // before: 0, 79.99, 95.00
  }
  SUBCASE("just below 95 % is still B") {
    CHECK(Classes("79.99", "15.00", "5.01") == "AAB");  // before 94.99 < 95
  }
  SUBCASE("by the smallest unit") {
    CHECK(Classes("80.0000", "14.9999", "5.0001") == "ABB");  // before 94.9999 < 95
  }
  SUBCASE("first row is A even above 95 %") {
    CHECK(Classes("99.00", "0.60", "0.40") == "ACC");  // before: 0, 99, 99.6
  }
  SUBCASE("totals not divisible by 5 or 20: 3 units make A before < 2.4 units, B before < 2.85") {
    CHECK(Classes("0.0001", "0.0001", "0.0001") == "AAA");  // before: 0, 1, 2 units
    CHECK(Classes("0.0002", "0.0001", "0.0000") == "AAC");  // before: 0, 2, 3
  }
  SUBCASE("random totals agree with the 128-bit definition, before * 100 < total * 80 (or 95)") {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < 40; ++round) {
      Fixture f;
      const int patients = 2 + round % 9;
      for (int p = 0; p < patients; ++p) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const std::string id = "P" + std::to_string(p);
        f.Patient(id, id);
        // 0.0001 .. 9.9999, some negative: totals of every residue mod 20.
        const int units = static_cast<int>(x % 99999) + 1;
        const std::string digits = std::to_string(units + 100000).substr(1);  // 5 digits
        const std::string amount = std::string(x % 7 == 0 ? "-" : "") + digits.substr(0, 1) + "." +
                                   digits.substr(1);
        f.Line("2024-01-01", id, "", "", amount);
      }
      const Export data = f.Build();
      const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
      __int128 before = 0;
      for (const RatingRow& row : r.rows) {
        const __int128 scaled = before * 100, total = r.total;
        const char want = r.total <= 0          ? 0
                          : scaled < total * 80 ? 'A'
                          : scaled < total * 95 ? 'B'
                                                : 'C';
        CHECK(row.abc == want);
        before += row.amount;
      }
    }
  }
}

TEST_CASE("rating: percentages round half away from zero") {
  SUBCASE("1/8 = 12.5 % exactly, 7/8 = 87.5 %") {
    Fixture f;
    f.Patient("P1", "A").Patient("P2", "B");
    f.Line("2024-01-01", "P1", "", "", "7.00");
    f.Line("2024-01-01", "P2", "", "", "1.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    CHECK(r.rows[0].share == 875);
    CHECK(r.rows[1].share == 125);
    CHECK(r.rows[1].cumulative == 1000);
  }
  SUBCASE("1/16 = 6.25 % -> 6.3, 15/16 = 93.75 % -> 93.8") {
    Fixture f;
    f.Patient("P1", "A").Patient("P2", "B");
    f.Line("2024-01-01", "P1", "", "", "15.00");
    f.Line("2024-01-01", "P2", "", "", "1.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    CHECK(r.rows[0].share == 938);
    CHECK(r.rows[1].share == 63);
    CHECK(r.rows[1].cumulative == 1000);  // cumulative is a ratio of its own, not 93.8 + 6.3
  }
  SUBCASE("a negative share: -1/16 = -6.25 % -> -6.3") {
    Fixture f;
    f.Patient("P1", "A").Patient("P2", "B");
    f.Line("2024-01-01", "P1", "", "", "17.00");
    f.Line("2024-01-01", "P2", "", "", "-1.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    CHECK(r.rows[0].share == 1063);  // 17 / 16 = 106.25 % -> 106.3
    CHECK(r.rows[1].share == -63);
    CHECK(r.rows[1].cumulative == 1000);
  }
  SUBCASE("thirds: 33.3, cumulative 33.3, 66.7, 100.0") {
    Fixture f;
    f.Patient("P1", "A").Patient("P2", "B").Patient("P3", "C");
    for (const char* id : {"P1", "P2", "P3"}) f.Line("2024-01-01", id, "", "", "10.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    REQUIRE(RowIds(data, r) == std::vector<std::string>{"P1", "P2", "P3"});  // tie: by name
    CHECK(r.rows[0].share == 333);
    CHECK(r.rows[1].share == 333);
    CHECK(r.rows[2].share == 333);
    CHECK(r.rows[0].cumulative == 333);   // 1/3
    CHECK(r.rows[1].cumulative == 667);   // 2/3 = 66.666.. -> 66.7
    CHECK(r.rows[2].cumulative == 1000);
    CHECK(r.rows[0].abc == 'A');  // before 0
    CHECK(r.rows[1].abc == 'A');  // 100 * 10 = 1000 < 80 * 30 = 2400
    CHECK(r.rows[2].abc == 'A');  // 100 * 20 = 2000 < 2400
  }
}

TEST_CASE("rating: every share and cumulative share is the exact ratio, at any scale") {
  // The rating walks from one row's percentage to the next instead of
  // dividing for each; PercentTenths (128 bits, money.cpp) is the oracle.
  // Many ties, refunds, a negative total and a tiny one, and amounts
  // beyond the 64-bit shortcut.
  uint64_t x = 0x2545F4914F6CDD1DULL;
  auto next = [&x]() {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  struct Scale {
    const char* what;
    int patients;
    uint64_t max_units;  // of 1/10000, per line
    int refund_every;    // one line in n is negative (0: none)
  };
  const Scale scales[] = {
      {"cents, ties", 3000, 2000000, 0},
      {"cents, refunds", 3000, 2000000, 9},
      {"many refunds", 400, 50000, 2},
      {"large amounts", 300, 90000000000000ULL, 0},
      {"beyond the shortcut", 300, 9000000000000000ULL, 5},
  };
  SUBCASE("random amounts at five scales") {
    for (const Scale& scale : scales) {
      CAPTURE(scale.what);
      Fixture f;
      for (int p = 0; p < scale.patients; ++p) {
        const std::string id = "P" + std::to_string(p);
        f.Patient(id, "Name " + std::to_string(p % 13));
        for (int line = 0, lines = 1 + static_cast<int>(next() % 3); line < lines; ++line) {
          // Amounts from a few hundred values, so that many patients tie.
          const uint64_t units = scale.max_units / 300 * (next() % 300 + 1) / (1 + line);
          const bool refund = scale.refund_every > 0 && next() % scale.refund_every == 0;
          const std::string digits = std::to_string(units + 100000000).substr(1);  // >= 8 digits
          f.Line("2024-01-01", id, "", "",
                 (refund ? "-" : "") + digits.substr(0, digits.size() - 4) + "." +
                     digits.substr(digits.size() - 4));
        }
      }
      const Export data = f.Build();
      const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
      REQUIRE(r.rows.size() == static_cast<size_t>(scale.patients));
      __int128 before = 0;
      size_t wrong = 0;
      for (const RatingRow& row : r.rows) {
        wrong += row.share != PercentTenths(row.amount, r.total);
        wrong += row.cumulative != PercentTenths(before + row.amount, r.total);
        before += row.amount;
      }
      CHECK(wrong == 0);
      CHECK(before == r.total);
    }
  }
  SUBCASE("a total of 3 units under refunds: shares of millions of percent") {
    Fixture f;
    for (int p = 0; p < 300; ++p) {
      const std::string id = "P" + std::to_string(p);
      f.Patient(id, id);
      f.Line("2024-01-01", id, "", "", p == 0 ? "0.0003" : p % 2 ? "50.00" : "-50.00");
    }
    f.Patient("Q", "Q").Line("2024-01-01", "Q", "", "", "-50.00");
    const Export data = f.Build();
    const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
    REQUIRE(r.total == 3);
    __int128 before = 0;
    size_t wrong = 0;
    for (const RatingRow& row : r.rows) {
      wrong += row.share != PercentTenths(row.amount, r.total);
      wrong += row.cumulative != PercentTenths(before + row.amount, r.total);
      before += row.amount;
    }
    CHECK(wrong == 0);
    CHECK(r.rows[0].share == 166666667);  // 50.00 / 0.0003 = 16,666,666.66.. % -> 16666666.7
  }
}

TEST_CASE("rating: top N keeps shares and classes against the full total") {
  const Export data = BasicExport();
  const RatingReport r = Ok(RankCustomers(data, Options().Top(2)));
  CHECK(RowIds(data, r) == std::vector<std::string>{"P1", "P2"});
  CHECK(r.patients == 3);              // before `top`
  CHECK(r.total == M("300.00"));       // Chen still counts
  CHECK(r.visits == 4);
  CHECK(r.rows[1].share == 267);       // 80 / 300
  CHECK(r.rows[1].cumulative == 933);  // 280 / 300
  const RatingReport all = Ok(RankCustomers(data, Options().Top(10)));
  CHECK(all.rows.size() == 3);         // N above the row count keeps them all
}

TEST_CASE("rating: a row sink takes the rows the report would hold, in order") {
  // The page's binding passes a sink; the rows must be the very ones of
  // RatingReport::rows, with or without a top N and a cache.
  class Recorder final : public RatingRowSink {
   public:
    void Begin(size_t count) override {
      ++begun;
      announced = count;
    }
    void Add(const RatingRow& row) override { rows.push_back(row); }
    int begun = 0;
    size_t announced = 0;
    std::vector<RatingRow> rows;
  };
  const auto same = [](const RatingRow& a, const RatingRow& b) {
    return a.rank == b.rank && a.patient == b.patient && a.visits == b.visits &&
           a.amount == b.amount && a.share == b.share && a.cumulative == b.cumulative &&
           a.abc == b.abc;
  };
  const Export data = BasicExport();
  ReportCache cache(data);
  for (const uint32_t top : {0u, 2u}) {
    CAPTURE(top);
    const RatingReport plain = Ok(RankCustomers(data, Options().Top(top)));
    Recorder recorder;
    const RatingReport sunk = Ok(RankCustomers(data, Options().Top(top), &cache, &recorder));
    CHECK(sunk.rows.empty());
    CHECK(recorder.begun == 1);
    CHECK(recorder.announced == (top == 0 ? 3 : 2));
    REQUIRE(recorder.rows.size() == plain.rows.size());
    CHECK(std::equal(plain.rows.begin(), plain.rows.end(), recorder.rows.begin(), same));
    CHECK(sunk.patients == plain.patients);
    CHECK(sunk.total == plain.total);
    CHECK(sunk.visits == plain.visits);
  }
}

TEST_CASE("rating: a patient missing from the patients table shows their id") {
  Fixture f;
  f.Patient("P1", "Anna");
  f.Line("2024-01-01", "P1", "", "", "10.00");
  f.Line("2024-01-01", "P77", "", "", "20.00");  // not declared
  const Export data = f.Build();
  const RatingReport r = Ok(RankCustomers(data, ReportOptions{}));
  REQUIRE(RowIds(data, r) == std::vector<std::string>{"P77", "P1"});
  CHECK(data.patients.names[r.rows[0].patient] == "P77");
  CHECK(data.patient_price_list[r.rows[0].patient] == kNone);
  CHECK(data.patient_has_bonus[r.rows[0].patient] == 0);
}

TEST_CASE("report options: bad values are errors with stable codes") {
  const Export data = BasicExport();
  SUBCASE("from after to") {
    const Error e = test::Failed(RankCustomers(data, Options().From("2024-02-01").To("2024-01-31")));
    CHECK(e.code == code::kBadPeriod);
    CHECK(e.code == "options.bad_period");
    CHECK(e.message.find("2024-02-01") != std::string::npos);
    CHECK(e.message.find("2024-01-31") != std::string::npos);
    // Same check in every report.
    CHECK(test::Failed(BuildCrossReport(data, Options().From("2024-02-01").To("2024-01-31"))).code ==
          "options.bad_period");
    CHECK(test::Failed(ComputeRetention(data, Options().From("2024-02-01").To("2024-01-31"))).code ==
          "options.bad_period");
    CHECK(test::Failed(ComputeRevenue(data, Options().From("2024-02-01").To("2024-01-31"))).code ==
          "options.bad_period");
  }
  SUBCASE("unknown division") {
    const Error e = test::Failed(RankCustomers(data, Options().Division("D404")));
    CHECK(e.code == "options.unknown_division");
    CHECK(e.where.field == "division");
    CHECK(e.where.value == "D404");
    CHECK(e.message.find("D404") != std::string::npos);
    CHECK(test::Failed(BuildCrossReport(data, Options().Division("D404"))).code ==
          "options.unknown_division");
    CHECK(test::Failed(ComputeRetention(data, Options().Division("D404"))).code ==
          "options.unknown_division");
    CHECK(test::Failed(ComputeRevenue(data, Options().Division("D404"))).code ==
          "options.unknown_division");
  }
  SUBCASE("unknown employee") {
    const Error e = test::Failed(RankCustomers(data, Options().Employee("E404")));
    CHECK(e.code == "options.unknown_employee");
    CHECK(e.where.field == "employee");
    CHECK(e.where.value == "E404");
    CHECK(test::Failed(BuildCrossReport(data, Options().Employee("E404"))).code ==
          "options.unknown_employee");
    CHECK(test::Failed(ComputeRetention(data, Options().Employee("E404"))).code ==
          "options.unknown_employee");
    CHECK(test::Failed(ComputeRevenue(data, Options().Employee("E404"))).code ==
          "options.unknown_employee");
  }
  SUBCASE("ids are matched exactly, not by name") {
    CHECK_FALSE(RankCustomers(data, Options().Division("Surgery")).ok());
    CHECK_FALSE(RankCustomers(data, Options().Employee("e1")).ok());
  }
  SUBCASE("an id referenced only by a line is in the export") {
    Fixture f;
    f.Line("2024-01-01", "P1", "E5", "D5", "1.00");  // neither declared
    const Export undeclared = f.Build();
    CHECK(RankCustomers(undeclared, Options().Division("D5").Employee("E5")).ok());
  }
  SUBCASE("from == to is a valid one-day period") {
    CHECK(RankCustomers(data, Options().From("2024-01-05").To("2024-01-05")).ok());
  }
}

}  // namespace
}  // namespace clinic
