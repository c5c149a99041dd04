#include "tests/unit/compute/math/mpfr_reference.h"

#include <cmath>
#include <limits>

namespace hpchain::dmath::testing {
namespace {

constexpr mpfr_prec_t kReferencePrecision = 128;

// RAII for mpfr_t, so early returns cannot leak.
class Mpfr {
 public:
  Mpfr() { mpfr_init2(value_, kReferencePrecision); }
  explicit Mpfr(double x) : Mpfr() { mpfr_set_d(value_, x, MPFR_RNDN); }
  ~Mpfr() { mpfr_clear(value_); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
  mpfr_ptr get() { return value_; }

 private:
  mpfr_t value_;
};

// The comparison once the exact value is known.
double ulp_error_of(mpfr_ptr exact, double computed) {
  if (mpfr_nan_p(exact)) return std::isnan(computed) ? 0.0 : std::numeric_limits<double>::infinity();
  if (std::isnan(computed)) return std::numeric_limits<double>::infinity();
  const double rounded = mpfr_get_d(exact, MPFR_RNDN);
  if (std::isinf(rounded) || std::isinf(computed)) {
    // Beyond DBL_MAX only the exact infinity is right; a finite result next
    // to the overflow threshold is measured against DBL_MAX's ulp.
    if (rounded == computed) return 0.0;
    if (std::isinf(computed) && !std::isinf(rounded)) {
      return std::abs(rounded) == std::numeric_limits<double>::max() ? 1.0
                                                                     : std::numeric_limits<double>::infinity();
    }
    if (std::isinf(rounded) && std::abs(computed) == std::numeric_limits<double>::max()) return 1.0;
    return std::numeric_limits<double>::infinity();
  }
  long ulp_exponent = -1074;
  if (!mpfr_zero_p(exact)) {
    ulp_exponent = std::max<long>(mpfr_get_exp(exact) - 53, -1074);
  }
  Mpfr difference(computed);
  mpfr_sub(difference.get(), difference.get(), exact, MPFR_RNDN);
  mpfr_mul_2si(difference.get(), difference.get(), -ulp_exponent, MPFR_RNDN);
  return std::abs(mpfr_get_d(difference.get(), MPFR_RNDN));
}

// Rounds the 128-bit value to binary64 with IEEE subnormals and overflow.
double round_to_double(MpfrUnary f, mpfr_srcptr x, mpfr_srcptr y, MpfrBinary g) {
  const mpfr_exp_t old_min = mpfr_get_emin(), old_max = mpfr_get_emax();
  mpfr_t result;
  mpfr_init2(result, 53);
  mpfr_set_emin(-1073);
  mpfr_set_emax(1024);
  const int ternary = f != nullptr ? f(result, x, MPFR_RNDN) : g(result, x, y, MPFR_RNDN);
  mpfr_subnormalize(result, ternary, MPFR_RNDN);
  const double value = mpfr_get_d(result, MPFR_RNDN);
  mpfr_set_emin(old_min);
  mpfr_set_emax(old_max);
  mpfr_clear(result);
  return value;
}

}  // namespace

int mpfr_normal_cdf(mpfr_ptr result, mpfr_srcptr x, mpfr_rnd_t rounding) {
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(result) + 64);
  mpfr_set_ui(t, 2, MPFR_RNDN);
  mpfr_sqrt(t, t, MPFR_RNDN);
  mpfr_div(t, x, t, MPFR_RNDN);
  mpfr_neg(t, t, MPFR_RNDN);
  mpfr_erfc(t, t, MPFR_RNDN);
  const int ternary = mpfr_div_2ui(result, t, 1, rounding);
  mpfr_clear(t);
  return ternary;
}

double ulp_error(MpfrUnary f, double x, double computed) {
  Mpfr exact, argument(x);
  f(exact.get(), argument.get(), MPFR_RNDN);
  return ulp_error_of(exact.get(), computed);
}

double ulp_error(MpfrBinary f, double x, double y, double computed) {
  Mpfr exact, first(x), second(y);
  f(exact.get(), first.get(), second.get(), MPFR_RNDN);
  return ulp_error_of(exact.get(), computed);
}

double correctly_rounded(MpfrUnary f, double x) {
  Mpfr argument(x);
  return round_to_double(f, argument.get(), nullptr, nullptr);
}

double correctly_rounded(MpfrBinary f, double x, double y) {
  Mpfr first(x), second(y);
  return round_to_double(nullptr, first.get(), second.get(), f);
}

}  // namespace hpchain::dmath::testing
