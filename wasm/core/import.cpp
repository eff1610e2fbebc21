#include "import.h"

namespace clinic {
namespace {

// `suffix` in lower case; the name's case does not matter.
bool EndsWith(std::string_view name, std::string_view suffix) {
  if (name.size() < suffix.size()) return false;
  const std::string_view tail = name.substr(name.size() - suffix.size());
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = tail[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

// A file is JSON by its name, or by its first character when the name says
// nothing (a browser paste, an export saved as .txt); a .csv file is a table.
bool LooksLikeJson(const InputFile& file) {
  if (EndsWith(file.name, ".json")) return true;
  if (EndsWith(file.name, ".csv")) return false;
  std::string_view bytes = file.bytes;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  for (const char c : bytes) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

// `lower` in lower case; the text's case does not matter.
bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<LineKind> ParseLineKind(std::string_view text) {
  if (text.empty() || EqualsIgnoreCase(text, "service")) return LineKind::kService;
  if (EqualsIgnoreCase(text, "goods")) return LineKind::kGoods;
  return std::nullopt;
}

std::optional<LineStatus> ParseLineStatus(std::string_view text) {
  if (text.empty() || EqualsIgnoreCase(text, "completed")) return LineStatus::kCompleted;
  if (EqualsIgnoreCase(text, "cancelled") || EqualsIgnoreCase(text, "canceled")) {
    return LineStatus::kCancelled;
  }
  if (EqualsIgnoreCase(text, "no_show") || EqualsIgnoreCase(text, "no-show")) {
    return LineStatus::kNoShow;
  }
  return std::nullopt;
}

Result<Export> ImportFiles(const std::vector<InputFile>& files, const InputDone& input_done) {
  if (files.empty()) {
    return MakeError(code::kNoFiles, Location{},
                     "no files were given: choose the export's JSON file or its CSV files");
  }
  for (const InputFile& file : files) {
    // Named before anything else: a UTF-16 file shows neither a '{' nor a CSV header.
    const std::string_view b = file.bytes;
    if (b.size() >= 2 && (b.substr(0, 2) == "\xFF\xFE" || b.substr(0, 2) == "\xFE\xFF")) {
      return MakeError(code::kUtf16, Location{file.name, 0, 0, "", ""},
                       "the file is saved as UTF-16; save it as UTF-8 and try again");
    }
  }
  for (const InputFile& file : files) {
    if (!LooksLikeJson(file)) continue;
    if (files.size() == 1) return ImportJson(file.name, file.bytes, input_done);
    return MakeError(code::kMixedFiles, Location{file.name, 0, 0, "", ""},
                     "a JSON export is a single file: choose either the one .json file or the "
                     "CSV files, not both");
  }
  return ImportCsv(files, input_done);
}

}  // namespace clinic
