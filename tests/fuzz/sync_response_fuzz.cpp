// Fuzz target for the block-sync answers a peer can send
// (node/chain/block_sync.h): any bytes parsed as a SyncResponse, then
// check_sync_batch against a 4-validator epoch (real secp256k1 keys) whose
// node is at genesis. Checked: no crash; a batch it accepts extends the
// tip hash by hash from height 1, and its last block carries a commit
// proof or the epoch's end certificate for exactly that block.
#include "chain/codec.h"
#include "node/chain/block_sync.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/consensus/fixture.h"

namespace {

using namespace hpchain;
using hpchain::consensus::testing::Network;

struct World {
  Network net{4};
  consensus::MessageValidator validator{*net.validators, *net.verifier, *net.genesis};
  std::vector<consensus::BlockPtr> blocks = net.chain(6, {0, 1, 2});
};

World& world() {
  static World w;
  return w;
}

// Blocks 1..last; the last with its commit proof, or (end) with the
// state certificate that ends the epoch there.
hpchain::v1::SyncResponse batch(size_t last, bool end) {
  World& w = world();
  hpchain::v1::SyncResponse r;
  r.set_from_height(1);
  for (size_t h = 1; h <= last; ++h) {
    consensus::CommittedBlock c{w.blocks[h], w.blocks[h + 1]->parent_qc(), std::nullopt};
    if (h == last && !end) c.proof = consensus::CommitProof{w.blocks[h + 1], w.net.qc(*w.blocks[h + 1], {1, 2, 3})};
    auto record = node::ChainStore::to_record(c);
    record.set_ends_epoch(end && h == last);
    *r.add_blocks() = std::move(record);
  }
  if (end) {
    consensus::StateCertificate cert;
    cert.claim = {0, last, w.blocks[last]->id, sha256("root"), sha256("next set")};
    for (consensus::ValidatorIndex i : {0u, 1u, 2u}) {
      cert.signatures.push_back(
          {i, w.net.signers[i]->sign(SignDomain::kStateCert, consensus::state_signing_bytes(cert.claim))});
    }
    const Bytes encoded = consensus::encode_state_message(consensus::testing::kChain, cert);
    r.set_end_certificate(encoded.data(), encoded.size());
  }
  return r;
}

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  return {serialize_proto(batch(4, false)), serialize_proto(batch(2, false)), serialize_proto(batch(3, true))};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  hpchain::v1::SyncResponse response;
  if (!parse_proto(ByteSpan(data, size), response, "sync response").is_ok()) return 0;
  auto checked = node::check_sync_batch(response, w.validator, *w.net.validators, *w.net.verifier,
                                        consensus::testing::kChain, 0, w.net.genesis->id);
  if (!checked.is_ok() || checked->blocks.empty()) return 0;
  Hash32 parent = w.net.genesis->id;
  for (size_t i = 0; i < checked->blocks.size(); ++i) {
    const auto& c = checked->blocks[i];
    HPC_ASSERT(c.block->parent_id() == parent && c.block->height() == i + 1);
    HPC_ASSERT(c.qc.block_id == c.block->id);
    HPC_ASSERT(i + 1 == checked->blocks.size() || !c.proof);  // only the last block's proof is kept
    parent = c.block->id;
  }
  const auto& last = checked->blocks.back();
  if (last.proof) {
    HPC_ASSERT(consensus::verify_commit_proof(w.validator, *last.block, *last.proof, consensus::testing::kChain).ok());
  } else {
    HPC_ASSERT(checked->end_certificate && checked->end_certificate->claim.block_id == last.block->id);
  }
  return 0;
}
