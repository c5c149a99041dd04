// Reduction of x modulo pi/2 for sin and cos: x = n * pi/2 + (y.hi + y.lo)
// with |y| <= pi/4 (about), y accurate to far more than 53 bits.
//  - |x| < 2^20 * pi/2: fdlibm's Cody-Waite reduction in up to three steps
//    (e_rem_pio2.c, constants pio2_1..pio2_3t), good to 151 bits of pi/2.
//  - larger finite x: Payne-Hanek with integer arithmetic on a table of
//    2/pi bits, so sin(1e300) is as accurate as sin(1).
#pragma once

#include "compute/math/internal/bits.h"

namespace hpchain::dmath::internal {

// Bits 64j+1 .. 64j+64 of the binary expansion of 2/pi (bit i has weight
// 2^-i), computed with exact integer arithmetic from Machin's formula and
// matching the published expansion 0xA2F9836E 4E441529 FC2757D1 ...
// A switch instead of an array: it needs no global memory, so the same code
// runs on the host and in CUDA device code. 20 words cover every exponent.
inline HPC_HD uint64_t two_over_pi_word(int j) {
  switch (j) {
    case 0: return 0xA2F9836E4E441529ULL;
    case 1: return 0xFC2757D1F534DDC0ULL;
    case 2: return 0xDB6295993C439041ULL;
    case 3: return 0xFE5163ABDEBBC561ULL;
    case 4: return 0xB7246E3A424DD2E0ULL;
    case 5: return 0x06492EEA09D1921CULL;
    case 6: return 0xFE1DEB1CB129A73EULL;
    case 7: return 0xE88235F52EBB4484ULL;
    case 8: return 0xE99C7026B45F7E41ULL;
    case 9: return 0x3991D639835339F4ULL;
    case 10: return 0x9C845F8BBDF9283BULL;
    case 11: return 0x1FF897FFDE05980FULL;
    case 12: return 0xEF2F118B5A0A6D1FULL;
    case 13: return 0x6D367ECF27CB09B7ULL;
    case 14: return 0x4F463F669E5FEA2DULL;
    case 15: return 0x7527BAC7EBE5F17BULL;
    case 16: return 0x3D0739F78A5292EAULL;
    case 17: return 0x6BFB5FB11F8D5D08ULL;
    case 18: return 0x56033046FC7B6BABULL;
    case 19: return 0xF0CFBC209AF4361DULL;
    default: return 0;
  }
}

// The 64 bits of 2/pi starting at bit `first` (weight 2^-first) as an
// integer whose most significant bit is bit `first`. Bits at positions <= 0
// are zero (2/pi < 1).
inline HPC_HD uint64_t two_over_pi_bits(int first) {
  const int position = first - 1;  // 0-based offset into the word table
  if (position <= -64) return 0;
  if (position < 0) return two_over_pi_word(0) >> (-position);
  const int word = position / 64, shift = position % 64;
  const uint64_t high = two_over_pi_word(word) << shift;
  return shift == 0 ? high : high | (two_over_pi_word(word + 1) >> (64 - shift));
}

// pi/2 = kPio2Hi + kPio2Lo (0x3FF921FB 54442D18, 0x3C91A626 33145C07).
inline constexpr double kPio2Hi = 1.57079632679489655800e+00;
inline constexpr double kPio2Lo = 6.12323399573676603587e-17;

// Payne-Hanek for finite |x| >= 2^20 * pi/2. x = m * 2^e with m a 53-bit
// integer; x * 2/pi mod 4 only needs the bits of 2/pi from weight 2^(1-e)
// down, so a 192-bit window W of them gives x*2/pi mod 4 = m*W / 2^190 with
// an error below 2^-137. The nearest integer n and the fraction f (|f| <=
// 1/2, which for doubles never comes closer to 0 than about 2^-62, so about
// 128 significant fraction bits remain) give y = f * pi/2 in double-double.
inline HPC_HD int rem_pio2_large(double x, DoubleDouble* y) {
  const uint64_t bits = to_bits(x);
  const int e = static_cast<int>((bits >> 52) & 0x7FF) - 1075;
  const uint64_t m = (bits & 0x000FFFFFFFFFFFFFULL) | (1ULL << 52);
  const int first = e - 1;
  uint64_t h2, l2, h1, l1, h0, l0;
  multiply_64x64(m, two_over_pi_bits(first), &h2, &l2);
  multiply_64x64(m, two_over_pi_bits(first + 64), &h1, &l1);
  multiply_64x64(m, two_over_pi_bits(first + 128), &h0, &l0);
  // Product words p2:p1:p0 (bits 0..191 of m*W); higher bits are multiples
  // of 4 and do not matter.
  const uint64_t p0 = l0;
  const uint64_t p1 = l1 + h0;
  const uint64_t p2 = l2 + h1 + (p1 < l1 ? 1 : 0);
  int n = static_cast<int>((p2 >> 62) & 3);
  // The 190 fraction bits, left-aligned into 192 bits f2:f1:f0.
  uint64_t f2 = (p2 << 2) | (p1 >> 62), f1 = (p1 << 2) | (p0 >> 62), f0 = p0 << 2;
  double sign = 1.0;
  if ((f2 >> 63) != 0) {  // f >= 1/2: round n up and take f - 1
    n += 1;
    sign = -1.0;
    f2 = ~f2;
    f1 = ~f1;
    f0 = ~f0 + 1;  // two's complement of the 192-bit number
    if (f0 == 0 && ++f1 == 0) ++f2;
  }
  int shift = 0;
  while (f2 == 0 && shift < 192) {  // at most ~62 leading zero bits, see above
    f2 = f1;
    f1 = f0;
    f0 = 0;
    shift += 64;
  }
  if (f2 == 0) {  // cannot happen for a double; keeps the code total
    *y = {0.0, 0.0};
    return n;
  }
  const int lz = count_leading_zeros(f2);
  if (lz != 0) {
    f2 = (f2 << lz) | (f1 >> (64 - lz));
    f1 = (f1 << lz) | (f0 >> (64 - lz));
  }
  shift += lz;
  // f = (f2 * 2^-64 + f1 * 2^-128) * 2^-shift, converted exactly in parts.
  const double hi = static_cast<double>(f2 >> 11) * pow2(-53);
  const double lo = static_cast<double>(f2 & 0x7FF) * pow2(-64) +
                    static_cast<double>(f1 >> 11) * pow2(-64 - 53);
  const DoubleDouble f = quick_two_sum(hi * pow2(-shift), lo * pow2(-shift));
  const DoubleDouble p = two_product(f.hi, kPio2Hi);
  const double tail = p.lo + (f.hi * kPio2Lo + f.lo * kPio2Hi);
  const DoubleDouble r = quick_two_sum(p.hi, tail);
  *y = {sign * r.hi, sign * r.lo};
  return n;
}

// fdlibm e_rem_pio2.c: 2/pi to 53 bits and pi/2 in three 33-bit pieces
// with their tails (0x3FE45F30 6DC9C883, 0x3FF921FB 54400000, ...).
inline constexpr double kInvPio2 = 6.36619772367581382433e-01;
inline constexpr double kPio2Part1 = 1.57079632673412561417e+00;
inline constexpr double kPio2Part1Tail = 6.07710050650619224932e-11;
inline constexpr double kPio2Part2 = 6.07710050630396597660e-11;
inline constexpr double kPio2Part2Tail = 2.02226624879595063154e-21;
inline constexpr double kPio2Part3 = 2.02226624871116645580e-21;
inline constexpr double kPio2Part3Tail = 8.47842766036889956997e-32;

// Reduces finite x with |x| > pi/4; returns n (only n mod 4 matters).
inline HPC_HD int rem_pio2(double x, DoubleDouble* y) {
  const uint32_t abs_high = high_word(x) & 0x7FFFFFFF;
  if (abs_high >= 0x413921FB) {  // |x| >= 2^20 * pi/2
    if ((high_word(x) >> 31) == 0) return rem_pio2_large(x, y);
    const int n = rem_pio2_large(-x, y);
    *y = {-y->hi, -y->lo};
    return -n;
  }
  // Round x*2/pi to an integer by adding and removing 1.5 * 2^52.
  const double fn = (x * kInvPio2 + 6755399441055744.0) - 6755399441055744.0;
  const int n = static_cast<int>(fn);
  double r = x - fn * kPio2Part1;  // exact: fn has at most 20 bits
  double w = fn * kPio2Part1Tail;  // first step, good to 85 bits
  double y0 = r - w;
  const int x_exponent = static_cast<int>(abs_high >> 20);
  if (x_exponent - static_cast<int>((high_word(y0) >> 20) & 0x7FF) > 16) {
    double t = r;  // cancellation: second step, good to 118 bits
    w = fn * kPio2Part2;
    r = t - w;
    w = fn * kPio2Part2Tail - ((t - r) - w);
    y0 = r - w;
    if (x_exponent - static_cast<int>((high_word(y0) >> 20) & 0x7FF) > 49) {
      t = r;  // third step, good to 151 bits: enough for every double
      w = fn * kPio2Part3;
      r = t - w;
      w = fn * kPio2Part3Tail - ((t - r) - w);
      y0 = r - w;
    }
  }
  *y = {y0, (r - y0) - w};
  return n;
}

}  // namespace hpchain::dmath::internal
