#include "model.h"

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <numeric>

#include "order.h"

namespace clinic {

void StringColumn::push_back(std::string_view s) {
  spans_.push_back(Span{bytes_.size(), s.size()});
  Append(s);
}

void StringColumn::Set(size_t i, std::string_view s) {
  if ((*this)[i] == s) return;
  replaced_ = true;
  spans_[i] = Span{bytes_.size(), s.size()};
  Append(s);
}

void StringColumn::Append(std::string_view s) { AppendBytes(bytes_, s); }

std::pair<Index, bool> EntityTable::FindOrAdd(std::string_view id, std::string_view name) {
  const auto [index, inserted] = ids.Insert(id);
  if (inserted) {  // the last index
    ids_in_order_ = ids_in_order_ && (index == 0 || BytesLess(ids[index - 1], id));
    names.push_back(name);
    declared.push_back(0);
  }
  return {index, inserted};
}

namespace {

// How often, and first where, each entity of a table was referenced, and how
// it was declared. One record per entity: a reference touches one cache line.
struct Reference {
  uint64_t count = 0;
  uint64_t first_line = 0;
  uint8_t first_from_row = 0;  // first reference from another table's row, not a visit
  uint8_t from_table = 0;      // declared by a row of its own table
  uint8_t named = 0;           // named by a lone visits.csv column
};

struct References {
  const char* what = "";  // "patient", for messages
  // Per entity, grown to an entity's index when one is first touched (and to
  // the table's size by Finish): a table's rows, declaring entity after
  // entity in the declared prefix, touch none.
  std::vector<Reference> of;
  // Entities [0, declared_prefix) were all declared by their own table's rows,
  // so their references are never reported: a visit line referring to one
  // (nearly every line, as tables come before visits) need not touch `of`,
  // a cache miss per line on a large patient table.
  // Invariant: the entity at declared_prefix is never from_table (the prefix
  // takes in each one declared out of order as it reaches it), so declaring
  // the entity there reads no record.
  Index declared_prefix = 0;
  bool Reported(Index i) const { return i >= declared_prefix; }
  /// The entity at the prefix was declared: the prefix moves past it and past
  /// those after it declared earlier.
  void ExtendPrefix() {
    ++declared_prefix;
    while (declared_prefix < of.size() && of[declared_prefix].from_table) ++declared_prefix;
  }

  Reference& operator[](Index i) {
    if (i >= of.size()) [[unlikely]] of.resize(std::max<size_t>(size_t{i} + 1, 2 * of.size()));
    return of[i];
  }
  void Grow(size_t n) {
    if (of.size() < n) of.resize(n);
  }
};

// A column filled in fixed blocks: it never reallocates, so a growing import
// neither copies its lines again nor holds them twice (a vector that doubles
// holds its old and its new buffer at once), and at most one block is unused.
// The count of values is its owner's (StagedLines): every column has as many.
template <class T>
class BlockColumn {
 public:
  static constexpr size_t kBlockBits = 12;  // 4,096 values a block
  static constexpr size_t kBlock = size_t{1} << kBlockBits;

  /// A new last block, to be filled by the owner.
  T* AddBlock() {
    blocks_.push_back(std::unique_ptr<T[]>(new T[kBlock]));  // not zeroed: all written
    return blocks_.back().get();
  }
  /// f(i, value) for each of the first `size` values, in order.
  template <class F>
  void ForEach(size_t size, F&& f) const {
    size_t i = 0;
    for (size_t b = 0; b < blocks_.size() && i < size; ++b) {
      const T* block = blocks_[b].get();
      const size_t count = std::min(kBlock, size - i);
      for (size_t j = 0; j < count; ++j, ++i) f(i, block[j]);
    }
  }
  void clear() { std::vector<std::unique_ptr<T[]>>().swap(blocks_); }

 private:
  std::vector<std::unique_ptr<T[]>> blocks_;
};

// The completed lines in the order they were read, until Finish sorts them:
// a block column each, one count for all, so that a line is stored with one
// check for a full block instead of one a column.
struct StagedLines {
  static constexpr size_t kBlock = BlockColumn<Day>::kBlock;

