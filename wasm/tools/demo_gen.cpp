// clinic-demo-gen: a deterministic generator of realistic clinic exports
// (the clinic-export JSON format, or its CSV form), for the demo, tests and
// benchmarks.
//
//   clinic-demo-gen [--lines N] [--seed S] [--format json|csv] [--out PATH]
//                   [--employees N] [--divisions N] [--years N] [--start YYYY-MM-DD]
//
// json writes one file at PATH (stdout when no --out); csv writes visits.csv,
// patients.csv, employees.csv, divisions.csv and price_lists.csv into the
// directory PATH (created if missing).
//
// Output is byte-identical on every platform for the same arguments: the only
// randomness is a xoshiro256** generator seeded with splitmix64, used with
// integer arithmetic only (no std:: distributions, no floating point), and all
// amounts are int64 counts of 1/10000 of the currency unit printed from integers.
//
// The clinic it simulates, day by day over the period:
// - opening days weighted by weekday (closed on Sundays and Norwegian public
//   holidays, quiet in July, Saturdays short), and slowly growing business;
//   the number of lines per day is fixed in advance so the export has exactly N lines;
// - patients keep arriving over the whole period (about a fifth of the lines
//   at scale); each has a preferred employee and a loyalty class: some never come
//   back, others come back occasionally, regularly or often, recent patients more;
// - price lists (Standard, Pensioner, Corporate, VIP; some patients have none)
//   change service prices (Corporate's 12.5 % discount gives 4-decimal amounts);
// - multi-line visits (several services, goods sold during the visit), goods sales
//   in the Pharmacy shop, a second visit the same day at the laboratory, ~4 %
//   cancelled and ~3 % no-show lines, a few refunds (negative amounts), a few
//   lines without an employee (self-service sales) or without a division (fees);
// - names from Norwegian, Sundanese and English lists (non-ASCII included).
//
// Memory is a few bytes per patient: the simulation runs twice with the same
// seed, first to learn the patients (written before the visits), then to stream
// the visit lines through a large buffer.
//
// After writing, a one-line summary goes to stderr and the distinct patients,
// employees and divisions that actually appear in the lines are checked against
// the tables written (exit 1 on a mismatch).
//
// Build: g++ -std=c++20 -O2 -Wall -Wextra -o clinic-demo-gen wasm/tools/demo_gen.cpp

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ------------------------------------------------------------------ PRNG

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// xoshiro256** seeded by splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) word = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  /// Uniform-enough integer in [0, n), n < 2^32 (multiply-shift on the high 32 bits).
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  /// Integer in [0, n) for any n > 0.
  uint64_t Below64(uint64_t n) { return Next() % n; }
  /// True with probability per10000 / 10000.
  bool Chance(uint32_t per10000) { return Below(10000) < per10000; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

/// Picks an index by integer weights.
template <size_t N>
size_t PickWeighted(Rng& rng, const std::array<uint32_t, N>& weights) {
  uint32_t total = 0;
  for (uint32_t w : weights) total += w;
  uint32_t r = rng.Below(total);
  for (size_t i = 0; i < N; ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  return N - 1;
}

// ------------------------------------------------------------------ calendar

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t y;
  unsigned m, d;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

std::string FormatDay(int64_t day) {
  const Civil c = CivilFromDays(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(c.y), c.m, c.d);
  return buf;
}

bool ParseDay(std::string_view text, int64_t* day) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int y = std::atoi(std::string(text.substr(0, 4)).c_str());
  const unsigned m = static_cast<unsigned>(std::atoi(std::string(text.substr(5, 2)).c_str()));
  const unsigned d = static_cast<unsigned>(std::atoi(std::string(text.substr(8, 2)).c_str()));
  if (y < 1900 || y > 2150 || m < 1 || m > 12 || d < 1) return false;
  const int64_t z = DaysFromCivil(y, m, d);
  const Civil back = CivilFromDays(z);
  if (back.y != y || back.m != m || back.d != d) return false;
  *day = z;
  return true;
}

/// Easter Sunday (anonymous Gregorian algorithm).
int64_t EasterSunday(int64_t y) {
  const int64_t a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int64_t f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int64_t i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int64_t m = (a + 11 * h + 22 * l) / 451;
  const unsigned month = static_cast<unsigned>((h + l - 7 * m + 114) / 31);
  const unsigned day = static_cast<unsigned>((h + l - 7 * m + 114) % 31 + 1);
  return DaysFromCivil(y, month, day);
}

/// Relative business of a day (0 = closed): weekday, Norwegian holidays, July.
uint32_t DayWeight(int64_t day) {
  const Civil c = CivilFromDays(day);
  const int64_t weekday = ((day % 7) + 11) % 7;  // 0 = Sunday (1970-01-01 was a Thursday)
  if (weekday == 0) return 0;
  const unsigned md = c.m * 100 + c.d;
  if (md == 101 || md == 501 || md == 517 || md == 1225 || md == 1226) return 0;
  const int64_t easter = EasterSunday(c.y);
  for (int64_t offset : {-3, -2, 1, 39, 50}) {
    if (day == easter + offset) return 0;
  }
  if (md == 1224 || md == 1231) return 20;
  uint32_t w = weekday == 6 ? 30 : weekday == 1 ? 110 : weekday == 5 ? 90 : 100;
  if (c.m == 7) w = w * 55 / 100;
  if (c.m == 12 && c.d > 20) w = w * 70 / 100;
  return w;
}

// ------------------------------------------------------------------ clinic data

struct Item {
  const char* name;
  int32_t min_cents, max_cents, step_cents;  // price: min + k * step up to max
};

struct DivisionDef {
  const char* name;
  uint32_t weight;  // share of patients who come for this division
  bool shop;        // sells goods only
  bool lab;         // the laboratory (second visits the same day)
  std::vector<Item> services;
};

const std::vector<DivisionDef>& DivisionCatalog() {
  static const std::vector<DivisionDef> kDivisions = {
      {"General practice", 300, false, false,
       {{"Consultation", 65000, 65000, 1},
        {"Extended consultation", 95000, 95000, 1},
        {"Follow-up consultation", 45000, 45000, 1},
        {"Telephone consultation", 25000, 25000, 1},
        {"Health certificate", 85000, 85000, 1},
        {"Vaccination", 39500, 39500, 1},
        {"ECG", 55000, 55000, 1},
        {"Minor surgery", 60000, 180000, 5000},
        {"Blood pressure check", 20000, 20000, 1}}},
      {"Dentistry", 180, false, false,
       {{"Dental examination", 89000, 89000, 1},
        {"Dental X-ray", 25000, 50000, 5000},
        {"Cleaning and scaling", 95000, 95000, 1},
        {"Filling", 110000, 280000, 5000},
        {"Tooth extraction", 150000, 350000, 10000},
        {"Root canal treatment", 450000, 850000, 25000},
        {"Whitening", 349500, 349500, 1}}},
      {"Physiotherapy", 120, false, false,
       {{"Physiotherapy session", 69000, 69000, 1},
        {"First assessment", 89000, 89000, 1},
        {"Shockwave therapy", 95000, 95000, 1},
        {"Massage, 30 min", 59500, 59500, 1},
        {"Training programme", 45000, 45000, 1}}},
      {"Laboratory", 60, false, true,
       {{"Blood sample", 15000, 15000, 1},
        {"CRP quick test", 18000, 18000, 1},
        {"Urine test", 12000, 12000, 1},
        {"Strep A test", 25000, 25000, 1},
        {"HbA1c", 21000, 21000, 1},
        {"Vitamin D", 34950, 34950, 1},
        {"Blood test panel", 39000, 99000, 5000}}},
      {"Pediatrics", 100, false, false,
       {{"Child consultation", 55000, 55000, 1},
        {"Child vaccination", 0, 0, 1},
        {"Growth check", 40000, 40000, 1},
        {"Ear examination", 35000, 35000, 1}}},
      {"Pharmacy shop", 120, true, false, {}},
      {"Dermatology", 50, false, false,
       {{"Skin examination", 98000, 98000, 1},
        {"Mole removal", 120000, 240000, 10000},
        {"Cryotherapy", 60000, 60000, 1}}},
      {"Ophthalmology", 50, false, false,
       {{"Eye examination", 89000, 89000, 1},
        {"Vision test", 45000, 45000, 1},
        {"Eye pressure test", 39000, 39000, 1}}},
      {"Gynecology", 50, false, false,
       {{"Gynecological examination", 129000, 129000, 1},
        {"Ultrasound", 149000, 149000, 1},
        {"Cervical screening", 69000, 69000, 1}}},
      {"Cardiology", 40, false, false,
       {{"Cardiology consultation", 165000, 165000, 1},
        {"Exercise ECG", 249000, 249000, 1},
        {"Holter monitoring", 199000, 199000, 1}}},
      {"Orthopedics", 40, false, false,
       {{"Orthopedic consultation", 145000, 145000, 1},
        {"Joint injection", 89000, 89000, 1},
        {"Splint fitting", 59000, 120000, 5000}}},
      {"Psychology", 40, false, false,
       {{"Therapy session", 139000, 139000, 1},
        {"Assessment session", 175000, 175000, 1}}},
      {"Radiology", 40, false, false,
       {{"X-ray", 79000, 79000, 1},
        {"Ultrasound examination", 159000, 159000, 1},
        {"MRI scan", 390000, 590000, 50000}}},
      {"Nutrition", 30, false, false,
       {{"Dietitian consultation", 89000, 89000, 1},
        {"Follow-up with dietitian", 59000, 59000, 1}}},
      {"Speech therapy", 25, false, false,
       {{"Speech therapy session", 79000, 79000, 1}}},
      {"Chiropractic", 35, false, false,
       {{"Chiropractic treatment", 62000, 62000, 1},
        {"First chiropractic assessment", 95000, 95000, 1}}},
      {"Occupational health", 30, false, false,
       {{"Workplace health check", 120000, 120000, 1},
        {"Hearing test", 45000, 45000, 1}}},
      {"Ear, nose and throat", 35, false, false,
       {{"ENT consultation", 119000, 119000, 1},
        {"Ear wax removal", 49000, 49000, 1}}},
      {"Neurology", 25, false, false,
       {{"Neurology consultation", 175000, 175000, 1},
        {"EEG", 220000, 220000, 1}}},
      {"Urology", 25, false, false,
       {{"Urology consultation", 155000, 155000, 1},
        {"Bladder scan", 69000, 69000, 1}}},
      {"Podiatry", 25, false, false,
       {{"Foot care", 65000, 65000, 1},
        {"Insoles fitting", 120000, 180000, 10000}}},
      {"Allergy clinic", 25, false, false,
       {{"Allergy test", 119000, 119000, 1},
        {"Allergy consultation", 99000, 99000, 1}}},
      {"Sports medicine", 25, false, false,
       {{"Sports injury assessment", 109000, 109000, 1},
        {"Taping", 29000, 29000, 1}}},
      {"Travel vaccination", 30, false, false,
       {{"Travel consultation", 49000, 49000, 1},
        {"Hepatitis A vaccine", 69000, 69000, 1},
        {"Yellow fever vaccine", 89000, 89000, 1}}},
  };
  return kDivisions;
}

const std::vector<Item> kGoods = {
    {"Paracetamol 500 mg, 20 tablets", 4990, 4990, 1},
    {"Ibuprofen 400 mg, 30 tablets", 6990, 6990, 1},
    {"Vitamin D drops", 12900, 12900, 1},
    {"Plasters", 3990, 3990, 1},
    {"Hand cream", 8950, 8950, 1},
    {"Toothbrush", 5900, 5900, 1},
    {"Dental floss", 3490, 3490, 1},
    {"Digital thermometer", 19900, 19900, 1},
    {"Nasal spray", 7490, 7490, 1},
    {"Omega-3 capsules", 24900, 24900, 1},
    {"Sunscreen SPF 50", 17900, 17900, 1},
    {"Allergy tablets, 30 tablets", 11900, 11900, 1},
    {"Elastic bandage", 8900, 8900, 1},
    {"Electrolyte drink", 2990, 2990, 1},
    {"Cough syrup \"Nattro\"", 9450, 9450, 1},
    {"Compression socks", 29900, 39900, 5000},
};

const std::vector<Item> kFees = {
    {"Medical certificate", 35000, 35000, 1},
    {"Copy of medical records", 15000, 15000, 1},
    {"Late cancellation fee", 40000, 40000, 1},
};

struct PriceList {
  const char* id;
  const char* name;
  uint32_t permille;  // of the standard service price
};

const std::array<PriceList, 4> kPriceLists = {{
    {"PL-STD", "Standard", 1000},
    {"PL-PEN", "Pensioner", 700},
    {"PL-CORP", "Corporate", 875},
    {"PL-VIP", "VIP", 1150},
}};
constexpr std::array<uint32_t, 5> kPriceListWeights = {6, 58, 16, 14, 6};  // none, then each list

struct NameGroup {
  std::vector<const char*> first, last;
};

const std::array<NameGroup, 3>& NameGroups() {
  static const std::array<NameGroup, 3> kGroups = {{
      {{"Ole", "Lars", "Kari", "Ingrid", "Bjørn", "Øyvind", "Åse", "Håkon", "Sølvi", "Ragnhild",
        "Kjell", "Sigrid", "Torbjørn", "Astrid", "Jørgen", "Marit", "Eirik", "Solveig", "Nils", "Liv",
        "Anders", "Tone", "Geir", "Hilde", "Ståle", "Bodil", "Sindre", "Maren", "Thea", "Jonas",
        "Emma", "Nora", "Åsmund", "Gudrun", "Siv", "Tor", "Frøydis", "Dag", "Ørjan", "Aud"},
       {"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
        "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
        "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
        "Lund", "Sørensen", "Strand", "Solberg", "Bakken", "Ødegård", "Aasen", "Sæther", "Våge",
        "Løvås", "Bråten", "Kvåle", "Fjellstad", "Myklebust", "Bråthen"}},
      {{"Asep", "Ujang", "Euis", "Dede", "Cecep", "Neneng", "Iis", "Entin", "Yayan", "Dadang",
        "Ade", "Nining", "Enceng", "Acep", "Eneng", "Lilis", "Wawan", "Yuyun", "Ai", "Iwan", "Rina",
        "Deden", "Ikah", "Nunung", "Eulis", "Atep"},
       {"Sumarna", "Permana", "Hidayat", "Kurniawan", "Suryadi", "Rahmat", "Nugraha", "Setiawan",
        "Gunawan", "Saputra", "Hermawan", "Sudrajat", "Wiradinata", "Sasmita", "Kartadinata",
        "Somantri", "Suganda", "Rukmana", "Supriatna", "Mulyana"}},
      {{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
        "Elizabeth", "David", "Susan", "Oliver", "Amelia", "Harry", "Chloé", "Renée", "André", "Zoë",
        "Désirée", "Seán", "Noël", "Grace", "Jack", "Sophie", "Thomas"},
       {"Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Wilson", "Davies", "Evans",
        "Thomas", "Roberts", "Walker", "Wright", "Clarke", "O'Brien", "Hughes", "Green", "Hall",
        "Wood", "Harris", "Lewis", "Martin", "Jackson", "Thompson", "White", "Young"}},
  }};
  return kGroups;
}

constexpr std::array<uint32_t, 3> kNameGroupWeights = {55, 18, 27};

// ------------------------------------------------------------------ output

/// Appends to a big buffer and writes it out in large blocks.
class Writer {
 public:
  Writer() { buf_.reserve(kBlock + 4096); }
  ~Writer() { Close(); }
  bool Open(const std::string& path) {
    if (path.empty() || path == "-") {
      file_ = stdout;
      owned_ = false;
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      owned_ = true;
    }
    return file_ != nullptr;
  }
  void Put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kBlock) Flush();
  }
  void Put(char c) { buf_.push_back(c); }
  void PutUint(uint64_t v, int width = 0) {
    char tmp[24];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
    (void)ec;
    for (int pad = width - static_cast<int>(end - tmp); pad > 0; --pad) buf_.push_back('0');
    buf_.append(tmp, end);
  }
  /// An amount in 1/10000 units: 2 decimals, or 4 when the last two are not zero.
  void PutAmount(int64_t units) {
    uint64_t a;
    if (units < 0) {
      buf_.push_back('-');
      a = static_cast<uint64_t>(-(units + 1)) + 1;
    } else {
      a = static_cast<uint64_t>(units);
    }
    PutUint(a / 10000);
    buf_.push_back('.');
    const uint64_t frac = a % 10000;
    if (frac % 100 == 0) {
      PutUint(frac / 100, 2);
    } else {
      PutUint(frac, 4);
    }
  }
  void PutJsonString(std::string_view s) {
    buf_.push_back('"');
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        buf_.push_back('\\');
        buf_.push_back(ch);
      } else if (c < 0x20) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", c);
        buf_.append(esc);
      } else {
        buf_.push_back(ch);
      }
    }
    buf_.push_back('"');
  }
  void PutCsvCell(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
      buf_.append(s);
      return;
    }
    buf_.push_back('"');
    for (char ch : s) {
      if (ch == '"') buf_.push_back('"');
      buf_.push_back(ch);
    }
    buf_.push_back('"');
  }
  void Flush() {
    if (file_ && !buf_.empty()) {
      if (std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) failed_ = true;
    }
    buf_.clear();
  }
  bool Close() {
    Flush();
    if (file_) {
      if (std::fflush(file_) != 0) failed_ = true;
      if (owned_ && std::fclose(file_) != 0) failed_ = true;
      file_ = nullptr;
    }
    return !failed_;
  }
  void MaybeFlush() {
    if (buf_.size() >= kBlock) Flush();
  }

 private:
  static constexpr size_t kBlock = size_t{4} << 20;
  std::string buf_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  bool failed_ = false;
};

