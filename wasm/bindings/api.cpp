// The Embind API of the engine: the only code that includes emscripten
// headers. Bytes come in once (JS mallocs, copies, and hands the buffers
// over); results go out as plain objects whose columns are typed arrays
// copied out of wasm memory, so JS never holds a handle or a view that it
// must free. Every function returns an envelope {ok, value} / {ok, error};
// web/engine.js turns a failed one into a thrown ClinicError.
//
// The contract is documented in docs/wasm-api.md.

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bytes.h"
#include "date.h"
#include "import.h"
#include "model.h"
#include "money.h"
#include "reports.h"
#include "status.h"

namespace clinic {
namespace {

using emscripten::typed_memory_view;
using emscripten::val;

// Codes raised by the bindings themselves (mirrored in web/errors.js).
constexpr std::string_view kInternal = "internal";
constexpr std::string_view kNoExport = "api.no_export";
constexpr std::string_view kBadArgument = "api.bad_argument";

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Largest return window accepted; dates span 1900..2199, so more is "forever".
constexpr double kMaxReturnWindow = 1000000;

/// The export of the last successful load; replaced only by another success,
/// so a failed load leaves the page with the data it had.
std::unique_ptr<Export>& LoadedExport() {
  static std::unique_ptr<Export> loaded;
  return loaded;
}

/// What the reports of the period last asked for share (its lines, its
/// ranked patients): a period change runs all four reports for one period.
/// Dropped with the export.
std::unique_ptr<ReportCache>& LastPeriod() {
  static std::unique_ptr<ReportCache> cache;
  return cache;
}

val ErrorObject(const Error& error) {
  val out = val::object();
  out.set("code", error.code);
  out.set("message", error.message);
  out.set("file", error.where.file);
  out.set("line", static_cast<double>(error.where.line));
  out.set("column", static_cast<double>(error.where.column));
  out.set("field", error.where.field);
  out.set("value", error.where.value);
  return out;
}

val Failure(const Error& error) {
  val out = val::object();
  out.set("ok", false);
  out.set("error", ErrorObject(error));
  return out;
}

val Success(val value) {
  val out = val::object();
  out.set("ok", true);
  out.set("value", std::move(value));
  return out;
}

Error BindingError(std::string_view code, std::string_view field, std::string_view what) {
  Location where;
  where.field = std::string(field);
  return MakeError(code, std::move(where), what);
}

/// Runs `body` (returning a Result<val>) and wraps it in an envelope; the one
/// catch-all of the API, so no C++ exception ever reaches JavaScript.
template <class Body>
val Guarded(std::string_view what, Body&& body) {
  try {
    Result<val> result = body();
    if (!result.ok()) return Failure(result.error());
    return Success(std::move(result).value());
  } catch (const std::bad_alloc&) {
    return Failure(BindingError(kInternal, "",
                                std::string("out of memory while ") + std::string(what) +
                                    " (the export is too large for this browser tab)"));
  } catch (const std::exception& e) {
    return Failure(BindingError(kInternal, "",
                                std::string("unexpected failure while ") + std::string(what) +
                                    ": " + e.what()));
  } catch (...) {
    return Failure(
        BindingError(kInternal, "", std::string("unexpected failure while ") + std::string(what)));
  }
}

// ---------------------------------------------------------------------------
// Conversions out: copies into fresh JS typed arrays.

template <class T>
val CopyOut(const char* constructor, const T* values, size_t n) {
  return val::global(constructor).new_(typed_memory_view(n, values));
}

template <class T>
val CopyOut(const char* constructor, const std::vector<T>& values) {
  return CopyOut(constructor, values.data(), values.size());
}

val Int32Column(const std::vector<int32_t>& values) { return CopyOut("Int32Array", values); }
val Float64Column(const std::vector<double>& values) { return CopyOut("Float64Array", values); }

int32_t IndexOut(Index index) { return index == kNone ? -1 : static_cast<int32_t>(index); }

/// Money in whole cents, rounded half away from zero from the exact units, as
/// the CSV's 2-decimal amounts are; exact in a double up to 2^53 cents.
double Cents(Money amount) { return static_cast<double>(CentsOf(amount)); }

double Tenths(Permille percent) {
  return percent == kNoPercent ? kNaN : static_cast<double>(percent);
}

std::string DayOut(Day day) { return day == kNoDay ? std::string() : FormatDate(day); }

/// Room for the columns of one result, reused from report to report: the
/// rating and the division rating have a few columns of ~100,000 rows each
/// per period change, and entities() a table's packed strings, written here
/// and each copied once into a fresh typed array, with no allocation or
/// zeroing of their own. Kept between reports (it only grows), like the
/// report cache. One at a time: each result's columns are copied out before
/// the next ColumnSpace takes the room.
class ColumnSpace {
 public:
  /// Room for columns of these many bytes in all (each is 8-byte aligned).
  explicit ColumnSpace(size_t bytes, size_t columns) {
    std::vector<uint64_t>& words = Words();
    const size_t needed = bytes / 8 + columns + 1;
    if (words.size() < needed) words.resize(needed);
    next_ = words.data();
  }
  template <class T>
  T* Take(size_t n) {
    static_assert(alignof(T) <= 8);
    T* column = reinterpret_cast<T*>(next_);
    next_ += (n * sizeof(T) + 7) / 8;
    return column;
  }

