// Renders reports and the import summary as text: CSV (the contract in
// docs/reports.md), an aligned terminal table, or JSON. Pure string building.
#pragma once

#include <string>
#include <vector>

#include "model.h"
#include "reports.h"

namespace clinic {

/// A rendered report: a header and rows of cells, all as text; the last row
/// of divisions, loyalty and revenue is the TOTAL row.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;  // per column: right-aligned in tables, a number in JSON
};

TextTable RatingTable(const Export& data, const RatingReport& report);
TextTable DivisionsTable(const Export& data, const DivisionsReport& report);
TextTable LoyaltyTable(const Export& data, const LoyaltyReport& report);
TextTable RevenueTable(const Export& data, const RevenueReport& report);

/// RFC 4180 CSV, LF line ends, cells quoted only where needed.
std::string ToCsv(const TextTable& table);
/// Columns padded to their display width (UTF-8 aware), numbers right-aligned.
std::string ToAlignedText(const TextTable& table);
/// An array of objects keyed by the header; numeric cells as JSON numbers, empty as null.
std::string ToJson(const TextTable& table);

/// The import summary in plain words, one fact per line.
std::string SummaryText(const ImportSummary& summary, const std::string& currency);
/// The import summary as a JSON object.
std::string SummaryJson(const ImportSummary& summary, const Export& data);

}  // namespace clinic
