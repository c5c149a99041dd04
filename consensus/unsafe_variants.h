// Deliberately broken consensus variants, for the simulator's proof that it
// can catch a safety bug. They exist only in the test-only library
// `hpchain_consensus_unsafe`, which compiles the consensus sources with
// -DHPCHAIN_UNSAFE_VARIANTS; the production library `hpchain_consensus` has
// no such type and no way to switch a safety rule off (Aptos compiles its
// fail points only under a feature flag for the same reason).
//
// In the unsafe build, the classes whose layout changes (SafetyRules,
// BlockTree, CoreConfig, ConsensusCore) live in the inline namespace
// `unsafe_variants`:
// their symbols get other names, so a binary that linked both libraries by
// mistake would fail to link instead of silently mixing two layouts (an ODR
// violation). tests/unit/consensus/unsafe_variants_test.cpp checks that the
// production archive contains none of these names.
#pragma once

#if defined(HPCHAIN_UNSAFE_VARIANTS)

#define HPC_CONSENSUS_VARIANT_BEGIN inline namespace unsafe_variants {
#define HPC_CONSENSUS_VARIANT_END }

namespace hpchain::consensus {
HPC_CONSENSUS_VARIANT_BEGIN

// Each flag removes one rule that safety depends on. Never set outside tests.
struct UnsafeVariants {
  // Allows two votes, or a second proposal, in one round (the persisted
  // last-voted-round check in sign_vote and sign_proposal is skipped).
  bool skip_last_voted_round_check = false;
  // Votes after a TC for a block below the TC's highest QC.
  bool skip_tc_lock_check = false;
  // Commits a certified block's parent even when the two rounds are not
  // consecutive (a broken 2-chain rule).
  bool commit_non_consecutive = false;
};

HPC_CONSENSUS_VARIANT_END
}  // namespace hpchain::consensus

#else

#define HPC_CONSENSUS_VARIANT_BEGIN
#define HPC_CONSENSUS_VARIANT_END

#endif
