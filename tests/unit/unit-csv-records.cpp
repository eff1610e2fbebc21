// The CSV reader's one-scan path for plain records (ReadSimpleRecord) against
// its cell-by-cell reader: the same export, or the same error to the byte, on
// random files that mix plain records with every case the scan hands over
// (quotes, CR, NUL, bytes of multi-byte characters valid and not, padding,
// records near the end of the bytes so far), whole and cut into pieces.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fixtures.h"
#include "import.h"
#include "import_helpers.h"
#include "import_stream.h"

namespace clinic {
namespace {

using test::CheckSameResult;
using test::Rng;

// The files imported whole, every record read cell by cell.
Result<Export> ImportCellByCell(const std::vector<InputFile>& files) {
  return internal::ImportCsv(files, {}, /*simple_records=*/false);
}

// One cell's text: mostly plain, sometimes quoted (with what only a quoted
// cell may hold), sometimes with what makes the file fail, or with padding
// that must be trimmed as the cell reader trims it.
std::string RandomText(Rng& rng, char delimiter, const std::string& plain, int odd_percent,
                       bool text) {
  std::string out = plain;
  if (text) {
    if (rng.Chance(8)) out.insert(rng.Below(out.size() + 1), "\xC3\xA5");          // å
    if (rng.Chance(4)) out.insert(rng.Below(out.size() + 1), "\xE2\x82\xAC");      // €
    if (rng.Chance(3)) out.insert(rng.Below(out.size() + 1), "\xF0\x9F\x98\x80");  // U+1F600
  }
  if (rng.Chance(odd_percent)) {
    static const std::vector<std::string> kOdd = {
        "\"",       "\r",           std::string(1, '\0'), "\xC3", "\x80", "\xFF",
        "\xE2\x82", "\xED\xA0\x80", "\xC0\xAF",           "\x01", "\t",   "\n"};
    out.insert(rng.Below(out.size() + 1), rng.Pick(kOdd));
  }
  if (rng.Chance(text ? 20 : 5)) {
    // Quoted: the delimiter, a doubled quote or a line break may be inside.
    std::string quoted = "\"" + out;
    if (text && rng.Chance(40)) quoted += delimiter;
    if (text && rng.Chance(15)) quoted += "\"\"";
    if (text && rng.Chance(10)) quoted += rng.Chance(50) ? "\n" : "\r\n";
    if (text && rng.Chance(10)) quoted += "  ";
    out = quoted + "\"";
    if (rng.Chance(odd_percent)) out = "x" + out;  // text before the quote
  }
  if (rng.Chance(10)) out = " " + out;
  if (rng.Chance(10)) out += rng.Chance(50) || delimiter == '\t' ? "  " : "\t";
  return out;
}

// A cell as a tool that quotes every cell writes it: in quotes, inner quotes
// doubled; a text cell sometimes with the delimiter, a quote or a line break
// in it, or (in a file that is to fail) text after its closing quote.
std::string QuotedAlways(Rng& rng, char delimiter, const std::string& plain, int odd_percent,
                         bool text) {
  std::string inner = plain;
  if (text && rng.Chance(20)) inner.insert(rng.Below(inner.size() + 1), 1, delimiter);
  if (text && rng.Chance(5)) inner.insert(rng.Below(inner.size() + 1), "\"");
  if (text && rng.Chance(3))
    inner.insert(rng.Below(inner.size() + 1), rng.Chance(50) ? "\n" : "\r\n");
  std::string out = "\"";
  for (const char c : inner) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  if (rng.Chance(odd_percent)) out += rng.Chance(50) ? "x" : " ";
  return out;
}

std::string RandomVisits(Rng& rng, char delimiter, int odd_percent) {
  static const std::vector<std::string> kServices = {
      "Telephone consultation",
      "Ibuprofen 400 mg 30 tablets",
      "X",
      "",
      "Tooth extraction",
      "First assessment of a long-standing complaint and a written plan for the patient"};
  static const std::vector<std::string> kAmounts = {"250.00", "69.90",   "-12.5", "0",
                                                    "1",      "3300.00", "12,50", "x"};
  const bool clean = odd_percent == 0;  // a file that imports
  // A third of the files have CR LF line ends, as spreadsheets write them;
  // the rest mostly LF, with a CR LF now and then.
  const bool crlf = rng.Chance(33);
  // A quarter of the files quote every cell.
  const bool quote_all = rng.Chance(25);
  std::string out;
  const std::string d(1, delimiter);
  out += "id" + d + "date" + d + "patient" + d + "employee" + d + "amount" + d + "service" + d +
         "patient_name" + (crlf ? "\r\n" : "\n");
  const size_t records = 1 + rng.Below(60);
  for (size_t i = 0; i < records; ++i) {
    if (rng.Chance(3)) {
      out += (rng.Chance(50) ? "" : d + d) + (crlf ? "\r\n" : "\n");  // blank lines are counted
      continue;
    }
    std::vector<std::string> cells = {
        "V" + std::to_string(i + 1),
        "2024-0" + std::to_string(1 + rng.Below(9)) + "-1" + std::to_string(rng.Below(10)),
        "P" + std::to_string(1 + rng.Below(9)),
        rng.Chance(20) ? "" : "E" + std::to_string(1 + rng.Below(3)),
        clean || rng.Chance(95) ? kAmounts[rng.Below(delimiter == ';' ? 7 : 6)]
                                : rng.Pick(kAmounts),
        rng.Pick(kServices),
        rng.Chance(50) ? "Ann" : "Bjørn Ødegård"};
    if (!clean && rng.Chance(2)) cells.pop_back();  // a cell short
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += delimiter;
      // Ids, dates and amounts may be quoted or padded; text cells also get
      // other characters. Odd bytes anywhere make the file fail.
      const int odd = c == 0 || c >= 5 ? odd_percent : 0;
      out += quote_all ? QuotedAlways(rng, delimiter, cells[c], odd, c >= 5)
                       : RandomText(rng, delimiter, cells[c], odd, c >= 5);
    }
    out += crlf || rng.Chance(5) ? "\r\n" : "\n";
  }
  if (rng.Chance(30) && !out.empty()) out.pop_back();  // no line end after the last record
  return out;
}

TEST_CASE("ImportCsv: records read in one scan equal the cell reader's, whole and in pieces") {
  const std::vector<char> delimiters = {',', ';', '\t'};
  size_t ok = 0, failed = 0;
  for (uint64_t seed = 1; seed <= 600; ++seed) {
    Rng rng(seed);
    const char delimiter = delimiters[seed % 3];
    // A third of the files have no odd cell and no bad value, so that they import.
    const int odd_percent = seed % 3 == 0 ? 0 : static_cast<int>(1 + rng.Below(6));
    const std::string visits = RandomVisits(rng, delimiter, odd_percent);
    const std::string patients =
        std::string("id,name,registered\nP1,Ann,2024-01-01\nP2,\"Bo, Jr\",\n") +
        "P3,  Åse Bråten  ,2024-02-03\nP4,Zoë\xC3\xAB,\n";
    const std::vector<InputFile> files = {{"visits.csv", visits}, {"patients.csv", patients}};
    CAPTURE(seed);
    CAPTURE(visits);
    const Result<Export> expected = ImportCellByCell(files);
    (expected.ok() ? ok : failed) += 1;
    CheckSameResult(ImportCsv(files), expected);
    CheckSameResult(test::ImportInRandomPieces(files, rng, 1 + rng.Below(64)), expected);
  }
  // Both outcomes were exercised, many times each.
  CHECK(ok > 150);
  CHECK(failed > 150);
}

TEST_CASE("ImportCsv: the one-scan path at the edges of a record") {
  // Records of exactly 15, 16 and 17 bytes, ended at a block's last byte and
  // just past it, and a file that ends without a line end after 16 bytes.
  for (const std::string& visits : {
           std::string("date,patient,amount\n2024-01-02,P1,1\n"),      // 16 bytes with '\n'
           std::string("date,patient,amount\n2024-01-02,P12,1\n"),     // 17
           std::string("date,patient,amount\n2024-01-02,P,1\n"),       // 15
           std::string("date,patient,amount\n2024-01-02,P1,10"),       // no line end
           std::string("date,patient,amount\n2024-01-02, P1 ,1\n\n"),  // padding, a blank line
           std::string("date,patient,amount\n2024-01-02,P1,1\r\n2024-01-03,P1,2\n"),
           std::string("date,patient,amount\n2024-01-02,\xC3,1\n2024-01-03,P1,2\n"),
           // Quoted cells: empty ones (not a blank record), padded, doubled
           // quotes, text before or after the quotes, the last bytes.
           std::string("date,patient,amount\n\"\",\"\",\"\"\n2024-01-03,P1,2\n"),
           std::string("date,patient,amount\n\"2024-01-02\", \"P1\" ,\"1\"\n2024-01-03,P1,2\n"),
           std::string("date,patient,amount\n2024-01-02,\"P\"\"1\",1\n2024-01-03,P1,2\n"),
           std::string("date,patient,amount\n2024-01-02,x\"P1\",1\n2024-01-03,P1,2\n"),
           std::string("date,patient,amount\n2024-01-02,\"P1\"x,1\n2024-01-03,P1,2\n"),
           std::string("date,patient,amount\n2024-01-02,P1,\"1\"\n"),
           // Every cell quoted: a closing quote on a block's last byte, then a
           // delimiter, text, a doubled quote, a CR LF; an opening quote there.
           std::string(
               "date,patient,amount\n\"2024-01-02\",\"P\",\"1\"\n\"2024-01-03\",\"P1\",\"2\"\n"),
           std::string(
               "date,patient,amount\n\"2024-01-02\",\"P\"x,\"1\"\n\"2024-01-03\",\"P1\",\"2\"\n"),
           std::string("date,patient,amount\n\"2024-01-02\",\"P\"\"\",\"1\"\n\"2024-01-03\",\"P1\","
                       "\"2\"\n"),
           std::string(
               "date,patient,amount\r\n\"2024-01-02\",\"P\"\r\n\"2024-01-03\",\"P1\",\"2\"\r\n"),
           std::string(
               "date,patient,amount\n\"2024-01-02\",P,\"1\",\"x\"\n\"2024-01-03\",\"P1\",\"2\"\n"),
           std::string(
               "date,patient,amount\n\"2024-01-02\",\"P\",\"1\"\n\"2024-01-03\",\"P\n1\",\"2\"\n"),
           // CR LF line ends: the CR at a block's last byte and the LF past it,
           // both in one block, the CR past the block; after a quoted cell,
           // padding or an empty cell; a lone CR, two CRs, a CR LF at the end.
           std::string("date,patient,amount\r\n2024-01-02,P1,1\r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\r\n2024-01-02,P,1\r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\r\n2024-01-02,P12,1\r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\r\n2024-01-02,P1,\"1\"\r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\r\n2024-01-02,P1,\"1\"  \r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\r\n2024-01-02,P1,1  \r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount,x\r\n2024-01-02,P1,1,\r\n2024-01-03,P1,2,\r\n"),
           std::string("date,patient,amount\r\n2024-01-02,P1,1,\r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\r\n,,\r\n\r\n2024-01-03,P1,2\r\n"),
           std::string("date,patient,amount\n2024-01-02,P1,1\r2024-01-03,P1,2\n2024-01-04,P1,3\n"),
           std::string(
               "date,patient,amount\n2024-01-02,P1,1\r\r\n2024-01-03,P1,2\n2024-01-04,P1,3\n"),
           std::string(
               "date,patient,amount\n2024-01-02,P1,1\n\r\n2024-01-03,P1,2\n2024-01-04,P1,3\n"),
           std::string("date,patient,amount\r\n2024-01-02,P1,1\r\n"),
       }) {
    CAPTURE(visits);
    const std::vector<InputFile> files = {{"visits.csv", visits}};
    CheckSameResult(ImportCsv(files), ImportCellByCell(files));
  }
  // The same edges for the scan's blocks of 32 bytes: records of 28 to 36
  // bytes, so that the line end, a CR LF, a quoted cell's closing quote, a
  // quote opening the last cell and padding each fall on a block's last byte,
  // and just before and past it; followed by a record, by nothing, or by the
  // end of a file without a line end.
  for (size_t size = 28; size <= 36; ++size) {
    const size_t k = size - 14;  // "2024-01-02," + patient + ",1\n"
    for (const std::string& record : {
             "2024-01-02," + std::string(k, 'P') + ",1\n",
             "2024-01-02," + std::string(k - 1, 'P') + ",1\r\n",
             "2024-01-02,\"" + std::string(k - 2, 'P') + "\",1\n",
             "2024-01-02," + std::string(k - 2, 'P') + ",\"1\"\n",
             "2024-01-02,\"" + std::string(k - 4, 'P') + "\",\"1\"\r\n",
             "2024-01-02, " + std::string(k - 1, 'P') + ",1\n",
             "2024-01-02," + std::string(k - 1, 'P') + " ,1\n",
             "2024-01-02,\"" + std::string(k - 3, 'P') + ",\",1\n",
             "2024-01-02," + std::string(k - 2, 'P') + ", 1\n",
             " 2024-01-02," + std::string(k - 2, 'P') + ",1\n",
             "2024-01-02," + std::string(k / 2, 'P') + " " + std::string(k - 1 - k / 2, 'P') +
                 ",1\n",
         }) {
      // The scan reads a block only where 32 bytes are left, else hands over.
      const std::string more = "2024-01-03,P1,2\n2024-01-04,P1,3\n2024-01-05,P1,4\n";
      for (const std::string& after :
           {more, std::string("2024-01-03,P1,2\n"), std::string(""), more + "2024-01-06,P1,5"}) {
        const std::string visits = "date,patient,amount\n" + record + after;
        CAPTURE(visits);
        const std::vector<InputFile> files = {{"visits.csv", visits}};
        const Result<Export> expected = ImportCellByCell(files);
        REQUIRE(expected.ok());
        CheckSameResult(ImportCsv(files), expected);
        // Text after the closing quote, on and around the block's edge: the
        // same error from both readers.
        const std::string bad = "date,patient,amount\n2024-01-02,\"" + std::string(k - 3, 'P') +
                                "\"x,1\n" + after;
        CAPTURE(bad);
        const std::vector<InputFile> bad_files = {{"visits.csv", bad}};
        const Result<Export> refused = ImportCellByCell(bad_files);
        REQUIRE_FALSE(refused.ok());
        CheckSameResult(ImportCsv(bad_files), refused);
      }
    }
  }
  // Records of more cells than the one-scan path has room for (32 here, or
  // twice the header's), and of as many, in one or several blocks' cuts:
  // the cell reader's errors and counts either way.
  for (const size_t cells : {31, 32, 33, 40, 47, 48, 49, 80}) {
    for (const bool spaced : {false, true}) {
      std::string record = "2024-01-02,P1,1";
      for (size_t i = 3; i < cells; ++i) record += spaced ? ", " : ",";
      const std::string visits = "date,patient,amount\n" + record + "\n2024-01-03,P1,2\n";
      CAPTURE(visits);
      const std::vector<InputFile> files = {{"visits.csv", visits}};
      CheckSameResult(ImportCsv(files), ImportCellByCell(files));
    }
  }
  const Export data =
      test::Ok(ImportCsv({{"visits.csv", "date,patient,amount\n2024-01-02, P1 ,1\n\n"}}));
  CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P1"});
  CHECK(data.summary.blank_lines == 1);
  const Export quoted = test::Ok(ImportCsv(
      {{"visits.csv", "date,patient,amount\n\"2024-01-02\", \"P,1\" ,\"1\"\n2024-01-03,P2,2\n"}}));
  CHECK(test::Strings(quoted.patients.ids) == std::vector<std::string>{"P,1", "P2"});
  CHECK(quoted.summary.completed_amount == 30000);
  // CR LF: the CR is the line end's, not the last cell's (here "Ann", not
  // "Ann\r"), and each CR LF is one line for the locations.
  const Export crlf =
      test::Ok(ImportCsv({{"visits.csv",
                           "date,patient,amount,patient_name\r\n2024-01-02,P1,1.50,Ann\r\n"
                           "2024-01-03,P2,2,\"Bo, Jr\"\r\n2024-01-04,P1,3,Ann\r\n"}}));
  CHECK(test::Strings(crlf.patients.ids) == std::vector<std::string>{"P1", "P2"});
  CHECK(test::Strings(crlf.patients.names) == std::vector<std::string>{"Ann", "Bo, Jr"});
  CHECK(crlf.summary.completed_amount == 65000);  // 1.50 + 2 + 3, in 1/10000
  const Result<Export> bad = ImportCsv({{"visits.csv",
                                         "date,patient,amount\r\n2024-01-02,P1,1\r\n"
                                         "2024-01-03,P1,x\r\n2024-01-04,P1,3\r\n"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().where.line == 3);
  CHECK(bad.error().where.column == 3);
}

}  // namespace
}  // namespace clinic