// ------------------------------------------------------------------ the generator

struct Config {
  uint64_t lines = 30000;
  uint64_t seed = 1;
  bool csv = false;
  std::string out;
  uint32_t employees = 20;
  uint32_t divisions = 6;
  uint32_t years = 2;
  int64_t start = DaysFromCivil(2024, 1, 1);
};

constexpr uint32_t kNoIndex = UINT32_MAX;

/// What a patient is, derived from the seed and the patient's number alone.
struct PatientAttrs {
  uint32_t group, first, last;
  uint32_t price_list;  // 0 = none, else 1 + index into kPriceLists
  bool has_bonus;
  int64_t bonus;         // 1/10000 units
  uint32_t registered;   // 0 = none, 1 = on the first visit, 2 = earlier
  uint32_t registered_before;  // days before the first visit (mode 2)
};

PatientAttrs MakePatientAttrs(uint64_t seed, uint64_t index) {
  uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (index + 1));
  Rng rng(SplitMix64(s));
  PatientAttrs a{};
  a.group = static_cast<uint32_t>(PickWeighted(rng, kNameGroupWeights));
  const auto& groups = NameGroups();
  a.first = rng.Below(static_cast<uint32_t>(groups[a.group].first.size()));
  // Mostly a last name from the same group.
  const uint32_t last_group = rng.Chance(8500) ? a.group : static_cast<uint32_t>(PickWeighted(rng, kNameGroupWeights));
  a.last = last_group * 1000 + rng.Below(static_cast<uint32_t>(groups[last_group].last.size()));
  a.price_list = static_cast<uint32_t>(PickWeighted(rng, kPriceListWeights));
  a.has_bonus = rng.Chance(3500);
  if (a.has_bonus) {
    const uint32_t kind = rng.Below(100);
    if (kind < 8) {
      a.bonus = 0;
    } else if (kind < 55) {
      a.bonus = int64_t{50} * (1 + rng.Below(40)) * 10000;  // whole kroner
    } else if (kind < 97) {
      a.bonus = static_cast<int64_t>(rng.Below(250000)) * 100;  // with øre
    } else {
      a.bonus = static_cast<int64_t>(rng.Below(5000000));  // 4 decimals
    }
  }
  const uint32_t reg = rng.Below(100);
  a.registered = reg < 60 ? 1 : reg < 85 ? 2 : 0;
  a.registered_before = 1 + rng.Below(2000);
  return a;
}

