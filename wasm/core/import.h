// Importers: one JSON export, or the CSV files of one export, from bytes in
// memory. No files are opened here; front ends pass the bytes in.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"
#include "model.h"
#include "status.h"

namespace clinic {

/// A file as bytes plus the name it had (used to pick the CSV table and in messages).
struct InputFile {
  std::string name;
  std::string_view bytes;
};

namespace internal {
// The spellings of a kind or status other than the one exports write (or
// none), which ParseLineKind and ParseLineStatus compare inline at every line.
std::optional<LineKind> ParseOtherLineKind(std::string_view text);
std::optional<LineStatus> ParseOtherLineStatus(std::string_view text);
}  // namespace internal

/// A line's kind as written: "service" (or empty) or "goods", in any case.
inline std::optional<LineKind> ParseLineKind(std::string_view text) {
  if (text.empty() || SameBytes(text, "service")) return LineKind::kService;
  return internal::ParseOtherLineKind(text);
}
/// A line's status as written: "completed" (or empty), "cancelled" / "canceled",
/// "no_show" / "no-show", in any case.
inline std::optional<LineStatus> ParseLineStatus(std::string_view text) {
  if (text.empty() || SameBytes(text, "completed")) return LineStatus::kCompleted;
  return internal::ParseOtherLineStatus(text);
}

/// Called once an importer has read all of its input without an error, just
/// before it builds the export: no input byte is read after it, so a front end
/// that owns the bytes can free them there, and the peak memory of an import
/// is the input or the export being built, not both.
using InputDone = std::function<void()>;

/// Parses a clinic-export JSON document without building a DOM.
Result<Export> ImportJson(std::string_view file_name, std::string_view bytes,
                          const InputDone& input_done = {});

/// Parses visits.csv (required) and the optional patients.csv, employees.csv,
/// divisions.csv and price_lists.csv of one export.
Result<Export> ImportCsv(const std::vector<InputFile>& files, const InputDone& input_done = {});

/// One .json file goes to ImportJson, otherwise every file is a CSV table.
Result<Export> ImportFiles(const std::vector<InputFile>& files, const InputDone& input_done = {});

/// What is known of a file before it is read: its name, its size and its
/// first bytes (up to 3: enough to tell UTF-16 and a byte order mark).
struct FileHead {
  std::string name;
  uint64_t size = 0;
  std::string head;
};

namespace internal {
class StreamReader;
}

/// An import of files that arrive piece by piece, read as they arrive: the
/// page reads a file from disk while the engine reads what has come so far.
/// Whatever the pieces, the result (the export, or the error) is ImportFiles'
/// on the whole files; ImportFiles is this with each file in one piece.
class StreamingImport {
 public:
  /// Checks the set of files as ImportFiles does before it reads any of them:
  /// no files, a UTF-16 file, a JSON file among others, the CSV tables' names.
  static Result<std::unique_ptr<StreamingImport>> Begin(const std::vector<FileHead>& files);
  ~StreamingImport();
  StreamingImport(const StreamingImport&) = delete;
  StreamingImport& operator=(const StreamingImport&) = delete;

  /// The files (indexes into Begin's list) in the order they are to be fed.
  const std::vector<size_t>& order() const { return order_; }
  /// More of file `index`: `bytes` are its first bytes, in the same buffer at
  /// every call and never fewer than before (all of them when bytes.size() is
  /// its size). Files come in order(), each whole before the next, and each at
  /// least once (an empty one too). False once the import has failed: no more
  /// bytes are needed, Finish() tells why.
  bool Feed(size_t index, std::string_view bytes);
  /// The export, or why there is none. Every file must have been fed whole,
  /// unless Feed failed. `input_done` as for ImportFiles.
  Result<Export> Finish(const InputDone& input_done = {});

 private:
  StreamingImport() = default;

  std::vector<FileHead> files_;
  std::vector<size_t> order_;
  size_t next_ = 0;                                // position in order_ of the file being fed
  std::vector<std::string_view> whole_;            // the files as fed (read at Finish when unsure)
  std::unique_ptr<internal::StreamReader> reader_;  // null: the format needs the whole files
  std::optional<Error> error_;
};

}  // namespace clinic
