// Membership (the VO model), worker registration and staking on both state
// stores: each transaction kind succeeding and each of its rejections.
#include <gtest/gtest.h>

#include "tests/unit/ledger/ledger_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class Members : public ::testing::TestWithParam<StoreKind> {};
class Workers : public ::testing::TestWithParam<StoreKind> {};

TEST_P(Members, AdmitAndRevokeFollowTheVoModel) {
  Chain c(GetParam(), 2);
  auto out = c.block({admit(c, 10, 2, v1::ROLE_SUBMITTER), admit(c, 11, 2, v1::ROLE_SUBMITTER),
                      c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(10))); }),
                      c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(3))); }),
                      admit(c, 1, 3, v1::ROLE_SUBMITTER)});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kMemberOfOther);
  EXPECT_EQ(out[2].code, TxCode::kLastAdmin);
  EXPECT_EQ(out[3].code, TxCode::kNotMember);
  EXPECT_EQ(out[4].code, TxCode::kNotAdmin);  // 1 is no admin
  EXPECT_EQ(c.account(2).institution(), "i0");
  EXPECT_EQ(c.account(2).roles(), uint32_t{v1::ROLE_SUBMITTER});
  const auto inst = c.record<v1::Institution>(keys::institution("i0"));
  EXPECT_EQ(inst->members_size(), 3);  // admin 10, operator 50, member 2
  c.block({c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(2))); })});
  EXPECT_EQ(c.account(2).institution(), "");
  EXPECT_EQ(c.account(2).roles(), 0u);
}

TEST_P(Members, NodesAreAdmittedOnceAndRevokedOnlyWhenAdmitted) {
  Chain c(GetParam(), 1);
  const std::string node(32, 'n');
  auto node_admit = [&] { return c.tx(10, [&](v1::TxBody& b) { b.mutable_member_admit()->set_node_id(node); }); };
  auto node_revoke = [&] { return c.tx(10, [&](v1::TxBody& b) { b.mutable_member_revoke()->set_node_id(node); }); };
  auto out = c.block({node_admit(), node_admit(), node_revoke(), node_revoke()});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kAlreadyMember);
  EXPECT_EQ(out[2].code, TxCode::kOk);
  EXPECT_EQ(out[3].code, TxCode::kNotMember);
  EXPECT_EQ(c.record<v1::Institution>(keys::institution("i0"))->node_ids_size(), 0);
}

TEST_P(Members, TheLastAdminCannotDropItsOwnAdminRole) {
  Chain c(GetParam(), 1);
  auto out = c.block({admit(c, 10, 10, v1::ROLE_SUBMITTER), admit(c, 10, 20, v1::ROLE_INSTITUTION_ADMIN),
                      admit(c, 10, 10, v1::ROLE_SUBMITTER)});
  EXPECT_EQ(out[0].code, TxCode::kLastAdmin);
  EXPECT_EQ(out[1].code, TxCode::kOk);
  EXPECT_EQ(out[2].code, TxCode::kOk);  // with a second admin it may
  const auto inst = c.record<v1::Institution>(keys::institution("i0"));
  ASSERT_EQ(inst->admins_size(), 1);
  EXPECT_EQ(inst->admins(0), s(addr(20)));
}

auto register_worker(Chain& c, uint32_t signer, uint32_t worker_key, uint32_t threads) {
  return c.tx(signer, [=](v1::TxBody& b) { fill_worker_register(b, signer, worker_key, threads); });
}

