// Proposing and voting on payloads: what the leader puts in a block, and
// the stateless check a validator makes before it votes.
#include "chain/codec.h"
#include "chain/log.h"
#include "ledger/state_view.h"
#include "node/chain/chain_host_impl.h"

namespace hpchain::node {
namespace {

Bytes encode_payload(const std::vector<VerifiedTx>& txs) {
  hpchain::v1::BlockPayload payload;
  for (const auto& tx : txs) payload.add_txs(tx.raw_bytes.data(), tx.raw_bytes.size());
  return serialize_proto(payload);
}

}  // namespace

void ChainHost::Impl::try_propose() {
  if (!pending_request || stopped) return;
  const consensus::PayloadRequestAction& request = *pending_request;
  if (request.round < core->current_round()) {  // the round passed without us
    pending_request.reset();
    return;
  }
  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch()).count());
  if (pending_epoch) {  // the suffix of an ending epoch carries nothing: it only spreads the commit
    const uint64_t round = request.round;
    pending_request.reset();
    return apply(core->on_payload_ready(round, {}, now_ms));
  }
  // The transactions the uncommitted ancestors carry: they must not be
  // proposed again, and each sender's nonces continue after them. While any
  // ancestor carries some, propose at once so that they commit.
  std::vector<VerifiedTx> pending;
  bool ancestors_carry = false;
  for (const auto& ancestor : request.uncommitted_ancestors) {
    if (ancestor->payload.empty()) continue;
    ancestors_carry = true;
    auto cached = payloads.find(ancestor->fields.payload_hash);
    if (cached != payloads.end()) {
      pending.insert(pending.end(), cached->second.second.begin(), cached->second.second.end());
    } else if (auto txs = ledger::check_payload(ancestor->payload, options.chain_id); txs.is_ok()) {
      pending.insert(pending.end(), txs->begin(), txs->end());
    }
  }
  const bool may_wait = !ancestors_carry && Clock::now() < propose_by;
  if (may_wait && pool.size() == 0) return;  // wait for transactions

  ledger::StateView view(state);
  auto params = view.params();
  if (!params.is_ok()) return halt(params.status().with_context("reading the chain parameters"));
  const uint64_t max_bytes = std::min<uint64_t>(params->max_block_bytes(), request.max_payload_bytes * 9 / 10);
  std::vector<VerifiedTx> txs = pool.reap_after(pending, max_bytes, SIZE_MAX);
  if (may_wait && txs.empty()) return;  // what waits cannot be proposed yet (a nonce gap): wait on
  uint64_t gas = 0;
  size_t fit = 0;
  for (; fit < txs.size(); ++fit) {
    gas += ledger::tx_gas(txs[fit].raw_bytes.size());
    if (gas > params->max_block_gas()) break;
  }
  txs.erase(txs.begin() + static_cast<std::ptrdiff_t>(fit), txs.end());
  Bytes payload = encode_payload(txs);
  while (payload.size() > request.max_payload_bytes && !txs.empty()) {  // framing overhead: drop from the end
    txs.erase(txs.begin() + static_cast<std::ptrdiff_t>(txs.size() * 9 / 10), txs.end());
    payload = encode_payload(txs);
  }
  if (!txs.empty()) payloads[sha256(payload)] = {request.height, std::move(txs)};
  const uint64_t round = request.round;
  pending_request.reset();
  apply(core->on_payload_ready(round, std::move(payload), now_ms));
}

bool ChainHost::Impl::validate_payload(const consensus::Block& block) {
  if (pending_epoch) return block.payload.empty();  // the suffix of an ending epoch carries nothing
  if (block.payload.empty() || payloads.contains(block.fields.payload_hash)) return true;
  // Transactions our mempool holds passed the same checks on admission:
  // only the others are verified here.
  auto txs = ledger::check_payload(block.payload, options.chain_id, [this](const Hash32& id) { return pool.find(id); });
  if (!txs.is_ok()) {
    HPC_LOG_RATE_LIMITED(kNode, warn, "refusing to vote for block {} at height {}: {}", block.id.hex().substr(0, 16),
                         block.height(), txs.status().message());
    return false;
  }
  payloads[block.fields.payload_hash] = {block.height(), std::move(*txs)};
  return true;
}

}  // namespace hpchain::node
