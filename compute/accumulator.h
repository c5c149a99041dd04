// Exact, order-independent accumulation for Monte Carlo tallies.
//
// Floating-point addition is not associative, so a sum of doubles depends on
// the order of its terms: on thread count, partitioning and device. Here each
// per-sample contribution v is first rounded once, deterministically, to a
// fixed-point integer round_half_even(v * 2^64), and those integers are added
// exactly. Integer addition is associative, so any grouping of the same
// samples gives the same bits (DESIGN.md section 6).
//
// Scale and range (docs/compute.md, "Exact accumulation"):
//   * an ExactSum is a 256-bit two's-complement integer I; its value is
//     I * 2^-64 (64 fractional bits, 191 integer bits plus sign);
//   * a contribution is converted with one rounding, to the nearest multiple
//     of 2^-64, ties to even, computed from the double's bits (no
//     floating-point operation is involved, so it is identical everywhere);
//     the error is at most 2^-65 per contribution, so a sum of n
//     contributions is within n * 2^-65 of the exact sum of the doubles;
//   * a nonzero contribution that rounds to 0 (|v| <= 2^-65) is counted in
//     the tally's `vanished` counter, which is part of the result and its
//     digest: nothing is lost silently;
//   * a contribution with |v| >= 2^126, or one that is NaN or infinite, sets
//     a sticky flag in the tally, decided per contribution, so the same
//     samples flag the same way in any order;
//   * every accepted term is below 2^190 as an integer and a job has at
//     most 2^62 samples, so no partial sum, in any order or grouping, can
//     leave (-2^252, 2^252): 256 bits never wrap for honest tallies, and the
//     range is checked once, at finalize (within_terms). The wrap check in
//     add() is a guard for forged tallies only.
//
// Thread-safety: plain values; one writer at a time.
#pragma once

#include <cstdint>

#include "compute/math/host_device.h"
#include "compute/math/internal/bits.h"

namespace hpchain::compute {

// Sticky tally flags (bit mask).
constexpr uint32_t kTallyOverflow = 1u;   // a sum or count left its range
constexpr uint32_t kTallyNonFinite = 2u;  // a contribution was NaN or infinite

namespace accumulator_detail {
// Bit casts shared with the math library (memcpy on the host, intrinsics on
// the device).
using dmath::internal::from_bits;
using dmath::internal::to_bits;

// 2^k for -1022 <= k <= 1023, built from its bits (exact).
HPC_HD inline double pow2(int k) {
  return from_bits(static_cast<uint64_t>(k + 1023) << 52);
}

// Rounds m * 2^-r (0 < r) to the nearest integer, ties to even.
HPC_HD inline uint64_t shift_right_round_even(uint64_t m, int r) {
  if (r >= 64) return 0;  // m < 2^53, so m * 2^-r < 2^-11 rounds to 0
  const uint64_t q = m >> r;
  const uint64_t rem = m & ((uint64_t{1} << r) - 1);
  const uint64_t half = uint64_t{1} << (r - 1);
  return (rem > half || (rem == half && (q & 1))) ? q + 1 : q;
}
}  // namespace accumulator_detail

// A 256-bit fixed-point sum with scale 2^-64. Zero-initialised by {}.
struct ExactSum {
  static constexpr int kFractionBits = 64;
  static constexpr int kLimbs = 4;
  static constexpr int kBytes = 8 * kLimbs;
  // Every accepted contribution is below 2^kTermBits as an integer.
  static constexpr int kTermBits = 190;
  uint64_t limb[kLimbs];  // little-endian limbs of a two's-complement integer

  HPC_HD void clear() {
    for (int i = 0; i < kLimbs; ++i) limb[i] = 0;
  }

  HPC_HD bool is_negative() const { return (limb[kLimbs - 1] >> 63) != 0; }

  // Adds another sum exactly; sets kTallyOverflow in `flags` when the signed
  // result does not fit in 256 bits (impossible for honest tallies, see the
  // file comment).
  HPC_HD void add(const ExactSum& other, uint32_t& flags) {
    const bool a_neg = is_negative(), b_neg = other.is_negative();
    uint64_t carry = 0;
    for (int i = 0; i < kLimbs; ++i) {
      const uint64_t partial = limb[i] + other.limb[i];
      const uint64_t carry_a = partial < limb[i] ? 1 : 0;
      const uint64_t total = partial + carry;
      const uint64_t carry_b = total < partial ? 1 : 0;
      limb[i] = total;
      carry = carry_a | carry_b;
    }
    if (a_neg == b_neg && is_negative() != a_neg) flags |= kTallyOverflow;
  }

