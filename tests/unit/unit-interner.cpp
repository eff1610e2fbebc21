// The string interner behind id lookups and duplicate-id checks.
#include <doctest/doctest.h>

#include <string>
#include <unordered_map>

#include "interner.h"

namespace clinic {
namespace {

TEST_CASE("StringInterner gives dense indexes in insertion order") {
  StringInterner interner;
  CHECK(interner.Find("P1") == StringInterner::kAbsent);
  CHECK(interner.Insert("P1") == std::pair<uint32_t, bool>{0, true});
  CHECK(interner.Insert("") == std::pair<uint32_t, bool>{1, true});
  CHECK(interner.Insert("P1") == std::pair<uint32_t, bool>{0, false});
  CHECK(interner.Insert("P10") == std::pair<uint32_t, bool>{2, true});
  CHECK(interner.Find("") == 1);
  CHECK(interner.Find("P10") == 2);
  CHECK(interner.Find("P") == StringInterner::kAbsent);
  CHECK(interner.Get(2) == "P10");
  CHECK(interner.size() == 3);
}

TEST_CASE("StringInterner agrees with std::unordered_map over many growths") {
  StringInterner interner;
  std::unordered_map<std::string, uint32_t> model;
  // Ids that share long prefixes and differ in the tail, across the 8-byte blocks of the hash.
  for (uint32_t i = 0; i < 200000; ++i) {
    const std::string id = "patient-0000-" + std::to_string(i % 150000) + (i % 3 ? "" : "-x");
    const auto [index, inserted] = interner.Insert(id);
    const auto [it, model_inserted] = model.emplace(id, static_cast<uint32_t>(model.size()));
    REQUIRE(inserted == model_inserted);
    REQUIRE(index == it->second);
  }
  CHECK(interner.size() == model.size());
  for (const auto& [id, index] : model) REQUIRE(interner.Find(id) == index);
  CHECK(interner.Find("patient-0000-150000") == StringInterner::kAbsent);
}

TEST_CASE("embedded NUL bytes and non-ASCII ids are distinct keys") {
  StringInterner interner;
  const std::string a("a\0b", 3), b("a\0c", 3);
  CHECK(interner.Insert(a).second);
  CHECK(interner.Insert(b).second);
  CHECK(interner.Insert("Åse").second);
  CHECK(interner.Find(a) == 0);
  CHECK(interner.Find(b) == 1);
  CHECK(interner.Find("Åse") == 2);
}

}  // namespace
}  // namespace clinic
