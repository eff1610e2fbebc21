// StreamingImport: an export fed in pieces, as the page feeds the bytes it has
// read so far, gives exactly what the whole files give (the same export, or
// the same error to the byte), wherever the pieces are cut; and the API's
// own rules (order, heads, early finish).
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "fixtures.h"
#include "import.h"
#include "import_helpers.h"

#ifndef CLINIC_SOURCE_DIR
#error "CLINIC_SOURCE_DIR must name the repository root"
#endif

namespace clinic {
namespace {

using test::CheckSameResult;
using test::ImportInPieces;
using test::ImportInRandomPieces;
using test::Rng;

using test::ReadFile;

std::vector<InputFile> One(const std::string& name, std::string_view bytes) {
  return {InputFile{name, bytes}};
}

// Whole, then cut once at every byte, then byte by byte, then in random pieces.
void CheckEveryCut(const std::vector<InputFile>& files) {
  const Result<Export> whole = ImportFiles(files);
  size_t total = 0;
  for (const InputFile& f : files) total = std::max(total, f.bytes.size());
  for (size_t cut = 0; cut <= total; ++cut) {
    CAPTURE(cut);
    // The first piece of each file is `cut` bytes, the second the rest.
    CheckSameResult(ImportInPieces(files, [cut](size_t have, size_t size) {
                      return have == 0 ? cut : size - have;
                    }),
                    whole);
  }
  CheckSameResult(ImportInPieces(files, [](size_t, size_t) { return 1; }), whole);
  Rng rng(total);
  for (int round = 0; round < 20; ++round) {
    CheckSameResult(ImportInRandomPieces(files, rng, 1 + rng.Below(64)), whole);
  }
}

const std::string kHead = R"({"format":"clinic-export","version":1,)";

TEST_CASE("StreamingImport: the example export, JSON and CSV, cut anywhere") {
  const std::string json =
      ReadFile(std::string(CLINIC_SOURCE_DIR) + "/tests/fixtures/example-export.json");
  CheckEveryCut(One("example-export.json", json));
  std::vector<std::string> bytes;
  std::vector<std::string> names = {"visits.csv", "patients.csv", "employees.csv", "divisions.csv",
                                    "price_lists.csv"};
  for (const std::string& name : names) {
    bytes.push_back(
        ReadFile(std::string(CLINIC_SOURCE_DIR) + "/tests/fixtures/example-csv/" + name));
  }
  std::vector<InputFile> csv;
  for (size_t i = 0; i < names.size(); ++i) csv.push_back(InputFile{names[i], bytes[i]});
  CheckEveryCut(csv);
}

TEST_CASE("StreamingImport: JSON documents, valid and broken, cut anywhere") {
  const std::vector<std::string> docs = {
      // Valid: every kind of top-level member, BOM, whitespace, null tables.
      "\xEF\xBB\xBF  \n" + kHead +
          R"("clinic":{"name":"A\u00e9","currency":"EUR"},"meta":{"a":[1,{"b":null}],"c":"x"},)"
          R"("divisions":[],"priceLists":null,"employees":[{"id":"E1","name":"Eve"}],)"
          R"("patients":[{"id":"P1","name":"Ann","bonusBalance":"5.50"},{"id":7}],)"
          R"("visits":[{"date":"2024-01-02","patient":"P1","employee":"E1","amount":12.5},)"
          R"( {"amount":"3","patient":7,"date":"2024-01-03T10:00Z","kind":"goods","x":true} ] } )",
      kHead + R"("visits":[]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1,"id":"V1"},)"
              R"({"date":"2024-01-02","patient":"P1","amount":1,"id":"V1"}]})",  // duplicate id
      // Broken, each in another place.
      "",
      "   ",
      "[1,2]",
      "\xFF\xFE{",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1},]})",  // trailing comma
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1e3}]})",
      kHead + R"("visits":[{"date":"2024-13-02","patient":"P1","amount":1}]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}]} x)",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}]})" +
          std::string(1, '\0'),
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}])",  // cut off
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}]},)",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1\u12"}]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1,"amount":1}]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}],"visits":[]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}],"clinic":[1]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":-}]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"P1","amount":1}, "x"]})",
      kHead + R"("visits":{}})",
      R"({"format":"clinic-export","visits":[]})",
      R"({"format":"other","version":1,"visits":[]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"\xC3","amount":1}]})",
      kHead + R"("visits":[{"date":"2024-01-02","patient":"Zoë","amount":1}]})",
  };
  for (const std::string& doc : docs) {
    CAPTURE(doc);
    CheckEveryCut(One("doc.json", doc));
  }
}

