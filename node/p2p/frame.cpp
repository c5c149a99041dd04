#include "node/p2p/frame.h"

#include "chain/codec.h"

namespace hpchain::p2p {

Bytes encode_frame(hpchain::v1::MessageType type, ByteSpan payload) {
  hpchain::v1::Envelope e;
  e.set_type(type);
  e.set_payload(payload.data(), payload.size());
  const Bytes body = serialize_proto(e);
  Bytes frame;
  frame.reserve(kFrameHeaderBytes + body.size());
  const auto n = static_cast<uint32_t>(body.size());
  for (int i = 3; i >= 0; --i) frame.push_back(static_cast<uint8_t>(n >> (8 * i)));
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

uint32_t frame_length(const uint8_t header[kFrameHeaderBytes]) {
  return (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) | (uint32_t{header[2]} << 8) | header[3];
}

Result<hpchain::v1::Envelope> decode_envelope(ByteSpan body) {
  hpchain::v1::Envelope e;
  HPC_TRY(parse_proto(body, e, "p2p envelope"));
  if (e.type() == hpchain::v1::MESSAGE_UNSPECIFIED || !hpchain::v1::MessageType_IsValid(e.type())) {
    return Status::invalid_argument("p2p envelope of unknown type " + std::to_string(e.type()));
  }
  return e;
}

}  // namespace hpchain::p2p
