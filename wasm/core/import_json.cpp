// ImportJson: a single pass over the bytes, validating RFC 8259 and reading
// the clinic-export schema at the same time. No DOM is built: each element of
// the data arrays is read into a few reusable field slots, checked when its
// '}' is reached (so a repeated key keeps its last value), and handed to the
// ExportBuilder. Strings without escapes stay views into the input.
//
// Errors: a JSON syntax error stops at once. A schema error (wrong type,
// missing field, bad amount...) is remembered and the scan goes on without
// feeding the builder, so that a broken document is always reported as broken
// JSON first, and a file that is not a clinic export at all as json.format.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.h"
#include "date.h"
#include "import.h"
#include "import_stream.h"
#include "utf8.h"

namespace clinic {
namespace {

constexpr int kMaxDepth = 512;
// Location values are cut to this many bytes (at a character boundary).
constexpr size_t kMaxValueBytes = 200;

enum class Type : uint8_t { kString, kNumber, kTrue, kFalse, kNull, kObject, kArray };

// The fields of every table, for one set of reusable slots.
enum Field : uint8_t {
  kId,
  kName,
  kDivision,
  kPriceList,
  kBonusBalance,
  kRegistered,
  kDate,
  kPatient,
  kEmployee,
  kAmount,
  kKind,
  kStatus,
  kService,
  kCurrency,
  kFieldCount,
  kUnknownField = kFieldCount,
};

constexpr std::string_view kFieldNames[kFieldCount] = {
    "id",      "name",     "division", "priceList", "bonusBalance", "registered", "date",
    "patient", "employee", "amount",   "kind",      "status",       "service",    "currency"};

enum class Table : uint8_t { kDivisions, kEmployees, kPriceLists, kPatients, kVisits, kClinic };

constexpr uint32_t Bit(Field f) { return 1u << f; }

// Which keys are read in each kind of object; others are skipped.
constexpr uint32_t kTableFields[] = {
    Bit(kId) | Bit(kName),                                                            // divisions
    Bit(kId) | Bit(kName) | Bit(kDivision),                                           // employees
    Bit(kId) | Bit(kName),                                                            // priceLists
    Bit(kId) | Bit(kName) | Bit(kPriceList) | Bit(kBonusBalance) | Bit(kRegistered),  // patients
    Bit(kId) | Bit(kDate) | Bit(kPatient) | Bit(kEmployee) | Bit(kDivision) | Bit(kAmount) |
        Bit(kKind) | Bit(kStatus) | Bit(kService),  // visits
    Bit(kName) | Bit(kCurrency),                    // clinic
};

constexpr std::string_view kTableNames[] = {"divisions", "employees", "priceLists",
                                            "patients",  "visits",    "clinic"};

// The top-level keys holding a list (or the clinic object).
std::optional<Table> TopLevelTable(std::string_view key) {
  if (SameBytes(key, "visits")) return Table::kVisits;
  if (SameBytes(key, "patients")) return Table::kPatients;
  if (SameBytes(key, "employees")) return Table::kEmployees;
  if (SameBytes(key, "divisions")) return Table::kDivisions;
  if (SameBytes(key, "priceLists")) return Table::kPriceLists;
  if (SameBytes(key, "clinic")) return Table::kClinic;
  return std::nullopt;
}

Field FieldOf(std::string_view key) {
  // Dispatch on length first: one comparison for most keys.
  switch (key.size()) {
    case 2:
      return SameBytes(key, "id") ? kId : kUnknownField;
    case 4:
      if (SameBytes(key, "name")) return kName;
      if (SameBytes(key, "date")) return kDate;
      if (SameBytes(key, "kind")) return kKind;
      return kUnknownField;
    case 6:
      if (SameBytes(key, "amount")) return kAmount;
      if (SameBytes(key, "status")) return kStatus;
      return kUnknownField;
    case 7:
      if (SameBytes(key, "patient")) return kPatient;
      if (SameBytes(key, "service")) return kService;
      return kUnknownField;
    case 8:
      if (SameBytes(key, "division")) return kDivision;
      if (SameBytes(key, "employee")) return kEmployee;
      if (SameBytes(key, "currency")) return kCurrency;
      return kUnknownField;
    case 9:
      return SameBytes(key, "priceList") ? kPriceList : kUnknownField;
    case 10:
      return SameBytes(key, "registered") ? kRegistered : kUnknownField;
    case 12:
      return SameBytes(key, "bonusBalance") ? kBonusBalance : kUnknownField;
    default:
      return kUnknownField;
  }
}

// One value read for a known key.
struct Slot {
  Type type = Type::kNull;
  std::string_view text;  // string contents, number text, or a container's raw text
  size_t offset = 0;      // of the value's first byte
  std::string scratch;    // decoded contents of a string with escapes
};

// From `s`, past the bytes a JSON string holds as they are, 16 at a time: to
// the first '"', '\\', control or non-ASCII byte, or to within 16 bytes of
// `end` (the caller reads the rest byte by byte).
inline const char* SkipPlainStringBytes(const char* s, const char* end) {
  while (end - s >= static_cast<ptrdiff_t>(Block16::kSize)) {
    const uint32_t special = Block16(s).JsonSpecial();
    if (special != 0) return s + std::countr_zero(special);
    s += Block16::kSize;
  }
  return s;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One compare rejects every byte above ' ', i.e. nearly every byte tested.
inline bool IsJsonSpace(char c) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string HexByte(unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("0x") + kHex[c >> 4] + kHex[c & 15];
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kString:
      return "a string";
    case Type::kNumber:
      return "a number";
    case Type::kTrue:
      return "true";
    case Type::kFalse:
      return "false";
    case Type::kNull:
      return "null";
    case Type::kObject:
      return "an object";
    case Type::kArray:
      return "an array";
  }
  return "";
}

class JsonImporter final : public internal::StreamReader {
 public:
  explicit JsonImporter(std::string_view file_name);

  // The one file (index 0): see StreamReader.
  bool Feed(size_t file, std::string_view bytes, bool complete) override;
  const Error& error() const override { return *error_; }
  Result<Export> Finish(const InputDone& input_done) override;

 private:
  // ---- Steps ----------------------------------------------------------------
  // The document is read in steps: the start, each top-level member, each
  // element of a table, the end. A step changes nothing (no builder call, no
  // error kept) until it has read all it needs, then commits. Before the last
  // byte has arrived, a step that fails or that reached the end of the bytes
  // so far (its last decision could change with more of them) is undone and
  // tried again with more bytes; errors are only final at the end of the
  // file. So the result is the same however the file is cut into pieces.
  enum class Stage : uint8_t {
    kStart,
    kTopMembers,
    kTable,
    kAfterTable,
    kAfterTop,
    kNotObject,
    kDone
  };
  enum class Step : uint8_t { kDone, kWait, kFailed };
  bool Settled() const { return final_ || p_ < end_; }
  Step StartStep();
  Step TopMemberStep();
  Step TableElementStep();
  Step AfterTableStep();
  Step EndStep();

  // ---- Errors -------------------------------------------------------------
  Location LocationAt(size_t offset, std::string_view field, std::string_view value) const;
  // Records a syntax-level error (stops the scan); always returns false.
  bool Fail(std::string_view code, const char* at, std::string_view what,
            std::string_view value = {});
  bool FailUnexpected(const char* at, std::string_view expected);
  // Records the first schema error; the scan goes on to check the syntax.
  void Schema(std::string_view code, size_t offset, std::string_view field, std::string_view value,
              const std::string& what);

