// Two halves of one promise: the test-only library's broken variants really
// break a rule (so the simulator's proof that it catches them means
// something), and the production library cannot: its archive, read byte by
// byte, names no variant, no flag and no unsafe namespace.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/unit/consensus/fixture.h"

#ifndef HPCHAIN_UNSAFE_VARIANTS
#error "this test is built against hpchain_consensus_unsafe"
#endif

namespace hpchain::consensus {
namespace {

using testing::Network;

// Every name the unsafe build adds: the namespace (in each mangled symbol),
// the type, and the flags (in debug information).
const std::vector<std::string> kUnsafeNames = {"unsafe_variants", "UnsafeVariants",
                                               "skip_last_voted_round_check", "skip_tc_lock_check",
                                               "commit_non_consecutive"};

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> names_found(const std::string& bytes) {
  std::vector<std::string> found;
  for (const auto& name : kUnsafeNames) {
    if (bytes.find(name) != std::string::npos) found.push_back(name);
  }
  return found;
}

TEST(UnsafeVariantsTest, SkippingTheLastVotedRoundCheckSignsADoubleVote) {
  Network net{4};
  auto r = *SafetyRules::open(net.storages[1], *net.signers[1], 1, 0,
                              UnsafeVariants{.skip_last_voted_round_check = true});
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  ASSERT_TRUE(r.sign_vote(*b1, std::nullopt).is_ok());
  BlockPtr other = net.block(net.genesis, net.genesis_qc_of(), 1, "other");
  EXPECT_EQ(r.sign_vote(*other, std::nullopt)->block_id, other->id);  // the broken double vote
}

TEST(UnsafeVariantsTest, TheBrokenCommitRuleCommitsANonConsecutiveTwoChain) {
  Network net{4};
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  const QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  // b2 follows a TC for round 2, in round 3; q2 certifies it. b1 <- b2 are
  // not consecutive, so the real rule commits nothing; the broken one b1.
  BlockPtr b2 = net.block(b1, q1, 3);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {0, 1, 2}), 4);
  const TimeoutCert t2 = net.tc(2, {{1, 1}, {2, 1}, {3, 1}}, q1);
  for (const bool broken : {false, true}) {
    CoreConfig cfg;
    cfg.unsafe_variants.commit_non_consecutive = broken;
    Network fresh{4};
    auto core = fresh.core(0, cfg);
    core->start();
    core->on_message(1, encode_message(testing::kChain, 0, net.proposal(b1)));
    core->on_message(3, encode_message(testing::kChain, 0, net.proposal(b2, t2)));
    core->on_message(0, encode_message(testing::kChain, 0, net.proposal(b3)));
    EXPECT_EQ(core->committed_root().id, broken ? b1->id : net.genesis->id) << broken;
  }
}

TEST(UnsafeVariantsTest, TheProductionLibraryContainsNoUnsafeVariant) {
  const std::string production = read_file(HPCHAIN_CONSENSUS_ARCHIVE);
  ASSERT_GT(production.size(), 10000u);
  // The archive is the real one: it defines the safety rules.
  EXPECT_NE(production.find("SafetyRules"), std::string::npos);
  EXPECT_EQ(names_found(production), std::vector<std::string>{})
      << HPCHAIN_CONSENSUS_ARCHIVE << " contains unsafe-variant names";
}

TEST(UnsafeVariantsTest, TheScanFindsTheVariantsInTheTestOnlyLibrary) {
  // The same scan on the unsafe archive must find the names; otherwise the
  // test above could not fail.
  const std::string unsafe = read_file(HPCHAIN_CONSENSUS_UNSAFE_ARCHIVE);
  EXPECT_FALSE(names_found(unsafe).empty());
  EXPECT_NE(unsafe.find("unsafe_variants"), std::string::npos);
}

}  // namespace
}  // namespace hpchain::consensus
