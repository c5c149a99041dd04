#include "consensus/preverify.h"

namespace hpchain::consensus {

namespace {
Hash32 signature_key(ValidatorIndex signer, SignDomain domain, ByteSpan message, const Signature& sig) {
  Sha256 h;
  h.update("hpchain.consensus.preverified.v1").update_u64_be(signer).update_u64_be(static_cast<uint64_t>(domain));
  h.update_u64_be(message.size()).update(message).update(sig.span());
  return h.finish();
}

// Collects (signer, domain, signed bytes, signature) of everything a message carries.
struct Checks {
  struct Item {
    ValidatorIndex signer;
    SignDomain domain;
    Bytes message;
    Signature signature;
  };
  uint64_t epoch = 0;  // the message's: signatures of this epoch are what count
  std::vector<Item> items;

  void qc(const QuorumCert& q) {
    const Bytes bytes = vote_signing_bytes(epoch, q.block_id, q.round, q.height);
    for (const auto& v : q.votes) items.push_back({v.signer, SignDomain::kVote, bytes, v.signature});
  }
  void tc(const TimeoutCert& t) {
    for (const auto& s : t.shares) {
      items.push_back({s.signer, SignDomain::kTimeout, timeout_signing_bytes(epoch, t.round, s.high_qc_round), s.signature});
    }
    qc(t.high_qc);
  }
  void body(const Proposal& p) {
    items.push_back({p.block->fields.proposer, SignDomain::kProposal, proposal_signing_bytes(epoch, p.block->id, p.tc),
                     p.signature});
    qc(p.block->parent_qc());
    if (p.tc) tc(*p.tc);
  }
  void body(const Vote& v) {
    items.push_back({v.voter, SignDomain::kVote, vote_signing_bytes(epoch, v.block_id, v.round, v.height), v.signature});
  }
  void body(const TimeoutMsg& t) {
    items.push_back({t.share.signer, SignDomain::kTimeout, timeout_signing_bytes(epoch, t.round, t.share.high_qc_round),
                     t.share.signature});
    qc(t.high_qc);
    if (t.last_tc) tc(*t.last_tc);
  }
  void body(const BlockResponse& r) {
    for (const BlockPtr& b : r.blocks) qc(b->parent_qc());
  }
  void body(const BlockRequest&) {}
};
}  // namespace

void PreverifiedSignatures::record(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                                   const Signature& sig) {
  const Hash32 key = signature_key(signer, domain, message, sig);
  std::lock_guard<std::mutex> lock(mutex_);
  keys_.insert(key);
}

bool PreverifiedSignatures::contains(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                                     const Signature& sig) const {
  const Hash32 key = signature_key(signer, domain, message, sig);
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_.contains(key);
}

size_t PreverifiedSignatures::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_.size();
}

size_t preverify(const Message& message, const SignatureVerifier& verifier, PreverifiedSignatures& out) {
  Checks checks;
  checks.epoch = message.epoch;
  std::visit([&](const auto& body) { checks.body(body); }, message.body);
  size_t recorded = 0;
  for (const auto& item : checks.items) {
    if (out.contains(item.signer, item.domain, item.message, item.signature)) continue;
    if (!verifier.verify(item.signer, item.domain, item.message, item.signature).is_ok()) continue;
    out.record(item.signer, item.domain, item.message, item.signature);
    ++recorded;
  }
  return recorded;
}

Status CachingVerifier::verify(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                               const Signature& sig) const {
  if (known_.contains(signer, domain, message, sig)) return Status::ok();
  return inner_.verify(signer, domain, message, sig);
}

}  // namespace hpchain::consensus
