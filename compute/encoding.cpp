#include "compute/encoding.h"

#include <cstring>

namespace hpchain::compute {

void put_u32(Bytes& out, uint32_t v) {
  for (int b = 3; b >= 0; --b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}

void put_u64(Bytes& out, uint64_t v) {
  for (int b = 7; b >= 0; --b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}

void put_f64(Bytes& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  put_u64(out, bits);
}

void put_string(Bytes& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

void put_hash(Bytes& out, const Hash32& h) { out.insert(out.end(), h.span().begin(), h.span().end()); }

void put_sum(Bytes& out, const ExactSum& sum) {
  uint8_t bytes[ExactSum::kBytes];
  sum.to_big_endian(bytes);
  out.insert(out.end(), bytes, bytes + ExactSum::kBytes);
}

void put_params(Bytes& out, const ParamSet& params) {
  put_u32(out, static_cast<uint32_t>(params.size()));
  for (const auto& [name, value] : params) {
    put_string(out, name);
    out.push_back(static_cast<uint8_t>(value.type));
    put_f64(out, value.number);
    put_string(out, value.text);
  }
}

}  // namespace hpchain::compute