TEST_P(Workers, AnOperatorRegistersAComputeOnlyEntryThatNeverEndsAnEpoch) {
  Chain c(GetParam(), 2);
  c.block({admit(c, 11, 51, v1::ROLE_OPERATOR), transfer(c, 1, 51, 10'000)});
  auto out = c.block({register_worker(c, 50, 101, 8), register_worker(c, 1, 102, 8), register_worker(c, 50, 101, 16),
                      register_worker(c, 51, 101, 4)});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kWrongRole);
  EXPECT_EQ(out[2].code, TxCode::kOk);
  EXPECT_EQ(out[3].code, TxCode::kValidatorExists);  // another operator's key
  EXPECT_FALSE(c.last.new_consensus_set);
  auto v = c.record<v1::Validator>(keys::validator(pub_bytes(101)));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->power(), 0u);
  EXPECT_EQ(v->capability().cpu_threads(), 16u);
  EXPECT_EQ(v->institution(), "i0");
  EXPECT_EQ(v->operator_(), s(addr(50)));
}

TEST_P(Workers, StakeIsBondedByTheOperatorAndReleasedAfterTheUnbondingDelay) {
  Chain c(GetParam(), 1);
  c.block({register_worker(c, 50, 101, 8)});
  auto stake = [&](uint32_t signer, uint32_t key_n, uint64_t amount, bool bond) {
    return c.tx(signer, [=](v1::TxBody& b) {
      if (bond) {
        b.mutable_stake_bond()->set_consensus_key(pub(key_n));
        b.mutable_stake_bond()->set_amount(amount);
      } else {
        b.mutable_stake_unbond()->set_consensus_key(pub(key_n));
        b.mutable_stake_unbond()->set_amount(amount);
      }
    });
  };
  auto out = c.block({stake(50, 101, 1, false), stake(50, 101, 1'000'000'000, true), stake(50, 103, 1, true),
                      stake(1, 101, 1, true), stake(50, 101, 4000, true), stake(50, 101, 4000, false)});
  EXPECT_EQ(out[0].code, TxCode::kInsufficientStake);
  EXPECT_EQ(out[1].code, TxCode::kInsufficientBalance);
  EXPECT_EQ(out[2].code, TxCode::kUnknownValidator);
  EXPECT_EQ(out[3].code, TxCode::kNotOperator);
  EXPECT_EQ(out[4].code, TxCode::kOk);
  EXPECT_EQ(out[5].code, TxCode::kOk);
  EXPECT_FALSE(c.last.new_consensus_set);  // stake never ends an epoch
  EXPECT_EQ(c.record<v1::Validator>(keys::validator(pub_bytes(101)))->stake(), 0u);
  const uint64_t before = c.account(50).balance();
  for (int i = 0; i < 2; ++i) c.block({});
  EXPECT_EQ(c.account(50).balance(), before);
  c.block({});  // unbonding_blocks = 3 after the unbond
  EXPECT_EQ(c.account(50).balance(), before + 4000);
  bool released = false;
  for (const Event& e : c.last.events) released |= e.type == "stake_released";
  EXPECT_TRUE(released);
}

TEST_P(Workers, SettingPowerReportsANewConsensusSet) {
  Chain c(GetParam(), 1);
  const auto p = pass(c, [](v1::GovernanceAction& a) {
    a.mutable_set_power()->set_consensus_key(pub(100));
    a.mutable_set_power()->set_power(7);
  }, 1);
  EXPECT_EQ(p.status(), v1::PROPOSAL_PASSED);
  ASSERT_TRUE(c.last.new_consensus_set);
  EXPECT_EQ(c.last.new_consensus_set->members(0).power(), 7u);
}

TEST_P(Workers, OnlyTheHolderOfAConsensusKeyCanRegisterIt) {
  Chain c(GetParam(), 1);
  auto claim = [&](uint32_t possession_signer) {
    auto tx = c.tx(50, [&](v1::TxBody& b) {
      fill_worker_register(b, 50, 101, 8);
      // Signed by another key, or by the right key for another operator.
      const Address for_whom = possession_signer == 101 ? addr(51) : addr(50);
      const Signature sig = key_possession_signature(key(possession_signer), kChain, for_whom);
      b.mutable_worker_register()->set_possession_signature(std::string(sig.bytes.begin(), sig.bytes.end()));
    });
    --c.nonces[50];
    return check_tx_fields(tx);
  };
  EXPECT_EQ(claim(102).message(), "possession_signature is not the consensus key's signature of the sender's address");
  EXPECT_FALSE(claim(101).is_ok());
  auto truncated = c.tx(50, [&](v1::TxBody& b) {
    fill_worker_register(b, 50, 101, 8);
    b.mutable_worker_register()->set_possession_signature("short");
  });
  EXPECT_EQ(check_tx_fields(truncated).message(), "possession_signature must be 64 bytes");
}

INSTANTIATE_STORE_SUITE(Members);
INSTANTIATE_STORE_SUITE(Workers);

}  // namespace
}  // namespace hpchain::ledger
