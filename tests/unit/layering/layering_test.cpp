// The layering check on real files: small trees in a temp dir with allowed
// and forbidden includes, the table parser's refusals, and the repository's
// own table read exactly as hpchain-layering-check reads it.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/common/temp_dir.h"
#include "tools/layering/layering.h"

namespace hpchain::layering {
namespace {

using testing::TempDir;

constexpr const char* kTable = R"(# module  may use
chain
consensus  chain
node       chain consensus
rpc        chain node
io-headers rocksdb/ grpcpp/
io-modules node
)";

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::vector<std::string> check(const TempDir& dir) {
  auto table = parse_table(kTable);
  EXPECT_TRUE(table.is_ok()) << table.status().to_string();
  auto violations = check_tree(dir.path(), *table);
  EXPECT_TRUE(violations.is_ok()) << violations.status().to_string();
  std::vector<std::string> lines;
  for (const auto& v : *violations) lines.push_back(to_string(v));
  return lines;
}

TEST(LayeringTest, AllowedIncludesPass) {
  TempDir dir;
  write(dir.path() / "chain/a.h", "#include <vector>\n#include \"chain/b.h\"\n");
  write(dir.path() / "consensus/core.cpp",
        "#include \"consensus/core.h\"\n#include \"chain/status.h\"\n#include \"hpchain/v1/tx.pb.h\"\n"
        "#include \"beside.h\"\n");
  write(dir.path() / "node/store.cpp", "#include <rocksdb/db.h>\n#include \"consensus/core.h\"\n");
  EXPECT_EQ(check(dir), std::vector<std::string>{});
}

TEST(LayeringTest, AForbiddenModuleIncludeFailsNamingFileLineAndInclude) {
  TempDir dir;
  write(dir.path() / "consensus/core.cpp",
        "#include \"chain/status.h\"\n\n  #  include \"node/storage/store.h\"  // oops\n");
  EXPECT_EQ(check(dir), (std::vector<std::string>{
                            "consensus/core.cpp:3: includes \"node/storage/store.h\": consensus may use chain"}));
}

TEST(LayeringTest, TheBottomModuleMayUseNothing) {
  TempDir dir;
  write(dir.path() / "chain/log.h", "#include \"consensus/types.h\"\n");
  EXPECT_EQ(check(dir), (std::vector<std::string>{
                            "chain/log.h:1: includes \"consensus/types.h\": chain may use no other module"}));
}

TEST(LayeringTest, IoHeadersAreForTheIoModulesOnly) {
  TempDir dir;
  write(dir.path() / "consensus/x.cu", "#include <grpcpp/grpcpp.h>\n");
  EXPECT_EQ(check(dir), (std::vector<std::string>{
                            "consensus/x.cu:1: includes <grpcpp/grpcpp.h>: consensus may not include I/O "
                            "headers (grpcpp/)"}));
}

TEST(LayeringTest, ModulesMayNotIncludeTestsOrTools) {
  TempDir dir;
  write(dir.path() / "chain/a.cpp", "#include \"tests/common/temp_dir.h\"\n");
  EXPECT_EQ(check(dir).size(), 1u);
}

TEST(LayeringTest, HpchaindMainToolsAndTestsAreExempt) {
  TempDir dir;
  write(dir.path() / "node/main.cpp", "#include \"rpc/server.h\"\n");
  write(dir.path() / "tools/x/main.cpp", "#include \"node/storage/store.h\"\n");
  write(dir.path() / "tests/unit/x_test.cpp", "#include <rocksdb/db.h>\n");
  EXPECT_EQ(check(dir), std::vector<std::string>{});
  // Any other file of node is checked: rpc is not in node's list.
  write(dir.path() / "node/p2p.cpp", "#include \"rpc/server.h\"\n");
  EXPECT_EQ(check(dir).size(), 1u);
}

TEST(LayeringTest, TheParserRefusesInconsistentTables) {
  EXPECT_FALSE(parse_table("").is_ok());
  EXPECT_NE(parse_table("chain\nchain\n").status().message().find("listed twice"), std::string::npos);
  EXPECT_NE(parse_table("consensus chain\nchain\n").status().message().find("not listed before"),
            std::string::npos);
  EXPECT_NE(parse_table("chain chain\n").status().message().find("uses itself"), std::string::npos);
  EXPECT_NE(parse_table("chain\nio-nonsense x\n").status().message().find("unknown key"),
            std::string::npos);
}

TEST(LayeringTest, TheRepositoryTableMatchesDesignSectionOne) {
  std::ifstream in(HPCHAIN_SOURCE_DIR "/cmake/layering.txt");
  ASSERT_TRUE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto table = parse_table(text);
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  EXPECT_EQ(table->modules, (std::vector<std::string>{"chain", "consensus", "compute", "vm", "genesis",
                                                      "ledger", "node", "rpc"}));
  EXPECT_EQ(table->uses.at("consensus"), std::set<std::string>{"chain"});
  EXPECT_EQ(table->uses.at("ledger"), (std::set<std::string>{"chain", "compute", "vm", "genesis"}));
  EXPECT_EQ(table->uses.at("rpc"), (std::set<std::string>{"chain", "ledger", "node"}));
}

}  // namespace
}  // namespace hpchain::layering
