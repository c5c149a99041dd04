// Protobuf codecs for consensus messages (proto/hpchain/v1/consensus.proto).
//
// Decoding checks structure only (sizes of ids and signatures, bounds on
// repeated fields, a parseable header); signatures, quorums and rounds are
// checked by validation.h. Decoding never aborts on any input.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "consensus/types.h"
#include "hpchain/v1/consensus.pb.h"

namespace hpchain::consensus {

// Larger messages are rejected before parsing (a peer must not make us parse
// megabytes); it bounds the payload a block may carry.
inline constexpr size_t kMessageBytesMax = 4 * 1024 * 1024;
// Room a proposal needs besides its payload: the header, a QC and a TC of
// kMaxValidators signatures each (about 75 and 160 KiB), the signature.
inline constexpr size_t kProposalOverheadMax = 256 * 1024;

// Blocks one response may carry: a fetch catches up this many heights per
// round trip. Responses also stay under kMessageBytesMax (the server stops
// adding ancestors before the limit).
inline constexpr uint32_t kMaxBlocksPerResponse = 64;

struct BlockRequest {
  Hash32 block_id;
  uint32_t max_blocks = 1;  // the block and up to max_blocks - 1 ancestors
};
struct BlockResponse {
  std::vector<BlockPtr> blocks;  // the requested block, then each one's parent; not empty
};

using MessageBody = std::variant<Proposal, Vote, TimeoutMsg, BlockRequest, BlockResponse>;

struct Message {
  std::string chain_id;
  uint64_t epoch = 0;
  MessageBody body;
};

// Encodes one message of `epoch` in a ConsensusMessage envelope.
Bytes encode_message(const std::string& chain_id, uint64_t epoch, const MessageBody& body);

// Decodes an envelope. Errors (all InvalidArgument unless noted):
//   ResourceExhausted  more than kMessageBytesMax bytes;
//   "malformed ..."    not a valid encoding, unknown fields, no kind set;
//   a 32-byte id or 64-byte signature of another length;
//   more than kMaxValidators signatures in a certificate;
//   a block response with no block or more than kMaxBlocksPerResponse.
Result<Message> decode_message(ByteSpan bytes);

// Field-level conversions, shared with the safety-state storage and tests.
hpchain::v1::QuorumCert qc_to_proto(const QuorumCert& qc);
Result<QuorumCert> qc_from_proto(const hpchain::v1::QuorumCert& proto);
hpchain::v1::TimeoutCert tc_to_proto(const TimeoutCert& tc);
Result<TimeoutCert> tc_from_proto(const hpchain::v1::TimeoutCert& proto);
hpchain::v1::VoteMsg vote_to_proto(const Vote& vote);
Result<Vote> vote_from_proto(const hpchain::v1::VoteMsg& proto);
// Decodes a Block: parses its header bytes (which are kept, never
// re-serialised) and computes the id.
Result<BlockPtr> block_from_proto(const hpchain::v1::Block& proto);
hpchain::v1::Block block_to_proto(const Block& block);
// An upper bound on the bytes `block` takes inside a BlockResponse (its
// header and payload with their framing), without encoding it.
size_t encoded_block_bytes_bound(const Block& block);

}  // namespace hpchain::consensus
