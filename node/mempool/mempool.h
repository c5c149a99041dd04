// The mempool (docs/node.md, "Mempool"): transactions waiting for a block.
//
// Signatures are checked on a pool of worker threads (submit: never on the
// caller's thread, which may be the network's) or on an RPC handler's own
// thread (submit_here), then a transaction is admitted under one lock if its sender's
// nonce fits, its fee follows the chain's rule and the sender can pay it,
// and there is room. Bounds: max_txs and max_bytes held; at most
// kNonceAheadMax nonces ahead of an account's; at most kPendingMax
// submissions waiting for a worker (beyond: `busy`).
//
// Eviction rule, when full: the candidates are the last transaction (the
// highest nonce) of each sender, so no sender is left with a nonce gap. The
// candidate with the lowest fee per byte is evicted if the newcomer pays
// more per byte; otherwise the newcomer is refused as `full`.
//
// Thread-safety: every method may be called from any thread. Callbacks run
// on a worker thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "chain/tx.h"
#include "hpchain/v1/ledger.pb.h"
#include "node/mempool/work_queue.h"

namespace hpchain::mempool {

inline constexpr uint64_t kNonceAheadMax = 64;
inline constexpr size_t kPendingMax = 8'192;
inline constexpr size_t kRecentCommittedMax = 65'536;

// What the mempool reads of the chain (the state at the last commit).
class AccountState {
 public:
  virtual ~AccountState() = default;
  struct Account {
    uint64_t nonce = 0;
    uint64_t balance = 0;
  };
  virtual Result<Account> account(const Address& address) const = 0;
  // The credits a transaction of `tx_bytes` must offer at least.
  virtual Result<uint64_t> required_fee(size_t tx_bytes) const = 0;
};

enum class Reject : uint8_t {
  kTooLarge, kMalformed, kBadSignature, kWrongChain, kDuplicate, kNonceTooLow, kNonceGap, kNonceTaken,
  kFeeTooLow, kFeeUnpaid, kFull, kBusy, kState,
};
inline constexpr int kRejectCount = static_cast<int>(Reject::kState) + 1;
std::string_view reject_name(Reject r);  // "bad_signature", ..., for metrics and replies

class MempoolObserver {
 public:
  virtual ~MempoolObserver() = default;
  virtual void on_size(size_t /*transactions*/, size_t /*bytes*/) {}
  virtual void on_rejected(Reject /*why*/) {}
};

struct MempoolOptions {
  std::string chain_id;
  uint32_t max_txs = 50'000;
  uint64_t max_bytes = 64 * 1024 * 1024;
  uint32_t verify_threads = 0;  // 0: one per core
};

// The outcome of one submission.
struct Admission {
  Hash32 tx_id;
  std::optional<Reject> rejected;  // nullopt: admitted
  std::string detail;              // why, for the submitter and the log
};

class Mempool {
 public:
  // `state` and `observer` (may be null) must outlive the mempool.
  Mempool(MempoolOptions options, const AccountState& state, MempoolObserver* observer = nullptr);
  ~Mempool();  // finishes queued checks, then joins the workers
  Mempool(const Mempool&) = delete;
  Mempool& operator=(const Mempool&) = delete;

  // Checks `raw` (a TxRaw) on a worker, then admits or refuses it; `done`
  // gets the outcome on the worker thread. Refused at once (`busy`, or
  // `duplicate` for an id already held) without a worker.
  void submit(Bytes raw, std::function<void(const Admission&)> done);
  // The same checks on the calling thread, returning the outcome: for a
  // thread that would only wait for a worker (an RPC handler; tools and
  // tests), which saves two thread hand-offs per transaction.
  Admission submit_here(Bytes raw);

  // Up to `max_bytes` and `max_count` transactions ready to run: each
  // sender's run of consecutive nonces from its account's, taken by fee
  // per byte, highest first (ties by id), never a nonce out of order.
  std::vector<VerifiedTx> reap(size_t max_bytes, size_t max_count) const;
  // The same for a block whose uncommitted ancestors carry `pending`: those
  // transactions are left out, and each sender's run continues after its
  // highest pending nonce (the state has not seen them yet), so a leader
  // never proposes a transaction twice or a nonce out of order.
  std::vector<VerifiedTx> reap_after(std::span<const VerifiedTx> pending, size_t max_bytes, size_t max_count) const;

  // After a block commits: drops its transactions, and every transaction of
  // their senders whose nonce the chain has passed.
  void recheck(std::span<const VerifiedTx> committed);

  size_t size() const;
  size_t bytes() const;
  bool contains(const Hash32& id) const;
  // The nonce `sender`'s next transaction should carry: `committed_nonce`
  // (its account's), advanced past the consecutive run of nonces this
  // mempool holds from it. Nonces held beyond a gap are not counted: the
  // gap is what the sender must fill next.
  uint64_t next_nonce(const Address& sender, uint64_t committed_nonce) const;
  // A held transaction (verified on admission), by id.
  std::optional<VerifiedTx> find(const Hash32& id) const;

 private:
  // The duplicate checks: why `id` is refused, or null (then it is marked
  // as being checked until check() ends).
  const char* claim(const Hash32& id);
  // Verifies, checks the fields and admits or refuses; unmarks `id`.
  Admission check(const Hash32& id, const Bytes& raw);
  Admission admit(VerifiedTx tx);
  std::optional<Reject> make_room(const VerifiedTx& tx, std::string& detail);
  void remove(const Hash32& id);
  void publish_size();

  MempoolOptions options_;
  const AccountState& state_;
  MempoolObserver* observer_;
  mutable std::mutex mu_;
  std::map<Hash32, VerifiedTx> by_id_;
  // Ids whose signature a worker is checking now, and the last
  // kRecentCommittedMax committed ones: gossip brings each transaction
  // from several peers, and a copy that arrives while the first is being
  // checked, or after it committed, is refused before its signature is
  // checked again.
  std::set<Hash32> checking_;
  std::set<Hash32> recent_committed_;
  std::deque<Hash32> recent_order_;
  std::map<Address, std::map<uint64_t, Hash32>> by_sender_;
  size_t bytes_ = 0;
  WorkQueue workers_;  // last: stops before the maps go
};

}  // namespace hpchain::mempool