 private:
  static std::vector<uint64_t>& Words() {
    static std::vector<uint64_t> words;
    return words;
  }
  uint64_t* next_;
};

/// A table's ids or names packed as UTF-8 bytes plus n + 1 offsets;
/// engine.js decodes them. Far cheaper than one boundary crossing per string.
/// Strings stored back to back (packed(): an interner's always, a column's
/// unless one was replaced) go out as they are, in one copy.
template <class Strings>
val PackStrings(const Strings& strings) {
  const size_t n = strings.size();
  val out = val::object();
  if (strings.packed()) {
    ColumnSpace space((n + 1) * sizeof(uint32_t), 1);
    uint32_t* offsets = space.Take<uint32_t>(n + 1);
    for (size_t i = 0; i <= n; ++i) offsets[i] = static_cast<uint32_t>(strings.Offset(i));
    const std::string_view bytes = strings.bytes();
    out.set("bytes",
            CopyOut("Uint8Array", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    out.set("offsets", CopyOut("Uint32Array", offsets, n + 1));
    return out;
  }
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) total += strings[i].size();
  ColumnSpace space(total + (n + 1) * sizeof(uint32_t), 2);
  uint8_t* bytes = space.Take<uint8_t>(total);
  uint32_t* offsets = space.Take<uint32_t>(n + 1);
  uint32_t at = 0;
  offsets[0] = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view s = strings[i];
    CopyBytes(reinterpret_cast<char*>(bytes + at), s.data(), s.size());
    at += static_cast<uint32_t>(s.size());
    offsets[i + 1] = at;
  }
  out.set("bytes", CopyOut("Uint8Array", bytes, total));
  out.set("offsets", CopyOut("Uint32Array", offsets, n + 1));
  return out;
}

val EntityObject(const EntityTable& table) {
  val out = val::object();
  out.set("ids", PackStrings(table.ids));
  out.set("names", PackStrings(table.names));
  out.set("declared", CopyOut("Uint8Array", table.declared));
  return out;
}

val SummaryObject(const Export& data) {
  const ImportSummary& s = data.summary;
  val out = val::object();
  val clinic = val::object();
  clinic.set("name", data.clinic_name);
  clinic.set("currency", data.currency);
  out.set("clinic", clinic);
  out.set("format", s.format);
  val files = val::array();
  for (size_t i = 0; i < s.files.size(); ++i) files.set(i, s.files[i]);
  out.set("files", files);
  out.set("divisions", static_cast<double>(s.divisions));
  out.set("employees", static_cast<double>(s.employees));
  out.set("priceLists", static_cast<double>(s.price_lists));
  out.set("patients", static_cast<double>(s.patients));
  out.set("lines", static_cast<double>(s.lines));
  out.set("completed", static_cast<double>(s.completed));
  out.set("cancelled", static_cast<double>(s.cancelled));
  out.set("noShow", static_cast<double>(s.no_show));
  out.set("completedAmount", Cents(s.completed_amount));
  out.set("cancelledAmount", Cents(s.cancelled_amount));
  out.set("noShowAmount", Cents(s.no_show_amount));
  out.set("goodsLines", static_cast<double>(s.goods_lines));
  out.set("refundLines", static_cast<double>(s.refund_lines));
  out.set("visits", static_cast<double>(s.visits));
  out.set("patientsWithLines", static_cast<double>(s.patients_with_lines));
  out.set("firstDay", DayOut(s.first_day));
  out.set("lastDay", DayOut(s.last_day));
  out.set("blankLines", static_cast<double>(s.blank_lines));
  val warnings = val::array();
  for (size_t i = 0; i < s.warnings.size(); ++i) {
    const Warning& w = s.warnings[i];
    val item = val::object();
    item.set("code", w.code);
    item.set("message", w.message);
    item.set("count", static_cast<double>(w.count));
    warnings.set(i, item);
  }
  out.set("warnings", warnings);
  return out;
}

// ---------------------------------------------------------------------------
// Conversions in.

bool IsAbsent(const val& v) { return v.isUndefined() || v.isNull(); }

/// Accepts exactly "YYYY-MM-DD" (ParseDate alone would also take date-times).
Result<Day> DateOption(const val& options, const char* field) {
  val v = options[field];
  if (IsAbsent(v)) return kNoDay;
  if (!v.isString()) {
    return BindingError(code::kBadOption, field, "must be a date written YYYY-MM-DD, or empty");
  }
  const std::string text = v.as<std::string>();
  if (text.empty()) return kNoDay;
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (size_t i = 0; shape && i < text.size(); ++i) {
    if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) shape = false;
  }
  std::optional<Day> day = shape ? ParseDate(text) : std::nullopt;
  if (!day) {
    Location where;
    where.field = field;
    where.value = text;
    return MakeError(code::kBadOption, std::move(where),
                     QuoteForMessage(text) + " is not a valid date (YYYY-MM-DD)");
  }
  return *day;
}

Result<std::string> IdOption(const val& options, const char* field) {
  val v = options[field];
  if (IsAbsent(v)) return std::string();
  if (!v.isString()) return BindingError(code::kBadOption, field, "must be an id (a string)");
  return v.as<std::string>();
}

Result<bool> FlagOption(const val& options, const char* field) {
  val v = options[field];
  if (IsAbsent(v)) return false;
  if (v.typeOf().as<std::string>() != "boolean") {
    return BindingError(code::kBadOption, field, "must be true or false");
  }
  return v.as<bool>();
}

/// A whole number in [0, max], or `absent` when the option is missing.
Result<double> CountOption(const val& options, const char* field, double max, double absent) {
  val v = options[field];
  if (IsAbsent(v)) return absent;
  const double n = v.isNumber() ? v.as<double>() : kNaN;
  if (!(n >= 0 && n <= max && std::floor(n) == n)) {
    Location where;
    where.field = field;
    where.value = v.isNumber() || v.isString() ? v.call<std::string>("toString") : "";
    return MakeError(
        code::kBadOption, std::move(where),
        "must be a whole number from 0 to " + std::to_string(static_cast<uint64_t>(max)));
  }
  return n;
}

Result<ReportOptions> ParseOptions(const val& options) {
  ReportOptions out;
  if (IsAbsent(options)) return out;
  if (options.typeOf().as<std::string>() != "object" || options.isArray()) {
    return BindingError(code::kBadOption, "options", "the report options must be an object");
  }
  static constexpr std::string_view kKnown[] = {"from",     "to",           "top",
                                                "division", "employee",     "allDivisions",
                                                "returnWindow", "newPerEmployee"};
  val keys = val::global("Object").call<val>("keys", options);
  const unsigned n = keys["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) {
    const std::string key = keys[i].as<std::string>();
    bool known = false;
    for (std::string_view k : kKnown) known = known || k == key;
    if (!known) {
      Location where;
      where.field = key;
      return MakeError(code::kBadOption, std::move(where),
                       "is not a report option (from, to, top, division, employee, allDivisions, "
                       "returnWindow, newPerEmployee)");
    }
  }
  Result<Day> from = DateOption(options, "from");
  if (!from.ok()) return from.error();
  Result<Day> to = DateOption(options, "to");
  if (!to.ok()) return to.error();
  Result<double> top = CountOption(options, "top", 4294967295.0, 0);
  if (!top.ok()) return top.error();
  Result<std::string> division = IdOption(options, "division");
  if (!division.ok()) return division.error();
  Result<std::string> employee = IdOption(options, "employee");
  if (!employee.ok()) return employee.error();
  Result<bool> all_divisions = FlagOption(options, "allDivisions");
  if (!all_divisions.ok()) return all_divisions.error();
  Result<double> window = CountOption(options, "returnWindow", kMaxReturnWindow, -1);
  if (!window.ok()) return window.error();
  Result<bool> per_employee = FlagOption(options, "newPerEmployee");
  if (!per_employee.ok()) return per_employee.error();

  out.from = from.value();
  out.to = to.value();
  out.top = static_cast<uint32_t>(top.value());
  out.division_id = std::move(division).value();
  out.employee_id = std::move(employee).value();
  out.all_divisions = all_divisions.value();
  out.return_window = static_cast<int32_t>(window.value());
  out.new_per_employee = per_employee.value();
  return out;
}

// ---------------------------------------------------------------------------
// The reports, as columns.

/// The rating's rows written straight into its columns as RankCustomers
/// hands them on.
class RatingColumns final : public RatingRowSink {
 public:
  void Begin(size_t rows) override {
    space_.emplace(rows * (2 * sizeof(int32_t) + 4 * sizeof(double) + 1), 7);
    rank_ = space_->Take<int32_t>(rows);
    patient_ = space_->Take<int32_t>(rows);
    visits_ = space_->Take<double>(rows);
    amount_ = space_->Take<double>(rows);
    share_ = space_->Take<double>(rows);
    cumulative_ = space_->Take<double>(rows);
    abc_ = space_->Take<uint8_t>(rows);
  }

