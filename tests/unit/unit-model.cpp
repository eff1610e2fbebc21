// ExportBuilder: references to ids missing from their tables are kept, named
// by their id, and explained in a warning that says where they were first met.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures.h"
#include "format.h"
#include "model.h"

namespace clinic {
namespace {

LineInput Line(std::string_view patient, std::string_view employee, std::string_view division,
               uint64_t source_line) {
  LineInput in;
  in.day = DaysFromCivil(2024, 5, 2);
  in.patient = patient;
  in.employee = employee;
  in.division = division;
  in.amount = 10000;
  in.source_line = source_line;
  return in;
}

TEST_CASE("unknown ids are kept and each warning names where the id was first met") {
  SUBCASE("CSV: line numbers in the file that referred first") {
    ExportBuilder b;
    b.SetFormat("csv", {"visits.csv", "employees.csv"});
    b.SetVisitsFile("visits.csv");
    b.SetEmployeesFile("employees.csv");
    REQUIRE(b.AddEmployee("E1", "Eva", "D9", 2));
    REQUIRE(b.AddLine(Line("P7", "E1", "D8", 4)).ok());
    REQUIRE(b.AddLine(Line("P7", "E1", "D9", 5)).ok());
    const Export data = b.Finish().value();
    REQUIRE(data.summary.warnings.size() == 3);
    CHECK(data.summary.warnings[0].message ==
          "visits.csv, line 4: patient \"P7\" is not in the patients table; kept and shown by its "
          "id (2 references)");
    CHECK(data.summary.warnings[1].message ==
          "employees.csv, line 2: division \"D9\" is not in the divisions table; kept and shown "
          "by its id (2 references)");
    CHECK(data.summary.warnings[2].message ==
          "visits.csv, line 4: division \"D8\" is not in the divisions table; kept and shown by "
          "its id (1 reference)");
    CHECK(data.patients.names[data.patients.Find("P7")] == "P7");
    CHECK(data.patients.declared[data.patients.Find("P7")] == 0);
    CHECK(data.lines.size() == 2);
  }
  SUBCASE("JSON: element indexes in the array that referred first") {
    ExportBuilder b;
    b.SetFormat("json", {"export.json"});
    REQUIRE(b.AddEmployee("E1", "Eva", "D9", 1));
    REQUIRE(b.AddLine(Line("P7", "E1", "", 3)).ok());
    const Export data = b.Finish().value();
    REQUIRE(data.summary.warnings.size() == 2);
    CHECK(data.summary.warnings[0].message ==
          "visits[2]: patient \"P7\" is not in the patients table; kept and shown by its id "
          "(1 reference)");
    CHECK(data.summary.warnings[1].message ==
          "employees[0]: division \"D9\" is not in the divisions table; kept and shown by its id "
          "(1 reference)");
  }
}

TEST_CASE("references are counted for exactly the ids no row declared, in any mix of orders") {
  // Declared rows first (the usual export), then an unknown id, then rows
  // declared after it, and an id met on a line before its row: only P9 and
  // P8 (never declared) are reported, with every reference counted.
  ExportBuilder b;
  b.SetFormat("csv", {"visits.csv", "patients.csv"});
  b.SetVisitsFile("visits.csv");
  REQUIRE(b.AddPatient("P1", "Ola", "", std::nullopt, kNoDay, 2));
  REQUIRE(b.AddPatient("P2", "Kari", "", std::nullopt, kNoDay, 3));
  REQUIRE(b.AddLine(Line("P1", "", "", 2)).ok());
  REQUIRE(b.AddLine(Line("P9", "", "", 3)).ok());
  REQUIRE(b.AddLine(Line("P2", "", "", 4)).ok());
  REQUIRE(b.AddLine(Line("P5", "", "", 5)).ok());  // its row comes later
  REQUIRE(b.AddPatient("P3", "Per", "", std::nullopt, kNoDay, 4));
  REQUIRE(b.AddPatient("P5", "Siri", "", std::nullopt, kNoDay, 5));
  REQUIRE(b.AddPatient("P4", "", "", std::nullopt, kNoDay, 6));  // no name: shown by its id
  REQUIRE(b.AddLine(Line("P9", "", "", 6)).ok());
  REQUIRE(b.AddLine(Line("P3", "", "", 7)).ok());
  REQUIRE(b.AddLine(Line("P8", "", "", 8)).ok());
  REQUIRE(b.AddLine(Line("P9", "", "", 9)).ok());
  REQUIRE(b.AddLine(Line("P5", "", "", 10)).ok());
  const Export data = b.Finish().value();
  REQUIRE(data.summary.warnings.size() == 2);
  CHECK(data.summary.warnings[0].message ==
        "visits.csv, line 3: patient \"P9\" is not in the patients table; kept and shown by its "
        "id (3 references)");
  CHECK(data.summary.warnings[0].count == 3);
  CHECK(data.summary.warnings[1].message ==
        "visits.csv, line 8: patient \"P8\" is not in the patients table; kept and shown by its "
        "id (1 reference)");
  for (const char* id : {"P1", "P2", "P3", "P5"}) {
    CHECK(data.patients.declared[data.patients.Find(id)] == 1);
  }
  // Named as declared: when added by their row, when met on a line first
  // (renamed from the id the line gave them), and by the id without a name.
  CHECK(data.patients.names[data.patients.Find("P3")] == "Per");
  CHECK(data.patients.names[data.patients.Find("P5")] == "Siri");
  CHECK(data.patients.names[data.patients.Find("P4")] == "P4");
  CHECK(data.patients.names[data.patients.Find("P9")] == "P9");
  CHECK(data.lines.size() == 9);
}

TEST_CASE("a name from a lone visits.csv declares the entity: no warning") {
  ExportBuilder b;
  b.SetFormat("csv", {"visits.csv"});
  LineInput in = Line("P1", "E1", "", 2);
  in.patient_name = "Ola Nordmann";
  in.employee_name = "Eva";
  REQUIRE(b.AddLine(in).ok());
  const Export data = b.Finish().value();
  CHECK(data.summary.warnings.empty());
  CHECK(data.patients.names[0] == "Ola Nordmann");
  CHECK(data.employees.names[0] == "Eva");
}

TEST_CASE("StringColumn: strings back to back until one is replaced, each read back as given") {
  StringColumn names;
  for (const char* name : {"Ola", "", "Åse Berg"}) names.push_back(name);
  CHECK(names.size() == 3);
  CHECK(names[0] == "Ola");
  CHECK(names[1].empty());
  CHECK(names[2] == "Åse Berg");
  CHECK(names.packed());
  CHECK(names.bytes() == "OlaÅse Berg");
  CHECK(names.Offset(0) == 0);
  CHECK(names.Offset(2) == 3);
  CHECK(names.Offset(3) == names.bytes().size());
  names.Set(0, "Ola");  // the same: nothing replaced
  CHECK(names.packed());
  names.Set(1, "Kari Nordmann");
  CHECK_FALSE(names.packed());
  CHECK(names[1] == "Kari Nordmann");
  // A string of its own (whose bytes move as the buffer grows), 100 times: each
  // a different length, so that every Set appends.
  for (size_t i = 0; i < 100; ++i) {
    names.Set(0, names[1].substr(0, 1 + i % 13));
    REQUIRE(names[0] == std::string_view("Kari Nordmann").substr(0, 1 + i % 13));
  }
  names.Set(0, names[1]);
  names.Set(2, names[1]);
  CHECK(names[0] == "Kari Nordmann");
  CHECK(names[1] == "Kari Nordmann");
  CHECK(names[2] == "Kari Nordmann");
  StringColumn same;
  for (int i = 0; i < 3; ++i) same.push_back("Kari Nordmann");
  CHECK(names == same);
  same.Set(2, "Kari");
  CHECK_FALSE(names == same);
}

TEST_CASE("a duplicated table id is refused; a visit id may not repeat") {
  ExportBuilder b;
  CHECK(b.AddPatient("P1", "Ola", "", std::nullopt, kNoDay, 1));
  CHECK_FALSE(b.AddPatient("P1", "Kari", "", std::nullopt, kNoDay, 2));
  CHECK(b.AddLineId("V1"));
  CHECK(b.AddLineId(""));
  CHECK(b.AddLineId(""));
  CHECK_FALSE(b.AddLineId("V1"));
}

TEST_CASE("a row declares an id met before in a visit line, once, in or out of the rows' order") {
  // P2 and P3 are met first in visit lines (entities 0 and 1), then the rows
  // declare P3 (out of order: entity 1 while entity 0 is undeclared), P2
  // (the first entity), P4 (new) and each of them again.
  ExportBuilder b;
  b.SetFormat("csv", {"patients.csv", "visits.csv"});
  b.SetVisitsFile("visits.csv");
  b.SetPatientsFile("patients.csv");
  REQUIRE(b.AddLine(Line("P2", "", "", 2)).ok());
  REQUIRE(b.AddLine(Line("P3", "", "", 3)).ok());
  REQUIRE(b.AddLine(Line("P5", "", "", 4)).ok());  // never declared
  CHECK(b.AddPatient("P3", "Kari", "", std::nullopt, kNoDay, 2));
  CHECK(b.AddPatient("P2", "Ola", "", std::nullopt, kNoDay, 3));
  CHECK(b.AddPatient("P4", "Per", "", std::nullopt, kNoDay, 4));
  CHECK_FALSE(b.AddPatient("P3", "Kari", "", std::nullopt, kNoDay, 5));
  CHECK_FALSE(b.AddPatient("P2", "Ola", "", std::nullopt, kNoDay, 6));
  CHECK_FALSE(b.AddPatient("P4", "Per", "", std::nullopt, kNoDay, 7));
  const Export data = test::Ok(b.Finish());
  CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P2", "P3", "P5", "P4"});
  CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Ola", "Kari", "P5", "Per"});
  CHECK(data.patients.declared == std::vector<uint8_t>{1, 1, 0, 1});
  CHECK(data.summary.patients == 3);
  // Only P5 is unknown.
  REQUIRE(data.summary.warnings.size() == 1);
  CHECK(data.summary.warnings[0].code == "ref.unknown_patient");
  CHECK(data.summary.warnings[0].message.find("\"P5\"") != std::string::npos);
  CHECK(data.summary.warnings[0].count == 1);
}

TEST_CASE("engine limits: more ids in a table, or more lines, than the engine can hold") {
  // The real limits are 2^32 - 2; the builder takes lower ones so that tests reach them.
  SUBCASE("patients met in visit lines: limit.ids names the first id over the limit") {
    ExportBuilder b(Limits{100, 2});
    b.SetFormat("csv", {"visits.csv"});
    b.SetVisitsFile("visits.csv");
    REQUIRE(b.AddLine(Line("P1", "E1", "D1", 2)).ok());
    REQUIRE(b.AddLine(Line("P2", "E1", "D1", 3)).ok());
    REQUIRE(b.AddLine(Line("P2", "E1", "D1", 4)).ok());  // a known id: fine
    REQUIRE(b.AddLine(Line("P3", "E1", "D1", 5)).ok());  // the third patient: noted
    REQUIRE(b.AddLine(Line("P4", "E1", "D1", 6)).ok());
    const Result<Export> r = b.Finish();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "limit.ids");
    CHECK(r.error().message ==
          "visits.csv, line 5: the export has more distinct patient ids than the engine can hold "
          "(2); the first one over the limit is \"P3\" [limit.ids]");
  }
  SUBCASE("declared rows count too, and are not mistaken for duplicates") {
    ExportBuilder b(Limits{100, 1});
    b.SetFormat("csv", {"employees.csv", "visits.csv"});
    b.SetEmployeesFile("employees.csv");
    CHECK(b.AddEmployee("E1", "Eva", "", 2));
    CHECK(b.AddEmployee("E2", "Jon", "", 3));  // over the limit: not a duplicate id
    const Result<Export> r = b.Finish();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "limit.ids");
    CHECK(r.error().where.file == "employees.csv");
    CHECK(r.error().where.line == 3);
    CHECK(r.error().message.find("distinct employee ids") != std::string::npos);
  }
  SUBCASE("JSON: no line number (the importer's element index is not a line)") {
    ExportBuilder b(Limits{100, 1});
    b.SetFormat("json", {"export.json"});
    b.SetVisitsFile("export.json");
    REQUIRE(b.AddLine(Line("P1", "", "", 1)).ok());
    REQUIRE(b.AddLine(Line("P2", "", "", 2)).ok());
    const Result<Export> r = b.Finish();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().where.file == "export.json");
    CHECK(r.error().where.line == 0);
  }
  SUBCASE("visit lines: limit.rows at the first line over the limit") {
    ExportBuilder b(Limits{2, 100});
    b.SetFormat("csv", {"visits.csv"});
    b.SetVisitsFile("visits.csv");
    REQUIRE(b.AddLine(Line("P1", "", "", 2)).ok());
    REQUIRE(b.AddLine(Line("P1", "", "", 3)).ok());
    const Status third = b.AddLine(Line("P2", "", "", 4));
    REQUIRE_FALSE(third.ok());
    CHECK(third.error().code == "limit.rows");
    CHECK(third.error().message ==
          "visits.csv, line 4: the export has more visit lines than the engine can hold (2) "
          "[limit.rows]");
  }
  SUBCASE("at the limit exactly, the export is fine") {
    ExportBuilder b(Limits{2, 2});
    REQUIRE(b.AddLine(Line("P1", "E1", "D1", 1)).ok());
    REQUIRE(b.AddLine(Line("P2", "E2", "D2", 2)).ok());
    const Result<Export> r = b.Finish();
    REQUIRE(r.ok());
    CHECK(r.value().patients.size() == 2);
  }
}

}  // namespace
}  // namespace clinic