TEST_CASE("StreamingImport: CSV files, valid and broken, cut anywhere") {
  const std::vector<std::string> visits = {
      "date,patient,amount\n2024-01-02,P1,1\n2024-01-03,P2,2",  // no final line end
      "sep=;\r\ndate;patient;amount\r\n2024-01-02;P1;1,50\r\n\r\n;;\r\n",
      "sep=;\rdate;patient;amount\r2024-01-02;P1;1\r",
      "\xEF\xBB\xBF\n\n id , date,patient,amount,service\nV1,2024-01-02,P1,1,\"a \"\"b\"\"\nc\"\n",
      "date\tpatient\tamount\n2024-01-02\tP1\t1\n",
      "se",
      "sep=",
      "sep=,",
      "",
      "\n\n",
      "date,patient,amount\n",
      "date,patient,amount\n2024-01-02,P1\n",               // cell count
      "date,patient,amount\n2024-01-02,P1,\"1\n",            // unclosed quote
      "date,patient,amount\n2024-01-02,P1,1\"\n",            // quote in a plain cell
      "date,patient,amount\n2024-01-02,P1,x\n2024-01-03,P1,\"",  // bad amount, then cut
      "patient,amount\nP1,1\n",                             // missing column
      "date,patient,amount,amount\n",
      "date,patient,amount\n2024-01-02,P1,1\n2024-01-02,P1,\xFF\n",
      "\xFF\xFE" "d",
  };
  for (const std::string& v : visits) {
    CAPTURE(v);
    CheckEveryCut({InputFile{"visits.csv", v}});
    // With a second table read before it, broken or not.
    CheckEveryCut({InputFile{"visits.csv", v}, InputFile{"patients.csv", "id,name\nP1,Ann\n"}});
    CheckEveryCut({InputFile{"visits.csv", v}, InputFile{"patients.csv", "id,name\nP1,\"Ann\n"}});
  }
}

