#include "consensus/state_cert.h"

#include <algorithm>

#include "chain/codec.h"
#include "consensus/codec.h"

namespace hpchain::consensus {
namespace {

void put_u64(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

std::string str(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

hpchain::v1::StateClaim claim_to_proto(const StateClaim& c) {
  hpchain::v1::StateClaim p;
  p.set_epoch(c.epoch);
  p.set_height(c.height);
  p.set_block_id(str(c.block_id));
  p.set_state_root(str(c.state_root));
  p.set_next_set_hash(str(c.next_set_hash));
  return p;
}

Result<Hash32> hash32(const std::string& s, const char* what) {
  auto h = Hash32::from_bytes(as_bytes(s));
  if (!h.is_ok()) return Status::invalid_argument(std::string(what) + " is not 32 bytes");
  return h;
}

Result<StateClaim> claim_from_proto(const hpchain::v1::StateClaim& p) {
  StateClaim c;
  c.epoch = p.epoch();
  c.height = p.height();
  HPC_ASSIGN_OR_RETURN(c.block_id, hash32(p.block_id(), "state claim block id"));
  HPC_ASSIGN_OR_RETURN(c.state_root, hash32(p.state_root(), "state root"));
  HPC_ASSIGN_OR_RETURN(c.next_set_hash, hash32(p.next_set_hash(), "next set hash"));
  return c;
}

Result<Signature> signature(const std::string& s) {
  auto sig = Signature::from_bytes(as_bytes(s));
  if (!sig.is_ok()) return Status::invalid_argument("state signature is not 64 bytes");
  return sig;
}

Result<StateMessageBody> body_from_proto(const hpchain::v1::StateMessage& m) {
  if (m.has_vote()) {
    StateVote v;
    HPC_ASSIGN_OR_RETURN(v.claim, claim_from_proto(m.vote().claim()));
    v.signer = m.vote().validator_index();
    HPC_ASSIGN_OR_RETURN(v.signature, signature(m.vote().signature()));
    return StateMessageBody{v};
  }
  if (m.has_certificate()) {
    if (static_cast<size_t>(m.certificate().signatures_size()) > kMaxValidators) {
      return Status::invalid_argument("state certificate has too many signatures");
    }
    StateCertificate c;
    HPC_ASSIGN_OR_RETURN(c.claim, claim_from_proto(m.certificate().claim()));
    for (const auto& s : m.certificate().signatures()) {
      HPC_ASSIGN_OR_RETURN(auto sig, signature(s.signature()));
      c.signatures.push_back({s.validator_index(), sig});
    }
    return StateMessageBody{std::move(c)};
  }
  return Status::invalid_argument("malformed state message: no kind");
}

}  // namespace

Bytes state_signing_bytes(const StateClaim& c) {
  Bytes out;
  out.reserve(112);
  put_u64(out, c.epoch);
  put_u64(out, c.height);
  out.insert(out.end(), c.block_id.bytes.begin(), c.block_id.bytes.end());
  out.insert(out.end(), c.state_root.bytes.begin(), c.state_root.bytes.end());
  out.insert(out.end(), c.next_set_hash.bytes.begin(), c.next_set_hash.bytes.end());
  return out;
}

Verdict verify_state_certificate(const StateCertificate& cert, const ValidatorSet& validators,
                                 const SignatureVerifier& verifier) {
  std::vector<ValidatorIndex> signers;
  uint64_t power = 0;
  for (const auto& s : cert.signatures) {
    if (s.signer >= validators.size()) return Verdict::reject(RejectReason::kUnknownSigner, "not a validator");
    if (std::find(signers.begin(), signers.end(), s.signer) != signers.end()) {
      return Verdict::reject(RejectReason::kDuplicateSigner, "a signer twice");
    }
    signers.push_back(s.signer);
    power += validators.power_of(s.signer);
  }
  if (!validators.is_quorum(power)) return Verdict::reject(RejectReason::kQcNoQuorum, "no quorum of power");
  const Bytes bytes = state_signing_bytes(cert.claim);
  for (const auto& s : cert.signatures) {
    if (!verifier.verify(s.signer, SignDomain::kStateCert, bytes, s.signature).is_ok()) {
      return Verdict::reject(RejectReason::kBadSignature, "a state signature does not verify");
    }
  }
  return Verdict::accept();
}

Bytes encode_state_message(const std::string& chain_id, const StateMessageBody& body) {
  hpchain::v1::StateMessage m;
  m.set_chain_id(chain_id);
  if (const auto* v = std::get_if<StateVote>(&body)) {
    *m.mutable_vote()->mutable_claim() = claim_to_proto(v->claim);
    m.mutable_vote()->set_validator_index(v->signer);
    m.mutable_vote()->set_signature(std::string(v->signature.bytes.begin(), v->signature.bytes.end()));
  } else {
    const auto& c = std::get<StateCertificate>(body);
    *m.mutable_certificate()->mutable_claim() = claim_to_proto(c.claim);
    for (const auto& s : c.signatures) {
      auto* out = m.mutable_certificate()->add_signatures();
      out->set_validator_index(s.signer);
      out->set_signature(std::string(s.signature.bytes.begin(), s.signature.bytes.end()));
    }
  }
  return serialize_proto(m);
}

Result<StateMessage> decode_state_message(ByteSpan bytes) {
  if (bytes.size() > kMessageBytesMax) return Status::resource_exhausted("state message exceeds the limit");
  hpchain::v1::StateMessage m;
  HPC_TRY(parse_proto(bytes, m, "state message"));
  HPC_ASSIGN_OR_RETURN(auto body, body_from_proto(m));
  return StateMessage{m.chain_id(), std::move(body)};
}

std::string DivergenceAction::message() const {
  std::string m = "state divergence at height " + std::to_string(height) + ": our state root " + our_root.hex() +
                  ", certified state root " + certified_root.hex();
  if (our_block != certified_block) {
    m += " (we executed block " + our_block.hex() + ", the certificate names block " + certified_block.hex() + ")";
  } else if (our_root == certified_root) {
    m += " (the next validator set differs: ours " + our_next_set.hex() + ", certified " + certified_next_set.hex() + ")";
  }
  return m;
}

StateCertifier::StateCertifier(std::string chain_id, uint64_t epoch, const ValidatorSet& validators,
                               const SignatureVerifier& verifier, Signer* signer, ValidatorIndex self,
                               uint64_t start_height)
    : chain_id_(std::move(chain_id)),
      epoch_(epoch),
      validators_(validators),
      verifier_(verifier),
      signer_(self < validators.size() ? signer : nullptr),
      self_(self),
      start_height_(start_height) {}

StateActions StateCertifier::on_executed(uint64_t height, const Hash32& block_id, const Hash32& state_root,
                                         const Hash32& next_set_hash) {
  if (halted_) return {};
  const StateClaim claim{epoch_, height, block_id, state_root, next_set_hash};
  executed_[height] = claim;
  if (certified_.count(height)) {
    StateActions out = compare(height);
    prune();
    return out;  // certified already: our vote adds nothing (and is not sent if we disagree)
  }
  StateActions out;
  if (signer_ != nullptr) {
    StateVote vote{claim, self_, signer_->sign(SignDomain::kStateCert, state_signing_bytes(claim))};
    out.push_back(StateVoteAction{encode_state_message(chain_id_, vote)});
    StateActions more = add_vote(vote);
    out.insert(out.end(), more.begin(), more.end());
  }
  StateActions checked = compare(height);
  out.insert(out.end(), checked.begin(), checked.end());
  prune();
  return out;
}

StateActions StateCertifier::on_vote(const StateVote& vote) {
  if (halted_) return {};
  if (vote.signer >= validators_.size() || vote.claim.epoch != epoch_ ||
      !verifier_.verify(vote.signer, SignDomain::kStateCert, state_signing_bytes(vote.claim), vote.signature).is_ok()) {
    ++rejected_;
    return {};
  }
  return add_vote(vote);
}

StateActions StateCertifier::add_vote(const StateVote& vote) {
  const uint64_t h = vote.claim.height;
  const uint64_t top = this->top();
  // Heights far above what we executed or saw certified, or long passed,
  // cannot be kept: a byzantine voter could otherwise fill memory.
  if (certified_.count(h) || h + kStateWindow <= top || h > top + kStateWindow) return {};
  auto& claims = votes_[h];
  for (const auto& [claim, signers] : claims) {
    if (signers.count(vote.signer)) {  // one vote per signer and height: the first
      if (!(claim == vote.claim)) ++rejected_;
      return {};
    }
  }
  auto& signers = claims[vote.claim];
  signers.emplace(vote.signer, vote.signature);
  uint64_t power = 0;
  for (const auto& [signer, sig] : signers) power += validators_.power_of(signer);
  if (!validators_.is_quorum(power)) return {};
  StateCertificate cert{vote.claim, {}};
  for (const auto& [signer, sig] : signers) cert.signatures.push_back({signer, sig});
  return adopt(cert);
}

StateActions StateCertifier::on_certificate(const StateCertificate& cert) {
  if (halted_ || certified_.count(cert.claim.height)) return {};
  if (cert.claim.epoch != epoch_ || !verify_state_certificate(cert, validators_, verifier_).ok()) {
    ++rejected_;
    return {};
  }
  return adopt(cert);
}

StateActions StateCertifier::on_message(ByteSpan bytes) {
  auto m = decode_state_message(bytes);
  if (!m.is_ok() || m->chain_id != chain_id_) {
    ++rejected_;
    return {};
  }
  if (const auto* v = std::get_if<StateVote>(&m->body)) return on_vote(*v);
  return on_certificate(std::get<StateCertificate>(m->body));
}

StateActions StateCertifier::adopt(const StateCertificate& cert) {
  const uint64_t h = cert.claim.height;
  certified_[h] = cert;
  votes_.erase(h);
  highest_certified_ = std::max(highest_certified_, h);
  StateActions out{CertifiedAction{cert}};
  StateActions checked = compare(h);
  out.insert(out.end(), checked.begin(), checked.end());
  prune();
  return out;
}

StateActions StateCertifier::compare(uint64_t height) {
  auto mine = executed_.find(height);
  auto cert = certified_.find(height);
  if (mine == executed_.end() || cert == certified_.end() || mine->second == cert->second.claim) return {};
  halted_ = true;
  const StateClaim& c = cert->second.claim;
  const StateClaim& m = mine->second;
  return {DivergenceAction{height, m.block_id, m.state_root, m.next_set_hash, c.block_id, c.state_root, c.next_set_hash}};
}

uint64_t StateCertifier::top() const {
  return std::max({start_height_, highest_certified_, executed_.empty() ? 0 : executed_.rbegin()->first});
}

void StateCertifier::prune() {
  const uint64_t top = this->top();
  if (top < kStateWindow) return;
  const uint64_t floor = top - kStateWindow;
  executed_.erase(executed_.begin(), executed_.lower_bound(floor));
  votes_.erase(votes_.begin(), votes_.lower_bound(floor));
  certified_.erase(certified_.begin(), certified_.lower_bound(floor));
}

std::optional<StateCertificate> StateCertifier::certificate(uint64_t height) const {
  auto it = certified_.find(height);
  if (it == certified_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hpchain::consensus
