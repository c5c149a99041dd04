// Fuzz targets: one file per decoder, each defining
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// and seed inputs through hpchain_fuzz_seeds(). Built with clang and
// -DHPCHAIN_LIBFUZZER=ON they link libFuzzer; otherwise fuzz_main.cpp drives
// them with a bounded, seeded mutation loop so every build (and ctest) runs
// them against the sanitizers of its preset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

// Valid inputs to start mutating from; defined by each target.
std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds();