  // ---- Scanner --------------------------------------------------------------
  void SkipWhitespace() {
    while (p_ < end_ && IsJsonSpace(*p_)) ++p_;
  }
  bool ParseString(std::string& scratch, std::string_view* out);
  // The length of the unescaped character at s (not '"' or '\\'): 1 for
  // printable ASCII, 2 to 4 for valid UTF-8; 0 after recording the error for
  // a byte a JSON string may not hold raw (NUL, control character, bad UTF-8).
  size_t PlainChar(const char* s);
  bool FailUnclosed(const char* open);
  bool DecodeEscapedString(const char* open, const char* s, std::string& scratch,
                           std::string_view* out);
  bool ParseNumber(std::string_view* out);
  bool ParseLiteral(Type* type);
  // Skips one value (validating it); `depth` containers are already open.
  bool SkipValue(int depth);
  // Reads one value into `slot`; containers are skipped and kept as raw text.
  bool ReadValue(Slot& slot, int depth);
  // After a member or element: consumes ',' (true in *more) or the closing
  // bracket. Inline (it runs after every member), its errors out of line.
  [[gnu::always_inline]] bool AfterMember(char close, bool* more) {
    if (p_ < end_ && *p_ == ',') {
      const char* comma = p_++;
      SkipWhitespace();
      if (p_ < end_ && (*p_ == '}' || *p_ == ']')) return TrailingComma(comma);
      *more = true;
      return true;
    }
    if (p_ < end_ && *p_ == close) {
      ++p_;
      *more = false;
      return true;
    }
    return FailUnexpected(p_, close == '}' ? "',' or '}'" : "',' or ']'");
  }
  [[gnu::noinline]] bool TrailingComma(const char* comma);
  // At a key: reads it (into key_) and the ':' after it.
  bool ReadKey();

  // The key last met at one member position of a table's objects. Exports
  // write every element's keys in one order, so a key is mostly the bytes
  // remembered for its position: one compare instead of a scan and a lookup.
  struct KnownKey {
    std::string text;  // the raw bytes between the quotes (checked when first read)
    Field field = kUnknownField;
    bool set = false;
  };
  static constexpr size_t kKnownKeys = 16;
  static constexpr size_t kMaxKnownKeyBytes = 32;
  // At a key equal to `known`: consumes it and its ':', sets *field, true.
  bool MatchKnownKey(const KnownKey& known, Field* field);
  // After ReadKey(): remembers key_ when it was read straight from the input.
  void RememberKey(KnownKey* known, Field field);

  // ---- Schema ---------------------------------------------------------------
  // Reads one object into the slots (AcceptObject then checks and adds it).
  bool ParseObject(Table table);
  void AcceptObject(Table table, size_t index, size_t open_offset);
  void AcceptClinic();
  void AcceptDivision(size_t index);
  void AcceptEmployee(size_t index);
  void AcceptPriceList(size_t index);
  void AcceptPatient(size_t index);
  void AcceptVisit(size_t index, size_t open_offset);
  // A flat visit or patient element read and checked in one tight pass, into
  // fast_visit_ or fast_patient_ (FastCommit adds it); false for anything it
  // does not handle, which ParseObject then reads.
  bool FastElement(Table table);
  void FastCommit(Table table, size_t index);
  struct FastValue {
    const char* at;         // the value's first byte
    std::string_view text;  // a string's contents or a number's text
  };
  struct FastFields {
    const std::array<FastValue, kFieldCount>& values;
    uint32_t given, numeric;  // a bit per field: not null; a number
    std::string_view Text(Field f) const {
      return (given & Bit(f)) != 0 ? values[f].text : std::string_view();
    }
  };
  bool FastCheckVisit(const char* open, const FastFields& fields);
  bool FastCheckPatient(const FastFields& fields);
  struct FastVisitLine {
    LineInput line;
    std::string_view id, amount;
    size_t open_offset = 0, id_offset = 0, amount_offset = 0;
  };
  struct FastPatientRow {
    std::string_view id, name, price_list;
    size_t id_offset = 0;
    std::optional<Money> bonus;
    Day registered = kNoDay;
  };
  FastVisitLine fast_visit_;
  FastPatientRow fast_patient_;
  // The same patient row from either path; reports a repeated id.
  void AddPatientRow(size_t index, std::string_view id, size_t id_offset, std::string_view name,
                     std::string_view price_list, std::optional<Money> bonus, Day registered);
  // The same line from either path: kind and status checked by the caller.
  // Inline (once a line), its errors out of line.
  [[gnu::always_inline]] void AddVisitLine(size_t index, size_t open_offset, std::string_view id,
                                           size_t id_offset, std::string_view amount_text,
                                           size_t amount_offset, LineInput& line) {
    if (!builder_.AddLineId(id)) return DuplicateLineId(index, id, id_offset);
    line.source_line = index + 1;  // the builder prints "visits[i]" for JSON
    const Status added = builder_.AddLine(line);
    if (!added.ok()) LineRefused(added.error(), index, open_offset, amount_text, amount_offset);
  }
  [[gnu::noinline]] void DuplicateLineId(size_t index, std::string_view id, size_t id_offset);
  [[gnu::noinline]] void LineRefused(const Error& e, size_t index, size_t open_offset,
                                     std::string_view amount_text, size_t amount_offset);
  std::optional<Error> CheckHeader() const;

  bool Has(Field f) const { return (present_ & Bit(f)) != 0 && slots_[f].type != Type::kNull; }
  std::string Where(size_t index) const {
    return std::string(kTableNames[static_cast<int>(table_)]) + "[" + std::to_string(index) + "]";
  }
  void WrongType(Field f, size_t index, std::string_view expected);
  // Text of an optional string field ("" when absent); false after a schema error.
  bool StringField(Field f, size_t index, std::string_view* out);
  // An id: a string or a whole number written as its text.
  bool IdField(Field f, size_t index, std::string_view* out);
  bool RequireNonEmpty(Field f, size_t index, std::string_view value);
  bool AmountField(Field f, size_t index, std::optional<Money>* out);
  bool DateField(Field f, size_t index, Day* out);

  std::string file_;
  const char* data_ = nullptr;   // the file's first byte
  const char* begin_ = nullptr;  // after a BOM; offsets and columns count from here
  const char* p_ = nullptr;
  const char* end_ = nullptr;    // the end of the bytes so far
  bool final_ = false;           // they are the whole file
  size_t retry_at_ = 0;          // after an undone step: bytes to wait for before trying again
  Stage stage_ = Stage::kStart;
  Table table_kind_ = Table::kVisits;  // the table being read (Stage::kTable)
  size_t table_index_ = 0;             // its next element
  size_t top_offset_ = 0;              // of the top-level value
  Slot other_;                         // a value read where an object or array belongs
  std::optional<Error> error_;    // the import failed: a syntax error, or the final verdict
  std::optional<Error> pending_;  // first schema error
  ExportBuilder builder_;

  std::array<std::array<KnownKey, kKnownKeys>, 6> known_keys_;  // per Table
  std::string key_scratch_, skip_scratch_;
  std::string_view key_;
  std::array<Slot, kFieldCount> slots_;
  uint32_t present_ = 0;
  Table table_ = Table::kVisits;
  std::array<uint8_t, kMaxDepth + 1> is_object_{};  // container stack of SkipValue

  // Top-level members, checked after the whole document was read.
  Slot format_, version_;
  bool has_format_ = false, has_version_ = false, has_visits_ = false;
  uint32_t seen_tables_ = 0;  // bit per Table met at the top level

