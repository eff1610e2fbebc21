// The byte helpers of bytes.h and utf8.h against their byte-by-byte
// definitions. The native tests run the SSE2 code, the wasm tests the wasm
// SIMD code.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "bytes.h"
#include "utf8.h"

namespace clinic {
namespace {

// Every byte value at every position of a block, among bytes of each kind.
TEST_CASE("Block16: each mask has bit i set exactly for the bytes at i it names") {
  const std::string fillers = {'a', '"', '\\', ',', '\n', '\0', '\x1f', ' ', '\x7f', '\x80', '\xff'};
  std::array<char, Block16::kSize + 1> bytes{};
  for (const char filler : fillers) {
    for (size_t at = 0; at < Block16::kSize; ++at) {
      for (int value = 0; value < 256; ++value) {
        bytes.fill(filler);
        bytes[at] = static_cast<char>(value);
        const Block16 block(bytes.data());
        uint32_t equal = 0, any = 0, high = 0, json = 0, control_or_high = 0;
        uint32_t space_control_or_high = 0;
        for (size_t i = 0; i < Block16::kSize; ++i) {
          const auto c = static_cast<unsigned char>(bytes[i]);
          equal |= uint32_t{c == ','} << i;
          any |= uint32_t{c == ',' || c == '\n'} << i;
          high |= uint32_t{c >= 0x80} << i;
          json |= uint32_t{c == '"' || c == '\\' || c < 0x20 || c >= 0x80} << i;
          control_or_high |= uint32_t{c < 0x20 || c >= 0x80} << i;
          space_control_or_high |= uint32_t{c <= 0x20 || c >= 0x80} << i;
        }
        REQUIRE(block.Equal(',') == equal);
        REQUIRE(block.EqualAny(',', '\n') == any);
        REQUIRE(block.High() == high);
        REQUIRE(block.JsonSpecial() == json);
        REQUIRE(block.ControlOrHigh() == control_or_high);
        REQUIRE(block.SpaceControlOrHigh() == space_control_or_high);
      }
    }
  }
}

// The same for Block32, whose two halves must each land in their 16 bits.
TEST_CASE("Block32: each mask has bit i set exactly for the bytes at i it names") {
  const std::string fillers = {'a', '"', ',', '\n', '\r', '\0', ' ', '\x7f', '\x80', '\xff'};
  std::array<char, Block32::kSize + 1> bytes{};
  for (const char filler : fillers) {
    for (size_t at = 0; at < Block32::kSize; ++at) {
      for (int value = 0; value < 256; ++value) {
        bytes.fill(filler);
        bytes[at] = static_cast<char>(value);
        const Block32 block(bytes.data());
        uint32_t equal = 0, any = 0, high = 0, space_control_or_high = 0;
        for (size_t i = 0; i < Block32::kSize; ++i) {
          const auto c = static_cast<unsigned char>(bytes[i]);
          equal |= uint32_t{c == '"'} << i;
          any |= uint32_t{c == '\r' || c == '\0'} << i;
          high |= uint32_t{c >= 0x80} << i;
          space_control_or_high |= uint32_t{c <= 0x20 || c >= 0x80} << i;
        }
        REQUIRE(block.Equal('"') == equal);
        REQUIRE(block.EqualAny('\r', '\0') == any);
        REQUIRE(block.High() == high);
        REQUIRE(block.SpaceControlOrHigh() == space_control_or_high);
      }
    }
  }
}

TEST_CASE("AppendBytes: appends of every size at every offset hold the bytes a string does") {
  const std::string text("0123456789abcdefghijklmnopqrstuvwxyz\x80\xff\0ABCDEFGHIJKLMNOP", 55);
  ByteVector bytes;
  std::string expected;
  // Every size from 0 to 40 bytes (CopyBytes' three ways and memcpy) from
  // every offset of `text` that has them, over many growths of the vector.
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t from = 0; from + n <= text.size(); ++from) {
      AppendBytes(bytes, std::string_view(text).substr(from, n));
      expected.append(text, from, n);
      REQUIRE(std::string_view(bytes.data(), bytes.size()) == expected);
    }
  }
  // Its own bytes, at the end of its capacity: copied before the vector moves.
  bytes.shrink_to_fit();
  for (size_t n : {1, 5, 12, 16, 33}) {
    const std::string_view own(bytes.data() + 7, n);
    expected.append(expected, 7, n);
    AppendBytes(bytes, own);
    REQUIRE(std::string_view(bytes.data(), bytes.size()) == expected);
  }
}

