// ImportCsv and ImportFiles: every dialect, every error with its exact
// location, and the example fixture imported from JSON and from CSV.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixtures.h"
#include "import.h"
#include "import_helpers.h"

#ifndef CLINIC_SOURCE_DIR
#error "CLINIC_SOURCE_DIR must name the repository root"
#endif

namespace clinic {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;  // name, bytes

TEST_CASE("ParseLineKind and ParseLineStatus: every spelling, in any case, and nothing else") {
  // The exact spellings take an inline compare, the rest the out-of-line
  // parser: both must give the same answers.
  using K = std::optional<LineKind>;
  using S = std::optional<LineStatus>;
  const K service = LineKind::kService, goods = LineKind::kGoods;
  const S completed = LineStatus::kCompleted, cancelled = LineStatus::kCancelled,
          no_show = LineStatus::kNoShow;
  const std::pair<std::string_view, K> kinds[] = {
      {"", service},         {"service", service},   {"Service", service}, {"SERVICE", service},
      {"sErViCe", service},  {"goods", goods},       {"Goods", goods},     {"GOODS", goods},
      {"servic", K()},       {"services", K()},      {" service", K()},    {"service ", K()},
      {"good", K()},         {"goodss", K()},        {"completed", K()},   {"servicf", K()},
      {"ervice", K()}};
  for (const auto& [text, kind] : kinds) {
    const std::string_view shown = text;  // CAPTURE's lambda may not take a binding (clang 14)
    CAPTURE(shown);
    CHECK(ParseLineKind(text) == kind);
  }
  const std::pair<std::string_view, S> statuses[] = {
      {"", completed},          {"completed", completed}, {"Completed", completed},
      {"COMPLETED", completed}, {"cancelled", cancelled}, {"canceled", cancelled},
      {"Cancelled", cancelled}, {"CANCELED", cancelled},  {"no_show", no_show},
      {"no-show", no_show},     {"No-Show", no_show},     {"NO_SHOW", no_show},
      {"complete", S()},        {"completed ", S()},      {"completedd", S()},
      {"no show", S()},         {"noshow", S()},          {"cancel", S()},
      {"completes", S()},       {"Xompleted", S()},       {"service", S()}};
  for (const auto& [text, status] : statuses) {
    const std::string_view shown = text;
    CAPTURE(shown);
    CHECK(ParseLineStatus(text) == status);
  }
}

Result<Export> Csv(const Files& files) {
  std::vector<InputFile> inputs;
  for (const auto& [name, bytes] : files) inputs.push_back(InputFile{name, bytes});
  return ImportCsv(inputs);
}

Result<Export> Visits(const std::string& bytes) { return Csv({{"visits.csv", bytes}}); }

using test::CheckError;
using test::CheckSameData;
using test::Ok;

using test::ReadFile;

TEST_CASE("ImportCsv: dialects") {
  SUBCASE("comma") {
    const Export data = Ok(Visits("date,patient,amount\n2024-01-05,P1,12.50\n2024-01-06,P2,-3\n"));
    CHECK(data.summary.format == "csv");
    CHECK(data.summary.files == std::vector<std::string>{"visits.csv"});
    CHECK(data.summary.lines == 2);
    CHECK(data.summary.completed_amount == 95000);
    CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P1", "P2"});
    CHECK(data.lines.day == std::vector<Day>{19727, 19728});
  }
  SUBCASE("semicolon with decimal comma") {
    const Export data =
        Ok(Visits("date;patient;amount;employee\n2024-01-05;P1;12,50;E1\n2024-01-06;P2;1.5;\n"));
    CHECK(data.lines.amount == std::vector<Money>{125000, 15000});
    CHECK(data.lines.employee == std::vector<Index>{0, kNone});
  }
  SUBCASE("tab") {
    const Export data = Ok(Visits("date\tpatient\tamount\n2024-01-05\tP 1\t12.50\n"));
    CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P 1"});
    CHECK(data.summary.completed_amount == 125000);
  }
  SUBCASE("a decimal comma is refused in a tab file") {
    CheckError(Visits("date\tpatient\tamount\n2024-01-05\tP1\t12,50\n"),
               {code::kCsvBadAmount, "visits.csv", 2, 3, "amount", "12,50"});
  }
  SUBCASE("CRLF, LF and CR mixed") {
    const Export data =
        Ok(Visits("date,patient,amount\r\n2024-01-05,P1,1\n2024-01-06,P1,2\r2024-01-07,P1,4\r\n"));
    CHECK(data.summary.lines == 3);
    CHECK(data.summary.completed_amount == 70000);
    // Line numbers still count every kind of line end.
    CheckError(
        Visits("date,patient,amount\r\n2024-01-05,P1,1\n2024-01-06,P1,2\r2024-01-07,P1,x\r\n"),
        {code::kCsvBadAmount, "visits.csv", 4, 3, "amount", "x"});
  }
  SUBCASE("UTF-8 BOM") {
    const Export data =
        Ok(Visits("\xEF\xBB\xBF"
                  "date,patient,amount\n2024-01-05,P1,1\n"));
    CHECK(data.summary.lines == 1);
  }
  SUBCASE("quoted line breaks keep the physical line numbers") {
    const Result<Export> r =
        Visits("date,patient,amount,service\n2024-01-05,P1,1,\"two\nlines\"\n2024-01-06,P1,x,\n");
    CheckError(r, {code::kCsvBadAmount, "visits.csv", 4, 3, "amount", "x"});
    const Export data = Ok(Csv({{"visits.csv", "date,patient,amount\n2024-01-05,P1,1\n"},
                                {"patients.csv", "id,name\nP1,\"Line one\r\nLine two\"\n"}}));
    CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Line one\r\nLine two"});
  }
  SUBCASE("quoted delimiters and quotes") {
    const Export data =
        Ok(Csv({{"visits.csv", "date,patient,amount,employee\n2024-01-05,P1,\"12.50\",E1\n"},
                {"employees.csv", "id,name\nE1,\"Fischer, Lena \"\"Lenny\"\"\"\n"}}));
    CHECK(test::Strings(data.employees.names) ==
          std::vector<std::string>{"Fischer, Lena \"Lenny\""});
    CHECK(data.summary.completed_amount == 125000);
  }
  SUBCASE("semicolon file with quoted semicolons and decimal commas") {
    const Export data = Ok(Visits("date;patient;amount\n2024-01-05;\"P;1\";\"1234,5\"\n"));
    CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P;1"});
    CHECK(data.summary.completed_amount == 12345000);
  }
  SUBCASE("lone visits.csv with names") {
    const Export data =
        Ok(Visits("date,patient,patient_name,employee,employee_name,division,division_name,amount\n"
                  "2024-01-05,P1,Maria,E1,Anna,D1,Therapy,10\n"
                  "2024-01-06,P1,Maria S.,E2,,D1,,20\n"));
    CHECK(test::Strings(data.patients.names) ==
          std::vector<std::string>{"Maria"});  // the first name wins
    CHECK(test::Strings(data.employees.names) == std::vector<std::string>{"Anna", "E2"});
    CHECK(test::Strings(data.divisions.names) == std::vector<std::string>{"Therapy"});
    REQUIRE(data.summary.warnings.size() == 1);  // only E2 has no name
    CHECK(data.summary.warnings[0].code == "ref.unknown_employee");
    CHECK(data.summary.warnings[0].message ==
          "visits.csv, line 3: employee \"E2\" is not in the employees table; kept and shown by "
          "its id (1 reference)");
  }
  SUBCASE("a sep= line names the delimiter") {
    const Export data = Ok(Visits("sep=;\ndate;patient;amount\n2024-01-05;P1;1,5\n"));
    CHECK(data.summary.completed_amount == 15000);
    CheckError(Visits("sep=;\r\ndate;patient;amount\r\n2024-01-05;P1;x\r\n"),
               {code::kCsvBadAmount, "visits.csv", 3, 3, "amount", "x"});
  }
  SUBCASE("sep= wins over the counts") {
    // Without the sep= line the 4 semicolons would outvote the 3 commas.
    const Export data = Ok(Visits("sep=,\ndate,patient,amount,x;y;z;w;v\n2024-01-05,P1,1,x\n"));
    CHECK(data.summary.lines == 1);
  }
  SUBCASE("blank lines and rows of delimiters are skipped and counted") {
    const Export data =
        Ok(Visits("\n\ndate;patient;amount\n\n2024-01-05;P1;1\r\n\r\n;;\n ; ;\n"
                  "2024-01-06;P1;2\n\n"));
    CHECK(data.summary.lines == 2);
    CHECK(data.summary.blank_lines == 7);
  }
  SUBCASE("spaces around unquoted cells are ignored") {
    const Export data = Ok(Visits(" date , patient ,amount\n 2024-01-05 , P1 ,  12.50 \n"));
    CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P1"});
    CHECK(data.summary.completed_amount == 125000);
  }
  SUBCASE("spaces inside quotes are kept, around quotes ignored") {
    const Export data = Ok(Visits("date,patient,amount\n2024-01-05, \" P1 \" ,1\n"));
    CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{" P1 "});
  }
  SUBCASE("no line break at the end") {
    CHECK(Ok(Visits("date,patient,amount\n2024-01-05,P1,1")).summary.lines == 1);
  }
  SUBCASE("a quoted last cell at the end of the file") {
    CHECK(Ok(Visits("date,patient,amount\n2024-01-05,P1,\"1\"")).summary.lines == 1);
  }
  SUBCASE("header names ignore case and spaces, any order") {
    const Export data = Ok(Visits(" AMOUNT ,Patient,\"Date\"\n7,P1,2024-01-05\n"));
    CHECK(data.summary.completed_amount == 70000);
  }
  SUBCASE("header only") { CHECK(Ok(Visits("date,patient,amount\n")).summary.lines == 0); }
  SUBCASE("unknown columns are reported once per file") {
    const Export data = Ok(Csv(
        {{"visits.csv", "date,patient,amount,foo,Bar\n2024-01-05,P1,1,x,y\n2024-01-06,P1,1,,\n"},
         {"patients.csv", "id,name,age\nP1,Maria,40\n"}}));
    REQUIRE(data.summary.warnings.size() == 2);
    CHECK(data.summary.warnings[0].code == "csv.unknown_column");
    CHECK(data.summary.warnings[0].message ==
          "patients.csv: the column \"age\" is not used and was ignored");
    CHECK(data.summary.warnings[0].count == 1);
    CHECK(data.summary.warnings[1].message ==
          "visits.csv: the columns \"foo\", \"bar\" are not used and were ignored");
    CHECK(data.summary.warnings[1].count == 2);
  }
  SUBCASE("unnamed columns are ignored silently") {
    const Export data = Ok(Visits("date,patient,amount,,\n2024-01-05,P1,1,,\n"));
    REQUIRE(data.summary.warnings.size() == 1);
    CHECK(data.summary.warnings[0].code == "ref.unknown_patient");  // no csv.unknown_column
    CHECK(data.summary.lines == 1);
  }
  SUBCASE("kinds and statuses") {
    const Export data = Ok(Visits(
        "date,patient,amount,kind,status\n2024-01-05,P1,1,goods,\n2024-01-05,P1,2,,Cancelled\n"
        "2024-01-05,P1,4,Service,no-show\n2024-01-05,P1,8,GOODS,completed\n"));
    CHECK(data.summary.completed == 2);
    CHECK(data.summary.goods_lines == 2);
    CHECK(data.summary.cancelled_amount == 20000);
    CHECK(data.summary.no_show_amount == 40000);
  }
  SUBCASE("file names: any case, any folder") {
    const Export data = Ok(Csv({{"Export/VISITS.CSV", "date,patient,amount\n2024-01-05,P1,1\n"},
                                {"C:\\data\\Patients.csv", "id,name\nP1,Maria\n"}}));
    CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Maria"});
    CHECK(data.summary.files ==
          std::vector<std::string>{"Export/VISITS.CSV", "C:\\data\\Patients.csv"});
  }
  SUBCASE("all tables, semicolon dialect") {
    const Export data = Ok(Csv({
        {"divisions.csv", "id;name\nD1;Therapy\n"},
        {"price_lists.csv", "id;name\nL1;Standard\n"},
        {"employees.csv", "id;name;division\nE1;Anna;D1\nE2;;\n"},
        {"patients.csv",
         "id;name;price_list;bonus_balance;registered\nP1;Maria;L1;12,5;2023-11-20\nP2;;;;\n"},
        {"visits.csv",
         "id;date;patient;employee;division;amount;service\nV1;2024-01-05;P1;E1;D1;10;X-ray\n"},
    }));
    CHECK(test::Strings(data.divisions.names) == std::vector<std::string>{"Therapy"});
    CHECK(test::Strings(data.employees.names) == std::vector<std::string>{"Anna", "E2"});
    CHECK(data.employee_division == std::vector<Index>{0, kNone});
    CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Maria", "P2"});
    CHECK(data.patient_price_list == std::vector<Index>{0, kNone});
    CHECK(data.patient_bonus == std::vector<Money>{125000, 0});
    CHECK(data.patient_has_bonus == std::vector<uint8_t>{1, 0});
    CHECK(data.patient_registered == std::vector<Day>{19681, kNoDay});
    CHECK(data.summary.divisions == 1);
    CHECK(data.summary.price_lists == 1);
    CHECK(data.summary.employees == 2);
    CHECK(data.summary.patients == 2);
    CHECK(data.summary.warnings.empty());
  }
}