  BlockColumn<Day> day;
  BlockColumn<Index> patient, employee, division;
  BlockColumn<Money> amount;
  BlockColumn<LineKind> kind;

  size_t size() const { return count; }
  void push_back(Day d, Index p, Index e, Index v, Money a, LineKind k) {
    if (used == kBlock) [[unlikely]] AddBlocks();
    day_at[used] = d;
    patient_at[used] = p;
    employee_at[used] = e;
    division_at[used] = v;
    amount_at[used] = a;
    kind_at[used] = k;
    ++used;
    ++count;
  }

 private:
  // Out of line: push_back stays small enough to inline in the line loop.
  [[gnu::noinline]] void AddBlocks() {
    day_at = day.AddBlock();
    patient_at = patient.AddBlock();
    employee_at = employee.AddBlock();
    division_at = division.AddBlock();
    amount_at = amount.AddBlock();
    kind_at = kind.AddBlock();
    used = 0;
  }

  size_t count = 0;      // lines staged
  size_t used = kBlock;  // lines in the last blocks
  Day* day_at = nullptr;  // the last blocks
  Index* patient_at = nullptr;
  Index* employee_at = nullptr;
  Index* division_at = nullptr;
  Money* amount_at = nullptr;
  LineKind* kind_at = nullptr;
};

}  // namespace

struct ExportBuilder::Impl {
  explicit Impl(Limits l) : limits(l) {
    limits.entities = std::max<uint64_t>(limits.entities, 1);  // Intern() relies on entity 0
    divisions.what = "division";
    employees.what = "employee";
    price_lists.what = "price list";
    patients.what = "patient";
  }

  Limits limits;
  std::optional<Error> too_many_ids;  // the first table that outgrew limits.entities
  Export data;
  References divisions, employees, price_lists, patients;
  std::string visits_file = "visits", patients_file = "patients", employees_file = "employees";
  StagedLines staged;
  uint64_t absolute_sum = 0;  // guards exactness: every partial sum fits in int64
  UniqueStrings line_ids;

  // Consecutive lines mostly repeat the patient (lines of one visit) and often
  // the employee and division: remember the entity of the last id of each,
  // with its size and first 8 bytes (all of most ids), so that a repeat costs
  // one compare and touches no table.
  struct LastId {
    Index index = kNone;
    uint64_t head = 0;
    size_t size = 0;
  };
  LastId last_patient;

  // Employees and divisions change from visit to visit among a few hundred
  // ids at most: a direct-mapped cache of the ids of up to 8 bytes seen
  // lately (their size and bytes are the key, so a hit is exact) answers
  // most of them without a call into the table.
  struct RecentIds {
    struct Entry {
      uint64_t head = 0;
      size_t size = SIZE_MAX;  // no id: never equal to a real size
      Index index = kNone;
    };
    static constexpr int kBits = 8;
    std::array<Entry, size_t{1} << kBits> entries;
    LastId last;  // for longer ids
  };
  RecentIds recent_employees, recent_divisions;
  // Patients' rows name one of a few price lists each.
  RecentIds recent_price_lists;

  [[gnu::always_inline]] Index InternRecent(EntityTable& table, References& refs, RecentIds& recent,
                                            std::string_view id, std::string_view file,
                                            uint64_t line) {
    if (id.size() > 8) return InternCached(table, refs, recent.last, id, file, line);
    const uint64_t head = HeadOf(id.data(), id.size());
    RecentIds::Entry& e = recent.entries[(head * 0x9E3779B97F4A7C15ULL) >> (64 - RecentIds::kBits)];
    if (head == e.head && id.size() == e.size) return e.index;
    e = RecentIds::Entry{head, id.size(), InternNumbered(table, refs, id, file, line, head)};
    return e.index;
  }

  // Inline in the line loop: a repeat (most ids) costs no call.
  [[gnu::always_inline]] Index InternCached(EntityTable& table, References& refs, LastId& last,
                                            std::string_view id, std::string_view file,
                                            uint64_t line) {
    const uint64_t head = HeadOf(id.data(), id.size());
    if (last.index != kNone && head == last.head && id.size() == last.size &&
        (id.size() <= 8 || SameBytes(id, table.ids[last.index]))) {
      return last.index;
    }
    last = LastId{InternNumbered(table, refs, id, file, line, head), head, id.size()};
    return last.index;
  }

