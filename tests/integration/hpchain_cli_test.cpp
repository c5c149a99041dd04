// The `hpchain` CLI as a user meets it (label `integration`): the real
// binary as a subprocess, against a real one-validator `hpchaind start`
// from `hpchaind testnet` on free ports: help everywhere, exit 2 for bad
// flags, keys that round-trip, an unreachable node named, status --json
// with exactly its keys, a transfer that commits and is found again, and
// transfers in a row that take their nonces from the node's account query.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/common/run_command.h"
#include "tests/common/temp_dir.h"
#include "tests/integration/harness.h"

namespace hpchain::integration {
namespace {

using hpchain::testing::CommandOutcome;

constexpr uint64_t kTransferFee = 1'000;  // hpchain's default --fee

// Runs `hpchain ARGS` with stderr folded into the output.
CommandOutcome hpchain_cli(const std::string& args) {
  return hpchain::testing::run_command(std::string(HPCHAIN_CLI_PATH) + " " + args + " 2>&1");
}

// The value of `name` in the CLI's "name   value" text output; "" if absent.
std::string row(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) != 0) continue;
    const auto start = line.find_first_not_of(' ', name.size());
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

TEST(HpchainCli, HelpForEveryCommandAndExitTwoForBadFlags) {
  EXPECT_EQ(hpchain_cli("--help").exit_code, 0);
  EXPECT_EQ(hpchain_cli("").exit_code, 2);
  for (const char* command : {"status", "keys new", "keys show", "account", "tx transfer", "tx get"}) {
    const CommandOutcome r = hpchain_cli(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find(std::string(command)), std::string::npos) << r.out;
  }
  EXPECT_EQ(hpchain_cli("frobnicate").exit_code, 2);
  const CommandOutcome unknown_flag = hpchain_cli("status --colour red");
  EXPECT_EQ(unknown_flag.exit_code, 2);
  EXPECT_NE(unknown_flag.out.find("unknown flag --colour"), std::string::npos) << unknown_flag.out;
  EXPECT_EQ(hpchain_cli("tx transfer --to 0x00 --amount 1").exit_code, 2);  // --key missing
  EXPECT_EQ(hpchain_cli("tx get nothex").exit_code, 2);
  EXPECT_EQ(hpchain_cli("account nothex").exit_code, 2);
  EXPECT_EQ(hpchain_cli("account").exit_code, 2);
  EXPECT_EQ(hpchain_cli("--node nowhere status").exit_code, 2);
}

TEST(HpchainCli, KeysNewWritesAPrivateFileThatShowReadsBack) {
  hpchain::testing::TempDir dir;
  const auto path = (dir.path() / "alice.json").string();
  const CommandOutcome made = hpchain_cli("keys new --out " + path);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const CommandOutcome shown = hpchain_cli("keys show " + path);
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_EQ(row(shown.out, "address"), row(made.out, "address"));
  EXPECT_EQ(row(shown.out, "address").size(), 42u);
  EXPECT_EQ(row(shown.out, "public_key").size(), 66u);
  EXPECT_EQ(hpchain_cli("keys new --out " + path).exit_code, 1);  // never overwritten
}

TEST(HpchainCli, AnUnreachableNodeIsNamed) {
  const uint16_t port = free_ports(1);
  const std::string node = "127.0.0.1:" + std::to_string(port);
  const CommandOutcome r = hpchain_cli("--node " + node + " status");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("cannot reach the node at " + node), std::string::npos) << r.out;
}

