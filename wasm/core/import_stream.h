// Internal to the importers: each format's reader over growing buffers, as
// StreamingImport (import.h) drives them. Not part of the engine's API.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "import.h"
#include "model.h"
#include "status.h"

namespace clinic::internal {

/// After a step was undone for want of bytes: how many bytes to wait for
/// before trying it again. Until the bytes past the step's start have doubled
/// (or the file is whole), so that a long step is not read over and over as
/// small pieces arrive: each byte is read a bounded number of times.
inline size_t RetryAt(size_t step_start, size_t bytes) {
  return std::max(bytes + 1, step_start + 2 * (bytes - step_start));
}

/// Reads the files of one export from buffers that fill up piece by piece.
class StreamReader {
 public:
  virtual ~StreamReader() = default;
  /// `bytes`: the first bytes of file `file` (an index into the files as
  /// given), in the same buffer at every call and never fewer than before;
  /// `complete` when they are all of it. Files come one after the other, in
  /// the reader's order, each complete before the next. False once the import
  /// failed (error() tells why); nothing is read after that.
  virtual bool Feed(size_t file, std::string_view bytes, bool complete) = 0;
  virtual const Error& error() const = 0;
  /// After every file was fed complete without an error.
  virtual Result<Export> Finish(const InputDone& input_done) = 0;
};

/// The reader of one JSON export (import_json.cpp).
std::unique_ptr<StreamReader> NewJsonReader(std::string_view file_name);

/// The reader of the CSV tables of one export (import_csv.cpp), or the error
/// their names give (an unknown or repeated table, no visits.csv). *order
/// receives the order to feed the files in: tables before those referring to them.
/// `simple_records` false reads every record cell by cell (for tests: the
/// same result, slower).
Result<std::unique_ptr<StreamReader>> NewCsvReader(const std::vector<std::string>& names,
                                                   std::vector<size_t>* order,
                                                   bool simple_records = true);

/// ImportCsv, with `simple_records` as NewCsvReader takes it.
Result<Export> ImportCsv(const std::vector<InputFile>& files, const InputDone& input_done,
                         bool simple_records);

}  // namespace clinic::internal
