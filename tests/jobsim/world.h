// Internal to the job-market simulator: the world one seed runs in (a
// memory state store, the workers and their strategies, what each replica
// computed) and the steps market.cpp, actions.cpp and metrics.cpp share.
#pragma once

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "chain/tx.h"
#include "compute/cpu_backend.h"
#include "compute/unit_result.h"
#include "ledger/jobs.h"
#include "ledger/ledger.h"
#include "ledger/state_store.h"
#include "tests/jobsim/market.h"

namespace hpchain::jobsim {

using ledger::hash_of;

struct Worker {
  int index = 0;
  Strategy strategy = Strategy::kHonest;
  int partner = -1;          // colluders
  std::string key;           // compressed consensus key
  std::optional<PrivateKey> operator_key;
  std::string institution;
};

// What a replica computed: the honest result, a lie (another seed), or a
// copy of the unit's revealed result.
struct Decision {
  std::optional<uint64_t> lie;
  bool copy = false;
  bool checker = false;
  bool computed = false;      // counted as an execution
  uint64_t reveal_height = 0; // the block its reveal went into (0: none yet)
};

using ReplicaKey = std::tuple<Hash32, uint32_t, int>;  // job, unit, worker

struct CatchRecord {
  uint64_t height = 0;
  std::string job_hex;
  uint32_t unit = 0;
};

struct World {
  Config config;
  uint64_t seed = 0;
  std::mt19937_64 rng;
  std::string chain_id;
  ledger::MemoryStateStore store;
  uint64_t height = 0;
  std::optional<PrivateKey> submitter_key;
  std::optional<PrivateKey> proposer_key;
  std::vector<Worker> workers;
  std::map<std::string, int> worker_by_key;
  std::map<std::string, uint64_t> nonces;  // by signer address bytes
  std::vector<Hash32> jobs;
  std::vector<Hash32> active;  // submitted and not final
  std::map<ReplicaKey, Decision> decisions;
  std::map<std::tuple<Hash32, uint64_t, uint64_t, uint64_t>, compute::UnitResult> results;  // job, begin, end, seed
  std::map<Hash32, compute::JobSpec> compute_jobs;
  struct Draw {
    uint64_t rate_ppm = 0;
    uint64_t height = 0;
  };
  std::map<std::tuple<std::string, uint32_t, std::string>, Draw> draws;  // job hex, unit, worker hex
  std::map<std::string, CatchRecord> first_catch;                                 // worker key
  std::set<std::tuple<Hash32, uint32_t, int, uint32_t>> slow_misses;  // job, unit, worker, phase marker
  compute::CpuBackend cpu{1};
  Outcome outcome;

  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p; }
  VerifiedTx sign(const PrivateKey& key, hpchain::v1::TxBody body);
  std::optional<hpchain::v1::JobRecord> job(const Hash32& id) const;
  hpchain::v1::UnitRecord unit(const Hash32& id, uint32_t u) const;
  // The result of samples [begin, end) of job `id`, computed with `seed`
  // (the job's own for the honest one).
  const compute::UnitResult& result(const Hash32& id, compute::SampleRange range, std::optional<uint64_t> lie);
};

// setup.cpp: the genesis of a seed's market and its workers.
void build_world(World& w);
// actions.cpp: every worker's transactions for the next block.
std::vector<VerifiedTx> worker_actions(World& w);
// metrics.cpp: the outcome, from the final state and the events seen.
void observe_events(World& w, const std::vector<ledger::Event>& events);
void measure(World& w);

}  // namespace hpchain::jobsim