  // Intern, with an id of a table numbered with no gap found inline (no call).
  [[gnu::always_inline]] Index InternNumbered(EntityTable& table, References& refs,
                                              std::string_view id, std::string_view file,
                                              uint64_t line, uint64_t head) {
    uint32_t index;
    if (table.ids.FindComputed(id, head, &index) && index != kNone) return index;
    return Intern(table, refs, id, file, line, head);
  }

  // Returns the entity for `id`, creating an undeclared one on first sight,
  // named `name` (its id when empty). `file` and `line` say where `id` was
  // read, for the limit error.
  Index Intern(EntityTable& table, References& refs, std::string_view id, std::string_view file,
               uint64_t line, std::string_view name = {}) {
    return Intern(table, refs, id, file, line, HeadOf(id.data(), id.size()), name);
  }
  // The same, given HeadOf(id).
  Index Intern(EntityTable& table, References& refs, std::string_view id, std::string_view file,
               uint64_t line, uint64_t head, std::string_view name = {}) {
    const Index index = table.Find(id, head);
    if (index != kNone) [[likely]] return index;
    if (table.size() < limits.entities) {
      return table.FindOrAdd(id, name.empty() ? id : name).first;
    }
    // The import fails in Finish(); until then the id counts as entity 0.
    if (!too_many_ids) {
      const bool json = data.summary.format == "json";
      too_many_ids = MakeError(
          code::kTooManyIds, {std::string(file), json ? 0 : line, 0, "", ""},
          "the export has more distinct " + std::string(refs.what) + " ids than the engine can "
              "hold (" + std::to_string(limits.entities) + "); the first one over the limit is " +
              QuoteForMessage(id));
    }
    return 0;
  }

  static void Refer(References& refs, Index index, uint64_t line, bool from_row = false) {
    Reference& r = refs[index];
    if (r.count++ == 0) {
      r.first_line = line;
      r.first_from_row = from_row ? 1 : 0;
    }
  }

  // A visit line's reference to `index`, with the name a lone visits.csv gives
  // it (empty otherwise): counted, and the name kept, unless its table declared it.
  static void ReferFromLine(EntityTable& table, References& refs, Index index,
                            std::string_view name, uint64_t line) {
    if (!refs.Reported(index)) [[likely]] return;
    Refer(refs, index, line);
    Reference& r = refs[index];
    if (!name.empty() && !r.from_table && !r.named) {
      r.named = 1;
      table.names.Set(index, name);
    }
  }

  // Declares `id` in its own table; false if a row already declared it.
  bool Declare(EntityTable& table, References& refs, std::string_view id, std::string_view name,
               std::string_view file, uint64_t line, Index* out) {
    // A new entity is named as it is added; one referenced before (by a
    // visit line or another table's row, which named it by its id) is
    // renamed in place.
    const std::string_view shown = name.empty() ? id : name;
    const size_t known = table.size();
    Index index = Intern(table, refs, id, file, line, shown);
    if (too_many_ids) {
      *out = index;  // the import fails in Finish(); not a duplicate
      return true;
    }
    // The prefix's entities are declared without a record of their own.
    if (index < refs.declared_prefix) return false;
    if (index == refs.declared_prefix) {
      refs.ExtendPrefix();
    } else {
      if (refs[index].from_table) return false;
      refs[index].from_table = 1;
    }
    if (index < known) table.names.Set(index, shown);
    *out = index;
    return true;
  }

