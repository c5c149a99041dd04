// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11; the Random123 library), written once for host and device.
//
// Philox is a counter-based generator: the output is a pure function of a
// 128-bit counter and a 64-bit key, so sample i of a job is the same four
// words on every device, thread and partition. That is the first half of the
// compute engine's bit-identity guarantee (DESIGN.md section 6); exact
// accumulation (accumulator.h) is the second.
//
// Mapping used by every kernel (documented in docs/compute.md):
//   key     = { seed bits 0..31, seed bits 32..63 }          (the job seed)
//   counter = { index bits 0..31, index bits 32..63,          (sample index)
//               stream,                                       (scan point)
//               block }                                       (draw number)
// A sample that needs more than four 32-bit words takes blocks 0, 1, 2, ...
// A plain kernel uses stream 0; param_scan gives grid point p stream p.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>

#include "compute/math/host_device.h"

namespace hpchain::compute {

struct PhiloxCounter {
  uint32_t w[4];
};

struct PhiloxKey {
  uint32_t w[2];
};

namespace philox_detail {
constexpr uint32_t kMultiplier0 = 0xD2511F53u;
constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

HPC_HD inline PhiloxCounter round(PhiloxCounter c, PhiloxKey k) {
  const uint64_t p0 = static_cast<uint64_t>(kMultiplier0) * c.w[0];
  const uint64_t p1 = static_cast<uint64_t>(kMultiplier1) * c.w[2];
  const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
  const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
  return PhiloxCounter{{hi1 ^ c.w[1] ^ k.w[0], lo1, hi0 ^ c.w[3] ^ k.w[1], lo0}};
}
}  // namespace philox_detail

// The Philox4x32 block function with 10 rounds: Random123's
// philox4x32_R(10, counter, key), word for word.
HPC_HD inline PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      key.w[0] += philox_detail::kWeyl0;
      key.w[1] += philox_detail::kWeyl1;
    }
    counter = philox_detail::round(counter, key);
  }
  return counter;
}

// The key for a job seed (low word first).
HPC_HD inline PhiloxKey philox_key_for_seed(uint64_t seed) {
  return PhiloxKey{{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)}};
}

// The four random words of draw `block` of sample `index` in `stream`.
HPC_HD inline PhiloxCounter sample_words(PhiloxKey key, uint64_t index, uint32_t stream,
                                         uint32_t block) {
  const PhiloxCounter counter{
      {static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), stream, block}};
  return philox4x32_10(counter, key);
}

// 2^-53, exact.
constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;

// The 53 random bits of a uniform: the top 53 bits of the 64-bit word
// (high << 32 | low), i.e. `high` and the top 21 bits of `low`.
HPC_HD inline uint64_t top53(uint32_t high, uint32_t low) {
  return ((static_cast<uint64_t>(high) << 32) | low) >> 11;
}

// A uniform double k * 2^-53 in [0, 1), k = top53(high, low). Every value is
// exact (53 bits fit a double), so no rounding is involved.
HPC_HD inline double uniform_closed_open(uint32_t high, uint32_t low) {
  return static_cast<double>(top53(high, low)) * kTwoPowMinus53;
}

// A uniform double (k + 1) * 2^-53 in (0, 1]: never zero, so log() of it is
// finite. Also exact.
HPC_HD inline double uniform_open_closed(uint32_t high, uint32_t low) {
  return static_cast<double>(top53(high, low) + 1) * kTwoPowMinus53;
}

}  // namespace hpchain::compute
