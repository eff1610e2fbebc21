// The byte helpers of bytes.h against their byte-by-byte definitions. The
// native tests run the SSE2 code, the wasm tests the wasm SIMD code.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "bytes.h"

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
        uint32_t equal = 0, any = 0, high = 0, json = 0;
        for (size_t i = 0; i < Block16::kSize; ++i) {
          const auto c = static_cast<unsigned char>(bytes[i]);
          equal |= uint32_t{c == ','} << i;
          any |= uint32_t{c == ',' || c == '\n' || c == '"'} << i;
          high |= uint32_t{c >= 0x80} << i;
          json |= uint32_t{c == '"' || c == '\\' || c < 0x20 || c >= 0x80} << i;
        }
        REQUIRE(block.Equal(',') == equal);
        REQUIRE(block.EqualAny(',', '\n', '"') == any);
        REQUIRE(block.High() == high);
        REQUIRE(block.JsonSpecial() == json);
      }
    }
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

}  // namespace
}  // namespace clinic