  // The per-entity columns cover their table: grown geometrically while rows
  // are added (a resize per row cost more than the row), cut to size by Finish.
  static size_t Room(size_t have, size_t need) {
    return have >= need ? have : std::max(need, 2 * have);
  }
  void GrowPatients() {
    if (data.patient_registered.size() >= data.patients.size()) return;
    const size_t n = Room(data.patient_registered.size(), data.patients.size());
    data.patient_price_list.resize(n, kNone);
    data.patient_bonus.resize(n, 0);
    data.patient_has_bonus.resize(n, 0);
    data.patient_registered.resize(n, kNoDay);
  }
  void GrowEmployees() {
    data.employee_division.resize(Room(data.employee_division.size(), data.employees.size()),
                                  kNone);
  }
};

ExportBuilder::ExportBuilder(Limits limits) : impl_(std::make_unique<Impl>(limits)) {}
ExportBuilder::~ExportBuilder() = default;

void ExportBuilder::SetClinic(std::string_view name, std::string_view currency) {
  impl_->data.clinic_name = std::string(name);
  impl_->data.currency = std::string(currency);
}

void ExportBuilder::SetFormat(std::string_view format, std::vector<std::string> files) {
  impl_->data.summary.format = std::string(format);
  impl_->data.summary.files = std::move(files);
}

void ExportBuilder::SetVisitsFile(std::string_view name) { impl_->visits_file = std::string(name); }
void ExportBuilder::SetPatientsFile(std::string_view name) {
  impl_->patients_file = std::string(name);
}
void ExportBuilder::SetEmployeesFile(std::string_view name) {
  impl_->employees_file = std::string(name);
}

bool ExportBuilder::AddDivision(std::string_view id, std::string_view name) {
  Index index;
  if (!impl_->Declare(impl_->data.divisions, impl_->divisions, id, name, "", 0, &index)) {
    return false;
  }
  ++impl_->data.summary.divisions;
  return true;
}

bool ExportBuilder::AddPriceList(std::string_view id, std::string_view name) {
  Index index;
  if (!impl_->Declare(impl_->data.price_lists, impl_->price_lists, id, name, "", 0, &index)) {
    return false;
  }
  ++impl_->data.summary.price_lists;
  return true;
}

bool ExportBuilder::AddEmployee(std::string_view id, std::string_view name,
                                std::string_view division_id, uint64_t source_line) {
  Impl& m = *impl_;
  Index index;
  if (!m.Declare(m.data.employees, m.employees, id, name, m.employees_file, source_line, &index)) {
    return false;
  }
  m.GrowEmployees();
  if (!division_id.empty()) {
    const Index division =
        m.Intern(m.data.divisions, m.divisions, division_id, m.employees_file, source_line);
    Impl::Refer(m.divisions, division, source_line, true);
    m.data.employee_division[index] = division;
  }
  ++m.data.summary.employees;
  return true;
}

bool ExportBuilder::AddPatient(std::string_view id, std::string_view name,
                               std::string_view price_list_id, std::optional<Money> bonus,
                               Day registered, uint64_t source_line) {
  Impl& m = *impl_;
  Index index;
  if (!m.Declare(m.data.patients, m.patients, id, name, m.patients_file, source_line, &index)) {
    return false;
  }
  m.GrowPatients();
  if (!price_list_id.empty()) {
    const Index list = m.InternRecent(m.data.price_lists, m.price_lists, m.recent_price_lists,
                                      price_list_id, m.patients_file, source_line);
    Impl::Refer(m.price_lists, list, source_line, true);
    m.data.patient_price_list[index] = list;
  }
  if (bonus) {
    m.data.patient_bonus[index] = *bonus;
    m.data.patient_has_bonus[index] = 1;
  }
  m.data.patient_registered[index] = registered;
  ++m.data.summary.patients;
  return true;
}

bool ExportBuilder::AddLineId(std::string_view line_id) {
  if (line_id.empty()) return true;
  return impl_->line_ids.Insert(line_id);
}

Status ExportBuilder::AddLine(const LineInput& line) {
  Impl& m = *impl_;
  ImportSummary& summary = m.data.summary;
  if (summary.lines >= m.limits.lines) {
    return MakeError(code::kTooManyRows, {m.visits_file, line.source_line, 0, "", ""},
                     "the export has more visit lines than the engine can hold (" +
                         std::to_string(m.limits.lines) + ")");
  }
  // Every sum of any subset of lines then fits in int64, so reports need no checks.
  const uint64_t magnitude = line.amount < 0 ? 0 - static_cast<uint64_t>(line.amount)
                                             : static_cast<uint64_t>(line.amount);
  if (magnitude > static_cast<uint64_t>(INT64_MAX) - m.absolute_sum) {
    return MakeError(code::kAmountOverflow,
                     {m.visits_file, line.source_line, 0, "amount", FormatMoney(line.amount, 4)},
                     "the amounts of the export add up to more than the engine can sum exactly "
                     "(about 922 trillion)");
  }
  m.absolute_sum += magnitude;

  const Index patient = m.InternCached(m.data.patients, m.patients, m.last_patient, line.patient,
                                       m.visits_file, line.source_line);
  m.ReferFromLine(m.data.patients, m.patients, patient, line.patient_name, line.source_line);
  Index employee = kNone;
  if (!line.employee.empty()) {
    employee = m.InternRecent(m.data.employees, m.employees, m.recent_employees, line.employee,
                              m.visits_file, line.source_line);
    m.ReferFromLine(m.data.employees, m.employees, employee, line.employee_name,
                    line.source_line);
  }
  Index division = kNone;
  if (!line.division.empty()) {
    division = m.InternRecent(m.data.divisions, m.divisions, m.recent_divisions, line.division,
                              m.visits_file, line.source_line);
    m.ReferFromLine(m.data.divisions, m.divisions, division, line.division_name,
                    line.source_line);
  }

  ++summary.lines;
  if (summary.first_day == kNoDay || line.day < summary.first_day) summary.first_day = line.day;
  if (summary.last_day == kNoDay || line.day > summary.last_day) summary.last_day = line.day;
  switch (line.status) {
    case LineStatus::kCancelled:
      ++summary.cancelled;
      summary.cancelled_amount += line.amount;
      return {};
    case LineStatus::kNoShow:
      ++summary.no_show;
      summary.no_show_amount += line.amount;
      return {};
    case LineStatus::kCompleted:
      break;
  }
  ++summary.completed;
  summary.completed_amount += line.amount;
  if (line.kind == LineKind::kGoods) ++summary.goods_lines;
  if (line.amount < 0) ++summary.refund_lines;
  m.staged.push_back(line.day, patient, employee, division, line.amount, line.kind);
  return {};
}

void ExportBuilder::AddWarning(std::string_view code, std::string message, uint64_t count) {
  impl_->data.summary.warnings.push_back(Warning{std::string(code), std::move(message), count});
}

void ExportBuilder::CountBlankLines(uint64_t n) { impl_->data.summary.blank_lines += n; }

namespace {

// At most this many ids are named one by one per table; the rest are summed up.
constexpr size_t kMaxNamedUnknowns = 20;

// Where an entity was first referenced: `referrers` names the visits file (or
// JSON array) and the table whose rows may also refer to it.
struct Referrers {
  std::string visits;
  std::string rows;
};

void WarnUnknown(ImportSummary& summary, const EntityTable& table, References& refs,
                 std::string_view code, std::string_view what, std::string_view table_name,
                 const Referrers& referrers, bool json) {
  size_t named = 0;
  uint64_t more_ids = 0, more_refs = 0;
  // Entities of the declared prefix (all of them, in most exports) are never unknown.
  for (Index i = refs.declared_prefix; i < table.size(); ++i) {
    const Reference& r = refs[i];
    if (r.from_table || r.named || r.count == 0) continue;
    if (named == kMaxNamedUnknowns) {
      ++more_ids;
      more_refs += r.count;
      continue;
    }
    ++named;
    const std::string& referrer = r.first_from_row ? referrers.rows : referrers.visits;
    std::string where = json ? referrer + "[" + std::to_string(r.first_line - 1) + "]"
                             : referrer + ", line " + std::to_string(r.first_line);
    summary.warnings.push_back(Warning{
        std::string(code),
        where + ": " + std::string(what) + " " + QuoteForMessage(table.ids[i]) + " is not in the " +
            std::string(table_name) + " table; kept and shown by its id (" +
            std::to_string(r.count) + (r.count == 1 ? " reference)" : " references)"),
        r.count});
  }
  if (more_ids > 0) {
    summary.warnings.push_back(Warning{
        std::string(code),
        "and " + std::to_string(more_ids) + " more " + std::string(what) + " ids not in the " +
            std::string(table_name) + " table (" + std::to_string(more_refs) +
            " references), kept and shown by their ids",
        more_refs});
  }
}

// Sorts lines [begin, end) of `out` stably by `less` (on line positions),
// given that [begin, first) is in order. Short runs by insertion, moving the
// values themselves; longer ones by a stable sort of their positions (`run`,
// reused), then each column permuted.
template <class Less>
void SortRun(Lines& out, uint32_t begin, uint32_t end, uint32_t first, const Less& less,
             std::vector<uint32_t>& run) {
  constexpr uint32_t kInsertionMax = 32;
  if (end - begin <= kInsertionMax) {
    for (uint32_t i = first; i < end; ++i) {
      const Day day = out.day[i];
      const Index employee = out.employee[i], division = out.division[i];
      const Money amount = out.amount[i];
      const LineKind kind = out.kind[i];
      // Line i moves to position `to`, after every line not greater (stable).
      uint32_t to = i;
      while (to > begin && less(i, to - 1)) --to;
      for (uint32_t j = i; j > to; --j) {
        out.day[j] = out.day[j - 1];
        out.employee[j] = out.employee[j - 1];
        out.division[j] = out.division[j - 1];
        out.amount[j] = out.amount[j - 1];
        out.kind[j] = out.kind[j - 1];
      }
      out.day[to] = day;
      out.employee[to] = employee;
      out.division[to] = division;
      out.amount[to] = amount;
      out.kind[to] = kind;
    }
    return;
  }
  run.resize(end - begin);
  std::iota(run.begin(), run.end(), begin);
  std::stable_sort(run.begin(), run.end(), less);
  auto permute = [&run, begin](auto& column) {
    using T = typename std::decay_t<decltype(column)>::value_type;
    std::vector<T> values(run.size());
    for (size_t k = 0; k < run.size(); ++k) values[k] = column[run[k]];
    std::copy(values.begin(), values.end(), column.begin() + begin);
  };
  permute(out.amount);
  permute(out.day);
  permute(out.employee);
  permute(out.division);
  permute(out.kind);
}

}  // namespace

Result<Export> ExportBuilder::Finish() {
  Impl& m = *impl_;
  if (m.too_many_ids) return *m.too_many_ids;
  Export& data = m.data;
  data.patient_price_list.resize(data.patients.size(), kNone);
  data.patient_bonus.resize(data.patients.size(), 0);
  data.patient_has_bonus.resize(data.patients.size(), 0);
  data.patient_registered.resize(data.patients.size(), kNoDay);
  data.employee_division.resize(data.employees.size(), kNone);
  m.divisions.Grow(data.divisions.size());
  m.employees.Grow(data.employees.size());
  m.price_lists.Grow(data.price_lists.size());
  m.patients.Grow(data.patients.size());

  const bool json = data.summary.format == "json";
  // Warnings about tables come first in the order a reader meets them.
  std::vector<Warning> other = std::move(data.summary.warnings);
  data.summary.warnings.clear();
  const std::string visits = json ? "visits" : m.visits_file;
  WarnUnknown(data.summary, data.patients, m.patients, "ref.unknown_patient", "patient", "patients",
              {visits, ""}, json);
  WarnUnknown(data.summary, data.employees, m.employees, "ref.unknown_employee", "employee",
              "employees", {visits, ""}, json);
  WarnUnknown(data.summary, data.divisions, m.divisions, "ref.unknown_division", "division",
              "divisions", {visits, json ? "employees" : m.employees_file}, json);
  WarnUnknown(data.summary, data.price_lists, m.price_lists, "ref.unknown_price_list", "price list",
              "price lists", {visits, json ? "patients" : m.patients_file}, json);
  for (auto& w : other) data.summary.warnings.push_back(std::move(w));

  auto mark_declared = [](EntityTable& table, const References& refs) {
    // The declared prefix without reading its records: 200,000 of them, 24 bytes each.
    std::fill(table.declared.begin(), table.declared.begin() + refs.declared_prefix, 1);
    for (Index i = refs.declared_prefix; i < table.size(); ++i) {
      table.declared[i] = refs.of[i].from_table | refs.of[i].named;
    }
  };
  mark_declared(data.divisions, m.divisions);
  mark_declared(data.employees, m.employees);
  mark_declared(data.price_lists, m.price_lists);
  mark_declared(data.patients, m.patients);

  // Sort the completed lines by (patient, day, employee, division), stably so
  // equal keys keep their export order: a counting sort by patient (linear),
  // then each patient's run, which exports mostly list in date order already.
  StagedLines& staged = m.staged;
  const size_t n = staged.size();
  const size_t patients = data.patients.size();
  data.patient_begin.assign(patients + 1, 0);
  staged.patient.ForEach(n, [&](size_t, Index p) { ++data.patient_begin[p + 1]; });
  std::partial_sum(data.patient_begin.begin(), data.patient_begin.end(),
                   data.patient_begin.begin());
  // Where each staged line goes. The columns are then read in order and
  // written scattered, which the processor need not wait for (gathering them
  // in output order waited on a cache miss per value).
  std::vector<uint32_t> to(n);
  {
    std::vector<uint32_t> next(data.patient_begin.begin(), data.patient_begin.end() - 1);
    staged.patient.ForEach(n, [&](size_t i, Index p) { to[i] = next[p]++; });
  }
  // Column by column, each staged column freed as soon as it is copied: the
  // peak is the staged lines plus one column, not every line twice.
  auto place = [&to, n](auto& from, auto& out) {
    out.resize(n);
    from.ForEach(n, [&](size_t i, auto value) { out[to[i]] = value; });
    from.clear();
  };
  Lines& out = data.lines;
  place(staged.amount, out.amount);
  place(staged.day, out.day);
  place(staged.employee, out.employee);
  place(staged.division, out.division);
  place(staged.kind, out.kind);
  std::vector<uint32_t>().swap(to);
  staged = StagedLines();  // the patient blocks freed too, and the count back to none
  // Each patient's run, in (day, employee, division) order already in most
  // exports; one that is not is sorted stably. In the same pass the patient
  // column is written (each patient's number over its lines, in order) and
  // the import summary's visits counted: a visit is a patient's day with one
  // employee.
  out.patient.resize(n);
  auto key_less = [&out](uint32_t a, uint32_t b) {
    if (out.day[a] != out.day[b]) return out.day[a] < out.day[b];
    if (out.employee[a] != out.employee[b]) return out.employee[a] < out.employee[b];
    return out.division[a] < out.division[b];
  };
  // Whether line i (not a run's first) starts a visit of its patient.
  auto starts_visit = [&out](uint32_t i) -> uint64_t {
    return out.day[i] != out.day[i - 1] || out.employee[i] != out.employee[i - 1];
  };
  const Day* const day = out.day.data();
  const Index* const employee = out.employee.data();
  const Index* const division = out.division.data();
  Index* const patient = out.patient.data();
  ImportSummary& summary = data.summary;
  std::vector<uint32_t> run;
  data.patient_first_day.assign(patients, kNoDay);
  data.patient_last_day.assign(patients, kNoDay);
  for (size_t p = 0; p < patients; ++p) {
    const uint32_t begin = data.patient_begin[p], end = data.patient_begin[p + 1];
    if (begin == end) continue;
    ++summary.patients_with_lines;
    patient[begin] = static_cast<Index>(p);
    uint64_t run_visits = 1;
    uint32_t i = begin + 1;
    // key_less(i, i - 1) and starts_visit(i) without branches on the keys:
    // whether a line shares its day with the one before is as good as random.
    for (; i < end; ++i) {
      patient[i] = static_cast<Index>(p);
      const bool same_day = day[i] == day[i - 1];
      const bool same_employee = employee[i] == employee[i - 1];
      const bool before =
          (day[i] < day[i - 1]) | (same_day & ((employee[i] < employee[i - 1]) |
                                               (same_employee & (division[i] < division[i - 1]))));
      if (before) break;
      run_visits += !(same_day & same_employee);
    }
    if (i < end) {
      std::fill(patient + i, patient + end, static_cast<Index>(p));
      SortRun(out, begin, end, i, key_less, run);
      run_visits = 1;
      for (i = begin + 1; i < end; ++i) run_visits += starts_visit(i);
    }
    summary.visits += run_visits;
    data.patient_first_day[p] = out.day[begin];
    data.patient_last_day[p] = out.day[end - 1];
  }
  data.last_day = summary.last_day;
  // Once per import, so that the reports break ties by comparing integers.
  data.patient_rank = NameRanks(data.patients);
  return std::move(m.data);
}

}  // namespace clinic
