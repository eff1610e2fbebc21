// ImportCsv: the tables of one export as CSV files, read in one pass each.
// Cells are string views into the input; only a quoted cell with doubled
// quotes ("") is copied, into a scratch buffer reused for every record.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "bytes.h"
#include "date.h"
#include "import.h"
#include "import_stream.h"
#include "utf8.h"

namespace clinic {
namespace {

// Location values are cut to this many bytes (at a character boundary).
constexpr size_t kMaxValueBytes = 200;
// Unknown columns named one by one in the warning; the rest are counted.
constexpr size_t kMaxListedColumns = 20;

enum class Table : uint8_t { kDivisions, kPriceLists, kEmployees, kPatients, kVisits, kCount };
constexpr size_t kTableCount = static_cast<size_t>(Table::kCount);

// Tables are read in this order: referenced tables before the ones that refer to them.
constexpr std::string_view kTableFiles[kTableCount] = {
    "divisions.csv", "price_lists.csv", "employees.csv", "patients.csv", "visits.csv"};

enum Column : uint8_t {
  kId,
  kName,
  kDate,
  kPatient,
  kEmployee,
  kDivision,
  kAmount,
  kKind,
  kStatus,
  kService,
  kPatientName,
  kEmployeeName,
  kDivisionName,
  kPriceList,
  kBonusBalance,
  kRegistered,
  kColumnCount,
  kUnknownColumn = kColumnCount,
};

constexpr std::string_view kColumnNames[kColumnCount] = {
    "id",           "name",          "date",          "patient",    "employee",
    "division",     "amount",        "kind",          "status",     "service",
    "patient_name", "employee_name", "division_name", "price_list", "bonus_balance",
    "registered"};

constexpr uint32_t Bit(Column c) { return 1u << c; }

constexpr uint32_t kAllowed[kTableCount] = {
    Bit(kId) | Bit(kName),                                                            // divisions
    Bit(kId) | Bit(kName),                                                            // price_lists
    Bit(kId) | Bit(kName) | Bit(kDivision),                                           // employees
    Bit(kId) | Bit(kName) | Bit(kPriceList) | Bit(kBonusBalance) | Bit(kRegistered),  // patients
    Bit(kId) | Bit(kDate) | Bit(kPatient) | Bit(kEmployee) | Bit(kDivision) | Bit(kAmount) |
        Bit(kKind) | Bit(kStatus) | Bit(kService) | Bit(kPatientName) | Bit(kEmployeeName) |
        Bit(kDivisionName),  // visits
};

constexpr uint32_t kRequired[kTableCount] = {Bit(kId), Bit(kId), Bit(kId), Bit(kId),
                                             Bit(kDate) | Bit(kPatient) | Bit(kAmount)};

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

std::string HexByte(unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("0x") + kHex[c >> 4] + kHex[c & 15];
}

std::string_view CutAtCharacter(std::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

// The file name without any folder, lowercased, for picking its table.
std::string BaseName(std::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  return Lowercase(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

// Byte classes of the unquoted-cell scan.
enum : uint8_t { kPlain = 0, kStop = 1, kQuote = 2, kNul = 3, kHigh = 4 };

// Padding around an unquoted cell: spaces, and tabs unless they delimit.
// One compare rejects nearly every byte tested (those above ' ').
inline bool IsPadding(char c, char delimiter) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || (c == '\t' && delimiter != '\t'));
}

// The cells of the current record: views into the input (or into the
// unescaped text of quoted cells). A count over storage that only grows, so
// that the one-scan path writes cells through a local pointer: a vector's
// push_back per cell stored and reloaded its end and took half of that
// path's time in wasm.
class Cells {
 public:
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  const std::string_view& operator[](size_t i) const { return storage_[i]; }
  const std::string_view* begin() const { return storage_.data(); }
  const std::string_view* end() const { return storage_.data() + size_; }
  void push_back(std::string_view cell) {
    if (size_ == storage_.size()) storage_.resize(std::max<size_t>(16, 2 * size_));
    storage_[size_++] = cell;
  }
  /// Room for `n` cells from the first: their storage, to be written and then counted by Set.
  std::string_view* Room(size_t n) {
    if (storage_.size() < n) storage_.resize(n);
    return storage_.data();
  }
  void Set(size_t n) { size_ = n; }

 private:
  std::vector<std::string_view> storage_;
  size_t size_ = 0;
};

class CsvFile {
 public:
  CsvFile(Table table, std::string_view name, ExportBuilder& builder, bool simple_records)
      : table_(table), name_(name), builder_(builder), simple_records_(simple_records) {}

  /// Reads on in `bytes`: the file's first bytes.size() bytes, in the same
  /// buffer at every call and never fewer than before; `complete` when they
  /// are the whole file. Each record is read only once it lies whole within
  /// `bytes` (before the end of the file, a record that fails or reaches the
  /// end of the bytes so far is undone and read again with more), so the
  /// result is the same however the file is cut. False once the file failed.
  bool Feed(std::string_view bytes, bool complete);
  const Error& error() const { return *error_; }
  bool done() const { return stage_ == Stage::kDone; }

 private:
  enum class Read { kRecord, kEnd, kError };
  enum class Stage : uint8_t { kStart, kHeader, kRecords, kDone };
  // kFailed may be for want of bytes still to come (undone, unless at the
  // end of the file); kError is final (found in a whole record or header).
  enum class Step : uint8_t { kDone, kWait, kFailed, kError };
  bool Settled() const { return final_ || p_ < end_; }
  Step StartStep();
  Step HeaderStep();
  Step RecordStep();

  Location At(uint64_t line, uint64_t column, std::string_view field,
              std::string_view value) const {
    // Values may hold bytes the cell scan stopped at, and a field is a header
    // cell: only their valid UTF-8 prefix, cut to kMaxValueBytes, is kept.
    return Location{name_, line, column, std::string(ValidUtf8Prefix(field, kMaxValueBytes)),
                    std::string(ValidUtf8Prefix(value, kMaxValueBytes))};
  }
  Error Fail(std::string_view code, uint64_t line, uint64_t column, std::string_view field,
             std::string_view value, std::string_view what) const {
    return MakeError(code, At(line, column, field, value), what);
  }
  // The header name of cell `i`, for locations ("" for the header itself).
  std::string_view FieldOf(size_t i) const {
    return i < header_.size() ? std::string_view(header_[i]) : std::string_view();
  }

  // The delimiter from the first line; nullopt until that line has arrived.
  std::optional<char> DetectDelimiter();
  Read ReadRecord();
  // The common record in one scan, 32 bytes at a time; false (nothing read)
  // when ReadRecord's cell by cell reading must take it.
  bool ReadSimpleRecord();
  bool ReadQuotedCell(size_t index, std::string_view* cell);
  // Inline: it runs for every cell; its error paths are out of line.
  [[gnu::always_inline]] bool ReadPlainCell(size_t index, std::string_view* cell);
  // The header's columns from the record in cells_.
  Status AcceptHeader();
  bool IsBlankRecord() const;
  // Per record: false after recording the error in error_ (no Status per cell: hot path).
  bool AcceptEntity();
  bool AcceptVisit();

  // Cell of `column` in the current record ("" when the file has no such column).
  std::string_view Cell(Column c) const {
    const int i = position_[c];
    return i < 0 ? std::string_view() : cells_[static_cast<size_t>(i)];
  }
  uint64_t CellNumber(Column c) const { return static_cast<uint64_t>(position_[c] + 1); }
  bool CellError(std::string_view code, Column c, std::string_view what) {
    error_ = Fail(code, record_line_, CellNumber(c), kColumnNames[c], Cell(c), what);
    return false;
  }
  // The cell checks of every line: inline, their errors out of line.
  [[gnu::always_inline]] bool RequireCell(Column c) { return !Cell(c).empty() || MissingCell(c); }
  [[gnu::noinline]] bool MissingCell(Column c);
  [[gnu::always_inline]] bool AmountCell(Column c, std::optional<Money>* out) {
    *out = std::nullopt;
    const std::string_view cell = Cell(c);
    if (cell.empty()) return true;
    // A semicolon file is the European spreadsheet dialect: 12,50 means 12.50.
    *out = ParsePlainAmount(cell, delimiter_ == ';');
    if (out->has_value()) return true;
    AmountError why = AmountError::kNone;
    *out = ParseAmount(cell, delimiter_ == ';', &why);
    return out->has_value() || BadAmount(c, why);
  }
  [[gnu::noinline]] bool BadAmount(Column c, AmountError why);
  [[gnu::always_inline]] bool DateCell(Column c, Day* out) {
    *out = kNoDay;
    const std::string_view cell = Cell(c);
    if (cell.empty()) return true;
    const std::optional<Day> day = dates_.Read(cell);
    if (!day) return BadDate(c);
    *out = *day;
    return true;
  }
  [[gnu::noinline]] bool BadDate(Column c);

  Table table_;
  std::string name_;
  ExportBuilder& builder_;
  bool simple_records_;  // ReadSimpleRecord first (off only to test it against the cell reader)

  const char* data_ = nullptr;   // the file's first byte
  const char* begin_ = nullptr;  // after a BOM
  const char* p_ = nullptr;
  const char* end_ = nullptr;  // the end of the bytes so far
  bool final_ = false;         // they are the whole file
  size_t retry_at_ = 0;        // after an undone step: bytes to wait for before trying again
  Stage stage_ = Stage::kStart;
  char delimiter_ = ',';
  std::array<uint8_t, 256> classes_{};
  uint64_t line_ = 1;         // physical line of p_
  uint64_t record_line_ = 1;  // physical line where the current record starts
  const char* record_begin_ = nullptr;
  bool any_quoted_ = false;
  std::optional<Error> error_;

  Cells cells_;
  std::deque<std::string> scratch_;  // per cell index: unescaped quoted cells
  std::vector<std::string> header_;  // trimmed, lowercased
  std::array<int, kColumnCount> position_{};
  DateReader dates_;
  uint64_t blank_lines_ = 0;
};

std::optional<char> CsvFile::DetectDelimiter() {
  // Excel may write a "sep=;" line first: it names the delimiter and is not the header.
  if (!final_) {
    // Wait until the bytes so far settle whether the file starts with one.
    constexpr std::string_view kSep = "sep=";
    const size_t n = static_cast<size_t>(end_ - p_);
    const std::string_view have(p_, std::min(n, kSep.size()));
    if (kSep.substr(0, have.size()) == have) {
      if (n <= 5) return std::nullopt;                   // the delimiter or its line end to come
      if (n == 6 && p_[5] == '\r') return std::nullopt;  // CR, or CR LF
    }
  }
  if (end_ - p_ >= 5 && std::memcmp(p_, "sep=", 4) == 0 &&
      (p_[4] == ',' || p_[4] == ';' || p_[4] == '\t')) {
    const char* after = p_ + 5;
    if (after == end_ || *after == '\n' || *after == '\r') {
      const char delimiter = p_[4];
      p_ = after;
      if (p_ < end_ && *p_ == '\r') ++p_;
      if (p_ < end_ && *p_ == '\n') ++p_;
      if (p_ > after) ++line_;
      return delimiter;
    }
  }
  size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  const char* first = p_;  // the header: the first line that is not blank
  while (first < end_ && (*first == '\n' || *first == '\r' || *first == ' ')) ++first;
  bool line_end = false;
  for (const char* s = first; s < end_; ++s) {
    const char c = *s;
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == '\n' || c == '\r') {
        line_end = true;
        break;
      }
      commas += c == ',';
      semicolons += c == ';';
      tabs += c == '\t';
    }
  }
  if (!line_end && !final_) return std::nullopt;
  // Ties go to the comma, then the semicolon.
  if (tabs > commas && tabs > semicolons) return '\t';
  if (semicolons > commas) return ';';
  return ',';
}

bool CsvFile::ReadQuotedCell(size_t index, std::string_view* cell) {
  const uint64_t open_line = line_;
  const char* open = p_;
  const char* s = p_ + 1;
  bool doubled = false;
  while (true) {
    if (s >= end_) {
      error_ = Fail(code::kCsvUnclosedQuote, open_line, index + 1, FieldOf(index), "",
                    "a quoted cell starting on this line is never closed (a '\"' is missing)");
      return false;
    }
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"') {
      if (s + 1 < end_ && s[1] == '"') {
        doubled = true;
        s += 2;
        continue;
      }
      break;
    }
    if (c == '\n') {
      ++line_;
    } else if (c == '\r') {
      if (s + 1 >= end_ || s[1] != '\n') ++line_;
    } else if (c == 0) {
      error_ = Fail(code::kNulByte, line_, index + 1, FieldOf(index), "",
                    "the file contains a NUL byte; it is not a UTF-8 text file (save it as "
                    "CSV UTF-8)");
      return false;
    } else if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s),
                                            reinterpret_cast<const unsigned char*>(end_));
      if (len == 0) {
        error_ = Fail(code::kBadUtf8, line_, index + 1, FieldOf(index), "",
                      "the byte " + HexByte(c) +
                          " is not valid UTF-8: the file seems to be saved in another encoding "
                          "(like Windows-1252); save it as CSV UTF-8");
        return false;
      }
      s += len;
      continue;
    }
    ++s;
  }
  const std::string_view raw(open + 1, static_cast<size_t>(s - open - 1));
  p_ = s + 1;
  // Padding after the closing quote is tolerated like padding before the opening one.
  while (p_ < end_ && IsPadding(*p_, delimiter_)) ++p_;
  if (p_ < end_ && classes_[static_cast<unsigned char>(*p_)] != kStop) {
    const char* stop = p_;
    while (stop < end_ && classes_[static_cast<unsigned char>(*stop)] != kStop) ++stop;
    error_ = Fail(code::kCsvBadQuote, line_, index + 1, FieldOf(index),
                  std::string_view(open, static_cast<size_t>(stop - open)),
                  "there is text after the closing '\"' of a quoted cell (a quote inside a "
                  "quoted cell is written twice: \"\")");
    return false;
  }
  if (!doubled) {
    *cell = raw;
    return true;
  }
  // A deque: growing it at the end keeps the earlier cells' text in place
  // (a vector would move it, and their views in cells_ would dangle).
  while (scratch_.size() <= index) scratch_.emplace_back();
  std::string& out = scratch_[index];
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    out += raw[i];
    if (raw[i] == '"') ++i;  // "" -> "
  }
  *cell = out;
  return true;
}

