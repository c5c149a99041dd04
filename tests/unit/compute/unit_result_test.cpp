// Job and unit identity: spec ids name exactly the compute spec, unit
// results merge back to the whole-job digest for every kernel, and every
// way a unit can fail to belong (another seed, another job, another engine,
// counts that disagree with ranges, ranges that are not canonical) is
// refused naming what disagrees. Encodings round-trip; failed outcomes
// have their own canonical digest.
#include <gtest/gtest.h>

#include "chain/codec.h"
#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "compute/unit_result.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::must_make_job;

const Hash32 kJob = sha256(std::string_view("a ledger job id"));

struct Case {
  const char* kernel;
  RawParams params;
  uint64_t samples;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"pi", {}, 100003},
      {"eemumu", {{"sqrt_s", "240"}}, 60001},
      {"european_option", {{"strike", "95"}}, 50001},
      {"param_scan", {{"kernel", "european_option"}, {"scan", "strike"}, {"from", "80"}, {"to", "120"},
                      {"points", "5"}}, 25000},
  };
  return all;
}

std::vector<UnitResult> run_units(const JobSpec& job, uint64_t units, const Hash32& job_id) {
  CpuBackend cpu(2);
  std::vector<UnitResult> out;
  for (uint64_t u = 0; u < units; ++u) {
    auto partial = cpu.run(job, unit_range(job.samples, units, u), nullptr);
    EXPECT_TRUE(partial.is_ok());
    out.push_back(make_unit_result(job, job_id, std::move(*partial)));
  }
  return out;
}

std::string refusal(const JobSpec& job, const UnitResult& unit, const Hash32& job_id = kJob) {
  const Status s = check_unit(job, job_id, unit);
  EXPECT_FALSE(s.is_ok());
  return s.message();
}

TEST(SpecId, NamesKernelParametersSamplesSeedAndNothingElse) {
  const JobSpec a = must_make_job("eemumu", {{"sqrt_s", "240"}}, 1000, 1);
  // Spelling out a default, or another spelling of the same number, is the same spec.
  EXPECT_EQ(must_make_job("eemumu", {{"sqrt_s", "240.0"}, {"mz", "91.1876"}}, 1000, 1).spec_id, a.spec_id);
  EXPECT_NE(must_make_job("eemumu", {{"sqrt_s", "240"}}, 1000, 2).spec_id, a.spec_id);
  EXPECT_NE(must_make_job("eemumu", {{"sqrt_s", "240"}}, 1001, 1).spec_id, a.spec_id);
  EXPECT_NE(must_make_job("eemumu", {{"sqrt_s", "241"}}, 1000, 1).spec_id, a.spec_id);
  EXPECT_EQ(a.spec_id, compute_spec_id(a));
  // The engine version is part of what is hashed.
  const Bytes encoding = encode_compute_spec(a);
  // The u32 after the length-prefixed magic; its low byte for version < 256.
  const size_t version_low_byte = 4 + std::string_view("hpchain.compute.spec.v1").size() + 3;
  EXPECT_EQ(encoding.at(version_low_byte), kComputeVersion);
}

TEST(SpecId, TheTransportFormRebuildsTheSameJobForEveryKernel) {
  for (const Case& c : cases()) {
    const JobSpec job = must_make_job(c.kernel, c.params, c.samples, 9);
    auto rebuilt = spec_from_proto(spec_to_proto(job));
    ASSERT_TRUE(rebuilt.is_ok()) << c.kernel << ": " << rebuilt.status().to_string();
    EXPECT_EQ(rebuilt->spec_id, job.spec_id) << c.kernel;
    EXPECT_EQ(rebuilt->points.size(), job.points.size()) << c.kernel;
  }
  auto other_engine = spec_to_proto(must_make_job("pi", {}, 10, 1));
  other_engine.set_compute_version(kComputeVersion + 1);
  EXPECT_NE(spec_from_proto(other_engine).status().message().find("not this engine's version"),
            std::string::npos);
}

TEST(UnitResult, UnitsMergeToTheWholeJobDigestForEveryKernel) {
  for (const Case& c : cases()) {
    const JobSpec job = must_make_job(c.kernel, c.params, c.samples, 4);
    CpuBackend cpu(2);
    const auto whole = run_job(job, 1, cpu);
    ASSERT_TRUE(whole.is_ok()) << c.kernel;
    std::vector<UnitResult> units = run_units(job, 7, kJob);
    std::reverse(units.begin(), units.end());  // order does not matter
    auto merged = merge_units(job, kJob, units);
    ASSERT_TRUE(merged.is_ok()) << c.kernel << ": " << merged.status().to_string();
    auto result = finalize(job, merged->partial);
    ASSERT_TRUE(result.is_ok()) << c.kernel;
    EXPECT_EQ(result->digest, whole->digest) << c.kernel;
  }
}

