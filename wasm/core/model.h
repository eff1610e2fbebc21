// The imported export, held in columns: ids dictionary-encoded to dense
// indexes, dates as day numbers, money as int64. Reports are scans over these
// columns; nothing here is ever re-parsed when a period or option changes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "date.h"
#include "interner.h"
#include "money.h"
#include "status.h"

namespace clinic {

/// Index into an entity table; kNone where a line has no employee/division.
using Index = uint32_t;
inline constexpr Index kNone = UINT32_MAX;
static_assert(kNone == StringInterner::kAbsent);

enum class LineKind : uint8_t { kService = 0, kGoods = 1 };
enum class LineStatus : uint8_t { kCompleted = 0, kCancelled = 1, kNoShow = 2 };

/// Strings back to back in one buffer, the i-th as a view: a table's names,
/// one allocation for all of them instead of a std::string each. Replacing
/// one (an entity named by its id until its row names it) appends its new
/// bytes and leaves the old ones unused.
class StringColumn {
 public:
  size_t size() const { return spans_.size(); }
  // const: `names[i] = name` would assign to a copy of the view; Set() replaces a string.
  const std::string_view operator[](size_t i) const {  // NOLINT(readability-const-return-type)
    return {bytes_.data() + spans_[i].begin, spans_[i].size};
  }
  void push_back(std::string_view s);
  void Set(size_t i, std::string_view s);
  /// When no string was replaced: every string back to back in order, string
  /// i at Offset(i) in bytes(), as in a StringInterner.
  bool packed() const { return !replaced_; }
  std::string_view bytes() const { return {bytes_.data(), bytes_.size()}; }
  uint64_t Offset(size_t i) const { return i < spans_.size() ? spans_[i].begin : bytes_.size(); }
  /// The same strings in the same order.
  friend bool operator==(const StringColumn& a, const StringColumn& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

 private:
  void Append(std::string_view s);  // to bytes_
  struct Span {
    size_t begin;
    size_t size;
  };
  ByteVector bytes_;
  std::vector<Span> spans_;
  bool replaced_ = false;
};

/// One table of named things (divisions, employees, price lists, patients).
/// Entities referenced by a line but absent from their table are kept too,
/// with declared = 0 and their id as name, so nothing is lost.
struct EntityTable {
  // Added to by FindOrAdd only, which keeps the three in step. The ids are
  // their own index (id -> index) and column (index -> id): stored once.
  StringInterner ids;
  StringColumn names;
  std::vector<uint8_t> declared;
  size_t size() const { return ids.size(); }
  /// Index of `id`, or kNone.
  Index Find(std::string_view id) const { return ids.Find(id); }  // kAbsent is kNone
  /// The same, given HeadOf(id), which a caller may have computed already.
  Index Find(std::string_view id, uint64_t head) const { return ids.Find(id, head); }

  /// The index of `id`, appending an undeclared entity named by its id when it
  /// is new; `.second` tells whether it was added.
  std::pair<Index, bool> FindOrAdd(std::string_view id) { return FindOrAdd(id, id); }
  /// The same, naming a new entity `name`.
  std::pair<Index, bool> FindOrAdd(std::string_view id, std::string_view name);
  /// True when every id is bytewise greater than the one before it.
  bool ids_in_order() const { return ids_in_order_; }

 private:
  bool ids_in_order_ = true;
};

/// A problem that did not stop the import, with how many lines it touched.
struct Warning {
  std::string code;     // e.g. "ref.unknown_patient"
  std::string message;  // one sentence naming the file, first line and value
  uint64_t count = 0;   // lines (or cells, columns) concerned
};

/// What the import read, for every front end: nothing is dropped without a trace here.
struct ImportSummary {
  std::string format;                // "json" or "csv"
  std::vector<std::string> files;    // names as given
  uint64_t divisions = 0, employees = 0, price_lists = 0, patients = 0;  // table rows
  uint64_t lines = 0;                // every visit line read
  uint64_t completed = 0, cancelled = 0, no_show = 0;
  Money completed_amount = 0, cancelled_amount = 0, no_show_amount = 0;
  uint64_t goods_lines = 0;          // completed goods lines
  uint64_t refund_lines = 0;         // completed lines with a negative amount
  uint64_t visits = 0;               // distinct completed (patient, employee, date)
  uint64_t patients_with_lines = 0;  // distinct patients with a completed line
  Day first_day = kNoDay, last_day = kNoDay;  // over all lines, any status
  uint64_t blank_lines = 0;          // empty CSV lines skipped
  std::vector<Warning> warnings;
};

/// Completed lines, sorted by (patient, day, employee, division, kind, amount):
/// each patient's lines are one contiguous run, in date order.
struct Lines {
  std::vector<Day> day;
  std::vector<Index> patient;
  std::vector<Index> employee;  // kNone = unassigned
  std::vector<Index> division;  // kNone = no division
  std::vector<Money> amount;
  std::vector<LineKind> kind;
  size_t size() const { return day.size(); }
};

/// An imported clinic export.
struct Export {
  std::string clinic_name;
  std::string currency;  // ISO 4217, may be empty

