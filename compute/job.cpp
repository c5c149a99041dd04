#include "compute/job.h"

#include <cstring>

#include "compute/encoding.h"
#include "compute/fp_env.h"
#include "compute/kernels/param_scan.h"
#include "compute/spec.h"

namespace hpchain::compute {

namespace {

// Checks what a (possibly foreign) descriptor made of a point.
Status check_instance(const KernelDescriptor& kernel, const KernelInstance& instance) {
  const TallyShape shape = instance.shape;
  if (shape.counts < 1 || shape.counts > kMaxTallySlots || shape.sums > kMaxTallySlots) {
    return Status::invalid_argument("kernel '" + kernel.info.name + "' declares a tally of " +
                                    std::to_string(shape.sums) + " sums and " + std::to_string(shape.counts) +
                                    " counters; allowed are 0 to " + std::to_string(kMaxTallySlots) +
                                    " sums and 1 to " + std::to_string(kMaxTallySlots) + " counters");
  }
  return Status::ok();
}

Status make_plain_job(const KernelRegistry& registry, JobSpec& job, const RawParams& raw) {
  job.descriptor = registry.find(job.kernel);
  if (job.descriptor == nullptr) {
    return Status::invalid_argument("unknown kernel '" + job.kernel + "' (try: hpchain-compute kernels)");
  }
  const KernelInfo& info = job.descriptor->info;
  HPC_ASSIGN_OR_RETURN(job.params, validate_params(info.name, info.params, raw));
  HPC_ASSIGN_OR_RETURN(KernelInstance instance, job.descriptor->instantiate(job.params));
  job.samples_per_point = job.samples;
  job.points.push_back(JobPoint{std::move(instance), 0, 0.0});
  return Status::ok();
}

constexpr std::string_view kEncodingMagic = "hpchain.compute.result.v2";

Bytes encode_result(const JobSpec& job, const Partial& partial, const std::vector<PointResult>& points) {
  Bytes out;
  put_string(out, kEncodingMagic);
  put_u32(out, kComputeVersion);
  put_hash(out, job.spec_id);
  put_string(out, job.kernel);
  put_u64(out, job.seed);
  put_u64(out, job.samples);
  put_params(out, job.params);
  put_u32(out, static_cast<uint32_t>(points.size()));
  for (size_t p = 0; p < points.size(); ++p) {
    const PointTally& tally = partial.points[p];
    put_f64(out, job.points[p].scan_value);
    put_u32(out, job.points[p].stream);
    put_u32(out, static_cast<uint32_t>(tally.sums.size()));
    for (const ExactSum& sum : tally.sums) put_sum(out, sum);
    put_u32(out, static_cast<uint32_t>(tally.counts.size()));
    for (uint64_t count : tally.counts) put_u64(out, count);
    put_u64(out, tally.vanished);
    put_u32(out, static_cast<uint32_t>(points[p].fields.size()));
    for (const ResultField& field : points[p].fields) {
      put_string(out, field.name);
      out.push_back(field.is_array ? 1 : 0);
      put_u32(out, static_cast<uint32_t>(field.values.size()));
      for (double v : field.values) put_f64(out, v);
    }
  }
  return out;
}

Status check_point_tally(const JobSpec& job, size_t p, const PointTally& tally) {
  const std::string where = "point " + std::to_string(p);
  if (tally.flags & kTallyNonFinite) {
    return Status::invalid_argument(where + ": a sample produced NaN or infinity");
  }
  if (tally.flags & kTallyOverflow) {
    return Status::out_of_range(where + ": a contribution of 2^126 or more, beyond the exact accumulator");
  }
  if (tally.shape() != job.points[p].instance.shape) {
    return Status::failed_precondition(where + ": tally layout does not match the kernel");
  }
  if (tally.counts[0] != job.samples_per_point) {
    return Status::failed_precondition(where + ": tally holds " + std::to_string(tally.counts[0]) +
                                       " samples, expected " + std::to_string(job.samples_per_point));
  }
  // The one range check (accumulator.h): no order of honest additions can
  // leave it, so this verdict does not depend on grouping or device.
  for (size_t i = 0; i < tally.sums.size(); ++i) {
    if (!tally.sums[i].within_terms(tally.counts[0])) {
      return Status::out_of_range(where + ": sum " + std::to_string(i) + " is beyond what " +
                                  std::to_string(tally.counts[0]) + " samples can add up to");
    }
  }
  return Status::ok();
}

}  // namespace

Result<JobSpec> make_job(const KernelRegistry& registry, std::string_view kernel, const RawParams& raw,
                         uint64_t samples, uint64_t seed) {
  if (samples == 0 || samples > kMaxSamples) {
    return Status::invalid_argument("samples must be in [1, 2^62], got " + std::to_string(samples));
  }
  // Kernel parameters are computed here (with dmath): pinned, like kernels.
  const ScopedFpEnvironment fp;
  HPC_TRY(fp.status());
  JobSpec job;
  job.kernel = std::string(kernel);
  job.samples = samples;
  job.seed = seed;
  job.is_scan = kernel == "param_scan";
  HPC_TRY(job.is_scan ? expand_scan(registry, job, raw) : make_plain_job(registry, job, raw));
  for (const JobPoint& point : job.points) HPC_TRY(check_instance(*job.descriptor, point.instance));
  job.spec_id = compute_spec_id(job);
  return job;
}

Result<JobSpec> make_job(std::string_view kernel, const RawParams& raw, uint64_t samples, uint64_t seed) {
  return make_job(native_kernels(), kernel, raw, samples, seed);
}

std::vector<KernelInfo> kernel_catalog(const KernelRegistry& registry) {
  std::vector<KernelInfo> out;
  for (const auto& kernel : registry.kernels()) out.push_back(kernel->info);
  out.push_back(param_scan_info(registry));
  return out;
}

Partial empty_partial(const JobSpec& job) {
  Partial partial;
  for (const JobPoint& point : job.points) partial.points.push_back(empty_tally(point.instance.shape));
  return partial;
}

Result<JobResult> finalize(const JobSpec& job, const Partial& partial) {
  HPC_ASSERT(!job.points.empty());
  if (partial.points.size() != job.points.size()) {
    return Status::failed_precondition("partial has " + std::to_string(partial.points.size()) +
                                       " points, job has " + std::to_string(job.points.size()));
  }
  if (partial.covered.size() != 1 || partial.covered[0] != SampleRange{0, job.samples}) {
    return Status::failed_precondition("partial does not cover exactly [0, " +
                                       std::to_string(job.samples) + ")");
  }
  // Means and errors are doubles that the digest covers: pinned, too.
  const ScopedFpEnvironment fp;
  HPC_TRY(fp.status());
  JobResult result;
  for (size_t p = 0; p < job.points.size(); ++p) {
    HPC_TRY(check_point_tally(job, p, partial.points[p]));
    PointResult point{job.points[p].scan_value, {}, partial.points[p].vanished};
    auto fields = job.descriptor->finalize(job.points[p].instance, partial.points[p]);
    if (!fields.is_ok()) return fields.status().with_context("point " + std::to_string(p));
    point.fields = std::move(fields).value();
    result.points.push_back(std::move(point));
  }
  result.encoding = encode_result(job, partial, result.points);
  result.digest = sha256(result.encoding);
  return result;
}

}  // namespace hpchain::compute
