#include "status.h"

namespace clinic {

std::string QuoteForMessage(std::string_view value) {
  constexpr size_t kMaxShown = 60;
  std::string out = "\"";
  size_t shown = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (shown >= kMaxShown) {
      // Cut at a character boundary so the message stays valid UTF-8.
      if ((c & 0xC0) == 0x80) {
        out += value[i];
        continue;
      }
      out += "...";
      break;
    }
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    if ((c & 0xC0) != 0x80) ++shown;
  }
  out += '"';
  return out;
}

Error MakeError(std::string_view code, Location where, std::string_view what) {
  std::string message;
  if (!where.file.empty()) message += where.file;
  if (where.line > 0) {
    if (!message.empty()) message += ", ";
    message += "line " + std::to_string(where.line);
    if (where.column > 0) message += ", column " + std::to_string(where.column);
  }
  if (!where.field.empty()) {
    message += message.empty() ? "" : " ";
    message += "(" + where.field + ")";
  }
  if (!message.empty()) message += ": ";
  message += what;
  message += " [";
  message += code;
  message += "]";
  return Error{std::string(code), std::move(message), std::move(where)};
}

}  // namespace clinic
