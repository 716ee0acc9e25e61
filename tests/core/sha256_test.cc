#include "core/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace convcheck {
namespace {

// Expected digests: FIPS 180-4 examples and `printf ... | sha256sum`.
TEST(Sha256Test, EmptyInput) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, ThreeBytes) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, TwoBlockMessage) {
  // 56 bytes: the padding spills into a second block.
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, MillionAs) {
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, FileMatchesBytes) {
  const std::string path = ::testing::TempDir() + "/sha256_test.txt";
  std::ofstream(path) << "torch==2.14.1\n";
  StatusOr<std::string> digest = Sha256FileHex(path);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, Sha256Hex("torch==2.14.1\n"));
  std::remove(path.c_str());
  EXPECT_EQ(Sha256FileHex(path).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace convcheck
