// ImportJson: strict JSON, the clinic-export schema, and exact error locations.
// Line and column numbers were counted independently of the importer (by a
// script locating the offending text in the same documents).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "fixtures.h"
#include "import.h"

namespace clinic {
namespace {

// Line 1: format and version; then `tables` (whole lines); then "visits":[ on
// its own line, one visit per line, and ]} on the last line.
std::string Doc(std::initializer_list<std::string_view> visits, std::string_view tables = "") {
  std::string out = "{\"format\":\"clinic-export\",\"version\":1,\n";
  out += tables;
  out += "\"visits\":[\n";
  bool first = true;
  for (std::string_view v : visits) {
    if (!first) out += ",\n";
    out += v;
    first = false;
  }
  out += "\n]}\n";
  return out;
}

constexpr std::string_view kOk = R"({"date":"2024-01-05","patient":"P1","amount":"12.50"})";

Result<Export> Json(std::string_view doc) { return ImportJson("export.json", doc); }

struct Expected {
  std::string_view code;
  uint64_t line;
  uint64_t column;
  std::string_view field;
  std::string_view value;
};

// Checks every member of the error's code and location (the file is always export.json).
void CheckError(const Result<Export>& result, const Expected& e) {
  test::CheckError(result, {e.code, "export.json", e.line, e.column, e.field, e.value});
}

using test::Ok;  // the export of a successful import (the test stops otherwise)

TEST_CASE("ImportJson: a valid export") {
  const std::string doc = R"({
  "format": "clinic-export", "version": 1,
  "clinic": {"name": "Riverside", "currency": "EUR"},
  "divisions": [{"id": "D1", "name": "Therapy"}],
  "employees": [{"id": "E1", "name": "Anna", "division": "D1"}, {"id": "E2"}],
  "priceLists": [{"id": "L1", "name": "Standard"}],
  "patients": [{"id": "P1", "name": "Maria", "priceList": "L1", "bonusBalance": "12.50",
                "registered": "2023-11-20"},
               {"id": 7, "name": null, "bonusBalance": 0}],
  "visits": [
    {"id": "V1", "date": "2024-01-05", "patient": "P1", "employee": "E1", "division": "D1",
     "amount": "45.00", "kind": "service", "status": "completed", "service": "Consultation"},
    {"id": "V2", "date": "2024-01-05T10:30:00+02:00", "patient": "P1", "employee": "E1",
     "amount": 12.9, "kind": "goods"},
    {"date": "2024-01-03", "patient": 7, "amount": -20, "employee": null},
    {"date": "2024-01-04", "patient": "7", "amount": "99", "status": "cancelled"},
    {"date": "2024-02-01", "patient": "P1", "amount": "1", "status": "no-show"}
  ]
})";
  const Export& data = Ok(Json(doc));
  SUBCASE("clinic") {
    CHECK(data.clinic_name == "Riverside");
    CHECK(data.currency == "EUR");
  }
  SUBCASE("tables") {
    CHECK(test::Strings(data.divisions.ids) == std::vector<std::string>{"D1"});
    CHECK(test::Strings(data.divisions.names) == std::vector<std::string>{"Therapy"});
    CHECK(test::Strings(data.employees.ids) == std::vector<std::string>{"E1", "E2"});
    CHECK(test::Strings(data.employees.names) ==
          std::vector<std::string>{"Anna", "E2"});  // name defaults to id
    CHECK(data.employee_division == std::vector<Index>{0, kNone});
    CHECK(test::Strings(data.price_lists.names) == std::vector<std::string>{"Standard"});
    CHECK(test::Strings(data.patients.ids) ==
          std::vector<std::string>{"P1", "7"});  // integer id as text
    CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Maria", "7"});
    CHECK(data.patient_price_list == std::vector<Index>{0, kNone});
    CHECK(data.patient_bonus == std::vector<Money>{125000, 0});
    CHECK(data.patient_has_bonus == std::vector<uint8_t>{1, 1});
    CHECK(data.patient_registered == std::vector<Day>{19681, kNoDay});  // 2023-11-20
  }
  SUBCASE("lines, sorted by patient then day") {
    const Lines& l = data.lines;
    REQUIRE(l.size() == 3);  // completed only
    CHECK(l.patient == std::vector<Index>{0, 0, 1});
    CHECK(l.day == std::vector<Day>{19727, 19727, 19725});
    CHECK(l.amount == std::vector<Money>{450000, 129000, -200000});
    CHECK(l.kind ==
          std::vector<LineKind>{LineKind::kService, LineKind::kGoods, LineKind::kService});
    CHECK(l.employee == std::vector<Index>{0, 0, kNone});
    CHECK(l.division == std::vector<Index>{0, kNone, kNone});
  }
  SUBCASE("summary") {
    const ImportSummary& s = data.summary;
    CHECK(s.format == "json");
    CHECK(s.files == std::vector<std::string>{"export.json"});
    CHECK(s.lines == 5);
    CHECK(s.completed == 3);
    CHECK(s.cancelled == 1);
    CHECK(s.no_show == 1);
    CHECK(s.completed_amount == 379000);
    CHECK(s.cancelled_amount == 990000);
    CHECK(s.no_show_amount == 10000);
    CHECK(s.goods_lines == 1);
    CHECK(s.refund_lines == 1);
    CHECK(s.visits == 2);
    CHECK(s.first_day == 19725);
    CHECK(s.last_day == 19754);  // 2024-02-01
    CHECK(s.divisions == 1);
    CHECK(s.employees == 2);
    CHECK(s.price_lists == 1);
    CHECK(s.patients == 2);
    CHECK(s.warnings.empty());
  }
}

