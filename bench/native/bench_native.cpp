// bench_native: the engine's core, built natively (-O3), timed in-process on
// the same files and periods as the wasm runs, for reference. Prints one JSON
// object on stdout in the shape bench.mjs expects from an engine child.
//
//   bench_native [--warm N] [--period FROM:TO]... [--check-period FROM:TO]... FILE...
//
// Build (bench/run.sh does it):
//   g++ -std=c++20 -O3 -DNDEBUG -Iwasm/core bench/native/bench_native.cpp
//       wasm/core/*.cpp -o bench/.build/bench_native
//
// Timed: load = ImportFiles on bytes already in memory (as the wasm load);
// each report = the core's report function (no output formatting).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "date.h"
#include "import.h"
#include "model.h"
#include "money.h"
#include "reports.h"
#include "status.h"

namespace {

using clinic::Export;
using clinic::ReportOptions;

double NowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Cents(clinic::Money m) {
  const int64_t c = clinic::DivRoundHalfAway(m, 100);
  const bool neg = c < 0;
  const uint64_t a = neg ? static_cast<uint64_t>(-(c + 1)) + 1 : static_cast<uint64_t>(c);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%02llu", neg ? "-" : "", static_cast<unsigned long long>(a / 100),
                static_cast<unsigned long long>(a % 100));
  return Json(buf);
}

std::string Ms(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.3f", i ? "," : "", v[i]);
    out += buf;
  }
  return out + "]";
}

struct Period {
  std::string from, to;
};

ReportOptions Options(const Period& p) {
  ReportOptions o;
  if (!p.from.empty()) o.from = *clinic::ParseDate(p.from);
  if (!p.to.empty()) o.to = *clinic::ParseDate(p.to);
  return o;
}

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "bench_native: " << message << "\n";
  std::exit(1);
}

