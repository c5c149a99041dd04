// Block sync's checks against a peer that lies (node/chain/block_sync.h):
// real blocks and QCs signed by a 4-validator set (the consensus test
// fixture), served from a real RocksDB ChainStore.
#include <gtest/gtest.h>

#include "node/chain/block_sync.h"
#include "tests/common/temp_dir.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::node {
namespace {

using consensus::testing::Network;

struct SyncFixture {
  Network net{4};
  consensus::MessageValidator validator{*net.validators, *net.verifier, *net.genesis};
  // genesis, b1..b6, each carrying its parent's QC from validators 0..2.
  std::vector<consensus::BlockPtr> blocks = net.chain(6, {0, 1, 2});

  // Records of b1..b(last), the last with its commit proof (its child and
  // a QC for the child).
  hpchain::v1::SyncResponse batch(size_t last, bool proof = true) {
    hpchain::v1::SyncResponse r;
    r.set_from_height(1);
    for (size_t h = 1; h <= last; ++h) {
      consensus::CommittedBlock c{blocks[h], blocks[h + 1]->parent_qc(), std::nullopt};
      if (h == last && proof) c.proof = consensus::CommitProof{blocks[h + 1], net.qc(*blocks[h + 1], {1, 2, 3})};
      *r.add_blocks() = ChainStore::to_record(c);
    }
    return r;
  }
  Result<std::vector<consensus::CommittedBlock>> check(const hpchain::v1::SyncResponse& r, uint64_t tip = 0) {
    auto batch = check_batch(r, tip);
    if (!batch.is_ok()) return batch.status();
    return batch->blocks;
  }
  Result<SyncBatch> check_batch(const hpchain::v1::SyncResponse& r, uint64_t tip = 0) {
    return check_sync_batch(r, validator, *net.validators, *net.verifier, consensus::testing::kChain, tip,
                            blocks[tip]->id);
  }
  // A state certificate of block `h`, signed by `signers`.
  consensus::StateCertificate certificate(size_t h, std::vector<consensus::ValidatorIndex> signers) {
    consensus::StateCertificate cert;
    cert.claim = {0, h, blocks[h]->id, sha256("root"), sha256("next set")};
    for (auto i : signers) {
      cert.signatures.push_back(
          {i, net.signers[i]->sign(SignDomain::kStateCert, consensus::state_signing_bytes(cert.claim))});
    }
    return cert;
  }
};

TEST(BlockSync, AnHonestBatchIsAcceptedWithEachBlocksQc) {
  SyncFixture f;
  auto blocks = f.check(f.batch(4));
  ASSERT_TRUE(blocks.is_ok()) << blocks.status().message();
  ASSERT_EQ(blocks->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*blocks)[i].block->id, f.blocks[i + 1]->id);
    EXPECT_EQ((*blocks)[i].qc.block_id, f.blocks[i + 1]->id);
  }
  EXPECT_TRUE(blocks->back().proof.has_value());

  // A proof on any block but the last is not checked, so it is dropped:
  // never stored, never served on to others as if it were.
  auto extra = f.batch(4);
  *extra.mutable_blocks(1)->mutable_proof_child() = consensus::block_to_proto(*f.blocks[5]);
  *extra.mutable_blocks(1)->mutable_proof_qc() = consensus::qc_to_proto(f.net.qc(*f.blocks[5], {0}));
  auto checked = f.check(extra);
  ASSERT_TRUE(checked.is_ok()) << checked.status().message();
  EXPECT_FALSE((*checked)[1].proof.has_value());
}