  EntityTable divisions, employees, price_lists, patients;
  std::vector<Index> employee_division;    // per employee, kNone if none
  std::vector<Index> patient_price_list;   // per patient, kNone if none
  std::vector<Money> patient_bonus;        // per patient
  std::vector<uint8_t> patient_has_bonus;  // per patient
  std::vector<Day> patient_registered;     // per patient, kNoDay if none

  std::vector<uint32_t> patient_rank;      // per patient: position in name-then-id order

  Lines lines;
  std::vector<uint32_t> patient_begin;  // lines of patient p: [patient_begin[p], patient_begin[p+1])
  // Per patient: the days of its first and last line, kNoDay for both when it
  // has none. Finding a period's patients reads these two compact columns
  // instead of one scattered day per patient from the lines.
  std::vector<Day> patient_first_day, patient_last_day;
  Day last_day = kNoDay;                // last date of the export (any status)

  ImportSummary summary;
};

/// One visit line as read by an importer; views stay valid only during AddLine.
struct LineInput {
  Day day = kNoDay;
  std::string_view patient;
  std::string_view employee;  // empty = none
  std::string_view division;  // empty = none
  Money amount = 0;
  LineKind kind = LineKind::kService;
  LineStatus status = LineStatus::kCompleted;
  // Names carried by a lone visits.csv instead of the other tables.
  std::string_view patient_name, employee_name, division_name;
  uint64_t source_line = 0;  // for warnings: CSV line number, or JSON 1-based element index
};

/// The engine's own limits: lines and entities are 32-bit indexes (kNone is
/// reserved). Tests lower them to reach them.
struct Limits {
  uint64_t lines = UINT32_MAX - 1;     // visit lines in one export
  uint64_t entities = UINT32_MAX - 1;  // distinct ids in one table, declared or referenced
};

/// Collects tables and lines in any order, then Finish() resolves references,
/// sorts the lines and writes the summary. Importers report duplicates and
/// bad values themselves, since only they know the file, line and column.
class ExportBuilder {
 public:
  explicit ExportBuilder(Limits limits = {});
  ~ExportBuilder();
  ExportBuilder(const ExportBuilder&) = delete;
  ExportBuilder& operator=(const ExportBuilder&) = delete;

  void SetClinic(std::string_view name, std::string_view currency);
  void SetFormat(std::string_view format, std::vector<std::string> files);
  /// File names used in warnings ("visits.csv", "export.json").
  void SetVisitsFile(std::string_view name);
  void SetPatientsFile(std::string_view name);
  void SetEmployeesFile(std::string_view name);

  // Each returns false when the id was already declared in its table.
  bool AddDivision(std::string_view id, std::string_view name);
  bool AddEmployee(std::string_view id, std::string_view name, std::string_view division_id,
                   uint64_t source_line);
  bool AddPriceList(std::string_view id, std::string_view name);
  bool AddPatient(std::string_view id, std::string_view name, std::string_view price_list_id,
                  std::optional<Money> bonus, Day registered, uint64_t source_line);

  /// Returns false when a visit line id repeats (empty ids are not checked).
  bool AddLineId(std::string_view line_id);
  /// Adds a line; fails only when an engine limit or the exact-sum range would be exceeded.
  Status AddLine(const LineInput& line);

  /// Records a warning that is not about references (unknown CSV column, blank lines).
  void AddWarning(std::string_view code, std::string message, uint64_t count);
  void CountBlankLines(uint64_t n);

  /// The export, or limit.ids when a table outgrew Limits::entities.
  Result<Export> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinic
