#include "ledger/assignment.h"

#include <algorithm>

#include "chain/check.h"
#include "chain/uint128.h"

namespace hpchain::ledger {
namespace {

bool contains(const std::vector<std::string>& sorted, const std::string& x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}


// A number in [0, total) from the pick's hash. The first 16 bytes make a
// 128-bit value, so the modulo bias is below 2^-64 for any total < 2^64.
Uint128 pick_point(const Hash32& seed, uint32_t pick, Uint128 total) {
  Sha256 h;
  h.update("hpchain assignment v1").update(seed.span());
  h.update_u32_be(pick);
  const Hash32 d = h.finish();
  Uint128 x = 0;
  for (size_t i = 0; i < 16; ++i) x = (x << 8) | d.bytes[i];
  return x % total;
}

}  // namespace

uint64_t draw_weight(const WorkerCandidate& c) {
  const Uint128 w = static_cast<Uint128>(c.samples_per_second) * c.credibility / 1'000'000 / (1 + c.load);
  if (w == 0) return 1;
  return w > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(w);
}

std::vector<std::string> draw_workers(const std::vector<WorkerCandidate>& candidates, const Hash32& seed,
                                      uint32_t count, const std::vector<std::string>& exclude,
                                      std::vector<std::string> used_institutions) {
  for (size_t i = 1; i < candidates.size(); ++i) HPC_ASSERT(candidates[i - 1].key < candidates[i].key);
  HPC_ASSERT(std::is_sorted(exclude.begin(), exclude.end()));
  std::sort(used_institutions.begin(), used_institutions.end());
  std::vector<std::string> drawn;
  for (uint32_t pick = 0; pick < count; ++pick) {
    std::vector<const WorkerCandidate*> pool, diverse;
    for (const auto& c : candidates) {
      if (contains(exclude, c.key) || std::find(drawn.begin(), drawn.end(), c.key) != drawn.end()) continue;
      pool.push_back(&c);
      if (!contains(used_institutions, c.institution)) diverse.push_back(&c);
    }
    const auto& from = diverse.empty() ? pool : diverse;
    if (from.empty()) break;
    Uint128 total = 0;
    for (const auto* c : from) total += draw_weight(*c);
    Uint128 point = pick_point(seed, pick, total);
    const WorkerCandidate* chosen = from.back();
    for (const auto* c : from) {
      if (point < draw_weight(*c)) {
        chosen = c;
        break;
      }
      point -= draw_weight(*c);
    }
    drawn.push_back(chosen->key);
    used_institutions.insert(std::upper_bound(used_institutions.begin(), used_institutions.end(), chosen->institution),
                             chosen->institution);
  }
  return drawn;
}

Hash32 unit_draw_seed(const Hash32& beacon_output, const Hash32& job_id, uint32_t unit, uint64_t attempt) {
  Sha256 h;
  h.update("hpchain unit draw v1").update(beacon_output.span()).update(job_id.span());
  h.update_u32_be(unit);
  h.update_u64_be(attempt);
  return h.finish();
}

}  // namespace hpchain::ledger
