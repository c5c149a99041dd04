#include "compute/kernels/param_scan.h"

namespace hpchain::compute {

namespace {
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

bool has_real_param(const KernelInfo& info, std::string_view name) {
  for (const auto& spec : info.params) {
    if (spec.name == name && spec.type == ParamType::kReal) return true;
  }
  return false;
}

// Splits the raw parameters into param_scan's own and the scanned kernel's.
void split_raw(const KernelInfo& scan_info, const RawParams& raw, RawParams& own, RawParams& inner) {
  for (const auto& [name, value] : raw) {
    bool is_own = false;
    for (const auto& spec : scan_info.params) is_own = is_own || spec.name == name;
    (is_own ? own : inner).emplace(name, value);
  }
}

Result<std::shared_ptr<const KernelDescriptor>> scanned_kernel(const KernelRegistry& registry,
                                                               const JobSpec& job) {
  const std::string& name = job.params.at("kernel").text;
  auto kernel = registry.find(name);
  if (kernel == nullptr) {
    return Status::invalid_argument("parameter 'kernel': no kernel '" + name +
                                    "' (try: hpchain-compute kernels)");
  }
  if (!has_real_param(kernel->info, job.scan_param)) {
    return Status::invalid_argument("parameter 'scan': kernel '" + name + "' has no real parameter '" +
                                    job.scan_param + "'");
  }
  return kernel;
}
}  // namespace

KernelInfo param_scan_info(const KernelRegistry& registry) {
  std::string scannable;
  for (const auto& kernel : registry.kernels()) {
    for (const auto& spec : kernel->info.params) {
      if (spec.type != ParamType::kReal) continue;
      scannable += (scannable.empty() ? "" : ", ") + kernel->info.name;
      break;
    }
  }
  return KernelInfo{
      "param_scan",
      "a grid over one real parameter of another kernel, each point its own Philox stream; "
      "other parameters pass through to that kernel",
      {
          {"kernel", ParamType::kName, true, 0.0, 0.0, 0.0, {}, "the kernel to scan: " + scannable},
          {"scan", ParamType::kName, true, 0.0, 0.0, 0.0, {}, "the real parameter of that kernel to vary"},
          {"from", ParamType::kReal, true, 0.0, -1e6, 1e6, {}, "first grid value"},
          {"to", ParamType::kReal, true, 0.0, -1e6, 1e6, {}, "last grid value"},
          {"points", ParamType::kInteger, false, 24.0, 2.0, 4096.0, {},
           "number of grid points; samples must be a multiple of it"},
      },
      {"points: [{value, result}]"}};
}

Status expand_scan(const KernelRegistry& registry, JobSpec& job, const RawParams& raw) {
  const KernelInfo scan_info = param_scan_info(registry);
  RawParams own, inner;
  split_raw(scan_info, raw, own, inner);
  HPC_ASSIGN_OR_RETURN(job.params, validate_params("param_scan", scan_info.params, own));
  job.scan_param = job.params.at("scan").text;
  HPC_ASSIGN_OR_RETURN(job.descriptor, scanned_kernel(registry, job));
  const KernelDescriptor& kernel = *job.descriptor;
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
    const std::string where = "param_scan point " + std::to_string(i);
    auto validated = validate_params(kernel.info.name, kernel.info.params, point_raw);
    if (!validated.is_ok()) return validated.status().with_context(where);
    if (i == 0) {
      for (const auto& [name, v] : *validated) {
        if (name != job.scan_param) job.params.emplace(name, v);
      }
    }
    auto instance = kernel.instantiate(*validated);
    if (!instance.is_ok()) return instance.status().with_context(where);
    job.points.push_back(JobPoint{std::move(instance).value(), i, value});
  }
  return Status::ok();
}

}  // namespace hpchain::compute
