#include "tools/hpchain/cli_args.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace hpchain::cli {

const char* const kUsage = R"(usage: hpchain [--node HOST:PORT] COMMAND [FLAGS]

The hpchain client: talks to a node's gRPC API (docs/node.md, "RPC and CLI").

commands:
  status        where the node's chain stands
  keys new      write a new account key file
  keys show     print a key file's address and public key
  account       an account's nonce, balance and next nonce
  tx transfer   sign and send a transfer of credits
  tx get        where a committed transaction landed
  help          this text; `hpchain COMMAND --help` explains a command

--node HOST:PORT   the node's gRPC endpoint (default 127.0.0.1:26657, the
                   default rpc.listen of config.toml); accepted before or
                   after the command.

Exit codes: 0 success, 1 a failure (the node unreachable, a refusal, a
failed transaction), 2 bad flags.
)";

namespace {

struct Spec {
  Command command;
  std::vector<std::string> words;
  const char* usage;
  std::set<std::string> value_flags;  // --name VALUE
  std::set<std::string> switches;     // --name
  std::vector<std::string> required;
  size_t positionals = 0;
};

const std::vector<Spec>& specs() {
  static const std::vector<Spec> all = {
      {Command::kStatus, {"status"},
       "hpchain [--node HOST:PORT] status [--json]\n\n"
       "Prints the node's chain id, epoch, height, last block id, state root, highest\n"
       "certified height, whether it is syncing, its peer count and whether it votes.\n"
       "--json prints one object with the keys chain_id, epoch, height, block_id,\n"
       "state_root, certified_height, syncing and peers (ids in hex).\n",
       {}, {"--json"}, {}, 0},
      {Command::kKeysNew, {"keys", "new"},
       "hpchain keys new --out FILE\n\n"
       "Writes a new secp256k1 account key to FILE (mode 0600; never overwrites a file)\n"
       "and prints its address and public key. Keep FILE private: it is the account.\n",
       {"--out"}, {}, {"--out"}, 0},
      {Command::kKeysShow, {"keys", "show"},
       "hpchain keys show FILE\n\nPrints the address and public key of a key file.\n", {}, {}, {}, 1},
      {Command::kAccount, {"account"},
       "hpchain [--node HOST:PORT] account ADDRESS [--json]\n"
       "       hpchain [--node HOST:PORT] account --key FILE [--json]\n\n"
       "Prints the account of ADDRESS (0x + 40 hex), or of key FILE's address, at the\n"
       "node's last committed block: its nonce and balance (both 0 for an account the\n"
       "chain has never seen), and next_nonce, the nonce its next transaction should\n"
       "carry: the nonce advanced past its transactions waiting in the node's mempool.\n"
       "--json prints one object with the keys address, nonce, balance and next_nonce.\n",
       {"--key"}, {"--json"}, {}, 1},
      {Command::kTxTransfer, {"tx", "transfer"},
       "hpchain [--node HOST:PORT] tx transfer --key FILE --to ADDRESS --amount N\n"
       "        [--fee F] [--nonce N] [--chain-id ID] [--wait [--timeout-ms T]] [--json]\n\n"
       "Signs a transfer of N credits from the account of key FILE to ADDRESS (0x + 40\n"
       "hex) and sends it to the node.\n"
       "  --fee F        credits offered to the block's proposer (default 1000); a fee\n"
       "                 below the chain's minimum is refused, naming the minimum.\n"
       "  --nonce N      the transaction's nonce. Default: the account's next_nonce from\n"
       "                 the node (hpchain account), which counts its transactions still\n"
       "                 waiting in the node's mempool, so transfers sent one after\n"
       "                 another need no --nonce. Pass it to resend one.\n"
       "  --chain-id ID  default: the node's chain id.\n"
       "  --wait         wait until the transaction is committed (BroadcastTx COMMIT)\n"
       "                 and print where it landed; exit 1 if it failed there.\n"
       "  --timeout-ms T how long --wait waits (default 10000, at most 60000).\n"
       "Without --wait, returns once the node's mempool admitted it.\n",
       {"--key", "--to", "--amount", "--fee", "--nonce", "--chain-id", "--timeout-ms"}, {"--wait", "--json"},
       {"--key", "--to", "--amount"}, 0},
      {Command::kTxGet, {"tx", "get"},
       "hpchain [--node HOST:PORT] tx get ID [--json]\n\n"
       "Prints where committed transaction ID (64 hex) landed: height, block, position,\n"
       "result code and detail, fee paid. Exit 1 when it is not committed.\n",
       {}, {"--json"}, {}, 1},
  };
  return all;
}

const Spec* find_spec(Command c) {
  for (const auto& s : specs()) {
    if (s.command == c) return &s;
  }
  return nullptr;
}

Result<uint64_t> parse_u64(const std::string& flag, const std::string& text, uint64_t max) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) {
    return Status::invalid_argument(flag + " must be a whole number from 0 to " + std::to_string(max) + ", not \"" +
                                    text + "\"");
  }
  return v;
}

// Command words at the front of `rest`; the spec they name.
Result<const Spec*> match_command(std::vector<std::string>& rest) {
  if (rest.empty()) return static_cast<const Spec*>(nullptr);
  for (const auto& s : specs()) {
    if (rest.size() >= s.words.size() && std::equal(s.words.begin(), s.words.end(), rest.begin())) {
      rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(s.words.size()));
      return &s;
    }
  }
  std::string known = rest[0] == "keys" ? " (keys new, keys show)" : rest[0] == "tx" ? " (tx transfer, tx get)" : "";
  return Status::invalid_argument("unknown command \"" + rest[0] + (rest.size() > 1 && !known.empty() ? " " + rest[1] : "") +
                                  "\"" + known);
}

