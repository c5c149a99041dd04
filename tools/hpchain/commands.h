// The commands of `hpchain` (usage in cli_args.cpp): each prints its result
// on `out`, an error on `err` ("hpchain: ..."), and returns the exit code
// (0 success, 1 a failure).
#pragma once

#include <ostream>

#include "tools/hpchain/cli_args.h"

namespace hpchain::cli {

int run_command(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace hpchain::cli
