// Frames on a p2p connection (docs/node.md, "P2P"): u32be length, then the
// bytes of one Envelope. The length is checked before the body is read,
// so an oversized frame costs its sender the connection and us nothing.
#pragma once

#include <cstdint>

#include "chain/bytes.h"
#include "chain/status.h"
#include "hpchain/v1/p2p.pb.h"

namespace hpchain::p2p {

inline constexpr size_t kFrameHeaderBytes = 4;
inline constexpr uint32_t kProtocolVersion = 1;

// The frame of `type` with `payload`.
Bytes encode_frame(hpchain::v1::MessageType type, ByteSpan payload);

// The body length a header announces.
uint32_t frame_length(const uint8_t header[kFrameHeaderBytes]);

// An Envelope from a frame body: InvalidArgument for bytes that do not
// parse, carry unknown fields or name no known type.
Result<hpchain::v1::Envelope> decode_envelope(ByteSpan body);

}  // namespace hpchain::p2p
