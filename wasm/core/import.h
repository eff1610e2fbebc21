// Importers: one JSON export, or the CSV files of one export, from bytes in
// memory. No files are opened here; front ends pass the bytes in.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"
#include "status.h"

namespace clinic {

/// A file as bytes plus the name it had (used to pick the CSV table and in messages).
struct InputFile {
  std::string name;
  std::string_view bytes;
};

/// A line's kind as written: "service" (or empty) or "goods", in any case.
std::optional<LineKind> ParseLineKind(std::string_view text);
/// A line's status as written: "completed" (or empty), "cancelled" / "canceled",
/// "no_show" / "no-show", in any case.
std::optional<LineStatus> ParseLineStatus(std::string_view text);

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

}  // namespace clinic