  // Adds round_half_even(v * 2^64) exactly. NaN or infinity sets
  // kTallyNonFinite; |v| >= 2^126 sets kTallyOverflow; on either flag the
  // tally's value is meaningless, which is why the flag is sticky and fatal
  // for the tally. A nonzero v that rounds to 0 increments `vanished`. This
  // is the per-sample hot path: zero is skipped and a negative term is
  // subtracted rather than negated.
  HPC_HD void add_double(double v, uint32_t& flags, uint64_t& vanished) {
    if (v == 0.0) return;
    ExactSum term{};
    if (!term.set_magnitude_from_double(v, flags)) return;
    if (term.is_zero()) {
      ++vanished;
      return;
    }
    if (v > 0.0) {
      add(term, flags);
    } else {
      subtract(term, flags);
    }
  }

  // Subtracts another sum exactly; sets kTallyOverflow when the signed
  // result does not fit in 256 bits.
  HPC_HD void subtract(const ExactSum& other, uint32_t& flags) {
    const bool a_neg = is_negative(), b_neg = other.is_negative();
    uint64_t borrow = 0;
    for (int i = 0; i < kLimbs; ++i) {
      const uint64_t partial = limb[i] - other.limb[i];
      const uint64_t borrow_a = limb[i] < other.limb[i] ? 1 : 0;
      const uint64_t total = partial - borrow;
      const uint64_t borrow_b = partial < borrow ? 1 : 0;
      limb[i] = total;
      borrow = borrow_a | borrow_b;
    }
    if (a_neg != b_neg && is_negative() != a_neg) flags |= kTallyOverflow;
  }

  // Sets *this = round_half_even(v * 2^64); returns false (and sets a flag)
  // when v is not finite or too large.
  HPC_HD bool set_from_double(double v, uint32_t& flags) {
    if (!set_magnitude_from_double(v, flags)) return false;
    if (v < 0.0) negate();
    return true;
  }

  // Sets *this = round_half_even(|v| * 2^64); same errors as set_from_double.
  HPC_HD bool set_magnitude_from_double(double v, uint32_t& flags) {
    clear();
    const uint64_t bits = accumulator_detail::to_bits(v);
    const int biased = static_cast<int>((bits >> 52) & 0x7ff);
    if (biased == 0x7ff) {
      flags |= kTallyNonFinite;
      return false;
    }
    const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
    const uint64_t mantissa = biased == 0 ? fraction : (fraction | (uint64_t{1} << 52));
    if (mantissa == 0) return true;
    // v = mantissa * 2^(e), e = max(biased, 1) - 1075; the integer we want is
    // mantissa * 2^(e + 64).
    const int shift = (biased == 0 ? 1 : biased) - 1075 + kFractionBits;
    if (shift > 137) {  // top bit at 52 + shift >= 190, i.e. |v| >= 2^126
      flags |= kTallyOverflow;
      return false;
    }
    if (shift <= 0) {
      limb[0] = shift == 0 ? mantissa : accumulator_detail::shift_right_round_even(mantissa, -shift);
    } else {
      const int word = shift / 64, bit = shift % 64;
      limb[word] = mantissa << bit;
      if (bit != 0 && word + 1 < kLimbs) limb[word + 1] = mantissa >> (64 - bit);
    }
    return true;
  }

  HPC_HD bool is_zero() const {
    uint64_t any = 0;
    for (int i = 0; i < kLimbs; ++i) any |= limb[i];
    return any == 0;
  }

  // True when |I| <= n * 2^kTermBits: the most that n accepted contributions
  // can add up to. finalize and unit checks refuse sums outside it.
  bool within_terms(uint64_t n) const {
    ExactSum magnitude = *this;
    if (magnitude.is_negative()) magnitude.negate();
    if (magnitude.is_negative()) return false;  // -2^255 has no positive twin
    // n * 2^190 = n << 190: bits 190.. of limbs 2 and 3.
    const uint64_t bound[kLimbs] = {0, 0, n << (kTermBits - 128), n >> (192 - kTermBits)};
    for (int i = kLimbs - 1; i >= 0; --i) {
      if (magnitude.limb[i] != bound[i]) return magnitude.limb[i] < bound[i];
    }
    return true;
  }

  // Two's-complement negation (exact; -(-2^255) is -2^255 again, which
  // within_terms refuses).
  HPC_HD void negate() {
    uint64_t carry = 1;
    for (int i = 0; i < kLimbs; ++i) {
      const uint64_t inverted = ~limb[i];
      limb[i] = inverted + carry;
      carry = (carry != 0 && limb[i] == 0) ? 1 : 0;
    }
  }

