#include "status.h"

namespace clinic {

namespace {

// Length of the valid UTF-8 sequence at value[i] (a byte >= 0x80), or 0:
// overlong forms, surrogates and code points above U+10FFFF are invalid.
size_t Utf8Length(std::string_view value, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(value[k]); };
  const unsigned char c = byte(i);
  const size_t left = value.size() - i;
  size_t len = 0;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) len = 3;
  else if (c >= 0xF0 && c <= 0xF4) len = 4;
  if (len == 0 || left < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char c1 = byte(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F)) {
    return 0;
  }
  return len;
}

// Text from the input made safe to print: control characters and bytes that
// are not UTF-8 escaped (\n, \x01, \xff), at most `max_shown` characters,
// "..." when cut; quotes and backslashes escaped when `quoted`. The result is
// always valid UTF-8 without control characters, whatever the input.
std::string Escape(std::string_view value, size_t max_shown, bool quoted) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < value.size();) {
    if (shown >= max_shown) {
      out += "...";
      break;
    }
    ++shown;
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      const size_t len = Utf8Length(value, i);
      if (len > 0) {
        out.append(value.substr(i, len));
        i += len;
        continue;
      }
    } else if (quoted && c == '"') {
      out += "\\\"";
      ++i;
      continue;
    } else if (quoted && c == '\\') {
      out += "\\\\";
      ++i;
      continue;
    } else if (c == '\n') {
      out += "\\n";
      ++i;
      continue;
    } else if (c == '\r') {
      out += "\\r";
      ++i;
      continue;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
      continue;
    } else if (c >= 0x20 && c != 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // A control character, or a byte that does not start valid UTF-8.
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
    ++i;
  }
  return out;
}

}  // namespace

std::string QuoteForMessage(std::string_view value) {
  constexpr size_t kMaxShown = 60;
  return "\"" + Escape(value, kMaxShown, /*quoted=*/true) + "\"";
}

Error MakeError(std::string_view code, Location where, std::string_view what) {
  // The file name and the field come from the user's files too (a CSV field
  // is a header cell): escaped and cut like quoted values.
  std::string message;
  if (!where.file.empty()) message += Escape(where.file, 200, /*quoted=*/false);
  if (where.line > 0) {
    if (!message.empty()) message += ", ";
    message += "line " + std::to_string(where.line);
    if (where.column > 0) message += ", column " + std::to_string(where.column);
  }
  if (!where.field.empty()) {
    message += message.empty() ? "" : " ";
    message += "(" + Escape(where.field, 60, /*quoted=*/false) + ")";
  }
  if (!message.empty()) message += ": ";
  message += what;
  message += " [";
  message += code;
  message += "]";
  return Error{std::string(code), std::move(message), std::move(where), std::string(what)};
}

}  // namespace clinic
