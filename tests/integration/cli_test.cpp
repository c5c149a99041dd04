// hpchaind's command line as a user meets it: help everywhere, bad flags
// and bad config exit 2 naming what is wrong, init writes its keys 0600
// and refuses to overwrite a home, testnet refuses impossible ports.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/common/temp_dir.h"
#include "tests/integration/harness.h"

namespace hpchain::integration {
namespace {

struct CliRun {
  int code;
  std::string output;
};

CliRun run(const hpchain::testing::TempDir& dir, const std::vector<std::string>& args) {
  const auto log = dir.path() / "cli.log";
  const int code = run_hpchaind(args, log);
  std::ifstream in(log);
  return {code, std::string(std::istreambuf_iterator<char>(in), {})};
}

TEST(Cli, HelpForEveryCommandAndExitTwoForBadFlags) {
  hpchain::testing::TempDir dir;
  EXPECT_EQ(run(dir, {"--help"}).code, 0);
  for (const char* command : {"init", "testnet", "start", "show-node-id"}) {
    const CliRun r = run(dir, {command, "--help"});
    EXPECT_EQ(r.code, 0) << command;
    EXPECT_NE(r.output.find(std::string("usage: hpchaind ") + command), std::string::npos) << r.output;
  }
  EXPECT_EQ(run(dir, {"frobnicate"}).code, 2);
  const CliRun unknown_flag = run(dir, {"init", "--home", "x", "--chain-id", "c-1", "--colour", "red"});
  EXPECT_EQ(unknown_flag.code, 2);
  EXPECT_NE(unknown_flag.output.find("unknown flag --colour"), std::string::npos);
  EXPECT_EQ(run(dir, {"init", "--home", "x"}).code, 2);  // --chain-id missing
  EXPECT_EQ(run(dir, {"testnet", "--validators", "9", "--out", "y", "--base-port", "65530"}).code, 2);
  EXPECT_EQ(run(dir, {"init", "--home", (dir.path() / "h").string(), "--chain-id", "Bad_Chain"}).code, 2);
}

TEST(Cli, InitWritesPrivateKeysAndNeverOverwritesAHome) {
  hpchain::testing::TempDir dir;
  const auto home = dir.path() / "home";
  const CliRun first = run(dir, {"init", "--home", home.string(), "--chain-id", "lab-1", "--moniker", "lab"});
  ASSERT_EQ(first.code, 0) << first.output;
  for (const char* secret : {"validator_key.json", "operator_key.json", "node_key.pem"}) {
    struct stat st {};
    ASSERT_EQ(::stat((home / "config" / secret).c_str(), &st), 0) << secret;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << secret;
  }
  const CliRun id = run(dir, {"show-node-id", "--home", home.string()});
  EXPECT_EQ(id.code, 0);
  EXPECT_NE(first.output.find(id.output.substr(0, 64)), std::string::npos);
  const CliRun again = run(dir, {"init", "--home", home.string(), "--chain-id", "lab-1"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.output.find("initialised already"), std::string::npos);
}

TEST(Cli, ABadConfigStopsTheStartWithTheSettingNamed) {
  hpchain::testing::TempDir dir;
  const auto home = dir.path() / "home";
  ASSERT_EQ(run(dir, {"init", "--home", home.string(), "--chain-id", "lab-1"}).code, 0);
  const auto path = home / "config" / "config.toml";
  std::string text(std::istreambuf_iterator<char>(std::ifstream(path).rdbuf()), {});
  text.replace(text.find("max_txs = 50000"), 15, "max_txs = 0");
  std::ofstream(path, std::ios::trunc) << text;
  const CliRun r = run(dir, {"start", "--home", home.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("config.toml: mempool.max_txs: must be 1 to 10000000"), std::string::npos) << r.output;
  // A syntax error names the line and column.
  std::ofstream(path, std::ios::app) << "\n[mempool]\n";
  const CliRun broken = run(dir, {"start", "--home", home.string()});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.output.find("cannot redefine existing table 'mempool'"), std::string::npos) << broken.output;
}

}  // namespace
}  // namespace hpchain::integration