inline bool CsvFile::ReadPlainCell(size_t index, std::string_view* cell) {
  const char* start = p_;
  const char* s = p_;
  while (true) {
    // 16 bytes at a time to the first that may not be plain (the delimiter,
    // '"', a control character or a byte of a multi-byte character), then
    // byte by byte (past a tab, which is plain unless it delimits).
    while (end_ - s >= static_cast<std::ptrdiff_t>(Block16::kSize)) {
      const Block16 block(s);
      const uint32_t stops = block.Equal(delimiter_) | block.Equal('"') | block.ControlOrHigh();
      if (stops != 0) {
        s += std::countr_zero(stops);
        break;
      }
      s += Block16::kSize;
    }
    while (s < end_ && classes_[static_cast<unsigned char>(*s)] == kPlain) ++s;
    if (s >= end_) break;
    const uint8_t cls = classes_[static_cast<unsigned char>(*s)];
    if (cls == kStop) break;
    if (cls == kHigh) {
      const size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s),
                                            reinterpret_cast<const unsigned char*>(end_));
      if (len == 0) {
        error_ = Fail(code::kBadUtf8, line_, index + 1, FieldOf(index), "",
                      "the byte " + HexByte(static_cast<unsigned char>(*s)) +
                          " is not valid UTF-8: the file seems to be saved in another encoding "
                          "(like Windows-1252); save it as CSV UTF-8");
        return false;
      }
      s += len;
      continue;
    }
    if (cls == kNul) {
      error_ = Fail(code::kNulByte, line_, index + 1, FieldOf(index), "",
                    "the file contains a NUL byte; it is not a UTF-8 text file (save it as "
                    "CSV UTF-8)");
      return false;
    }
    // A quote in the middle of an unquoted cell.
    const char* stop = s;
    while (stop < end_ && classes_[static_cast<unsigned char>(*stop)] != kStop) ++stop;
    error_ = Fail(code::kCsvBadQuote, line_, index + 1, FieldOf(index),
                  std::string_view(start, static_cast<size_t>(stop - start)),
                  "a '\"' inside a cell that does not start with '\"' (quote the whole cell and "
                  "write inner quotes twice: \"say \"\"hi\"\"\")");
    return false;
  }
  p_ = s;
  // Spaces around an unquoted cell are padding, not data.
  while (start < s && IsPadding(*start, delimiter_)) ++start;
  while (s > start && IsPadding(s[-1], delimiter_)) --s;
  *cell = std::string_view(start, static_cast<size_t>(s - start));
  return true;
}