  void Add(const RatingRow& r) override {
    const size_t i = next_++;
    rank_[i] = static_cast<int32_t>(r.rank);
    patient_[i] = IndexOut(r.patient);
    visits_[i] = static_cast<double>(r.visits);
    amount_[i] = Cents(r.amount);
    share_[i] = Tenths(r.share);
    cumulative_[i] = Tenths(r.cumulative);
    abc_[i] = static_cast<uint8_t>(r.abc);
  }

  val Object(const RatingReport& report) const {
    const size_t n = next_;
    val rows = val::object();
    rows.set("rank", CopyOut("Int32Array", rank_, n));
    rows.set("patient", CopyOut("Int32Array", patient_, n));
    rows.set("visits", CopyOut("Float64Array", visits_, n));
    rows.set("amount", CopyOut("Float64Array", amount_, n));
    rows.set("share", CopyOut("Float64Array", share_, n));
    rows.set("cumulative", CopyOut("Float64Array", cumulative_, n));
    rows.set("abc", CopyOut("Uint8Array", abc_, n));
    val total = val::object();
    total.set("amount", Cents(report.total));
    total.set("visits", static_cast<double>(report.visits));
    val out = val::object();
    out.set("report", std::string("rating"));
    out.set("count", static_cast<double>(n));
    out.set("patients", static_cast<double>(report.patients));
    out.set("rows", rows);
    out.set("total", total);
    return out;
  }

