// libFuzzer target: the fast JSON path (ImportJson) against nlohmann/json.
// The same bytes go to both; they must make the same decision:
// - nlohmann rejects the document: ImportJson rejects it as broken JSON
//   (json.syntax, json.too_deep or input.*);
// - nlohmann accepts it: ImportJson must not call it broken, and the checker
//   over nlohmann's tree (json_oracle.h) decides whether it is a valid export;
//   if so ImportJson accepts it with the same values (names, per-patient
//   sums, counts, amounts), otherwise it rejects it.
// Known, documented differences are excluded as in
// tests/unit/unit-json-differential.cpp: numbers beyond a double (nlohmann's
// own limit), NUL bytes (nlohmann stops there; ImportJson refuses them) and
// nesting beyond 512 levels (refused by design).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "json_oracle.h"

namespace {

using namespace clinic;

// Nesting depth outside strings, without parsing: deep documents are judged
// without building nlohmann's tree (its recursive destructor would overflow
// the stack long before the importer's 512-level limit matters).
int ScanDepth(std::string_view s) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

bool IsBrokenJsonCode(std::string_view c) {
  return c == code::kJsonSyntax || c == code::kJsonTooDeep || c.substr(0, 6) == "input.";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string doc(reinterpret_cast<const char*>(data), size);
  const Result<Export> ours = ImportJson("doc.json", doc);
  if (!ours.ok()) fuzz::CheckError(ours.error(), {"input.", "json.", "limit."});
  if (ours.ok()) fuzz::CheckExport(ours.value());

  if (ScanDepth(doc) > 512) {
    fuzz::Expect(!ours.ok() && IsBrokenJsonCode(ours.error().code),
                 "a document nested more than 512 levels deep was not refused as broken JSON");
    return 0;
  }
  oracle::TreeBuilder tree;
  const bool accepted = nlohmann::json::sax_parse(doc, &tree);
  if (!accepted && tree.number_overflow) return 0;  // nlohmann's own limit: no verdict
  if (accepted && doc.find('\0') != std::string::npos) {
    fuzz::Expect(!ours.ok() && ours.error().code == code::kNulByte,
                 "a NUL byte was not refused as input.nul_byte");
    return 0;
  }
  if (!accepted) {
    if (ours.ok()) fuzz::Broken("nlohmann rejects the document, ImportJson accepts it");
    if (!IsBrokenJsonCode(ours.error().code)) {
      fuzz::Broken("nlohmann rejects the document, ImportJson says " + ours.error().message);
    }
    return 0;
  }
  if (!ours.ok() && ours.error().code == code::kJsonTooDeep && oracle::Depth(tree.root) > 512) {
    return 0;
  }
  if (!ours.ok() && IsBrokenJsonCode(ours.error().code)) {
    fuzz::Broken("nlohmann accepts the document, ImportJson says broken: " + ours.error().message);
  }
  oracle::Checker checker;
  const std::optional<oracle::Values> expected = checker.Check(tree.root);
  if (!expected) {
    fuzz::Expect(!ours.ok(), "not a valid export, but ImportJson accepts it");
    return 0;
  }
  if (!ours.ok()) fuzz::Broken("a valid export, but ImportJson says " + ours.error().message);
  const std::string difference = oracle::Difference(ours.value(), *expected);
  fuzz::Expect(difference.empty(), "values differ: " + difference);
  return 0;
}
