// Errors as values: every expected failure (bad input, bad option) flows back
// as an Error inside a Result, never as an exception, so the same code runs
// natively and in WebAssembly built without exception support.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace clinic {

/// Stable error codes (dotted ids). Mirrored for JavaScript in web/errors.js.
namespace code {
// Input as a whole.
inline constexpr std::string_view kEmptyInput = "input.empty";
inline constexpr std::string_view kUtf16 = "input.utf16";
inline constexpr std::string_view kBadUtf8 = "input.bad_utf8";
inline constexpr std::string_view kNulByte = "input.nul_byte";
inline constexpr std::string_view kTooLarge = "input.too_large";
inline constexpr std::string_view kNoFiles = "input.no_files";
inline constexpr std::string_view kMixedFiles = "input.mixed_files";
inline constexpr std::string_view kIncompleteInput = "input.incomplete";
// JSON syntax and shape.
inline constexpr std::string_view kJsonSyntax = "json.syntax";
inline constexpr std::string_view kJsonTooDeep = "json.too_deep";
inline constexpr std::string_view kJsonType = "json.type";
inline constexpr std::string_view kJsonFormat = "json.format";
inline constexpr std::string_view kJsonVersion = "json.version";
inline constexpr std::string_view kJsonMissingField = "json.missing_field";
inline constexpr std::string_view kJsonBadAmount = "json.bad_amount";
inline constexpr std::string_view kJsonBadDate = "json.bad_date";
inline constexpr std::string_view kJsonBadValue = "json.bad_value";
inline constexpr std::string_view kJsonDuplicateId = "json.duplicate_id";
inline constexpr std::string_view kJsonNoVisits = "json.no_visits";
// CSV syntax and shape.
inline constexpr std::string_view kCsvUnclosedQuote = "csv.unclosed_quote";
inline constexpr std::string_view kCsvBadQuote = "csv.bad_quote";
inline constexpr std::string_view kCsvCellCount = "csv.cell_count";
inline constexpr std::string_view kCsvMissingColumn = "csv.missing_column";
inline constexpr std::string_view kCsvDuplicateColumn = "csv.duplicate_column";
inline constexpr std::string_view kCsvNoHeader = "csv.no_header";
inline constexpr std::string_view kCsvUnknownFile = "csv.unknown_file";
inline constexpr std::string_view kCsvDuplicateFile = "csv.duplicate_file";
inline constexpr std::string_view kCsvNoVisits = "csv.no_visits";
inline constexpr std::string_view kCsvMissingField = "csv.missing_field";
inline constexpr std::string_view kCsvBadAmount = "csv.bad_amount";
inline constexpr std::string_view kCsvBadDate = "csv.bad_date";
inline constexpr std::string_view kCsvBadValue = "csv.bad_value";
inline constexpr std::string_view kCsvDuplicateId = "csv.duplicate_id";
// Engine limits and report options.
inline constexpr std::string_view kTooManyRows = "limit.rows";
inline constexpr std::string_view kTooManyIds = "limit.ids";
inline constexpr std::string_view kAmountOverflow = "limit.amount_total";
inline constexpr std::string_view kBadPeriod = "options.bad_period";
inline constexpr std::string_view kBadOption = "options.bad_value";
inline constexpr std::string_view kUnknownDivision = "options.unknown_division";
inline constexpr std::string_view kUnknownEmployee = "options.unknown_employee";
}  // namespace code

/// Where in the input an error was found; empty/zero members are unknown.
struct Location {
  std::string file;
  uint64_t line = 0;    // 1-based
  uint64_t column = 0;  // 1-based; for CSV the cell number, for JSON the byte column
  std::string field;
  std::string value;
};

/// An expected failure: a stable code and a sentence for people.
struct Error {
  std::string code;
  std::string message;  // the whole sentence: location, what, [code]
  Location where;
  std::string what;  // the sentence alone, for a caller that knows a better location
};

/// Builds an Error whose message names file, line, column, field and value:
/// `visits.csv, line 12, column 5 (amount): "12.34567" is not a valid amount:
/// at most 4 decimals [csv.bad_amount]`.
Error MakeError(std::string_view code, Location where, std::string_view what);

/// Quotes a value from the input for a message: control characters escaped,
/// cut to a readable length.
std::string QuoteForMessage(std::string_view value);

/// A value or the Error that prevented it.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Success or an Error, for operations without a value.
class Status {
 public:
  // User-provided, so that `return {};` does not zero-fill the whole object
  // (value-initialisation does, for a defaulted constructor) before marking
  // it empty: that fill was 28 instructions of every visit line's AddLine.
  Status() {}                                        // NOLINT(modernize-use-equals-default)
  Status(Error error) : error_(std::move(error)) {}  // NOLINT
  bool ok() const { return !error_; }
  const Error& error() const { return *error_; }

 private:
  // Empty on success: a success is a flag, with no Error to build and destroy
  // (AddLine returns one per visit line).
  std::optional<Error> error_;
};

}  // namespace clinic

#define CLINIC_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    auto clinic_status_ = (expr);                            \
    if (!clinic_status_.ok()) return clinic_status_.error(); \
  } while (0)