struct Flags {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
  std::vector<std::string> positional;
};

Status read_flags(const Spec& spec, const std::vector<std::string>& rest, Args& args, Flags& out) {
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& word = rest[i];
    if (word == "--help" || word == "-h") {
      args.help = true;
      continue;
    }
    if (word.rfind("--", 0) != 0) {
      out.positional.push_back(word);
      continue;
    }
    if (spec.switches.count(word)) {
      if (!out.switches.insert(word).second) return Status::invalid_argument(word + " given twice");
      continue;
    }
    if (word != "--node" && !spec.value_flags.count(word)) return Status::invalid_argument("unknown flag " + word);
    if (i + 1 >= rest.size()) return Status::invalid_argument(word + " needs a value");
    if (!out.values.emplace(word, rest[++i]).second) return Status::invalid_argument(word + " given twice");
  }
  if (args.help) return Status::ok();
  for (const auto& r : spec.required) {
    if (!out.values.count(r)) return Status::invalid_argument(r + " is required");
  }
  size_t positionals = spec.positionals;
  if (spec.command == Command::kAccount && out.values.count("--key")) {  // ADDRESS or --key FILE
    if (!out.positional.empty()) return Status::invalid_argument("give an ADDRESS or --key FILE, not both");
    positionals = 0;
  }
  if (out.positional.size() != positionals) {
    return Status::invalid_argument(out.positional.empty() ? "an argument is missing"
                                                           : "unexpected argument \"" + out.positional.back() + "\"");
  }
  return Status::ok();
}

Status fill_transfer(const Flags& f, Args& a) {
  auto to = Address::parse(f.values.at("--to"));
  if (!to.is_ok()) return to.status().with_context("--to");
  a.to = to.value();
  HPC_ASSIGN_OR_RETURN(a.amount, parse_u64("--amount", f.values.at("--amount"), UINT64_MAX));
  if (f.values.count("--fee")) {
    HPC_ASSIGN_OR_RETURN(a.fee, parse_u64("--fee", f.values.at("--fee"), UINT64_MAX));
  }
  if (f.values.count("--nonce")) {
    HPC_ASSIGN_OR_RETURN(uint64_t nonce, parse_u64("--nonce", f.values.at("--nonce"), UINT64_MAX));
    a.nonce = nonce;
  }
  if (f.values.count("--chain-id")) a.chain_id = f.values.at("--chain-id");
  a.key_path = f.values.at("--key");
  a.wait = f.switches.count("--wait") > 0;
  if (f.values.count("--timeout-ms")) {
    if (!a.wait) return Status::invalid_argument("--timeout-ms applies to --wait only");
    HPC_ASSIGN_OR_RETURN(uint64_t ms, parse_u64("--timeout-ms", f.values.at("--timeout-ms"), kWaitMaxMs));
    a.timeout_ms = static_cast<uint32_t>(ms);
  }
  return Status::ok();
}

Status fill(const Spec& spec, const Flags& f, Args& a) {
  a.json = f.switches.count("--json") > 0;
  switch (spec.command) {
    case Command::kKeysNew: a.key_path = f.values.at("--out"); return Status::ok();
    case Command::kKeysShow: a.key_path = f.positional[0]; return Status::ok();
    case Command::kAccount: {
      if (f.values.count("--key")) {
        a.key_path = f.values.at("--key");
        return Status::ok();
      }
      auto address = Address::parse(f.positional[0]);
      if (!address.is_ok()) {
        return Status::invalid_argument("an address is 0x and 40 hex digits, not \"" + f.positional[0] + "\"");
      }
      a.address = address.value();
      return Status::ok();
    }
    case Command::kTxTransfer: return fill_transfer(f, a);
    case Command::kTxGet: {
      auto id = Hash32::from_hex(f.positional[0]);
      if (!id.is_ok()) return Status::invalid_argument("a transaction id is 64 hex digits, not \"" + f.positional[0] + "\"");
      a.tx_id = id.value();
      return Status::ok();
    }
    default: return Status::ok();
  }
}

}  // namespace

std::string_view usage_of(Command command) {
  const Spec* s = find_spec(command);
  return s == nullptr ? kUsage : s->usage;
}

Result<Args> parse_args(const std::vector<std::string>& argv) {
  Args args;
  std::vector<std::string> rest(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
  // Global flags before the command.
  while (!rest.empty() && rest[0].rfind("-", 0) == 0) {
    if (rest[0] == "--help" || rest[0] == "-h") return args;
    if (rest[0] != "--node") return Status::invalid_argument("unknown flag " + rest[0] + " before the command");
    if (rest.size() < 2) return Status::invalid_argument("--node needs a value");
    auto e = node::parse_endpoint(rest[1]);
    if (!e.is_ok()) return e.status().with_context("--node");
    args.node = e.value();
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty()) return Status::invalid_argument("no command given");
  if (rest[0] == "help") {
    rest.erase(rest.begin());
    HPC_ASSIGN_OR_RETURN(const Spec* topic, match_command(rest));
    if (topic != nullptr) args.command = topic->command;
    args.help = topic != nullptr;
    return args;
  }
  HPC_ASSIGN_OR_RETURN(const Spec* spec, match_command(rest));
  args.command = spec->command;
  Flags flags;
  HPC_TRY(read_flags(*spec, rest, args, flags));
  if (args.help) return args;
  if (flags.values.count("--node")) {
    auto e = node::parse_endpoint(flags.values.at("--node"));
    if (!e.is_ok()) return e.status().with_context("--node");
    args.node = e.value();
  }
  HPC_TRY(fill(*spec, flags, args));
  return args;
}

}  // namespace hpchain::cli