// Quoted text in a block of 32 bytes, from the bits of its quotes: each
// opening quote and the bytes after it up to its closing quote (excluded),
// the quotes paired from the first, as a prefix XOR of their bits;
// `in_quotes` when the block starts inside quoted text.
inline uint32_t QuotedText(uint32_t quotes, bool in_quotes) {
  uint32_t x = quotes;
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  return in_quotes ? ~x : x;
}

// A record ended by '\n' or "\r\n" within the bytes so far, with no other CR
// and no NUL, any byte of 0x80 and above in valid UTF-8, and cells either
// plain (no '"') or quoted right between their delimiters, on one line,
// without doubled quotes: nearly every record of an export, from a clinic
// system (LF), a spreadsheet (CR LF) or a tool that quotes every cell. Its
// cells are those the cell reader gives, cut at the delimiters and the line
// end found 32 bytes at a time outside quoted text, instead of a scan and a
// class lookup per cell. Any other record (a quote with padding beside it, a
// doubled quote, a line break in a cell), or one within 32 bytes of the end
// of the bytes so far, is left to the cell reader, which also finds its errors.
bool CsvFile::ReadSimpleRecord() {
  // Room for twice the header's cells (more is rare, and read cell by cell),
  // and for a block's cells past that: a block is cut while the cells so far
  // fit the first part (no count of its cuts, a library call natively).
  const size_t room = std::max<size_t>(32, 2 * header_.size());
  std::string_view* const cells = cells_.Room(room + Block32::kSize);
  size_t count = 0;
  const char delimiter = delimiter_;
  const char* const end = end_;
  const char* s = p_;
  const char* cell = p_;
  bool high = false;
  bool plain = true;  // no byte of the record so far needs a check of its cell
  bool quoted = false;
  bool in_quotes = false;   // the block starts inside quoted text
  uint32_t cell_start = 1;  // bit 0 set: the block's first byte starts a cell
  // 32 bytes at a time: a record of the demo's 79 bytes takes three blocks
  // instead of five, and the work per block besides the compares (its part
  // of the record, quotes, the plain check) is done that much less often.
  constexpr auto kBlock = static_cast<std::ptrdiff_t>(Block32::kSize);
  constexpr uint32_t kLastBit = uint32_t{1} << (Block32::kSize - 1);
  while (end - s >= kBlock) {
    const Block32 block(s);
    const uint32_t quotes = block.Equal('"');
    const uint32_t line_ends = block.Equal('\n');
    uint32_t stops = block.Equal(delimiter) | line_ends;
    const bool quoted_text = quotes != 0 || in_quotes;  // the block has quoted text
    uint32_t text = 0;
    if (quoted_text) {
      text = QuotedText(quotes, in_quotes);
      stops &= ~text;  // a delimiter or line end in quoted text is text
    }
    const uint32_t line_end = line_ends & stops;
    // This record's bytes of the block: all of them, or up to its line end.
    const uint32_t mine = line_end != 0 ? line_end ^ (line_end - 1) : ~uint32_t{0};
    if (quoted_text) {
      if ((line_ends & text & mine) != 0) return false;  // a line break in a cell
      // Every quote must open a cell (right after a delimiter or the line's
      // start) or close one (right before a delimiter, the line end or the
      // CR of a CR LF): then a cell with a quote is "text" with no quote
      // inside it.
      const uint32_t opens = (stops << 1 | cell_start) & text;
      uint32_t closes = ((stops | block.Equal('\r')) >> 1) & ~text;
      if ((quotes & ~text & kLastBit) != 0) {
        // A closing quote on the block's last byte: the next byte tells.
        if (end - s <= kBlock) return false;
        const char next = s[kBlock];
        if (next == delimiter || next == '\n' || next == '\r') closes |= kLastBit;
      }
      if ((quotes & mine & ~(opens | closes)) != 0) return false;
      in_quotes = (text & kLastBit) != 0;
    }
    const uint32_t cuts = stops & mine;
    if (plain) {
      // Quotes, control bytes (CR, NUL, tabs that do not delimit, ...) or a
      // space next to a stop (padding): the cells cut so far need each of
      // their checks. Spaces inside a cell and bytes of multi-byte characters
      // (validated with the record) need none.
      if (quoted_text) {
        plain = false;
      } else if (const uint32_t odd = block.SpaceControlOrHigh() & mine & ~cuts; odd != 0) {
        const uint32_t highs = block.High();
        const uint32_t spaces = block.Equal(' ');
        // A cell's first and last bytes; the block's last byte too, as the
        // next block may start with a stop.
        const uint32_t edges = cuts << 1 | cell_start | cuts >> 1 | kLastBit;
        plain = (odd & ~highs & ~spaces) == 0 && (odd & spaces & edges) == 0;
        high = high || (odd & highs) != 0;
      }
    }
    if (!plain) {
      // A CR or NUL: only the CR of a CR LF outside quoted text is read here.
      for (uint32_t odd = block.EqualAny('\r', '\0') & mine; odd != 0; odd &= odd - 1) {
        const int i = std::countr_zero(odd);
        if (s[i] != '\r' || (text >> i & 1) != 0 || end - (s + i) < 2 || s[i + 1] != '\n') {
          return false;
        }
      }
      high = high || (block.High() & mine) != 0;
    }
    if (count > room) return false;
    if (plain) {
      // No byte of any cell so far needs a check: cut them at the stops.
      for (uint32_t c = cuts; c != 0; c &= c - 1) {
        const char* stop = s + std::countr_zero(c);
        cells[count++] = std::string_view(cell, static_cast<size_t>(stop - cell));
        cell = stop + 1;
      }
    } else {
      for (uint32_t c = cuts; c != 0; c &= c - 1) {
        const char* stop = s + std::countr_zero(c);
        const char* start = cell;
        cell = stop + 1;
        if (*stop == '\n' && stop > start && stop[-1] == '\r') --stop;  // a CR LF
        if (start < stop && *start == '"') {
          // Quoted: its closing quote is right before the stop (checked above).
          cells[count++] = std::string_view(start + 1, static_cast<size_t>(stop - start - 2));
          quoted = true;
          continue;
        }
        // Spaces around an unquoted cell are padding, not data.
        while (start < stop && IsPadding(*start, delimiter)) ++start;
        while (stop > start && IsPadding(stop[-1], delimiter)) --stop;
        cells[count++] = std::string_view(start, static_cast<size_t>(stop - start));
      }
    }
    if (line_end == 0) {
      // A stop on the block's last byte: the next block starts a cell.
      cell_start = stops >> (Block32::kSize - 1);
      s += kBlock;
      continue;
    }
    // A line end or delimiter is never inside a character (both are ASCII).
    const std::string_view record(p_, static_cast<size_t>(cell - 1 - p_));
    if (high && !IsValidUtf8(record)) return false;
    cells_.Set(count);
    any_quoted_ = quoted;
    p_ = cell;
    ++line_;
    return true;
  }
  return false;
}

