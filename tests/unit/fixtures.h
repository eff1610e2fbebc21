// Small hand-written exports for the report tests, built through the real
// ExportBuilder so the tests see exactly what an importer would produce
// (sorted lines, undeclared references kept by id, last_day over all statuses).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "date.h"
#include "model.h"
#include "money.h"
#include "reports.h"
#include "status.h"

namespace clinic::test {

/// "2024-01-05" as a day number; fails the test on a typo.
inline Day D(std::string_view text) {
  const std::optional<Day> day = ParseDate(text);
  REQUIRE_MESSAGE(day.has_value(), "bad fixture date: " << std::string(text));
  return *day;
}

/// "12.50" as Money (1/10000 units); fails the test on a typo.
inline Money M(std::string_view text) {
  const std::optional<Money> amount = ParseAmount(text, false);
  REQUIRE_MESSAGE(amount.has_value(), "bad fixture amount: " << std::string(text));
  return *amount;
}

/// Builds an Export line by line:
///   Fixture f;
///   f.Employee("E1", "Alice").Patient("P1", "Anna", "L1", "5.00");
///   f.Line("2024-01-05", "P1", "E1", "D1", "100.00");
///   Export data = f.Build();
/// Empty employee/division strings mean "none".
class Fixture {
 public:
  Fixture() { builder_.SetFormat("json", {"fixture.json"}); }

  Fixture& Division(std::string_view id, std::string_view name) {
    REQUIRE(builder_.AddDivision(id, name));
    return *this;
  }
  Fixture& Employee(std::string_view id, std::string_view name, std::string_view division = "") {
    REQUIRE(builder_.AddEmployee(id, name, division, ++source_line_));
    return *this;
  }
  Fixture& PriceList(std::string_view id, std::string_view name) {
    REQUIRE(builder_.AddPriceList(id, name));
    return *this;
  }
  /// `bonus` empty = no bonus balance.
  Fixture& Patient(std::string_view id, std::string_view name, std::string_view price_list = "",
                   std::string_view bonus = "") {
    std::optional<Money> balance;
    if (!bonus.empty()) balance = M(bonus);
    REQUIRE(builder_.AddPatient(id, name, price_list, balance, kNoDay, ++source_line_));
    return *this;
  }

  Fixture& Line(std::string_view day, std::string_view patient, std::string_view employee,
                std::string_view division, std::string_view amount,
                LineKind kind = LineKind::kService,
                LineStatus status = LineStatus::kCompleted) {
    LineInput line;
    line.day = D(day);
    line.patient = patient;
    line.employee = employee;
    line.division = division;
    line.amount = M(amount);
    line.kind = kind;
    line.status = status;
    line.source_line = ++source_line_;
    const Status added = builder_.AddLine(line);
    REQUIRE_MESSAGE(added.ok(), added.error().message);
    return *this;
  }
  Fixture& Goods(std::string_view day, std::string_view patient, std::string_view employee,
                 std::string_view division, std::string_view amount) {
    return Line(day, patient, employee, division, amount, LineKind::kGoods);
  }
  Fixture& Cancelled(std::string_view day, std::string_view patient, std::string_view employee,
                     std::string_view division, std::string_view amount) {
    return Line(day, patient, employee, division, amount, LineKind::kService,
                LineStatus::kCancelled);
  }
  Fixture& NoShow(std::string_view day, std::string_view patient, std::string_view employee,
                  std::string_view division, std::string_view amount) {
    return Line(day, patient, employee, division, amount, LineKind::kService,
                LineStatus::kNoShow);
  }

  Export Build() {
    Result<Export> built = builder_.Finish();
    REQUIRE_MESSAGE(built.ok(), (built.ok() ? std::string() : built.error().message));
    return std::move(built).value();
  }

 private:
  ExportBuilder builder_;
  uint64_t source_line_ = 0;
};

/// ReportOptions written fluently: Options().From("2024-02-01").To("2024-02-29").Top(3).
struct Options {
  ReportOptions value;

  Options& From(std::string_view day) { value.from = D(day); return *this; }
  Options& To(std::string_view day) { value.to = D(day); return *this; }
  Options& Top(uint32_t n) { value.top = n; return *this; }
  Options& Division(std::string_view id) { value.division_id = std::string(id); return *this; }
  Options& Employee(std::string_view id) { value.employee_id = std::string(id); return *this; }
  Options& AllDivisions() { value.all_divisions = true; return *this; }
  Options& Window(int32_t days) { value.return_window = days; return *this; }
  Options& NewPerEmployee() { value.new_per_employee = true; return *this; }

  operator const ReportOptions&() const { return value; }  // NOLINT: implicit by design
};

/// Ids make failures readable: the patient/employee/division id of an index.
inline std::string PatientId(const Export& data, Index p) {
  return std::string(data.patients.ids[p]);
}
inline std::string EmployeeId(const Export& data, Index e) {
  return e == kNone ? std::string() : std::string(data.employees.ids[e]);
}
inline std::string DivisionId(const Export& data, Index d) {
  return d == kNone ? std::string() : std::string(data.divisions.ids[d]);
}

/// A table's ids or names, to compare with a list: Strings(data.patients.ids) == {...}.
template <class Column>
std::vector<std::string> Strings(const Column& column) {
  std::vector<std::string> out;
  for (size_t i = 0; i < column.size(); ++i) out.emplace_back(column[static_cast<Index>(i)]);
  return out;
}

/// Unwraps a report (by value, so a temporary Result is safe), failing the test otherwise.
template <class T>
T Ok(Result<T> result) {
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? std::string() : result.error().message));
  return std::move(result).value();
}

/// An import error as a test expects it: its code and every member of its location.
struct ExpectedError {
  std::string_view code;
  std::string_view file;
  uint64_t line;
  uint64_t column;
  std::string_view field;
  std::string_view value;
};

/// Checks the code and every member of the location of an import that must fail.
inline void CheckError(const Result<Export>& result, const ExpectedError& e) {
  REQUIRE_FALSE(result.ok());
  const Error& error = result.error();
  INFO("message: " << error.message);
  CHECK(error.code == e.code);
  CHECK(error.where.file == e.file);
  CHECK(error.where.line == e.line);
  CHECK(error.where.column == e.column);
  CHECK(error.where.field == e.field);
  CHECK(error.where.value == e.value);
}

/// The error of a report that must fail.
template <class T>
Error Failed(const Result<T>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error();
}

}  // namespace clinic::test