TEST_CASE("ImportJson: input as a whole") {
  SUBCASE("empty") {
    const Result<Export> r = Json("");
    CheckError(r, {code::kEmptyInput, 0, 0, "", ""});
    CHECK(r.error().message == "export.json: the file is empty [input.empty]");
  }
  SUBCASE("whitespace only") { CheckError(Json(" \n\t\r\n "), {code::kEmptyInput, 0, 0, "", ""}); }
  SUBCASE("BOM only") { CheckError(Json("\xEF\xBB\xBF"), {code::kEmptyInput, 0, 0, "", ""}); }
  SUBCASE("UTF-16 LE BOM") {
    const Result<Export> r = Json(std::string_view("\xFF\xFE{\0", 4));
    CheckError(r, {code::kUtf16, 0, 0, "", ""});
    CHECK(r.error().message ==
          "export.json: the file is saved as UTF-16; save it as UTF-8 and try again [input.utf16]");
  }
  SUBCASE("UTF-16 BE BOM") { CheckError(Json("\xFE\xFF\0{"), {code::kUtf16, 0, 0, "", ""}); }
  SUBCASE("UTF-8 BOM is skipped and not counted in columns") {
    const std::string doc = "\xEF\xBB\xBF" + Doc({kOk});
    CHECK(Ok(Json(doc)).summary.lines == 1);
    const std::string bad = "\xEF\xBB\xBF{\"format\" 1}";
    CheckError(Json(bad), {code::kJsonSyntax, 1, 11, "", "1"});
  }
  SUBCASE("NUL byte between tokens") {
    const std::string doc = std::string("{\"format\":\"clinic-export\",\0", 27);
    CheckError(Json(doc), {code::kNulByte, 1, 27, "", ""});
  }
  SUBCASE("NUL byte in a string") {
    const std::string doc = std::string("{\"format\":\"clinic\0export\"}", 26);
    const Result<Export> r = Json(doc);
    CheckError(r, {code::kNulByte, 1, 18, "", ""});
    CHECK(r.error().message ==
          "export.json, line 1, column 18: the file contains a NUL byte; it is not a UTF-8 text "
          "file (save it as UTF-8) [input.nul_byte]");
  }
  SUBCASE("UTF-16 without BOM shows as a NUL byte") {
    CheckError(Json(std::string_view("{\0\"\0", 4)), {code::kNulByte, 1, 2, "", ""});
  }
  SUBCASE("CRLF line ends are counted as lines") {
    const std::string doc =
        "{\"format\":\"clinic-export\",\"version\":1,\r\n\"visits\":[\r\n"
        "{\"date\":\"2023-02-29\",\"patient\":\"P1\",\"amount\":\"1\"}\r\n]}\r\n";
    CheckError(Json(doc), {code::kJsonBadDate, 3, 9, "date", "2023-02-29"});
  }
}

