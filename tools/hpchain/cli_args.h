// Command-line parsing for `hpchain`, the client of a node's gRPC API
// (docs/node.md, "RPC and CLI"). Parsing is pure: it never prints, exits or
// dials, so it is tested on its own; main() turns an error into a message
// and exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/hash.h"
#include "chain/keys.h"
#include "chain/status.h"
#include "node/config/config.h"

namespace hpchain::cli {

// What `tx transfer` offers when --fee is not given: above what a transfer
// needs under the default genesis parameters (fee_base 10 + 1 per byte of a
// ~190-byte transaction). A chain with higher fees refuses it with
// fee_too_low and the minimum, which the CLI prints.
inline constexpr uint64_t kDefaultFee = 1'000;
inline constexpr uint32_t kDefaultWaitMs = 10'000;
inline constexpr uint32_t kWaitMaxMs = 60'000;  // the server's bound (rpc/server.h)

enum class Command { kHelp, kStatus, kKeysNew, kKeysShow, kAccount, kTxTransfer, kTxGet };

struct Args {
  Command command = Command::kHelp;
  // `--help` after a command (or `help COMMAND`): print that command's usage.
  bool help = false;
  node::Endpoint node{"127.0.0.1", 26657};
  bool json = false;
  std::string key_path;  // keys new --out, keys show FILE, account --key, tx transfer --key
  // account ADDRESS; nullopt when the account is named by --key
  std::optional<Address> address;
  // tx transfer
  Address to;
  uint64_t amount = 0;
  uint64_t fee = kDefaultFee;
  std::optional<uint64_t> nonce;  // nullopt: the account's next_nonce (GetAccount)
  std::string chain_id;  // empty: the node's (GetStatus)
  bool wait = false;
  uint32_t timeout_ms = kDefaultWaitMs;
  // tx get
  Hash32 tx_id;
};

// The general usage, and one command's.
extern const char* const kUsage;
std::string_view usage_of(Command command);

// Parses argv[1..]. InvalidArgument naming the offending word for an
// unknown command or flag, a flag without its value or given twice, a
// missing required flag, a wrong number of positional arguments, and values
// that do not parse (an endpoint, an address, a number, a tx id).
Result<Args> parse_args(const std::vector<std::string>& argv);

}  // namespace hpchain::cli
