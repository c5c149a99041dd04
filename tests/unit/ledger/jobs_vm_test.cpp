// Kernel VM programs as jobs (docs/kernel-language.md, "On chain"): a
// JobSubmit carries the canonical bytecode, nodes decode, verify and
// gas-check it at submission, and only workers declaring the "vm"
// capability are drawn. The workers run the program for real.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "compute/backend.h"
#include "tests/unit/ledger/job_fixture.h"
#include "vm/compiler.h"
#include "vm/kernel.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

std::shared_ptr<const vm::VerifiedProgram> pi_program() {
  std::ifstream in(std::string(HPCHAIN_SOURCE_DIR) + "/vm/examples/pi.hk");
  std::ostringstream source;
  source << in.rdbuf();
  auto compiled = vm::compile_source(source.str());
  HPC_ASSERT(compiled.is_ok());
  return std::make_shared<const vm::VerifiedProgram>(std::move(compiled).value());
}

compute::KernelRegistry registry_with(const std::shared_ptr<const vm::VerifiedProgram>& program) {
  compute::KernelRegistry registry = compute::native_kernels();
  HPC_ASSERT(vm::register_program(registry, program).is_ok());
  return registry;
}

constexpr uint64_t kSamples = 4'000;

// A replicated job of `program` with its gas limit exactly what it needs.
v1::JobSpec vm_spec(const std::shared_ptr<const vm::VerifiedProgram>& program, uint32_t units, uint32_t replicas,
                    uint32_t quorum) {
  v1::JobSpec s = JobChain::spec(units, replicas, quorum, kSamples);
  const auto job = compute::make_job(registry_with(program), vm::kernel_name(program->id), {}, kSamples, 7).value();
  *s.mutable_compute() = compute::spec_to_proto(job);
  const Bytes bytecode = vm::encode(program->program);
  s.set_program(std::string(bytecode.begin(), bytecode.end()));
  s.set_gas_limit(vm::job_gas(*program, kSamples));
  return s;
}

// Workers 0..vm_workers-1 also declare a rate for "vm".
std::function<void(genesis::GenesisDoc&)> vm_workers(int count, std::function<void(genesis::GenesisDoc&)> more = {}) {
  return [=](genesis::GenesisDoc& d) {
    for (int w = 0; w < count; ++w) {
      for (auto& v : d.validators) {
        if (v.consensus_key == pub_bytes(worker_key(w))) v.capability.rates.push_back({"vm", 500'000});
      }
    }
    if (more) more(d);
  };
}

class VmJobs : public ::testing::TestWithParam<StoreKind> {};

TEST_P(VmJobs, AProgramJobIsAcceptedWithTheDigestOfAStandaloneRun) {
  const auto program = pi_program();
  JobChain c(GetParam(), 3, 4, vm_workers(4));
  const auto id = c.submit(vm_spec(program, /*units=*/2, /*replicas=*/3, /*quorum=*/2));
  ASSERT_TRUE(id);
  c.run_until(*id, v1::JOB_ASSIGNED);
  commit_all(c, *id);
  reveal_all(c, *id);
  const auto job = c.job(*id);
  ASSERT_EQ(job.state(), v1::JOB_PROVISIONAL) << job.reason();
  const auto whole = compute::make_job(registry_with(program), vm::kernel_name(program->id), {}, kSamples, 7).value();
  compute::CpuBackend cpu(1);
  EXPECT_EQ(hash_of(job.result_digest()), compute::run_job(whole, 1, cpu).value().digest);
  c.run_until(*id, v1::JOB_ACCEPTED, 25);
}

TEST_P(VmJobs, ALyingWorkerOfAProgramJobIsOutvoted) {
  const auto program = pi_program();
  JobChain c(GetParam(), 3, 3, vm_workers(3));
  const auto id = c.submit(vm_spec(program, 1, 3, 2));
  ASSERT_TRUE(id);
  c.run_until(*id, v1::JOB_ASSIGNED);
  const int liar = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED)[0];
  const auto stake = c.validator(worker_key(liar)).stake();
  commit_all(c, *id, {{liar, 99}});  // the same program run with another seed
  reveal_all(c, *id, {{liar, 99}});
  ASSERT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL);
  EXPECT_EQ(hash_of(c.unit(*id, 0).accepted_digest()), compute::unit_digest(c.result(*id, 0)));
  EXPECT_EQ(c.validator(worker_key(liar)).stake(), stake - stake / 10);
}

TEST_P(VmJobs, OnlyWorkersDeclaringTheVmCapabilityAreEligible) {
  const auto program = pi_program();
  JobChain c(GetParam(), 3, 4, vm_workers(2));
  const auto out = c.block({c.submit_tx(vm_spec(program, 1, 3, 2))});
  EXPECT_EQ(out[0].code, TxCode::kTooFewWorkers);
  EXPECT_NE(out[0].detail.find("2 eligible workers for kernel \"" + vm::kernel_name(program->id) + "\""),
            std::string::npos)
      << out[0].detail;
  EXPECT_TRUE(c.submit(vm_spec(program, 1, 2, 2)));
}

