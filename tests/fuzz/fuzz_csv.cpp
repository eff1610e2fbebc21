// libFuzzer target: any bytes as the CSV files of one export. The input is
// split at the marker byte 0x1E (ASCII record separator) into up to three
// files: visits.csv, patients.csv, employees.csv (further markers stay in the
// last file). Checks as in fuzz_json.cpp, and the same result with every
// record read cell by cell (the one-scan path of plain records off).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "import_stream.h"

namespace {

// The files imported whole with every record read cell by cell, after the
// checks ImportFiles makes of the set of files before it reads any.
clinic::Result<clinic::Export> ImportCellByCell(const std::vector<clinic::InputFile>& files) {
  using namespace clinic;
  if (const auto begun = StreamingImport::Begin(fuzz::HeadsOf(files)); !begun.ok()) {
    return begun.error();
  }
  return internal::ImportCsv(files, {}, /*simple_records=*/false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinic;
  static const char* const kNames[] = {"visits.csv", "patients.csv", "employees.csv"};
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<InputFile> files;
  for (size_t i = 0; i < 3; ++i) {
    const size_t marker = i < 2 ? rest.find('\x1e') : std::string_view::npos;
    files.push_back(InputFile{kNames[i], rest.substr(0, marker)});
    if (marker == std::string_view::npos) break;
    rest.remove_prefix(marker + 1);
  }
  const Result<Export> result = ImportFiles(files);
  fuzz::CheckSameInPieces(files, result, size);
  fuzz::CheckSameResult(result, ImportCellByCell(files), "read cell by cell");
  if (!result.ok()) {
    fuzz::CheckError(result.error(), {"input.", "csv.", "limit."});
    return 0;
  }
  fuzz::CheckExport(result.value());
  fuzz::CheckReports(result.value(), ReportOptions{});
  return 0;
}