CsvFile::Read CsvFile::ReadRecord() {
  cells_.clear();
  any_quoted_ = false;
  if (p_ >= end_) return Read::kEnd;
  record_line_ = line_;
  record_begin_ = p_;
  if (simple_records_ && ReadSimpleRecord()) return Read::kRecord;
  while (true) {
    const size_t index = cells_.size();
    // Leading spaces before a quote are tolerated like the padding of plain cells.
    const char* q = p_;
    while (q < end_ && IsPadding(*q, delimiter_)) ++q;
    std::string_view cell;
    if (q < end_ && *q == '"') {
      p_ = q;
      any_quoted_ = true;
      if (!ReadQuotedCell(index, &cell)) return Read::kError;
    } else if (!ReadPlainCell(index, &cell)) {
      return Read::kError;
    }
    cells_.push_back(cell);
    if (p_ >= end_) return Read::kRecord;
    const char c = *p_++;
    if (c == delimiter_) continue;
    // A line end: LF, CRLF or a lone CR.
    if (c == '\r' && p_ < end_ && *p_ == '\n') ++p_;
    ++line_;
    return Read::kRecord;
  }
}

Status CsvFile::AcceptHeader() {
  const size_t t = static_cast<size_t>(table_);
  position_.fill(-1);
  header_.clear();
  uint32_t seen = 0;
  // Unknown names: a set, since a spreadsheet may have very many columns.
  std::unordered_set<std::string> unknown;
  std::vector<std::string_view> unknown_listed;  // the first few, in header order
  header_.reserve(cells_.size());                // views into header_ stay valid
  for (size_t i = 0; i < cells_.size(); ++i) {
    std::string_view raw = cells_[i];
    while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    header_.push_back(Lowercase(raw));
    const std::string& name = header_.back();
    if (name.empty()) continue;  // spreadsheets leave unnamed trailing columns
    Column column = kUnknownColumn;
    for (uint8_t c = 0; c < kColumnCount; ++c) {
      if ((kAllowed[t] & Bit(static_cast<Column>(c))) != 0 && name == kColumnNames[c]) {
        column = static_cast<Column>(c);
      }
    }
    if (column == kUnknownColumn) {
      if (!unknown.insert(name).second) {
        return Fail(code::kCsvDuplicateColumn, record_line_, i + 1, name, cells_[i],
                    "the column " + QuoteForMessage(name) + " appears twice in the header");
      }
      if (unknown_listed.size() < kMaxListedColumns) unknown_listed.push_back(name);
      continue;
    }
    if ((seen & Bit(column)) != 0) {
      return Fail(code::kCsvDuplicateColumn, record_line_, i + 1, name, cells_[i],
                  "the column " + QuoteForMessage(name) + " appears twice in the header");
    }
    seen |= Bit(column);
    position_[column] = static_cast<int>(i);
  }
  std::string expected;
  for (uint8_t c = 0; c < kColumnCount; ++c) {
    if ((kAllowed[t] & Bit(static_cast<Column>(c))) == 0) continue;
    if (!expected.empty()) expected += ", ";
    expected += kColumnNames[c];
  }
  if (seen == 0) {
    return Fail(code::kCsvNoHeader, record_line_, 0, "", CutAtCharacter(cells_[0], 60),
                "the first line must name the columns (" + expected +
                    "), but none of its cells is a known column name");
  }
  for (uint8_t c = 0; c < kColumnCount; ++c) {
    const Column column = static_cast<Column>(c);
    if ((kRequired[t] & Bit(column)) != 0 && (seen & Bit(column)) == 0) {
      return Fail(code::kCsvMissingColumn, record_line_, 0, kColumnNames[c], "",
                  "the header has no " + QuoteForMessage(kColumnNames[c]) +
                      " column, which is required (columns of " + std::string(kTableFiles[t]) +
                      ": " + expected + ")");
    }
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string_view u : unknown_listed) {
      if (!list.empty()) list += ", ";
      list += QuoteForMessage(u);
    }
    if (unknown.size() > unknown_listed.size()) {
      list += " and " + std::to_string(unknown.size() - unknown_listed.size()) + " more";
    }
    builder_.AddWarning("csv.unknown_column",
                        name_ + ": " + (unknown.size() == 1 ? "the column " : "the columns ") +
                            list +
                            (unknown.size() == 1 ? " is not used and was ignored"
                                                 : " are not used and were ignored"),
                        unknown.size());
  }
  return {};
}

