// The merge == whole property shared by the fast (unit) and many-seed
// (slow) runs: a random job is cut into random units, each run on a CPU
// backend with a random thread count or an emulated GPU grid of random
// shape; the partials, merged in random order, must give the whole digest.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"

namespace hpchain::compute::testing {

inline JobSpec random_job(std::mt19937_64& rng) {
  const uint64_t seed = rng();
  switch (rng() % 4) {
    case 0: return must_make_job("pi", {}, 1 + rng() % 40'000, seed);
    case 1: return must_make_job("eemumu", {{"sqrt_s", std::to_string(20 + rng() % 200)}},
                                 1 + rng() % 20'000, seed);
    case 2: return must_make_job("european_option", {{"type", rng() % 2 ? "call" : "put"}},
                                 1 + rng() % 20'000, seed);
    default: {
      const uint64_t points = 2 + rng() % 5;
      return must_make_job("param_scan",
                           {{"kernel", "eemumu"}, {"scan", "sqrt_s"}, {"from", "20"},
                            {"to", "250"}, {"points", std::to_string(points)}},
                           points * (1 + rng() % 4000), seed);
    }
  }
}

// Random cut points: `units` ranges of random sizes covering [0, n).
inline std::vector<SampleRange> random_partition(std::mt19937_64& rng, uint64_t n) {
  const uint64_t units = 1 + rng() % std::min<uint64_t>(n, 9);
  std::vector<uint64_t> cuts = {0, n};
  while (cuts.size() < units + 1) {
    const uint64_t c = 1 + rng() % (n - 1 + (n == 1));
    if (std::find(cuts.begin(), cuts.end(), c) == cuts.end() && c < n) cuts.push_back(c);
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<SampleRange> out;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) out.push_back({cuts[i], cuts[i + 1]});
  return out;
}

inline void check_merge_equals_whole(uint64_t property_seed) {
  std::mt19937_64 rng(property_seed);
  const JobSpec job = random_job(rng);
  CpuBackend whole_backend(1);
  const auto whole = run_job(job, 1, whole_backend);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  std::vector<Partial> partials;
  for (const SampleRange& unit : random_partition(rng, job.samples)) {
    if (rng() % 3 == 0) {
      partials.push_back(emulated_gpu_partial(job, unit, 1 + rng() % 200));
    } else {
      CpuBackend cpu(1 + rng() % 4);
      auto partial = cpu.run(job, unit, nullptr);
      ASSERT_TRUE(partial.is_ok()) << partial.status().to_string();
      partials.push_back(std::move(partial).value());
    }
  }
  std::shuffle(partials.begin(), partials.end(), rng);
  const auto merged = merge_partials(job, partials);
  ASSERT_TRUE(merged.is_ok()) << merged.status().to_string();
  const auto result = finalize(job, *merged);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_EQ(result->digest, whole->digest) << "property seed " << property_seed << " kernel "
                                           << job.kernel << " samples " << job.samples;
  EXPECT_EQ(result->encoding, whole->encoding);
}

}  // namespace hpchain::compute::testing
