// Fuzz target for unit results, the bytes a worker sends and the files
// hpchain-compute merges: decode_unit and decode_unit_file on any bytes give
// a unit or a clean error, never a crash; a decoded unit re-encodes to a
// fixed point, and a decoded file's unit belongs to its rebuilt job.
#include "chain/codec.h"
#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "compute/unit_result.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace hpchain;
using namespace hpchain::compute;

// Bounded work per input: a rebuilt job runs no samples here, but its
// spec may ask for up to 4096 scan points.
void check_unit_bytes(ByteSpan bytes) {
  auto unit = decode_unit(bytes);
  if (!unit.is_ok()) {
    HPC_ASSERT(!unit.status().message().empty());
    return;
  }
  const Bytes once = serialize_proto(unit_to_proto(*unit));
  auto again = decode_unit(once);
  HPC_ASSERT(again.is_ok());
  HPC_ASSERT(encode_unit(*again) == encode_unit(*unit));
}

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  CpuBackend cpu(1);
  const std::vector<std::pair<std::string, RawParams>> kernels = {
      {"pi", {}},
      {"eemumu", {{"sqrt_s", "240"}}},
      {"param_scan", {{"kernel", "european_option"}, {"scan", "strike"}, {"from", "90"}, {"to", "110"},
                      {"points", "3"}}}};
  for (const auto& [kernel, params] : kernels) {
    const JobSpec job = *make_job(kernel, params, 3000, 1);
    auto partial = cpu.run(job, unit_range(job.samples, 3, 1), nullptr);
    const UnitResult unit = make_unit_result(job, job.spec_id, std::move(*partial));
    seeds.push_back(encode_unit_file(job, unit));
    seeds.push_back(serialize_proto(unit_to_proto(unit)));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan bytes(data, size);
  check_unit_bytes(bytes);
  auto file = decode_unit_file(bytes);
  if (file.is_ok()) {
    HPC_ASSERT(file->unit.spec_id == file->job.spec_id);
    HPC_ASSERT(check_unit(file->job, file->unit.job_id, file->unit).is_ok());
    auto again = decode_unit_file(encode_unit_file(file->job, file->unit));
    HPC_ASSERT(again.is_ok());
    HPC_ASSERT(unit_digest(again->unit) == unit_digest(file->unit));
  }
  return 0;
}
