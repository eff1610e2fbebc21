#include "format.h"

#include <algorithm>

namespace clinic {

namespace {

std::string Count(uint64_t n) { return std::to_string(n); }

std::string OptionalMoney(bool has, Money amount) { return has ? FormatMoney(amount) : ""; }

std::string PatientName(const Export& data, Index patient) {
  return std::string(data.patients.names[patient]);
}

std::string PriceListName(const Export& data, Index patient) {
  const Index list = data.patient_price_list[patient];
  return std::string(list == kNone ? "" : data.price_lists.names[list]);
}

std::string EmployeeId(const Export& data, Index employee) {
  return std::string(employee == kNone ? "" : data.employees.ids[employee]);
}

// Bytes that start a UTF-8 character: the display width of most text.
size_t DisplayWidth(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Control characters from an export must not reach a terminal as escapes.
std::string ForTerminal(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '?';
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string DateOrEmpty(Day day) { return day == kNoDay ? "" : FormatDate(day); }

}  // namespace

TextTable RatingTable(const Export& data, const RatingReport& report) {
  TextTable t;
  t.header = {"rank",   "patient_id", "patient",   "price_list",     "bonus_balance",
              "visits", "amount",     "share_pct", "cumulative_pct", "abc"};
  t.numeric = {true, false, false, false, true, true, true, true, true, false};
  for (const RatingRow& r : report.rows) {
    t.rows.push_back(
        {Count(r.rank), std::string(data.patients.ids[r.patient]), PatientName(data, r.patient),
         PriceListName(data, r.patient),
         OptionalMoney(data.patient_has_bonus[r.patient] != 0, data.patient_bonus[r.patient]),
         Count(r.visits), FormatMoney(r.amount), FormatPercent(r.share),
         FormatPercent(r.cumulative), r.abc ? std::string(1, r.abc) : ""});
  }
  return t;
}

TextTable DivisionsTable(const Export& data, const DivisionsReport& report) {
  TextTable t;
  const size_t columns = report.columns.size();
  t.header = {"patient_id", "patient"};
  t.numeric = {false, false};
  for (const Index d : report.columns) {
    t.header.push_back(DivisionName(data, d));
    t.numeric.push_back(true);
  }
  t.header.push_back("total");
  t.numeric.push_back(true);
  for (size_t r = 0; r < report.rows.size(); ++r) {
    const Index p = report.rows[r];
    std::vector<std::string> row = {std::string(data.patients.ids[p]), PatientName(data, p)};
    const size_t first = row.size();
    row.resize(first + columns);  // empty cells stay ""
    for (uint32_t k = report.cell_begin[r]; k < report.cell_begin[r + 1]; ++k) {
      row[first + report.cell_column[k]] = FormatMoney(report.cell_amount[k]);
    }
    row.push_back(FormatMoney(report.row_totals[r]));
    t.rows.push_back(std::move(row));
  }
  std::vector<std::string> total = {"", "TOTAL"};
  for (size_t c = 0; c < columns; ++c) {
    total.push_back(OptionalMoney(report.column_has[c] != 0, report.column_totals[c]));
  }
  total.push_back(FormatMoney(report.grand_total));
  t.rows.push_back(std::move(total));
  return t;
}

TextTable LoyaltyTable(const Export& data, const LoyaltyReport& report) {
  TextTable t;
  t.header = {"employee_id", "employee",           "primary", "returned",
              "retention_pct", "returned_to_clinic", "old",     "pending"};
  t.numeric = {false, false, true, true, true, true, true, true};
  auto add = [&](const LoyaltyRow& r, std::string id, std::string name) {
    t.rows.push_back({std::move(id), std::move(name), Count(r.primary), Count(r.returned),
                      FormatPercent(r.retention), Count(r.returned_to_clinic), Count(r.old),
                      report.has_pending ? Count(r.pending) : ""});
  };
  for (const LoyaltyRow& r : report.rows) {
    add(r, EmployeeId(data, r.employee), EmployeeName(data, r.employee));
  }
  add(report.total, "", "TOTAL");
  return t;
}

TextTable RevenueTable(const Export& data, const RevenueReport& report) {
  TextTable t;
  t.header = {"employee_id", "employee", "services_amount", "goods_amount", "total",
              "share_pct",   "lines",    "visits",          "patients",     "avg_visit"};
  t.numeric = {false, false, true, true, true, true, true, true, true, true};
  auto add = [&](const RevenueRow& r, std::string id, std::string name) {
    t.rows.push_back({std::move(id), std::move(name), FormatMoney(r.services),
                      FormatMoney(r.goods), FormatMoney(r.total), FormatPercent(r.share),
                      Count(r.lines), Count(r.visits), Count(r.patients),
                      OptionalMoney(r.visits > 0, r.avg_visit)});
  };
  for (const RevenueRow& r : report.rows) {
    add(r, EmployeeId(data, r.employee), EmployeeName(data, r.employee));
  }
  add(report.total, "", "TOTAL");
  return t;
}

std::string ToCsv(const TextTable& table) {
  std::string out;
  auto add_row = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      const std::string& cell = row[i];
      if (cell.find_first_of(",\"\r\n") == std::string::npos) {
        out += cell;
        continue;
      }
      out += '"';
      for (const char c : cell) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += '\n';
  };
  add_row(table.header);
  for (const auto& row : table.rows) add_row(row);
  return out;
}

std::string ToAlignedText(const TextTable& table) {
  const size_t columns = table.header.size();
  std::vector<std::vector<std::string>> cells;
  cells.reserve(table.rows.size() + 1);
  cells.push_back({});
  for (const auto& h : table.header) cells.back().push_back(ForTerminal(h));
  for (const auto& row : table.rows) {
    cells.push_back({});
    for (const auto& c : row) cells.back().push_back(ForTerminal(c));
  }
  std::vector<size_t> width(columns, 0);
  for (const auto& row : cells) {
    for (size_t c = 0; c < columns && c < row.size(); ++c) {
      width[c] = std::max(width[c], DisplayWidth(row[c]));
    }
  }
  std::string out;
  auto add_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < columns; ++c) {
      const std::string& cell = c < row.size() ? row[c] : std::string();
      const std::string pad(width[c] - DisplayWidth(cell), ' ');
      if (c > 0) line += "  ";
      const bool right = c < table.numeric.size() && table.numeric[c];
      line += right ? pad + cell : cell + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  add_row(cells[0]);
  size_t rule = 0;
  for (size_t c = 0; c < columns; ++c) rule += width[c] + (c > 0 ? 2 : 0);
  out += std::string(rule, '-');
  out += '\n';
  for (size_t r = 1; r < cells.size(); ++r) add_row(cells[r]);
  return out;
}

std::string ToJson(const TextTable& table) {
  std::string out = "[";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    out += r == 0 ? "\n  {" : ",\n  {";
    const auto& row = table.rows[r];
    for (size_t c = 0; c < table.header.size(); ++c) {
      if (c > 0) out += ", ";
      AppendJsonString(out, table.header[c]);
      out += ": ";
      const std::string& cell = c < row.size() ? row[c] : std::string();
      if (cell.empty()) {
        out += "null";
      } else if (c < table.numeric.size() && table.numeric[c]) {
        out += cell;  // already a plain decimal written from integers
      } else {
        AppendJsonString(out, cell);
      }
    }
    out += "}";
  }
  out += table.rows.empty() ? "]\n" : "\n]\n";
  return out;
}

std::string SummaryText(const ImportSummary& s, const std::string& currency) {
  const std::string unit = currency.empty() ? "" : " " + currency;
  std::string out;
  out += "format: " + s.format + "\n";
  out += "files:";
  for (const auto& f : s.files) out += " " + f;
  out += "\n";
  out += "tables: " + Count(s.divisions) + " divisions, " + Count(s.employees) + " employees, " +
         Count(s.price_lists) + " price lists, " + Count(s.patients) + " patients\n";
  out += "visit lines: " + Count(s.lines) + " (" + Count(s.completed) + " completed, " +
         Count(s.cancelled) + " cancelled, " + Count(s.no_show) + " no-show)\n";
  out += "completed amount: " + FormatMoney(s.completed_amount) + unit + " (" +
         Count(s.goods_lines) + " goods lines, " + Count(s.refund_lines) + " refunds)\n";
  out += "not counted in reports: cancelled " + FormatMoney(s.cancelled_amount) + unit +
         ", no-show " + FormatMoney(s.no_show_amount) + unit + "\n";
  out += "visits: " + Count(s.visits) + " by " + Count(s.patients_with_lines) + " patients\n";
  out += "dates: " + (s.first_day == kNoDay ? std::string("none")
                                            : FormatDate(s.first_day) + " to " +
                                                  FormatDate(s.last_day)) +
         "\n";
  if (s.blank_lines > 0) out += "blank lines skipped: " + Count(s.blank_lines) + "\n";
  out += "warnings: " + Count(s.warnings.size()) + "\n";
  for (const auto& w : s.warnings) out += "  [" + w.code + "] " + ForTerminal(w.message) + "\n";
  return out;
}

std::string SummaryJson(const ImportSummary& s, const Export& data) {
  std::string out = "{\n";
  auto field = [&](std::string_view key, const std::string& json_value, bool last = false) {
    out += "  ";
    AppendJsonString(out, key);
    out += ": " + json_value + (last ? "\n" : ",\n");
  };
  auto str = [](std::string_view v) {
    std::string o;
    AppendJsonString(o, v);
    return o;
  };
  field("clinic", "{\"name\": " + str(data.clinic_name) + ", \"currency\": " + str(data.currency) + "}");
  field("format", str(s.format));
  std::string files = "[";
  for (size_t i = 0; i < s.files.size(); ++i) files += (i ? ", " : "") + str(s.files[i]);
  field("files", files + "]");
  field("divisions", Count(s.divisions));
  field("employees", Count(s.employees));
  field("price_lists", Count(s.price_lists));
  field("patients", Count(s.patients));
  field("lines", Count(s.lines));
  field("completed", Count(s.completed));
  field("cancelled", Count(s.cancelled));
  field("no_show", Count(s.no_show));
  field("completed_amount", FormatMoney(s.completed_amount));
  field("cancelled_amount", FormatMoney(s.cancelled_amount));
  field("no_show_amount", FormatMoney(s.no_show_amount));
  field("goods_lines", Count(s.goods_lines));
  field("refund_lines", Count(s.refund_lines));
  field("visits", Count(s.visits));
  field("patients_with_lines", Count(s.patients_with_lines));
  field("first_date", s.first_day == kNoDay ? "null" : str(DateOrEmpty(s.first_day)));
  field("last_date", s.last_day == kNoDay ? "null" : str(DateOrEmpty(s.last_day)));
  field("blank_lines", Count(s.blank_lines));
  std::string warnings = "[";
  for (size_t i = 0; i < s.warnings.size(); ++i) {
    const Warning& w = s.warnings[i];
    warnings += std::string(i ? "," : "") + "\n    {\"code\": " + str(w.code) +
                ", \"message\": " + str(w.message) + ", \"count\": " + Count(w.count) + "}";
  }
  field("warnings", warnings + (s.warnings.empty() ? "]" : "\n  ]"), true);
  out += "}\n";
  return out;
}

}  // namespace clinic
