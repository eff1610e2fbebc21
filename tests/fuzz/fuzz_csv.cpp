// libFuzzer target: any bytes as the CSV files of one export. The input is
// split at the marker byte 0x1E (ASCII record separator) into up to three
// files: visits.csv, patients.csv, employees.csv (further markers stay in the
// last file). Checks as in fuzz_json.cpp, and the same result with every
// record read cell by cell (the one-scan path of plain records off).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "import_stream.h"

namespace {

// The files imported whole with every record read cell by cell, after the
// checks ImportFiles makes of the set of files before it reads any.
clinic::Result<clinic::Export> ImportCellByCell(const std::vector<clinic::InputFile>& files) {
  using namespace clinic;
  std::vector<FileHead> heads;
  for (const InputFile& f : files) {
    heads.push_back(FileHead{f.name, f.bytes.size(), std::string(f.bytes.substr(0, 3))});
  }
  if (const auto begun = StreamingImport::Begin(heads); !begun.ok()) return begun.error();
  std::vector<std::string> names;
  for (const InputFile& f : files) names.push_back(f.name);
  std::vector<size_t> order;
  Result<std::unique_ptr<internal::StreamReader>> reader =
      internal::NewCsvReader(names, &order, /*simple_records=*/false);
  if (!reader.ok()) return reader.error();
  for (const size_t i : order) {
    if (!reader.value()->Feed(i, files[i].bytes, /*complete=*/true)) return reader.value()->error();
  }
  return reader.value()->Finish({});
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
