// StagedTally: the CPU backend's fast front end to an exact Tally.
//
// Converting every contribution to a 192-bit fixed-point integer and adding
// it costs far more than the floating-point add of a plain loop. A
// StagedTally instead keeps, per sum slot, one 64-bit bucket per binary
// exponent in the common range: a finite v with 2^-12 <= |v| < 2^64 is
// m * 2^(shift - 64) with a 53-bit integer m and 0 <= shift <= 75, so
// v * 2^64 = m * 2^shift exactly and adding +-m to bucket[slot][shift] is
// exact. Buckets are folded into the Tally (bucket << shift, an exact
// integer) before any can overflow and at the end. Contributions outside
// that range (tiny ones that need rounding, huge ones, NaN, infinity) go
// straight to the Tally's own exact path.
//
// The resulting integers are exactly those the Tally alone computes (each
// contribution is round_half_even(v * 2^64), which is exact in the staged
// range), so results and digests do not depend on whether staging is used.
// Host only: the buckets (kSums * 76 * 8 bytes) are too large for a GPU
// thread, which accumulates into its Tally directly.
#pragma once

#include <cstdint>
#include <cstring>

#include "chain/check.h"
#include "compute/accumulator.h"

namespace hpchain::compute {

template <class TallyT>
class StagedTally {
 public:
  static constexpr int kSums = TallyT::kSums;
  static constexpr int kCounts = TallyT::kCounts;
  static constexpr int kShifts = 76;  // staged shifts 0..75, see the file comment
  // |m| < 2^53, so 1023 additions keep |bucket| < 2^63.
  static constexpr int kAddsBeforeFold = 1023;

  // Counters and flags are the wrapped Tally's own: kernels update them
  // directly, exactly as on a Tally.
  uint64_t* counts;
  uint32_t& flags;

  // Stages into `target`, which must outlive this object; fold() must be
  // called before `target` is read.
  explicit StagedTally(TallyT& target) : counts(target.counts), flags(target.flags), target_(target) {
    std::memset(buckets_, 0, sizeof(buckets_));
    std::memset(active_, 0, sizeof(active_));
  }
  StagedTally(const StagedTally&) = delete;
  StagedTally& operator=(const StagedTally&) = delete;

  // Adds v exactly to sum `slot`.
  void add(int slot, double v) {
    const uint64_t bits = accumulator_detail::to_bits(v);
    const int shift = static_cast<int>((bits >> 52) & 0x7ff) - 1011;  // biased exponent - 1075 + 64
    if (static_cast<unsigned>(shift) >= static_cast<unsigned>(kShifts)) {
      target_.sums[slot].add_double(v, target_.flags, target_.vanished);  // zero, tiny, huge, NaN, inf
      return;
    }
    const int64_t m = static_cast<int64_t>((bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52));
    buckets_[slot][shift] += (bits >> 63) != 0 ? -m : m;
    active_[slot][shift >> 6] |= uint64_t{1} << (shift & 63);
    if (++adds_since_fold_ == kAddsBeforeFold) fold();
  }

  // Moves every used bucket into the Tally exactly and empties it. Only
  // buckets marked in active_ are visited: a kernel's weights use a few
  // exponents, and scanning all kSums * 76 buckets cost more than the adds.
  void fold() {
    for (int slot = 0; slot < kSums; ++slot) {
      for (int word = 0; word < 2; ++word) {
        for (uint64_t mask = active_[slot][word]; mask != 0; mask &= mask - 1) {
          fold_bucket(slot, word * 64 + __builtin_ctzll(mask));
        }
        active_[slot][word] = 0;
      }
    }
    adds_since_fold_ = 0;
  }

 private:
  void fold_bucket(int slot, int shift) {
    const int64_t value = buckets_[slot][shift];
    if (value == 0) return;
    buckets_[slot][shift] = 0;
    HPC_ASSERT(value != INT64_MIN);  // guaranteed by kAddsBeforeFold
    const uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    ExactSum term{};
    const int word = shift / 64, bit = shift % 64;
    term.limb[word] = magnitude << bit;
    if (bit != 0) term.limb[word + 1] = magnitude >> (64 - bit);
    if (value > 0) {
      target_.sums[slot].add(term, target_.flags);
    } else {
      target_.sums[slot].subtract(term, target_.flags);
    }
  }

  TallyT& target_;
  int64_t buckets_[kSums > 0 ? kSums : 1][kShifts];
  uint64_t active_[kSums > 0 ? kSums : 1][2];  // bit s of [s / 64]: bucket s may be nonzero
  int adds_since_fold_ = 0;
};

}  // namespace hpchain::compute
