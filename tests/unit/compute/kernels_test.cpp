// Statistical checks of each kernel against closed forms computed here
// independently (pure-QED cross section, Z-pole partial widths, the
// A_FB integral, Black-Scholes with std::erfc), each within 5 standard
// errors, on fixed seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::field;
using testing::must_make_job;

constexpr double kAlpha = 1.0 / 137.035999084;
constexpr double kMz = 91.1876, kGz = 2.4952, kSin2w = 0.2312;
constexpr double kPb = 0.3893793721e9;

PointResult run_single(const char* kernel, const RawParams& raw, uint64_t samples, uint64_t seed) {
  CpuBackend cpu;
  const auto result = run_job(must_make_job(kernel, raw, samples, seed), 1, cpu);
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result->points.at(0);
}

void expect_within_5_sigma(double value, double error, double expected, const char* what) {
  EXPECT_GT(error, 0.0) << what;
  EXPECT_LE(std::fabs(value - expected), 5.0 * error)
      << what << ": " << value << " +- " << error << " vs " << expected;
}

TEST(PiKernel, EstimatesPi) {
  const PointResult r = run_single("pi", {}, 1'000'000, 11);
  expect_within_5_sigma(field(r, "pi"), field(r, "pi_err"), M_PI, "pi");
  EXPECT_LT(field(r, "pi_err"), 0.002);
}