  DateReader dates_;  // of the fast path
};

// ---- Errors -----------------------------------------------------------------

Location JsonImporter::LocationAt(size_t offset, std::string_view field,
                                  std::string_view value) const {
  // Only computed on error: the scan itself never counts lines.
  uint64_t line = 1;
  size_t line_start = 0;
  const char* base = begin_;
  const size_t limit = std::min(offset, static_cast<size_t>(end_ - begin_));
  const char* s = base;
  while (true) {
    const void* nl = std::memchr(s, '\n', static_cast<size_t>(base + limit - s));
    if (nl == nullptr) break;
    ++line;
    s = static_cast<const char*>(nl) + 1;
    line_start = static_cast<size_t>(s - base);
  }
  // Values may come from bytes the scanner stopped at: only their valid UTF-8 prefix is kept.
  return Location{std::string(file_), line, offset - line_start + 1, std::string(field),
                  std::string(ValidUtf8Prefix(value, kMaxValueBytes))};
}

bool JsonImporter::Fail(std::string_view code, const char* at, std::string_view what,
                        std::string_view value) {
  // Before the last byte has arrived a failed step is undone and its error
  // dropped: not worth a location, which counts every line before it.
  if (!error_ && final_) {
    error_ = MakeError(code, LocationAt(static_cast<size_t>(at - begin_), "", value), what);
  }
  return false;
}

bool JsonImporter::FailUnexpected(const char* at, std::string_view expected) {
  std::string what = "the JSON is broken here: expected ";
  what += expected;
  if (at >= end_) {
    what += ", but the file ends (is it cut off?)";
    return Fail(code::kJsonSyntax, at, what);
  }
  const unsigned char c = static_cast<unsigned char>(*at);
  if (c == 0) {
    return Fail(code::kNulByte, at,
                "the file contains a NUL byte; it is not a UTF-8 text file (save it as UTF-8)");
  }
  // The usual hand-edit mistakes, named.
  // The character found is the value; an invalid byte (length 0) is only named in words.
  const size_t len = c >= 0x80 ? Utf8SequenceLength(reinterpret_cast<const unsigned char*>(at),
                                                    reinterpret_cast<const unsigned char*>(end_))
                               : 1;
  if (c == '/') {
    what += ", found a comment (JSON has no comments)";
  } else if (c == '\'') {
    what += ", found a single quote (JSON strings use double quotes)";
  } else if (c < 0x20 || c == 0x7F || len == 0) {
    what += ", found the byte " + HexByte(c);
  } else {
    what += ", found '" + std::string(at, len) + "'";
  }
  return Fail(code::kJsonSyntax, at, what, std::string_view(at, len));
}

void JsonImporter::Schema(std::string_view code, size_t offset, std::string_view field,
                          std::string_view value, const std::string& what) {
  if (!pending_) pending_ = MakeError(code, LocationAt(offset, field, value), what);
}

// ---- Scanner ----------------------------------------------------------------

bool JsonImporter::ParseString(std::string& scratch, std::string_view* out) {
  const char* open = p_;
  const char* s = p_ + 1;
  while (true) {
    s = SkipPlainStringBytes(s, end_);
    if (s >= end_) return FailUnclosed(open);
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"') {
      *out = std::string_view(open + 1, static_cast<size_t>(s - open - 1));
      p_ = s + 1;
      return true;
    }
    if (c == '\\') return DecodeEscapedString(open, s, scratch, out);
    const size_t len = PlainChar(s);
    if (len == 0) return false;
    s += len;
  }
}

size_t JsonImporter::PlainChar(const char* s) {
  const unsigned char c = static_cast<unsigned char>(*s);
  if (c >= 0x80) {
    const size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s),
                                          reinterpret_cast<const unsigned char*>(end_));
    if (len == 0) {
      Fail(code::kBadUtf8, s,
           "the byte " + HexByte(c) +
               " inside a string is not valid UTF-8; save the file as UTF-8");
    }
    return len;
  }
  if (c >= 0x20) return 1;
  if (c == 0) {
    Fail(code::kNulByte, s,
         "the file contains a NUL byte; it is not a UTF-8 text file (save it as UTF-8)");
  } else {
    Fail(code::kJsonSyntax, s,
         c == '\n' ? std::string("a line break inside a string must be written as \\n "
                                 "(or is a closing '\"' missing?)")
                   : "the control character " + HexByte(c) +
                         " inside a string must be written as an escape (\\t, \\u0001...)");
  }
  return 0;
}

bool JsonImporter::FailUnclosed(const char* open) {
  return Fail(code::kJsonSyntax, open,
              "a string that starts here is never closed (missing '\"'; is the file cut off?)");
}

bool JsonImporter::DecodeEscapedString(const char* open, const char* s, std::string& scratch,
                                       std::string_view* out) {
  scratch.assign(open + 1, s);
  while (true) {
    if (s >= end_) return FailUnclosed(open);
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"') {
      *out = scratch;
      p_ = s + 1;
      return true;
    }
    if (c == '\\') {
      if (s + 1 >= end_) {
        return FailUnclosed(open);
      }
      const char e = s[1];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u':
          break;
        default: {
          // The byte after the backslash is named, not copied: it may be a
          // control character or not UTF-8.
          const auto ue = static_cast<unsigned char>(e);
          const std::string shown = ue > 0x20 && ue < 0x7F
                                        ? "\\" + std::string(1, e)
                                        : "'\\' followed by the byte " + HexByte(ue);
          return Fail(code::kJsonSyntax, s,
                      shown +
                          " is not a valid escape in a JSON string (a lone '\\' must be written "
                          "as \\\\)",
                      std::string_view(s, 2));
        }
      }
      if (e != 'u') {
        scratch += plain;
        s += 2;
        continue;
      }
      auto read_hex = [&](const char* at, uint32_t* cp) {
        if (end_ - at < 6) return false;
        uint32_t v = 0;
        for (int i = 2; i < 6; ++i) {
          const int h = HexValue(at[i]);
          if (h < 0) return false;
          v = v * 16 + static_cast<uint32_t>(h);
        }
        *cp = v;
        return true;
      };
      uint32_t cp = 0;
      if (!read_hex(s, &cp)) {
        return Fail(code::kJsonSyntax, s, "\\u must be followed by 4 hexadecimal digits",
                    std::string_view(s, static_cast<size_t>(std::min<ptrdiff_t>(end_ - s, 6))));
      }
      if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return Fail(code::kJsonSyntax, s,
                    "a \\u escape holds half of a character (a lone low surrogate)",
                    std::string_view(s, 6));
      }
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low = 0;
        if (end_ - s < 12 || s[6] != '\\' || s[7] != 'u' || !read_hex(s + 6, &low) ||
            low < 0xDC00 || low > 0xDFFF) {
          return Fail(code::kJsonSyntax, s,
                      "a \\u escape holds half of a character (a high surrogate without its low "
                      "half)",
                      std::string_view(s, 6));
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        s += 6;
      }
      AppendUtf8(scratch, cp);
      s += 6;
      continue;
    }
    const size_t len = PlainChar(s);
    if (len == 0) return false;
    scratch.append(s, len);
    s += len;
  }
}

bool JsonImporter::ParseNumber(std::string_view* out) {
  const char* s = p_;
  if (*s == '-') ++s;
  if (s >= end_ || !IsDigit(*s)) {
    if (s < end_ && *s == 'I') {
      return Fail(code::kJsonSyntax, p_, "Infinity is not a valid JSON number",
                  std::string_view(p_, static_cast<size_t>(s - p_ + 1)));
    }
    return FailUnexpected(s, "a digit after '-'");
  }
  if (*s == '0') {
    ++s;
    if (s < end_ && IsDigit(*s)) {
      return Fail(code::kJsonSyntax, p_, "a JSON number cannot start with 0 followed by digits",
                  std::string_view(p_, static_cast<size_t>(s - p_ + 1)));
    }
  } else {
    while (s < end_ && IsDigit(*s)) ++s;
  }
  if (s < end_ && *s == '.') {
    ++s;
    if (s >= end_ || !IsDigit(*s)) return FailUnexpected(s, "a digit after the decimal point");
    while (s < end_ && IsDigit(*s)) ++s;
  }
  if (s < end_ && (*s == 'e' || *s == 'E')) {
    ++s;
    if (s < end_ && (*s == '+' || *s == '-')) ++s;
    if (s >= end_ || !IsDigit(*s)) return FailUnexpected(s, "a digit in the exponent");
    while (s < end_ && IsDigit(*s)) ++s;
  }
  *out = std::string_view(p_, static_cast<size_t>(s - p_));
  p_ = s;
  return true;
}