bool CsvFile::MissingCell(Column c) {
  return CellError(code::kCsvMissingField, c,
                   "the required cell " + QuoteForMessage(kColumnNames[c]) + " is empty");
}

bool CsvFile::BadAmount(Column c, AmountError why) {
  return CellError(code::kCsvBadAmount, c,
                   QuoteForMessage(Cell(c)) +
                       " is not a valid amount: " + std::string(DescribeAmountError(why)));
}

bool CsvFile::BadDate(Column c) {
  return CellError(code::kCsvBadDate, c,
                   QuoteForMessage(Cell(c)) +
                       " is not a valid date: write YYYY-MM-DD (a real calendar date, years 1900 "
                       "to 2199), optionally followed by a time");
}

bool CsvFile::AcceptEntity() {
  if (!RequireCell(kId)) return false;
  const std::string_view id = Cell(kId);
  const std::string_view name = Cell(kName);  // empty: the builder uses the id
  bool added = false;
  switch (table_) {
    case Table::kDivisions:
      added = builder_.AddDivision(id, name);
      break;
    case Table::kPriceLists:
      added = builder_.AddPriceList(id, name);
      break;
    case Table::kEmployees:
      added = builder_.AddEmployee(id, name, Cell(kDivision), record_line_);
      break;
    case Table::kPatients: {
      std::optional<Money> bonus;
      Day registered = kNoDay;
      if (!AmountCell(kBonusBalance, &bonus) || !DateCell(kRegistered, &registered)) return false;
      added = builder_.AddPatient(id, name, Cell(kPriceList), bonus, registered, record_line_);
      break;
    }
    case Table::kVisits:
    case Table::kCount:
      break;
  }
  if (added) return true;
  return CellError(code::kCsvDuplicateId, kId,
                   "the id " + QuoteForMessage(id) + " appears twice in " + name_);
}

