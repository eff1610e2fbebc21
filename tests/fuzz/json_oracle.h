// The independent oracle of fuzz_json_differential.cpp: nlohmann/json's
// parser (through its SAX interface, so numbers keep their text) and a
// checker of docs/export-format.md written over its tree.
//
// Shared by tests/unit/unit-json-differential.cpp (the deterministic
// differential test) and the fuzzer, so both judge documents the same way.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "date.h"
#include "import.h"
#include "money.h"

namespace clinic::oracle {


// A tree built through nlohmann's SAX interface: the same parser as
// nlohmann::json::parse, but floats keep their text, so amounts are checked
// exactly as written (never through a double).
struct Node {
  enum Kind { kNull, kBool, kInt, kFloat, kString, kArray, kObject } kind = kNull;
  std::string text;  // string value; number text (integers printed from their value)
  // Object members as parallel vectors (a pair<string, Node> would need Node complete here).
  std::vector<std::string> keys;
  std::vector<Node> values;
  std::vector<Node> items;

  // The last member with this key (a repeated key: the last one wins), or null.
  const Node* Get(std::string_view key) const {
    const Node* found = nullptr;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) found = &values[i];
    }
    return found;
  }
  size_t Count(std::string_view key) const {
    size_t n = 0;
    for (const std::string& k : keys) n += k == key;
    return n;
  }
  static Node Make(Kind kind, std::string text = {}) {
    Node node;
    node.kind = kind;
    node.text = std::move(text);
    return node;
  }
};

class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  Node root;

  bool null() override { return Put(Node{}); }
  bool boolean(bool) override { return Put(Node::Make(Node::kBool)); }
  bool number_integer(number_integer_t v) override {
    return Put(Node::Make(Node::kInt, std::to_string(v)));
  }
  bool number_unsigned(number_unsigned_t v) override {
    return Put(Node::Make(Node::kInt, std::to_string(v)));
  }
  bool number_float(number_float_t, const string_t& s) override {
    return Put(Node::Make(Node::kFloat, s));
  }
  bool string(string_t& s) override { return Put(Node::Make(Node::kString, s)); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override {
    Put(Node::Make(Node::kObject));
    stack_.push_back(last_);
    return true;
  }
  bool key(string_t& k) override {
    stack_.back()->keys.push_back(k);
    stack_.back()->values.emplace_back();
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    Put(Node::Make(Node::kArray));
    stack_.push_back(last_);
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // 406: a number too large for a double (1e400). Valid RFC 8259 syntax
    // that nlohmann refuses as a limit of its own.
    number_overflow = e.id == 406;
    return false;
  }
  bool number_overflow = false;

 private:
  bool Put(Node node) {
    if (stack_.empty()) {
      root = std::move(node);
      last_ = &root;
    } else if (stack_.back()->kind == Node::kArray) {
      stack_.back()->items.push_back(std::move(node));
      last_ = &stack_.back()->items.back();
    } else {
      stack_.back()->values.back() = std::move(node);
      last_ = &stack_.back()->values.back();
    }
    return true;
  }
  // Containers are only appended to after their children are complete, so
  // pointers into the parent's vectors stay valid while a child is built.
  std::vector<Node*> stack_;
  Node* last_ = nullptr;
};

// What an export holds, computed independently from the tree.
struct Values {
  std::string clinic_name, currency;
  std::map<std::string, std::string> divisions, employees, price_lists, patients;  // id -> name
  std::map<std::string, Money> completed_by_patient;
  std::map<std::string, std::pair<bool, Money>> bonus;  // per declared patient
  std::map<std::string, Day> registered;
  uint64_t lines = 0, completed = 0, cancelled = 0, no_show = 0, goods = 0;
  Money completed_amount = 0, cancelled_amount = 0, no_show_amount = 0;
};