bool JsonImporter::ParseLiteral(Type* type) {
  const size_t left = static_cast<size_t>(end_ - p_);
  if (left >= 4 && std::memcmp(p_, "true", 4) == 0) {
    *type = Type::kTrue;
    p_ += 4;
    return true;
  }
  if (left >= 5 && std::memcmp(p_, "false", 5) == 0) {
    *type = Type::kFalse;
    p_ += 5;
    return true;
  }
  if (left >= 4 && std::memcmp(p_, "null", 4) == 0) {
    *type = Type::kNull;
    p_ += 4;
    return true;
  }
  if (*p_ == 'N') {
    return Fail(code::kJsonSyntax, p_, "NaN is not a valid JSON number",
                std::string_view(p_, std::min<size_t>(left, 3)));
  }
  if (*p_ == 'I') {
    return Fail(code::kJsonSyntax, p_, "Infinity is not a valid JSON number",
                std::string_view(p_, std::min<size_t>(left, 8)));
  }
  return FailUnexpected(p_, "a value (a string, number, object, array, true, false or null)");
}

bool JsonImporter::SkipValue(int depth) {
  const int base = depth;
  Type ignored;
  std::string_view text;
  // State machine instead of recursion: the depth of the input cannot
  // overflow the native stack (or the small WebAssembly one).
  enum class State { kValue, kAfterValue, kKey };
  State state = State::kValue;
  while (true) {
    switch (state) {
      case State::kValue:
        if (p_ >= end_) return FailUnexpected(p_, "a value");
        if (*p_ == '{' || *p_ == '[') {
          if (depth >= kMaxDepth) {
            return Fail(code::kJsonTooDeep, p_,
                        "the data is nested more than 512 levels deep; a clinic export never is",
                        std::string_view(p_, 1));
          }
          const bool object = *p_ == '{';
          is_object_[static_cast<size_t>(++depth)] = object ? 1 : 0;
          ++p_;
          SkipWhitespace();
          if (p_ < end_ && *p_ == (object ? '}' : ']')) {
            ++p_;
            --depth;
            state = State::kAfterValue;
          } else {
            state = object ? State::kKey : State::kValue;
          }
          continue;
        }
        if (*p_ == '"') {
          if (!ParseString(skip_scratch_, &text)) return false;
        } else if (*p_ == '-' || IsDigit(*p_)) {
          if (!ParseNumber(&text)) return false;
        } else if (!ParseLiteral(&ignored)) {
          return false;
        }
        state = State::kAfterValue;
        continue;
      case State::kAfterValue: {
        if (depth == base) return true;
        SkipWhitespace();
        const bool object = is_object_[static_cast<size_t>(depth)] != 0;
        bool more = false;
        if (!AfterMember(object ? '}' : ']', &more)) return false;
        if (more) {
          state = object ? State::kKey : State::kValue;
        } else {
          --depth;
        }
        continue;
      }
      case State::kKey:
        if (!ReadKey()) return false;
        state = State::kValue;
        continue;
    }
  }
}

bool JsonImporter::TrailingComma(const char* comma) {
  return Fail(code::kJsonSyntax, comma,
              std::string("a comma before '") + *p_ + "' is not allowed in JSON", ",");
}

bool JsonImporter::MatchKnownKey(const KnownKey& known, Field* field) {
  if (!known.set) return false;
  const size_t n = known.text.size();
  if (static_cast<size_t>(end_ - p_) < n + 2 || p_[0] != '"' || p_[n + 1] != '"' ||
      !SameBytes(std::string_view(p_ + 1, n), known.text)) {
    return false;
  }
  const char* q = p_ + n + 2;
  while (q < end_ && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')) ++q;
  if (q >= end_ || *q != ':') return false;  // ReadKey() reports it
  p_ = q + 1;
  SkipWhitespace();
  *field = known.field;
  return true;
}

void JsonImporter::RememberKey(KnownKey* known, Field field) {
  // A key with escapes was decoded into scratch: its raw bytes differ, skip it.
  const bool raw = key_.data() >= begin_ && key_.data() < end_;
  if (!raw || key_.size() > kMaxKnownKeyBytes) return;
  known->text.assign(key_);
  known->field = field;
  known->set = true;
}

bool JsonImporter::ReadKey() {
  if (p_ >= end_ || *p_ != '"') return FailUnexpected(p_, "a key in double quotes");
  if (!ParseString(key_scratch_, &key_)) return false;
  SkipWhitespace();
  if (p_ >= end_ || *p_ != ':') return FailUnexpected(p_, "':' after the key");
  ++p_;
  SkipWhitespace();
  return true;
}

bool JsonImporter::ReadValue(Slot& slot, int depth) {
  if (p_ >= end_) return FailUnexpected(p_, "a value");
  slot.offset = static_cast<size_t>(p_ - begin_);
  const char c = *p_;
  if (c == '"') {
    slot.type = Type::kString;
    return ParseString(slot.scratch, &slot.text);
  }
  if (c == '-' || IsDigit(c)) {
    slot.type = Type::kNumber;
    return ParseNumber(&slot.text);
  }
  if (c == '{' || c == '[') {
    slot.type = c == '{' ? Type::kObject : Type::kArray;
    const char* start = p_;
    if (!SkipValue(depth)) return false;
    slot.text = std::string_view(start, static_cast<size_t>(p_ - start));
    return true;
  }
  const char* start = p_;
  if (!ParseLiteral(&slot.type)) return false;
  slot.text = std::string_view(start, static_cast<size_t>(p_ - start));
  return true;
}

// ---- Schema -----------------------------------------------------------------

JsonImporter::JsonImporter(std::string_view file_name) : file_(file_name) {
  builder_.SetFormat("json", {std::string(file_)});
  builder_.SetVisitsFile(file_);
  builder_.SetPatientsFile(file_);
  builder_.SetEmployeesFile(file_);
}

bool JsonImporter::Feed(size_t /*file*/, std::string_view bytes, bool complete) {
  if (error_) return false;
  if (data_ == nullptr) {
    data_ = bytes.data();
    begin_ = p_ = data_;
  }
  end_ = data_ + bytes.size();
  final_ = complete;
  if (!complete && bytes.size() < retry_at_) return true;
  while (stage_ != Stage::kDone) {
    const char* const start = p_;
    const char* const start_begin = begin_;
    Step step = Step::kFailed;
    switch (stage_) {
      case Stage::kStart:
        step = StartStep();
        break;
      case Stage::kTopMembers:
        step = TopMemberStep();
        break;
      case Stage::kTable:
        step = TableElementStep();
        break;
      case Stage::kAfterTable:
        step = AfterTableStep();
        break;
      case Stage::kAfterTop:
      case Stage::kNotObject:
        step = EndStep();
        break;
      case Stage::kDone:
        break;
    }
    if (step == Step::kDone) continue;
    if (final_) return false;  // steps wait only for bytes still to come
    // Undone, and tried again with more bytes.
    p_ = start;
    begin_ = start_begin;
    error_.reset();
    retry_at_ = internal::RetryAt(static_cast<size_t>(start - data_), bytes.size());
    return true;
  }
  return true;
}

JsonImporter::Step JsonImporter::StartStep() {
  const size_t size = static_cast<size_t>(end_ - data_);
  if (size < 3 && !final_) return Step::kWait;  // a BOM, or UTF-16's two bytes
  const auto byte = [this](size_t i) { return static_cast<unsigned char>(data_[i]); };
  if (size >= 2 && ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF))) {
    error_ = MakeError(code::kUtf16, Location{std::string(file_), 0, 0, "", ""},
                       "the file is saved as UTF-16; save it as UTF-8 and try again");
    return Step::kFailed;
  }
  if (size >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) begin_ = data_ + 3;
  p_ = begin_;
  SkipWhitespace();
  if (!Settled()) return Step::kWait;
  if (p_ == end_) {
    error_ = MakeError(code::kEmptyInput, Location{std::string(file_), 0, 0, "", ""},
                       "the file is empty");
    return Step::kFailed;
  }
  top_offset_ = static_cast<size_t>(p_ - begin_);
  if (*p_ != '{') {
    stage_ = Stage::kNotObject;
    return Step::kDone;
  }
  ++p_;
  SkipWhitespace();
  if (!Settled()) return Step::kWait;
  if (p_ < end_ && *p_ == '}') {
    ++p_;
    stage_ = Stage::kAfterTop;
  } else {
    stage_ = Stage::kTopMembers;
  }
  return Step::kDone;
}

