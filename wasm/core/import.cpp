#include "import.h"

#include <algorithm>

#include "bytes.h"
#include "import_stream.h"

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

namespace internal {

std::optional<LineKind> ParseOtherLineKind(std::string_view text) {
  if (SameBytes(text, "goods")) return LineKind::kGoods;
  if (EqualsIgnoreCase(text, "service")) return LineKind::kService;
  if (EqualsIgnoreCase(text, "goods")) return LineKind::kGoods;
  return std::nullopt;
}

std::optional<LineStatus> ParseOtherLineStatus(std::string_view text) {
  if (EqualsIgnoreCase(text, "completed")) return LineStatus::kCompleted;
  if (EqualsIgnoreCase(text, "cancelled") || EqualsIgnoreCase(text, "canceled")) {
    return LineStatus::kCancelled;
  }
  if (EqualsIgnoreCase(text, "no_show") || EqualsIgnoreCase(text, "no-show")) {
    return LineStatus::kNoShow;
  }
  return std::nullopt;
}

}  // namespace internal

namespace {

bool IsUtf16(std::string_view head) {
  return head.size() >= 2 && (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF");
}

Error MixedFiles(std::string_view json_file) {
  return MakeError(code::kMixedFiles, Location{std::string(json_file), 0, 0, "", ""},
                   "a JSON export is a single file: choose either the one .json file or the "
                   "CSV files, not both");
}

// After Begin's checks: JSON or CSV by name, or by the first character when a
// name says neither (known only from the whole files).
Result<Export> ImportChecked(const std::vector<InputFile>& files, const InputDone& input_done) {
  for (const InputFile& file : files) {
    if (!LooksLikeJson(file)) continue;
    if (files.size() == 1) return ImportJson(file.name, file.bytes, input_done);
    return MixedFiles(file.name);
  }
  return ImportCsv(files, input_done);
}

}  // namespace

Result<std::unique_ptr<StreamingImport>> StreamingImport::Begin(
    const std::vector<FileHead>& files) {
  if (files.empty()) {
    return MakeError(code::kNoFiles, Location{},
                     "no files were given: choose the export's JSON file or its CSV files");
  }
  for (const FileHead& file : files) {
    // Named before anything else: a UTF-16 file shows neither a '{' nor a CSV header.
    if (IsUtf16(file.head)) {
      return MakeError(code::kUtf16, Location{file.name, 0, 0, "", ""},
                       "the file is saved as UTF-16; save it as UTF-8 and try again");
    }
  }
  std::unique_ptr<StreamingImport> import(new StreamingImport());
  import->files_ = files;
  import->whole_.resize(files.size());
  bool named = true;  // every name says JSON or CSV
  std::vector<std::string> names;
  for (const FileHead& file : files) {
    named = named && (EndsWith(file.name, ".json") || EndsWith(file.name, ".csv"));
    names.push_back(file.name);
  }
  const auto json = std::find_if(files.begin(), files.end(),
                                 [](const FileHead& f) { return EndsWith(f.name, ".json"); });
  if (named && json != files.end()) {
    if (files.size() > 1) return MixedFiles(json->name);
    import->reader_ = internal::NewJsonReader(files[0].name);
    import->order_ = {0};
  } else if (named) {
    Result<std::unique_ptr<internal::StreamReader>> csv =
        internal::NewCsvReader(names, &import->order_);
    if (!csv.ok()) return csv.error();
    import->reader_ = std::move(csv).value();
  } else {
    // A name that says neither: JSON or CSV by its first character, read when
    // all the files have arrived.
    for (size_t i = 0; i < files.size(); ++i) import->order_.push_back(i);
  }
  return import;
}

StreamingImport::~StreamingImport() = default;

bool StreamingImport::Feed(size_t index, std::string_view bytes) {
  if (error_) return false;
  if (next_ >= order_.size() || index != order_[next_] || bytes.size() > files_[index].size ||
      bytes.size() < whole_[index].size()) {
    const std::string name = index < files_.size() ? files_[index].name : "";
    error_ = MakeError(code::kIncompleteInput, Location{name, 0, 0, "", ""},
                       "the files were not read in order, or changed while they were read");
    return false;
  }
  whole_[index] = bytes;
  const bool complete = bytes.size() == files_[index].size;
  if (complete) ++next_;
  if (reader_ && !reader_->Feed(index, bytes, complete)) {
    error_ = reader_->error();
    return false;
  }
  return true;
}

Result<Export> StreamingImport::Finish(const InputDone& input_done) {
  if (error_) return *error_;
  if (next_ < order_.size()) {
    return MakeError(code::kIncompleteInput, Location{files_[order_[next_]].name, 0, 0, "", ""},
                     "the import was finished before the whole file was read");
  }
  if (reader_) return reader_->Finish(input_done);
  std::vector<InputFile> files;
  for (size_t i = 0; i < files_.size(); ++i) files.push_back(InputFile{files_[i].name, whole_[i]});
  return ImportChecked(files, input_done);
}

Result<Export> ImportFiles(const std::vector<InputFile>& files, const InputDone& input_done) {
  std::vector<FileHead> heads;
  for (const InputFile& file : files) {
    heads.push_back(FileHead{file.name, file.bytes.size(), std::string(file.bytes.substr(0, 3))});
  }
  Result<std::unique_ptr<StreamingImport>> import = StreamingImport::Begin(heads);
  if (!import.ok()) return import.error();
  for (const size_t i : import.value()->order()) {
    if (!import.value()->Feed(i, files[i].bytes)) break;
  }
  return import.value()->Finish(input_done);
}

}  // namespace clinic