bool CsvFile::AcceptVisit() {
  LineInput line;
  line.source_line = record_line_;
  std::optional<Money> amount;
  if (!RequireCell(kDate) || !DateCell(kDate, &line.day) || !RequireCell(kPatient) ||
      !RequireCell(kAmount) || !AmountCell(kAmount, &amount)) {
    return false;
  }
  line.patient = Cell(kPatient);
  line.employee = Cell(kEmployee);
  line.division = Cell(kDivision);
  line.amount = *amount;
  const std::string_view kind = Cell(kKind);
  const std::optional<LineKind> line_kind = ParseLineKind(kind);
  if (!line_kind) {
    return CellError(code::kCsvBadValue, kKind,
                     QuoteForMessage(kind) + " is not a valid kind: use \"service\" or \"goods\"");
  }
  line.kind = *line_kind;
  const std::string_view status = Cell(kStatus);
  const std::optional<LineStatus> line_status = ParseLineStatus(status);
  if (!line_status) {
    return CellError(code::kCsvBadValue, kStatus,
                     QuoteForMessage(status) +
                         " is not a valid status: use \"completed\", \"cancelled\" or \"no_show\"");
  }
  line.status = *line_status;
  line.patient_name = Cell(kPatientName);
  line.employee_name = Cell(kEmployeeName);
  line.division_name = Cell(kDivisionName);
  if (!builder_.AddLineId(Cell(kId))) {
    return CellError(code::kCsvDuplicateId, kId,
                     "the visit line id " + QuoteForMessage(Cell(kId)) + " appears twice");
  }
  const Status added = builder_.AddLine(line);
  if (added.ok()) return true;
  // An engine limit: placed at the amount cell (the sum) or the line (the count).
  const Error& e = added.error();
  if (e.code == code::kAmountOverflow) return CellError(e.code, kAmount, e.what);
  error_ = Fail(e.code, record_line_, 0, "", "", e.what);
  return false;
}

