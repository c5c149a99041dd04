// Fuzz target for the bytes a peer can send to consensus: a sequence of
// framed messages, each decoded with decode_message and delivered to a live
// ConsensusCore (real secp256k1 keys, a fresh core and safety storage per
// input, so every input is reproducible on its own).
//
// Input: u8 receiver, then repeated { u8 sender; u24be length; length
// bytes }, at most kMessagesMax messages; a final timer fires the
// receiver's round timeout.
// Checked: no crash or sanitizer report; an undecodable message is counted
// as exactly one kMalformed rejection and yields no action; a decodable one
// re-encodes to a fixed point; the safety state's rounds never shrink.
#include <algorithm>

#include "consensus/codec.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/consensus/fixture.h"

namespace {

using namespace hpchain;
using namespace hpchain::consensus;
using hpchain::consensus::testing::Network;

constexpr size_t kValidators = 4;
constexpr size_t kMessagesMax = 16;

Network& network() {
  static Network net{kValidators};
  return net;
}

void append_frame(std::vector<uint8_t>& out, ValidatorIndex from, const Bytes& message) {
  out.push_back(static_cast<uint8_t>(from));
  const size_t n = message.size();
  out.push_back(static_cast<uint8_t>(n >> 16));
  out.push_back(static_cast<uint8_t>(n >> 8));
  out.push_back(static_cast<uint8_t>(n));
  out.insert(out.end(), message.begin(), message.end());
}

Bytes encode(const MessageBody& body) { return encode_message(hpchain::consensus::testing::kChain, 0, body); }

void check_reencoding(ByteSpan bytes) {
  auto decoded = decode_message(bytes);
  if (!decoded.is_ok()) return;
  const Bytes once = encode_message(decoded->chain_id, decoded->epoch, decoded->body);
  auto again = decode_message(once);
  HPC_ASSERT(again.is_ok());
  HPC_ASSERT(encode_message(again->chain_id, again->epoch, again->body) == once);
}

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  Network& net = network();
  const QuorumCert g = net.genesis_qc_of();
  BlockPtr b1 = net.block(net.genesis, g, 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 1, 2}), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {1, 2, 3}), 3);
  const ValidatorIndex leader1 = b1->fields.proposer;
  const ValidatorIndex leader2 = net.validators->leader(2);
  std::vector<std::vector<uint8_t>> seeds;
  std::vector<uint8_t> s = {0};
  // A proposal; then, at the next leader, the votes that form a QC.
  append_frame(s, leader1, encode(net.proposal(b1)));
  seeds.push_back(s);
  s = {static_cast<uint8_t>(leader2)};
  append_frame(s, leader1, encode(net.proposal(b1)));
  for (ValidatorIndex i = 0; i < kValidators; ++i) append_frame(s, i, encode(net.vote(i, b1->id, 1, 1)));
  seeds.push_back(s);
  // Three chained proposals: b3 carries the QC of b2, which commits b1.
  s = {0};
  append_frame(s, leader1, encode(net.proposal(b1)));
  append_frame(s, b2->fields.proposer, encode(net.proposal(b2)));
  append_frame(s, b3->fields.proposer, encode(net.proposal(b3)));
  seeds.push_back(s);
  // Timeouts of round 1 from three validators, then a proposal after the TC.
  s = {0};
  for (ValidatorIndex i = 1; i < kValidators; ++i) {
    append_frame(s, i, encode(TimeoutMsg{1, g, net.share(i, 1, 0), std::nullopt}));
  }
  seeds.push_back(s);
  const TimeoutCert tc1 = net.tc(1, {{1, 0}, {2, 0}, {3, 0}});
  BlockPtr after_tc = net.block(net.genesis, g, 2, "after tc");
  append_frame(s, after_tc->fields.proposer, encode(net.proposal(after_tc, tc1)));
  seeds.push_back(s);
  // Block fetches.
  s = {0};
  append_frame(s, 1, encode(BlockRequest{b1->id}));
  append_frame(s, 2, encode(BlockResponse{{b1}}));
  append_frame(s, 3, encode(BlockRequest{net.genesis->id}));
  seeds.push_back(s);
  // A proposal whose ancestors are missing, a request for several blocks,
  // and a response carrying the chain of them, parent after child.
  s = {0};
  append_frame(s, b3->fields.proposer, encode(net.proposal(b3)));
  append_frame(s, 1, encode(BlockRequest{b2->id, 2}));
  append_frame(s, 2, encode(BlockResponse{{b2, b1}}));
  seeds.push_back(s);
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Network& net = network();
  const ValidatorIndex receiver = data[0] % kValidators;
  net.storages[receiver] = {};
  auto core = net.core(receiver);
  (void)core->start();
  size_t pos = 1;
  for (size_t k = 0; k < kMessagesMax && pos + 4 <= size; ++k) {
    const ValidatorIndex from = data[pos] % kValidators;
    const size_t length = (size_t{data[pos + 1]} << 16) | (size_t{data[pos + 2]} << 8) | data[pos + 3];
    pos += 4;
    const size_t n = std::min(length, size - pos);
    const ByteSpan message(data + pos, n);
    pos += n;
    const SafetyState before = core->safety_state();
    const uint64_t rejected = core->metrics().rejected_total();
    const auto malformed = core->metrics().rejected[static_cast<size_t>(RejectReason::kMalformed)];
    const Actions actions = core->on_message(from, message);
    if (!decode_message(message).is_ok()) {
      HPC_ASSERT(actions.empty());
      HPC_ASSERT(core->metrics().rejected_total() == rejected + 1);
      HPC_ASSERT(core->metrics().rejected[static_cast<size_t>(RejectReason::kMalformed)] == malformed + 1);
    } else {
      check_reencoding(message);
    }
    const SafetyState& after = core->safety_state();
    HPC_ASSERT(after.last_voted_round >= before.last_voted_round);
    HPC_ASSERT(after.one_chain_round >= before.one_chain_round);
  }
  (void)core->on_timer(core->current_round());
  return 0;
}
