// Governance on both state stores: the > 2/3-of-institutions rule, expiry
// and rejection, and each action passing and each of its preconditions
// failing (a passed proposal whose action fails is FAILED with the reason).
#include <gtest/gtest.h>

#include "tests/unit/ledger/ledger_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class Governance : public ::testing::TestWithParam<StoreKind> {};

std::string outcome_code(const v1::ProposalRecord& p) { return p.outcome().substr(0, p.outcome().find(':')); }

TEST_P(Governance, AProposalPassesAtMoreThanTwoThirdsAndNotAtExactlyTwoThirds) {
  Chain c(GetParam(), 6);
  c.block({propose(c, 10, add_institution("new"))});
  std::vector<VerifiedTx> votes;
  for (uint32_t i = 0; i < 4; ++i) votes.push_back(vote(c, 10 + i, 1));
  c.block(votes);  // 4 of 6 = exactly 2/3
  EXPECT_EQ(c.proposal(1)->status(), v1::PROPOSAL_OPEN);
  EXPECT_FALSE(c.record<v1::Institution>(keys::institution("new")));
  c.block({vote(c, 14, 1)});  // 5 of 6
  EXPECT_EQ(c.proposal(1)->status(), v1::PROPOSAL_PASSED);
  EXPECT_TRUE(c.record<v1::Institution>(keys::institution("new")));
  EXPECT_EQ(c.account(99).institution(), "new");
  auto out = c.block({vote(c, 15, 1)});
  EXPECT_EQ(out[0].code, TxCode::kProposalClosed);
}

TEST_P(Governance, AProposalExpiresAtItsExpiryHeight) {
  Chain c(GetParam(), 3);
  c.block({propose(c, 10, add_institution("late"), /*expiry_ahead=*/1)});
  c.block({vote(c, 10, 1)});
  EXPECT_EQ(c.proposal(1)->status(), v1::PROPOSAL_EXPIRED);
  auto out = c.block({vote(c, 11, 1)});
  EXPECT_EQ(out[0].code, TxCode::kProposalClosed);
}

TEST_P(Governance, ARevokedAdminsVoteIsRefused) {
  Chain c(GetParam(), 3);
  // i0 gains a second admin (20), which proposes; then i0 revokes it.
  c.block({transfer(c, 1, 20, 50'000), admit(c, 10, 20, v1::ROLE_INSTITUTION_ADMIN)});
  ASSERT_EQ(c.block({propose(c, 20, add_institution("x"))})[0].code, TxCode::kOk);
  c.block({c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(20))); })});
  auto out = c.block({vote(c, 20, 1)});
  EXPECT_EQ(out[0].code, TxCode::kNotAdmin);
  EXPECT_EQ(c.account(20).roles(), 0u);
}

TEST_P(Governance, NoVotesRejectAProposalAsSoonAsItCanNoLongerPass) {
  Chain c(GetParam(), 3);
  c.block({propose(c, 10, add_institution("nope"))});
  c.block({vote(c, 10, 1, /*yes=*/false)});  // 2 of 3 left: 2/3 cannot pass
  EXPECT_EQ(c.proposal(1)->status(), v1::PROPOSAL_REJECTED);
}

TEST_P(Governance, OneVotePerInstitutionAndOnlyExistingProposals) {
  Chain c(GetParam(), 4);
  c.block({propose(c, 10, add_institution("x"))});
  auto out = c.block({vote(c, 10, 1), vote(c, 10, 1), vote(c, 11, 9)});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kAlreadyVoted);
  EXPECT_EQ(out[2].code, TxCode::kUnknownProposal);
  auto bad_expiry = c.tx(10, [&](v1::TxBody& b) {
    add_institution("y")(*b.mutable_proposal()->mutable_action());
    b.mutable_proposal()->set_expiry_height(c.height);  // not after the block's height
  });
  EXPECT_EQ(c.block({bad_expiry})[0].code, TxCode::kBadExpiry);
  EXPECT_EQ(c.block({propose(c, 1, add_institution("z"))})[0].code, TxCode::kNotAdmin);
}