TEST_CASE("ImportJson: JSON syntax errors") {
  SUBCASE("trailing comma in an array") {
    const Result<Export> r = Json(Doc({std::string(kOk) + ","}));
    CheckError(r, {code::kJsonSyntax, 3, 54, "", ","});
    CHECK(
        r.error().message ==
        "export.json, line 3, column 54: a comma before ']' is not allowed in JSON [json.syntax]");
  }
  SUBCASE("trailing comma in an object") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1",})"})),
               {code::kJsonSyntax, 3, 49, "", ","});
  }
  SUBCASE("comment") {
    const Result<Export> r = Json(Doc({std::string(kOk) + " // x"}));
    CheckError(r, {code::kJsonSyntax, 3, 55, "", "/"});
    CHECK(r.error().message ==
          "export.json, line 3, column 55: the JSON is broken here: expected ',' or ']', found a "
          "comment (JSON has no comments) [json.syntax]");
  }
  SUBCASE("leading zero") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":012})"})),
               {code::kJsonSyntax, 3, 46, "", "01"});
  }
  SUBCASE("NaN") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":NaN})"})),
               {code::kJsonSyntax, 3, 46, "", "NaN"});
  }
  SUBCASE("-Infinity") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":-Infinity})"})),
               {code::kJsonSyntax, 3, 46, "", "-I"});
  }
  SUBCASE("misspelt literal") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1","x":tru})"})),
               {code::kJsonSyntax, 3, 54, "", "t"});
  }
  SUBCASE("bad escape") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P\x1","amount":"1"})"})),
               {code::kJsonSyntax, 3, 34, "", "\\x"});
  }
  SUBCASE("single quotes") {
    const Result<Export> r = Json(Doc({"{'date':'2024-01-05'}"}));
    CheckError(r, {code::kJsonSyntax, 3, 2, "", "'"});
    CHECK(r.error().message ==
          "export.json, line 3, column 2: the JSON is broken here: expected a key in double "
          "quotes, found a single quote (JSON strings use double quotes) [json.syntax]");
  }
  SUBCASE("raw tab in a string") {
    CheckError(Json(Doc({"{\"date\":\"2024-01-05\",\"patient\":\"P\t1\",\"amount\":\"1\"}"})),
               {code::kJsonSyntax, 3, 34, "", ""});
  }
  SUBCASE("raw line break in a string") {
    const Result<Export> r =
        Json(Doc({"{\"date\":\"2024-01-05\",\"patient\":\"P\n1\",\"amount\":\"1\"}"}));
    CheckError(r, {code::kJsonSyntax, 3, 34, "", ""});
    CHECK(r.error().message ==
          "export.json, line 3, column 34: a line break inside a string must be written as \\n "
          "(or is a closing '\"' missing?) [json.syntax]");
  }
  SUBCASE("missing colon") {
    CheckError(Json(Doc({R"({"date" "2024-01-05","patient":"P1","amount":"1"})"})),
               {code::kJsonSyntax, 3, 9, "", "\""});
  }
  SUBCASE("lone high surrogate") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P\ud800","amount":"1"})"})),
               {code::kJsonSyntax, 3, 34, "", "\\ud800"});
  }
  SUBCASE("high surrogate followed by a non-surrogate escape") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P\ud800\u0041","amount":"1"})"})),
               {code::kJsonSyntax, 3, 34, "", "\\ud800"});
  }
  SUBCASE("lone low surrogate") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P\udc00","amount":"1"})"})),
               {code::kJsonSyntax, 3, 34, "", "\\udc00"});
  }
  SUBCASE("short \\u escape") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P\u12","amount":"1"})"})),
               {code::kJsonSyntax, 3, 34, "", "\\u12\","});
  }
  SUBCASE("text after the document") {
    const Result<Export> r = Json(Doc({kOk}) + "x");
    CheckError(r, {code::kJsonSyntax, 5, 1, "", "x"});
    CHECK(r.error().message ==
          "export.json, line 5, column 1: unexpected text after the end of the JSON data (only "
          "one top-level object is allowed) [json.syntax]");
  }
  SUBCASE("a second document") {
    CheckError(Json(Doc({kOk}) + "{}"), {code::kJsonSyntax, 5, 1, "", "{}"});
  }
  SUBCASE("cut off after a value") {
    const Result<Export> r = Json(
        "{\"format\":\"clinic-export\",\"version\":1,\n\"visits\":[\n{\"date\":\"2024-01-05\"");
    CheckError(r, {code::kJsonSyntax, 3, 21, "", ""});
    CHECK(r.error().message ==
          "export.json, line 3, column 21: the JSON is broken here: expected ',' or '}', but the "
          "file ends (is it cut off?) [json.syntax]");
  }
  SUBCASE("cut off inside a string: located at its opening quote") {
    CheckError(
        Json("{\"format\":\"clinic-export\",\"version\":1,\n\"visits\":[\n{\"date\":\"2024-01"),
        {code::kJsonSyntax, 3, 9, "", ""});
  }
  SUBCASE("cut off after a key") {
    CheckError(Json("{\"format\""), {code::kJsonSyntax, 1, 10, "", ""});
  }
  SUBCASE("minus without digits") {
    CheckError(Json("{\"x\":-}"), {code::kJsonSyntax, 1, 7, "", "}"});
  }
  SUBCASE("point without digits") {
    CheckError(Json("{\"x\":1.}"), {code::kJsonSyntax, 1, 8, "", "}"});
  }
  SUBCASE("exponent without digits") {
    CheckError(Json("{\"x\":1e}"), {code::kJsonSyntax, 1, 8, "", "}"});
  }
  SUBCASE("unquoted key") { CheckError(Json("{format:1}"), {code::kJsonSyntax, 1, 2, "", "f"}); }
  SUBCASE("missing comma") {
    CheckError(Json("{\"a\":1 \"b\":2}"), {code::kJsonSyntax, 1, 8, "", "\""});
  }
  SUBCASE("non-ASCII outside strings is named, not shown") {
    const Result<Export> r = Json("{\"a\":\xC3\xA9}");
    CheckError(r, {code::kJsonSyntax, 1, 6, "", "\xC3\xA9"});
    CheckError(Json("{\"a\":\xFF}"), {code::kJsonSyntax, 1, 6, "", ""});
  }
}

