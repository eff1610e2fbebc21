// NameRanks against the plain definition: a comparison sort by NameThenIdLess
// over the strings. Both of its ways: repeated names (the distinct names put
// in order, the rows counted into their place, ids sorted where out of order)
// and mostly distinct ones (the rows sorted); each sorts by radix passes on
// 8-byte keys, by comparison only where the keys cannot decide.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "model.h"
#include "order.h"

namespace clinic {
namespace {

std::vector<uint32_t> RanksByComparison(const EntityTable& table) {
  std::vector<Index> order(table.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&table](Index a, Index b) { return EntityLess(table, a, b); });
  std::vector<uint32_t> ranks(order.size());
  for (size_t r = 0; r < order.size(); ++r) ranks[order[r]] = static_cast<uint32_t>(r);
  return ranks;
}

// Names and ids built to reach every branch of the key comparison: names
// repeated a lot, equal in their first 8 or 16 bytes, longer than 16 bytes,
// one the other plus NUL bytes, empty, non-ASCII (bytes above 0x7F); ids equal
// in their first 8 bytes, of different lengths, numbers without padding.
// With `distinct`, most names carry a number of their own (at most a few
// rows share one): NameRanks then sorts the rows themselves.
EntityTable MakeTable(size_t n, uint32_t seed, bool distinct = false) {
  std::mt19937 rng(seed);
  auto pick = [&rng](size_t k) { return static_cast<size_t>(rng() % k); };
  const std::vector<std::string> stems = {"",
                                          "Ola",
                                          "Ola Nordmann",
                                          "Ola Nordmann Hansen",
                                          "Ola Nordmann Hansen-Berg",
                                          "Åse",
                                          "Øyvind",
                                          "Dewi Sartika",
                                          "Dewi Sartika Suryadi",
                                          std::string("Ola\0", 4),
                                          std::string("Ola Nordmann\0\0", 14),
                                          "Ola Nordmanm",
                                          "ABCDEFGHIJKLMNOP",
                                          "ABCDEFGHIJKLMNOPQ",
                                          "ABCDEFGHIJKLMNOPQR",
                                          "ABCDEFGH",
                                          "ABCDEFGHI"};
  EntityTable table;
  for (size_t i = 0; i < n; ++i) {
    std::string id;
    switch (pick(4)) {
      case 0:
        id = "P" + std::to_string(i);
        break;
      case 1:  // equal to case 3's ids in their first 8 bytes
        id = "PATIENT-" + std::to_string(i);
        break;
      case 2:
        id = std::to_string(i * 7919 % 100003);
        break;
      default:
        id = "PATIENT-00000" + std::to_string(i);
        break;
    }
    const auto [index, added] = table.FindOrAdd(id);
    if (!added) continue;
    std::string name = stems[pick(stems.size())];
    if (distinct) {
      name += " " + std::to_string(pick(4 * n + 1));
    } else if (pick(3) == 0) {
      name += " " + std::to_string(pick(50));
    }
    table.names.Set(index, name);
  }
  return table;
}

TEST_CASE("NameRanks orders by name then id as a comparison sort over the strings does") {
  // Up to 256 rows most of their names differ: the rows are sorted (by
  // comparison below 256, by radix passes from 256). From 5,000 rows the
  // ~870 distinct names are sorted by radix passes, the rows counted into place.
  for (const size_t n :
       {size_t{0}, size_t{1}, size_t{7}, size_t{255}, size_t{256}, size_t{5000}, size_t{70000}}) {
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(n);
      CAPTURE(seed);
      const EntityTable table = MakeTable(n, seed);
      CHECK(NameRanks(table) == RanksByComparison(table));
    }
  }
}

TEST_CASE("NameRanks: a table in id order, and one with a single row out of it") {
  // Rows in id order let every name's rows skip their look; one row out of
  // order anywhere (here the last, or the first two swapped) must not.
  for (const int out_of_order : {0, 1, 2}) {
    CAPTURE(out_of_order);
    EntityTable table;
    const size_t n = 6000;
    for (size_t i = 0; i < n; ++i) {
      std::string number = std::to_string(i + 10);
      if (out_of_order == 1 && i + 1 == n) number = "5";        // the last id sorts first
      if (out_of_order == 2 && i < 2) number = i == 0 ? "11" : "10";  // the first two swapped
      const auto [index, added] = table.FindOrAdd("P" + std::string(6 - number.size(), '0') + number);
      REQUIRE(added);
      table.names.Set(index, "Name " + std::to_string(i * 7 % 13));  // 13 names, rows interleaved
    }
    CHECK(NameRanks(table) == RanksByComparison(table));
  }
}

TEST_CASE("NameRanks: mostly distinct names order as a comparison sort does") {
  // The rows sorted by comparison below 256, by radix passes from 256
  // (11-bit digits) and from 65,536 (16-bit); below and above the 32,768 rows
  // that decide between the two ways.
  for (const size_t n : {size_t{200}, size_t{3000}, size_t{90000}}) {
    CAPTURE(n);
    const EntityTable table = MakeTable(n, 11, true);
    CHECK(NameRanks(table) == RanksByComparison(table));
  }
}

TEST_CASE("NameRanks: names sort bytewise, a shorter name first, then ids bytewise") {
  EntityTable table;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"P2", "Ola"},          {"P10", "Ola"}, {"P1", "Åse"},
      {"P3", "Ola Nordmann"}, {"P4", ""},     {"P5", "Kari"}};
  for (const auto& [id, name] : rows) table.FindOrAdd(id, name);
  // "" < "Kari" < "Ola" (id "P10" < "P2" bytewise) < "Ola Nordmann" < "Åse" (0xC3 > 'O').
  CHECK(NameRanks(table) == std::vector<uint32_t>{3, 2, 5, 4, 0, 1});
}

}  // namespace
}  // namespace clinic
