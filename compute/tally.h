// The dynamic, exact tally of one job point and the result fields a kernel
// makes of it. A kernel's tally shape (how many sums and counters) is known
// when its job is built, not when the engine is compiled: native kernels
// take it from their fixed Tally type, a VM kernel from its program.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chain/check.h"
#include "compute/accumulator.h"

namespace hpchain::compute {

// counts >= 1: counts[0] is always the number of samples.
struct TallyShape {
  uint32_t sums = 0;
  uint32_t counts = 1;
  friend bool operator==(const TallyShape&, const TallyShape&) = default;
};

// The most sums or counters a kernel may declare: bounds the memory of a
// tally on every backend and of a decoded unit result.
constexpr uint32_t kMaxTallySlots = 4096;

// The exact tally of one point (sums and counts as in the kernel's Tally).
struct PointTally {
  std::vector<ExactSum> sums;
  std::vector<uint64_t> counts;
  uint64_t vanished = 0;  // nonzero contributions that rounded to 0
  uint32_t flags = 0;

  TallyShape shape() const {
    return TallyShape{static_cast<uint32_t>(sums.size()), static_cast<uint32_t>(counts.size())};
  }
};

// An empty tally of `shape`.
inline PointTally empty_tally(TallyShape shape) {
  HPC_ASSERT(shape.counts >= 1);
  PointTally t;
  t.sums.assign(shape.sums, ExactSum{});
  t.counts.assign(shape.counts, 0);
  return t;
}

// Exact merge of two tallies of the same shape (asserts the shape).
inline void merge_point_tally(PointTally& into, const PointTally& from) {
  HPC_ASSERT(into.shape() == from.shape());
  into.flags |= from.flags;
  for (size_t i = 0; i < from.sums.size(); ++i) into.sums[i].add(from.sums[i], into.flags);
  for (size_t i = 0; i < from.counts.size(); ++i) add_count(into.counts[i], from.counts[i], into.flags);
  add_count(into.vanished, from.vanished, into.flags);
}

// Folds a kernel's fixed Tally into a dynamic one of the same shape exactly.
template <class TallyT>
void merge_into(PointTally& into, const TallyT& tally) {
  HPC_ASSERT(into.sums.size() == static_cast<size_t>(TallyT::kSums));
  HPC_ASSERT(into.counts.size() == static_cast<size_t>(TallyT::kCounts));
  into.flags |= tally.flags;
  for (int i = 0; i < TallyT::kSums; ++i) into.sums[i].add(tally.sums[i], into.flags);
  for (int i = 0; i < TallyT::kCounts; ++i) add_count(into.counts[i], tally.counts[i], into.flags);
  add_count(into.vanished, tally.vanished, into.flags);
}

// One named output of a kernel's finalize.
struct ResultField {
  std::string name;
  std::vector<double> values;  // one value for scalars
  bool is_array = false;
};

}  // namespace hpchain::compute