TEST_CASE("ImportJson: invalid UTF-8 in strings") {
  auto doc = [](std::string_view patient) {
    return Doc({"{\"date\":\"2024-01-05\",\"patient\":\"P" + std::string(patient) +
                "\",\"amount\":\"1\"}"});
  };
  SUBCASE("overlong encoding") {
    const Result<Export> r = Json(doc("\xC0\x80"));
    CheckError(r, {code::kBadUtf8, 3, 34, "", ""});
    CHECK(r.error().message ==
          "export.json, line 3, column 34: the byte 0xC0 inside a string is not valid UTF-8; save "
          "the file as UTF-8 [input.bad_utf8]");
  }
  SUBCASE("overlong three bytes") {
    CheckError(Json(doc("\xE0\x80\xAF")), {code::kBadUtf8, 3, 34, "", ""});
  }
  SUBCASE("UTF-16 surrogate encoded") {
    CheckError(Json(doc("\xED\xA0\x80")), {code::kBadUtf8, 3, 34, "", ""});
  }
  SUBCASE("beyond U+10FFFF") {
    CheckError(Json(doc("\xF4\x90\x80\x80")), {code::kBadUtf8, 3, 34, "", ""});
  }
  SUBCASE("truncated sequence") {
    CheckError(Json(doc("\xE2\x82")), {code::kBadUtf8, 3, 34, "", ""});
  }
  SUBCASE("lone continuation byte") {
    CheckError(Json(doc("\x80")), {code::kBadUtf8, 3, 34, "", ""});
  }
  SUBCASE("Latin-1 byte") { CheckError(Json(doc("\xE9")), {code::kBadUtf8, 3, 34, "", ""}); }
  SUBCASE("after an escape") { CheckError(Json(doc("\\n\xFF")), {code::kBadUtf8, 3, 36, "", ""}); }
  SUBCASE("valid 2, 3 and 4 byte characters") {
    const Export& data = Ok(Json(doc("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80")));
    CHECK(data.patients.ids[0] == "P\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  }
}

TEST_CASE("ImportJson: nesting depth") {
  SUBCASE("10,000 levels in an unknown key") {
    const std::string doc = "{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
    const Result<Export> r = Json(doc);
    // The 512th '[' would be the 513th level (the top object is the first).
    CheckError(r, {code::kJsonTooDeep, 1, 517, "", "["});
    CHECK(r.error().message ==
          "export.json, line 1, column 517: the data is nested more than 512 levels deep; a "
          "clinic export never is [json.too_deep]");
  }
  SUBCASE("10,000 levels at the top") {
    CheckError(Json(std::string(10000, '[')), {code::kJsonTooDeep, 1, 513, "", "["});
  }
  SUBCASE("10,000 objects deep") {
    std::string doc;
    for (int i = 0; i < 10000; ++i) doc += "{\"a\":";
    CheckError(Json(doc), {code::kJsonTooDeep, 1, 512 * 5 + 1, "", "{"});
  }
  SUBCASE("exactly 512 levels are accepted") {
    const std::string doc =
        "{\"format\":\"clinic-export\",\"version\":1,\"x\":" + std::string(511, '[') +
        std::string(511, ']') + ",\"visits\":[]}";
    CHECK(Ok(Json(doc)).summary.lines == 0);
  }
  SUBCASE("inside a visit: 512 levels accepted, 513 refused") {
    const std::string doc = Doc({"{\"x\":" + std::string(509, '[') + std::string(509, ']') +
                                 ",\"date\":\"2024-01-05\",\"patient\":\"P1\",\"amount\":\"1\"}"});
    CHECK(Ok(Json(doc)).summary.lines == 1);  // top, visits, visit + 509 = 512 levels
    const std::string deeper =
        Doc({"{\"x\":" + std::string(510, '[') + std::string(510, ']') +
             ",\"date\":\"2024-01-05\",\"patient\":\"P1\",\"amount\":\"1\"}"});
    CheckError(Json(deeper), {code::kJsonTooDeep, 3, 515, "", "["});
  }
}

TEST_CASE("ImportJson: not a clinic export") {
  SUBCASE("no format") {
    const Result<Export> r = Json(R"({"version":1,"visits":[]})");
    CheckError(r, {code::kJsonFormat, 1, 1, "format", ""});
    CHECK(r.error().message ==
          "export.json, line 1, column 1 (format): this JSON file is not a clinic export: it has "
          "no \"format\": \"clinic-export\" [json.format]");
  }
  SUBCASE("another format") {
    const Result<Export> r = Json(R"({"format":"clinic-exports","version":1,"visits":[]})");
    CheckError(r, {code::kJsonFormat, 1, 11, "format", "clinic-exports"});
    CHECK(r.error().message ==
          "export.json, line 1, column 11 (format): this JSON file is not a clinic export: "
          "\"format\" is \"clinic-exports\", expected \"clinic-export\" [json.format]");
  }
  SUBCASE("format is a number") {
    CheckError(Json(R"({"format":1,"version":1,"visits":[]})"),
               {code::kJsonFormat, 1, 11, "format", "1"});
  }
  SUBCASE("format null is missing") {
    CheckError(Json(R"({"format":null,"version":1,"visits":[]})"),
               {code::kJsonFormat, 1, 1, "format", ""});
  }
  SUBCASE("top level is an array") {
    const Result<Export> r = Json("  [1, 2]");
    CheckError(r, {code::kJsonFormat, 1, 3, "", ""});
    CHECK(r.error().message ==
          "export.json, line 1, column 3: this JSON file is not a clinic export: it must be an "
          "object with \"format\": \"clinic-export\" [json.format]");
  }
  SUBCASE("top level is a string") { CheckError(Json("\"x\""), {code::kJsonFormat, 1, 1, "", ""}); }
  SUBCASE("a broken array is broken JSON first") {
    CheckError(Json("[1, 2"), {code::kJsonSyntax, 1, 6, "", ""});
  }
  SUBCASE("wrong format wins over content errors") {
    CheckError(Json(R"({"visits":[{"amount":true}],"format":"other"})"),
               {code::kJsonFormat, 1, 38, "format", "other"});
  }
  SUBCASE("version 2") {
    const Result<Export> r = Json(R"({"version":2,"format":"clinic-export","visits":[]})");
    CheckError(r, {code::kJsonVersion, 1, 12, "version", "2"});
    CHECK(r.error().message ==
          "export.json, line 1, column 12 (version): export version \"2\" is not supported; this "
          "program reads version 1 (the number 1) [json.version]");
  }
  SUBCASE("version as a string") {
    CheckError(Json(R"({"format":"clinic-export","version":"1","visits":[]})"),
               {code::kJsonVersion, 1, 37, "version", "1"});
  }
  SUBCASE("version 1.0") {
    CheckError(Json(R"({"format":"clinic-export","version":1.0,"visits":[]})"),
               {code::kJsonVersion, 1, 37, "version", "1.0"});
  }
  SUBCASE("no version") {
    CheckError(Json(R"({"format":"clinic-export","visits":[]})"),
               {code::kJsonVersion, 1, 1, "version", ""});
  }
  SUBCASE("no visits") {
    const Result<Export> r = Json(R"({"format":"clinic-export","version":1})");
    CheckError(r, {code::kJsonNoVisits, 1, 1, "visits", ""});
    CHECK(r.error().message ==
          "export.json, line 1, column 1 (visits): the export has no \"visits\" array, so there "
          "is nothing to report on [json.no_visits]");
  }
  SUBCASE("visits null") {
    CheckError(Json(R"({"format":"clinic-export","version":1,"visits":null})"),
               {code::kJsonNoVisits, 1, 1, "visits", ""});
  }
  SUBCASE("empty visits are fine") {
    CHECK(Ok(Json(R"({"format":"clinic-export","version":1,"visits":[]})")).summary.lines == 0);
  }
  SUBCASE("empty object") { CheckError(Json("{}"), {code::kJsonFormat, 1, 1, "format", ""}); }
}

TEST_CASE("ImportJson: field types and values") {
  SUBCASE("visits is an object") {
    const Result<Export> r = Json(R"({"format":"clinic-export","version":1,"visits":{}})");
    CheckError(r, {code::kJsonType, 1, 48, "visits", "{}"});
    CHECK(r.error().message ==
          "export.json, line 1, column 48 (visits): \"visits\" must be an array, not an object "
          "[json.type]");
  }
  SUBCASE("a visit is not an object") {
    const Result<Export> r = Json(R"({"format":"clinic-export","version":1,"visits":[1]})");
    CheckError(r, {code::kJsonType, 1, 49, "visits", "1"});
    CHECK(r.error().message ==
          "export.json, line 1, column 49 (visits): visits[0] must be an object, not a number "
          "[json.type]");
  }
  SUBCASE("missing amount, reported at the visit's '{'") {
    const Result<Export> r = Json(Doc({kOk, R"({"date":"2024-01-05","patient":"P1"})"}));
    CheckError(r, {code::kJsonMissingField, 4, 1, "amount", ""});
    CHECK(r.error().message ==
          "export.json, line 4, column 1 (amount): visits[1]: the required field \"amount\" is "
          "missing [json.missing_field]");
  }
  SUBCASE("missing date") {
    CheckError(Json(Doc({R"({"patient":"P1","amount":"1"})"})),
               {code::kJsonMissingField, 3, 1, "date", ""});
  }
  SUBCASE("missing patient") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","amount":"1","patient":null})"})),
               {code::kJsonMissingField, 3, 1, "patient", ""});
  }
  SUBCASE("empty patient") {
    const Result<Export> r = Json(Doc({R"({"date":"2024-01-05","patient":"","amount":"1"})"}));
    CheckError(r, {code::kJsonMissingField, 3, 32, "patient", ""});
    CHECK(r.error().message ==
          "export.json, line 3, column 32 (patient): visits[0]: the required field \"patient\" is "
          "empty [json.missing_field]");
  }
  SUBCASE("empty amount") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":""})"})),
               {code::kJsonMissingField, 3, 46, "amount", ""});
  }
  SUBCASE("amount true") {
    const Result<Export> r = Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":true})"}));
    CheckError(r, {code::kJsonType, 3, 46, "amount", "true"});
    CHECK(r.error().message ==
          "export.json, line 3, column 46 (amount): visits[0]: \"amount\" must be a number or a "
          "string, not true [json.type]");
  }
  SUBCASE("amount an array") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":[1, 2]})"})),
               {code::kJsonType, 3, 46, "amount", "[1, 2]"});
  }
  SUBCASE("five decimals in a string") {
    const Result<Export> r =
        Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"12.34567"})"}));
    CheckError(r, {code::kJsonBadAmount, 3, 46, "amount", "12.34567"});
    CHECK(r.error().message ==
          "export.json, line 3, column 46 (amount): visits[0]: \"12.34567\" is not a valid amount: "
          "at most 4 decimals are allowed [json.bad_amount]");
  }
  SUBCASE("five decimals in a number") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":12.34567})"})),
               {code::kJsonBadAmount, 3, 46, "amount", "12.34567"});
  }
  SUBCASE("exponent, in the second visit") {
    const Result<Export> r =
        Json(Doc({kOk, R"({"date":"2024-01-05","patient":"P1","amount":1e3})"}));
    CheckError(r, {code::kJsonBadAmount, 4, 46, "amount", "1e3"});
    CHECK(r.error().message ==
          "export.json, line 4, column 46 (amount): visits[1]: \"1e3\" is not a valid amount: "
          "exponents (like 1e5) are not allowed, write the digits out [json.bad_amount]");
  }
  SUBCASE("decimal comma is not JSON's") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1,5"})"})),
               {code::kJsonBadAmount, 3, 46, "amount", "1,5"});
  }
  SUBCASE("amount out of range") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":922337203685477.5808})"})),
               {code::kJsonBadAmount, 3, 46, "amount", "922337203685477.5808"});
  }
  SUBCASE("impossible date") {
    const Result<Export> r = Json(Doc({R"({"date":"2023-02-29","patient":"P1","amount":"1"})"}));
    CheckError(r, {code::kJsonBadDate, 3, 9, "date", "2023-02-29"});
    CHECK(r.error().message ==
          "export.json, line 3, column 9 (date): visits[0]: \"2023-02-29\" is not a valid date: "
          "write YYYY-MM-DD (a real calendar date, years 1900 to 2199), optionally followed by a "
          "time [json.bad_date]");
  }
  SUBCASE("date as a number") {
    CheckError(Json(Doc({R"({"date":20240105,"patient":"P1","amount":"1"})"})),
               {code::kJsonType, 3, 9, "date", "20240105"});
  }
  SUBCASE("id with a fraction") {
    const Result<Export> r = Json(Doc({R"({"date":"2024-01-05","patient":4.2,"amount":"1"})"}));
    CheckError(r, {code::kJsonType, 3, 32, "patient", "4.2"});
    CHECK(r.error().message ==
          "export.json, line 3, column 32 (patient): visits[0]: \"patient\" must be a string (or a "
          "whole number), not a number [json.type]");
  }
  SUBCASE("bad kind") {
    const Result<Export> r =
        Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1","kind":"other"})"}));
    CheckError(r, {code::kJsonBadValue, 3, 57, "kind", "other"});
    CHECK(r.error().message ==
          "export.json, line 3, column 57 (kind): visits[0]: \"other\" is not a valid kind: use "
          "\"service\" or \"goods\" [json.bad_value]");
  }
  SUBCASE("bad status") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1","status":"done"})"})),
               {code::kJsonBadValue, 3, 59, "status", "done"});
  }
  SUBCASE("kind and status ignore case; no_show and canceled accepted") {
    const Export& data = Ok(Json(Doc({
        R"({"date":"2024-01-05","patient":"P1","amount":"1","kind":"GOODS","status":"Completed"})",
        R"({"date":"2024-01-05","patient":"P1","amount":"2","status":"No-Show"})",
        R"({"date":"2024-01-05","patient":"P1","amount":"3","status":"no_show"})",
        R"({"date":"2024-01-05","patient":"P1","amount":"4","status":"canceled"})",
        R"({"date":"2024-01-05","patient":"P1","amount":"5","status":"CANCELLED"})",
    })));
    CHECK(data.summary.goods_lines == 1);
    CHECK(data.summary.no_show == 2);
    CHECK(data.summary.cancelled == 2);
  }
  SUBCASE("kind as a number") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1","kind":1})"})),
               {code::kJsonType, 3, 57, "kind", "1"});
  }
  SUBCASE("service must be a string") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"1","service":{}})"})),
               {code::kJsonType, 3, 60, "service", "{}"});
  }
  SUBCASE("clinic is a string") {
    const Result<Export> r = Json(Doc({kOk}, "\"clinic\":\"x\",\n"));
    CheckError(r, {code::kJsonType, 2, 10, "clinic", "x"});
    CHECK(r.error().message ==
          "export.json, line 2, column 10 (clinic): \"clinic\" must be an object, not a string "
          "[json.type]");
  }
  SUBCASE("clinic name is a number") {
    const Result<Export> r = Json(Doc({kOk}, "\"clinic\":{\"name\":5},\n"));
    CheckError(r, {code::kJsonType, 2, 18, "name", "5"});
    CHECK(r.error().message ==
          "export.json, line 2, column 18 (name): clinic: \"name\" must be a string, not a number "
          "[json.type]");
  }
  SUBCASE("patient registered date") {
    CheckError(Json(Doc({kOk}, "\"patients\":[{\"id\":\"P1\",\"registered\":\"2024-02-30\"}],\n")),
               {code::kJsonBadDate, 2, 37, "registered", "2024-02-30"});
  }
  SUBCASE("patient bonus balance") {
    const Result<Export> r =
        Json(Doc({kOk}, "\"patients\":[{\"id\":\"P1\",\"bonusBalance\":\"1 000\"}],\n"));
    CheckError(r, {code::kJsonBadAmount, 2, 39, "bonusBalance", "1 000"});
  }
  SUBCASE("a table entry without id") {
    CheckError(Json(Doc({kOk}, "\"employees\":[{\"name\":\"Anna\"}],\n")),
               {code::kJsonMissingField, 2, 14, "id", ""});
  }
  SUBCASE("a table entry that is a string") {
    CheckError(Json(Doc({kOk}, "\"divisions\":[\"D1\"],\n")),
               {code::kJsonType, 2, 14, "divisions", "D1"});
  }
}