TEST_CASE("StreamingImport: the files' order, heads and completeness") {
  SUBCASE("CSV tables are read referenced tables first, whatever order they are given in") {
    Result<std::unique_ptr<StreamingImport>> begun = StreamingImport::Begin(
        {{"visits.csv", 10, "dat"}, {"divisions.csv", 5, "id,"}, {"Patients.CSV", 5, "id,"}});
    REQUIRE(begun.ok());
    CHECK(begun.value()->order() == std::vector<size_t>{1, 2, 0});
  }
  SUBCASE("a JSON file is read alone; names that say neither are read when all have arrived") {
    CHECK(test::Ok(StreamingImport::Begin({{"x.json", 3, "{}"}}))->order() ==
          std::vector<size_t>{0});
    CHECK(test::Ok(StreamingImport::Begin({{"b.txt", 3, "{}"}, {"a", 1, "x"}}))->order() ==
          std::vector<size_t>{0, 1});
  }
  SUBCASE("the checks that need no bytes but a file's first are made before any is read") {
    const Error utf16 = test::Failed(StreamingImport::Begin({{"visits.csv", 9, "dat"},
                                                             {"patients.csv", 9,
                                                              "\xFF\xFE"
                                                              "i"}}));
    CHECK(utf16.code == code::kUtf16);
    CHECK(utf16.where.file == "patients.csv");
    CHECK(test::Failed(StreamingImport::Begin({})).code == code::kNoFiles);
    CHECK(test::Failed(StreamingImport::Begin({{"visits.csv", 1, "x"}, {"x.json", 1, "{"}})).code ==
          code::kMixedFiles);
    CHECK(test::Failed(StreamingImport::Begin({{"visit.csv", 1, "x"}})).code ==
          code::kCsvUnknownFile);
    CHECK(test::Failed(StreamingImport::Begin({{"patients.csv", 1, "x"}})).code ==
          code::kCsvNoVisits);
  }
  const std::string doc = kHead + R"("visits":[]})";
  SUBCASE("finishing before the last byte, feeding out of order or fewer bytes is refused") {
    auto import = test::Ok(StreamingImport::Begin({{"x.json", doc.size(), doc.substr(0, 3)}}));
    CHECK(import->Feed(0, std::string_view(doc).substr(0, 10)));
    CHECK(test::Failed(import->Finish()).code == code::kIncompleteInput);

    auto shrunk = test::Ok(StreamingImport::Begin({{"x.json", doc.size(), doc.substr(0, 3)}}));
    CHECK(shrunk->Feed(0, std::string_view(doc).substr(0, 10)));
    CHECK_FALSE(shrunk->Feed(0, std::string_view(doc).substr(0, 9)));
    CHECK(test::Failed(shrunk->Finish()).code == code::kIncompleteInput);

    const std::string csv = "date,patient,amount\n";
    auto csv_import = test::Ok(StreamingImport::Begin(
        {{"visits.csv", csv.size(), "dat"}, {"divisions.csv", 3, "id\n"}}));
    CHECK_FALSE(csv_import->Feed(0, csv));  // divisions.csv comes first
    CHECK(test::Failed(csv_import->Finish()).code == code::kIncompleteInput);
  }
  SUBCASE("after a failure no more bytes are needed, and Finish tells the error") {
    const std::string broken = kHead + R"("visits":[}   )" + std::string(1000, ' ');
    auto import = test::Ok(StreamingImport::Begin({{"x.json", broken.size(), "{\"f"}}));
    CHECK(import->Feed(0, std::string_view(broken).substr(0, 100)));  // not final yet
    CHECK_FALSE(import->Feed(0, broken));
    CHECK(test::Failed(import->Finish()).code == code::kJsonSyntax);
  }
}

TEST_CASE("StreamingImport: a large value in small pieces is not read again at every piece") {
  // 8 MB of one unknown top-level member, fed 1 KB at a time: retrying its
  // step at every piece would read ~32 GB (minutes); the retries wait until
  // the bytes past the step's start have doubled.
  std::string doc = kHead + R"("log":")";
  doc.append(8 << 20, 'x');
  doc += R"(","visits":[{"date":"2024-01-02","patient":"P1","amount":1}]})";
  const Result<Export> whole = ImportFiles(One("big.json", doc));
  REQUIRE(whole.ok());
  CheckSameResult(ImportInPieces(One("big.json", doc), [](size_t, size_t) { return 1024; }),
                  whole);
  std::string csv = "date,patient,amount,service\n2024-01-02,P1,1,\"";
  csv.append(8 << 20, 'y');
  csv += "\"\n";
  const Result<Export> whole_csv = ImportFiles(One("visits.csv", csv));
  REQUIRE(whole_csv.ok());
  CheckSameResult(ImportInPieces(One("visits.csv", csv), [](size_t, size_t) { return 1024; }),
                  whole_csv);
}

TEST_CASE("regression: a piecewise import counted every line before each piece's end") {
  // Each piece ended inside a visit, whose step failed and was undone; the
  // failure built its error's location (a count of all lines so far) anyway.
  // 8 MB of one visit per line in 1 KB pieces made that 32 GB of counting.
  std::string doc = kHead + "\"visits\":[\n";
  for (int i = 0; i < 120000; ++i) {
    doc += R"({"id":"V)" + std::to_string(i) +
           R"(","date":"2024-01-02","patient":"P1","amount":1.25,"service":"A visit"},)" + "\n";
  }
  doc += R"({"date":"2024-01-03","patient":"P2","amount":2}]})";
  REQUIRE(doc.size() > (8 << 20));
  const Result<Export> whole = ImportFiles(One("lines.json", doc));
  REQUIRE(whole.ok());
  CheckSameResult(ImportInPieces(One("lines.json", doc), [](size_t, size_t) { return 1024; }),
                  whole);
}

}  // namespace
}  // namespace clinic
