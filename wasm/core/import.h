// Importers: one JSON export, or the CSV files of one export, from bytes in
// memory. No files are opened here; front ends pass the bytes in.
#pragma once

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

/// Parses a clinic-export JSON document without building a DOM.
Result<Export> ImportJson(std::string_view file_name, std::string_view bytes);

/// Parses visits.csv (required) and the optional patients.csv, employees.csv,
/// divisions.csv and price_lists.csv of one export.
Result<Export> ImportCsv(const std::vector<InputFile>& files);

/// One .json file goes to ImportJson, otherwise every file is a CSV table.
Result<Export> ImportFiles(const std::vector<InputFile>& files);

}  // namespace clinic