TEST_P(VmJobs, ASubmissionIsRefusedWithItsReason) {
  const auto program = pi_program();
  JobChain c(GetParam(), 3, 3, vm_workers(3, [](genesis::GenesisDoc& d) { d.params.max_job_gas = 1'000'000; }));
  const uint64_t gas = vm::job_gas(*program, kSamples);
  const std::string needs = "the program needs " + std::to_string(gas) + " gas (" +
                            std::to_string(program->sample_gas) + " per sample × 4000 samples)";
  struct Case {
    std::function<void(v1::JobSpec&)> change;
    TxCode code;
    std::string detail_part;
  };
  const std::vector<Case> cases = {
      {[&](v1::JobSpec& s) { s.set_gas_limit(gas - 1); }, TxCode::kGasOverLimit,
       needs + "; the job's gas_limit is " + std::to_string(gas - 1)},
      {[&](v1::JobSpec& s) { s.clear_gas_limit(); }, TxCode::kGasOverLimit, "the job's gas_limit is 0"},
      {[&](v1::JobSpec& s) {
         s.mutable_compute()->set_samples(1'000'000);
         s.set_gas_limit(UINT64_MAX);
       }, TxCode::kGasOverLimit, "; the chain's max_job_gas is 1000000"},
      {[](v1::JobSpec& s) { s.clear_program(); }, TxCode::kBadComputeSpec, "must carry its bytecode in spec.program"},
      {[](v1::JobSpec& s) { (*s.mutable_program())[10] ^= 0x40; }, TxCode::kBadComputeSpec, "spec.program"},
      {[](v1::JobSpec& s) { s.mutable_program()->resize(8); }, TxCode::kBadComputeSpec, "spec.program"},
      {[](v1::JobSpec& s) { *s.mutable_compute() = JobChain::spec(1, 3, 2).compute(); }, TxCode::kBadComputeSpec,
       "but the job runs kernel pi"},
      {[](v1::JobSpec& s) {
         auto* p = s.mutable_compute()->add_params();
         p->set_name("no_such_parameter");
         p->set_value("1");
       }, TxCode::kBadComputeSpec, "no_such_parameter"},
  };
  for (const auto& k : cases) {
    v1::JobSpec spec = vm_spec(program, 1, 3, 2);
    k.change(spec);
    const auto out = c.block({c.submit_tx(spec)});
    EXPECT_EQ(out[0].code, k.code) << out[0].detail;
    EXPECT_NE(out[0].detail.find(k.detail_part), std::string::npos) << out[0].detail;
  }
  EXPECT_TRUE(c.submit(vm_spec(program, 1, 3, 2)));  // the same job, unchanged, is fine
}

TEST_P(VmJobs, AChainWhoseAcceptedKernelsLackVmRefusesPrograms) {
  const auto program = pi_program();
  JobChain c(GetParam(), 3, 3, vm_workers(3, [](genesis::GenesisDoc& d) { d.params.accepted_kernels = {"pi"}; }));
  const auto out = c.block({c.submit_tx(vm_spec(program, 1, 3, 2))});
  EXPECT_EQ(out[0].code, TxCode::kKernelNotAccepted);
  EXPECT_NE(out[0].detail.find("kernel \"vm\" is not accepted"), std::string::npos) << out[0].detail;
  v1::JobSpec native_with_program = JobChain::spec(1, 3, 2);
  native_with_program.set_program(vm_spec(program, 1, 3, 2).program());
  const auto out2 = c.block({c.submit_tx(native_with_program)});
  EXPECT_EQ(out2[0].code, TxCode::kKernelNotAccepted);
  EXPECT_NE(out2[0].detail.find("(programs) is not accepted"), std::string::npos) << out2[0].detail;
}

TEST(VmJobFields, AProgramAboveTheSizeCapIsMalformed) {
  v1::TxBody body;
  *body.mutable_job_submit()->mutable_spec() = JobChain::spec(1, 1, 1);
  body.mutable_job_submit()->mutable_spec()->set_program(std::string(vm::kMaxProgramBytes + 1, 'x'));
  EXPECT_EQ(check_job_tx_fields(body).message(), "spec.program: at most 262144 bytes");
  body.mutable_job_submit()->mutable_spec()->mutable_program()->resize(vm::kMaxProgramBytes);
  EXPECT_TRUE(check_job_tx_fields(body).is_ok());
}

INSTANTIATE_STORE_SUITE(VmJobs);

}  // namespace
}  // namespace hpchain::ledger
