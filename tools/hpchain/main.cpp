// hpchain: the command-line client of a node's gRPC API (usage: hpchain
// --help; docs/node.md, "RPC and CLI").
#include <iostream>
#include <string>
#include <vector>

#include "tools/hpchain/cli_args.h"
#include "tools/hpchain/commands.h"

int main(int argc, char** argv) {
  using namespace hpchain::cli;
  if (argc < 2) {
    std::cout << kUsage;
    return 2;
  }
  const std::vector<std::string> words(argv, argv + argc);
  auto args = parse_args(words);
  if (!args.is_ok()) {
    std::cerr << "hpchain: " << args.status().message()
              << "\n(`hpchain --help` lists the commands; `hpchain COMMAND --help` explains one)\n";
    return 2;
  }
  if (args->help) {
    std::cout << "usage: " << usage_of(args->command);
    return 0;
  }
  return run_command(args.value(), std::cout, std::cerr);
}
