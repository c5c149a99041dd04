// The randomness beacon and the draw it seeds, on both state stores: a
// proposer that reorders, re-signs (another proposer key), withholds its
// block or censors other validators' reveals changes neither the beacon
// output nor who is assigned; a validator that withholds its own reveal
// does change the output (the residual bias, docs/jobs.md) and pays for
// it. Then each beacon rejection, and the draw's own rules.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/ledger/job_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

// Validators with power: A = key 100 (operator 50, from the default
// genesis), B = 101 (operator 51), C = 102 (operator 52).
const std::vector<std::pair<uint32_t, uint32_t>> kVoters = {{100, 50}, {101, 51}, {102, 52}};

void add_voters(genesis::GenesisDoc& d) {
  for (auto [v, op] : std::vector<std::pair<uint32_t, uint32_t>>{{101, 51}, {102, 52}}) {
    d.validators.push_back({pub_bytes(v), sha256("v"), "i0", 10, addr(op), {}, 0});
    d.accounts.push_back({addr(op), 10'000, "", {}});
  }
}

// 32 bytes only validator v knows before it reveals them in `round`.
std::string secret(uint32_t v, uint64_t round) {
  return sha256(to_bytes("secret " + std::to_string(v) + " " + std::to_string(round))).hex().substr(0, 32);
}
std::string commitment(uint32_t v, uint64_t round) {
  const Hash32 h = sha256(as_bytes(secret(v, round)));
  return std::string(h.bytes.begin(), h.bytes.end());
}

VerifiedTx beacon_tx(Chain& c, uint32_t v, uint32_t op, uint64_t round, std::string secret_bytes, std::string next) {
  return c.tx(op, [&](v1::TxBody& b) {
    auto* r = b.mutable_beacon_reveal();
    r->set_validator(pub(v));
    r->set_round(round);
    r->set_secret(secret_bytes);
    r->set_next_commitment(next);
  });
}
VerifiedTx reveal_round1(Chain& c, size_t voter) {
  const auto [v, op] = kVoters[voter];
  return beacon_tx(c, v, op, 1, secret(v, 1), commitment(v, 2));
}

struct Outcome {
  std::string output;
  std::vector<std::string> workers;  // unit 0's replicas, in draw order
};

enum class Layout { kInOrder, kCensoredThenIncluded, kReorderedByAnotherProposer, kCWithholds };

// A job submitted in round 0 is assigned at the end of round 1 (height 10)
// from round 1's output; the three voters joined in round 0.
Outcome run(StoreKind kind, Layout layout) {
  JobChain c(kind, 3, 9, add_voters);
  const auto id = c.submit(JobChain::spec(1, 3, 2));  // height 1
  std::vector<VerifiedTx> join;
  for (auto [v, op] : kVoters) join.push_back(beacon_tx(c, v, op, 0, "", commitment(v, 1)));
  for (const auto& o : c.block(join)) EXPECT_EQ(o.code, TxCode::kOk) << o.detail;  // height 2
  while (c.height < 5) c.block({});
  switch (layout) {
    case Layout::kInOrder: c.block({reveal_round1(c, 0), reveal_round1(c, 1), reveal_round1(c, 2)}); break;
    case Layout::kCensoredThenIncluded:
      c.block({reveal_round1(c, 0)});  // this proposer leaves B and C out ...
      c.proposer = 101;
      c.block({reveal_round1(c, 1), reveal_round1(c, 2)});  // ... the next one carries them
      break;
    case Layout::kReorderedByAnotherProposer: {
      c.proposer = 102;  // the first proposer's block was withheld; another one's stands
      auto a = reveal_round1(c, 0), b = reveal_round1(c, 1), cc = reveal_round1(c, 2);
      c.block({cc, b, a});
      break;
    }
    case Layout::kCWithholds: c.block({reveal_round1(c, 0), reveal_round1(c, 1)}); break;
  }
  for (const auto& o : c.last.outcomes) EXPECT_EQ(o.code, TxCode::kOk) << o.detail;
  c.proposer = 100;
  while (c.height < 10) c.block({});
  EXPECT_EQ(c.job(*id).state(), v1::JOB_ASSIGNED);
  Outcome out;
  out.output = c.record<v1::BeaconState>(to_bytes("beacon"))->output();
  EXPECT_EQ(StateView(c.store()).get(keys::beacon_output(1)).value(), to_bytes(out.output));
  const v1::UnitRecord unit = c.unit(*id, 0);
  for (const auto& r : unit.replicas()) out.workers.push_back(r.worker());
  if (layout == Layout::kCWithholds) {
    EXPECT_LT(c.validator(102).credibility(), kInitialCredibility);
    EXPECT_EQ(c.validator(101).credibility(), kInitialCredibility);
  }
  return out;
}

class Beacon : public ::testing::TestWithParam<StoreKind> {};

TEST_P(Beacon, NoProposerCanChangeTheOutputOrTheAssignment) {
  const Outcome base = run(GetParam(), Layout::kInOrder);
  ASSERT_EQ(base.workers.size(), 3u);
  for (Layout l : {Layout::kCensoredThenIncluded, Layout::kReorderedByAnotherProposer}) {
    const Outcome other = run(GetParam(), l);
    EXPECT_EQ(other.output, base.output) << static_cast<int>(l);
    EXPECT_EQ(other.workers, base.workers) << static_cast<int>(l);
  }
}

TEST_P(Beacon, AValidatorWithholdingItsOwnRevealChangesTheOutputAndIsPenalised) {
  const Outcome base = run(GetParam(), Layout::kInOrder);
  const Outcome withheld = run(GetParam(), Layout::kCWithholds);
  EXPECT_NE(withheld.output, base.output);
}

TEST_P(Beacon, EachRejectionHasItsCode) {
  JobChain c(GetParam(), 3, 3, add_voters);
  auto out = c.block({beacon_tx(c, 200, 60, 0, "", commitment(200, 1)),          // a worker without power
                      beacon_tx(c, 101, 50, 0, "", commitment(101, 1)),          // not its operator
                      beacon_tx(c, 101, 51, 3, "", commitment(101, 1)),          // wrong round
                      beacon_tx(c, 101, 51, 0, secret(101, 0), commitment(101, 1)),  // nothing to reveal
                      beacon_tx(c, 101, 51, 0, "", commitment(101, 1)),
                      beacon_tx(c, 101, 51, 0, "", commitment(101, 1))});        // twice in a round
  EXPECT_EQ(out[0].code, TxCode::kNotVoter);
  EXPECT_EQ(out[1].code, TxCode::kNotOperator);
  EXPECT_EQ(out[2].code, TxCode::kBeaconWrongRound);
  EXPECT_EQ(out[3].code, TxCode::kBeaconMismatch);
  EXPECT_EQ(out[4].code, TxCode::kOk);
  EXPECT_EQ(out[5].code, TxCode::kBeaconRepeat);
  while (c.height < 5) c.block({});
  out = c.block({beacon_tx(c, 101, 51, 1, secret(102, 1), commitment(101, 2))});
  EXPECT_EQ(out[0].code, TxCode::kBeaconMismatch);  // not the secret it committed to
  out = c.block({beacon_tx(c, 101, 51, 1, secret(101, 1), "")});
  EXPECT_EQ(out[0].code, TxCode::kOk);  // revealed, and leaves the beacon
  EXPECT_EQ(c.record<v1::BeaconState>(to_bytes("beacon"))->reveals(), 1u);
}

INSTANTIATE_STORE_SUITE(Beacon);

WorkerCandidate candidate(std::string key, std::string institution, uint64_t rate, uint64_t load = 0) {
  return {std::move(key), std::move(institution), rate, 1'000'000, load};
}

TEST(Assignment, DrawsAreProportionalToThroughputAndShrinkWithLoad) {
  const std::vector<WorkerCandidate> pool = {candidate("a", "x", 1'000), candidate("b", "x", 3'000),
                                             candidate("c", "x", 3'000, /*load=*/2)};
  std::map<std::string, int> wins;
  for (uint32_t i = 0; i < 6'000; ++i) wins[draw_workers(pool, sha256(to_bytes(std::to_string(i))), 1, {}, {})[0]]++;
  // Weights 1000 : 3000 : 1000 out of 5000.
  EXPECT_NEAR(wins["a"], 1'200, 150);
  EXPECT_NEAR(wins["b"], 3'600, 150);
  EXPECT_NEAR(wins["c"], 1'200, 150);
}

TEST(Assignment, ReplicasAreDistinctAndSpreadOverInstitutionsWhilePossible) {
  const std::vector<WorkerCandidate> pool = {candidate("a", "x", 100), candidate("b", "x", 100'000),
                                             candidate("c", "y", 100), candidate("d", "z", 100)};
  for (uint32_t i = 0; i < 200; ++i) {
    const Hash32 seed = sha256(to_bytes(std::to_string(i)));
    const auto three = draw_workers(pool, seed, 3, {}, {});
    std::set<std::string> inst;
    for (const auto& k : three) inst.insert(k == "a" || k == "b" ? "x" : k == "c" ? "y" : "z");
    EXPECT_EQ(inst.size(), 3u);
    const auto all = draw_workers(pool, seed, 9, {"c"}, {});
    EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), (std::set<std::string>{"a", "b", "d"}));
    EXPECT_EQ(draw_workers(pool, seed, 3, {}, {}), three);  // a pure function of its inputs
  }
}

}  // namespace
}  // namespace hpchain::ledger
