// The merge == whole property (merge_property.h) over 600 more seeds; label
// slow because it takes longer than the unit budget allows.
#include <gtest/gtest.h>

#include "merge_property.h"

namespace hpchain::compute {
namespace {

TEST(PlannerSlow, MergedDigestEqualsWholeRunForManySeeds) {
  for (uint64_t seed = 1000; seed < 1600; ++seed) testing::check_merge_equals_whole(seed);
}

}  // namespace
}  // namespace hpchain::compute