  // The value I * 2^-64 as the nearest double (ties to even): the top 64
  // significant bits with a sticky bit for the rest are converted by the
  // correctly rounded integer-to-double conversion, then scaled exactly.
  HPC_HD double to_double() const {
    ExactSum magnitude = *this;
    const bool negative = is_negative();
    if (negative) magnitude.negate();
    int top = -1;
    for (int i = kLimbs - 1; i >= 0 && top < 0; --i) {
      for (int b = 63; b >= 0; --b) {
        if ((magnitude.limb[i] >> b) & 1) {
          top = i * 64 + b;
          break;
        }
      }
    }
    if (top < 0) return 0.0;
    const int drop = top < 64 ? 0 : top - 63;  // bits below the top 64
    uint64_t head = 0;
    bool sticky = false;
    for (int b = 0; b < 64; ++b) {
      if (magnitude.bit(drop + b)) head |= uint64_t{1} << b;
    }
    for (int b = 0; b < drop; ++b) sticky = sticky || magnitude.bit(b);
    if (sticky) head |= 1;  // 64 > 53 + 1 bits, so this rounds like the full value
    const double scaled = static_cast<double>(head) * accumulator_detail::pow2(drop - kFractionBits);
    return negative ? -scaled : scaled;
  }

  HPC_HD bool bit(int index) const {
    return index < 64 * kLimbs && ((limb[index / 64] >> (index % 64)) & 1) != 0;
  }

  // Big-endian two's-complement bytes (kBytes = 32), the canonical encoding.
  void to_big_endian(uint8_t out[kBytes]) const {
    for (int i = 0; i < kLimbs; ++i) {
      const uint64_t word = limb[kLimbs - 1 - i];
      for (int b = 0; b < 8; ++b) out[i * 8 + b] = static_cast<uint8_t>(word >> (56 - 8 * b));
    }
  }
  static ExactSum from_big_endian(const uint8_t in[kBytes]) {
    ExactSum s{};
    for (int i = 0; i < kBytes; ++i) {
      s.limb[kLimbs - 1 - i / 8] |= static_cast<uint64_t>(in[i]) << (56 - 8 * (i % 8));
    }
    return s;
  }

  friend bool operator==(const ExactSum& a, const ExactSum& b) {
    bool equal = true;
    for (int i = 0; i < kLimbs; ++i) equal = equal && a.limb[i] == b.limb[i];
    return equal;
  }
};

// Adds b to a 64-bit counter, setting kTallyOverflow on wrap-around.
HPC_HD inline void add_count(uint64_t& counter, uint64_t b, uint32_t& flags) {
  const uint64_t total = counter + b;
  if (total < counter) flags |= kTallyOverflow;
  counter = total;
}

// The fixed-size per-thread tally of one kernel: kSums exact sums and
// kCounts integer counters. counts[0] is always the number of samples the
// tally covers, so merges can be checked against the ranges they claim;
// `vanished` counts nonzero contributions that rounded to 0.
// (The arrays have one spare slot when kSums is 0, which C++ needs for a
// legal array; loops run to kSums only.)
template <int kSumCount, int kCountCount>
struct Tally {
  static_assert(kSumCount >= 0 && kCountCount >= 1);
  static constexpr int kSums = kSumCount;
  static constexpr int kCounts = kCountCount;
  ExactSum sums[kSumCount > 0 ? kSumCount : 1];
  uint64_t counts[kCountCount];
  uint64_t vanished;
  uint32_t flags;

  // Adds v exactly to sum `slot` (the kernels' one way to add a weight, so
  // they run unchanged on a StagedTally).
  HPC_HD void add(int slot, double v) { sums[slot].add_double(v, flags, vanished); }

  HPC_HD void clear() {
    for (int i = 0; i < (kSums > 0 ? kSums : 1); ++i) sums[i].clear();
    for (int i = 0; i < kCounts; ++i) counts[i] = 0;
    vanished = 0;
    flags = 0;
  }

  // Exact merge: sums and counts add, flags are or-ed.
  HPC_HD void merge(const Tally& other) {
    flags |= other.flags;
    for (int i = 0; i < kSums; ++i) sums[i].add(other.sums[i], flags);
    for (int i = 0; i < kCounts; ++i) add_count(counts[i], other.counts[i], flags);
    add_count(vanished, other.vanished, flags);
  }
};

}  // namespace hpchain::compute
