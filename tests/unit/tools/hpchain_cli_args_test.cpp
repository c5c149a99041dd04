// hpchain's argument parser on its own (pure: no node is dialled): every
// command's flags land in Args, --node is taken before or after the
// command, and every mistake is InvalidArgument naming the word at fault.
#include <gtest/gtest.h>

#include <optional>

#include "tools/hpchain/cli_args.h"

namespace hpchain::cli {
namespace {

Result<Args> parse(std::vector<std::string> words) {
  words.insert(words.begin(), "hpchain");
  return parse_args(words);
}

std::string error_of(std::vector<std::string> words) { return parse(std::move(words)).status().message(); }

TEST(HpchainCliArgs, StatusTakesTheNodeBeforeOrAfterTheCommand) {
  auto plain = parse({"status"});
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ(plain->command, Command::kStatus);
  EXPECT_EQ(plain->node.to_string(), "127.0.0.1:26657");
  EXPECT_FALSE(plain->json);
  auto before = parse({"--node", "10.0.0.2:9000", "status", "--json"});
  ASSERT_TRUE(before.is_ok());
  EXPECT_EQ(before->node.to_string(), "10.0.0.2:9000");
  EXPECT_TRUE(before->json);
  auto after = parse({"status", "--node", "localhost:1"});
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(after->node.to_string(), "localhost:1");
}

TEST(HpchainCliArgs, TransferDefaultsAndFlags) {
  const std::string to = "0x" + std::string(40, 'a');
  auto a = parse({"tx", "transfer", "--key", "k.json", "--to", to, "--amount", "5"});
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  EXPECT_EQ(a->command, Command::kTxTransfer);
  EXPECT_EQ(a->key_path, "k.json");
  EXPECT_EQ(a->to.to_string(), to);
  EXPECT_EQ(a->amount, 5u);
  EXPECT_EQ(a->fee, kDefaultFee);
  EXPECT_FALSE(a->nonce.has_value());  // the node's next_nonce
  EXPECT_TRUE(a->chain_id.empty());
  EXPECT_FALSE(a->wait);
  auto b = parse({"tx", "transfer", "--key", "k", "--to", to, "--amount", "5", "--fee", "9", "--nonce", "3",
                  "--chain-id", "lab-1", "--wait", "--timeout-ms", "60000"});
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  EXPECT_EQ(b->fee, 9u);
  EXPECT_EQ(b->nonce, std::optional<uint64_t>(3));
  EXPECT_EQ(b->chain_id, "lab-1");
  EXPECT_TRUE(b->wait);
  EXPECT_EQ(b->timeout_ms, 60'000u);
}

TEST(HpchainCliArgs, AccountTakesAnAddressOrAKeyFile) {
  const std::string address = "0x" + std::string(40, 'b');
  auto by_address = parse({"account", address, "--json"});
  ASSERT_TRUE(by_address.is_ok()) << by_address.status().message();
  EXPECT_EQ(by_address->command, Command::kAccount);
  ASSERT_TRUE(by_address->address.has_value());
  EXPECT_EQ(by_address->address->to_string(), address);
  EXPECT_TRUE(by_address->json);
  auto by_key = parse({"--node", "10.0.0.2:9000", "account", "--key", "alice.json"});
  ASSERT_TRUE(by_key.is_ok()) << by_key.status().message();
  EXPECT_FALSE(by_key->address.has_value());
  EXPECT_EQ(by_key->key_path, "alice.json");
  EXPECT_FALSE(by_key->json);
  EXPECT_EQ(error_of({"account"}), "an argument is missing");
  EXPECT_EQ(error_of({"account", address, "--key", "alice.json"}), "give an ADDRESS or --key FILE, not both");
  EXPECT_EQ(error_of({"account", "0x12"}), "an address is 0x and 40 hex digits, not \"0x12\"");
  EXPECT_EQ(error_of({"account", address, address}), "unexpected argument \"" + address + "\"");
}

TEST(HpchainCliArgs, KeysAndTxGetTakeOnePositional) {
  auto show = parse({"keys", "show", "alice.json"});
  ASSERT_TRUE(show.is_ok());
  EXPECT_EQ(show->command, Command::kKeysShow);
  EXPECT_EQ(show->key_path, "alice.json");
  auto made = parse({"keys", "new", "--out", "bob.json"});
  ASSERT_TRUE(made.is_ok());
  EXPECT_EQ(made->key_path, "bob.json");
  auto get = parse({"tx", "get", std::string(64, 'f')});
  ASSERT_TRUE(get.is_ok());
  EXPECT_EQ(get->tx_id.hex(), std::string(64, 'f'));
}

TEST(HpchainCliArgs, HelpForACommandAndInGeneral) {
  auto general = parse({"--help"});
  ASSERT_TRUE(general.is_ok());
  EXPECT_EQ(general->command, Command::kHelp);
  auto topic = parse({"tx", "transfer", "--help"});
  ASSERT_TRUE(topic.is_ok());  // required flags are not asked for
  EXPECT_TRUE(topic->help);
  EXPECT_EQ(topic->command, Command::kTxTransfer);
  auto help_word = parse({"help", "keys", "new"});
  ASSERT_TRUE(help_word.is_ok());
  EXPECT_TRUE(help_word->help);
  EXPECT_EQ(help_word->command, Command::kKeysNew);
  EXPECT_NE(usage_of(Command::kTxTransfer).find("--nonce"), std::string_view::npos);
  EXPECT_NE(usage_of(Command::kAccount).find("next_nonce"), std::string_view::npos);
  EXPECT_NE(std::string_view(kUsage).find("account"), std::string_view::npos);
}

TEST(HpchainCliArgs, MistakesNameTheWordAtFault) {
  const std::string to = "0x" + std::string(40, 'a');
  EXPECT_EQ(error_of({}), "no command given");
  EXPECT_EQ(error_of({"frobnicate"}), "unknown command \"frobnicate\"");
  EXPECT_EQ(error_of({"keys"}), "unknown command \"keys\" (keys new, keys show)");
  EXPECT_EQ(error_of({"status", "--colour"}), "unknown flag --colour");
  EXPECT_EQ(error_of({"status", "--json", "--json"}), "--json given twice");
  EXPECT_EQ(error_of({"keys", "new"}), "--out is required");
  EXPECT_EQ(error_of({"keys", "show"}), "an argument is missing");
  EXPECT_EQ(error_of({"keys", "show", "a", "b"}), "unexpected argument \"b\"");
  EXPECT_EQ(error_of({"tx", "transfer", "--key", "k", "--to", to, "--amount"}), "--amount needs a value");
  EXPECT_EQ(error_of({"tx", "transfer", "--key", "k", "--to", to, "--amount", "-1"}),
            "--amount must be a whole number from 0 to 18446744073709551615, not \"-1\"");
  EXPECT_EQ(error_of({"tx", "transfer", "--key", "k", "--to", to, "--amount", "1", "--timeout-ms", "5"}),
            "--timeout-ms applies to --wait only");
  EXPECT_EQ(error_of({"tx", "transfer", "--key", "k", "--to", to, "--amount", "1", "--wait", "--timeout-ms", "60001"}),
            "--timeout-ms must be a whole number from 0 to 60000, not \"60001\"");
  EXPECT_NE(error_of({"tx", "transfer", "--key", "k", "--to", "0x12", "--amount", "1"}).find("--to: "), std::string::npos);
  EXPECT_NE(error_of({"--node", "nowhere", "status"}).find("--node: "), std::string::npos);
  EXPECT_EQ(error_of({"tx", "get", "abc"}), "a transaction id is 64 hex digits, not \"abc\"");
}

}  // namespace
}  // namespace hpchain::cli