bool CsvFile::Feed(std::string_view bytes, bool complete) {
  if (error_) return false;
  if (data_ == nullptr) data_ = begin_ = p_ = bytes.data();
  end_ = data_ + bytes.size();
  final_ = complete;
  if (!complete && bytes.size() < retry_at_) return true;
  while (stage_ != Stage::kDone) {
    const char* const start = p_;
    const uint64_t start_line = line_;
    Step step = Step::kFailed;
    switch (stage_) {
      case Stage::kStart:
        step = StartStep();
        break;
      case Stage::kHeader:
        step = HeaderStep();
        break;
      case Stage::kRecords:
        step = RecordStep();
        break;
      case Stage::kDone:
        break;
    }
    if (step == Step::kDone) continue;
    if (step == Step::kError || (step == Step::kFailed && final_)) return false;
    // Undone, and tried again with more bytes.
    p_ = start;
    line_ = start_line;
    error_.reset();
    retry_at_ = internal::RetryAt(static_cast<size_t>(start - data_), bytes.size());
    return true;
  }
  return true;
}

CsvFile::Step CsvFile::StartStep() {
  const size_t size = static_cast<size_t>(end_ - data_);
  if (size < 3 && !final_) return Step::kWait;  // a BOM, or UTF-16's two bytes
  const auto byte = [this](size_t i) { return static_cast<unsigned char>(data_[i]); };
  if (size >= 2 && ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF))) {
    error_ = Fail(code::kUtf16, 0, 0, "", "",
                  "the file is saved as UTF-16 (\"Unicode text\"); save it as CSV UTF-8 and try "
                  "again");
    return Step::kError;
  }
  begin_ = data_ + (size >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF ? 3 : 0);
  p_ = begin_;
  const std::optional<char> delimiter = DetectDelimiter();
  if (!delimiter) return Step::kWait;
  delimiter_ = *delimiter;
  classes_.fill(kPlain);
  for (int c = 0x80; c < 0x100; ++c) classes_[static_cast<size_t>(c)] = kHigh;
  classes_[static_cast<unsigned char>(delimiter_)] = kStop;
  classes_['\n'] = kStop;
  classes_['\r'] = kStop;
  classes_['"'] = kQuote;
  classes_[0] = kNul;
  stage_ = Stage::kHeader;
  return Step::kDone;
}

bool CsvFile::IsBlankRecord() const {
  // A blank line, or one of only delimiters as spreadsheets leave behind.
  if (any_quoted_) return false;
  return std::all_of(cells_.begin(), cells_.end(), [](std::string_view c) { return c.empty(); });
}

CsvFile::Step CsvFile::HeaderStep() {
  // Blank lines before the header are skipped too.
  const Read read = ReadRecord();
  if (read == Read::kError) return Step::kFailed;
  if (!Settled()) return Step::kWait;
  if (read == Read::kEnd) {
    error_ = Fail(code::kCsvNoHeader, 0, 0, "", "",
                  "the file is empty: its first line must name the columns");
    return Step::kError;
  }
  if (IsBlankRecord()) {
    ++blank_lines_;
    return Step::kDone;
  }
  const Status header = AcceptHeader();
  if (!header.ok()) {
    error_ = header.error();
    return Step::kError;
  }
  stage_ = Stage::kRecords;
  return Step::kDone;
}

CsvFile::Step CsvFile::RecordStep() {
  const Read read = ReadRecord();
  if (read == Read::kError) return Step::kFailed;
  if (!Settled()) return Step::kWait;
  if (read == Read::kEnd) {
    if (blank_lines_ > 0) builder_.CountBlankLines(blank_lines_);
    stage_ = Stage::kDone;
    return Step::kDone;
  }
  // The record is whole: any error in what it holds is final.
  if (IsBlankRecord()) {
    ++blank_lines_;
  } else if (cells_.size() != header_.size()) {
    const size_t columns = header_.size();
    const char* stop = record_begin_;
    while (stop < end_ && *stop != '\n' && *stop != '\r') ++stop;
    std::string what = "expected " + std::to_string(columns) + " cells like the header, found " +
                       std::to_string(cells_.size());
    if (cells_.size() > columns && delimiter_ == ',') {
      what += " (in a comma-separated file a cell containing ',' must be in double quotes)";
    }
    error_ = Fail(code::kCsvCellCount, record_line_, 0, "",
                  std::string_view(record_begin_, static_cast<size_t>(stop - record_begin_)), what);
    return Step::kError;
  } else if (!(table_ == Table::kVisits ? AcceptVisit() : AcceptEntity())) {
    return Step::kError;
  }
  return Step::kDone;
}

}  // namespace