TEST_CASE("ImportJson: duplicate ids") {
  SUBCASE("divisions") {
    const Result<Export> r =
        Json(Doc({kOk}, R"("divisions":[{"id":"D1","name":"A"},{"id":"D1","name":"B"}],)"
                        "\n"));
    CheckError(r, {code::kJsonDuplicateId, 2, 43, "id", "D1"});
    CHECK(r.error().message ==
          "export.json, line 2, column 43 (id): divisions[1]: the id \"D1\" appears twice in "
          "divisions [json.duplicate_id]");
  }
  SUBCASE("employees") {
    CheckError(Json(Doc({kOk}, R"("employees":[{"id":"E1"},{"id":"E1"}],)"
                               "\n")),
               {code::kJsonDuplicateId, 2, 32, "id", "E1"});
  }
  SUBCASE("price lists") {
    CheckError(Json(Doc({kOk}, R"("priceLists":[{"id":"L"},{"id":"L"}],)"
                               "\n")),
               {code::kJsonDuplicateId, 2, 32, "id", "L"});
  }
  SUBCASE("patients: a number and a string with the same text") {
    CheckError(Json(Doc({kOk}, R"("patients":[{"id":7},{"id":"7"}],)"
                               "\n")),
               {code::kJsonDuplicateId, 2, 28, "id", "7"});
  }
  SUBCASE("visit line ids") {
    const Result<Export> r =
        Json(Doc({R"({"id":"V1","date":"2024-01-05","patient":"P1","amount":"1"})",
                  R"({"id":"V1","date":"2024-01-05","patient":"P1","amount":"1"})"}));
    CheckError(r, {code::kJsonDuplicateId, 4, 7, "id", "V1"});
    CHECK(r.error().message ==
          "export.json, line 4, column 7 (id): visits[1]: the visit line id \"V1\" appears twice "
          "[json.duplicate_id]");
  }
  SUBCASE("visits without ids are not duplicates") {
    CHECK(Ok(Json(Doc({kOk, kOk}))).summary.lines == 2);
  }
}

