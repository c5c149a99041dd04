// Checks validator-set arithmetic (exact quorum, weighted leader schedule),
// the canonical signing bytes and the codec round trips against fixed
// inputs, including rejection of wrongly sized fields.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "chain/codec.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::Network;

TEST(ValidatorSetTest, QuorumIsMoreThanTwoThirdsInExactArithmetic) {
  Network net(4);
  EXPECT_FALSE(net.validators->is_quorum(2));
  EXPECT_TRUE(net.validators->is_quorum(3));
  Network weighted(4, {1, 2, 3, 4});  // total 10: quorum needs 7 (3*7 > 20)
  EXPECT_FALSE(weighted.validators->is_quorum(6));
  EXPECT_TRUE(weighted.validators->is_quorum(7));
  EXPECT_FALSE(weighted.validators->exceeds_one_third(3));
  EXPECT_TRUE(weighted.validators->exceeds_one_third(4));
}

TEST(ValidatorSetTest, LeadersAppearInProportionToPowerInEveryCycle) {
  Network net(4, {1, 2, 3, 0});
  ASSERT_EQ(net.validators->leader_slots(), 6u);
  for (uint64_t cycle = 0; cycle < 50; ++cycle) {
    std::vector<int> led(4, 0);
    for (uint64_t r = 6 * cycle; r < 6 * cycle + 6; ++r) ++led[net.validators->leader(r)];
    EXPECT_EQ(led, (std::vector<int>{1, 2, 3, 0})) << "cycle " << cycle;
  }
}

TEST(ValidatorSetTest, EachCycleHasItsOwnOrderAndEachSetItsOwnSchedule) {
  // Who follows whom must change from cycle to cycle, or a byzantine member
  // could sit right after the honest leader it wants to follow, for good.
  Network net(7);
  std::set<std::vector<ValidatorIndex>> orders;
  for (uint64_t cycle = 0; cycle < 40; ++cycle) {
    std::vector<ValidatorIndex> order;
    for (uint64_t r = 7 * cycle; r < 7 * cycle + 7; ++r) order.push_back(net.validators->leader(r));
    std::vector<ValidatorIndex> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<ValidatorIndex>{0, 1, 2, 3, 4, 5, 6}));  // a permutation
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 35u);  // 7! = 5040 orders: repeats are rare
  // The same members in another order form another set, with another schedule.
  Network other(7);
  std::vector<ValidatorInfo> reversed;
  for (ValidatorIndex i = 7; i-- > 0;) reversed.push_back(other.validators->at(i));
  const ValidatorSet set = *ValidatorSet::create(reversed);
  EXPECT_NE(set.digest(), net.validators->digest());
  int same = 0;
  for (uint64_t r = 0; r < 70; ++r) {
    same += other.validators->at(net.validators->leader(r)).key == set.at(set.leader(r)).key;
  }
  EXPECT_LT(same, 35);
}

TEST(ValidatorSetTest, LeaderSlotIsAPermutationForEverySize) {
  for (uint64_t slots : {1u, 2u, 3u, 4u, 5u, 16u, 17u, 100u, 1023u, 4096u}) {
    for (uint64_t cycle : {0u, 1u, 99u}) {
      std::vector<bool> hit(slots, false);
      for (uint64_t p = 0; p < slots; ++p) {
        const uint64_t slot = leader_slot(p, slots, 0x1234, cycle);
        ASSERT_LT(slot, slots);
        EXPECT_FALSE(hit[slot]) << slots << " " << cycle;
        hit[slot] = true;
      }
    }
  }
  // Fixed values: the schedule is part of the protocol and must not drift.
  std::vector<uint64_t> first;
  for (uint64_t p = 0; p < 6; ++p) first.push_back(leader_slot(p, 4096, 0x1234, 7));
  EXPECT_EQ(first, (std::vector<uint64_t>{3648, 3341, 34, 1113, 3125, 3606}));
}

TEST(ValidatorSetTest, CreateRejectsBadSets) {
  Network net(2);
  EXPECT_FALSE(ValidatorSet::create({}).is_ok());
  const PublicKey k = net.keys[0].public_key();
  EXPECT_FALSE(ValidatorSet::create({{k, 1}, {k, 1}}).is_ok());
  EXPECT_FALSE(ValidatorSet::create({{k, 0}}).is_ok());
  EXPECT_FALSE(ValidatorSet::create({{k, uint64_t{1} << 62}, {net.keys[1].public_key(), 1}}).is_ok());
  EXPECT_TRUE(ValidatorSet::create({{k, uint64_t{1} << 61}, {net.keys[1].public_key(), 7}}).is_ok());
}