TEST(HpchainCli, StatusTransferAndGetAgainstARunningNode) {
  hpchain::testing::TempDir dir;
  const uint16_t base = free_ports(3);
  ASSERT_NE(base, 0);
  const auto out = dir.path() / "net";
  ASSERT_EQ(run_hpchaind({"testnet", "--validators", "1", "--out", out.string(), "--base-port", std::to_string(base),
                          "--chain-id", "cli-1", "--dev-accounts", "1"},
                         dir.path() / "testnet.log"),
            0);
  edit_config(out / "node0", [](node::NodeConfig& c) { c.consensus.empty_block_interval_ms = 100; });
  Process node({hpchaind(), "start", "--home", (out / "node0").string()}, dir.path() / "node0.log");
  const std::string at = "--node 127.0.0.1:" + std::to_string(base + 1) + " ";

  CommandOutcome status;
  ASSERT_TRUE(eventually([&] {
    status = hpchain_cli(at + "status --json");
    return status.exit_code == 0 && nlohmann::json::parse(status.out)["height"].get<uint64_t>() >= 1;
  })) << status.out << node.log_text();
  const auto j = nlohmann::json::parse(status.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"block_id", "certified_height", "chain_id", "epoch", "height", "peers",
                                            "state_root", "syncing"}));
  EXPECT_EQ(j["chain_id"], "cli-1");
  EXPECT_EQ(j["block_id"].get<std::string>().size(), 64u);
  EXPECT_FALSE(j["syncing"].get<bool>());
  EXPECT_EQ(hpchain_cli(at + "status").exit_code, 0);

  const auto bob = (dir.path() / "bob.json").string();
  ASSERT_EQ(hpchain_cli("keys new --out " + bob).exit_code, 0);
  const std::string to = row(hpchain_cli("keys show " + bob).out, "address");
  const std::string dev0 = (out / "dev" / "dev0.json").string();
  const CommandOutcome fresh = hpchain_cli(at + "account --key " + dev0 + " --json");
  ASSERT_EQ(fresh.exit_code, 0) << fresh.out;
  EXPECT_EQ(nlohmann::json::parse(fresh.out)["next_nonce"].get<uint64_t>(), 0u);
  const uint64_t funded = nlohmann::json::parse(fresh.out)["balance"].get<uint64_t>();
  const CommandOutcome sent = hpchain_cli(at + "tx transfer --key " + dev0 + " --to " + to + " --amount 5 --wait");
  ASSERT_EQ(sent.exit_code, 0) << sent.out << node.log_text();
  const std::string id = row(sent.out, "tx_id");
  EXPECT_EQ(id.size(), 64u) << sent.out;
  EXPECT_EQ(row(sent.out, "code"), "ok (0)");

  const CommandOutcome got = hpchain_cli(at + "tx get " + id + " --json");
  ASSERT_EQ(got.exit_code, 0) << got.out;
  const auto record = nlohmann::json::parse(got.out);
  EXPECT_EQ(record["code_name"], "ok");
  EXPECT_EQ(std::to_string(record["height"].get<uint64_t>()), row(sent.out, "height"));

  // The account shows the committed transfer: nonce 1, amount and fee paid.
  const CommandOutcome after_one = hpchain_cli(at + "account --key " + dev0 + " --json");
  ASSERT_EQ(after_one.exit_code, 0) << after_one.out;
  const auto dev0_account = nlohmann::json::parse(after_one.out);
  std::vector<std::string> account_keys;
  for (const auto& [key, value] : dev0_account.items()) account_keys.push_back(key);
  EXPECT_EQ(account_keys, (std::vector<std::string>{"address", "balance", "next_nonce", "nonce"}));
  EXPECT_EQ(dev0_account["nonce"].get<uint64_t>(), 1u);
  EXPECT_EQ(dev0_account["next_nonce"].get<uint64_t>(), 1u);
  const uint64_t balance = dev0_account["balance"].get<uint64_t>();
  EXPECT_EQ(balance, funded - 5 - kTransferFee);
  const CommandOutcome bob_account = hpchain_cli(at + "account " + to);
  ASSERT_EQ(bob_account.exit_code, 0) << bob_account.out;
  EXPECT_EQ(row(bob_account.out, "address"), to);
  EXPECT_EQ(row(bob_account.out, "balance"), "5");
  EXPECT_EQ(row(bob_account.out, "nonce"), "0");
  EXPECT_EQ(row(bob_account.out, "next_nonce"), "0");

  // The same signed transfer again is no second payment; a stale nonce is
  // refused with the hint.
  const CommandOutcome again =
      hpchain_cli(at + "tx transfer --key " + dev0 + " --to " + to + " --amount 5 --nonce 0 --wait");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("ALREADY_EXISTS"), std::string::npos) << again.out;
  const CommandOutcome stale = hpchain_cli(at + "tx transfer --key " + dev0 + " --to " + to + " --amount 6 --nonce 0");
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.out.find("nonce_too_low"), std::string::npos) << stale.out;
  EXPECT_NE(stale.out.find("--nonce"), std::string::npos) << stale.out;
  EXPECT_EQ(hpchain_cli(at + "tx transfer --key " + dev0 + " --to " + to + " --amount 6 --nonce 1").exit_code, 0);

  // Two transfers in a row without --nonce: each takes the account's next
  // nonce, counting the ones still in the mempool, and both commit.
  const CommandOutcome third = hpchain_cli(at + "tx transfer --key " + dev0 + " --to " + to + " --amount 7");
  ASSERT_EQ(third.exit_code, 0) << third.out;
  EXPECT_EQ(row(third.out, "nonce"), "2") << third.out;
  const CommandOutcome fourth =
      hpchain_cli(at + "tx transfer --key " + dev0 + " --to " + to + " --amount 8 --wait --json");
  ASSERT_EQ(fourth.exit_code, 0) << fourth.out << node.log_text();
  EXPECT_EQ(nlohmann::json::parse(fourth.out)["code_name"], "ok") << fourth.out;
  const CommandOutcome third_got = hpchain_cli(at + "tx get " + row(third.out, "tx_id") + " --json");
  ASSERT_EQ(third_got.exit_code, 0) << third_got.out;
  EXPECT_EQ(nlohmann::json::parse(third_got.out)["code_name"], "ok");
  const auto settled = nlohmann::json::parse(hpchain_cli(at + "account --key " + dev0 + " --json").out);
  EXPECT_EQ(settled["nonce"].get<uint64_t>(), 4u);
  EXPECT_EQ(settled["next_nonce"].get<uint64_t>(), 4u);
  EXPECT_EQ(settled["balance"].get<uint64_t>(), balance - (6 + 7 + 8) - 3 * kTransferFee);

  EXPECT_EQ(node.stop(), 0) << node.log_text();  // SIGTERM: a clean exit
}

}  // namespace
}  // namespace hpchain::integration
