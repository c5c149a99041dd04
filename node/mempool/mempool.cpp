#include "node/mempool/mempool.h"

#include <algorithm>
#include <map>
#include <queue>

#include "chain/check.h"
#include "chain/log.h"
#include "chain/uint128.h"
#include "ledger/ledger.h"

namespace hpchain::mempool {

std::string_view reject_name(Reject r) {
  static constexpr std::string_view kNames[kRejectCount] = {
      "too_large", "malformed", "bad_signature", "wrong_chain", "duplicate", "nonce_too_low", "nonce_gap",
      "nonce_taken", "fee_too_low", "fee_unpaid", "full", "busy", "state"};
  return kNames[static_cast<int>(r)];
}

namespace {

Reject reject_of(TxRejection r) {
  switch (r) {
    case TxRejection::kTooLarge: return Reject::kTooLarge;
    case TxRejection::kBadSignature: return Reject::kBadSignature;
    case TxRejection::kWrongChain: return Reject::kWrongChain;
    default: return Reject::kMalformed;
  }
}

// a pays less per byte than b: fee_a / size_a < fee_b / size_b.
bool cheaper(const VerifiedTx& a, const VerifiedTx& b) {
  return Uint128{a.body.fee()} * b.raw_bytes.size() < Uint128{b.body.fee()} * a.raw_bytes.size();
}

}  // namespace

Mempool::Mempool(MempoolOptions options, const AccountState& state, MempoolObserver* observer)
    : options_(std::move(options)), state_(state), observer_(observer), workers_(options_.verify_threads, kPendingMax) {}

Mempool::~Mempool() = default;

const char* Mempool::claim(const Hash32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_id_.count(id) > 0) return "already in the mempool";
  if (recent_committed_.count(id) > 0) return "already committed";
  if (!checking_.insert(id).second) return "already being checked";
  return nullptr;
}

Admission Mempool::check(const Hash32& id, const Bytes& raw) {
  TxRejection why = TxRejection::kNone;
  auto vtx = decode_and_verify_tx(raw, options_.chain_id, &why);
  Admission a;
  if (!vtx.is_ok()) {
    a = Admission{id, reject_of(why), vtx.status().message()};
  } else if (auto fields = ledger::check_tx_fields(vtx.value()); !fields.is_ok()) {
    a = Admission{id, Reject::kMalformed, fields.message()};
  } else {
    a = admit(std::move(vtx).value());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    checking_.erase(id);
  }
  if (a.rejected && observer_) observer_->on_rejected(*a.rejected);
  return a;
}

void Mempool::submit(Bytes raw, std::function<void(const Admission&)> done) {
  const Hash32 id = tx_id(raw);
  auto refuse = [&](Reject why, std::string detail) {
    if (observer_) observer_->on_rejected(why);
    done(Admission{id, why, std::move(detail)});
  };
  if (const char* duplicate = claim(id)) return refuse(Reject::kDuplicate, duplicate);
  auto task = [this, id, raw = std::move(raw), done]() mutable { done(check(id, raw)); };
  if (!workers_.post(std::move(task))) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      checking_.erase(id);
    }
    refuse(Reject::kBusy, "too many transactions are waiting to be checked");
  }
}

Admission Mempool::submit_here(Bytes raw) {
  const Hash32 id = tx_id(raw);
  if (const char* duplicate = claim(id)) {
    if (observer_) observer_->on_rejected(Reject::kDuplicate);
    return Admission{id, Reject::kDuplicate, duplicate};
  }
  return check(id, raw);
}

Admission Mempool::admit(VerifiedTx tx) {
  const Hash32 id = tx.id;
  const uint64_t nonce = tx.body.nonce();
  auto account = state_.account(tx.sender);
  auto fee_min = state_.required_fee(tx.raw_bytes.size());
  if (!account.is_ok() || !fee_min.is_ok()) {
    return {id, Reject::kState, "cannot read the chain state: " + (account.is_ok() ? fee_min.status() : account.status()).message()};
  }
  if (tx.body.fee() < fee_min.value()) return {id, Reject::kFeeTooLow, "fee below " + std::to_string(fee_min.value())};
  std::lock_guard<std::mutex> lock(mu_);
  if (by_id_.count(id)) return {id, Reject::kDuplicate, "already in the mempool"};
  if (nonce < account->nonce) return {id, Reject::kNonceTooLow, "nonce " + std::to_string(nonce) + ", the account is at " + std::to_string(account->nonce)};
  if (nonce >= account->nonce + kNonceAheadMax) return {id, Reject::kNonceGap, "nonce more than 64 ahead of the account's"};
  auto& mine = by_sender_[tx.sender];
  if (mine.count(nonce)) return {id, Reject::kNonceTaken, "another transaction of the sender has this nonce"};
  Uint128 committed_fees = tx.body.fee();
  for (const auto& [n, other] : mine) committed_fees += by_id_.at(other).body.fee();
  if (committed_fees > account->balance) {
    if (mine.empty()) by_sender_.erase(tx.sender);
    return {id, Reject::kFeeUnpaid, "the sender's balance does not cover the fees it has pending"};
  }
  std::string detail;
  if (auto full = make_room(tx, detail)) {
    if (by_sender_[tx.sender].empty()) by_sender_.erase(tx.sender);
    return {id, *full, detail};
  }
  by_sender_[tx.sender][nonce] = id;
  bytes_ += tx.raw_bytes.size();
  by_id_.emplace(id, std::move(tx));
  publish_size();
  return {id, std::nullopt, ""};
}

