// A fixed, portable PRNG for the simulator: xoshiro256** seeded through
// SplitMix64 (Blackman and Vigna). The standard library's distributions are
// deliberately not used: their output differs between implementations, and
// a seed must replay bit-exactly anywhere.
#pragma once

#include <cstdint>

#include "chain/check.h"

namespace hpchain::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound) by rejection, so no value is favoured.
  uint64_t below(uint64_t bound) {
    HPC_ASSERT(bound > 0);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t v = next();
    while (v >= limit) v = next();
    return v % bound;
  }
  // Uniform in [lo, hi].
  uint64_t between(uint64_t lo, uint64_t hi) {
    HPC_ASSERT(lo <= hi);
    return lo + below(hi - lo + 1);
  }
  // True with probability percent / 100.
  bool chance(uint64_t percent) { return below(100) < percent; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace hpchain::sim