 private:
  std::optional<ColumnSpace> space_;
  size_t next_ = 0;
  int32_t* rank_ = nullptr;
  int32_t* patient_ = nullptr;
  double* visits_ = nullptr;
  double* amount_ = nullptr;
  double* share_ = nullptr;
  double* cumulative_ = nullptr;
  uint8_t* abc_ = nullptr;
};

val DivisionsObject(const DivisionsReport& report) {
  const size_t n = report.rows.size();
  const size_t m = report.columns.size();
  const size_t cells = report.cell_amount.size();
  ColumnSpace space((n + m) * (sizeof(int32_t) + sizeof(double)) + cells * sizeof(double), 5);
  int32_t* columns = space.Take<int32_t>(m);
  double* column_totals = space.Take<double>(m);
  int32_t* patient = space.Take<int32_t>(n);
  double* row_totals = space.Take<double>(n);
  double* amount = space.Take<double>(cells);
  for (size_t j = 0; j < m; ++j) {
    columns[j] = IndexOut(report.columns[j]);
    column_totals[j] = report.column_has[j] ? Cents(report.column_totals[j]) : kNaN;
  }
  for (size_t i = 0; i < n; ++i) {
    patient[i] = IndexOut(report.rows[i]);
    row_totals[i] = Cents(report.row_totals[i]);
  }
  for (size_t k = 0; k < cells; ++k) amount[k] = Cents(report.cell_amount[k]);
  val rows = val::object();
  rows.set("patient", CopyOut("Int32Array", patient, n));
  rows.set("total", CopyOut("Float64Array", row_totals, n));
  // Sparse, as the core holds them: row i's cells are [begin[i], begin[i+1])
  // of column (an index into `columns`) and amount; a missing cell is empty.
  val cell_object = val::object();
  cell_object.set("begin", CopyOut("Uint32Array", report.cell_begin));
  cell_object.set("column", CopyOut("Uint32Array", report.cell_column));
  cell_object.set("amount", CopyOut("Float64Array", amount, cells));
  val total = val::object();
  total.set("columns", CopyOut("Float64Array", column_totals, m));
  total.set("amount", Cents(report.grand_total));
  val out = val::object();
  out.set("report", std::string("divisions"));
  out.set("count", static_cast<double>(n));
  out.set("patients", static_cast<double>(report.patients));
  out.set("columns", CopyOut("Int32Array", columns, m));
  out.set("rows", rows);
  out.set("cells", cell_object);
  out.set("total", total);
  return out;
}

// The per-employee reports: each field is written once, as a column over the
// rows and as the same member of the total row.
template <class Row>
class EmployeeRows {
 public:
  EmployeeRows(const std::vector<Row>& rows, const Row& total) : rows_(rows), total_(total) {
    std::vector<int32_t> employee(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) employee[i] = IndexOut(rows[i].employee);
    columns_.set("employee", Int32Column(employee));
  }
  template <class Get>
  EmployeeRows& Field(const char* name, Get get) {
    std::vector<double> column(rows_.size());
    for (size_t i = 0; i < rows_.size(); ++i) column[i] = get(rows_[i]);
    columns_.set(name, Float64Column(column));
    total_out_.set(name, get(total_));
    return *this;
  }
  val Report(const char* name) const {
    val out = val::object();
    out.set("report", std::string(name));
    out.set("count", static_cast<double>(rows_.size()));
    out.set("rows", columns_);
    out.set("total", total_out_);
    return out;
  }