JsonImporter::Step JsonImporter::TopMemberStep() {
  if (!ReadKey()) return Step::kFailed;
  const size_t value_offset = static_cast<size_t>(p_ - begin_);
  // key_ is only compared before the value is read: a nested key reuses its scratch.
  enum class Member { kFormat, kVersion, kTableArray, kTableOther, kClinic, kClinicOther, kOther };
  Member member = Member::kOther;
  const std::optional<Table> table = TopLevelTable(key_);
  if (SameBytes(key_, "format")) {
    if (!ReadValue(format_, 1)) return Step::kFailed;
    member = Member::kFormat;
  } else if (SameBytes(key_, "version")) {
    if (!ReadValue(version_, 1)) return Step::kFailed;
    member = Member::kVersion;
  } else if (table && *table != Table::kClinic) {
    if (p_ < end_ && *p_ == '[') {
      // The step ends inside the table: each element is a step of its own.
      ++p_;
      SkipWhitespace();
      if (!Settled()) return Step::kWait;
      member = Member::kTableArray;
    } else {
      if (!ReadValue(other_, 1)) return Step::kFailed;
      member = Member::kTableOther;
    }
  } else if (table) {
    if (p_ < end_ && *p_ == '{') {
      if (!ParseObject(Table::kClinic)) return Step::kFailed;
      member = Member::kClinic;
    } else {
      if (!ReadValue(other_, 1)) return Step::kFailed;
      member = Member::kClinicOther;
    }
  } else if (!SkipValue(1)) {
    return Step::kFailed;
  }
  bool more = true;
  if (member != Member::kTableArray) {
    SkipWhitespace();
    if (!AfterMember('}', &more)) return Step::kFailed;
    if (!Settled()) return Step::kWait;
  }

  // Commit.
  if (table) {
    const std::string_view key = kTableNames[static_cast<int>(*table)];
    const uint32_t bit = 1u << static_cast<int>(*table);
    if ((seen_tables_ & bit) != 0) {
      // The last one cannot simply win: the first was already read into the
      // builder, and merging or dropping lists silently would lose data.
      Schema(code::kJsonBadValue, value_offset, key, "",
             "the key \"" + std::string(key) +
                 "\" appears twice at the top level; an export has only one of each");
    }
    seen_tables_ |= bit;
    if ((member == Member::kTableOther || member == Member::kClinicOther) &&
        other_.type != Type::kNull) {
      Schema(code::kJsonType, value_offset, key, other_.text,
             "\"" + std::string(key) + "\" must be " +
                 (member == Member::kClinicOther ? "an object" : "an array") + ", not " +
                 std::string(TypeName(other_.type)));
    }
  }
  switch (member) {
    case Member::kFormat:
      has_format_ = format_.type != Type::kNull;
      break;
    case Member::kVersion:
      has_version_ = version_.type != Type::kNull;
      break;
    case Member::kTableArray:
      if (*table == Table::kVisits) has_visits_ = true;
      table_kind_ = *table;
      table_index_ = 0;
      stage_ = Stage::kTable;
      return Step::kDone;
    case Member::kClinic:
      // After the first schema error only the syntax is still checked.
      if (!pending_) AcceptObject(Table::kClinic, 0, value_offset);
      break;
    case Member::kTableOther:
    case Member::kClinicOther:
    case Member::kOther:
      break;
  }
  if (!more) stage_ = Stage::kAfterTop;
  return Step::kDone;
}

JsonImporter::Step JsonImporter::TableElementStep() {
  const Table table = table_kind_;
  if (table_index_ == 0 && p_ < end_ && *p_ == ']') {  // an empty table
    ++p_;
    stage_ = Stage::kAfterTable;
    return Step::kDone;
  }
  const size_t offset = static_cast<size_t>(p_ - begin_);
  enum class Element { kFast, kObject, kOther };
  Element element = Element::kOther;
  if (p_ < end_ && *p_ == '{') {
    const char* const open = p_;
    if ((table == Table::kVisits || table == Table::kPatients) && FastElement(table)) {
      element = Element::kFast;
    } else {
      p_ = open;
      if (!ParseObject(table)) return Step::kFailed;
      element = Element::kObject;
    }
  } else if (!ReadValue(other_, 2)) {
    return Step::kFailed;
  }
  SkipWhitespace();
  bool more = false;
  if (!AfterMember(']', &more)) return Step::kFailed;
  if (!Settled()) return Step::kWait;

  // Commit.
  const size_t index = table_index_++;
  switch (element) {
    case Element::kFast:
      FastCommit(table, index);
      break;
    case Element::kObject:
      // After the first schema error only the syntax is still checked.
      if (!pending_) AcceptObject(table, index, offset);
      break;
    case Element::kOther:
      table_ = table;
      Schema(code::kJsonType, offset, kTableNames[static_cast<int>(table)], other_.text,
             Where(index) + " must be an object, not " + std::string(TypeName(other_.type)));
      break;
  }
  if (!more) stage_ = Stage::kAfterTable;
  return Step::kDone;
}

JsonImporter::Step JsonImporter::AfterTableStep() {
  SkipWhitespace();
  bool more = false;
  if (!AfterMember('}', &more)) return Step::kFailed;
  if (!Settled()) return Step::kWait;
  stage_ = more ? Stage::kTopMembers : Stage::kAfterTop;
  return Step::kDone;
}

JsonImporter::Step JsonImporter::EndStep() {
  // What follows the top-level value is only known at the end of the file.
  if (!final_) return Step::kWait;
  const bool is_object = stage_ == Stage::kAfterTop;
  if (!is_object && !SkipValue(0)) return Step::kFailed;
  SkipWhitespace();
  if (p_ != end_) {
    if (*p_ == 0) {
      Fail(code::kNulByte, p_,
           "the file contains a NUL byte; it is not a UTF-8 text file (save it as UTF-8)");
    } else {
      Fail(code::kJsonSyntax, p_,
           "unexpected text after the end of the JSON data (only one top-level object is "
           "allowed)",
           ValidUtf8Prefix(std::string_view(p_, static_cast<size_t>(end_ - p_)), 16));
    }
    return Step::kFailed;
  }
  if (!is_object) {
    error_ = MakeError(code::kJsonFormat, LocationAt(top_offset_, "", ""),
                       "this JSON file is not a clinic export: it must be an object with "
                       "\"format\": \"clinic-export\"");
    return Step::kFailed;
  }
  if (std::optional<Error> header = CheckHeader()) {
    error_ = std::move(header);
    return Step::kFailed;
  }
  if (pending_) {
    error_ = pending_;
    return Step::kFailed;
  }
  if (!has_visits_) {
    error_ = MakeError(code::kJsonNoVisits, LocationAt(top_offset_, "visits", ""),
                       "the export has no \"visits\" array, so there is nothing to report on");
    return Step::kFailed;
  }
  stage_ = Stage::kDone;
  return Step::kDone;
}

Result<Export> JsonImporter::Finish(const InputDone& input_done) {
  if (error_) return *error_;
  if (input_done) input_done();
  return builder_.Finish();
}

bool JsonImporter::ParseObject(Table table) {
  const int depth = table == Table::kClinic ? 2 : 3;
  const uint32_t wanted = kTableFields[static_cast<int>(table)];
  present_ = 0;
  size_t member = 0;
  ++p_;  // '{'
  SkipWhitespace();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
  } else {
    while (true) {
      Field f = kUnknownField;
      KnownKey* known =
          member < kKnownKeys ? &known_keys_[static_cast<int>(table)][member] : nullptr;
      ++member;
      if (known == nullptr || !MatchKnownKey(*known, &f)) {
        if (!ReadKey()) return false;
        f = FieldOf(key_);
        if (known != nullptr) RememberKey(known, f);
      }
      if (f != kUnknownField && (wanted & Bit(f)) != 0) {
        if (!ReadValue(slots_[f], depth)) return false;
        present_ |= Bit(f);
      } else if (!SkipValue(depth)) {
        return false;
      }
      SkipWhitespace();
      bool more = false;
      if (!AfterMember('}', &more)) return false;
      if (!more) break;
    }
  }
  return true;
}

