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
#include <vector>

#include "chain/check.h"
#include "compute/accumulator.h"
#include "compute/tally.h"

namespace hpchain::compute {

namespace staged_detail {
// The sum-slot count of a tally: fixed for a kernel's Tally type, known at
// run time for a PointTally (a VM program's tally).
template <class TallyT>
struct Slots {
  static constexpr bool kDynamic = false;
  static constexpr int kFixed = TallyT::kSums > 0 ? TallyT::kSums : 1;
  static int of(const TallyT&) { return TallyT::kSums; }
};
template <>
struct Slots<PointTally> {
  static constexpr bool kDynamic = true;
  static constexpr int kFixed = 1;
  static int of(const PointTally& t) { return static_cast<int>(t.sums.size()); }
};
template <class TallyT>
uint64_t* counts_of(TallyT& t) {
  if constexpr (Slots<TallyT>::kDynamic) {
    return t.counts.data();
  } else {
    return t.counts;
  }
}
}  // namespace staged_detail

template <class TallyT>
class StagedTally {
 public:
  static constexpr int kShifts = 76;  // staged shifts 0..75, see the file comment
  // |m| < 2^53, so 1023 additions keep |bucket| < 2^63.
  static constexpr int kAddsBeforeFold = 1023;

  // Counters and flags are the wrapped Tally's own: kernels update them
  // directly, exactly as on a Tally.
  uint64_t* counts;
  uint32_t& flags;

  // Stages into `target`, which must outlive this object; fold() must be
  // called before `target` is read.
  explicit StagedTally(TallyT& target)
      : counts(staged_detail::counts_of(target)), flags(target.flags), target_(target),
        slots_(staged_detail::Slots<TallyT>::of(target)) {
    if constexpr (kDynamic) {
      dynamic_buckets_.assign(static_cast<size_t>(slots_) * kShifts, 0);
      dynamic_active_.assign(static_cast<size_t>(slots_) * 2, 0);
    } else {
      std::memset(buckets_, 0, sizeof(buckets_));
      std::memset(active_, 0, sizeof(active_));
    }
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
    bucket(slot, shift) += (bits >> 63) != 0 ? -m : m;
    active(slot, shift >> 6) |= uint64_t{1} << (shift & 63);
    if (++adds_since_fold_ == kAddsBeforeFold) fold();
  }

  // Moves every used bucket into the Tally exactly and empties it. Only
  // buckets marked active are visited: a kernel's weights use a few
  // exponents, and scanning all slots * 76 buckets cost more than the adds.
  void fold() {
    for (int slot = 0; slot < slots_; ++slot) {
      for (int word = 0; word < 2; ++word) {
        for (uint64_t mask = active(slot, word); mask != 0; mask &= mask - 1) {
          fold_bucket(slot, word * 64 + __builtin_ctzll(mask));
        }
        active(slot, word) = 0;
      }
    }
    adds_since_fold_ = 0;
  }

 private:
  static constexpr bool kDynamic = staged_detail::Slots<TallyT>::kDynamic;
  static constexpr int kFixed = staged_detail::Slots<TallyT>::kFixed;

  int64_t& bucket(int slot, int shift) {
    if constexpr (kDynamic) {
      return dynamic_buckets_[static_cast<size_t>(slot) * kShifts + shift];
    } else {
      return buckets_[slot][shift];
    }
  }
  uint64_t& active(int slot, int word) {
    if constexpr (kDynamic) {
      return dynamic_active_[static_cast<size_t>(slot) * 2 + word];
    } else {
      return active_[slot][word];
    }
  }

  void fold_bucket(int slot, int shift) {
    const int64_t value = bucket(slot, shift);
    if (value == 0) return;
    bucket(slot, shift) = 0;
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
  int slots_;
  int64_t buckets_[kDynamic ? 1 : kFixed][kDynamic ? 1 : kShifts];
  uint64_t active_[kDynamic ? 1 : kFixed][2];  // bit s of [s / 64]: bucket s may be nonzero
  std::vector<int64_t> dynamic_buckets_;       // a PointTally's: slots * kShifts
  std::vector<uint64_t> dynamic_active_;
  int adds_since_fold_ = 0;
};

}  // namespace hpchain::compute
