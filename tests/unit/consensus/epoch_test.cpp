// Epoch boundaries with real secp256k1 keys: the next epoch's core starts
// from the start block every node derives from the block that ended the
// previous epoch, commits on top of it, and refuses the old epoch's
// messages; an epoch-change proof is checked against the old set; keys
// entering or leaving the set make voters and observers.
#include <gtest/gtest.h>

#include <functional>

#include "consensus/epoch.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::actions_of;
using testing::kChain;
using testing::Network;

// Epoch 0 has validators 0..3; epoch 1 adds validator 4 (the fixture
// derives key i the same way in both).
struct TwoEpochs {
  Network old_set{4};
  Network new_set{5};
  BlockPtr end;  // the reconfiguration block of epoch 0, at height 2
  EpochStart start;
  TwoEpochs() {
    end = old_set.chain(2, {0, 1, 2})[2];
    start = next_epoch_start(0, end->id, end->height());
    new_set.epoch = 1;
    new_set.genesis = std::make_shared<const Block>(
        epoch_start_block(kChain, 1, end->id, start.height, new_set.validators->digest()));
  }
  std::unique_ptr<ConsensusCore> core(ValidatorIndex i) {
    CoreConfig cfg;
    cfg.epoch = start;
    return new_set.core(i, cfg);
  }
  // Signed for indices 0..2 by `signer_of(i)`.
  StateCertificate certificate_of_end(const Hash32& next_digest, uint64_t epoch = 0,
                                      std::function<Signer&(ValidatorIndex)> signer_of = {}) {
    StateCertificate cert{{epoch, end->height(), end->id, sha256("root"), next_digest}, {}};
    for (ValidatorIndex i : {0u, 1u, 2u}) {
      Signer& s = signer_of ? signer_of(i) : *old_set.signers[i];
      cert.signatures.push_back({i, s.sign(SignDomain::kStateCert, state_signing_bytes(cert.claim))});
    }
    return cert;
  }
};

TEST(Epochs, TheNextEpochStartsFromTheDerivedStartBlockAndCommitsOnIt) {
  TwoEpochs e;
  EXPECT_EQ(e.start.epoch, 1u);
  EXPECT_EQ(e.start.height, 3u);
  const ValidatorIndex l3 = e.new_set.validators->leader(3);
  auto core = e.core(l3);
  EXPECT_EQ(core->start_id(), e.new_set.genesis->id);
  EXPECT_EQ(core->committed_root().height(), 3u);
  (void)core->start();
  const auto blocks = e.new_set.chain(3, {0, 1, 2, 3});  // start, b1 (h4), b2 (h5), b3 (h6)
  EXPECT_EQ(blocks[1]->height(), 4u);
  EXPECT_EQ(blocks[1]->parent_id(), e.new_set.genesis->id);
  (void)core->on_message(e.new_set.validators->leader(1), encode_message(kChain, 1, e.new_set.proposal(blocks[1])));
  (void)core->on_message(e.new_set.validators->leader(2), encode_message(kChain, 1, e.new_set.proposal(blocks[2])));
  auto third = core->on_message(e.new_set.validators->leader(3), encode_message(kChain, 1, e.new_set.proposal(blocks[3])));
  const auto commits = actions_of<CommitAction>(third);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].committed.block->id, blocks[1]->id);
  // The old epoch's messages are its own reason: no vote, no round change.
  const auto old_blocks = e.old_set.chain(3, {0, 1, 2});
  const uint64_t round = core->current_round();
  (void)core->on_message(0, encode_message(kChain, 0, e.old_set.proposal(old_blocks[3])));
  EXPECT_EQ(core->metrics().rejected[static_cast<size_t>(RejectReason::kWrongEpoch)], 1u);
  EXPECT_EQ(core->current_round(), round);
}

TEST(Epochs, AnEpochChangeProofIsCheckedAgainstTheOldSet) {
  TwoEpochs e;
  const Hash32 next = e.new_set.validators->digest();
  auto ok = verify_epoch_change(e.certificate_of_end(next), 0, *e.old_set.validators,
                                *e.old_set.verifier, *e.new_set.validators);
  ASSERT_TRUE(ok.is_ok()) << ok.status().message();
  EXPECT_EQ(ok->epoch, 1u);
  EXPECT_EQ(ok->parent_id, e.end->id);
  EXPECT_EQ(ok->height, 3u);
  auto check = [&](const StateCertificate& c, const ValidatorSet& next_set) {
    return verify_epoch_change(c, 0, *e.old_set.validators, *e.old_set.verifier, next_set).status().message();
  };
  EXPECT_EQ(check(e.certificate_of_end(sha256("another set")), *e.new_set.validators),
            "the proof names another next validator set");
  // Signed by the joiner, which the old set does not hold: no proof.
  auto by_joiner = [&](ValidatorIndex) -> Signer& { return *e.new_set.signers[4]; };
  EXPECT_EQ(check(e.certificate_of_end(next, 0, by_joiner), *e.new_set.validators)
                .rfind("the proof's certificate does not verify", 0), 0u);
  EXPECT_EQ(check(e.certificate_of_end(next, 7), *e.new_set.validators), "the proof certifies epoch 7, not 0");
  EXPECT_EQ(check(e.certificate_of_end(e.old_set.validators->digest()), *e.old_set.validators),
            "the proof's block did not change the validator set");
}

TEST(Epochs, KeysEnteringTheSetVoteAndKeysLeavingItObserve) {
  TwoEpochs e;
  EXPECT_EQ(self_index(*e.new_set.validators, e.new_set.keys[4].public_key()), 4u);  // joins: votes in epoch 1
  EXPECT_EQ(self_index(*e.old_set.validators, e.new_set.keys[4].public_key()), kObserver);  // observed epoch 0
  EXPECT_EQ(self_index(*e.new_set.validators, e.old_set.keys[0].public_key()), 0u);
  CoreConfig cfg;
  cfg.epoch = e.start;
  cfg.chain_id = kChain;
  cfg.self = kObserver;
  auto observer = ConsensusCore::create(cfg, CoreDeps{e.new_set.validators.get(), nullptr, e.new_set.verifier.get(),
                                                      nullptr, nullptr, nullptr});
  ASSERT_TRUE(observer.is_ok());
  EXPECT_TRUE((*observer)->is_observer());
  // A core refuses a start that does not fit its epoch.
  cfg.epoch = EpochStart{0, e.end->id, 3};
  EXPECT_FALSE(ConsensusCore::create(cfg, CoreDeps{e.new_set.validators.get(), nullptr, e.new_set.verifier.get(),
                                                   nullptr, nullptr, nullptr}).is_ok());
}

}  // namespace
}  // namespace hpchain::consensus
