// Driver for fuzz targets without libFuzzer: with file arguments it replays
// them (a crash corpus); without, it mutates the target's seeds for a fixed
// number of iterations with a fixed PRNG (splitmix64), so a run is
// reproducible and bounded. Usage: <target> [--iterations N] [--seed S] [FILE...]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One random edit: flip a bit, overwrite, insert, delete, truncate or
// duplicate a range. Inputs stay below 1 MiB.
void mutate(std::vector<uint8_t>& in, uint64_t& rng) {
  const uint64_t r = splitmix64(rng);
  const size_t pos = in.empty() ? 0 : splitmix64(rng) % in.size();
  switch (r % 6) {
    case 0: if (!in.empty()) in[pos] ^= static_cast<uint8_t>(1u << (r >> 8) % 8); break;
    case 1: if (!in.empty()) in[pos] = static_cast<uint8_t>(r >> 16); break;
    case 2: if (in.size() < (1u << 20)) in.insert(in.begin() + pos, static_cast<uint8_t>(r >> 24)); break;
    case 3: if (!in.empty()) in.erase(in.begin() + pos); break;
    case 4: in.resize(pos); break;
    default:
      if (in.size() < (1u << 19)) {
        const std::vector<uint8_t> copy(in.begin() + pos, in.end());
        in.insert(in.end(), copy.begin(), copy.end());
      }
  }
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 20000;
  uint64_t seed = 1;
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = std::strtol(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::ifstream f(argv[i], std::ios::binary);
      if (!f) {
        std::fprintf(stderr, "cannot read %s\n", argv[i]);
        return 2;
      }
      const std::vector<uint8_t> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++files;
    }
  }
  if (files > 0) {
    std::printf("replayed %d inputs\n", files);
    return 0;
  }
  const auto seeds = hpchain_fuzz_seeds();
  uint64_t rng = seed;
  for (long i = 0; i < iterations; ++i) {
    std::vector<uint8_t> input = seeds[splitmix64(rng) % seeds.size()];
    const int edits = 1 + static_cast<int>(splitmix64(rng) % 3);
    for (int e = 0; e < edits; ++e) mutate(input, rng);
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%ld mutated inputs, seed %llu: no crash\n", iterations, static_cast<unsigned long long>(seed));
  return 0;
}