TEST(UnitResult, AUnitOfAnotherJobSeedOrEngineIsRefused) {
  const JobSpec job = must_make_job("pi", {}, 1000, 1);
  const JobSpec seed2 = must_make_job("pi", {}, 1000, 2);
  const UnitResult other_seed = run_units(seed2, 2, kJob)[1];
  EXPECT_NE(refusal(job, other_seed).find("unit is of spec"), std::string::npos);
  const UnitResult mine = run_units(job, 2, kJob)[1];
  EXPECT_TRUE(check_unit(job, kJob, mine).is_ok());
  EXPECT_NE(refusal(job, mine, sha256(std::string_view("another job"))).find("belongs to job"),
            std::string::npos);
  UnitResult old_engine = mine;
  old_engine.compute_version = kComputeVersion + 1;
  EXPECT_NE(refusal(job, old_engine).find("engine version"), std::string::npos);
  // The seed-2 unit no longer merges into the seed-1 job (it once did,
  // silently, giving a wrong digest).
  const std::vector<UnitResult> mixed = {run_units(job, 2, kJob)[0], other_seed};
  EXPECT_FALSE(merge_units(job, kJob, mixed).is_ok());
}

TEST(UnitResult, CountsThatDisagreeWithRangesAndBadRangesAreRefused) {
  const JobSpec job = must_make_job("pi", {}, 1000, 1);
  const UnitResult unit = run_units(job, 4, kJob)[2];  // [500, 750)
  UnitResult more = unit;
  more.partial.points[0].counts[0] += 1;
  EXPECT_NE(refusal(job, more).find("its ranges claim 250"), std::string::npos);
  UnitResult wider = unit;
  wider.partial.covered[0].end = 760;
  EXPECT_NE(refusal(job, wider).find("its ranges claim 260"), std::string::npos);
  UnitResult outside = unit;
  outside.partial.covered[0] = {990, 1240};
  EXPECT_NE(refusal(job, outside).find("outside"), std::string::npos);
  UnitResult split = unit;
  split.partial.covered = {{500, 600}, {600, 750}};  // not coalesced
  EXPECT_NE(refusal(job, split).find("coalesced"), std::string::npos);
  UnitResult empty = unit;
  empty.partial.covered.clear();
  EXPECT_NE(refusal(job, empty).find("no samples"), std::string::npos);
  UnitResult reshaped = unit;
  reshaped.partial.points[0].counts.push_back(0);
  EXPECT_NE(refusal(job, reshaped).find("layout"), std::string::npos);
}

TEST(UnitResult, ASumBeyondItsSamplesIsRefusedSoMergesCannotWrap) {
  const JobSpec job = must_make_job("european_option", {}, 1000, 1);
  UnitResult unit = run_units(job, 2, kJob)[0];
  unit.partial.points[0].sums[0].limb[3] = uint64_t{1} << 62;  // 2^254
  EXPECT_NE(refusal(job, unit).find("beyond what its samples"), std::string::npos);
}

TEST(UnitResult, EncodingsRoundTripAndTheDigestCoversEveryField) {
  const JobSpec job = must_make_job("european_option", {}, 4000, 3);
  const UnitResult unit = run_units(job, 3, kJob)[1];
  auto decoded = decode_unit(serialize_proto(unit_to_proto(unit)));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(encode_unit(*decoded), encode_unit(unit));
  auto file = decode_unit_file(encode_unit_file(job, unit));
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  EXPECT_EQ(file->job.spec_id, job.spec_id);
  EXPECT_EQ(unit_digest(file->unit), unit_digest(unit));
  UnitResult changed = unit;
  changed.partial.points[0].sums[1].limb[0] ^= 1;
  EXPECT_NE(unit_digest(changed), unit_digest(unit));
  changed = unit;
  changed.job_id = job.spec_id;
  EXPECT_NE(unit_digest(changed), unit_digest(unit));
  EXPECT_EQ(decode_unit(Bytes(kUnitBytesMax + 1, 0)).status().code(), StatusCode::kResourceExhausted);
}

TEST(UnitResult, AFailedOutcomeHasItsOwnCanonicalDigest) {
  const JobSpec job = must_make_job("european_option", {}, 4000, 3);
  UnitResult a = run_units(job, 2, kJob)[0];
  a.partial.points[0].flags = kTallyOverflow;
  UnitResult b = a;
  b.partial.points[0].sums[0].limb[2] ^= 0xff;  // a flagged tally's sums carry no meaning
  EXPECT_TRUE(unit_failed(a));
  EXPECT_EQ(unit_digest(a), unit_digest(b));
  UnitResult c = a;
  c.partial.points[0].flags = kTallyNonFinite;
  EXPECT_NE(unit_digest(c), unit_digest(a));
  UnitResult ok = run_units(job, 2, kJob)[0];
  EXPECT_NE(unit_digest(ok), unit_digest(a));
  EXPECT_EQ(decode_unit(serialize_proto(unit_to_proto(a))).value().partial.points[0].flags, kTallyOverflow);
}

}  // namespace
}  // namespace hpchain::compute