namespace clinic {
namespace {

TEST_CASE("each line's employee and division are its ids, however the recent ids collide") {
  // Many more distinct ids than the builder's cache of recent ids holds, of
  // every size from 1 to 20 bytes: ids that differ only in their size (a
  // trailing NUL, which a JSON string may hold), long ids sharing their first
  // 8 bytes, and repeats near and far. Each line has a patient of its own, so
  // that line i stays the i-th after the builder's ordering by patient.
  std::vector<std::string> pool;
  for (int i = 0; i < 1500; ++i) {
    std::string id = "E" + std::to_string(i);
    id.resize(1 + static_cast<size_t>(i) % 20, static_cast<char>('a' + i % 7));
    if (i % 5 == 0) id = "LONGPREFIX" + std::to_string(i);
    pool.push_back(id);
  }
  pool.emplace_back(std::string("E1\0", 3));
  pool.emplace_back("E1");
  test::Fixture f;
  std::vector<std::pair<std::string, std::string>> expected;  // per line: employee, division
  uint64_t x = 0x2545F4914F6CDD1DULL;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    // Mostly the last few ids again, sometimes any of the pool.
    const size_t span = x % 4 == 0 ? pool.size() : 8;
    const std::string& employee = pool[(x >> 8) % span + (span == 8 ? (x >> 40) % 16 : 0)];
    const std::string& division = pool[pool.size() - 1 - (x >> 20) % (span == 8 ? 4 : span)];
    f.Line("2024-05-02", "P" + std::to_string(i), employee, division, "1.00");
    expected.emplace_back(employee, division);
  }
  const Export data = f.Build();
  REQUIRE(data.lines.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    REQUIRE(data.patients.ids[data.lines.patient[i]] == "P" + std::to_string(i));
    REQUIRE(data.employees.ids[data.lines.employee[i]] == expected[i].first);
    REQUIRE(data.divisions.ids[data.lines.division[i]] == expected[i].second);
  }
}

TEST_CASE("lines over many staging blocks come out sorted by patient, then day, stably") {
  // 50,000 lines cross several of the builder's staging blocks (4,096 lines
  // each). The expected columns come from std::stable_sort over the same
  // lines kept here, by (patient index, day, employee, division). 700
  // patients give runs of about 70 lines a patient, 10,000 runs of about 5
  // (the builder sorts short runs another way); lines of one patient repeat
  // days, employees and divisions, so ties show whether the order is stable.
  // In order: the same lines given by (day, employee, division), as exports
  // mostly list them, so that every patient's run is in order already (the
  // builder then takes a pass without sorting); employees and divisions are
  // declared first, so that their indexes follow their numbers.
  for (const bool in_order : {false, true})
  for (const int patients : {700, 10000}) {
    CAPTURE(in_order);
    CAPTURE(patients);
    test::Fixture f;
    for (int e = 0; e < 3; ++e) f.Employee("E" + std::to_string(e), "Employee");
    for (int d = 0; d < 2; ++d) f.Division("D" + std::to_string(d), "Division");
    for (int p = 0; p < patients; ++p) f.Patient("P" + std::to_string(p), "Name");
    struct Kept {
      Index patient;
      Day day;
      Index employee, division;
      Money amount;
      LineKind kind;
    };
    std::vector<Kept> kept;
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 50000; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      const auto p = static_cast<Index>(x % static_cast<uint64_t>(patients));
      const Day day = test::D("2024-01-01") + static_cast<Day>((x >> 20) % (patients / 100 + 3));
      const auto e = static_cast<Index>((x >> 30) % 3), d = static_cast<Index>((x >> 40) % 2);
      const LineKind kind = (x >> 50) % 4 == 0 ? LineKind::kGoods : LineKind::kService;
      const Money amount = static_cast<Money>(i) * 100;  // distinct: shows the stable order
      kept.push_back(Kept{p, day, e, d, amount, kind});
    }
    if (in_order) {
      std::stable_sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) {
        return std::tuple(a.day, a.employee, a.division) <
               std::tuple(b.day, b.employee, b.division);
      });
    }
    for (const Kept& k : kept) {
      f.Line(FormatDate(k.day), "P" + std::to_string(k.patient), "E" + std::to_string(k.employee),
             "D" + std::to_string(k.division), FormatMoney(k.amount, 4), k.kind);
    }
    const Export data = f.Build();
    // Employees and divisions are interned in order of first sight: map ours to theirs.
    const auto key = [&](const Kept& k) {
      return std::tuple(k.patient, k.day, data.employees.Find("E" + std::to_string(k.employee)),
                        data.divisions.Find("D" + std::to_string(k.division)));
    };
    std::stable_sort(kept.begin(), kept.end(),
                     [&](const Kept& a, const Kept& b) { return key(a) < key(b); });
    REQUIRE(data.lines.size() == kept.size());
    for (size_t i = 0; i < kept.size(); ++i) {
      REQUIRE(data.lines.patient[i] == kept[i].patient);
      REQUIRE(data.lines.day[i] == kept[i].day);
      REQUIRE(data.employees.ids[data.lines.employee[i]] == "E" + std::to_string(kept[i].employee));
      REQUIRE(data.divisions.ids[data.lines.division[i]] == "D" + std::to_string(kept[i].division));
      REQUIRE(data.lines.amount[i] == kept[i].amount);
      REQUIRE(data.lines.kind[i] == kept[i].kind);
    }
    for (int p = 0; p <= patients; ++p) {
      const auto before = std::lower_bound(kept.begin(), kept.end(), static_cast<Index>(p),
                                           [](const Kept& k, Index q) { return k.patient < q; });
      REQUIRE(data.patient_begin[static_cast<size_t>(p)] == before - kept.begin());
    }
    // Visits: the distinct (patient, day, employee); patients: those with a line.
    std::set<std::tuple<Index, Day, Index>> visits;
    std::set<Index> with_lines;
    for (const Kept& k : kept) {
      visits.emplace(k.patient, k.day, k.employee);
      with_lines.insert(k.patient);
    }
    CHECK(data.summary.visits == visits.size());
    CHECK(data.summary.patients_with_lines == with_lines.size());
    // Each patient's first and last day: the least and greatest of its lines.
    std::map<Index, std::pair<Day, Day>> span;
    for (const Kept& k : kept) {
      const auto [at, inserted] = span.try_emplace(k.patient, k.day, k.day);
      at->second.first = std::min(at->second.first, k.day);
      at->second.second = std::max(at->second.second, k.day);
    }
    for (Index p = 0; p < static_cast<Index>(patients); ++p) {
      const auto at = span.find(p);
      REQUIRE(data.patient_first_day[p] == (at == span.end() ? kNoDay : at->second.first));
      REQUIRE(data.patient_last_day[p] == (at == span.end() ? kNoDay : at->second.second));
    }
  }
}

}  // namespace
}  // namespace clinic