TEST_CASE("ImportJson: JSON details") {
  SUBCASE("repeated keys: the last one wins") {
    const Export& data =
        Ok(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":true,"amount":"2"})",
                     R"({"date":"2024-01-05","patient":"P1","amount":"1","amount":3})"})));
    CHECK(data.summary.completed_amount == 50000);
  }
  SUBCASE("a list given twice at the top level is refused") {
    const Result<Export> r =
        Json(R"({"format":"clinic-export","version":1,"visits":[],"visits":[]})");
    CheckError(r, {code::kJsonBadValue, 1, 60, "visits", ""});
    CHECK(r.error().message ==
          "export.json, line 1, column 60 (visits): the key \"visits\" appears twice at the top "
          "level; an export has only one of each [json.bad_value]");
    CheckError(Json(Doc({kOk}, "\"clinic\":null,\"clinic\":{},\n")),
               {code::kJsonBadValue, 2, 24, "clinic", ""});
  }
  SUBCASE("repeated top-level format: the last one wins") {
    CHECK(Ok(Json(R"({"format":"x","version":1,"visits":[],"format":"clinic-export"})"))
              .summary.lines == 0);
  }
  SUBCASE("unknown keys are skipped, whatever they hold") {
    const std::string doc = R"({"format":"clinic-export","meta":{"a":[1,{"b":null}],"c":"\"}"},
      "version":1,"visits":[{"x":{"date":"bad"},"date":"2024-01-05","y":[true,false,-0.5e-3],
      "patient":"P1","amount":"1","z":"]"}],"extra":[{"visits":1}]})";
    const Export& data = Ok(Json(doc));
    CHECK(data.summary.lines == 1);
    CHECK(data.summary.completed_amount == 10000);
  }
  SUBCASE("escaped keys match") {
    const Export& data =
        Ok(Json(Doc({R"({"d\u0061te":"2024-01-05","patient":"P1","\u0061mount":"7"})"})));
    CHECK(data.summary.completed_amount == 70000);
  }
  SUBCASE("keys remembered by position: other orders, escapes, near misses and errors") {
    // Every element is read as if alone, whatever the keys of the one before.
    const Export& data = Ok(Json(Doc({
        R"({"date":"2024-01-05","patient":"P1","amount":"1"})",
        R"({"patient":"P2","date":"2024-01-06","amount":"2"})",      // another order
        R"({"d\u0061te":"2024-01-07","patient":"P3","amount":"4"})",  // escaped, same key
        R"({"date" : "2024-01-08", "patient":"P4","amount":"8"})",   // space before ':'
        R"({"datex":"x","date":"2024-01-09","patient":"P5","amount":"16"})",  // longer key first
        R"({"dat":"x","date":"2024-01-10","patient":"P6","amount":"32"})",    // shorter key first
        R"({"date":"2024-01-11","patient":"P7","amount":"64"})",
    })));
    CHECK(data.summary.lines == 7);
    CHECK(data.summary.completed_amount == 1270000);  // 1 + 2 + ... + 64 = 127
    CHECK(test::Strings(data.patients.ids) ==
          std::vector<std::string>{"P1", "P2", "P3", "P4", "P5", "P6", "P7"});
    // A remembered key followed by something other than ':' is still a syntax error.
    CheckError(Json(Doc({kOk, R"({"date" "2024-01-05"})"})), {code::kJsonSyntax, 4, 9, "", "\""});
  }
  SUBCASE("escapes are decoded in every field") {
    const Export& data = Ok(Json(Doc(
        {R"({"date":"2024\u002d01-05","patient":"P\"1\"","employee":"E\\1","amount":"\u0031\u0032"})"},
        R"("patients":[{"id":"P\"1\"","name":"Max \"Maxi\" \u00e9 \ud83d\ude00 \/ \b\f\n\r\t"}],)"
        "\n")));
    CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P\"1\""});
    CHECK(data.patients.names[0] == "Max \"Maxi\" \xC3\xA9 \xF0\x9F\x98\x80 / \b\f\n\r\t");
    CHECK(test::Strings(data.employees.ids) == std::vector<std::string>{"E\\1"});
    CHECK(data.summary.completed_amount == 120000);
    CHECK(data.lines.day[0] == 19727);
    CHECK(data.summary.warnings.size() == 1);  // E\1 is not in the employees table
  }
  SUBCASE("whitespace everywhere") {
    const std::string doc =
        " \r\n\t{ \"format\" : \"clinic-export\" , \"version\" : 1 , \"visits\" : [ { \"date\" : "
        "\"2024-01-05\" , \"patient\" : \"P1\" , \"amount\" : 1 } ] } \r\n\t ";
    CHECK(Ok(Json(doc)).summary.lines == 1);
  }
  SUBCASE("numbers: minus zero, exponents elsewhere, big ints") {
    const std::string doc =
        R"({"format":"clinic-export","version":1,"n":[-0,0.5e+10,1E-2,123456789012345678901234567890],
      "visits":[{"date":"2024-01-05","patient":"P1","amount":-0}]})";
    CHECK(Ok(Json(doc)).summary.completed_amount == 0);
  }
  SUBCASE("a large integer id is kept as written") {
    const Export& data = Ok(Json(
        Doc({R"({"date":"2024-01-05","patient":123456789012345678901234567890,"amount":1})"})));
    CHECK(data.patients.ids[0] == "123456789012345678901234567890");
  }
  SUBCASE("content errors come after syntax errors") {
    // The first visit has a bad amount, the second is broken JSON: the syntax is reported.
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"x"})",
                         R"({"date":"2024-01-05","patient":"P1","amount":1,})"})),
               {code::kJsonSyntax, 4, 47, "", ","});
  }
  SUBCASE("the first content error is reported") {
    CheckError(Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"x"})",
                         R"({"date":"2024-01-05","patient":"P1","amount":"y"})"})),
               {code::kJsonBadAmount, 3, 46, "amount", "x"});
  }
  SUBCASE("amount sums beyond the exact range") {
    const Result<Export> r =
        Json(Doc({R"({"date":"2024-01-05","patient":"P1","amount":"922337203685477"})",
                  R"({"date":"2024-01-05","patient":"P1","amount":"-1"})"}));
    // Placed at the second amount (read by the fast path for visits, as is
    // every visit shaped like the one before it).
    CheckError(r, {code::kAmountOverflow, 4, 46, "amount", "-1"});
  }
  SUBCASE("tables may follow the visits") {
    const std::string doc = R"({"visits":[{"date":"2024-01-05","patient":"P1","amount":1}],
      "patients":[{"id":"P1","name":"Maria"}],"version":1,"format":"clinic-export"})";
    const Export& data = Ok(Json(doc));
    CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Maria"});
    CHECK(data.summary.warnings.empty());
  }
}