inline bool Lower(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// The checker: the schema of docs/export-format.md, over the tree. Returns
// nullopt when the document is not a valid export.
class Checker {
 public:
  std::optional<Values> Check(const Node& root) {
    if (root.kind != Node::kObject) return std::nullopt;
    const Node* format = root.Get("format");
    if (format == nullptr || format->kind != Node::kString || format->text != "clinic-export")
      return std::nullopt;
    const Node* version = root.Get("version");
    if (version == nullptr || version->kind != Node::kInt || version->text != "1")
      return std::nullopt;
    for (const char* key :
         {"clinic", "divisions", "employees", "priceLists", "patients", "visits"}) {
      if (root.Count(key) > 1) return std::nullopt;
    }
    if (const Node* clinic = root.Get("clinic"); clinic != nullptr && clinic->kind != Node::kNull) {
      if (clinic->kind != Node::kObject) return std::nullopt;
      if (!Text(clinic->Get("name"), &v_.clinic_name) ||
          !Text(clinic->Get("currency"), &v_.currency)) {
        return std::nullopt;
      }
    }
    const Node* visits = root.Get("visits");
    if (visits == nullptr || visits->kind != Node::kArray) return std::nullopt;
    if (!Table(root.Get("divisions"), 0) || !Table(root.Get("employees"), 1) ||
        !Table(root.Get("priceLists"), 2) || !Table(root.Get("patients"), 3)) {
      return std::nullopt;
    }
    std::set<std::string> line_ids;
    unsigned __int128 absolute = 0;
    for (const Node& visit : visits->items) {
      if (visit.kind != Node::kObject) return std::nullopt;
      std::string id, patient, employee, division, kind, status, service, date_text;
      std::optional<Money> amount;
      if (!Required(visit.Get("date")) || !Required(visit.Get("patient")) ||
          !Required(visit.Get("amount"))) {
        return std::nullopt;
      }
      if (!Id(visit.Get("id"), &id) || !Text(visit.Get("date"), &date_text) ||
          !Id(visit.Get("patient"), &patient) || patient.empty() ||
          !Id(visit.Get("employee"), &employee) || !Id(visit.Get("division"), &division) ||
          !Amount(visit.Get("amount"), &amount) || !amount || !Text(visit.Get("kind"), &kind) ||
          !Text(visit.Get("status"), &status) || !Text(visit.Get("service"), &service)) {
        return std::nullopt;
      }
      const std::optional<Day> day = ParseDate(date_text);
      if (!day) return std::nullopt;
      const bool goods = Lower(kind, "goods");
      if (!kind.empty() && !goods && !Lower(kind, "service")) return std::nullopt;
      int st = 0;
      if (status.empty() || Lower(status, "completed"))
        st = 0;
      else if (Lower(status, "cancelled") || Lower(status, "canceled"))
        st = 1;
      else if (Lower(status, "no-show") || Lower(status, "no_show"))
        st = 2;
      else
        return std::nullopt;
      if (!id.empty() && !line_ids.insert(id).second) return std::nullopt;
      absolute +=
          static_cast<unsigned __int128>(*amount < 0 ? -static_cast<__int128>(*amount) : *amount);
      if (absolute > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
      Reference(v_.patients, patient);
      if (!employee.empty()) Reference(v_.employees, employee);
      if (!division.empty()) Reference(v_.divisions, division);
      ++v_.lines;
      if (st == 1) {
        ++v_.cancelled;
        v_.cancelled_amount += *amount;
      } else if (st == 2) {
        ++v_.no_show;
        v_.no_show_amount += *amount;
      } else {
        ++v_.completed;
        v_.completed_amount += *amount;
        v_.completed_by_patient[patient] += *amount;
        v_.goods += goods;
      }
    }
    return v_;
  }

 private:
  static bool Absent(const Node* n) { return n == nullptr || n->kind == Node::kNull; }
  static bool Required(const Node* n) { return !Absent(n); }
  // A string (or absent/null = "").
  static bool Text(const Node* n, std::string* out) {
    out->clear();
    if (Absent(n)) return true;
    if (n->kind != Node::kString) return false;
    *out = n->text;
    return true;
  }
  // A string or a whole number's text.
  static bool Id(const Node* n, std::string* out) {
    out->clear();
    if (Absent(n)) return true;
    if (n->kind == Node::kString || n->kind == Node::kInt ||
        (n->kind == Node::kFloat && n->text.find_first_of(".eE") == std::string::npos)) {
      *out = n->text;
      return true;
    }
    return false;
  }
  static bool Amount(const Node* n, std::optional<Money>* out) {
    out->reset();
    if (Absent(n)) return true;
    if (n->kind != Node::kString && n->kind != Node::kInt && n->kind != Node::kFloat) return false;
    if (n->kind == Node::kString && n->text.empty()) return true;
    *out = ParseAmount(n->text, false);
    return out->has_value();
  }
  static void Reference(std::map<std::string, std::string>& table, const std::string& id) {
    table.emplace(id, id);  // kept by its id unless declared
  }

  // which: 0 divisions, 1 employees, 2 price lists, 3 patients.
  bool Table(const Node* list, int which) {
    if (Absent(list)) return true;
    if (list->kind != Node::kArray) return false;
    std::map<std::string, std::string>& table = which == 0   ? declared_divisions_
                                                : which == 1 ? declared_employees_
                                                : which == 2 ? declared_lists_
                                                             : declared_patients_;
    for (const Node& item : list->items) {
      if (item.kind != Node::kObject) return false;
      std::string id, name;
      if (!Required(item.Get("id")) || !Id(item.Get("id"), &id) || id.empty() ||
          !Text(item.Get("name"), &name)) {
        return false;
      }
      if (table.count(id) != 0) return false;
      table[id] = name.empty() ? id : name;
      if (which == 1) {
        std::string division;
        if (!Id(item.Get("division"), &division)) return false;
        if (!division.empty()) Reference(v_.divisions, division);
      }
      if (which == 3) {
        std::string list_id, registered;
        std::optional<Money> bonus;
        if (!Id(item.Get("priceList"), &list_id) || !Amount(item.Get("bonusBalance"), &bonus) ||
            !Text(item.Get("registered"), &registered)) {
          return false;
        }
        Day day = kNoDay;
        if (!registered.empty()) {
          const std::optional<Day> parsed = ParseDate(registered);
          if (!parsed) return false;
          day = *parsed;
        }
        if (!list_id.empty()) Reference(v_.price_lists, list_id);
        v_.bonus[id] = {bonus.has_value(), bonus.value_or(0)};
        v_.registered[id] = day;
      }
    }
    // Declared names replace the ids of referenced ones.
    std::map<std::string, std::string>& all = which == 0   ? v_.divisions
                                              : which == 1 ? v_.employees
                                              : which == 2 ? v_.price_lists
                                                           : v_.patients;
    for (const auto& [id, name] : table) all[id] = name;
    return true;
  }

  Values v_;
  std::map<std::string, std::string> declared_divisions_, declared_employees_, declared_lists_,
      declared_patients_;
};

inline std::map<std::string, std::string> NamesOf(const EntityTable& table) {
  std::map<std::string, std::string> out;
  for (uint32_t i = 0; i < table.size(); ++i) out[std::string(table.ids[i])] = table.names[i];
  return out;
}

// Compares an import with the checker's values; returns a description of the first difference.
inline std::string Difference(const Export& data, const Values& v) {
  if (data.clinic_name != v.clinic_name) return "clinic name";
  if (data.currency != v.currency) return "currency";
  if (NamesOf(data.divisions) != v.divisions) return "divisions";
  if (NamesOf(data.employees) != v.employees) return "employees";
  if (NamesOf(data.price_lists) != v.price_lists) return "price lists";
  if (NamesOf(data.patients) != v.patients) return "patients";
  std::map<std::string, Money> sums;
  for (size_t i = 0; i < data.lines.size(); ++i)
    sums[std::string(data.patients.ids[data.lines.patient[i]])] += data.lines.amount[i];
  if (sums != v.completed_by_patient) return "per-patient sums";
  for (const auto& [id, bonus] : v.bonus) {
    const Index p = data.patients.Find(id);
    if (p == kNone) return "patient " + id + " missing";
    if ((data.patient_has_bonus[p] != 0) != bonus.first || data.patient_bonus[p] != bonus.second)
      return "bonus of " + id;
    if (data.patient_registered[p] != v.registered.at(id)) return "registered of " + id;
  }
  const ImportSummary& s = data.summary;
  if (s.lines != v.lines || s.completed != v.completed || s.cancelled != v.cancelled ||
      s.no_show != v.no_show) {
    return "line counts";
  }
  if (s.completed_amount != v.completed_amount || s.cancelled_amount != v.cancelled_amount ||
      s.no_show_amount != v.no_show_amount) {
    return "amount totals";
  }
  if (s.goods_lines != v.goods) return "goods lines";
  return "";
}

inline int Depth(const Node& node) {
  int deepest = 0;
  for (const Node& item : node.items) deepest = std::max(deepest, Depth(item));
  for (const Node& value : node.values) deepest = std::max(deepest, Depth(value));
  return node.kind == Node::kArray || node.kind == Node::kObject ? deepest + 1 : 0;
}


}  // namespace clinic::oracle
