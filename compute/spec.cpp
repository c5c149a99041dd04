#include "compute/spec.h"

#include "compute/encoding.h"

namespace hpchain::compute {

Bytes encode_compute_spec(const JobSpec& job) {
  Bytes out;
  put_string(out, "hpchain.compute.spec.v1");
  put_u32(out, kComputeVersion);
  put_string(out, job.kernel);
  put_params(out, job.params);
  put_u64(out, job.samples);
  put_u64(out, job.seed);
  return out;
}

Hash32 compute_spec_id(const JobSpec& job) { return sha256(encode_compute_spec(job)); }

hpchain::v1::ComputeSpec spec_to_proto(const JobSpec& job) {
  hpchain::v1::ComputeSpec p;
  p.set_kernel(job.kernel);
  for (const auto& [name, value] : job.params) {
    auto* param = p.add_params();
    param->set_name(name);
    param->set_value(value.text);
  }
  p.set_samples(job.samples);
  p.set_seed(job.seed);
  p.set_compute_version(kComputeVersion);
  return p;
}

Result<JobSpec> spec_from_proto(const KernelRegistry& registry, const hpchain::v1::ComputeSpec& p) {
  if (p.compute_version() != kComputeVersion) {
    return Status::invalid_argument("compute version " + std::to_string(p.compute_version()) +
                                    " of the spec is not this engine's version " +
                                    std::to_string(kComputeVersion));
  }
  RawParams raw;
  for (const auto& param : p.params()) {
    if (!raw.emplace(param.name(), param.value()).second) {
      return Status::invalid_argument("spec lists parameter '" + param.name() + "' twice");
    }
  }
  return make_job(registry, p.kernel(), raw, p.samples(), p.seed());
}

Result<JobSpec> spec_from_proto(const hpchain::v1::ComputeSpec& p) { return spec_from_proto(native_kernels(), p); }

}  // namespace hpchain::compute