std::string PatientName(const PatientAttrs& a) {
  const auto& groups = NameGroups();
  std::string name = groups[a.group].first[a.first];
  name += ' ';
  name += groups[a.last / 1000].last[a.last % 1000];
  return name;
}

int DigitsOf(uint64_t v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

struct Stats {
  uint64_t lines = 0, completed = 0, cancelled = 0, no_show = 0, goods = 0, refunds = 0;
  uint64_t no_employee = 0, no_division = 0, four_decimals = 0;
  uint64_t visits = 0;  // appointments generated, any status
  int64_t first_day = INT64_MAX, last_day = INT64_MIN;
};

class Generator {
 public:
  explicit Generator(const Config& config) : config_(config) { Setup(); }

  /// One simulation; writes lines when `out` is given. Returns patients created.
  uint32_t Run(Writer* out);

  const std::vector<int64_t>& FirstDays() const { return first_day_; }
  const Stats& stats() const { return stats_; }
  const std::vector<uint8_t>& seen_patients() const { return seen_patient_; }
  const std::vector<uint8_t>& seen_employees() const { return seen_employee_; }
  const std::vector<uint8_t>& seen_divisions() const { return seen_division_; }

  // Tables.
  std::vector<std::string> division_names, employee_names;
  std::vector<uint32_t> employee_division;
  int division_width = 2, employee_width = 3, patient_width = 6, line_width = 7;

 private:
  enum Status : uint8_t { kCompleted, kCancelled, kNoShow };

  void Setup();
  uint32_t PickEmployee();
  uint32_t CreatePatient(int64_t day, uint32_t employee);
  uint32_t PickReturning();
  uint64_t Visit(uint32_t day_index, uint64_t room);
  uint64_t LabVisit(uint32_t day_index, uint32_t patient, uint64_t room);
  /// Catalogs list the common (cheaper) services first: the smaller of two draws.
  size_t PickService(size_t n) {
    const uint32_t a = rng_.Below(static_cast<uint32_t>(n)), b = rng_.Below(static_cast<uint32_t>(n));
    return std::min(a, b);
  }
  int64_t ServicePrice(const Item& item, uint32_t patient);
  int64_t GoodsPrice(const Item& item);
  void Line(uint32_t day_index, uint32_t patient, uint32_t employee, uint32_t division, int64_t amount,
            bool goods, Status status, std::string_view service);
  const std::vector<Item>& ServicesOf(uint32_t division) const;

  const Config& config_;
  // Calendar.
  int64_t days_ = 0;
  std::vector<uint64_t> quota_;
  std::vector<std::string> day_text_;
  // Clinic.
  std::vector<uint32_t> division_def_;  // per division, index into DivisionCatalog()
  std::vector<std::vector<uint32_t>> division_employees_;
  std::vector<uint64_t> employee_cumulative_;
  uint32_t shop_division_ = kNoIndex, lab_division_ = kNoIndex;
  uint64_t patient_target_ = 0;
  // Simulation state.
  Rng rng_{1};
  Writer* out_ = nullptr;
  uint64_t lines_done_ = 0, line_id_ = 0;
  std::vector<int64_t> first_day_;
  std::vector<uint32_t> preferred_;
  std::vector<uint8_t> price_list_;
  std::array<std::vector<uint32_t>, 3> pools_;  // occasional, regular, frequent
  std::vector<uint8_t> seen_patient_, seen_employee_, seen_division_;
  Stats stats_;
  std::string scratch_;
};

void Generator::Setup() {
  const auto& catalog = DivisionCatalog();
  // Calendar: the period is `years` calendar years from the start date.
  const Civil s = CivilFromDays(config_.start);
  int64_t end = DaysFromCivil(s.y + config_.years, s.m, 1) + (s.d - 1);  // same day, years later
  days_ = end - config_.start;
  std::vector<uint64_t> weights(static_cast<size_t>(days_));
  uint64_t total = 0;
  for (int64_t d = 0; d < days_; ++d) {
    // Business grows by ~30 % over the period. (At most ~15,000 per day, so
    // cumulative * lines below stays far inside 64 bits.)
    const uint64_t w = uint64_t{DayWeight(config_.start + d)} * static_cast<uint64_t>(100 + 30 * d / days_);
    weights[static_cast<size_t>(d)] = w;
    total += w;
  }
  quota_.resize(static_cast<size_t>(days_));
  uint64_t cumulative = 0;
  uint64_t given = 0;
  for (int64_t d = 0; d < days_; ++d) {
    cumulative += weights[static_cast<size_t>(d)];
    const uint64_t upto = cumulative * config_.lines / total;
    quota_[static_cast<size_t>(d)] = upto - given;
    given = upto;
  }
  day_text_.resize(static_cast<size_t>(days_));
  for (int64_t d = 0; d < days_; ++d) day_text_[static_cast<size_t>(d)] = FormatDay(config_.start + d);

  // Divisions: the catalog in order, then numbered satellite units.
  const uint32_t nd = config_.divisions;
  division_width = std::max(2, DigitsOf(nd));
  division_def_.resize(nd);
  for (uint32_t i = 0; i < nd; ++i) {
    if (i < catalog.size()) {
      division_def_[i] = i;
      division_names.push_back(catalog[i].name);
      if (catalog[i].shop && shop_division_ == kNoIndex) shop_division_ = i;
      if (catalog[i].lab && lab_division_ == kNoIndex) lab_division_ = i;
    } else {
      division_def_[i] = 0;  // general practice services
      division_names.push_back("Satellite clinic " + std::to_string(i - catalog.size() + 1));
    }
  }

  // Employees: one per division first, then by division weight; unique names.
  Rng setup(config_.seed ^ 0x5EED0000E1u);
  const uint32_t ne = config_.employees;
  employee_width = std::max(3, DigitsOf(ne));
  division_employees_.assign(nd, {});
  std::vector<uint32_t> division_weight(nd);
  uint32_t weight_total = 0;
  for (uint32_t i = 0; i < nd; ++i) {
    division_weight[i] = i < catalog.size() ? catalog[i].weight : 30;
    weight_total += division_weight[i];
  }
  std::vector<std::string> taken;
  for (uint32_t e = 0; e < ne; ++e) {
    uint32_t div = e;
    if (e >= nd) {
      uint32_t r = setup.Below(weight_total);
      div = 0;
      while (r >= division_weight[div]) {
        r -= division_weight[div];
        ++div;
      }
    }
    employee_division.push_back(div);
    division_employees_[div].push_back(e);
    std::string name;
    for (int attempt = 0;; ++attempt) {
      const auto& groups = NameGroups();
      const auto g = PickWeighted(setup, kNameGroupWeights);
      name = groups[g].first[setup.Below(static_cast<uint32_t>(groups[g].first.size()))];
      name += ' ';
      name += groups[g].last[setup.Below(static_cast<uint32_t>(groups[g].last.size()))];
      if (attempt >= 50) name += " " + std::to_string(e + 1);
      if (std::find(taken.begin(), taken.end(), name) == taken.end()) break;
    }
    taken.push_back(name);
    employee_names.push_back(name);
  }
  // Popularity: division weight x (1..4), shared among the division's employees.
  uint64_t cumulative_weight = 0;
  for (uint32_t e = 0; e < ne; ++e) {
    const uint32_t div = employee_division[e];
    cumulative_weight += uint64_t{division_weight[div]} * (1 + setup.Below(4)) * 1000 /
                         division_employees_[div].size();
    employee_cumulative_.push_back(cumulative_weight);
  }

  patient_target_ = std::max<uint64_t>(uint64_t{ne} + 1, config_.lines / 5);
  line_width = std::max(7, DigitsOf(config_.lines));
}

const std::vector<Item>& Generator::ServicesOf(uint32_t division) const {
  const auto& def = DivisionCatalog()[division_def_[division]];
  return def.shop ? kGoods : def.services;
}

uint32_t Generator::PickEmployee() {
  const uint64_t r = rng_.Below64(employee_cumulative_.back());
  return static_cast<uint32_t>(std::upper_bound(employee_cumulative_.begin(), employee_cumulative_.end(), r) -
                               employee_cumulative_.begin());
}

uint32_t Generator::CreatePatient(int64_t day, uint32_t employee) {
  const auto index = static_cast<uint32_t>(first_day_.size());
  first_day_.push_back(day);
  preferred_.push_back(employee);
  price_list_.push_back(static_cast<uint8_t>(MakePatientAttrs(config_.seed, index).price_list));
  // Loyalty: 27 % never come back; the others occasionally, regularly or often.
  const uint32_t r = rng_.Below(100);
  if (r >= 27) pools_[r < 62 ? 0 : r < 88 ? 1 : 2].push_back(index);
  return index;
}

uint32_t Generator::PickReturning() {
  constexpr std::array<uint64_t, 3> kWeight = {1, 3, 8};
  uint64_t total = 0;
  for (size_t c = 0; c < 3; ++c) total += kWeight[c] * pools_[c].size();
  uint64_t r = rng_.Below64(total);
  size_t c = 0;
  while (r >= kWeight[c] * pools_[c].size()) {
    r -= kWeight[c] * pools_[c].size();
    ++c;
  }
  const auto& pool = pools_[c];
  const auto size = static_cast<uint32_t>(pool.size());
  // Half of the returns are recent patients (the last fifth of the pool).
  if (rng_.Chance(5000)) {
    const uint32_t recent = std::max<uint32_t>(1, size / 5);
    return pool[size - recent + rng_.Below(recent)];
  }
  return pool[rng_.Below(size)];
}

int64_t Generator::ServicePrice(const Item& item, uint32_t patient) {
  int64_t cents = item.min_cents;
  if (item.max_cents > item.min_cents) {
    cents += int64_t{item.step_cents} *
             rng_.Below(static_cast<uint32_t>((item.max_cents - item.min_cents) / item.step_cents + 1));
  }
  const uint32_t list = price_list_[patient];
  const uint32_t permille = list == 0 ? 1000 : kPriceLists[list - 1].permille;
  // Exact: service prices are even numbers of øre, so cents * permille is a multiple of 10.
  // Corporate (87.5 %) gives amounts with 4 decimals, such as 3058.1250.
  return cents * 100 * permille / 1000;
}

int64_t Generator::GoodsPrice(const Item& item) {
  int64_t cents = item.min_cents;
  if (item.max_cents > item.min_cents) {
    cents += int64_t{item.step_cents} *
             rng_.Below(static_cast<uint32_t>((item.max_cents - item.min_cents) / item.step_cents + 1));
  }
  return cents * 100;
}

void Generator::Line(uint32_t day_index, uint32_t patient, uint32_t employee, uint32_t division,
                     int64_t amount, bool goods, Status status, std::string_view service) {
  ++lines_done_;
  if (!out_) return;
  ++line_id_;
  Stats& s = stats_;
  ++s.lines;
  if (status == kCompleted) ++s.completed;
  if (status == kCancelled) ++s.cancelled;
  if (status == kNoShow) ++s.no_show;
  if (goods) ++s.goods;
  if (amount < 0) ++s.refunds;
  if (employee == kNoIndex) ++s.no_employee;
  if (division == kNoIndex) ++s.no_division;
  if (amount % 100 != 0) ++s.four_decimals;
  const int64_t day = config_.start + day_index;
  s.first_day = std::min(s.first_day, day);
  s.last_day = std::max(s.last_day, day);
  if (patient >= seen_patient_.size()) seen_patient_.resize(patient + 1, 0);
  seen_patient_[patient] = 1;
  if (employee != kNoIndex) seen_employee_[employee] = 1;
  if (division != kNoIndex) seen_division_[division] = 1;

  Writer& w = *out_;
  static constexpr const char* kStatusText[] = {"completed", "cancelled", "no-show"};
  if (config_.csv) {
    w.Put('V');
    w.PutUint(line_id_, line_width);
    w.Put(',');
    w.Put(day_text_[day_index]);
    w.Put(",P");
    w.PutUint(patient + 1, patient_width);
    w.Put(',');
    if (employee != kNoIndex) {
      w.Put('E');
      w.PutUint(employee + 1, employee_width);
    }
    w.Put(',');
    if (division != kNoIndex) {
      w.Put('D');
      w.PutUint(division + 1, division_width);
    }
    w.Put(',');
    w.PutAmount(amount);
    w.Put(goods ? ",goods," : ",service,");
    w.Put(kStatusText[status]);
    w.Put(',');
    w.PutCsvCell(service);
    w.Put('\n');
  } else {
    w.Put(line_id_ == 1 ? "\n{\"id\":\"V" : ",\n{\"id\":\"V");
    w.PutUint(line_id_, line_width);
    w.Put("\",\"date\":\"");
    w.Put(day_text_[day_index]);
    w.Put("\",\"patient\":\"P");
    w.PutUint(patient + 1, patient_width);
    if (employee != kNoIndex) {
      w.Put("\",\"employee\":\"E");
      w.PutUint(employee + 1, employee_width);
    }
    if (division != kNoIndex) {
      w.Put("\",\"division\":\"D");
      w.PutUint(division + 1, division_width);
    }
    w.Put("\",\"amount\":");
    w.PutAmount(amount);
    if (goods) w.Put(",\"kind\":\"goods\"");
    if (status != kCompleted) {
      w.Put(",\"status\":\"");
      w.Put(kStatusText[status]);
      w.Put('"');
    }
    w.Put(",\"service\":");
    w.PutJsonString(service);
    w.Put('}');
  }
  w.MaybeFlush();
}

uint64_t Generator::LabVisit(uint32_t day_index, uint32_t patient, uint64_t room) {
  const auto& staff = division_employees_[lab_division_];
  const uint32_t employee = staff[rng_.Below(static_cast<uint32_t>(staff.size()))];
  const auto& services = ServicesOf(lab_division_);
  const uint64_t n = std::min<uint64_t>(room, 1 + rng_.Below(2));
  for (uint64_t i = 0; i < n; ++i) {
    const Item& item = services[PickService(services.size())];
    Line(day_index, patient, employee, lab_division_, ServicePrice(item, patient), false, kCompleted, item.name);
  }
  if (out_) ++stats_.visits;
  return n;
}

uint64_t Generator::Visit(uint32_t day_index, uint64_t room) {
  const int64_t day = config_.start + day_index;
  const auto created = static_cast<uint32_t>(first_day_.size());
  const bool pools_empty = pools_[0].empty() && pools_[1].empty() && pools_[2].empty();
  uint32_t patient, employee;
  bool is_new;
  if (created < config_.employees) {
    // The first patients each meet a different employee, so every employee and division appears.
    is_new = true;
    employee = created;
  } else {
    const uint64_t target =
        patient_target_ * (8 * lines_done_ + config_.lines) / (9 * config_.lines);
    is_new = pools_empty || rng_.Chance(created < target ? 5500 : 800);
    employee = is_new ? PickEmployee() : kNoIndex;
  }
  if (is_new) {
    patient = CreatePatient(day, employee);
  } else {
    patient = PickReturning();
    // Self-service purchase without an employee.
    if (rng_.Chance(120)) {
      const uint32_t division = shop_division_ != kNoIndex ? shop_division_ : employee_division[preferred_[patient]];
      const uint64_t n = std::min<uint64_t>(room, 1 + rng_.Below(2));
      for (uint64_t i = 0; i < n; ++i) {
        const Item& item = kGoods[rng_.Below(static_cast<uint32_t>(kGoods.size()))];
        Line(day_index, patient, kNoIndex, division, GoodsPrice(item), true, kCompleted, item.name);
      }
      if (out_) ++stats_.visits;
      return n;
    }
    const uint32_t preferred = preferred_[patient];
    const uint32_t r = rng_.Below(100);
    if (r < 80) {
      employee = preferred;
    } else if (r < 88) {
      const auto& staff = division_employees_[employee_division[preferred]];
      employee = staff[rng_.Below(static_cast<uint32_t>(staff.size()))];
    } else {
      employee = PickEmployee();
    }
  }
  const uint32_t division = employee_division[employee];
  const bool shop = DivisionCatalog()[division_def_[division]].shop;
  const auto& services = ServicesOf(division);

  Status status = kCompleted;
  if (!shop) {
    const uint32_t r = rng_.Below(10000);
    status = r < 770 ? kCancelled : r < 770 + 600 ? kNoShow : kCompleted;
  }
  uint64_t n = 1;
  if (status == kCompleted) {
    n = 1 + (shop ? PickWeighted(rng_, std::array<uint32_t, 4>{50, 30, 15, 5})
                  : PickWeighted(rng_, std::array<uint32_t, 4>{56, 28, 11, 5}));
  }
  n = std::min(n, room);
  for (uint64_t i = 0; i < n; ++i) {
    if (shop || (i > 0 && rng_.Chance(3000))) {
      const Item& item = kGoods[rng_.Below(static_cast<uint32_t>(kGoods.size()))];
      Line(day_index, patient, employee, division, GoodsPrice(item), true, status, item.name);
    } else {
      const Item& item = services[PickService(services.size())];
      Line(day_index, patient, employee, division, ServicePrice(item, patient), false, status, item.name);
    }
  }
  if (out_) ++stats_.visits;
  uint64_t used = n;
  if (status != kCompleted) return used;

  // A fee outside any division.
  if (used < room && !shop && rng_.Chance(60)) {
    const Item& fee = kFees[rng_.Below(static_cast<uint32_t>(kFees.size()))];
    Line(day_index, patient, employee, kNoIndex, GoodsPrice(fee), false, kCompleted, fee.name);
    ++used;
  }
  // A refund of something bought or done earlier.
  if (used < room && rng_.Chance(35)) {
    if (shop || rng_.Chance(3000)) {
      const Item& item = kGoods[rng_.Below(static_cast<uint32_t>(kGoods.size()))];
      scratch_ = "Returned: ";
      scratch_ += item.name;
      Line(day_index, patient, employee, division, -GoodsPrice(item), true, kCompleted, scratch_);
    } else {
      const Item& item = services[PickService(services.size())];
      scratch_ = "Refund: ";
      scratch_ += item.name;
      Line(day_index, patient, employee, division, -ServicePrice(item, patient), false, kCompleted, scratch_);
    }
    ++used;
  }
  // A second visit the same day, at the laboratory.
  if (used < room && !shop && lab_division_ != kNoIndex && division != lab_division_ && rng_.Chance(350)) {
    used += LabVisit(day_index, patient, room - used);
  }
  return used;
}

uint32_t Generator::Run(Writer* out) {
  rng_ = Rng(config_.seed);
  out_ = out;
  lines_done_ = 0;
  line_id_ = 0;
  first_day_.clear();
  preferred_.clear();
  price_list_.clear();
  for (auto& pool : pools_) pool.clear();
  stats_ = Stats{};
  if (out) {
    seen_patient_.clear();
    seen_employee_.assign(config_.employees, 0);
    seen_division_.assign(config_.divisions, 0);
  }
  for (uint32_t d = 0; d < static_cast<uint32_t>(days_); ++d) {
    uint64_t room = quota_[d];
    while (room > 0) room -= Visit(d, room);
  }
  return static_cast<uint32_t>(first_day_.size());
}


// ------------------------------------------------------------------ tables and main

constexpr const char* kClinicName = "Fjordlys Helsesenter Ålesund";
constexpr const char* kCurrency = "NOK";

/// Writes the tables (everything but the visits) of a JSON export.
void WriteJsonHead(Writer& w, const Generator& g, const Config& config) {
  w.Put("{\"format\":\"clinic-export\",\"version\":1,\n\"clinic\":{\"name\":");
  w.PutJsonString(kClinicName);
  w.Put(",\"currency\":\"");
  w.Put(kCurrency);
  w.Put("\"},\n\"divisions\":[");
  for (size_t i = 0; i < g.division_names.size(); ++i) {
    w.Put(i ? ",\n{\"id\":\"D" : "\n{\"id\":\"D");
    w.PutUint(i + 1, g.division_width);
    w.Put("\",\"name\":");
    w.PutJsonString(g.division_names[i]);
    w.Put('}');
  }
  w.Put("],\n\"employees\":[");
  for (size_t i = 0; i < g.employee_names.size(); ++i) {
    w.Put(i ? ",\n{\"id\":\"E" : "\n{\"id\":\"E");
    w.PutUint(i + 1, g.employee_width);
    w.Put("\",\"name\":");
    w.PutJsonString(g.employee_names[i]);
    w.Put(",\"division\":\"D");
    w.PutUint(g.employee_division[i] + 1, g.division_width);
    w.Put("\"}");
  }
  w.Put("],\n\"priceLists\":[");
  for (size_t i = 0; i < kPriceLists.size(); ++i) {
    w.Put(i ? ",\n{\"id\":" : "\n{\"id\":");
    w.PutJsonString(kPriceLists[i].id);
    w.Put(",\"name\":");
    w.PutJsonString(kPriceLists[i].name);
    w.Put('}');
  }
  w.Put("],\n\"patients\":[");
  const auto& first = g.FirstDays();
  for (size_t i = 0; i < first.size(); ++i) {
    const PatientAttrs a = MakePatientAttrs(config.seed, i);
    w.Put(i ? ",\n{\"id\":\"P" : "\n{\"id\":\"P");
    w.PutUint(i + 1, g.patient_width);
    w.Put("\",\"name\":");
    w.PutJsonString(PatientName(a));
    if (a.price_list) {
      w.Put(",\"priceList\":");
      w.PutJsonString(kPriceLists[a.price_list - 1].id);
    }
    if (a.has_bonus) {
      w.Put(",\"bonusBalance\":");
      w.PutAmount(a.bonus);
    }
    if (a.registered) {
      const int64_t day = a.registered == 1 ? first[i] : std::max(first[i] - a.registered_before, DaysFromCivil(1900, 1, 1));
      w.Put(",\"registered\":\"");
      w.Put(FormatDay(day));
      w.Put('"');
    }
    w.Put('}');
    w.MaybeFlush();
  }
  w.Put("],\n\"visits\":[");
}

/// Writes divisions.csv, price_lists.csv, employees.csv and patients.csv into `dir`.
bool WriteCsvTables(const std::filesystem::path& dir, const Generator& g, const Config& config) {
  Writer w;
  if (!w.Open((dir / "divisions.csv").string())) return false;
  w.Put("id,name\n");
  for (size_t i = 0; i < g.division_names.size(); ++i) {
    w.Put('D');
    w.PutUint(i + 1, g.division_width);
    w.Put(',');
    w.PutCsvCell(g.division_names[i]);
    w.Put('\n');
  }
  if (!w.Close() || !w.Open((dir / "price_lists.csv").string())) return false;
  w.Put("id,name\n");
  for (const auto& list : kPriceLists) {
    w.PutCsvCell(list.id);
    w.Put(',');
    w.PutCsvCell(list.name);
    w.Put('\n');
  }
  if (!w.Close() || !w.Open((dir / "employees.csv").string())) return false;
  w.Put("id,name,division\n");
  for (size_t i = 0; i < g.employee_names.size(); ++i) {
    w.Put('E');
    w.PutUint(i + 1, g.employee_width);
    w.Put(',');
    w.PutCsvCell(g.employee_names[i]);
    w.Put(",D");
    w.PutUint(g.employee_division[i] + 1, g.division_width);
    w.Put('\n');
  }
  if (!w.Close() || !w.Open((dir / "patients.csv").string())) return false;
  w.Put("id,name,price_list,bonus_balance,registered\n");
  const auto& first = g.FirstDays();
  for (size_t i = 0; i < first.size(); ++i) {
    const PatientAttrs a = MakePatientAttrs(config.seed, i);
    w.Put('P');
    w.PutUint(i + 1, g.patient_width);
    w.Put(',');
    w.PutCsvCell(PatientName(a));
    w.Put(',');
    if (a.price_list) w.PutCsvCell(kPriceLists[a.price_list - 1].id);
    w.Put(',');
    if (a.has_bonus) w.PutAmount(a.bonus);
    w.Put(',');
    if (a.registered) {
      w.Put(FormatDay(a.registered == 1 ? first[i]
                                         : std::max(first[i] - a.registered_before, DaysFromCivil(1900, 1, 1))));
    }
    w.Put('\n');
    w.MaybeFlush();
  }
  return w.Close();
}

void Usage(std::FILE* to) {
  std::fputs(
      "usage: clinic-demo-gen [--lines N] [--seed S] [--format json|csv] [--out PATH]\n"
      "                       [--employees N] [--divisions N] [--years N] [--start YYYY-MM-DD]\n"
      "Writes a deterministic, realistic clinic export: json to PATH (default stdout),\n"
      "csv as visits.csv, patients.csv, employees.csv, divisions.csv, price_lists.csv in directory PATH.\n"
      "Defaults: --lines 30000 --seed 1 --format json --employees 20 --divisions 6 --years 2\n"
      "          --start 2024-01-01\n",
      to);
}

bool ParseUint(const char* text, uint64_t max, uint64_t* value) {
  const char* end = text + std::strlen(text);
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text, end, v);
  if (ec != std::errc() || ptr != end || v > max) return false;
  *value = v;
  return true;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "clinic-demo-gen: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      Usage(stderr);
      return Fail("missing value for " + std::string(arg));
    }
    const char* value = argv[++i];
    uint64_t n = 0;
    if (arg == "--lines") {
      if (!ParseUint(value, 200000000, &n) || n == 0) return Fail("--lines must be 1..200000000");
      config.lines = n;
    } else if (arg == "--seed") {
      if (!ParseUint(value, UINT64_MAX, &n)) return Fail("--seed must be an unsigned integer");
      config.seed = n;
    } else if (arg == "--format") {
      if (std::string_view(value) != "json" && std::string_view(value) != "csv") return Fail("--format is json or csv");
      config.csv = std::string_view(value) == "csv";
    } else if (arg == "--out") {
      config.out = value;
    } else if (arg == "--employees") {
      if (!ParseUint(value, 99999, &n) || n == 0) return Fail("--employees must be 1..99999");
      config.employees = static_cast<uint32_t>(n);
    } else if (arg == "--divisions") {
      if (!ParseUint(value, 999, &n) || n == 0) return Fail("--divisions must be 1..999");
      config.divisions = static_cast<uint32_t>(n);
    } else if (arg == "--years") {
      if (!ParseUint(value, 40, &n) || n == 0) return Fail("--years must be 1..40");
      config.years = static_cast<uint32_t>(n);
    } else if (arg == "--start") {
      if (!ParseDay(value, &config.start)) return Fail("--start must be a valid YYYY-MM-DD date (1900..2150)");
    } else {
      Usage(stderr);
      return Fail("unknown option " + std::string(arg));
    }
  }
  if (config.employees < config.divisions) return Fail("--employees must be at least --divisions");
  if (config.lines < config.employees) return Fail("--lines must be at least --employees");
  if (CivilFromDays(config.start).y + config.years > 2199) return Fail("the period must end before 2199");
  if (config.csv && config.out.empty()) return Fail("--format csv needs --out DIRECTORY");

  Generator gen(config);
  // Pass 1: learn the patients (their first days), without output.
  const uint32_t patients = gen.Run(nullptr);
  gen.patient_width = std::max(6, DigitsOf(patients));

  Writer visits;
  if (config.csv) {
    std::error_code ec;
    std::filesystem::create_directories(config.out, ec);
    if (ec) return Fail("cannot create directory " + config.out + ": " + ec.message());
    if (!WriteCsvTables(config.out, gen, config)) return Fail("cannot write the tables in " + config.out);
    if (!visits.Open((std::filesystem::path(config.out) / "visits.csv").string())) {
      return Fail("cannot write visits.csv in " + config.out);
    }
    visits.Put("id,date,patient,employee,division,amount,kind,status,service\n");
  } else {
    if (!config.out.empty() && config.out != "-") {
      const auto parent = std::filesystem::path(config.out).parent_path();
      std::error_code ec;
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    }
    if (!visits.Open(config.out)) return Fail("cannot write " + config.out + ": " + std::strerror(errno));
    WriteJsonHead(visits, gen, config);
  }
  // Pass 2: the same simulation, streaming the lines.
  const uint32_t patients_again = gen.Run(&visits);
  if (!config.csv) visits.Put("\n]}\n");
  if (!visits.Close()) return Fail("write error");

  const Stats& s = gen.stats();
  const auto count = [](const std::vector<uint8_t>& seen) {
    return static_cast<uint64_t>(std::count(seen.begin(), seen.end(), uint8_t{1}));
  };
  const uint64_t seen_patients = count(gen.seen_patients());
  const uint64_t seen_employees = count(gen.seen_employees());
  const uint64_t seen_divisions = count(gen.seen_divisions());
  std::fprintf(stderr,
               "clinic-demo-gen: %llu lines (%llu appointments; %llu completed, %llu cancelled, %llu no-show; %llu goods, "
               "%llu refunds, %llu without employee, %llu without division, %llu with 4 decimals), %llu patients, "
               "%llu employees, %llu divisions, %s..%s\n",
               static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.visits),
               static_cast<unsigned long long>(s.completed), static_cast<unsigned long long>(s.cancelled),
               static_cast<unsigned long long>(s.no_show), static_cast<unsigned long long>(s.goods),
               static_cast<unsigned long long>(s.refunds), static_cast<unsigned long long>(s.no_employee),
               static_cast<unsigned long long>(s.no_division), static_cast<unsigned long long>(s.four_decimals),
               static_cast<unsigned long long>(seen_patients), static_cast<unsigned long long>(seen_employees),
               static_cast<unsigned long long>(seen_divisions), FormatDay(s.first_day).c_str(),
               FormatDay(s.last_day).c_str());

  // The tables written must be exactly what the lines use.
  bool ok = true;
  const auto check = [&ok](bool good, const std::string& what) {
    if (!good) {
      std::fprintf(stderr, "clinic-demo-gen: assertion failed: %s\n", what.c_str());
      ok = false;
    }
  };
  check(s.lines == config.lines, "lines written " + std::to_string(s.lines) + " != " + std::to_string(config.lines));
  check(patients_again == patients, "the two passes created different patients");
  check(seen_patients == patients, "distinct patients in the lines " + std::to_string(seen_patients) +
                                       " != patients written " + std::to_string(patients));
  check(seen_employees == config.employees, "distinct employees in the lines " + std::to_string(seen_employees) +
                                                " != " + std::to_string(config.employees));
  check(seen_divisions == config.divisions, "distinct divisions in the lines " + std::to_string(seen_divisions) +
                                                " != " + std::to_string(config.divisions));
  check(s.completed + s.cancelled + s.no_show == s.lines, "status counts do not add up");
  return ok ? 0 : 1;
}
