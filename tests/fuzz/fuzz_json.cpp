// libFuzzer target: any bytes as one JSON export (export.json).
// Never a crash or a sanitizer report; a failure is a well-formed error; a
// success is a consistent export whose four reports add up (fuzz_common.h).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clinic;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::vector<InputFile> files = {InputFile{"export.json", bytes}};
  const Result<Export> result = ImportFiles(files);
  fuzz::CheckSameInPieces(files, result, size);
  if (!result.ok()) {
    fuzz::CheckError(result.error(), {"input.", "json.", "limit."});
    return 0;
  }
  fuzz::CheckExport(result.value());
  fuzz::CheckReports(result.value(), ReportOptions{});
  return 0;
}
