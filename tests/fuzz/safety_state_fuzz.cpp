// Fuzz target for decode_safety_state, the record a validator reads back
// from data/safety.db at start: any bytes give a state or a Corruption
// error, never a crash, and a decoded state re-encodes to a fixed point.
#include "consensus/safety_rules.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/consensus/fixture.h"

namespace {

using namespace hpchain;
using namespace hpchain::consensus;

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  hpchain::consensus::testing::Network net{4};
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  std::vector<SafetyState> states;
  states.push_back({});
  states.push_back({0, 1, 0, 0, net.vote(1, b1->id, 1, 1), net.genesis_qc_of(), std::nullopt});
  states.push_back({3, 7, 5, 6, net.vote(1, b1->id, 7, 1), net.qc(*b1, {0, 1, 2}),
                    net.tc(6, {{0, 1}, {2, 1}, {3, 0}}, net.qc(*b1, {0, 1, 2}))});
  std::vector<std::vector<uint8_t>> seeds;
  for (const auto& s : states) seeds.push_back(encode_safety_state(s));
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto state = decode_safety_state(ByteSpan(data, size));
  if (!state.is_ok()) {
    HPC_ASSERT(state.status().code() == StatusCode::kCorruption);
    return 0;
  }
  const Bytes once = encode_safety_state(*state);
  auto again = decode_safety_state(once);
  HPC_ASSERT(again.is_ok());
  HPC_ASSERT(*again == *state);
  HPC_ASSERT(encode_safety_state(*again) == once);
  return 0;
}
