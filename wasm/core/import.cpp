#include "import.h"

namespace clinic {
namespace {

bool EndsWithJson(std::string_view name) {
  constexpr std::string_view kSuffix = ".json";
  if (name.size() < kSuffix.size()) return false;
  const std::string_view tail = name.substr(name.size() - kSuffix.size());
  for (size_t i = 0; i < kSuffix.size(); ++i) {
    char c = tail[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kSuffix[i]) return false;
  }
  return true;
}

// A file is JSON by its name, or by its first character when the name says
// nothing (a browser paste, an export saved as .txt).
bool LooksLikeJson(const InputFile& file) {
  if (EndsWithJson(file.name)) return true;
  std::string_view bytes = file.bytes;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  for (const char c : bytes) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

Result<Export> ImportFiles(const std::vector<InputFile>& files) {
  if (files.empty()) {
    return MakeError(code::kNoFiles, Location{},
                     "no files were given: choose the export's JSON file or its CSV files");
  }
  for (const InputFile& file : files) {
    if (!LooksLikeJson(file)) continue;
    if (files.size() == 1) return ImportJson(file.name, file.bytes);
    return MakeError(code::kMixedFiles, Location{file.name, 0, 0, "", ""},
                     "a JSON export is a single file: choose either the one .json file or the "
                     "CSV files, not both");
  }
  return ImportCsv(files);
}

}  // namespace clinic