TEST_CASE("HeadOf and SameBytes agree with the bytes at every size") {
  const std::string text = "0123456789abcdefghij\x80\xff";
  for (size_t n = 0; n <= text.size(); ++n) {
    uint64_t head = 0;
    for (size_t i = 0; i < n && i < 8; ++i) {
      head |= uint64_t{static_cast<unsigned char>(text[i])} << (8 * i);
    }
    CHECK(HeadOf(text.data(), n) == head);
    std::string copy = text.substr(0, n);
    CHECK(SameBytes(copy, text.substr(0, n)));
    for (size_t i = 0; i < n; ++i) {
      copy[i] = static_cast<char>(copy[i] ^ 1);
      CHECK_FALSE(SameBytes(copy, text.substr(0, n)));
      copy[i] = static_cast<char>(copy[i] ^ 1);
    }
    if (n > 0) CHECK_FALSE(SameBytes(copy, text.substr(0, n - 1)));
  }
}

// The plain definition: the length the lead byte announces, continuation
// bytes, then the decoded code point in range for that length, not a surrogate.
size_t ReferenceSequenceLength(const unsigned char* s, size_t left) {
  const unsigned char c = s[0];
  size_t len;
  uint32_t cp;
  if (c >= 0xC0 && c < 0xE0) len = 2, cp = c & 0x1Fu;
  else if (c >= 0xE0 && c < 0xF0) len = 3, cp = c & 0x0Fu;
  else if (c >= 0xF0 && c < 0xF8) len = 4, cp = c & 0x07u;
  else return 0;
  if (left < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3Fu);
  }
  const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

TEST_CASE("Utf8SequenceLength agrees with decoding, for every lead and second byte") {
  const unsigned char tails[] = {0x80, 0xBF, 0x41, 0xC0};
  unsigned char s[4];
  for (int lead = 0x80; lead < 0x100; ++lead) {
    for (int second = 0; second < 0x100; ++second) {
      for (const unsigned char third : tails) {
        for (const unsigned char fourth : tails) {
          s[0] = static_cast<unsigned char>(lead), s[1] = static_cast<unsigned char>(second);
          s[2] = third, s[3] = fourth;
          for (size_t left = 1; left <= 4; ++left) {
            REQUIRE(Utf8SequenceLength(s, s + left) == ReferenceSequenceLength(s, left));
          }
        }
      }
    }
  }
  // A prefix of valid UTF-8 stops before an invalid or cut sequence and at `max`.
  CHECK(ValidUtf8Length("ab\xC3\xA5" "c", 10) == 5);
  CHECK(ValidUtf8Length("ab\xC3\xA5" "c", 3) == 2);  // the two-byte å does not fit
  CHECK(ValidUtf8Length("ab\xC3", 10) == 2);
  CHECK(ValidUtf8Length("a\xED\xA0\x80", 10) == 1);  // a surrogate
  CHECK(ValidUtf8Prefix("\xF0\x9F\x98\x80!\xFF", 10) == "\xF0\x9F\x98\x80!");
}

TEST_CASE("IsValidUtf8: the whole text valid, as ValidUtf8Length finds it") {
  // Random texts of ASCII runs and pieces of characters, valid and not, at
  // every offset from the 8-byte words the ASCII is skipped in.
  const std::vector<std::string> pieces = {"a",        "abcdefgh", "0123456789", "\xC3\xA5",
                                           "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC3",    "\x80",
                                           "\xED\xA0\x80", "\xC0\xAF",  "\xFF",       " "};
  uint64_t state = 7;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(state >> 33);
  };
  size_t valid = 0;
  for (int k = 0; k < 100000; ++k) {
    std::string text;
    const size_t count = next() % 12;
    for (size_t i = 0; i < count; ++i) {
      // Mostly valid pieces, so that about half the texts are valid.
      text += pieces[next() % (next() % 4 == 0 ? pieces.size() : 6)];
    }
    CAPTURE(text);
    const bool expected = ValidUtf8Length(text, text.size()) == text.size();
    REQUIRE(IsValidUtf8(text) == expected);
    valid += expected;
  }
  CHECK(valid > 30000);
  CHECK(valid < 90000);
}

}  // namespace
}  // namespace clinic