void JsonImporter::AcceptObject(Table table, size_t index, size_t open_offset) {
  table_ = table;
  // Required fields first, reported at the object's '{'.
  auto require = [&](Field f) {
    if (Has(f)) return true;
    Schema(
        code::kJsonMissingField, open_offset, kFieldNames[f], "",
        Where(index) + ": the required field \"" + std::string(kFieldNames[f]) + "\" is missing");
    return false;
  };
  switch (table) {
    case Table::kClinic:
      AcceptClinic();
      return;
    case Table::kDivisions:
      if (require(kId)) AcceptDivision(index);
      return;
    case Table::kEmployees:
      if (require(kId)) AcceptEmployee(index);
      return;
    case Table::kPriceLists:
      if (require(kId)) AcceptPriceList(index);
      return;
    case Table::kPatients:
      if (require(kId)) AcceptPatient(index);
      return;
    case Table::kVisits:
      if (require(kDate) && require(kPatient) && require(kAmount)) AcceptVisit(index, open_offset);
      return;
  }
}

void JsonImporter::WrongType(Field f, size_t index, std::string_view expected) {
  const Slot& slot = slots_[f];
  std::string what = table_ == Table::kClinic ? std::string("clinic") : Where(index);
  what += ": \"" + std::string(kFieldNames[f]) + "\" must be " + std::string(expected) + ", not " +
          std::string(TypeName(slot.type));
  Schema(code::kJsonType, slot.offset, kFieldNames[f], slot.text, what);
}

bool JsonImporter::StringField(Field f, size_t index, std::string_view* out) {
  *out = {};
  if (!Has(f)) return true;
  if (slots_[f].type != Type::kString) {
    WrongType(f, index, "a string");
    return false;
  }
  *out = slots_[f].text;
  return true;
}

bool JsonImporter::IdField(Field f, size_t index, std::string_view* out) {
  *out = {};
  if (!Has(f)) return true;
  const Slot& slot = slots_[f];
  if (slot.type == Type::kString) {
    *out = slot.text;
    return true;
  }
  if (slot.type == Type::kNumber && slot.text.find_first_of(".eE") == std::string_view::npos) {
    // A whole number is an id written without quotes; -0 is the number 0.
    *out = slot.text == "-0" ? std::string_view("0") : slot.text;
    return true;
  }
  WrongType(f, index, "a string (or a whole number)");
  return false;
}

bool JsonImporter::RequireNonEmpty(Field f, size_t index, std::string_view value) {
  if (!value.empty()) return true;
  Schema(code::kJsonMissingField, slots_[f].offset, kFieldNames[f], "",
         Where(index) + ": the required field \"" + std::string(kFieldNames[f]) + "\" is empty");
  return false;
}

bool JsonImporter::AmountField(Field f, size_t index, std::optional<Money>* out) {
  *out = std::nullopt;
  if (!Has(f)) return true;
  const Slot& slot = slots_[f];
  if (slot.type != Type::kNumber && slot.type != Type::kString) {
    WrongType(f, index, "a number or a string");
    return false;
  }
  if (slot.type == Type::kString && slot.text.empty()) return true;  // "" = absent
  AmountError why = AmountError::kNone;
  // The number's text as written: never through a double.
  *out = ParseAmount(slot.text, /*decimal_comma=*/false, &why);
  if (*out) return true;
  Schema(code::kJsonBadAmount, slot.offset, kFieldNames[f], slot.text,
         Where(index) + ": " + QuoteForMessage(slot.text) +
             " is not a valid amount: " + std::string(DescribeAmountError(why)));
  return false;
}

bool JsonImporter::DateField(Field f, size_t index, Day* out) {
  *out = kNoDay;
  if (!Has(f)) return true;
  const Slot& slot = slots_[f];
  if (slot.type != Type::kString) {
    WrongType(f, index, "a string (YYYY-MM-DD)");
    return false;
  }
  if (slot.text.empty()) return true;
  if (const std::optional<Day> day = ParseDate(slot.text)) {
    *out = *day;
    return true;
  }
  Schema(code::kJsonBadDate, slot.offset, kFieldNames[f], slot.text,
         Where(index) + ": " + QuoteForMessage(slot.text) +
             " is not a valid date: write YYYY-MM-DD (a real calendar date, years 1900 to "
             "2199), optionally followed by a time");
  return false;
}

void JsonImporter::AcceptClinic() {
  std::string_view name, currency;
  if (!StringField(kName, 0, &name) || !StringField(kCurrency, 0, &currency)) return;
  builder_.SetClinic(name, currency);
}

void JsonImporter::AcceptDivision(size_t index) {
  std::string_view id, name;
  if (!IdField(kId, index, &id) || !RequireNonEmpty(kId, index, id) ||
      !StringField(kName, index, &name)) {
    return;
  }
  if (!builder_.AddDivision(id, name)) {
    Schema(code::kJsonDuplicateId, slots_[kId].offset, "id", id,
           Where(index) + ": the id " + QuoteForMessage(id) + " appears twice in divisions");
  }
}

void JsonImporter::AcceptEmployee(size_t index) {
  std::string_view id, name, division;
  if (!IdField(kId, index, &id) || !RequireNonEmpty(kId, index, id) ||
      !StringField(kName, index, &name) || !IdField(kDivision, index, &division)) {
    return;
  }
  if (!builder_.AddEmployee(id, name, division, index + 1)) {
    Schema(code::kJsonDuplicateId, slots_[kId].offset, "id", id,
           Where(index) + ": the id " + QuoteForMessage(id) + " appears twice in employees");
  }
}

void JsonImporter::AcceptPriceList(size_t index) {
  std::string_view id, name;
  if (!IdField(kId, index, &id) || !RequireNonEmpty(kId, index, id) ||
      !StringField(kName, index, &name)) {
    return;
  }
  if (!builder_.AddPriceList(id, name)) {
    Schema(code::kJsonDuplicateId, slots_[kId].offset, "id", id,
           Where(index) + ": the id " + QuoteForMessage(id) + " appears twice in priceLists");
  }
}

void JsonImporter::AcceptPatient(size_t index) {
  std::string_view id, name, price_list;
  std::optional<Money> bonus;
  Day registered = kNoDay;
  if (!IdField(kId, index, &id) || !RequireNonEmpty(kId, index, id) ||
      !StringField(kName, index, &name) || !IdField(kPriceList, index, &price_list) ||
      !AmountField(kBonusBalance, index, &bonus) || !DateField(kRegistered, index, &registered)) {
    return;
  }
  AddPatientRow(index, id, slots_[kId].offset, name, price_list, bonus, registered);
}

void JsonImporter::AddPatientRow(size_t index, std::string_view id, size_t id_offset,
                                 std::string_view name, std::string_view price_list,
                                 std::optional<Money> bonus, Day registered) {
  // source_line for JSON is the element index + 1 (the builder prints "patients[i]").
  if (!builder_.AddPatient(id, name, price_list, bonus, registered, index + 1)) {
    Schema(code::kJsonDuplicateId, id_offset, "id", id,
           Where(index) + ": the id " + QuoteForMessage(id) + " appears twice in patients");
  }
}