TEST_CASE("ImportCsv: errors") {
  SUBCASE("unclosed quote: located where it opens") {
    const Result<Export> r =
        Visits("date,patient,amount\n2024-01-05,P1,1\n2024-01-05,\"P1,1\n2024-01-06,P1,1\n");
    CheckError(r, {code::kCsvUnclosedQuote, "visits.csv", 3, 2, "patient", ""});
    CHECK(r.error().message ==
          "visits.csv, line 3, column 2 (patient): a quoted cell starting on this line is never "
          "closed (a '\"' is missing) [csv.unclosed_quote]");
  }
  SUBCASE("quote inside an unquoted cell") {
    const Result<Export> r = Visits("date,patient,amount\n2024-01-05,P\"1,1\n");
    CheckError(r, {code::kCsvBadQuote, "visits.csv", 2, 2, "patient", "P\"1"});
    CHECK(r.error().message ==
          "visits.csv, line 2, column 2 (patient): a '\"' inside a cell that does not start with "
          "'\"' (quote the whole cell and write inner quotes twice: \"say \"\"hi\"\"\") "
          "[csv.bad_quote]");
  }
  SUBCASE("text after a closing quote") {
    const Result<Export> r = Visits("date,patient,amount\n2024-01-05,\"P1\"x,1\n");
    CheckError(r, {code::kCsvBadQuote, "visits.csv", 2, 2, "patient", "\"P1\"x"});
    CHECK(r.error().message ==
          "visits.csv, line 2, column 2 (patient): there is text after the closing '\"' of a "
          "quoted cell (a quote inside a quoted cell is written twice: \"\") [csv.bad_quote]");
  }
  SUBCASE("text after a closing quote on a later physical line") {
    CheckError(Visits("date,patient,amount\n2024-01-05,\"P\n1\" x,1\n"),
               {code::kCsvBadQuote, "visits.csv", 3, 2, "patient", "\"P\n1\" x"});
  }
  SUBCASE("too few cells") {
    const Result<Export> r = Visits("date,patient,amount\n2024-01-05,P1\n");
    CheckError(r, {code::kCsvCellCount, "visits.csv", 2, 0, "", "2024-01-05,P1"});
    CHECK(r.error().message ==
          "visits.csv, line 2: expected 3 cells like the header, found 2 [csv.cell_count]");
  }
  SUBCASE("too many cells: an unquoted decimal comma") {
    const Result<Export> r = Visits("date,patient,amount\r\n2024-01-05,P1,12,50\r\n");
    CheckError(r, {code::kCsvCellCount, "visits.csv", 2, 0, "", "2024-01-05,P1,12,50"});
    CHECK(r.error().message ==
          "visits.csv, line 2: expected 3 cells like the header, found 4 (in a comma-separated "
          "file a cell containing ',' must be in double quotes) [csv.cell_count]");
  }
  SUBCASE("missing column") {
    const Result<Export> r = Visits("date,patient\n2024-01-05,P1\n");
    CheckError(r, {code::kCsvMissingColumn, "visits.csv", 1, 0, "amount", ""});
    CHECK(r.error().message ==
          "visits.csv, line 1 (amount): the header has no \"amount\" column, which is required "
          "(columns of visits.csv: id, date, patient, employee, division, amount, kind, status, "
          "service, patient_name, employee_name, division_name) [csv.missing_column]");
  }
  SUBCASE("missing id column") {
    CheckError(Csv({{"visits.csv", "date,patient,amount\n"}, {"divisions.csv", "name\nX\n"}}),
               {code::kCsvMissingColumn, "divisions.csv", 1, 0, "id", ""});
  }
  SUBCASE("duplicate column") {
    const Result<Export> r = Visits("date,patient,amount,Date\n");
    CheckError(r, {code::kCsvDuplicateColumn, "visits.csv", 1, 4, "date", "Date"});
    CHECK(r.error().message ==
          "visits.csv, line 1, column 4 (date): the column \"date\" appears twice in the header "
          "[csv.duplicate_column]");
  }
  SUBCASE("duplicate unknown column") {
    CheckError(Visits("date,patient,amount,x,X\n"),
               {code::kCsvDuplicateColumn, "visits.csv", 1, 5, "x", "X"});
  }
  SUBCASE("empty file") {
    const Result<Export> r = Visits("");
    CheckError(r, {code::kCsvNoHeader, "visits.csv", 0, 0, "", ""});
    CHECK(r.error().message ==
          "visits.csv: the file is empty: its first line must name the columns [csv.no_header]");
  }
  SUBCASE("only blank lines") {
    CheckError(Visits("\r\n\n  \n"), {code::kCsvNoHeader, "visits.csv", 0, 0, "", ""});
  }
  SUBCASE("data instead of a header") {
    const Result<Export> r = Visits("2024-01-05,P1,1\n");
    CheckError(r, {code::kCsvNoHeader, "visits.csv", 1, 0, "", "2024-01-05"});
  }
  SUBCASE("unknown file") {
    const Result<Export> r = Csv({{"visits.csv", "date,patient,amount\n"}, {"visit.csv", ""}});
    CheckError(r, {code::kCsvUnknownFile, "visit.csv", 0, 0, "", ""});
    CHECK(r.error().message ==
          "visit.csv: this file name is not one of the export's tables: name the files "
          "visits.csv, patients.csv, employees.csv, divisions.csv and price_lists.csv "
          "[csv.unknown_file]");
  }
  SUBCASE("the same table twice") {
    const Result<Export> r =
        Csv({{"visits.csv", "date,patient,amount\n"}, {"old/VISITS.csv", "date,patient,amount\n"}});
    CheckError(r, {code::kCsvDuplicateFile, "old/VISITS.csv", 0, 0, "", ""});
    CHECK(r.error().message ==
          "old/VISITS.csv: the table visits.csv was given twice (also as \"visits.csv\") "
          "[csv.duplicate_file]");
  }
  SUBCASE("no visits.csv") {
    const Result<Export> r = Csv({{"patients.csv", "id\nP1\n"}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kCsvNoVisits);
    CHECK(r.error().message ==
          "visits.csv is missing: it holds the visit lines every report is built from "
          "[csv.no_visits]");
  }
  SUBCASE("no files") {
    const Result<Export> r = Csv({});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kNoFiles);
  }
  SUBCASE("empty required cell") {
    const Result<Export> r = Visits("date,patient,amount\n2024-01-05,,1\n");
    CheckError(r, {code::kCsvMissingField, "visits.csv", 2, 2, "patient", ""});
    CHECK(r.error().message ==
          "visits.csv, line 2, column 2 (patient): the required cell \"patient\" is empty "
          "[csv.missing_field]");
  }
  SUBCASE("empty id in a table") {
    CheckError(
        Csv({{"visits.csv", "date,patient,amount\n"}, {"employees.csv", "name,id\nAnna,\n"}}),
        {code::kCsvMissingField, "employees.csv", 2, 2, "id", ""});
  }
  SUBCASE("five decimals, as in status.h") {
    std::string doc = "id,date,patient,employee,amount\n";
    for (int i = 2; i < 12; ++i) doc += "V" + std::to_string(i) + ",2024-01-05,P1,E1,1\n";
    doc += "V12,2024-01-05,P1,E1,12.34567\n";
    const Result<Export> r = Visits(doc);
    CheckError(r, {code::kCsvBadAmount, "visits.csv", 12, 5, "amount", "12.34567"});
    CHECK(r.error().message ==
          "visits.csv, line 12, column 5 (amount): \"12.34567\" is not a valid amount: at most 4 "
          "decimals are allowed [csv.bad_amount]");
  }
  SUBCASE("thousands separator") {
    const Result<Export> r = Visits("date,patient,amount\n2024-01-05,P1,\"12,345.00\"\n");
    CheckError(r, {code::kCsvBadAmount, "visits.csv", 2, 3, "amount", "12,345.00"});
    CHECK(r.error().message ==
          "visits.csv, line 2, column 3 (amount): \"12,345.00\" is not a valid amount: write "
          "digits with an optional sign and one decimal separator, without spaces, thousands "
          "separators or currency signs [csv.bad_amount]");
  }
  SUBCASE("exponent from a spreadsheet") {
    CheckError(Visits("date;patient;amount\n2024-01-05;P1;1,2E+05\n"),
               {code::kCsvBadAmount, "visits.csv", 2, 3, "amount", "1,2E+05"});
  }
  SUBCASE("impossible date") {
    const Result<Export> r = Visits("date,patient,amount\n2024-02-30,P1,1\n");
    CheckError(r, {code::kCsvBadDate, "visits.csv", 2, 1, "date", "2024-02-30"});
    CHECK(r.error().message ==
          "visits.csv, line 2, column 1 (date): \"2024-02-30\" is not a valid date: write "
          "YYYY-MM-DD (a real calendar date, years 1900 to 2199), optionally followed by a time "
          "[csv.bad_date]");
  }
  SUBCASE("European date") {
    CheckError(Visits("date;patient;amount\n05.01.2024;P1;1\n"),
               {code::kCsvBadDate, "visits.csv", 2, 1, "date", "05.01.2024"});
  }
  SUBCASE("bad kind") {
    const Result<Export> r = Visits("date,patient,amount,kind\n2024-01-05,P1,1,product\n");
    CheckError(r, {code::kCsvBadValue, "visits.csv", 2, 4, "kind", "product"});
    CHECK(r.error().message ==
          "visits.csv, line 2, column 4 (kind): \"product\" is not a valid kind: use \"service\" "
          "or \"goods\" [csv.bad_value]");
  }
  SUBCASE("bad status") {
    CheckError(Visits("status,date,patient,amount\ndone,2024-01-05,P1,1\n"),
               {code::kCsvBadValue, "visits.csv", 2, 1, "status", "done"});
  }
  SUBCASE("duplicate patient id") {
    const Result<Export> r = Csv(
        {{"visits.csv", "date,patient,amount\n"}, {"patients.csv", "id,name\nP1,Maria\nP1,Max\n"}});
    CheckError(r, {code::kCsvDuplicateId, "patients.csv", 3, 1, "id", "P1"});
    CHECK(r.error().message ==
          "patients.csv, line 3, column 1 (id): the id \"P1\" appears twice in patients.csv "
          "[csv.duplicate_id]");
  }
  SUBCASE("duplicate division, price list and employee ids") {
    CheckError(Csv({{"visits.csv", "date,patient,amount\n"}, {"divisions.csv", "id\nD\nD\n"}}),
               {code::kCsvDuplicateId, "divisions.csv", 3, 1, "id", "D"});
    CheckError(
        Csv({{"visits.csv", "date,patient,amount\n"}, {"price_lists.csv", "name,id\nA,L\nB,L\n"}}),
        {code::kCsvDuplicateId, "price_lists.csv", 3, 2, "id", "L"});
    CheckError(Csv({{"visits.csv", "date,patient,amount\n"}, {"employees.csv", "id\nE\n\nE\n"}}),
               {code::kCsvDuplicateId, "employees.csv", 4, 1, "id", "E"});
  }
  SUBCASE("duplicate visit line id") {
    const Result<Export> r =
        Visits("id,date,patient,amount\nV1,2024-01-05,P1,1\nV1,2024-01-06,P1,1\n");
    CheckError(r, {code::kCsvDuplicateId, "visits.csv", 3, 1, "id", "V1"});
    CHECK(r.error().message ==
          "visits.csv, line 3, column 1 (id): the visit line id \"V1\" appears twice "
          "[csv.duplicate_id]");
  }
  SUBCASE("bad bonus balance and registration date") {
    CheckError(Csv({{"visits.csv", "date,patient,amount\n"},
                    {"patients.csv", "id,bonus_balance\nP1,12 EUR\n"}}),
               {code::kCsvBadAmount, "patients.csv", 2, 2, "bonus_balance", "12 EUR"});
    CheckError(Csv({{"visits.csv", "date,patient,amount\n"},
                    {"patients.csv", "id,registered\nP1,2023-13-01\n"}}),
               {code::kCsvBadDate, "patients.csv", 2, 2, "registered", "2023-13-01"});
  }
  SUBCASE("UTF-16") {
    const Result<Export> r =
        Visits(std::string("\xFF\xFE"
                           "d\0a\0",
                           6));
    CheckError(r, {code::kUtf16, "visits.csv", 0, 0, "", ""});
    CHECK(r.error().message ==
          "visits.csv: the file is saved as UTF-16 (\"Unicode text\"); save it as CSV UTF-8 and "
          "try again [input.utf16]");
  }
  SUBCASE("Windows-1252 text") {
    const Result<Export> r =
        Csv({{"visits.csv", "date,patient,amount\n"}, {"patients.csv", "id,name\nP1,M\xFCller\n"}});
    CheckError(r, {code::kBadUtf8, "patients.csv", 2, 2, "name", ""});
    CHECK(r.error().message ==
          "patients.csv, line 2, column 2 (name): the byte 0xFC is not valid UTF-8: the file "
          "seems to be saved in another encoding (like Windows-1252); save it as CSV UTF-8 "
          "[input.bad_utf8]");
  }
  SUBCASE("Windows-1252 text or a NUL byte with more records after it, LF and CRLF line ends") {
    // Far from the end of the file, so that both readers meet the byte in a
    // 16-byte block: the one-scan path (LF) and the cell reader (CRLF).
    for (const std::string_view eol : {"\n", "\r\n"}) {
      CAPTURE(eol.size());
      for (const std::string& bad : {std::string("\xFC"), std::string(1, '\0')}) {
        std::string patients = "id,name" + std::string(eol) + "P1,M" + bad +
                               "ller-Schmidt and family" + std::string(eol);
        for (int i = 2; i < 5; ++i) {
          patients += "P" + std::to_string(i) + ",A long name" + std::string(eol);
        }
        CheckError(Csv({{"visits.csv", "date,patient,amount\n"}, {"patients.csv", patients}}),
                   {bad == "\xFC" ? code::kBadUtf8 : code::kNulByte, "patients.csv", 2, 2, "name",
                    ""});
      }
    }
  }
  SUBCASE("invalid UTF-8 inside quotes, on a later physical line") {
    CheckError(Visits("date,patient,amount\n2024-01-05,\"P\n\xC0\x80\",1\n"),
               {code::kBadUtf8, "visits.csv", 3, 2, "patient", ""});
  }
  SUBCASE("valid UTF-8 everywhere") {
    const Export data =
        Ok(Visits("date,patient,amount\n2024-01-05,\xC3\x98ster \xF0\x9F\x98\x80,1\n"));
    CHECK(test::Strings(data.patients.ids) ==
          std::vector<std::string>{"\xC3\x98ster \xF0\x9F\x98\x80"});
  }
  SUBCASE("NUL byte") {
    const Result<Export> r = Visits(std::string("date,patient,amount\n2024-01-05,P\0,1\n", 36));
    CheckError(r, {code::kNulByte, "visits.csv", 2, 2, "patient", ""});
  }
  SUBCASE("NUL byte in a quoted cell") {
    CheckError(Visits(std::string("date,patient,amount\n2024-01-05,\"P\0\",1\n", 38)),
               {code::kNulByte, "visits.csv", 2, 2, "patient", ""});
  }
  SUBCASE("amounts beyond the exact sum range") {
    const Result<Export> r = Visits(
        "date,patient,amount\n2024-01-05,P1,900000000000000\n2024-01-05,P1,-30000000000000\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kAmountOverflow);
  }
  SUBCASE("errors come from the first table read, in a fixed order") {
    // divisions, price lists, employees, patients, then visits.
    CheckError(Csv({{"visits.csv", "date,patient,amount\nx,P1,1\n"}, {"patients.csv", "id\n\"\n"}}),
               {code::kCsvUnclosedQuote, "patients.csv", 2, 1, "id", ""});
  }
}

TEST_CASE("ImportFiles: JSON or CSV") {
  const std::string json = "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[]}";
  const std::string csv = "date,patient,amount\n2024-01-05,P1,1\n";
  SUBCASE("no files") {
    const Result<Export> r = ImportFiles({});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kNoFiles);
    CHECK(r.error().message ==
          "no files were given: choose the export's JSON file or its CSV files [input.no_files]");
  }
  SUBCASE("a .json file") {
    CHECK(Ok(ImportFiles({{"export.json", json}})).summary.format == "json");
  }
  SUBCASE("a .JSON file") {
    CHECK(Ok(ImportFiles({{"EXPORT.JSON", json}})).summary.format == "json");
  }
  SUBCASE("a .json file that is empty is still JSON") {
    const Result<Export> r = ImportFiles({{"export.json", ""}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kEmptyInput);
  }
  SUBCASE("a file starting with '{' after a BOM and spaces") {
    CHECK(Ok(ImportFiles({{"export.txt", "\xEF\xBB\xBF \n" + json}})).summary.format == "json");
  }
  SUBCASE("CSV files") {
    CHECK(Ok(ImportFiles({{"visits.csv", csv}, {"patients.csv", "id\nP1\n"}})).summary.format ==
          "csv");
  }
  SUBCASE("a lone CSV file") { CHECK(Ok(ImportFiles({{"visits.csv", csv}})).summary.lines == 1); }
  SUBCASE("JSON mixed with CSV") {
    const Result<Export> r = ImportFiles({{"visits.csv", csv}, {"export.json", json}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kMixedFiles);
    CHECK(r.error().where.file == "export.json");
    CHECK(r.error().message ==
          "export.json: a JSON export is a single file: choose either the one .json file or the "
          "CSV files, not both [input.mixed_files]");
  }
  SUBCASE("UTF-16 is named whatever the file name") {
    const Result<Export> r = ImportFiles({{"export.txt", std::string_view("\xFF\xFE{\0", 4)}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kUtf16);
    CHECK(r.error().message ==
          "export.txt: the file is saved as UTF-16; save it as UTF-8 and try again [input.utf16]");
  }
  SUBCASE("two JSON files") {
    const Result<Export> r = ImportFiles({{"a.json", json}, {"b.json", json}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == code::kMixedFiles);
  }
}

// The example export of docs/export-format.md, as JSON and as its CSV files.
std::string ExampleJson() {
  return ReadFile(std::string(CLINIC_SOURCE_DIR) + "/tests/fixtures/example-export.json");
}
Files ExampleCsv() {
  Files csv;
  for (const char* name :
       {"divisions.csv", "employees.csv", "price_lists.csv", "patients.csv", "visits.csv"}) {
    csv.emplace_back(
        name, ReadFile(std::string(CLINIC_SOURCE_DIR) + "/tests/fixtures/example-csv/" + name));
  }
  return csv;
}

TEST_CASE("ImportFiles: input_done comes once after the last input byte is read") {
  // Every input byte is overwritten when input_done is called: an importer
  // that still read its input afterwards would build different data.
  const std::string json = ExampleJson();
  const Files csv = ExampleCsv();
  const Export json_plain = Ok(ImportFiles({{"example-export.json", json}}));
  const Export csv_plain = Ok(Csv(csv));
  for (const bool is_json : {true, false}) {
    CAPTURE(is_json);
    Files files = is_json ? Files{{"example-export.json", json}} : csv;
    std::vector<InputFile> inputs;
    for (const auto& [name, bytes] : files) inputs.push_back(InputFile{name, bytes});
    int calls = 0;
    const Export poisoned = Ok(ImportFiles(inputs, [&] {
      ++calls;
      for (auto& file : files) std::fill(file.second.begin(), file.second.end(), '\xFF');
    }));
    CHECK(calls == 1);
    CheckSameData(poisoned, is_json ? json_plain : csv_plain);
  }
  SUBCASE("not called when the import fails") {
    int calls = 0;
    const std::string broken = "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[}";
    CHECK_FALSE(ImportFiles({{"x.json", broken}}, [&] { ++calls; }).ok());
    CHECK_FALSE(
        ImportFiles({{"visits.csv", "date,patient,amount\nx,P1,1\n"}}, [&] { ++calls; }).ok());
    CHECK(calls == 0);
  }
}

TEST_CASE("Example fixture: JSON and CSV import to the same data") {
  const std::string json = ExampleJson();
  const Files csv = ExampleCsv();
  const Export from_json = Ok(ImportJson("example-export.json", json));
  const Export from_csv = Ok(Csv(csv));
  CheckSameData(from_json, from_csv);

  SUBCASE("the values stated in docs/export-format.md") {
    const ImportSummary& s = from_json.summary;
    CHECK(from_json.clinic_name == "Riverside Family Clinic");
    CHECK(from_json.currency == "EUR");
    CHECK(s.lines == 12);
    CHECK(s.completed == 10);
    CHECK(s.completed_amount == 7013900);  // 701.39
    CHECK(s.cancelled == 1);
    CHECK(s.cancelled_amount == 450000);
    CHECK(s.no_show == 1);
    CHECK(s.no_show_amount == 1500000);
    CHECK(s.visits == 8);
    CHECK(s.goods_lines == 3);
    CHECK(s.refund_lines == 1);
    CHECK(s.patients_with_lines == 4);
    CHECK(s.first_day == 19725);  // 2024-01-03
    CHECK(s.last_day == 19797);   // 2024-03-15 (the date-time's date as written)
    CHECK(s.warnings.empty());
    CHECK(test::Strings(from_json.patients.names) ==
          std::vector<std::string>{"Maria Schmidt", "Max \"Maxi\" Huber",
                                   "Chlo\xC3\xA9 \xC3\x98ster", "Oscar Berg"});
    CHECK(test::Strings(from_json.employees.names) ==
          std::vector<std::string>{"Dr. Anna Weber", "Dr. Jonas Keller", "Lena Fischer, nurse"});
    CHECK(from_json.patient_bonus == std::vector<Money>{125000, 0, 0, 0});
    CHECK(from_json.patient_has_bonus == std::vector<uint8_t>{1, 1, 0, 0});
    CHECK(from_json.patient_price_list == std::vector<Index>{0, 1, kNone, kNone});
    CHECK(from_json.employee_division == std::vector<Index>{0, 1, kNone});
    // Completed lines per patient: P1 3 lines, P2 4, P3 2, P4 1.
    CHECK(from_json.patient_begin == std::vector<uint32_t>{0, 3, 7, 9, 10});
  }
  SUBCASE("the same data as a semicolon file with decimal commas and CRLF") {
    Files european = csv;
    for (auto& [name, bytes] : european) {
      std::string out;
      bool quoted = false;
      for (const char c : bytes) {
        if (c == '"') quoted = !quoted;
        if (c == '\n') {
          out += "\r\n";
        } else if (c == ',' && !quoted) {
          out += ';';
        } else {
          out += c;
        }
      }
      // Amounts in the visits and bonus columns get a decimal comma.
      for (const char* amount : {";45.00;", ";12.9;", ";320.00;", ";8.5;", ";150.00;", ";25.00;",
                                 ";9.99;", ";210.0000;", ";12.50;"}) {
        std::string comma = amount;
        comma[comma.find('.')] = ',';
        for (size_t at = out.find(amount); at != std::string::npos; at = out.find(amount, at + 1)) {
          out.replace(at, comma.size(), comma);
        }
      }
      bytes = out;
    }
    CHECK(european[4].second.find("V2;2024-01-03;P2;E1;D1;12,9;goods;;Vitamin D3 drops\r\n") !=
          std::string::npos);
    CheckSameData(from_json, Ok(Csv(european)));
  }
}

// 1,000,000 x 9,999,999.9999 = 9,999,999,999,900: past 2^53 in 1/10000 units.
TEST_CASE("ImportCsv: exact sum of 1,000,000 large amounts") {
  constexpr int kLines = 1000000;
  std::string doc = "date,patient,amount\n";
  doc.reserve(static_cast<size_t>(kLines) * 28);
  for (int i = 0; i < kLines; ++i) {
    doc += "2024-01-0";
    doc += static_cast<char>('1' + i % 9);
    doc += ",P";
    doc += static_cast<char>('0' + i % 10);
    doc += ",9999999.9999\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const Export data = Ok(ImportCsv({InputFile{"visits.csv", doc}}));  // no copy of the bytes
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("imported " << doc.size() / 1e6 << " MB of CSV in " << seconds << " s");
  CHECK(data.summary.lines == 1000000);
  CHECK(data.summary.completed_amount == 99999999999000000);
  CHECK(FormatMoney(data.summary.completed_amount) == "9999999999900.00");
}

}  // namespace
}  // namespace clinic
