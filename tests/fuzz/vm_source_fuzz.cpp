// Fuzz target for the compiler front end (a user's .hk source, e.g. from
// the CLI or a future RPC): parse, compile and verify any text. Checked:
// no crash and no stack exhaustion (nesting is bounded); an error always
// reads "LINE:COLUMN: message"; whatever compiles also verifies and
// round-trips through its canonical bytecode.
#include <cctype>

#include "tests/fuzz/fuzz.h"
#include "vm/compiler.h"
#include "vm/parser.h"

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  for (const char* source : {
           "let x = uniform()\nlet y = uniform()\ncount hits += x * x + y * y < 1.0\nresult pi = 4 * hits\n"
           "result pi_err = 4 * err(hits)\n",
           "param a: f64 = 1 in [0.01, 10]\nvar r2 = 0.0\nfor d in 0..5 {\n  let x = uniform()\n  r2 = r2 + x * x\n}\n"
           "tally integral += exp(-a * r2)\nresult exact = pow(sqrt(pi / (4 * a)) * erf(sqrt(a)), 5)\n",
           "param put: i64 = 0 in [0, 1]\nlet t = 100 * exp(0.2 * normal())\n"
           "tally price += if put == 0 { max(t - 100, 0) } else { max(100 - t, 0) }\n"
           "hist h[-1, 1, 20] <- 2.0 * uniform() - 1.0 weight t\n",
       }) {
    seeds.emplace_back(source, source + std::char_traits<char>::length(source));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  auto program = hpchain::vm::compile_source(source);
  if (!program.is_ok()) {
    const std::string m = program.status().message();
    const size_t colon = m.find(':');
    HPC_ASSERT(colon > 0 && colon != std::string::npos && std::isdigit(static_cast<unsigned char>(m[0])));
    return 0;
  }
  const hpchain::Bytes bytes = hpchain::vm::encode(program->program);
  auto loaded = hpchain::vm::load_program(bytes);
  HPC_ASSERT(loaded.is_ok() && loaded->program == program->program && loaded->id == program->id);
  return 0;
}
