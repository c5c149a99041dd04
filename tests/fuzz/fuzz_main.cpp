// Driver for fuzz targets without libFuzzer (every build and ctest): replays
// the checked-in corpus, then mutates it and the target's seeds for a fixed
// number of iterations with a fixed PRNG (splitmix64), so a run is
// reproducible and bounded. With the fuzz preset the same targets link
// libFuzzer instead (./run fuzz).
//
// Usage: <target> [--corpus DIR] [--iterations N] [--seed S] [--write-seeds DIR] [FILE...]
//   --corpus DIR       replay every file of DIR first, and mutate them too
//   --write-seeds DIR  write the target's built-in seeds as files and exit
//   FILE...            replay just these inputs (a crash reproducer) and exit
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "chain/hash.h"
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

bool read_file(const std::filesystem::path& path, std::vector<uint8_t>& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

// Files of `dir` in name order, so a replay is the same on every machine.
std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Seeds are named by content (as libFuzzer names its corpus), so writing
// them again adds nothing twice.
int write_seeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto seeds = hpchain_fuzz_seeds();
  for (const auto& seed : seeds) {
    const auto name = hpchain::sha256(hpchain::ByteSpan(seed.data(), seed.size())).hex().substr(0, 40);
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(seed.data()),
                                                      static_cast<std::streamsize>(seed.size()));
  }
  std::printf("wrote %zu seeds to %s\n", seeds.size(), dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 20000;
  uint64_t seed = 1;
  std::string corpus;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--iterations") == 0 && has_value) {
      iterations = std::strtol(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--seed") == 0 && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--corpus") == 0 && has_value) {
      corpus = argv[++i];
    } else if (std::strcmp(argv[i], "--write-seeds") == 0 && has_value) {
      return write_seeds(argv[++i]);
    } else {
      files.push_back(argv[i]);
    }
  }
  std::vector<uint8_t> data;
  for (const auto& file : files) {
    if (!read_file(file, data)) {
      std::fprintf(stderr, "cannot read %s\n", file.c_str());
      return 2;
    }
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  if (!files.empty()) {
    std::printf("replayed %zu inputs\n", files.size());
    return 0;
  }
  auto pool = hpchain_fuzz_seeds();
  if (!corpus.empty()) {
    if (!std::filesystem::is_directory(corpus)) {
      std::fprintf(stderr, "no corpus directory %s\n", corpus.c_str());
      return 2;
    }
    const auto entries = files_in(corpus);
    for (const auto& file : entries) {
      if (!read_file(file, data)) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 2;
      }
      LLVMFuzzerTestOneInput(data.data(), data.size());
      pool.push_back(data);
    }
    std::printf("replayed %zu corpus inputs from %s\n", entries.size(), corpus.c_str());
  }
  if (pool.empty()) {
    std::fprintf(stderr, "no seeds to mutate\n");
    return 2;
  }
  uint64_t rng = seed;
  for (long i = 0; i < iterations; ++i) {
    std::vector<uint8_t> input = pool[splitmix64(rng) % pool.size()];
    const int edits = 1 + static_cast<int>(splitmix64(rng) % 3);
    for (int e = 0; e < edits; ++e) mutate(input, rng);
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%ld mutated inputs, seed %llu: no crash\n", iterations, static_cast<unsigned long long>(seed));
  return 0;
}
