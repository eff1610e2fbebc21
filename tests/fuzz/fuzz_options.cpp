// libFuzzer target: the report options. A few fixed small exports (the
// fixtures, read once) and options decoded from the fuzzer's bytes; all four
// reports run and must agree (fuzz_common.h: rating rows add up to the total,
// division cells to row totals and columns to the grand total, revenue rows
// to the total, the same total in every report), or all refuse the options
// with the same options.* error.
//
// Dates range over the whole int32 day space now and then, not only the
// 1900..2199 the front ends accept: the core must not overflow on any Day.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "date.h"
#include "fuzz_common.h"

namespace {

using namespace clinic;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fuzz::Broken("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::unique_ptr<Export>>& Exports() {
  static std::vector<std::unique_ptr<Export>> exports;
  return exports;
}

void Add(std::vector<InputFile> files) {
  Result<Export> r = ImportFiles(files);
  if (!r.ok()) fuzz::Broken("fixture does not import: " + r.error().message);
  fuzz::CheckExport(r.value());
  Exports().push_back(std::make_unique<Export>(std::move(r).value()));
}

Day PickDay(FuzzedDataProvider& in, const Export& data) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      return kNoDay;
    case 1:  // anywhere in the int32 day space
      return in.ConsumeIntegral<int32_t>();
    default: {  // near the export's days, where the reports change
      const Day first = data.summary.first_day == kNoDay ? 19723 : data.summary.first_day;
      return first + in.ConsumeIntegralInRange<int32_t>(-400, 800);
    }
  }
}

std::string PickId(FuzzedDataProvider& in, const EntityTable& table) {
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return std::string();
    case 1:
      return in.ConsumeRandomLengthString(16);  // usually unknown
    default:
      if (table.size() == 0) return std::string();
      return std::string(table.ids[in.ConsumeIntegralInRange<uint32_t>(
          0, static_cast<uint32_t>(table.size() - 1))]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string root = std::string(CLINIC_SOURCE_DIR) + "/tests/";
  const std::string json = Read(root + "fixtures/example-export.json");
  Add({InputFile{"example-export.json", json}});
  static std::vector<std::string> csv;
  std::vector<InputFile> files;
  for (const char* name : {"visits.csv", "patients.csv", "employees.csv", "divisions.csv",
                           "price_lists.csv"}) {
    csv.push_back(Read(root + "fixtures/example-csv/" + name));
  }
  int i = 0;
  for (const char* name : {"visits.csv", "patients.csv", "employees.csv", "divisions.csv",
                           "price_lists.csv"}) {
    files.push_back(InputFile{name, csv[static_cast<size_t>(i++)]});
  }
  Add(files);
  // Refunds, unknown ids, lines without employee or division, one patient
  // whose total is negative and one whose lines cancel out.
  const std::string odd =
      "date,patient,employee,division,amount,kind,status\n"
      "2024-01-01,A,E1,D1,100,,\n2024-01-01,A,E1,D2,-100,goods,\n2024-01-02,B,,,-50,,\n"
      "2024-01-03,C,E2,D1,922337203685.4775,,\n2024-01-03,C,E2,D1,0.0001,,cancelled\n"
      "2024-02-29,B,E1,,25.5,goods,\n2024-03-01,D,E2,D2,0,,\n2024-03-02,A,E2,D2,7,,no-show\n";
  Add({InputFile{"visits.csv", odd}});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const Export& e = *Exports()[in.ConsumeIntegralInRange<size_t>(0, Exports().size() - 1)];
  ReportOptions options;
  options.from = PickDay(in, e);
  options.to = PickDay(in, e);
  options.top = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<uint32_t>(0, 5);
  if (in.ConsumeBool()) options.top = in.ConsumeIntegral<uint32_t>();
  options.division_id = PickId(in, e.divisions);
  options.employee_id = PickId(in, e.employees);
  options.all_divisions = in.ConsumeBool();
  options.new_per_employee = in.ConsumeBool();
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      options.return_window = -1;
      break;
    case 1:
      options.return_window = in.ConsumeIntegral<int32_t>();  // the core's whole range
      break;
    default:
      options.return_window = in.ConsumeIntegralInRange<int32_t>(0, 1000000);  // the API's
      break;
  }
  clinic::fuzz::CheckReports(e, options);
  return 0;
}