TEST_P(Governance, APassedActionWhosePreconditionFailsIsRecordedAsFailedAndChangesNothing) {
  Chain c(GetParam(), 1);
  c.block({propose(c, 10, [](v1::GovernanceAction& a) { a.mutable_remove_institution()->set_id("i0"); })});
  const Hash32 before = c.root();
  c.block({vote(c, 10, 1)});
  auto p = c.proposal(1);
  EXPECT_EQ(p->status(), v1::PROPOSAL_FAILED);
  EXPECT_EQ(p->outcome(), "last_institution: the last institution cannot be removed");
  EXPECT_TRUE(c.record<v1::Institution>(keys::institution("i0")));
  EXPECT_NE(c.root(), before);  // the fee, nonce and record did change
}

TEST_P(Governance, AddingAnInstitutionNeedsANewIdAndAdminsWithoutOne) {
  Chain c(GetParam(), 1);
  EXPECT_EQ(outcome_code(pass(c, add_institution("i0"), 1)), "institution_exists");
  EXPECT_EQ(outcome_code(pass(c, add_institution("fresh", /*admin=*/50), 1)), "member_of_other");
  EXPECT_FALSE(c.record<v1::Institution>(keys::institution("fresh")));
  EXPECT_EQ(pass(c, add_institution("fresh", 99), 1).status(), v1::PROPOSAL_PASSED);
  EXPECT_EQ(c.account(99).roles(), uint32_t{v1::ROLE_INSTITUTION_ADMIN});
}

TEST_P(Governance, RemovingAnInstitutionClearsItsMembersAndItsVotesStopCounting) {
  Chain c(GetParam(), 4);
  auto remove = [](std::string id) {
    return [id](v1::GovernanceAction& a) { a.mutable_remove_institution()->set_id(id); };
  };
  EXPECT_EQ(outcome_code(pass(c, remove("nowhere"), 4)), "unknown_institution");
  EXPECT_EQ(outcome_code(pass(c, remove("i0"), 4)), "institution_has_validators");
  const uint64_t later = 3;  // the third proposal; i3 votes yes on it, then goes
  c.block({propose(c, 10, add_institution("later"))});
  c.block({vote(c, 13, later)});
  EXPECT_EQ(pass(c, remove("i3"), 4).status(), v1::PROPOSAL_PASSED);
  EXPECT_FALSE(c.record<v1::Institution>(keys::institution("i3")));
  EXPECT_EQ(c.account(13).institution(), "");
  EXPECT_EQ(c.account(13).roles(), 0u);
  // Of the three left, i0 and i1 make 2 of 3: not more than 2/3 without i3's vote.
  c.block({vote(c, 10, later), vote(c, 11, later)});
  EXPECT_EQ(c.proposal(later)->status(), v1::PROPOSAL_OPEN);
  c.block({vote(c, 12, later)});
  EXPECT_EQ(c.proposal(later)->status(), v1::PROPOSAL_PASSED);
}

auto add_validator(uint32_t key_n, uint32_t operator_n, uint64_t power, std::string institution = "i0") {
  return [=](v1::GovernanceAction& a) {
    auto* v = a.mutable_add_validator();
    v->set_consensus_key(pub(key_n));
    v->set_node_id(std::string(32, 'v'));
    v->set_institution(institution);
    v->set_power(power);
    v->set_operator_(s(addr(operator_n)));
  };
}
auto remove_validator(uint32_t key_n) {
  return [=](v1::GovernanceAction& a) { a.mutable_remove_validator()->set_consensus_key(pub(key_n)); };
}

TEST_P(Governance, AddingAValidatorWithPowerEndsTheEpochWithTheNewSet) {
  Chain c(GetParam(), 1);
  EXPECT_EQ(outcome_code(pass(c, add_validator(100, 50, 1), 1)), "validator_exists");
  EXPECT_EQ(outcome_code(pass(c, add_validator(101, 1, 1), 1)), "wrong_role");  // 1 is no operator
  EXPECT_FALSE(c.last.new_consensus_set);
  EXPECT_EQ(pass(c, add_validator(101, 50, 3), 1).status(), v1::PROPOSAL_PASSED);
  ASSERT_TRUE(c.last.new_consensus_set);
  ASSERT_EQ(c.last.new_consensus_set->members_size(), 2);
  const auto v = c.record<v1::Validator>(keys::validator(pub_bytes(101)));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->power(), 3u);
  EXPECT_EQ(v->credibility(), kInitialCredibility);
  // A power-0 entry joins the registry but not the consensus set.
  EXPECT_EQ(pass(c, add_validator(102, 50, 0), 1).status(), v1::PROPOSAL_PASSED);
  EXPECT_FALSE(c.last.new_consensus_set);
}

