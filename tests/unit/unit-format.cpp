// Text output: the CSV contract (quoting, headers, TOTAL rows), the aligned
// terminal table and JSON.
#include <doctest/doctest.h>

#include "format.h"

namespace clinic {
namespace {

TextTable Sample() {
  TextTable t;
  t.header = {"id", "name", "amount"};
  t.numeric = {false, false, true};
  t.rows = {{"P1", "Åse Nordmann", "1200.50"}, {"P2", "Smith, \"Jo\"", "-3.00"}, {"", "x\ny", ""}};
  return t;
}

TEST_CASE("ToCsv quotes only cells that need it, per RFC 4180") {
  CHECK(ToCsv(Sample()) ==
        "id,name,amount\n"
        "P1,Åse Nordmann,1200.50\n"
        "P2,\"Smith, \"\"Jo\"\"\",-3.00\n"
        ",\"x\ny\",\n");
}

TEST_CASE("ToAlignedText pads by characters, right-aligns numbers, neutralises control bytes") {
  CHECK(ToAlignedText(Sample()) ==
        "id  name           amount\n"
        "-------------------------\n"
        "P1  Åse Nordmann  1200.50\n"
        "P2  Smith, \"Jo\"     -3.00\n"
        "    x?y\n");
}

TEST_CASE("ToJson writes numbers as numbers, empty cells as null, text escaped") {
  CHECK(ToJson(Sample()) ==
        "[\n"
        "  {\"id\": \"P1\", \"name\": \"Åse Nordmann\", \"amount\": 1200.50},\n"
        "  {\"id\": \"P2\", \"name\": \"Smith, \\\"Jo\\\"\", \"amount\": -3.00},\n"
        "  {\"id\": null, \"name\": \"x\\ny\", \"amount\": null}\n"
        "]\n");
  TextTable empty;
  empty.header = {"a"};
  CHECK(ToJson(empty) == "[]\n");
}

// A tiny export: one refund, a line without employee, a line without division.
Export TinyExport() {
  ExportBuilder b;
  b.SetFormat("json", {"tiny.json"});
  b.SetClinic("Tiny", "NOK");
  REQUIRE(b.AddDivision("D1", "Dental"));
  REQUIRE(b.AddEmployee("E1", "Eva", "D1", 1));
  REQUIRE(b.AddPriceList("L1", "VIP"));
  REQUIRE(b.AddPatient("P1", "Ola", "L1", Money{125000}, kNoDay, 1));
  REQUIRE(b.AddPatient("P2", "Kari", "", std::nullopt, kNoDay, 2));
  const Day d = DaysFromCivil(2024, 3, 1);
  auto line = [&](std::string_view p, std::string_view e, std::string_view div, Money amount) {
    LineInput in;
    in.day = d;
    in.patient = p;
    in.employee = e;
    in.division = div;
    in.amount = amount;
    REQUIRE(b.AddLine(in).ok());
  };
  line("P1", "E1", "D1", 1000000);  // 100.00
  line("P1", "E1", "D1", -250000);  // -25.00 refund
  line("P2", "", "", 300000);       // 30.00, no employee, no division
  return std::move(b.Finish()).value();
}

TEST_CASE("report tables follow the CSV contract headers and TOTAL rows") {
  const Export data = TinyExport();
  ReportOptions options;

  SUBCASE("rating") {
    auto r = RankCustomers(data, options);
    REQUIRE(r.ok());
    // total 105.00: P1 75.00 = 71.428..% -> 71.4; P2 30.00 = 28.571..% -> 28.6.
    CHECK(ToCsv(RatingTable(data, r.value())) ==
          "rank,patient_id,patient,price_list,bonus_balance,visits,amount,share_pct,cumulative_pct,abc\n"
          "1,P1,Ola,VIP,12.50,1,75.00,71.4,71.4,A\n"
          "2,P2,Kari,,,1,30.00,28.6,100.0,A\n");
  }
  SUBCASE("divisions") {
    auto r = BuildCrossReport(data, options);
    REQUIRE(r.ok());
    CHECK(ToCsv(DivisionsTable(data, r.value())) ==
          "patient_id,patient,Dental,(no division),total\n"
          "P1,Ola,75.00,,75.00\n"
          "P2,Kari,,30.00,30.00\n"
          ",TOTAL,75.00,30.00,105.00\n");
  }
  SUBCASE("loyalty") {
    auto r = ComputeRetention(data, options);
    REQUIRE(r.ok());
    CHECK(ToCsv(LoyaltyTable(data, r.value())) ==
          "employee_id,employee,primary,returned,retention_pct,returned_to_clinic,old,pending\n"
          "E1,Eva,1,0,0.0,0,0,\n"
          ",TOTAL,1,0,0.0,0,0,\n");
  }
  SUBCASE("revenue") {
    auto r = ComputeRevenue(data, options);
    REQUIRE(r.ok());
    CHECK(ToCsv(RevenueTable(data, r.value())) ==
          "employee_id,employee,services_amount,goods_amount,total,share_pct,lines,visits,patients,avg_visit\n"
          "E1,Eva,75.00,0.00,75.00,71.4,2,1,1,75.00\n"
          ",(unassigned),30.00,0.00,30.00,28.6,1,1,1,30.00\n"
          ",TOTAL,105.00,0.00,105.00,100.0,3,2,2,52.50\n");
  }
}

TEST_CASE("the summary names every count") {
  const Export data = TinyExport();
  CHECK(SummaryText(data.summary, data.currency) ==
        "format: json\n"
        "files: tiny.json\n"
        "tables: 1 divisions, 1 employees, 1 price lists, 2 patients\n"
        "visit lines: 3 (3 completed, 0 cancelled, 0 no-show)\n"
        "completed amount: 105.00 NOK (0 goods lines, 1 refunds)\n"
        "not counted in reports: cancelled 0.00 NOK, no-show 0.00 NOK\n"
        "visits: 2 by 2 patients\n"
        "dates: 2024-03-01 to 2024-03-01\n"
        "warnings: 0\n");
}

}  // namespace
}  // namespace clinic