 private:
  const std::vector<Row>& rows_;
  const Row& total_;
  val columns_ = val::object();
  val total_out_ = val::object();
};

template <class Row>
auto Count(uint64_t Row::*member) {
  return [member](const Row& r) { return static_cast<double>(r.*member); };
}

val LoyaltyObject(const LoyaltyReport& report) {
  const bool has_pending = report.has_pending;
  EmployeeRows<LoyaltyRow> rows(report.rows, report.total);
  rows.Field("primary", Count(&LoyaltyRow::primary))
      .Field("returned", Count(&LoyaltyRow::returned))
      .Field("retention", [](const LoyaltyRow& r) { return Tenths(r.retention); })
      .Field("returnedToClinic", Count(&LoyaltyRow::returned_to_clinic))
      .Field("old", Count(&LoyaltyRow::old))
      .Field("pending", [has_pending](const LoyaltyRow& r) {
        return has_pending ? static_cast<double>(r.pending) : kNaN;
      });
  val out = rows.Report("loyalty");
  out.set("hasPending", has_pending);
  return out;
}

val RevenueObject(const RevenueReport& report) {
  EmployeeRows<RevenueRow> rows(report.rows, report.total);
  rows.Field("services", [](const RevenueRow& r) { return Cents(r.services); })
      .Field("goods", [](const RevenueRow& r) { return Cents(r.goods); })
      .Field("total", [](const RevenueRow& r) { return Cents(r.total); })
      .Field("share", [](const RevenueRow& r) { return Tenths(r.share); })
      .Field("lines", Count(&RevenueRow::lines))
      .Field("visits", Count(&RevenueRow::visits))
      .Field("patients", Count(&RevenueRow::patients))
      .Field("avgVisit",
             [](const RevenueRow& r) { return r.visits > 0 ? Cents(r.avg_visit) : kNaN; });
  return rows.Report("revenue");
}

/// Runs one report over the loaded export with options from JS:
/// `build(export, options, cache)`, a Result<val>, with the parsed options
/// and the report cache.
template <class Build>
val RunReport(const char* name, val options, Build&& build) {
  return Guarded(std::string("computing the ") + name + " report", [&]() -> Result<val> {
    const std::unique_ptr<Export>& data = LoadedExport();
    if (!data) return BindingError(kNoExport, "", "no export is loaded yet");
    Result<ReportOptions> parsed = ParseOptions(options);
    if (!parsed.ok()) return parsed.error();
    std::unique_ptr<ReportCache>& cache = LastPeriod();
    if (!cache || !cache->IsFor(*data)) cache = std::make_unique<ReportCache>(*data);
    return build(*data, parsed.value(), cache.get());
  });
}

template <class Report>
val RunReport(const char* name, val options,
              Result<Report> (*compute)(const Export&, const ReportOptions&, ReportCache*),
              val (*convert)(const Report&)) {
  return RunReport(
      name, options,
      [&](const Export& data, const ReportOptions& o, ReportCache* cache) -> Result<val> {
        Result<Report> report = compute(data, o, cache);
        if (!report.ok()) return report.error();
        return convert(report.value());
      });
}

// ---------------------------------------------------------------------------
// The exported functions.

/// Frees the malloc'd buffers of one load call, whatever happens.
class OwnedBuffers {
 public:
  OwnedBuffers() = default;
  OwnedBuffers(const OwnedBuffers&) = delete;
  OwnedBuffers& operator=(const OwnedBuffers&) = delete;
  ~OwnedBuffers() { FreeAll(); }
  void Take(void* p) { pointers_.push_back(p); }
  void FreeAll() {
    for (void* p : pointers_) std::free(p);
    pointers_.clear();
  }

