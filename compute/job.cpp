#include "compute/job.h"

#include <cstring>

#include "compute/encoding.h"
#include "compute/fp_env.h"
#include "compute/kernels/host.h"
#include "compute/spec.h"

namespace hpchain::compute {

namespace {

Result<KernelId> native_kernel_id(std::string_view name) {
  if (name == "pi") return KernelId::kPi;
  if (name == "eemumu") return KernelId::kEemumu;
  if (name == "european_option") return KernelId::kEuropeanOption;
  return Status::invalid_argument("unknown kernel '" + std::string(name) +
                                  "' (try: hpchain-compute kernels)");
}

KernelParams kernel_params(KernelId id, const ParamSet& params) {
  KernelParams out;
  out.id = id;
  switch (id) {
    case KernelId::kPi: out.pi = pi_params(params); break;
    case KernelId::kEemumu: out.eemumu = eemumu_params(params); break;
    case KernelId::kEuropeanOption: out.option = european_option_params(params); break;
  }
  return out;
}

const KernelInfo& native_info(KernelId id) {
  const char* name = id == KernelId::kPi ? "pi" : id == KernelId::kEemumu ? "eemumu" : "european_option";
  const KernelInfo* info = find_kernel_info(name);
  HPC_ASSERT(info != nullptr);
  return *info;
}

// The grid value of point i of `points` between `from` and `to`; the
// endpoints are exact.
double grid_value(double from, double to, uint32_t i, uint32_t points) {
  // The interpolation below does not always round back to `from` or `to`
  // (e.g. from = -0.2), which would push an endpoint outside its range.
  if (i == 0) return from;
  if (i + 1 == points) return to;
  const double last = static_cast<double>(points - 1);
  return (from * (last - i) + to * static_cast<double>(i)) / last;
}

Status expand_scan(JobSpec& job, const RawParams& raw) {
  const KernelInfo& scan_info = *find_kernel_info("param_scan");
  RawParams own, inner;
  for (const auto& [name, value] : raw) {
    bool is_own = false;
    for (const auto& spec : scan_info.params) is_own = is_own || spec.name == name;
    (is_own ? own : inner).emplace(name, value);
  }
  HPC_ASSIGN_OR_RETURN(job.params, validate_params("param_scan", scan_info.params, own));
  HPC_ASSIGN_OR_RETURN(KernelId id, native_kernel_id(job.params.at("kernel").text));
  const KernelInfo& info = native_info(id);
  job.scan_param = job.params.at("scan").text;
  bool scannable = false;
  for (const auto& spec : info.params) {
    scannable = scannable || (spec.name == job.scan_param && spec.type == ParamType::kReal);
  }
  if (!scannable) {
    return Status::invalid_argument("parameter 'scan': kernel '" + info.name +
                                    "' has no real parameter '" + job.scan_param + "'");
  }
  if (inner.count(job.scan_param) != 0) {
    return Status::invalid_argument("parameter '" + job.scan_param +
                                    "' is set by the scan; give 'from' and 'to' instead");
  }
  const auto points = static_cast<uint32_t>(param_number(job.params, "points"));
  if (job.samples < points || job.samples % points != 0) {
    return Status::invalid_argument("samples (" + std::to_string(job.samples) +
                                    ") must be a positive multiple of parameter 'points' (" +
                                    std::to_string(points) + ")");
  }
  job.samples_per_point = job.samples / points;
  const double from = param_number(job.params, "from"), to = param_number(job.params, "to");
  for (uint32_t i = 0; i < points; ++i) {
    const double value = grid_value(from, to, i, points);
    RawParams point_raw = inner;
    point_raw[job.scan_param] = format_param_number(value);
    auto validated = validate_params(info.name, info.params, point_raw);
    if (!validated.is_ok()) {
      return validated.status().with_context("param_scan point " + std::to_string(i));
    }
    if (i == 0) {
      for (const auto& [name, v] : *validated) {
        if (name != job.scan_param) job.params.emplace(name, v);
      }
    }
    job.points.push_back(JobPoint{kernel_params(id, *validated), i, value});
  }
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
  const PointTally shape = empty_tally(job.points[p].params.id);
  if (tally.sums.size() != shape.sums.size() || tally.counts.size() != shape.counts.size()) {
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

Result<JobSpec> make_job(std::string_view kernel, const RawParams& raw, uint64_t samples,
                         uint64_t seed) {
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
  if (kernel == "param_scan") {
    job.is_scan = true;
    HPC_TRY(expand_scan(job, raw));
  } else {
    HPC_ASSIGN_OR_RETURN(KernelId id, native_kernel_id(kernel));
    const KernelInfo& info = native_info(id);
    HPC_ASSIGN_OR_RETURN(job.params, validate_params(info.name, info.params, raw));
    job.samples_per_point = samples;
    job.points.push_back(JobPoint{kernel_params(id, job.params), 0, 0.0});
  }
  job.spec_id = compute_spec_id(job);
  return job;
}

PointTally empty_tally(KernelId id) {
  int sums = 0, counts = 0;
  switch (id) {
    case KernelId::kPi: sums = PiKernel::TallyType::kSums; counts = PiKernel::TallyType::kCounts; break;
    case KernelId::kEemumu:
      sums = EemumuKernel::TallyType::kSums;
      counts = EemumuKernel::TallyType::kCounts;
      break;
    case KernelId::kEuropeanOption:
      sums = EuropeanOptionKernel::TallyType::kSums;
      counts = EuropeanOptionKernel::TallyType::kCounts;
      break;
  }
  HPC_ASSERT(counts >= 1);
  PointTally t;
  t.sums.assign(static_cast<size_t>(sums), ExactSum{});
  t.counts.assign(static_cast<size_t>(counts), 0);
  return t;
}

Partial empty_partial(const JobSpec& job) {
  Partial partial;
  for (const JobPoint& point : job.points) partial.points.push_back(empty_tally(point.params.id));
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
    switch (job.points[p].params.id) {
      case KernelId::kPi: point.fields = pi_fields(partial.points[p]); break;
      case KernelId::kEemumu: {
        HPC_ASSIGN_OR_RETURN(point.fields, eemumu_fields(partial.points[p]));
        break;
      }
      case KernelId::kEuropeanOption: point.fields = european_option_fields(partial.points[p]); break;
    }
    result.points.push_back(std::move(point));
  }
  result.encoding = encode_result(job, partial, result.points);
  result.digest = sha256(result.encoding);
  return result;
}

}  // namespace hpchain::compute
