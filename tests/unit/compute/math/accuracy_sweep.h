// Deterministic sampling of arguments and the max-ulp sweep shared by the
// dmath accuracy tests: a seeded SplitMix64 stream (no std distributions,
// whose output differs between standard libraries) drives every point.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

namespace hpchain::dmath::testing {

// The bits of x, for comparing results bit for bit.
inline uint64_t bits_of(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator with a fixed output.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// A family of arguments: uniform in [low, high], or (log_scale) every binade
// with |x| in [2^low, 2^high) equally likely, with a random sign if signed.
struct ArgumentRange {
  std::string name;
  double low;
  double high;
  bool log_scale = false;
  bool random_sign = false;
  // Round the uniform sample to an integer (pow's odd/even exponents).
  bool integer_valued = false;
  // Uniform integer k in [low, high], x = k * (pi/2 rounded) nudged by up
  // to 4 ulps: the arguments where sin/cos reduction cancels most.
  bool near_pio2_multiples = false;
};

inline double sample(const ArgumentRange& range, SplitMix64& rng) {
  if (range.near_pio2_multiples) {
    const double k = static_cast<double>(static_cast<int64_t>(range.low + (range.high - range.low) * rng.unit()));
    double x = k * 1.5707963267948966;
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits += rng.next() % 9;
    bits -= 4;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  }
  if (!range.log_scale) {
    const double x = range.low + (range.high - range.low) * rng.unit();
    return range.integer_valued ? static_cast<double>(static_cast<int64_t>(x)) : x;
  }
  // Biased exponent drawn uniformly; biased exponent 0 gives subnormals.
  const int low = static_cast<int>(range.low) + 1023, high = static_cast<int>(range.high) + 1023;
  const uint64_t span = static_cast<uint64_t>(high - low);
  int biased = low + static_cast<int>(rng.next() % span);
  if (biased < 0) biased = 0;
  uint64_t bits = (static_cast<uint64_t>(biased) << 52) | (rng.next() >> 12);
  if (range.random_sign && (rng.next() & 1) != 0) bits |= 1ULL << 63;
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

struct SweepResult {
  double max_ulp = 0.0;
  double worst_x = 0.0;
  double worst_y = 0.0;
  uint64_t points = 0;
};

// Evaluates error(x, y) at `points` arguments (y drawn only when second is
// given) and keeps the largest. The seed is derived from the range name so
// each range sees its own, reproducible points.
inline SweepResult sweep(const ArgumentRange& first, const ArgumentRange* second, uint64_t points,
                         const std::function<double(double, double)>& error) {
  uint64_t seed = 0xD1B54A32D192ED03ULL;
  for (char c : first.name) seed = seed * 131 + static_cast<unsigned char>(c);
  SplitMix64 rng(seed);
  SweepResult result;
  for (uint64_t i = 0; i < points; ++i) {
    const double x = sample(first, rng);
    const double y = second != nullptr ? sample(*second, rng) : 0.0;
    const double e = error(x, y);
    if (!(e <= result.max_ulp)) {  // also catches a NaN error
      result.max_ulp = e;
      result.worst_x = x;
      result.worst_y = y;
    }
  }
  result.points = points;
  return result;
}

}  // namespace hpchain::dmath::testing