void JsonImporter::AcceptVisit(size_t index, size_t open_offset) {
  LineInput line;
  std::string_view id, kind, status, service;
  std::optional<Money> amount;
  if (!IdField(kId, index, &id) || !DateField(kDate, index, &line.day) ||
      !IdField(kPatient, index, &line.patient) || !RequireNonEmpty(kPatient, index, line.patient) ||
      !IdField(kEmployee, index, &line.employee) || !IdField(kDivision, index, &line.division) ||
      !AmountField(kAmount, index, &amount) || !StringField(kKind, index, &kind) ||
      !StringField(kStatus, index, &status) || !StringField(kService, index, &service)) {
    return;
  }
  if (line.day == kNoDay) {  // "date": ""
    RequireNonEmpty(kDate, index, {});
    return;
  }
  if (!amount) {  // "amount": ""
    RequireNonEmpty(kAmount, index, {});
    return;
  }
  line.amount = *amount;
  const std::optional<LineKind> line_kind = ParseLineKind(kind);
  const std::optional<LineStatus> line_status = ParseLineStatus(status);
  if (!line_kind) {
    Schema(code::kJsonBadValue, slots_[kKind].offset, "kind", kind,
           Where(index) + ": " + QuoteForMessage(kind) +
               " is not a valid kind: use \"service\" or \"goods\"");
    return;
  }
  if (!line_status) {
    Schema(code::kJsonBadValue, slots_[kStatus].offset, "status", status,
           Where(index) + ": " + QuoteForMessage(status) +
               " is not a valid status: use \"completed\", \"cancelled\" or \"no_show\"");
    return;
  }
  line.kind = *line_kind;
  line.status = *line_status;
  AddVisitLine(index, open_offset, id, slots_[kId].offset, slots_[kAmount].text,
               slots_[kAmount].offset, line);
}

void JsonImporter::DuplicateLineId(size_t index, std::string_view id, size_t id_offset) {
  Schema(code::kJsonDuplicateId, id_offset, "id", id,
         Where(index) + ": the visit line id " + QuoteForMessage(id) + " appears twice");
}

void JsonImporter::LineRefused(const Error& e, size_t index, size_t open_offset,
                               std::string_view amount_text, size_t amount_offset) {
  // An engine limit: the builder's line is the element number, so the error
  // is placed here, at the amount (the sum) or at the visit (the line count).
  const std::string what = Where(index) + ": " + e.what;
  if (e.code == code::kAmountOverflow) {
    Schema(e.code, amount_offset, "amount", amount_text, what);
  } else {
    Schema(e.code, open_offset, "", "", what);
  }
}

// Visits and patients are nearly all of an export, and nearly every element
// is flat: strings without escapes, a plain amount, keys the importer knows,
// in whatever order and with whichever optional keys absent. FastElement
// reads such an element with a local pointer and no per-value bookkeeping
// (slots, types, error paths). It accepts only what the general path would
// accept with the same result and, at the first thing it does not handle (an
// escape, a repeated key, a number as an id, a nested value, any value the
// general path would refuse...), returns false having changed nothing, and
// ParseObject reads the element with its checks and messages.
namespace {

// The first `n` (< 8) bytes of `text` as a little-endian word, for key compares.
constexpr uint64_t WordOf(std::string_view text) {
  uint64_t w = 0;
  for (size_t i = 0; i < text.size() && i < 8; ++i) {
    w |= uint64_t{static_cast<unsigned char>(text[i])} << (8 * i);
  }
  return w;
}

constexpr uint64_t LowBytes(size_t n) {
  return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
}

// True when the 8 bytes at `w` (then `rest` for longer keys) are `key` followed by '"'.
template <size_t N>
inline bool KeyIs(uint64_t w, const char* p, const char (&key)[N]) {
  constexpr size_t n = N - 1;  // the key's length
  if constexpr (n < 8) {
    const uint64_t want = WordOf(std::string_view(key, n)) | uint64_t{'"'} << (8 * n);
    return (w & LowBytes(n + 1)) == want;
  } else {
    if (w != WordOf(std::string_view(key, 8))) return false;
    for (size_t i = 8; i < n; ++i) {
      if (p[i] != key[i]) return false;
    }
    return p[n] == '"';
  }
}

// The field named by the key whose text starts at `p` (after the opening
// quote), and its length, for the keys of the clinic export; kUnknownField
// when it is none of them (the caller then scans it as a string). At least 16
// bytes must follow `p`.
inline Field KnownKeyAt(const char* p, size_t* length) {
  const uint64_t w = Load64(p);
  Field f = kUnknownField;
  size_t n = 0;
  switch (static_cast<char>(w & 0xFF)) {
    case 'i':
      if (KeyIs(w, p, "id")) f = kId, n = 2;
      break;
    case 'd':
      if (KeyIs(w, p, "date")) f = kDate, n = 4;
      else if (KeyIs(w, p, "division")) f = kDivision, n = 8;
      break;
    case 'p':
      if (KeyIs(w, p, "patient")) f = kPatient, n = 7;
      else if (KeyIs(w, p, "priceList")) f = kPriceList, n = 9;
      break;
    case 'e':
      if (KeyIs(w, p, "employee")) f = kEmployee, n = 8;
      break;
    case 'a':
      if (KeyIs(w, p, "amount")) f = kAmount, n = 6;
      break;
    case 'k':
      if (KeyIs(w, p, "kind")) f = kKind, n = 4;
      break;
    case 's':
      if (KeyIs(w, p, "status")) f = kStatus, n = 6;
      else if (KeyIs(w, p, "service")) f = kService, n = 7;
      break;
    case 'n':
      if (KeyIs(w, p, "name")) f = kName, n = 4;
      break;
    case 'b':
      if (KeyIs(w, p, "bonusBalance")) f = kBonusBalance, n = 12;
      break;
    case 'r':
      if (KeyIs(w, p, "registered")) f = kRegistered, n = 10;
      break;
    case 'c':
      if (KeyIs(w, p, "currency")) f = kCurrency, n = 8;
      break;
    default:
      break;
  }
  *length = n;
  return f;
}


}  // namespace

bool JsonImporter::FastElement(Table table) {
  if (pending_) return false;  // after a schema error only the syntax is checked
  const char* const open = p_;
  const char* const end = end_;
  // Keys are matched with whole-word loads: near the end of the input the
  // general path reads the (last few) elements.
  constexpr ptrdiff_t kSlack = 32;
  const char* s = open + 1;
  auto skip_whitespace = [&s, end] {
    while (s < end && IsJsonSpace(*s)) ++s;
  };
  // At '"': the end of a string without escapes (its closing quote), UTF-8
  // checked as ParseString does; nullptr for anything else. Inline at each
  // use (clang kept it out of line, a call for every value of every element).
  auto plain_string = [end](const char* q) __attribute__((always_inline)) -> const char* {
    ++q;
    while (true) {
      q = SkipPlainStringBytes(q, end);
      if (q >= end) return nullptr;
      const auto c = static_cast<unsigned char>(*q);
      if (c == '"') return q;
      if (c < 0x80) {
        if (c == '\\' || c < 0x20) return nullptr;
        ++q;
        continue;
      }
      const size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(q),
                                            reinterpret_cast<const unsigned char*>(end));
      if (len == 0) return nullptr;
      q += len;
    }
  };
  // At a number: its end when it is -?(0|[1-9][0-9]*)(.[0-9]+)? and nothing
  // else; nullptr for an exponent, a leading zero or a bad digit, which are the
  // general path's to read or report.
  auto plain_number = [end](const char* q) -> const char* {
    if (*q == '-') ++q;
    if (q >= end || !IsDigit(*q)) return nullptr;
    if (*q == '0') {
      ++q;
    } else {
      while (q < end && IsDigit(*q)) ++q;
    }
    if (q < end && *q == '.') {
      ++q;
      if (q >= end || !IsDigit(*q)) return nullptr;
      while (q < end && IsDigit(*q)) ++q;
    }
    if (q < end && (*q == 'e' || *q == 'E' || IsDigit(*q))) return nullptr;
    return q;
  };

  // What was read per field: the value's text (a string's contents or a
  // number's digits) and where it starts. `seen` has a bit per key met (a
  // repeated key is left to the general path, where the last one counts);
  // `given` per key whose value is not null; `numeric` per number value.
  std::array<FastValue, kFieldCount> values;
  uint32_t seen = 0, given = 0, numeric = 0;
  const uint32_t wanted = kTableFields[static_cast<int>(table)];
  skip_whitespace();
  if (s < end && *s == '}') return false;  // an empty element: the general path's
  while (true) {
    if (end - s < kSlack || *s != '"') return false;
    size_t key_length = 0;
    Field field = KnownKeyAt(s + 1, &key_length);
    if (field != kUnknownField && (wanted & Bit(field)) != 0) {
      if ((seen & Bit(field)) != 0) return false;
      seen |= Bit(field);
      s += key_length + 2;
    } else {
      const char* close = plain_string(s);
      if (close == nullptr) return false;
      field = kUnknownField;  // a key this table does not read: its value is only checked
      s = close + 1;
    }
    if (s < end && *s == ':') {
      ++s;
    } else {
      skip_whitespace();
      if (s >= end || *s != ':') return false;
      ++s;
    }
    skip_whitespace();
    if (s >= end) return false;
    const char* value = s;
    const char c = *s;
    if (c == '"') {
      const char* close = plain_string(s);
      if (close == nullptr) return false;
      s = close + 1;
      if (field != kUnknownField) {
        values[field] =
            FastValue{value, std::string_view(value + 1, static_cast<size_t>(close - value - 1))};
        given |= Bit(field);
      }
    } else if (c == '-' || IsDigit(c)) {
      const char* after = plain_number(s);
      if (after == nullptr) return false;
      s = after;
      if (field != kUnknownField) {
        values[field] = FastValue{value, std::string_view(value, static_cast<size_t>(s - value))};
        given |= Bit(field);
        numeric |= Bit(field);
      }
    } else if (c == 'n' && end - s >= 4 && std::memcmp(s, "null", 4) == 0) {
      s += 4;  // the same as an absent key
    } else if (field == kUnknownField && end - s >= 5 &&
               (std::memcmp(s, "true", 4) == 0 || std::memcmp(s, "false", 5) == 0)) {
      s += *s == 't' ? 4 : 5;
    } else {
      return false;  // a nested value, or true/false where a known field is read
    }
    if (s < end && *s == ',') {
      ++s;
      skip_whitespace();
      continue;
    }
    skip_whitespace();
    if (s < end && *s == ',') {
      ++s;
      skip_whitespace();
      continue;
    }
    if (s >= end || *s != '}') return false;
    ++s;
    break;
  }
  const FastFields fields{values, given, numeric};
  const bool accepted =
      table == Table::kVisits ? FastCheckVisit(open, fields) : FastCheckPatient(fields);
  if (!accepted) return false;
  p_ = s;
  return true;
}

