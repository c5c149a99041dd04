#include "compute/registry.h"

#include "compute/kernels/native.h"
#include "compute/kernels/native_list.h"

namespace hpchain::compute {

Status KernelRegistry::add(KernelDescriptor descriptor) {
  const std::string& name = descriptor.info.name;
  if (!is_valid_name(name)) {
    return Status::invalid_argument("kernel name '" + name + "' is not 1 to 64 of [a-z0-9_]");
  }
  if (name == "param_scan") return Status::invalid_argument("kernel name 'param_scan' is reserved");
  if (!descriptor.instantiate || !descriptor.run_cpu || !descriptor.finalize) {
    return Status::invalid_argument("kernel '" + name + "' lacks instantiate, run_cpu or finalize");
  }
  if (find(name) != nullptr) return Status::already_exists("kernel '" + name + "' is already registered");
  kernels_.push_back(std::make_shared<const KernelDescriptor>(std::move(descriptor)));
  return Status::ok();
}

std::shared_ptr<const KernelDescriptor> KernelRegistry::find(std::string_view name) const {
  for (const auto& kernel : kernels_) {
    if (kernel->info.name == name) return kernel;
  }
  return nullptr;
}

void register_native_kernels(KernelRegistry& registry) {
  for_each_native_kernel([&](auto kernel) {
    const Status status = registry.add(native_descriptor<decltype(kernel)>());
    HPC_ASSERT(status.is_ok());
  });
}

const KernelRegistry& native_kernels() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    register_native_kernels(r);
    return r;
  }();
  return registry;
}

}  // namespace hpchain::compute
