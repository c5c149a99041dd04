// Writers of the canonical byte encodings behind every compute id and
// digest (docs/compute.md): big-endian integers, doubles as their IEEE-754
// bits in a big-endian u64, strings as a u32 byte length then the bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "compute/accumulator.h"
#include "compute/params.h"

namespace hpchain::compute {

inline void put_u32(Bytes& out, uint32_t v) {
  for (int b = 3; b >= 0; --b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}
inline void put_u64(Bytes& out, uint64_t v) {
  for (int b = 7; b >= 0; --b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}
inline void put_f64(Bytes& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  put_u64(out, bits);
}
inline void put_string(Bytes& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
inline void put_hash(Bytes& out, const Hash32& h) { out.insert(out.end(), h.span().begin(), h.span().end()); }
inline void put_sum(Bytes& out, const ExactSum& sum) {
  uint8_t bytes[ExactSum::kBytes];
  sum.to_big_endian(bytes);
  out.insert(out.end(), bytes, bytes + ExactSum::kBytes);
}
// u32 count, then per parameter in name order: string name, u8 type,
// f64 value (the choice index for choices), string canonical text.
inline void put_params(Bytes& out, const ParamSet& params) {
  put_u32(out, static_cast<uint32_t>(params.size()));
  for (const auto& [name, value] : params) {
    put_string(out, name);
    out.push_back(static_cast<uint8_t>(value.type));
    put_f64(out, value.number);
    put_string(out, value.text);
  }
}

}  // namespace hpchain::compute