 private:
  std::vector<void*> pointers_;
};

Error TooLargeError() {
  return BindingError(code::kTooLarge, "",
                      "the export is too large for the memory of this browser tab (it ran "
                      "out while importing); the data loaded before is kept");
}

/// Runs an import and, when it succeeds, makes its export the loaded one;
/// returns the import summary. Running out of wasm memory while importing is
/// the export being too large for this tab, not an engine failure: said so,
/// with its own code. Nothing is replaced on failure, so the export loaded
/// before stays.
template <class Import>
Result<val> Adopt(Import&& import) {
  std::optional<Result<Export>> imported;
  try {
    imported.emplace(import());
  } catch (const std::bad_alloc&) {
    return TooLargeError();
  }
  if (!imported->ok()) return imported->error();
  auto data = std::make_unique<Export>(std::move(*imported).value());
  val summary = SummaryObject(*data);
  LastPeriod().reset();
  LoadedExport() = std::move(data);
  return summary;
}

/// load([{name, ptr, size}, ...]): imports the files whose bytes JS copied
/// into malloc'd buffers; takes ownership of every buffer (freed before
/// returning, on success and on failure alike). Returns the import summary.
val Load(val files) {
  OwnedBuffers owned;
  // Take ownership first, so a bad descriptor later in the list leaks nothing.
  const bool is_array = files.isArray();
  const unsigned count = is_array ? files["length"].as<unsigned>() : 0;
  for (unsigned i = 0; i < count; ++i) {
    val ptr = files[i]["ptr"];
    if (ptr.isNumber() && ptr.as<double>() != 0) {
      owned.Take(reinterpret_cast<void*>(static_cast<uintptr_t>(ptr.as<double>())));
    }
  }
  return Guarded("importing the export", [&]() -> Result<val> {
    if (!is_array)
      return BindingError(kBadArgument, "files", "must be an array of {name, ptr, size}");
    std::vector<InputFile> inputs;
    inputs.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
      val file = files[i];
      val name = file["name"], ptr = file["ptr"], size = file["size"];
      if (!name.isString() || !ptr.isNumber() || !size.isNumber()) {
        return BindingError(kBadArgument, "files",
                            "file " + std::to_string(i + 1) + " must be {name, ptr, size}");
      }
      const double p = ptr.as<double>(), n = size.as<double>();
      if (!(n >= 0 && std::floor(n) == n && p >= 0 && std::floor(p) == p &&
            p + n <= 4294967296.0) ||
          (p == 0 && n > 0)) {
        return BindingError(kBadArgument, "files",
                            "file " + std::to_string(i + 1) + " has an invalid ptr or size");
      }
      const char* bytes = reinterpret_cast<const char*>(static_cast<uintptr_t>(p));
      inputs.push_back(InputFile{name.as<std::string>(),
                                 std::string_view(bytes, static_cast<size_t>(n))});
    }
    // The input is freed as soon as it is read, before the export is built.
    return Adopt([&] { return ImportFiles(inputs, [&owned] { owned.FreeAll(); }); });
  });
}