std::vector<ValidatorInfo> members_with_powers(const std::vector<uint64_t>& powers) {
  std::vector<ValidatorInfo> members;
  for (size_t i = 0; i < powers.size(); ++i) {
    const PrivateKey key = *PrivateKey::from_bytes(sha256("member " + std::to_string(i)).span());
    members.push_back({key.public_key(), powers[i]});
  }
  return members;
}

// Rounds led by each member over one 4096-round cycle.
std::vector<uint64_t> rounds_led(const ValidatorSet& set) {
  std::vector<uint64_t> led(set.size(), 0);
  for (uint64_t r = 0; r < 4096; ++r) ++led[set.leader(r)];
  return led;
}

TEST(ValidatorSetTest, ManySmallMembersBesideAHeavyOneFitTheSchedule) {
  // One of power 10000 and 1023 of power 1: every member leads within one
  // round of its exact share of the 4096-round cycle.
  std::vector<uint64_t> powers(kMaxValidators, 1);
  powers[0] = 10000;
  auto set = ValidatorSet::create(members_with_powers(powers));
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  const std::vector<uint64_t> led = rounds_led(*set);
  for (uint32_t i = 0; i < kMaxValidators; ++i) {
    const double share = 4096.0 * static_cast<double>(powers[i]) / static_cast<double>(set->total_power());
    EXPECT_LT(std::abs(static_cast<double>(led[i]) - share), 1.0) << i;
  }
}

TEST(ValidatorSetTest, ManyLightMembersLeadOnlyTheirShareOfRounds) {
  // 1,020 members holding 1% of the power together once led a third of the
  // rounds (every member had at least one slot); now they lead about 1%.
  std::vector<uint64_t> powers(kMaxValidators, 1);
  for (size_t i = 0; i < 4; ++i) powers[i] = 25'245;  // 4 x 25245 = 99% of 102,000
  auto set = ValidatorSet::create(members_with_powers(powers));
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  const std::vector<uint64_t> led = rounds_led(*set);
  uint64_t light = 0;
  for (size_t i = 4; i < kMaxValidators; ++i) light += led[i];
  EXPECT_LE(light, 46u);  // 1% of 4096 is 41, plus at most a slot of rounding per heavy member
  EXPECT_GE(light, 36u);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(static_cast<double>(led[i]), 4096 * 0.2475, 1.0) << i;
}

TEST(SigningBytesTest, FixedLayout) {
  const Hash32 id = sha256("block");
  const Bytes v = vote_signing_bytes(5, id, 0x0102, 0x0304);
  ASSERT_EQ(v.size(), 56u);
  EXPECT_EQ(v[7], 0x05);  // the epoch comes first
  EXPECT_TRUE(std::equal(id.bytes.begin(), id.bytes.end(), v.begin() + 8));
  EXPECT_EQ(v[46], 0x01);
  EXPECT_EQ(v[47], 0x02);
  EXPECT_EQ(v[54], 0x03);
  EXPECT_EQ(v[55], 0x04);
  EXPECT_EQ(hex_encode(timeout_signing_bytes(9, 1, 2)), "000000000000000900000000000000010000000000000002");
  const Bytes p = proposal_signing_bytes(9, id, std::nullopt);
  ASSERT_EQ(p.size(), 72u);
  EXPECT_EQ(p[7], 9);
}

TEST(CodecTest, EveryMessageKindRoundTrips) {
  Network net(4);
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  BlockPtr b2 = net.block(b1, q1, 3);
  TimeoutCert tc = net.tc(2, {{0, 1}, {1, 1}, {3, 0}});
  auto round_trip = [](const MessageBody& body) { return testing::decode(encode_message("c", 3, body)); };
  const Message p = round_trip(net.proposal(b2, tc));
  const auto& proposal = std::get<Proposal>(p.body);
  EXPECT_EQ(p.chain_id, "c");
  EXPECT_EQ(p.epoch, 3u);
  EXPECT_EQ(proposal.block->id, b2->id);
  EXPECT_EQ(proposal.block->parent_qc(), q1);
  EXPECT_EQ(*proposal.tc, tc);
  const Vote v = net.vote(2, b1->id, 1, 1);
  EXPECT_EQ(std::get<Vote>(round_trip(v).body), v);
  TimeoutMsg t{3, q1, net.share(1, 3, 1), tc};
  const Message tm = round_trip(t);
  EXPECT_EQ(std::get<TimeoutMsg>(tm.body).high_qc, q1);
  EXPECT_EQ(std::get<TimeoutMsg>(tm.body).last_tc, tc);
  EXPECT_EQ(std::get<BlockRequest>(round_trip(BlockRequest{b1->id}).body).block_id, b1->id);
  EXPECT_EQ(std::get<BlockResponse>(round_trip(BlockResponse{{b1}}).body).blocks[0]->id, b1->id);
}