// Evicts the cheapest sender tails until `tx` fits; the rule is in the header.
std::optional<Reject> Mempool::make_room(const VerifiedTx& tx, std::string& detail) {
  while (by_id_.size() + 1 > options_.max_txs || bytes_ + tx.raw_bytes.size() > options_.max_bytes) {
    const VerifiedTx* victim = nullptr;
    for (const auto& [sender, nonces] : by_sender_) {
      // Not the newcomer's own sender: evicting its tail would leave the
      // newcomer behind a gap.
      if (nonces.empty() || sender == tx.sender) continue;
      const VerifiedTx& tail = by_id_.at(nonces.rbegin()->second);
      if (victim == nullptr || cheaper(tail, *victim) || (!cheaper(*victim, tail) && tail.id < victim->id)) victim = &tail;
    }
    if (victim == nullptr || !cheaper(*victim, tx)) {
      detail = "the mempool is full and this transaction pays no more per byte than any it could replace";
      return Reject::kFull;
    }
    HPC_LOG(kMempool, debug, "evicting {} for {}", victim->id.hex(), tx.id.hex());
    remove(victim->id);
  }
  return std::nullopt;
}

void Mempool::remove(const Hash32& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto s = by_sender_.find(it->second.sender);
  s->second.erase(it->second.body.nonce());
  if (s->second.empty()) by_sender_.erase(s);
  bytes_ -= it->second.raw_bytes.size();
  by_id_.erase(it);
}

std::vector<VerifiedTx> Mempool::reap(size_t max_bytes, size_t max_count) const {
  return reap_after({}, max_bytes, max_count);
}

std::vector<VerifiedTx> Mempool::reap_after(std::span<const VerifiedTx> pending, size_t max_bytes,
                                            size_t max_count) const {
  std::map<Address, uint64_t> after_pending;  // per sender: the nonce after its highest pending one
  for (const auto& tx : pending) {
    uint64_t& next = after_pending[tx.sender];
    next = std::max(next, tx.body.nonce() + 1);
  }
  std::lock_guard<std::mutex> lock(mu_);
  // Each sender's ready run, then a merge by fee per byte.
  struct Run {
    std::vector<const VerifiedTx*> txs;
    size_t next = 0;
  };
  std::vector<Run> runs;
  for (const auto& [sender, nonces] : by_sender_) {
    auto account = state_.account(sender);
    if (!account.is_ok()) continue;
    Run run;
    const auto pending_next = after_pending.find(sender);
    uint64_t want = std::max(account->nonce, pending_next == after_pending.end() ? 0 : pending_next->second);
    for (const auto& [nonce, id] : nonces) {
      if (nonce < want) continue;  // carried by an uncommitted ancestor
      if (nonce != want) break;
      run.txs.push_back(&by_id_.at(id));
      ++want;
    }
    if (!run.txs.empty()) runs.push_back(std::move(run));
  }
  auto worse = [&](size_t a, size_t b) {  // heap order: the best head on top
    const VerifiedTx& x = *runs[a].txs[runs[a].next];
    const VerifiedTx& y = *runs[b].txs[runs[b].next];
    if (cheaper(x, y)) return true;
    if (cheaper(y, x)) return false;
    return y.id < x.id;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(worse)> heads(worse);
  for (size_t i = 0; i < runs.size(); ++i) heads.push(i);
  std::vector<VerifiedTx> out;
  size_t used = 0;
  while (!heads.empty() && out.size() < max_count) {
    const size_t r = heads.top();
    heads.pop();
    const VerifiedTx& tx = *runs[r].txs[runs[r].next];
    if (used + tx.raw_bytes.size() > max_bytes) continue;  // this sender's run stops here
    used += tx.raw_bytes.size();
    out.push_back(tx);
    if (++runs[r].next < runs[r].txs.size()) heads.push(r);
  }
  return out;
}

void Mempool::recheck(std::span<const VerifiedTx> committed) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<Address, bool> senders;
  for (const auto& tx : committed) {
    remove(tx.id);
    senders[tx.sender] = true;
    if (recent_committed_.insert(tx.id).second) recent_order_.push_back(tx.id);
  }
  while (recent_order_.size() > kRecentCommittedMax) {
    recent_committed_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
  for (const auto& [sender, unused] : senders) {
    auto account = state_.account(sender);
    auto it = by_sender_.find(sender);
    if (!account.is_ok() || it == by_sender_.end()) continue;
    std::vector<Hash32> stale;
    for (const auto& [nonce, id] : it->second) {
      if (nonce < account->nonce) stale.push_back(id);
    }
    for (const auto& id : stale) remove(id);
  }
  publish_size();
}

size_t Mempool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}
size_t Mempool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}
std::optional<VerifiedTx> Mempool::find(const Hash32& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

bool Mempool::contains(const Hash32& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.count(id) > 0;
}

uint64_t Mempool::next_nonce(const Address& sender, uint64_t committed_nonce) const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t next = committed_nonce;
  auto it = by_sender_.find(sender);
  if (it == by_sender_.end()) return next;
  for (auto n = it->second.find(next); n != it->second.end() && n->first == next; ++n) ++next;
  return next;
}

void Mempool::publish_size() {
  if (observer_) observer_->on_size(by_id_.size(), bytes_);
}

}  // namespace hpchain::mempool