TEST(BlockSync, ALyingPeerIsRefusedWhateverItChanges) {
  SyncFixture f;
  auto refused = [&](hpchain::v1::SyncResponse r, uint64_t tip, std::string_view why) {
    auto blocks = f.check(r, tip);
    ASSERT_FALSE(blocks.is_ok()) << why;
    EXPECT_EQ(blocks.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(blocks.status().message().find(why), std::string::npos) << blocks.status().message();
  };
  auto swapped_payload = f.batch(4);
  swapped_payload.mutable_blocks(1)->mutable_block()->set_payload("another payload");
  refused(swapped_payload, 0, "payload");
  refused(f.batch(4, /*proof=*/false), 0, "no commit proof");
  auto weak_proof = f.batch(4);
  *weak_proof.mutable_blocks(3)->mutable_proof_qc() = consensus::qc_to_proto(f.net.qc(*f.blocks[5], {1, 2}));
  refused(weak_proof, 0, "");  // two of four signatures are no quorum
  auto stale_proof = f.batch(4);  // the proof of b3 on the batch ending at b4
  *stale_proof.mutable_blocks(3)->mutable_proof_child() = consensus::block_to_proto(*f.blocks[4]);
  refused(stale_proof, 0, "commit proof");
  refused(f.batch(4), 2, "does not extend");  // our tip is b2: the batch starts below it
  auto gap = f.batch(4);
  gap.mutable_blocks()->DeleteSubrange(1, 1);
  refused(gap, 0, "does not extend");
}

TEST(BlockSync, AServerSendsConsecutiveBlocksUpToTheLastProvenOne) {
  SyncFixture f;
  hpchain::testing::TempDir dir;
  auto store = storage::Store::open(dir.path()).value();
  ChainStore chain(*store, consensus::testing::kChain);
  storage::WriteBatch batch;
  for (size_t h = 1; h <= 5; ++h) {
    consensus::CommittedBlock c{f.blocks[h], f.blocks[h + 1]->parent_qc(), std::nullopt};
    if (h == 3) c.proof = consensus::CommitProof{f.blocks[4], f.net.qc(*f.blocks[4], {0, 1, 2})};
    chain.stage_block(c, Hash32{}, {}, 0, false, batch);
  }
  ASSERT_TRUE(store->write(batch).is_ok());
  hpchain::v1::SyncRequest request;
  request.set_from_height(1);
  request.set_max_blocks(64);
  auto response = serve_sync_request(chain, request, 5);
  ASSERT_EQ(response.blocks_size(), 3);  // b4 and b5 carry no proof: held back
  auto blocks = f.check(response);
  ASSERT_TRUE(blocks.is_ok()) << blocks.status().message();
  EXPECT_TRUE(response.end_certificate().empty());
  request.set_from_height(4);
  EXPECT_EQ(serve_sync_request(chain, request, 5).blocks_size(), 0);
  request.set_from_height(9);
  EXPECT_EQ(serve_sync_request(chain, request, 5).blocks_size(), 0);
}

TEST(BlockSync, TheLastBlockOfAnEpochIsProvenByItsStateCertificate) {
  SyncFixture f;
  auto last_of_epoch = [&](const consensus::StateCertificate& cert) {
    auto r = f.batch(4, /*proof=*/false);
    r.mutable_blocks(3)->set_ends_epoch(true);
    const Bytes encoded = consensus::encode_state_message(consensus::testing::kChain, cert);
    r.set_end_certificate(encoded.data(), encoded.size());
    return r;
  };
  auto batch = f.check_batch(last_of_epoch(f.certificate(4, {0, 1, 3})));
  ASSERT_TRUE(batch.is_ok()) << batch.status().message();
  ASSERT_EQ(batch->blocks.size(), 4u);
  ASSERT_TRUE(batch->end_certificate.has_value());
  EXPECT_EQ(batch->end_certificate->claim.block_id, f.blocks[4]->id);
  EXPECT_EQ(batch->blocks.back().qc.block_id, f.blocks[4]->id);
  for (auto [cert, why] : {std::pair{f.certificate(3, {0, 1, 2}), "another block"},
                           std::pair{f.certificate(4, {0, 1}), "bad end certificate"}}) {
    auto refused = f.check_batch(last_of_epoch(cert));
    ASSERT_FALSE(refused.is_ok()) << why;
    EXPECT_NE(refused.status().message().find(why), std::string::npos) << refused.status().message();
  }
  auto no_qc = last_of_epoch(f.certificate(4, {0, 1, 2}));
  *no_qc.mutable_blocks(3)->mutable_qc() = consensus::qc_to_proto(f.net.qc(*f.blocks[4], {0}));
  EXPECT_FALSE(f.check_batch(no_qc).is_ok());

  // Served: the batch stops at the epoch's last block and carries its certificate.
  hpchain::testing::TempDir dir;
  auto store = storage::Store::open(dir.path()).value();
  ChainStore chain(*store, consensus::testing::kChain);
  storage::WriteBatch writes;
  for (size_t h = 1; h <= 5; ++h) {
    chain.stage_block({f.blocks[h], f.blocks[h + 1]->parent_qc(), std::nullopt}, Hash32{}, {}, 0, h == 4, writes);
  }
  ASSERT_TRUE(store->write(writes).is_ok());
  hpchain::v1::SyncRequest request;
  request.set_from_height(1);
  request.set_max_blocks(64);
  EXPECT_EQ(serve_sync_request(chain, request, 5).blocks_size(), 0);  // no certificate yet: nothing is proven
  ASSERT_TRUE(chain.put_certificate(f.certificate(4, {1, 2, 3})).is_ok());
  auto served = serve_sync_request(chain, request, 5);
  ASSERT_EQ(served.blocks_size(), 4);
  auto accepted = f.check_batch(served);
  ASSERT_TRUE(accepted.is_ok()) << accepted.status().message();
  EXPECT_TRUE(accepted->end_certificate.has_value());

  // A node that executed the epoch's last block and waits for its
  // certificate asks from the height after it: the certificate comes alone.
  request.set_from_height(5);
  auto alone = serve_sync_request(chain, request, 5);
  EXPECT_EQ(alone.blocks_size(), 0);
  EXPECT_FALSE(alone.end_certificate().empty());
}

}  // namespace
}  // namespace hpchain::node