namespace {

// The tables of one export, read into one builder in kTableFiles order.
class CsvImporter final : public internal::StreamReader {
 public:
  CsvImporter(const std::vector<std::string>& names, const std::array<int, kTableCount>& by_table,
              bool simple_records)
      : by_table_(by_table) {
    builder_.SetFormat("csv", names);
    const auto name_of = [&](Table t) {
      return names[static_cast<size_t>(by_table[static_cast<size_t>(t)])];
    };
    builder_.SetVisitsFile(name_of(Table::kVisits));
    if (by_table[static_cast<size_t>(Table::kPatients)] >= 0)
      builder_.SetPatientsFile(name_of(Table::kPatients));
    if (by_table[static_cast<size_t>(Table::kEmployees)] >= 0) {
      builder_.SetEmployeesFile(name_of(Table::kEmployees));
    }
    for (size_t t = 0; t < kTableCount; ++t) {
      if (by_table[t] >= 0) {
        tables_[t] = std::make_unique<CsvFile>(static_cast<Table>(t),
                                               names[static_cast<size_t>(by_table[t])], builder_,
                                               simple_records);
      }
    }
  }

  bool Feed(size_t file, std::string_view bytes, bool complete) override {
    if (failed_ != nullptr) return false;
    size_t t = 0;
    while (t < kTableCount && by_table_[t] != static_cast<int>(file)) ++t;
    CsvFile* table = t < kTableCount ? tables_[t].get() : nullptr;
    if (table == nullptr || table->done()) return true;  // not a file of this import, or read
    if (!table->Feed(bytes, complete)) {
      failed_ = table;
      return false;
    }
    return true;
  }

  const Error& error() const override { return failed_->error(); }

  Result<Export> Finish(const InputDone& input_done) override {
    if (failed_ != nullptr) return failed_->error();
    if (input_done) input_done();
    return builder_.Finish();
  }

 private:
  ExportBuilder builder_;
  std::array<int, kTableCount> by_table_;  // the file index of each table, -1 when absent
  std::array<std::unique_ptr<CsvFile>, kTableCount> tables_;
  const CsvFile* failed_ = nullptr;
};

}  // namespace

namespace internal {

Result<std::unique_ptr<StreamReader>> NewCsvReader(const std::vector<std::string>& names,
                                                   std::vector<size_t>* order,
                                                   bool simple_records) {
  if (names.empty()) {
    return MakeError(code::kNoFiles, Location{}, "no files were given");
  }
  std::array<int, kTableCount> by_table;
  by_table.fill(-1);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const std::string base = BaseName(name);
    size_t t = 0;
    while (t < kTableCount && base != kTableFiles[t]) ++t;
    if (t == kTableCount) {
      return MakeError(code::kCsvUnknownFile, Location{name, 0, 0, "", ""},
                       "this file name is not one of the export's tables: name the files "
                       "visits.csv, patients.csv, employees.csv, divisions.csv and "
                       "price_lists.csv");
    }
    if (by_table[t] >= 0) {
      return MakeError(code::kCsvDuplicateFile, Location{name, 0, 0, "", ""},
                       "the table " + std::string(kTableFiles[t]) + " was given twice (also as " +
                           QuoteForMessage(names[static_cast<size_t>(by_table[t])]) + ")");
    }
    by_table[t] = static_cast<int>(i);
  }
  if (by_table[static_cast<size_t>(Table::kVisits)] < 0) {
    return MakeError(code::kCsvNoVisits, Location{},
                     "visits.csv is missing: it holds the visit lines every report is built from");
  }
  order->clear();
  for (const int file : by_table) {
    if (file >= 0) order->push_back(static_cast<size_t>(file));
  }
  return std::unique_ptr<StreamReader>(
      std::make_unique<CsvImporter>(names, by_table, simple_records));
}

}  // namespace internal

Result<Export> ImportCsv(const std::vector<InputFile>& files, const InputDone& input_done) {
  return internal::ImportCsv(files, input_done, /*simple_records=*/true);
}

Result<Export> internal::ImportCsv(const std::vector<InputFile>& files, const InputDone& input_done,
                                   bool simple_records) {
  std::vector<std::string> names;
  for (const InputFile& file : files) names.push_back(file.name);
  std::vector<size_t> order;
  Result<std::unique_ptr<internal::StreamReader>> reader =
      internal::NewCsvReader(names, &order, simple_records);
  if (!reader.ok()) return reader.error();
  for (const size_t file : order) {
    if (!reader.value()->Feed(file, files[file].bytes, /*complete=*/true)) {
      return reader.value()->error();
    }
  }
  return reader.value()->Finish(input_done);
}

}  // namespace clinic
