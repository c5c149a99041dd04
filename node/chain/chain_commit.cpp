// Committed blocks: execution, state certificates, and the beacon
// transactions a validator sends after each block.
#include "chain/log.h"
#include "consensus/state_cert.h"
#include "ledger/state_view.h"
#include "node/chain/chain_host_impl.h"

namespace hpchain::node {

void ChainHost::Impl::on_commit(const consensus::CommittedBlock& committed) {
  const consensus::Block& block = *committed.block;
  // The suffix of an ending epoch is not executed; nor is a block of another epoch.
  if (pending_epoch || !block.epoch_matches(epoch_record.epoch())) return;
  if (block.height() <= tip_height) {
    // Block sync executed it already; it must be the same block.
    if (block.height() == tip_height && block.id == tip_id) return;
    auto stored = chain.block_at(block.height());
    if (stored.is_ok() && as_bytes(stored->block().header_bytes()).size() > 0 &&
        sha256(as_bytes(stored->block().header_bytes())) != block.id) {
      halt(Status::corruption("consensus committed block " + block.id.hex() + " at height " +
                              std::to_string(block.height()) + ", where this node executed another"));
    }
    return;
  }
  if (block.height() != tip_height + 1) {
    HPC_LOG(kNode, err, "commit of height {} while the tip is {}: ignored", block.height(), tip_height);
    return;
  }
  execute(committed);
}

bool ChainHost::Impl::execute(const consensus::CommittedBlock& committed) {
  const consensus::Block& block = *committed.block;
  if (pending_epoch) return false;  // the epoch ended at the tip: nothing more of it is executed
  const ExecutionContext ctx{store, state, chain, *validators, options.chain_id};
  auto cached = payloads.find(block.fields.payload_hash);
  auto executed = execute_block(ctx, committed, cached == payloads.end() ? nullptr : &cached->second.second);
  if (!executed.is_ok()) {
    halt(executed.status().with_context("executing block " + block.id.hex() + " at height " +
                                        std::to_string(block.height())));
    return false;
  }
  const auto now = Clock::now();
  const double interval = std::chrono::duration<double>(now - last_block_at).count();
  last_block_at = now;
  tip_height = executed->height;
  tip_id = executed->block_id;
  tip_root = executed->state_root;
  std::erase_if(payloads, [&](const auto& kv) { return kv.second.first <= tip_height; });
  pool.recheck(executed->txs);
  if (!executed->txs.empty()) refresh_peers();  // a registry change may move a validator's node id
  if (metrics != nullptr) metrics->on_block(tip_height, executed->txs.size(), interval);
  // Blocks that sync executed are above the core's root until on_synced.
  if (tip_height <= core->committed_root().height()) apply(core->on_block_executed(tip_id, tip_height));

  Hash32 next_set = validators->digest();
  if (executed->new_consensus_set) {
    auto next = validator_set_of(*executed->new_consensus_set);
    if (next.is_ok()) next_set = next->digest();
  }
  on_state(certifier->on_executed(tip_height, tip_id, tip_root, next_set));
  if (executed->new_consensus_set && !stopped) end_epoch(std::move(*executed->new_consensus_set));
  publish();
  maybe_send_beacon();
  return !stopped;
}

void ChainHost::Impl::on_state(consensus::StateActions actions) {
  for (auto& action : actions) {
    if (stopped) return;
    if (auto* vote = std::get_if<consensus::StateVoteAction>(&action)) {
      last_vote = vote->message;
      if (network != nullptr) network->broadcast(hpchain::v1::MESSAGE_STATE, std::move(vote->message));
    } else if (auto* certified = std::get_if<consensus::CertifiedAction>(&action)) {
      // A certificate stored already (one a peer replays) is neither stored
      // nor gossiped again, so no echo can circle the network.
      auto stored = chain.certificate(certified->certificate.claim.height);
      if (!stored.is_ok()) return halt(stored.status());
      if (stored->has_value()) continue;
      if (Status s = chain.put_certificate(certified->certificate); !s.is_ok()) return halt(s);
      if (pending_epoch && certified->certificate.claim.height == pending_epoch->end_height) switch_now = true;
      if (metrics != nullptr) metrics->on_certified(certifier->highest_certified());
      if (network != nullptr) {
        network->broadcast(hpchain::v1::MESSAGE_STATE,
                           consensus::encode_state_message(options.chain_id, certified->certificate));
      }
    } else if (auto* divergence = std::get_if<consensus::DivergenceAction>(&action)) {
      return halt(Status::corruption(divergence->message()));
    }
  }
  if (switch_now && !stopped) maybe_switch();
}

namespace {

// The secret this validator reveals in beacon round `round`: derived from
// its consensus key, so nothing needs storing and a restart reveals the
// same secret it committed to. Unpredictable to anyone without the key.
Bytes beacon_secret(const PrivateKey& key, uint64_t round) {
  Sha256 h;
  h.update(as_bytes("hpchain beacon secret v1")).update(key.secret());
  for (int i = 7; i >= 0; --i) {
    const uint8_t b = static_cast<uint8_t>(round >> (8 * i));
    h.update(ByteSpan(&b, 1));
  }
  const Hash32 s = h.finish();
  return Bytes(s.bytes.begin(), s.bytes.end());
}

}  // namespace

// Once per beacon round a voting validator reveals the secret it committed
// to and commits to the next (docs/jobs.md, "Randomness: the beacon"),
// signed by its operator account.
void ChainHost::Impl::maybe_send_beacon() {
  if (!options.operator_key || self == consensus::kObserver || stopped || pending_epoch) return;
  ledger::StateView view(state);
  auto beacon = view.get_record<hpchain::v1::BeaconState>(to_bytes(ledger::keys::kBeacon));
  if (!beacon.is_ok() || !*beacon) return;
  const uint64_t round = (*beacon)->round();
  if (beacon_round_sent == round) return;
  beacon_round_sent = round;
  const PublicKey key = options.validator_key->public_key();
  const std::string key_bytes(key.compressed().begin(), key.compressed().end());
  const hpchain::v1::BeaconCommitment* mine = nullptr;
  for (const auto& c : (*beacon)->commitments()) {
    if (c.validator() != key_bytes) continue;
    if (c.round() == round + 1) return;  // revealed this round already
    if (c.round() == round) mine = &c;
  }
  if (mine != nullptr && mine->revealed()) return;
  hpchain::v1::TxBody body;
  body.set_chain_id(options.chain_id);
  auto* reveal = body.mutable_beacon_reveal();
  reveal->set_validator(key_bytes);
  reveal->set_round(round);
  if (mine != nullptr) {
    const Bytes secret = beacon_secret(*options.validator_key, round);
    auto commitment = Hash32::from_bytes(as_bytes(mine->commitment()));
    if (!commitment.is_ok() || sha256(secret) != *commitment) return;  // not ours to reveal
    reveal->set_secret(secret.data(), secret.size());
  }
  const Hash32 next = sha256(beacon_secret(*options.validator_key, round + 1));
  reveal->set_next_commitment(next.bytes.data(), next.bytes.size());
  auto account = view.account(options.operator_key->public_key().address());
  auto params = view.params();
  if (!account.is_ok() || !params.is_ok()) {
    beacon_round_sent = UINT64_MAX;
    return;
  }
  // After the operator's transactions waiting in the mempool (one sent by hand, or our last reveal).
  body.set_nonce(pool.next_nonce(options.operator_key->public_key().address(), account->nonce()));
  body.set_fee(ledger::required_fee(*params, sign_tx(body, *options.operator_key).size() + 16));
  Bytes raw = sign_tx(body, *options.operator_key);
  auto copy = std::make_shared<Bytes>(raw);
  p2p::Network* net = network;
  pool.submit(std::move(raw), [this, net, copy, round](const mempool::Admission& a) {
    if (a.rejected) {
      HPC_LOG_RATE_LIMITED(kNode, info, "beacon reveal for round {} refused by the mempool: {} ({})", round,
                           mempool::reject_name(*a.rejected), a.detail);
      post([this, round] {  // try again after the next block
        if (beacon_round_sent == round) beacon_round_sent = UINT64_MAX;
      });
    } else if (net != nullptr) {
      net->broadcast(hpchain::v1::MESSAGE_TX, std::move(*copy));
    }
  });
}

}  // namespace hpchain::node
