// Import test helpers: comparing imports, a seeded random source, and an
// import fed in pieces through StreamingImport, as the page feeds it.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "import.h"
#include "model.h"
#include "status.h"

namespace clinic::test {

/// The bytes of a file (fixtures, corpus cases); fails the test when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// splitmix64: a seeded, portable random source, so a failing case can be rerun.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(int percent) { return Below(100) < static_cast<size_t>(percent); }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

/// Everything but the clinic name and currency (CSV has none), the file list
/// and the warnings' texts: the same data from two sources.
inline void CheckSameData(const Export& a, const Export& b) {
  for (const auto& [x, y] :
       {std::pair{&a.divisions, &b.divisions}, std::pair{&a.employees, &b.employees},
        std::pair{&a.price_lists, &b.price_lists}, std::pair{&a.patients, &b.patients}}) {
    CHECK(x->ids == y->ids);
    CHECK(x->names == y->names);
    CHECK(x->declared == y->declared);
  }
  CHECK(a.employee_division == b.employee_division);
  CHECK(a.patient_price_list == b.patient_price_list);
  CHECK(a.patient_bonus == b.patient_bonus);
  CHECK(a.patient_has_bonus == b.patient_has_bonus);
  CHECK(a.patient_registered == b.patient_registered);
  CHECK(a.patient_rank == b.patient_rank);
  CHECK(a.lines.day == b.lines.day);
  CHECK(a.lines.patient == b.lines.patient);
  CHECK(a.lines.employee == b.lines.employee);
  CHECK(a.lines.division == b.lines.division);
  CHECK(a.lines.amount == b.lines.amount);
  CHECK(a.lines.kind == b.lines.kind);
  CHECK(a.patient_begin == b.patient_begin);
  CHECK(a.patient_first_day == b.patient_first_day);
  CHECK(a.patient_last_day == b.patient_last_day);
  CHECK(a.last_day == b.last_day);
  const ImportSummary& s = a.summary;
  const ImportSummary& t = b.summary;
  CHECK(s.divisions == t.divisions);
  CHECK(s.employees == t.employees);
  CHECK(s.price_lists == t.price_lists);
  CHECK(s.patients == t.patients);
  CHECK(s.lines == t.lines);
  CHECK(s.completed == t.completed);
  CHECK(s.cancelled == t.cancelled);
  CHECK(s.no_show == t.no_show);
  CHECK(s.completed_amount == t.completed_amount);
  CHECK(s.cancelled_amount == t.cancelled_amount);
  CHECK(s.no_show_amount == t.no_show_amount);
  CHECK(s.goods_lines == t.goods_lines);
  CHECK(s.refund_lines == t.refund_lines);
  CHECK(s.visits == t.visits);
  CHECK(s.patients_with_lines == t.patients_with_lines);
  CHECK(s.first_day == t.first_day);
  CHECK(s.last_day == t.last_day);
  CHECK(s.blank_lines == t.blank_lines);
  CHECK(s.warnings.size() == t.warnings.size());
}

/// The same outcome to the byte: the same error (code, sentence, location),
/// or the same export with the same summary, warnings and all.
inline void CheckSameResult(const Result<Export>& a, const Result<Export>& b) {
  REQUIRE(a.ok() == b.ok());
  if (!a.ok()) {
    const Error& x = a.error();
    const Error& y = b.error();
    CHECK(x.code == y.code);
    CHECK(x.message == y.message);
    CHECK(x.what == y.what);
    CHECK(x.where.file == y.where.file);
    CHECK(x.where.line == y.where.line);
    CHECK(x.where.column == y.where.column);
    CHECK(x.where.field == y.where.field);
    CHECK(x.where.value == y.where.value);
    return;
  }
  const Export& x = a.value();
  const Export& y = b.value();
  CheckSameData(x, y);
  CHECK(x.clinic_name == y.clinic_name);
  CHECK(x.currency == y.currency);
  CHECK(x.summary.format == y.summary.format);
  CHECK(x.summary.files == y.summary.files);
  for (size_t i = 0; i < x.summary.warnings.size() && i < y.summary.warnings.size(); ++i) {
    CHECK(x.summary.warnings[i].code == y.summary.warnings[i].code);
    CHECK(x.summary.warnings[i].message == y.summary.warnings[i].message);
    CHECK(x.summary.warnings[i].count == y.summary.warnings[i].count);
  }
}

/// Imports `files` as the page does, through StreamingImport: each file in
/// pieces of next_piece(bytes so far, file size) bytes (at least 1), fed in
/// the order it asks for.
inline Result<Export> ImportInPieces(const std::vector<InputFile>& files,
                                     const std::function<size_t(size_t, size_t)>& next_piece) {
  std::vector<FileHead> heads;
  for (const InputFile& f : files) {
    heads.push_back(FileHead{f.name, f.bytes.size(), std::string(f.bytes.substr(0, 3))});
  }
  Result<std::unique_ptr<StreamingImport>> begun = StreamingImport::Begin(heads);
  if (!begun.ok()) return begun.error();
  StreamingImport& import = *begun.value();
  for (const size_t i : import.order()) {
    const std::string_view bytes = files[i].bytes;
    size_t have = 0;
    bool more = true;
    do {
      have = std::min(bytes.size(), have + std::max<size_t>(1, next_piece(have, bytes.size())));
      more = import.Feed(i, bytes.substr(0, have));
    } while (more && have < bytes.size());
    if (!more) break;
  }
  return import.Finish();
}

/// ImportInPieces with random pieces of 1 to `max_piece` bytes.
inline Result<Export> ImportInRandomPieces(const std::vector<InputFile>& files, Rng& rng,
                                           size_t max_piece) {
  return ImportInPieces(files, [&](size_t, size_t) { return 1 + rng.Below(max_piece); });
}

}  // namespace clinic::test
