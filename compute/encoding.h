// Writers of the canonical byte encodings behind every compute id and
// digest (docs/compute.md): big-endian integers, doubles as their IEEE-754
// bits in a big-endian u64, strings as a u32 byte length then the bytes.
// Defined out of line (encoding.cpp): inlined into the encoders, GCC 12 at
// -O3 reports false -Wstringop-overflow warnings inside std::vector.
#pragma once

#include <cstdint>
#include <string_view>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "compute/accumulator.h"
#include "compute/params.h"

namespace hpchain::compute {

void put_u32(Bytes& out, uint32_t v);
void put_u64(Bytes& out, uint64_t v);
void put_f64(Bytes& out, double v);
void put_string(Bytes& out, std::string_view s);
void put_hash(Bytes& out, const Hash32& h);
void put_sum(Bytes& out, const ExactSum& sum);
// u32 count, then per parameter in name order: string name, u8 type,
// f64 value (the choice index for choices), string canonical text.
void put_params(Bytes& out, const ParamSet& params);

}  // namespace hpchain::compute