TEST_P(Governance, RemovingAValidatorUnbondsItsStakeAndNeverEmptiesTheSet) {
  Chain c(GetParam(), 1, [](genesis::GenesisDoc& d) { d.validators[0].stake = 700; });
  EXPECT_EQ(outcome_code(pass(c, remove_validator(100), 1)), "empty_consensus_set");
  EXPECT_EQ(outcome_code(pass(c, remove_validator(101), 1)), "unknown_validator");
  ASSERT_EQ(pass(c, add_validator(101, 50, 1), 1).status(), v1::PROPOSAL_PASSED);
  ASSERT_EQ(pass(c, remove_validator(100), 1).status(), v1::PROPOSAL_PASSED);
  const uint64_t balance = c.account(50).balance();
  ASSERT_TRUE(c.last.new_consensus_set);
  ASSERT_EQ(c.last.new_consensus_set->members_size(), 1);
  EXPECT_EQ(c.last.new_consensus_set->members(0).consensus_key(), pub(101));
  EXPECT_FALSE(c.record<v1::Validator>(keys::validator(pub_bytes(100))));
  // Removed at this height: released unbonding_blocks (3) later.
  for (int i = 0; i < 3; ++i) c.block({});
  EXPECT_EQ(c.account(50).balance(), balance + 700);
}

TEST_P(Governance, SetParamsTakesEffectInTheNextBlockAndBadParamsAreRefusedAtSubmission) {
  Chain c(GetParam(), 1);
  genesis::ChainParams bad;
  bad.max_block_bytes = 1;
  auto out = c.block({propose(c, 10, [&](v1::GovernanceAction& a) {
    *a.mutable_set_params()->mutable_params() = to_params_record(bad);
  })});
  EXPECT_EQ(out[0].code, TxCode::kBadParams);
  EXPECT_NE(out[0].detail.find("max_block_bytes"), std::string::npos) << out[0].detail;
  genesis::ChainParams dearer;
  dearer.fee_base = 5'000;
  dearer.unbonding_blocks = 3;
  c.block({propose(c, 10, [&](v1::GovernanceAction& a) {
    *a.mutable_set_params()->mutable_params() = to_params_record(dearer);
  })});
  // The passing block still charges the old fee rule, the one after the new.
  // The refused proposal took no id: this one is 1.
  out = c.block({vote(c, 10, 1), transfer(c, 1, 2, 1, /*fee=*/1000)});
  EXPECT_EQ(out[1].code, TxCode::kOk);
  EXPECT_EQ(c.proposal(1)->status(), v1::PROPOSAL_PASSED);
  EXPECT_EQ(c.block({transfer(c, 1, 2, 1, /*fee=*/1000)})[0].code, TxCode::kFeeTooLow);
  c.nonces[1] = c.account(1).nonce();
  EXPECT_EQ(c.block({transfer(c, 1, 2, 1, /*fee=*/6000)})[0].code, TxCode::kOk);
}

TEST_P(Governance, TheConsensusSetNeverExceedsTheVoterBound) {
  Chain c(GetParam(), 1, [](genesis::GenesisDoc& d) {
    for (uint32_t i = 1; i < genesis::kVotersMax; ++i) {
      d.validators.push_back({pub_bytes(1000 + i), sha256("node"), "i0", 1, addr(50), {}, 0});
    }
  });
  EXPECT_EQ(outcome_code(pass(c, add_validator(101, 50, 1), 1)), "too_many_voters");
  EXPECT_FALSE(c.record<v1::Validator>(keys::validator(pub_bytes(101))));
  EXPECT_EQ(pass(c, add_validator(101, 50, 0), 1).status(), v1::PROPOSAL_PASSED);
}

INSTANTIATE_STORE_SUITE(Governance);

}  // namespace
}  // namespace hpchain::ledger