TEST(EemumuKernel, PureQedMatchesFourPiAlphaSquaredOverThreeS) {
  for (double sqrt_s : {10.0, 240.0}) {
    const PointResult r = run_single(
        "eemumu", {{"sqrt_s", std::to_string(sqrt_s)}, {"z_exchange", "0"}}, 400'000, 12);
    const double s = sqrt_s * sqrt_s;
    expect_within_5_sigma(field(r, "sigma_pb"), field(r, "sigma_pb_err"),
                          4.0 * M_PI * kAlpha * kAlpha / (3.0 * s) * kPb, "QED sigma");
    expect_within_5_sigma(field(r, "afb"), field(r, "afb_err"), 0.0, "QED A_FB");
  }
}

// Independent evaluation of the tree-level formula with std::complex.
struct Analytic {
  double sigma_pb;
  double afb;
};
Analytic analytic_eemumu(double sqrt_s) {
  const double s = sqrt_s * sqrt_s;
  const double kappa = 1.0 / (4.0 * kSin2w * (1.0 - kSin2w));
  const std::complex<double> chi = kappa * s / std::complex<double>(s - kMz * kMz, kMz * kGz);
  const double gv = -0.5 + 2.0 * kSin2w, ga = -0.5;
  const double a0 = 1.0 + 2.0 * gv * gv * chi.real() + std::pow(gv * gv + ga * ga, 2) * std::norm(chi);
  const double a1 = 4.0 * ga * ga * chi.real() + 8.0 * gv * gv * ga * ga * std::norm(chi);
  return {4.0 * M_PI * kAlpha * kAlpha / (3.0 * s) * a0 * kPb, 3.0 * a1 / (8.0 * a0)};
}

TEST(EemumuKernel, ZPoleMatchesPartialWidthFormula) {
  const PointResult r = run_single("eemumu", {{"sqrt_s", "91.1876"}}, 400'000, 13);
  // At the pole Re chi = 0: sigma = sigma_QED + 12 pi Gamma_ll^2 / (mZ^2 GammaZ^2)
  // with the tree-level Gamma_ll = alpha mZ (gV^2 + gA^2) / (12 sin2w cos2w).
  const double gv = -0.5 + 2.0 * kSin2w;
  const double gamma_ll = kAlpha * kMz * (gv * gv + 0.25) / (12.0 * kSin2w * (1.0 - kSin2w));
  const double s = kMz * kMz;
  const double expected = (4.0 * M_PI * kAlpha * kAlpha / (3.0 * s) +
                           12.0 * M_PI * gamma_ll * gamma_ll / (s * kGz * kGz)) * kPb;
  expect_within_5_sigma(field(r, "sigma_pb"), field(r, "sigma_pb_err"), expected, "Z-pole sigma");
  // Sanity of the reference itself: with alpha(0) and no radiative
  // corrections the tree-level peak is about 1.75 nb (2.0 nb with alpha(mZ)).
  EXPECT_NEAR(expected, 1.75e3, 0.02e3);
  expect_within_5_sigma(field(r, "afb"), field(r, "afb_err"), analytic_eemumu(kMz).afb, "pole A_FB");
}

TEST(EemumuKernel, HiggsFactoryEnergyMatchesAnalyticIntegral) {
  const PointResult r = run_single("eemumu", {{"sqrt_s", "240"}}, 400'000, 14);
  const Analytic a = analytic_eemumu(240.0);
  expect_within_5_sigma(field(r, "sigma_pb"), field(r, "sigma_pb_err"), a.sigma_pb, "240 sigma");
  expect_within_5_sigma(field(r, "afb"), field(r, "afb_err"), a.afb, "240 A_FB");
  EXPECT_GT(a.afb, 0.4);  // strongly forward above the pole
}

TEST(EemumuKernel, HistogramBinsAddUpToSigma) {
  const PointResult r = run_single("eemumu", {{"sqrt_s", "60"}}, 100'000, 15);
  const ResultField* histogram = nullptr;
  for (const auto& f : r.fields) histogram = f.name == "hist_cos_theta" ? &f : histogram;
  ASSERT_NE(histogram, nullptr);
  ASSERT_EQ(histogram->values.size(), 20u);
  double total = 0.0;
  for (double v : histogram->values) {
    EXPECT_GT(v, 0.0);
    total += v;
  }
  EXPECT_NEAR(total, field(r, "sigma_pb"), 1e-9 * field(r, "sigma_pb"));
}

double black_scholes(double s0, double k, double r, double sigma, double t, bool call) {
  auto n = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  const double d1 = (std::log(s0 / k) + (r + 0.5 * sigma * sigma) * t) / (sigma * std::sqrt(t));
  const double d2 = d1 - sigma * std::sqrt(t);
  return call ? s0 * n(d1) - k * std::exp(-r * t) * n(d2)
              : k * std::exp(-r * t) * n(-d2) - s0 * n(-d1);
}

TEST(EuropeanOptionKernel, MatchesBlackScholes) {
  struct Case {
    RawParams raw;
    double s0, k, r, sigma, t;
    bool call;
  };
  const Case cases[] = {
      {{}, 100, 100, 0.05, 0.2, 1.0, true},
      {{{"type", "put"}}, 100, 100, 0.05, 0.2, 1.0, false},
      {{{"s0", "90"}, {"strike", "110"}, {"sigma", "0.4"}, {"maturity", "2"}, {"rate", "0.01"}},
       90, 110, 0.01, 0.4, 2.0, true},
  };
  uint64_t seed = 20;
  for (const Case& c : cases) {
    const PointResult r = run_single("european_option", c.raw, 400'000, seed++);
    expect_within_5_sigma(field(r, "price"), field(r, "price_err"),
                          black_scholes(c.s0, c.k, c.r, c.sigma, c.t, c.call), "option price");
  }
}

TEST(ParamScan, EachPointMatchesItsOwnPlainRun) {
  // Point i of a scan is the plain kernel run with stream i, so with one
  // point its value must equal a plain run (stream 0) of the same value.
  const JobSpec scan = must_make_job(
      "param_scan", {{"kernel", "eemumu"}, {"scan", "sqrt_s"}, {"from", "20"}, {"to", "250"},
                     {"points", "2"}}, 20'000, 9);
  CpuBackend cpu(2);
  const auto scanned = run_job(scan, 3, cpu);
  ASSERT_TRUE(scanned.is_ok()) << scanned.status().to_string();
  ASSERT_EQ(scanned->points.size(), 2u);
  const PointResult plain = run_single("eemumu", {{"sqrt_s", "20"}}, 10'000, 9);
  EXPECT_EQ(field(scanned->points[0], "sigma_pb"), field(plain, "sigma_pb"));
  EXPECT_EQ(scanned->points[1].scan_value, 250.0);
  EXPECT_NE(field(scanned->points[1], "sigma_pb"), field(plain, "sigma_pb"));
}

}  // namespace
}  // namespace hpchain::compute