// ---------------------------------------------------------------------------
// The streaming import: the page writes each file into a buffer of the engine
// as it reads it from disk, and the engine reads what has arrived meanwhile.

/// The import being fed, and the buffers its files are read into.
struct PendingImport {
  std::unique_ptr<StreamingImport> import;
  std::vector<char*> data;      // per file, malloc'd (freed by `buffers`)
  std::vector<uint64_t> sizes;  // per file
  OwnedBuffers buffers;
};

std::unique_ptr<PendingImport>& Pending() {
  static std::unique_ptr<PendingImport> pending;
  return pending;
}

/// beginImport([{name, size, head}]): `head` holds the file's first bytes (up
/// to 3, as numbers or a Uint8Array). Checks the file set, reserves a buffer
/// per file and returns {order, buffers}: the file indexes in the order to
/// read them, and where to write each file. Drops an import begun before.
val BeginImport(val files) {
  Pending().reset();
  return Guarded("starting the import", [&]() -> Result<val> {
    if (!files.isArray()) {
      return BindingError(kBadArgument, "files", "must be an array of {name, size, head}");
    }
    const unsigned count = files["length"].as<unsigned>();
    std::vector<FileHead> heads;
    for (unsigned i = 0; i < count; ++i) {
      val file = files[i];
      val name = file["name"], size = file["size"], head = file["head"];
      const double n = size.isNumber() ? size.as<double>() : -1;
      if (!name.isString() || !(n >= 0 && std::floor(n) == n && n < 4294967296.0) ||
          IsAbsent(head) || head["length"].isUndefined()) {
        return BindingError(kBadArgument, "files",
                            "file " + std::to_string(i + 1) + " must be {name, size, head}");
      }
      FileHead h{name.as<std::string>(), static_cast<uint64_t>(n), ""};
      const unsigned head_length = std::min(head["length"].as<unsigned>(), 3u);
      for (unsigned k = 0; k < head_length; ++k) {
        h.head += static_cast<char>(head[k].as<unsigned>() & 0xFF);
      }
      heads.push_back(std::move(h));
    }
    Result<std::unique_ptr<StreamingImport>> begun = StreamingImport::Begin(heads);
    if (!begun.ok()) return begun.error();
    auto pending = std::make_unique<PendingImport>();
    pending->import = std::move(begun).value();
    val order = val::array();
    val buffers = val::array();
    for (unsigned i = 0; i < count; ++i) {
      void* p = std::malloc(std::max<size_t>(heads[i].size, 1));
      if (p == nullptr) {
        return BindingError(code::kTooLarge, "",
                            heads[i].name + ": the export is too large for the memory of this "
                                            "browser tab; the data loaded before is kept");
      }
      pending->buffers.Take(p);
      pending->data.push_back(static_cast<char*>(p));
      pending->sizes.push_back(heads[i].size);
      buffers.set(i, static_cast<double>(reinterpret_cast<uintptr_t>(p)));
    }
    const std::vector<size_t>& read_order = pending->import->order();
    for (size_t k = 0; k < read_order.size(); ++k) order.set(k, static_cast<double>(read_order[k]));
    Pending() = std::move(pending);
    val out = val::object();
    out.set("order", order);
    out.set("buffers", buffers);
    return out;
  });
}

/// feedImport(index, length): the first `length` bytes of file `index` are in
/// its buffer. Returns whether to go on: false once the import has failed
/// (finishImport() then tells why, and no more bytes are needed).
val FeedImport(val index, val length) {
  return Guarded("reading the export", [&]() -> Result<val> {
    PendingImport* pending = Pending().get();
    if (pending == nullptr) return BindingError(kBadArgument, "", "no import was begun");
    const double i = index.isNumber() ? index.as<double>() : -1;
    const double n = length.isNumber() ? length.as<double>() : -1;
    if (!(i >= 0 && i < static_cast<double>(pending->data.size()) && std::floor(i) == i) ||
        !(n >= 0 && std::floor(n) == n &&
          n <= static_cast<double>(pending->sizes[static_cast<size_t>(i)]))) {
      return BindingError(kBadArgument, "", "feedImport(index, length) is out of range");
    }
    const auto file = static_cast<size_t>(i);
    try {
      return val(pending->import->Feed(
          file, std::string_view(pending->data[file], static_cast<size_t>(n))));
    } catch (const std::bad_alloc&) {
      Pending().reset();
      return TooLargeError();
    }
  });
}