template <class T>
T Must(clinic::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

const char* kReports[] = {"rating", "divisions", "loyalty", "revenue"};

/// Runs one report; returns its totals as JSON (the shape of engines/common.mjs).
std::string RunReport(const Export& d, const char* name, const ReportOptions& o, bool want_totals) {
  const std::string n = name;
  auto emp = [&](clinic::Index i) {
    return std::string(i == clinic::kNone ? "" : d.employees.ids[i]);
  };
  auto div = [&](clinic::Index i) {
    return std::string(i == clinic::kNone ? "" : d.divisions.ids[i]);
  };
  if (n == "rating") {
    auto r = Must(clinic::RankCustomers(d, o), "rating");
    if (!want_totals) return {};
    return "{\"patients\":" + std::to_string(r.patients) + ",\"amount\":" + Cents(r.total) +
           ",\"visits\":" + std::to_string(r.visits) + "}";
  }
  if (n == "divisions") {
    auto r = Must(clinic::BuildCrossReport(d, o), "divisions");
    if (!want_totals) return {};
    std::string cols;
    for (size_t j = 0; j < r.columns.size(); ++j) {
      cols += (j ? "," : "") + Json(div(r.columns[j])) + ":" + Cents(r.column_has[j] ? r.column_totals[j] : 0);
    }
    return "{\"grand\":" + Cents(r.grand_total) + ",\"columns\":{" + cols + "}}";
  }
  if (n == "loyalty") {
    auto r = Must(clinic::ComputeRetention(d, o), "loyalty");
    if (!want_totals) return {};
    auto row = [](const clinic::LoyaltyRow& x) {
      return "[" + std::to_string(x.primary) + "," + std::to_string(x.returned) + "," +
             std::to_string(x.returned_to_clinic) + "," + std::to_string(x.old) + "]";
    };
    std::string emps;
    for (size_t i = 0; i < r.rows.size(); ++i) emps += (i ? "," : "") + Json(emp(r.rows[i].employee)) + ":" + row(r.rows[i]);
    return "{\"total\":" + row(r.total) + ",\"employees\":{" + emps + "}}";
  }
  auto r = Must(clinic::ComputeRevenue(d, o), "revenue");
  if (!want_totals) return {};
  std::string emps;
  for (size_t i = 0; i < r.rows.size(); ++i) emps += (i ? "," : "") + Json(emp(r.rows[i].employee)) + ":" + Cents(r.rows[i].total);
  return "{\"total\":" + Cents(r.total.total) + ",\"employees\":{" + emps + "},\"lines\":" +
         std::to_string(r.total.lines) + ",\"visits\":" + std::to_string(r.total.visits) +
         ",\"patients\":" + std::to_string(r.total.patients) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  int warm = 5;
  std::vector<Period> periods, checks;
  std::vector<std::string> paths;
  auto period = [](const std::string& s) {
    const size_t c = s.find(':');
    if (c == std::string::npos) Die("a period is FROM:TO");
    return Period{s.substr(0, c), s.substr(c + 1)};
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--warm" && i + 1 < argc) warm = std::atoi(argv[++i]);
    else if (a == "--period" && i + 1 < argc) periods.push_back(period(argv[++i]));
    else if (a == "--check-period" && i + 1 < argc) checks.push_back(period(argv[++i]));
    else paths.push_back(a);
  }
  if (paths.empty()) Die("no files");

  // The bytes in memory first (not timed), as the wasm runs have them in JS memory.
  std::vector<std::string> contents;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) Die("cannot read " + p);
    contents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<clinic::InputFile> inputs;
  for (size_t i = 0; i < paths.size(); ++i) {
    const size_t slash = paths[i].find_last_of('/');
    inputs.push_back({slash == std::string::npos ? paths[i] : paths[i].substr(slash + 1), contents[i]});
  }

  std::vector<double> loads;
  Export data;
  for (int i = 0; i <= warm; ++i) {
    const double t0 = NowMs();
    auto r = clinic::ImportFiles(inputs);
    loads.push_back(NowMs() - t0);
    if (!r.ok()) Die("import: " + r.error().message);
    if (i == warm) data = std::move(r).value();
  }

  std::map<std::string, std::vector<double>> report_ms;
  for (int i = 0; i <= warm; ++i) {
    for (const char* name : kReports) {
      const double t0 = NowMs();
      RunReport(data, name, ReportOptions{}, false);
      report_ms[name].push_back(NowMs() - t0);
    }
  }

  std::string changes;
  for (size_t k = 0; k < periods.size(); ++k) {
    const ReportOptions o = Options(periods[k]);
    std::string per;
    double total = 0;
    for (const char* name : kReports) {
      const double t0 = NowMs();
      RunReport(data, name, o, false);
      const double ms = NowMs() - t0;
      total += ms;
      per += std::string(per.empty() ? "" : ",") + "\"" + name + "\":" + std::to_string(ms);
    }
    changes += std::string(k ? "," : "") + "{\"from\":" + Json(periods[k].from) + ",\"to\":" + Json(periods[k].to) +
               ",\"totalMs\":" + std::to_string(total) + ",\"perReport\":{" + per + "}}";
  }

  std::string totals;
  for (size_t k = 0; k < checks.size(); ++k) {
    const ReportOptions o = Options(checks[k]);
    std::string one;
    for (const char* name : kReports) {
      one += std::string(one.empty() ? "" : ",") + "\"" + name + "\":" + RunReport(data, name, o, true);
    }
    totals += std::string(k ? "," : "") + Json(checks[k].from + ":" + checks[k].to) + ":{" + one + "}";
  }

  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::string reports;
  for (const char* name : kReports) {
    reports += std::string(reports.empty() ? "" : ",") + "\"" + name + "\":{\"coldMs\":" +
               std::to_string(report_ms[name][0]) + ",\"warmMs\":" +
               Ms(std::vector<double>(report_ms[name].begin() + 1, report_ms[name].end())) + "}";
  }
  std::cout << "{\"engine\":\"native\",\"startupMs\":null,\"load\":{\"coldMs\":" << loads[0] << ",\"warmMs\":"
            << Ms(std::vector<double>(loads.begin() + 1, loads.end())) << "},\"reports\":{" << reports
            << "},\"periodChanges\":[" << changes << "],\"totals\":{" << totals
            << "},\"memory\":{\"maxRssBytes\":" << static_cast<long long>(ru.ru_maxrss) * 1024 << "}}\n";
  return 0;
}
