// clinic-report: the four reports and the import summary on the command line,
// over the same core as the page. Files are read here, at the edge.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "format.h"
#include "import.h"
#include "reports.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitDataError = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    "usage: clinic-report rating|divisions|loyalty|revenue [options] FILE...\n"
    "       clinic-report summary [--format table|json] FILE...\n"
    "\n"
    "FILE is one JSON export or the CSV files of one export (visits.csv, patients.csv,\n"
    "employees.csv, divisions.csv, price_lists.csv).\n"
    "\n"
    "options:\n"
    "  --from YYYY-MM-DD       first day of the period (inclusive)\n"
    "  --to YYYY-MM-DD         last day of the period (inclusive)\n"
    "  --format table|csv|json output format (default: table)\n"
    "  --top N                 rating, divisions: only the first N patients\n"
    "  --division ID           only lines of this division\n"
    "  --employee ID           only lines of this employee\n"
    "  --all-divisions         divisions: a column for every division, even empty ones\n"
    "  --return-window DAYS    loyalty: a return counts up to DAYS after the first visit\n"
    "  --new-per-employee      loyalty: first visit counted per employee\n"
    "  --help                  this text\n";

struct Arguments {
  std::string command;
  std::string format = "table";
  clinic::ReportOptions options;
  std::vector<std::string> files;
};

int UsageError(const std::string& message) {
  std::cerr << "clinic-report: " << message << "\n\n" << kUsage;
  return kExitUsage;
}

std::optional<uint32_t> ParseCount(const std::string& text, uint32_t max) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  uint32_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

// Returns an exit code when the arguments are not usable, else nullopt.
std::optional<int> ParseArguments(int argc, char** argv, Arguments& args) {
  if (argc < 2) return UsageError("missing command");
  args.command = argv[1];
  if (args.command == "--help" || args.command == "-h") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.command != "rating" && args.command != "divisions" && args.command != "loyalty" &&
      args.command != "revenue" && args.command != "summary") {
    return UsageError("unknown command '" + args.command + "'");
  }
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) -> bool {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return kExitOk;
    } else if (arg == "--from" || arg == "--to") {
      if (!value(v)) return UsageError(arg + " needs a date (YYYY-MM-DD)");
      const auto day = clinic::ParseDate(v);
      if (!day || v.size() != 10) return UsageError(arg + ": '" + v + "' is not a date (YYYY-MM-DD)");
      (arg == "--from" ? args.options.from : args.options.to) = *day;
    } else if (arg == "--format") {
      if (!value(v) || (v != "table" && v != "csv" && v != "json")) {
        return UsageError("--format must be table, csv or json");
      }
      args.format = v;
    } else if (arg == "--top") {
      if (!value(v)) return UsageError("--top needs a number");
      const auto n = ParseCount(v, 100000000);
      if (!n || *n == 0) return UsageError("--top: '" + v + "' is not a positive number");
      args.options.top = *n;
    } else if (arg == "--division") {
      if (!value(args.options.division_id) || args.options.division_id.empty()) {
        return UsageError("--division needs an id");
      }
    } else if (arg == "--employee") {
      if (!value(args.options.employee_id) || args.options.employee_id.empty()) {
        return UsageError("--employee needs an id");
      }
    } else if (arg == "--all-divisions") {
      args.options.all_divisions = true;
    } else if (arg == "--return-window") {
      if (!value(v)) return UsageError("--return-window needs a number of days");
      const auto n = ParseCount(v, 100000);
      if (!n) return UsageError("--return-window: '" + v + "' is not a number of days (0-100000)");
      args.options.return_window = static_cast<int32_t>(*n);
    } else if (arg == "--new-per-employee") {
      args.options.new_per_employee = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError("unknown option '" + arg + "'");
    } else {
      args.files.push_back(arg);
    }
  }
  if (args.files.empty()) return UsageError("no input file");
  if (args.command == "summary" && args.format == "csv") {
    return UsageError("summary is printed as table or json");
  }
  return std::nullopt;
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  out = std::move(buffer).str();
  return true;
}

std::string Render(const clinic::TextTable& table, const std::string& format) {
  if (format == "csv") return clinic::ToCsv(table);
  if (format == "json") return clinic::ToJson(table);
  return clinic::ToAlignedText(table);
}

template <class Report>
int Print(const clinic::Result<Report>& result, const clinic::Export& data,
          clinic::TextTable (*to_table)(const clinic::Export&, const Report&),
          const std::string& format) {
  if (!result.ok()) {
    std::cerr << "clinic-report: " << result.error().message << "\n";
    return kExitDataError;
  }
  std::cout << Render(to_table(data, result.value()), format);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  Arguments args;
  if (const auto exit_code = ParseArguments(argc, argv, args)) return *exit_code;

  std::vector<std::string> contents(args.files.size());
  std::vector<clinic::InputFile> inputs;
  for (size_t i = 0; i < args.files.size(); ++i) {
    if (!ReadFile(args.files[i], contents[i])) {
      std::cerr << "clinic-report: cannot read '" << args.files[i] << "'\n";
      return kExitDataError;
    }
    inputs.push_back({args.files[i], contents[i]});
  }
  auto imported = clinic::ImportFiles(inputs);
  if (!imported.ok()) {
    std::cerr << "clinic-report: " << imported.error().message << "\n";
    return kExitDataError;
  }
  const clinic::Export& data = imported.value();

  if (args.command == "summary") {
    std::cout << (args.format == "json" ? clinic::SummaryJson(data.summary, data)
                                        : clinic::SummaryText(data.summary, data.currency));
    return kExitOk;
  }
  if (args.command == "rating") {
    return Print(clinic::RankCustomers(data, args.options), data, &clinic::RatingTable, args.format);
  }
  if (args.command == "divisions") {
    return Print(clinic::BuildCrossReport(data, args.options), data, &clinic::DivisionsTable,
                 args.format);
  }
  if (args.command == "loyalty") {
    return Print(clinic::ComputeRetention(data, args.options), data, &clinic::LoyaltyTable,
                 args.format);
  }
  return Print(clinic::ComputeRevenue(data, args.options), data, &clinic::RevenueTable,
               args.format);
}