TEST(CodecTest, TheBlockSizeBoundCoversItsEncodingInAResponse) {
  Network net(4);
  const QuorumCert g = net.genesis_qc_of();
  for (size_t payload : {0u, 1u, 300u, 200000u}) {
    BlockPtr b = net.block(net.genesis, g, 1, std::string(payload, 'x'));
    const size_t one = encode_message("c", 0, BlockResponse{{b}}).size();
    const size_t two = encode_message("c", 0, BlockResponse{{b, b}}).size();
    EXPECT_LE(two - one, encoded_block_bytes_bound(*b)) << payload;
    EXPECT_GE(two - one + 18, encoded_block_bytes_bound(*b)) << payload;  // and stays tight
  }
}

TEST(CodecTest, RejectsWrongSizesEmptyAndOversizedInput) {
  hpchain::v1::ConsensusMessage m;
  m.set_chain_id("c");
  m.mutable_vote()->set_block_id("short");
  m.mutable_vote()->set_signature(std::string(64, 'x'));
  EXPECT_FALSE(decode_message(serialize_proto(m)).is_ok());
  m.mutable_vote()->set_block_id(std::string(32, 'i'));
  m.mutable_vote()->set_signature(std::string(63, 'x'));
  EXPECT_FALSE(decode_message(serialize_proto(m)).is_ok());
  EXPECT_FALSE(decode_message(Bytes{}).is_ok());  // no kind
  EXPECT_EQ(decode_message(Bytes(kMessageBytesMax + 1, 0)).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace hpchain::consensus

namespace hpchain::consensus {
namespace {

TEST(VerifiedCertificatesTest, ACertificateIsCheckedOncePerNode) {
  Network net(4);
  const MessageValidator validator(*net.validators, *net.verifier, *net.genesis);
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  const QuorumCert qc = net.qc(*b1, {0, 1, 3});
  uint64_t before = *net.verifier_calls;
  EXPECT_TRUE(validator.verify_qc(qc).ok());
  EXPECT_EQ(*net.verifier_calls, before + 3);
  EXPECT_TRUE(validator.verify_qc(qc).ok());
  EXPECT_EQ(*net.verifier_calls, before + 3);  // cached
  // Any changed byte is another certificate: checked, and refused.
  QuorumCert tampered = qc;
  tampered.votes[2].signature.bytes[9] ^= 1;
  EXPECT_EQ(validator.verify_qc(tampered).reason, RejectReason::kBadSignature);
  EXPECT_GT(*net.verifier_calls, before + 3);
  EXPECT_EQ(validator.verify_qc(tampered).reason, RejectReason::kBadSignature);  // not cached
  // A TC, with its QC, likewise.
  const TimeoutCert tc = net.tc(2, {{0, 0}, {1, 0}, {2, 0}});
  before = *net.verifier_calls;
  EXPECT_TRUE(validator.verify_tc(tc).ok());
  EXPECT_EQ(*net.verifier_calls, before + 3);
  EXPECT_TRUE(validator.verify_tc(tc).ok());
  EXPECT_EQ(*net.verifier_calls, before + 3);
}

TEST(VerifiedCertificatesTest, HoldsAtMostItsCapacityOldestFirstOut) {
  // Appended, not "c" + std::to_string(i): that trips GCC 12's -Wrestrict
  // false positive at -O3.
  const auto digest = [](size_t i) { return sha256(std::string("c").append(std::to_string(i))); };
  VerifiedCertificates cache;
  for (size_t i = 0; i <= VerifiedCertificates::kCapacity; ++i) cache.insert(digest(i));
  EXPECT_EQ(cache.size(), VerifiedCertificates::kCapacity);
  EXPECT_FALSE(cache.contains(digest(0)));
  EXPECT_TRUE(cache.contains(digest(1)));
  EXPECT_TRUE(cache.contains(digest(VerifiedCertificates::kCapacity)));
}

}  // namespace
}  // namespace hpchain::consensus
