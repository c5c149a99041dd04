#include "consensus/codec.h"

#include <algorithm>

#include "chain/codec.h"
#include "hpchain/v1/block.pb.h"

namespace hpchain::consensus {
namespace {

std::string to_string_bytes(ByteSpan b) { return std::string(as_string_view(b)); }

Result<Hash32> hash_field(const std::string& s, const char* what) {
  auto h = Hash32::from_bytes(as_bytes(s));
  if (!h.is_ok()) return Status::invalid_argument(std::string(what) + " is not 32 bytes");
  return h;
}

Result<Signature> signature_field(const std::string& s, const char* what) {
  auto sig = Signature::from_bytes(as_bytes(s));
  if (!sig.is_ok()) return Status::invalid_argument(std::string(what) + " is not 64 bytes");
  return sig;
}

hpchain::v1::TimeoutShare share_to_proto(const TimeoutShare& s) {
  hpchain::v1::TimeoutShare p;
  p.set_validator_index(s.signer);
  p.set_high_qc_round(s.high_qc_round);
  p.set_signature(to_string_bytes(s.signature.span()));
  return p;
}

Result<TimeoutShare> share_from_proto(const hpchain::v1::TimeoutShare& p) {
  TimeoutShare s;
  s.signer = p.validator_index();
  s.high_qc_round = p.high_qc_round();
  HPC_ASSIGN_OR_RETURN(s.signature, signature_field(p.signature(), "timeout signature"));
  return s;
}

Result<BlockFields> fields_from_header(const hpchain::v1::BlockHeader& h) {
  BlockFields f;
  f.height = h.height();
  f.round = h.round();
  HPC_ASSIGN_OR_RETURN(f.parent_id, hash_field(h.parent_id(), "parent id"));
  HPC_ASSIGN_OR_RETURN(f.parent_qc, qc_from_proto(h.parent_qc()));
  HPC_ASSIGN_OR_RETURN(f.payload_hash, hash_field(h.payload_hash(), "payload hash"));
  f.epoch = h.epoch();
  f.timestamp_ms = h.timestamp_ms();
  f.proposer = h.proposer_index();
  if (!h.validator_set_hash().empty()) {
    HPC_ASSIGN_OR_RETURN(f.validator_set_hash, hash_field(h.validator_set_hash(), "validator set hash"));
  }
  return f;
}

Result<MessageBody> body_from_proto(const hpchain::v1::ConsensusMessage& m) {
  using K = hpchain::v1::ConsensusMessage;
  switch (m.kind_case()) {
    case K::kProposal: {
      Proposal p;
      HPC_ASSIGN_OR_RETURN(p.block, block_from_proto(m.proposal().block()));
      if (m.proposal().has_tc()) {
        HPC_ASSIGN_OR_RETURN(auto tc, tc_from_proto(m.proposal().tc()));
        p.tc = std::move(tc);
      }
      HPC_ASSIGN_OR_RETURN(p.signature, signature_field(m.proposal().signature(), "proposal signature"));
      return MessageBody{std::move(p)};
    }
    case K::kVote: {
      HPC_ASSIGN_OR_RETURN(auto vote, vote_from_proto(m.vote()));
      return MessageBody{vote};
    }
    case K::kTimeout: {
      TimeoutMsg t;
      t.round = m.timeout().round();
      HPC_ASSIGN_OR_RETURN(t.high_qc, qc_from_proto(m.timeout().high_qc()));
      HPC_ASSIGN_OR_RETURN(t.share, share_from_proto(m.timeout().share()));
      if (m.timeout().has_last_tc()) {
        HPC_ASSIGN_OR_RETURN(auto tc, tc_from_proto(m.timeout().last_tc()));
        t.last_tc = std::move(tc);
      }
      return MessageBody{std::move(t)};
    }
    case K::kBlockRequest: {
      BlockRequest r;
      HPC_ASSIGN_OR_RETURN(r.block_id, hash_field(m.block_request().block_id(), "requested block id"));
      r.max_blocks = std::clamp<uint32_t>(m.block_request().max_blocks(), 1, kMaxBlocksPerResponse);
      return MessageBody{r};
    }
    case K::kBlockResponse: {
      const auto& blocks = m.block_response().blocks();
      if (blocks.empty() || static_cast<size_t>(blocks.size()) > kMaxBlocksPerResponse) {
        return Status::invalid_argument("block response must carry 1 to " +
                                        std::to_string(kMaxBlocksPerResponse) + " blocks");
      }
      BlockResponse r;
      for (const auto& b : blocks) {
        HPC_ASSIGN_OR_RETURN(auto block, block_from_proto(b));
        r.blocks.push_back(std::move(block));
      }
      return MessageBody{std::move(r)};
    }
    case K::KIND_NOT_SET:
      break;
  }
  return Status::invalid_argument("malformed consensus message: no kind");
}

}  // namespace

hpchain::v1::TimeoutCert tc_to_proto(const TimeoutCert& tc) {
  hpchain::v1::TimeoutCert p;
  p.set_round(tc.round);
  for (const auto& s : tc.shares) *p.add_shares() = share_to_proto(s);
  *p.mutable_high_qc() = qc_to_proto(tc.high_qc);
  return p;
}

Result<TimeoutCert> tc_from_proto(const hpchain::v1::TimeoutCert& p) {
  if (static_cast<size_t>(p.shares_size()) > kMaxValidators) {
    return Status::invalid_argument("timeout certificate has too many shares");
  }
  TimeoutCert tc;
  tc.round = p.round();
  for (const auto& s : p.shares()) {
    HPC_ASSIGN_OR_RETURN(auto share, share_from_proto(s));
    tc.shares.push_back(share);
  }
  if (!p.has_high_qc()) return Status::invalid_argument("timeout certificate has no QC");
  HPC_ASSIGN_OR_RETURN(tc.high_qc, qc_from_proto(p.high_qc()));
  return tc;
}

hpchain::v1::QuorumCert qc_to_proto(const QuorumCert& qc) {
  hpchain::v1::QuorumCert p;
  p.set_block_id(to_string_bytes(qc.block_id.span()));
  p.set_round(qc.round);
  p.set_height(qc.height);
  for (const auto& v : qc.votes) {
    auto* s = p.add_votes();
    s->set_validator_index(v.signer);
    s->set_signature(to_string_bytes(v.signature.span()));
  }
  return p;
}

Result<QuorumCert> qc_from_proto(const hpchain::v1::QuorumCert& p) {
  if (static_cast<size_t>(p.votes_size()) > kMaxValidators) {
    return Status::invalid_argument("quorum certificate has too many votes");
  }
  QuorumCert qc;
  HPC_ASSIGN_OR_RETURN(qc.block_id, hash_field(p.block_id(), "certified block id"));
  qc.round = p.round();
  qc.height = p.height();
  for (const auto& v : p.votes()) {
    Signed s;
    s.signer = v.validator_index();
    HPC_ASSIGN_OR_RETURN(s.signature, signature_field(v.signature(), "vote signature"));
    qc.votes.push_back(s);
  }
  return qc;
}

hpchain::v1::VoteMsg vote_to_proto(const Vote& vote) {
  hpchain::v1::VoteMsg p;
  p.set_block_id(to_string_bytes(vote.block_id.span()));
  p.set_round(vote.round);
  p.set_height(vote.height);
  p.set_voter_index(vote.voter);
  p.set_signature(to_string_bytes(vote.signature.span()));
  return p;
}

Result<Vote> vote_from_proto(const hpchain::v1::VoteMsg& p) {
  Vote v;
  HPC_ASSIGN_OR_RETURN(v.block_id, hash_field(p.block_id(), "voted block id"));
  v.round = p.round();
  v.height = p.height();
  v.voter = p.voter_index();
  HPC_ASSIGN_OR_RETURN(v.signature, signature_field(p.signature(), "vote signature"));
  return v;
}

Result<BlockPtr> block_from_proto(const hpchain::v1::Block& proto) {
  hpchain::v1::BlockHeader header;
  HPC_TRY(parse_proto(as_bytes(proto.header_bytes()), header, "block header"));
  HPC_ASSIGN_OR_RETURN(auto fields, fields_from_header(header));
  auto block = std::make_shared<Block>();
  block->fields = std::move(fields);
  block->header_bytes = to_bytes(proto.header_bytes());
  block->id = sha256(block->header_bytes);
  block->payload = to_bytes(proto.payload());
  return BlockPtr(std::move(block));
}

size_t encoded_block_bytes_bound(const Block& block) {
  // Two length-delimited fields (tag + up to 5-byte length each) inside a
  // repeated entry (tag + up to 5-byte length): 18 bytes of framing at most.
  return block.header_bytes.size() + block.payload.size() + 18;
}

hpchain::v1::Block block_to_proto(const Block& block) {
  hpchain::v1::Block p;
  p.set_header_bytes(to_string_bytes(block.header_bytes));
  p.set_payload(to_string_bytes(block.payload));
  return p;
}

Bytes encode_message(const std::string& chain_id, uint64_t epoch, const MessageBody& body) {
  hpchain::v1::ConsensusMessage m;
  m.set_chain_id(chain_id);
  m.set_epoch(epoch);
  if (const auto* p = std::get_if<Proposal>(&body)) {
    HPC_ASSERT(p->block != nullptr);
    auto* out = m.mutable_proposal();
    *out->mutable_block() = block_to_proto(*p->block);
    if (p->tc) *out->mutable_tc() = tc_to_proto(*p->tc);
    out->set_signature(to_string_bytes(p->signature.span()));
  } else if (const auto* v = std::get_if<Vote>(&body)) {
    *m.mutable_vote() = vote_to_proto(*v);
  } else if (const auto* t = std::get_if<TimeoutMsg>(&body)) {
    auto* out = m.mutable_timeout();
    out->set_round(t->round);
    *out->mutable_high_qc() = qc_to_proto(t->high_qc);
    *out->mutable_share() = share_to_proto(t->share);
    if (t->last_tc) *out->mutable_last_tc() = tc_to_proto(*t->last_tc);
  } else if (const auto* rq = std::get_if<BlockRequest>(&body)) {
    m.mutable_block_request()->set_block_id(to_string_bytes(rq->block_id.span()));
    m.mutable_block_request()->set_max_blocks(rq->max_blocks);
  } else {
    const auto& rs = std::get<BlockResponse>(body);
    HPC_ASSERT(!rs.blocks.empty());
    for (const BlockPtr& b : rs.blocks) {
      HPC_ASSERT(b != nullptr);
      *m.mutable_block_response()->add_blocks() = block_to_proto(*b);
    }
  }
  return serialize_proto(m);
}

Result<Message> decode_message(ByteSpan bytes) {
  if (bytes.size() > kMessageBytesMax) {
    return Status::resource_exhausted("consensus message of " + std::to_string(bytes.size()) +
                                      " bytes exceeds the limit");
  }
  hpchain::v1::ConsensusMessage m;
  HPC_TRY(parse_proto(bytes, m, "consensus message"));
  HPC_ASSIGN_OR_RETURN(auto body, body_from_proto(m));
  return Message{m.chain_id(), m.epoch(), std::move(body)};
}

}  // namespace hpchain::consensus
