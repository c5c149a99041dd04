// An unsigned 128-bit integer, for exact products and sums of 64-bit values
// (weights, budgets, stake shares) where overflow must be impossible, not
// merely unlikely. GCC and Clang provide it; __extension__ keeps
// -Wpedantic quiet about that.
#pragma once

namespace hpchain {

__extension__ typedef unsigned __int128 Uint128;

}  // namespace hpchain
