// Runs every dmath function on a CUDA device and on the host over the same
// seeded arguments (plus special values) and requires identical bits;
// skipped where no CUDA device is present.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <vector>

#include "tests/unit/compute/math/accuracy_sweep.h"
#include "tests/unit/compute/math/device_evaluation.h"

namespace hpchain::dmath::testing {
namespace {

TEST(DmathDevice, DeviceResultsEqualHostResultsBitForBit) {
  using limits = std::numeric_limits<double>;
  std::vector<double> arguments = {0.0, -0.0, limits::infinity(), -limits::infinity(), limits::quiet_NaN(),
                                   limits::denorm_min(), -limits::denorm_min(), limits::min(), limits::max(),
                                   -limits::max(), 709.78, -745.1, -38.4, 27.2, 1e300, 1.0, -1.0,
                                   // NaNs of other signs and payloads
                                   -limits::quiet_NaN(), limits::signaling_NaN(),
                                   std::bit_cast<double>(0x7FF0000000000123ULL),
                                   std::bit_cast<double>(0xFFF8000000000042ULL)};
  SplitMix64 rng(2024);
  const ArgumentRange ranges[] = {{"wide", -1075, 1024, true, true}, {"[-40,40]", -40, 40},
                                  {"[-1e6,1e6]", -1e6, 1e6}, {"[0,3]", 0, 3}};
  for (int i = 0; i < (1 << 18); ++i) arguments.push_back(sample(ranges[i % 4], rng));
  const int count = static_cast<int>(arguments.size());
  std::vector<double> device(static_cast<size_t>(count) * kDeviceResultsPerPoint);
  const char* error = "";
  const DeviceRun run = evaluate_all_on_device(arguments.data(), device.data(), count, &error);
  if (run == DeviceRun::kNoDevice) GTEST_SKIP() << "no CUDA device";
  ASSERT_EQ(run, DeviceRun::kOk) << "CUDA failed: " << error;
  int mismatches = 0;
  for (int i = 0; i < count && mismatches < 20; ++i) {
    double host[kDeviceResultsPerPoint];
    evaluate_all(arguments[i], host);
    for (int k = 0; k < kDeviceResultsPerPoint; ++k) {
      const double on_device = device[static_cast<size_t>(i) * kDeviceResultsPerPoint + k];
      if (bits_of(host[k]) != bits_of(on_device)) {
        ++mismatches;
        ADD_FAILURE() << "function " << k << " x=" << arguments[i] << " host=" << host[k] << " device=" << on_device;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace hpchain::dmath::testing
