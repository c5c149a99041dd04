// The market of one seed: institutions, one voting validator, `workers`
// compute-only workers (power 0, a rate for "pi"), a submitter, and the
// strategies drawn over the workers by the seed.
#include <algorithm>
#include <numeric>

#include "chain/check.h"
#include "tests/jobsim/world.h"

namespace hpchain::jobsim {

namespace {

PrivateKey fixed_key(uint32_t n) {
  Bytes b(32, 0);
  b[0] = 2;
  for (int i = 0; i < 4; ++i) b[31 - static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  return PrivateKey::from_bytes(b).value();
}

Bytes compressed(const PrivateKey& k) {
  const auto c = k.public_key().compressed();
  return Bytes(c.begin(), c.end());
}

// Strategies: the single ones in the seed's shuffled order, then the
// colluding pairs from the workers still honest.
void draw_strategies(World& w) {
  const Config& c = w.config;
  std::vector<int> order(w.workers.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), w.rng);
  const auto count = [&](double fraction) { return static_cast<size_t>(fraction * c.workers + 0.5); };
  const std::pair<Strategy, size_t> singles[] = {
      {Strategy::kAlwaysCheat, count(c.always_fraction)},    {Strategy::kCheatSome, count(c.cheat_fraction)},
      {Strategy::kNeverReveal, count(c.never_reveal_fraction)}, {Strategy::kLazyCopier, count(c.lazy_fraction)},
      {Strategy::kSlow, count(c.slow_fraction)},             {Strategy::kFalseAccuser, count(c.false_accuser_fraction)},
  };
  size_t next = 0;
  for (const auto& [strategy, n] : singles) {
    for (size_t k = 0; k < n && next < order.size(); ++k) w.workers[static_cast<size_t>(order[next++])].strategy = strategy;
  }
  const auto pair_up = [&](bool same) {
    for (size_t a = next; a < order.size(); ++a) {
      Worker& first = w.workers[static_cast<size_t>(order[a])];
      if (first.strategy != Strategy::kHonest) continue;
      for (size_t b = a + 1; b < order.size(); ++b) {
        Worker& second = w.workers[static_cast<size_t>(order[b])];
        if (second.strategy != Strategy::kHonest || (first.institution == second.institution) != same) continue;
        first.strategy = second.strategy = Strategy::kColluder;
        first.partner = second.index;
        second.partner = first.index;
        return;
      }
    }
  };
  for (uint32_t k = 0; k < c.colluding_pairs_same_institution; ++k) pair_up(true);
  for (uint32_t k = 0; k < c.colluding_pairs_other_institution; ++k) pair_up(false);
}

genesis::GenesisDoc market_genesis(const World& w) {
  const Config& c = w.config;
  genesis::GenesisDoc doc;
  doc.chain_id = w.chain_id;
  for (uint32_t i = 0; i < c.institutions; ++i) {
    const PrivateKey admin = fixed_key(100 + i);
    doc.institutions.push_back({"i" + std::to_string(i), "Institution " + std::to_string(i), {admin.public_key().address()}});
    doc.accounts.push_back({admin.public_key().address(), 10'000, "", {}});
  }
  const PrivateKey voter_operator = fixed_key(5001);
  doc.validators.push_back({compressed(*w.proposer_key), sha256("voter"), "i0", 10, voter_operator.public_key().address(), {}, 0});
  doc.accounts.push_back({voter_operator.public_key().address(), 100'000, "i0", {}});
  doc.accounts.push_back({w.submitter_key->public_key().address(), uint64_t{1} << 60, "i0", {"submitter"}});
  for (const Worker& worker : w.workers) {
    genesis::Capability cap{8, "", 0, {{"pi", 1'000'000}}};
    doc.validators.push_back({to_bytes(worker.key), sha256(worker.key), worker.institution, 0,
                              worker.operator_key->public_key().address(), cap, 1'000'000});
    doc.accounts.push_back({worker.operator_key->public_key().address(), uint64_t{1} << 40, "", {}});
  }
  auto& p = doc.params;
  p.max_block_bytes = 4 * 1024 * 1024;
  p.max_block_gas = uint64_t{1} << 50;
  p.job_units_max = std::max<uint64_t>(p.job_units_max, c.units_per_job);
  p.spot_check_floor_ppm = c.spot_check_floor_ppm;
  p.spot_check_new_ppm = c.spot_check_new_ppm;
  p.spot_check_halving_units = c.spot_check_halving_units;
  p.dispute_leaf_samples = c.dispute_leaf_samples;
  return doc;
}

}  // namespace

void build_world(World& w) {
  w.chain_id = "jobsim-" + std::to_string(w.seed);
  w.submitter_key = fixed_key(1);
  w.proposer_key = fixed_key(5000);
  for (uint32_t i = 0; i < w.config.workers; ++i) {
    Worker worker;
    worker.index = static_cast<int>(i);
    const Bytes key = compressed(fixed_key(10'000 + i));
    worker.key = std::string(key.begin(), key.end());
    worker.operator_key = fixed_key(20'000 + i);
    worker.institution = "i" + std::to_string(i % w.config.institutions);
    w.worker_by_key[worker.key] = worker.index;
    w.workers.push_back(std::move(worker));
  }
  draw_strategies(w);
  auto changes = ledger::genesis_change_set(w.store, market_genesis(w));
  HPC_ASSERT(changes.is_ok());
  HPC_ASSERT(w.store.apply(changes.value()).is_ok());
}

}  // namespace hpchain::jobsim