void JsonImporter::FastCommit(Table table, size_t index) {
  table_ = table;
  if (table == Table::kVisits) {
    FastVisitLine& v = fast_visit_;
    AddVisitLine(index, v.open_offset, v.id, v.id_offset, v.amount, v.amount_offset, v.line);
  } else {
    const FastPatientRow& r = fast_patient_;
    AddPatientRow(index, r.id, r.id_offset, r.name, r.price_list, r.bonus, r.registered);
  }
}

bool JsonImporter::FastCheckVisit(const char* open, const FastFields& in) {
  // Ids, dates, kind and status as strings, an amount as a number or a
  // string; anything else, or a value the general path would refuse, is its.
  constexpr uint32_t kStrings = Bit(kId) | Bit(kDate) | Bit(kPatient) | Bit(kEmployee) |
                                Bit(kDivision) | Bit(kKind) | Bit(kStatus) | Bit(kService);
  constexpr uint32_t kRequired = Bit(kDate) | Bit(kPatient) | Bit(kAmount);
  if ((in.numeric & kStrings) != 0 || (in.given & kRequired) != kRequired) return false;
  const std::string_view date = in.values[kDate].text;
  const std::string_view patient = in.values[kPatient].text;
  const std::string_view amount = in.values[kAmount].text;
  if (date.empty() || patient.empty() || amount.empty()) return false;
  FastVisitLine& v = fast_visit_;
  LineInput& line = v.line;
  const std::optional<Day> day = dates_.Read(date);
  if (!day) return false;
  line.day = *day;
  const std::optional<Money> money = ParseAmount(amount, /*decimal_comma=*/false);
  if (!money) return false;
  const std::optional<LineKind> kind = ParseLineKind(in.Text(kKind));
  const std::optional<LineStatus> status = ParseLineStatus(in.Text(kStatus));
  if (!kind || !status) return false;
  line.kind = *kind;
  line.status = *status;
  line.patient = patient;
  line.employee = in.Text(kEmployee);
  line.division = in.Text(kDivision);
  line.amount = *money;
  const bool has_id = (in.given & Bit(kId)) != 0;
  v.id = in.Text(kId);
  v.amount = amount;
  v.open_offset = static_cast<size_t>(open - begin_);
  v.id_offset = static_cast<size_t>((has_id ? in.values[kId].at : open) - begin_);
  v.amount_offset = static_cast<size_t>(in.values[kAmount].at - begin_);
  return true;
}

bool JsonImporter::FastCheckPatient(const FastFields& in) {
  constexpr uint32_t kStrings = Bit(kId) | Bit(kName) | Bit(kPriceList) | Bit(kRegistered);
  if ((in.numeric & kStrings) != 0 || (in.given & Bit(kId)) == 0) return false;
  const std::string_view id = in.values[kId].text;
  if (id.empty()) return false;
  std::optional<Money> bonus;
  const std::string_view bonus_text = in.Text(kBonusBalance);
  if (!bonus_text.empty()) {  // "" is absent, as for the general path
    bonus = ParseAmount(bonus_text, /*decimal_comma=*/false);
    if (!bonus) return false;
  }
  Day registered = kNoDay;
  const std::string_view registered_text = in.Text(kRegistered);
  if (!registered_text.empty()) {
    const std::optional<Day> day = dates_.Read(registered_text);
    if (!day) return false;
    registered = *day;
  }
  fast_patient_ = FastPatientRow{
      id,    in.Text(kName), in.Text(kPriceList), static_cast<size_t>(in.values[kId].at - begin_),
      bonus, registered};
  return true;
}

std::optional<Error> JsonImporter::CheckHeader() const {
  const size_t top_offset = top_offset_;
  auto at = [&](size_t offset, std::string_view field, std::string_view value) {
    return LocationAt(offset, field, value);
  };
  if (!has_format_) {
    return MakeError(code::kJsonFormat, at(top_offset, "format", ""),
                     "this JSON file is not a clinic export: it has no \"format\": "
                     "\"clinic-export\"");
  }
  if (format_.type != Type::kString || format_.text != "clinic-export") {
    return MakeError(code::kJsonFormat, at(format_.offset, "format", format_.text),
                     "this JSON file is not a clinic export: \"format\" is " +
                         (format_.type == Type::kString ? QuoteForMessage(format_.text)
                                                        : std::string(TypeName(format_.type))) +
                         ", expected \"clinic-export\"");
  }
  if (!has_version_) {
    return MakeError(code::kJsonVersion, at(top_offset, "version", ""),
                     "the export has no \"version\"; this program reads version 1");
  }
  if (version_.type != Type::kNumber || version_.text != "1") {
    return MakeError(code::kJsonVersion, at(version_.offset, "version", version_.text),
                     "export version " +
                         (version_.type == Type::kNumber || version_.type == Type::kString
                              ? QuoteForMessage(version_.text)
                              : std::string(TypeName(version_.type))) +
                         " is not supported; this program reads version 1 (the number 1)");
  }
  return std::nullopt;
}

}  // namespace

namespace internal {

std::unique_ptr<StreamReader> NewJsonReader(std::string_view file_name) {
  // The importer holds the builder and scratch buffers: on the heap, as it is large.
  return std::make_unique<JsonImporter>(file_name);
}

}  // namespace internal

Result<Export> ImportJson(std::string_view file_name, std::string_view bytes,
                          const InputDone& input_done) {
  const std::unique_ptr<internal::StreamReader> reader = internal::NewJsonReader(file_name);
  if (!reader->Feed(0, bytes, /*complete=*/true)) return reader->error();
  return reader->Finish(input_done);
}

}  // namespace clinic
