// One seed's market: jobs submitted every few blocks, every worker acting
// by its strategy, blocks applied by the real ledger until every job is
// final (or max_blocks), then measured (metrics.cpp).
#include <cstdio>

#include "chain/check.h"
#include "compute/planner.h"
#include "compute/spec.h"
#include "ledger/state_view.h"
#include "tests/jobsim/world.h"

namespace hpchain::jobsim {

VerifiedTx World::sign(const PrivateKey& key, hpchain::v1::TxBody body) {
  const Address sender = key.public_key().address();
  const std::string who(sender.bytes.begin(), sender.bytes.end());
  body.set_chain_id(chain_id);
  body.set_nonce(nonces[who]++);
  body.set_fee(1'000'000);
  Bytes raw = sign_tx(body, key);
  return VerifiedTx{sha256(raw), std::move(raw), key.public_key(), sender, std::move(body)};
}

std::optional<hpchain::v1::JobRecord> World::job(const Hash32& id) const {
  return ledger::StateView(store).get_record<hpchain::v1::JobRecord>(ledger::keys::job(id)).value();
}

hpchain::v1::UnitRecord World::unit(const Hash32& id, uint32_t u) const {
  return ledger::StateView(store).get_record<hpchain::v1::UnitRecord>(ledger::keys::job_unit(id, u)).value().value();
}

const compute::UnitResult& World::result(const Hash32& id, compute::SampleRange range, std::optional<uint64_t> lie) {
  auto& real = compute_jobs.at(id);
  const auto key = std::make_tuple(id, range.begin, range.end, lie.value_or(real.seed));
  auto it = results.find(key);
  if (it != results.end()) return it->second;
  compute::JobSpec run = real;
  if (lie) {
    hpchain::v1::JobSpec spec;
    *spec.mutable_compute() = compute::spec_to_proto(real);
    spec.mutable_compute()->set_seed(*lie);
    run = ledger::compute_job_of(spec).value();
  }
  auto partial = cpu.run(run, range, nullptr);
  HPC_ASSERT(partial.is_ok());
  return results.emplace(key, compute::make_unit_result(real, id, std::move(partial).value())).first->second;
}

namespace {

VerifiedTx submit(World& w, uint32_t index) {
  const Config& c = w.config;
  hpchain::v1::JobSpec spec;
  const uint64_t samples = uint64_t{c.units_per_job} * c.samples_per_unit;
  const auto job = compute::make_job("pi", {}, samples, w.seed * 1'000 + index).value();
  *spec.mutable_compute() = compute::spec_to_proto(job);
  spec.mutable_partitioned()->set_units(c.units_per_job);
  spec.set_budget(uint64_t{c.units_per_job} * 7 * 100 * 4);
  spec.set_deadline_blocks(100'000);
  const Address submitter = w.submitter_key->public_key().address();
  const uint64_t nonce = w.nonces[std::string(submitter.bytes.begin(), submitter.bytes.end())];
  const Hash32 id = ledger::job_id(submitter, nonce, job.spec_id);
  w.compute_jobs.emplace(id, job);
  w.jobs.push_back(id);
  w.active.push_back(id);
  hpchain::v1::TxBody body;
  *body.mutable_job_submit()->mutable_spec() = spec;
  return w.sign(*w.submitter_key, std::move(body));
}

// Drops the jobs that became final from `active`.
void retire_final(World& w) {
  std::erase_if(w.active, [&](const Hash32& id) {
    const auto job = w.job(id);
    return job && (job->state() == hpchain::v1::JOB_ACCEPTED || job->state() == hpchain::v1::JOB_FAILED);
  });
}

// Whether the next job goes into this block: every job_every_blocks
// blocks, or (job_every_blocks = 0) when no job is running.
bool submit_now(const World& w, uint32_t submitted) {
  if (submitted >= w.config.jobs) return false;
  if (w.config.job_every_blocks == 0) return w.active.empty();
  return w.height % w.config.job_every_blocks == 0;
}

// A skipped transaction did not take its nonce: its sender's next one is
// the account's again. (Every other outcome, failures too, takes it.)
void resync_nonces(World& w, std::span<const VerifiedTx> txs, const std::vector<ledger::TxOutcome>& outcomes) {
  ledger::StateView view(w.store);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (!ledger::is_skipped(outcomes[i].code)) continue;
    const Address& a = txs[i].sender;
    w.nonces[std::string(a.bytes.begin(), a.bytes.end())] = view.account(a).value().nonce();
  }
}

}  // namespace

Outcome run_market(const Config& config, uint64_t seed) {
  World w;
  w.config = config;
  w.seed = seed;
  w.rng.seed(seed);
  build_world(w);
  uint32_t submitted = 0;
  for (; w.height < config.max_blocks; ++w.height) {
    std::vector<VerifiedTx> txs;
    if (submit_now(w, submitted)) txs.push_back(submit(w, submitted++));
    auto actions = worker_actions(w);
    txs.insert(txs.end(), std::make_move_iterator(actions.begin()), std::make_move_iterator(actions.end()));
    const auto proposer = w.proposer_key->public_key().compressed();
    const ledger::BlockContext ctx{w.height + 1, Bytes(proposer.begin(), proposer.end())};
    auto block = ledger::apply_block(w.store, ctx, txs);
    HPC_ASSERT(block.is_ok());
    HPC_ASSERT(w.store.apply(block.value().changes).is_ok());
    observe_events(w, block.value().events);
    resync_nonces(w, txs, block.value().outcomes);
    retire_final(w);
    if (submitted == config.jobs && w.active.empty()) {
      ++w.height;
      break;
    }
  }
  w.outcome.blocks = w.height;
  measure(w);
  return w.outcome;
}

void Outcome::add(const Outcome& o) {
  jobs += o.jobs;
  failed_jobs += o.failed_jobs;
  units += o.units;
  executed += o.executed;
  cheated += o.cheated;
  caught += o.caught;
  wrong_final += o.wrong_final;
  predicted_wrong_final += o.predicted_wrong_final;
  predicted_variance += o.predicted_variance;
  always_cheaters += o.always_cheaters;
  always_caught_within_100 += o.always_caught_within_100;
  disputes += o.disputes;
  dispute_rounds += o.dispute_rounds;
  referee_samples += o.referee_samples;
  blocks += o.blocks;
}

std::string summary_line(const Outcome& o) {
  char line[256];
  std::snprintf(line, sizeof line,
                "jobs: %llu, units: %llu, cheated: %llu, caught: %llu, wrong_final: %llu, predicted_wrong_final: %.1f, "
                "compute_overhead: %.3f",
                static_cast<unsigned long long>(o.jobs), static_cast<unsigned long long>(o.units),
                static_cast<unsigned long long>(o.cheated), static_cast<unsigned long long>(o.caught),
                static_cast<unsigned long long>(o.wrong_final), o.predicted_wrong_final, o.overhead());
  return line;
}

}  // namespace hpchain::jobsim