TEST_CASE("ImportJson: unknown references are kept with a warning") {
  const Export& data =
      Ok(Json(Doc({kOk, R"({"date":"2024-01-06","patient":"P9","employee":"E1","amount":"1"})"},
                  R"("patients":[{"id":"P1","name":"Maria"}],)"
                  "\n")));
  CHECK(test::Strings(data.patients.ids) == std::vector<std::string>{"P1", "P9"});
  CHECK(test::Strings(data.patients.names) == std::vector<std::string>{"Maria", "P9"});
  CHECK(data.patients.declared == std::vector<uint8_t>{1, 0});
  REQUIRE(data.summary.warnings.size() == 2);
  CHECK(data.summary.warnings[0].code == "ref.unknown_patient");
  CHECK(data.summary.warnings[0].message ==
        "visits[1]: patient \"P9\" is not in the patients table; kept and shown by its id (1 "
        "reference)");
  CHECK(data.summary.warnings[1].code == "ref.unknown_employee");
}

// Exact sums over many lines: 1,000,000 x 9,999,999.9999 = 9,999,999,999,900 exactly,
// beyond 2^53 in 1/10000 units, so any floating point step would show.
TEST_CASE("ImportJson: exact sum of 1,000,000 large amounts") {
  constexpr int kLines = 1000000;
  std::string doc = "{\"format\":\"clinic-export\",\"version\":1,\"visits\":[\n";
  doc.reserve(static_cast<size_t>(kLines) * 60);
  for (int i = 0; i < kLines; ++i) {
    doc += i == 0 ? "" : ",\n";
    doc += "{\"date\":\"2024-01-0";
    doc += static_cast<char>('1' + i % 9);
    doc += "\",\"patient\":\"P";
    doc += static_cast<char>('0' + i % 10);
    doc += "\",\"amount\":9999999.9999}";
  }
  doc += "\n]}";
  const auto start = std::chrono::steady_clock::now();
  const Export& data = Ok(Json(doc));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("imported " << doc.size() / 1e6 << " MB of JSON in " << seconds << " s");
  CHECK(data.summary.lines == 1000000);
  CHECK(data.summary.completed_amount == 99999999999000000);
  CHECK(FormatMoney(data.summary.completed_amount) == "9999999999900.00");
  CHECK(data.patients.size() == 10);
}

}  // namespace
}  // namespace clinic
