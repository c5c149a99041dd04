// Key files on a real temp dir: round trip, mode 0600 on creation, refusal
// of group/other-readable files, no overwrite, and corrupt content caught.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "chain/key_file.h"
#include "tests/common/temp_dir.h"

namespace hpchain {
namespace {

using testing::TempDir;

TEST(KeyFile, WriteThenLoadRoundTripsWithMode0600) {
  TempDir dir;
  const auto path = dir.path() / "validator_key.json";
  const PrivateKey key = *PrivateKey::generate();
  ASSERT_TRUE(write_key_file(path, key).is_ok());
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const auto loaded = load_key_file(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->public_key(), key.public_key());
}

TEST(KeyFile, ReadableByOthersIsRefusedWithFix) {
  TempDir dir;
  const auto path = dir.path() / "key.json";
  ASSERT_TRUE(write_key_file(path, *PrivateKey::generate()).is_ok());
  for (mode_t mode : {0644, 0640, 0606}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    const auto r = load_key_file(path);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(r.status().message().find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(load_key_file(path).is_ok());
}

TEST(KeyFile, ExistingFileIsNotOverwritten) {
  TempDir dir;
  const auto path = dir.path() / "key.json";
  const PrivateKey first = *PrivateKey::generate();
  ASSERT_TRUE(write_key_file(path, first).is_ok());
  EXPECT_EQ(write_key_file(path, *PrivateKey::generate()).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(load_key_file(path)->public_key(), first.public_key());
}

TEST(KeyFile, MissingAndCorruptFilesGiveClearErrors) {
  TempDir dir;
  EXPECT_EQ(load_key_file(dir.path() / "none.json").status().code(), StatusCode::kNotFound);
  const auto write = [&](const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
    return load_key_file(path);
  };
  EXPECT_EQ(write("a.json", "not json").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(write("b.json", R"({"type":"secp256k1"})").status().code(), StatusCode::kCorruption);
  // A valid key whose stored address was edited.
  const auto good = dir.path() / "good.json";
  ASSERT_TRUE(write_key_file(good, *PrivateKey::generate()).is_ok());
  std::ifstream in(good);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find("\"0x") + 3;
  text[at] = text[at] == 'a' ? 'b' : 'a';
  const auto edited = write("c.json", text);
  ASSERT_FALSE(edited.is_ok());
  EXPECT_NE(edited.status().message().find("address does not match"), std::string::npos);
}

}  // namespace
}  // namespace hpchain