/// finishImport(): the import summary of the export the fed files make, which
/// replaces the loaded one; or the error, and the loaded export stays. The
/// buffers are freed either way.
val FinishImport() {
  std::unique_ptr<PendingImport> pending = std::move(Pending());
  return Guarded("importing the export", [&]() -> Result<val> {
    if (!pending) return BindingError(kBadArgument, "", "no import was begun");
    return Adopt([&] { return pending->import->Finish([&] { pending->buffers.FreeAll(); }); });
  });
}

/// abortImport(): drops the import being fed (the page could not read a file).
val AbortImport() {
  Pending().reset();
  return Success(val::undefined());
}

/// summary(): the import summary of the loaded export.
val Summary() {
  return Guarded("reading the import summary", []() -> Result<val> {
    const std::unique_ptr<Export>& data = LoadedExport();
    if (!data) return BindingError(kNoExport, "", "no export is loaded yet");
    return SummaryObject(*data);
  });
}

/// entities(): every table's ids and names (packed), fetched once per load;
/// reports refer to rows of these tables by index.
val Entities() {
  return Guarded("reading the export's tables", []() -> Result<val> {
    const std::unique_ptr<Export>& data = LoadedExport();
    if (!data) return BindingError(kNoExport, "", "no export is loaded yet");
    const Export& d = *data;
    std::vector<int32_t> price_list(d.patients.size()), employee_division(d.employees.size());
    std::vector<double> bonus(d.patients.size());
    for (size_t i = 0; i < d.patients.size(); ++i) {
      price_list[i] = i < d.patient_price_list.size() ? IndexOut(d.patient_price_list[i]) : -1;
      const bool has = i < d.patient_has_bonus.size() && d.patient_has_bonus[i];
      bonus[i] = has ? Cents(d.patient_bonus[i]) : kNaN;
    }
    for (size_t i = 0; i < d.employees.size(); ++i) {
      employee_division[i] =
          i < d.employee_division.size() ? IndexOut(d.employee_division[i]) : -1;
    }
    val out = val::object();
    out.set("patients", EntityObject(d.patients));
    out.set("employees", EntityObject(d.employees));
    out.set("divisions", EntityObject(d.divisions));
    out.set("priceLists", EntityObject(d.price_lists));
    out.set("patientPriceList", Int32Column(price_list));
    out.set("patientBonusCents", Float64Column(bonus));
    out.set("employeeDivision", Int32Column(employee_division));
    return out;
  });
}

val Rating(val options) {
  return RunReport(
      "customer rating", options,
      [](const Export& data, const ReportOptions& o, ReportCache* cache) -> Result<val> {
        RatingColumns columns;
        Result<RatingReport> report = RankCustomers(data, o, cache, &columns);
        if (!report.ok()) return report.error();
        return columns.Object(report.value());
      });
}
val Divisions(val options) {
  return RunReport("division rating", options, &BuildCrossReport, &DivisionsObject);
}
val Loyalty(val options) {
  return RunReport("customer loyalty", options, &ComputeRetention, &LoyaltyObject);
}
val Revenue(val options) {
  return RunReport("employee revenue", options, &ComputeRevenue, &RevenueObject);
}

/// clear(): drops the loaded export and its memory.
val Clear() {
  return Guarded("clearing the export", []() -> Result<val> {
    Pending().reset();
    LastPeriod().reset();
    LoadedExport().reset();
    return val::undefined();
  });
}

}  // namespace
}  // namespace clinic

EMSCRIPTEN_BINDINGS(clinic_engine) {
  emscripten::function("load", &clinic::Load);
  emscripten::function("beginImport", &clinic::BeginImport);
  emscripten::function("feedImport", &clinic::FeedImport);
  emscripten::function("finishImport", &clinic::FinishImport);
  emscripten::function("abortImport", &clinic::AbortImport);
  emscripten::function("summary", &clinic::Summary);
  emscripten::function("entities", &clinic::Entities);
  emscripten::function("rating", &clinic::Rating);
  emscripten::function("divisions", &clinic::Divisions);
  emscripten::function("loyalty", &clinic::Loyalty);
  emscripten::function("revenue", &clinic::Revenue);
  emscripten::function("clear", &clinic::Clear);
}
