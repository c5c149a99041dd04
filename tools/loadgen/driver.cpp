#include "tools/loadgen/driver.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <deque>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "chain/tx.h"
#include "hpchain/v1/rpc.grpc.pb.h"

namespace hpchain::loadgen {

using Clock = std::chrono::steady_clock;
struct AsyncCall;

namespace {

constexpr uint64_t kInFlightPerAccount = 48;  // below the mempool's 64 nonces ahead

Bytes transfer(const std::string& chain_id, const PrivateKey& key, uint64_t nonce) {
  v1::TxBody body;
  body.set_chain_id(chain_id);
  body.set_nonce(nonce);
  body.set_fee(10'000);
  body.mutable_transfer()->set_to(std::string(20, 'l'));
  body.mutable_transfer()->set_amount(1);
  return sign_tx(body, key);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

}  // namespace

class Driver::Impl {
 public:
  Impl(const Cluster& c, int t) : cluster(c), threads(t), outstanding(c.keys().size()), nonces(c.keys().size(), 0) {
    for (const auto& endpoint : c.grpc()) {
      auto channel = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
      tx_stubs.push_back(v1::TxService::NewStub(channel));
      node_stubs.push_back(v1::NodeService::NewStub(channel));
    }
  }

  struct Sent {
    Clock::time_point at;
    size_t account = 0;
    bool timed = false;
  };

  const Cluster& cluster;
  int threads;
  std::vector<std::unique_ptr<v1::TxService::Stub>> tx_stubs;
  std::vector<std::unique_ptr<v1::NodeService::Stub>> node_stubs;
  std::vector<std::atomic<uint64_t>> outstanding;  // per account
  std::vector<uint64_t> nonces;                    // per account; each owned by one sender thread
  std::mutex mu;
  std::map<Hash32, Sent> in_flight;
  std::vector<double> latencies_ms;
  uint64_t committed_in_window = 0;
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<uint64_t> sent_in_window{0}, refused{0};
  uint64_t watched_height = 0;

  bool start_call(size_t account, grpc::CompletionQueue& cq);
  void finish_call(AsyncCall* call, bool ok);
  void sender(int t, const PhaseOptions& o, Clock::time_point end);
  void watcher(Clock::time_point end);
  void on_committed(const std::string& id_bytes, Clock::time_point now);
};

// One BroadcastTx in flight: an account has at most one, so its nonces
// arrive in order.
struct AsyncCall {
  size_t account = 0;
  Hash32 id;
  grpc::ClientContext ctx;
  v1::BroadcastTxResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::BroadcastTxResponse>> reader;
};

bool Driver::Impl::start_call(size_t account, grpc::CompletionQueue& cq) {
  if (outstanding[account].load() >= kInFlightPerAccount) return false;
  const Bytes raw = transfer(cluster.chain_id(), cluster.keys()[account], nonces[account]);
  v1::BroadcastTxRequest request;
  request.set_tx(raw.data(), raw.size());
  auto call = std::make_unique<AsyncCall>();
  call->account = account;
  call->id = sha256(raw);
  call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ++outstanding[account];  // before the send: the watcher may see the commit before the answer
  {
    std::lock_guard lock(mu);
    in_flight[call->id] = Sent{Clock::now(), account, measuring.load()};
  }
  call->reader = tx_stubs[account % tx_stubs.size()]->PrepareAsyncBroadcastTx(&call->ctx, request, &cq);
  call->reader->StartCall();
  AsyncCall* tag = call.release();  // owned by the completion queue until finish_call
  tag->reader->Finish(&tag->response, &tag->status, tag);
  return true;
}

void Driver::Impl::finish_call(AsyncCall* done, bool ok) {
  std::unique_ptr<AsyncCall> call(done);
  if (ok && call->status.ok()) {
    ++nonces[call->account];
    if (measuring.load()) ++sent_in_window;
    return;
  }
  std::lock_guard lock(mu);
  if (in_flight.erase(call->id) > 0) --outstanding[call->account];
  ++refused;  // the same nonce is sent again
}

// Thread t's accounts, each with at most one call in flight, on one
// completion queue: as fast as the nodes answer, or paced at o.rate / threads.
void Driver::Impl::sender(int t, const PhaseOptions& o, Clock::time_point end) {
  std::deque<size_t> idle;
  for (size_t a = static_cast<size_t>(t); a < cluster.keys().size(); a += static_cast<size_t>(threads)) idle.push_back(a);
  grpc::CompletionQueue cq;
  const double per_thread = o.rate / threads;
  auto next = Clock::now();
  size_t active = 0;
  while (true) {
    const bool sending = Clock::now() < end && !stop.load();
    for (size_t tries = idle.size(); sending && tries > 0; --tries) {
      if (per_thread > 0) {
        if (Clock::now() < next) break;
        next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / per_thread));
      }
      const size_t account = idle.front();
      idle.pop_front();
      if (start_call(account, cq)) {
        ++active;
      } else {
        idle.push_back(account);  // at its in-flight limit (an open loop skips the slot)
      }
    }
    if (!sending && active == 0) break;
    void* tag = nullptr;
    bool ok = false;
    if (cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::milliseconds(1)) ==
        grpc::CompletionQueue::GOT_EVENT) {
      auto* call = static_cast<AsyncCall*>(tag);
      idle.push_back(call->account);
      finish_call(call, ok);
      --active;
    }
  }
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) finish_call(static_cast<AsyncCall*>(tag), false);
}

void Driver::Impl::on_committed(const std::string& id_bytes, Clock::time_point now) {
  auto id = Hash32::from_bytes(as_bytes(id_bytes));
  if (!id.is_ok()) return;
  std::lock_guard lock(mu);
  auto it = in_flight.find(*id);
  if (it == in_flight.end()) return;  // a beacon transaction, or not ours
  --outstanding[it->second.account];
  if (measuring.load()) ++committed_in_window;
  if (it->second.timed) latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second.at).count());
  in_flight.erase(it);
}

void Driver::Impl::watcher(Clock::time_point end) {
  auto& stub = *node_stubs[0];
  while (Clock::now() < end + std::chrono::seconds(3) && !stop.load()) {
    v1::GetStatusResponse status;
    grpc::ClientContext sctx;
    if (!stub.GetStatus(&sctx, v1::GetStatusRequest{}, &status).ok() || status.height() <= watched_height) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    const auto now = Clock::now();
    for (uint64_t h = watched_height + 1; h <= status.height(); ++h) {
      v1::GetBlockRequest request;
      request.set_height(h);
      v1::GetBlockResponse block;
      grpc::ClientContext bctx;
      if (!stub.GetBlock(&bctx, request, &block).ok()) break;
      for (const auto& id : block.tx_ids()) on_committed(id, now);
      watched_height = h;
    }
  }
}

Driver::Driver(const Cluster& cluster, int threads) : impl_(std::make_unique<Impl>(cluster, threads)) {}
Driver::~Driver() = default;

PhaseResult Driver::run(const PhaseOptions& o) {
  Impl& d = *impl_;
  const auto start = Clock::now();
  const auto window_start = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_seconds));
  const auto end = window_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  d.latencies_ms.clear();
  d.committed_in_window = 0;
  d.sent_in_window = 0;
  d.refused = 0;
  std::vector<std::thread> senders;
  for (int t = 0; t < d.threads; ++t) senders.emplace_back([&d, t, &o, end] { d.sender(t, o, end); });
  std::thread watch([&d, end] { d.watcher(end); });
  std::this_thread::sleep_until(window_start);
  d.measuring = true;
  std::this_thread::sleep_until(end);
  d.measuring = false;
  for (auto& s : senders) s.join();
  watch.join();  // follows the chain a little longer: late commits of timed transactions
  PhaseResult r;
  std::lock_guard lock(d.mu);
  r.sent = d.sent_in_window;
  r.committed = d.committed_in_window;
  r.refused = d.refused;
  r.committed_tps = static_cast<double>(r.committed) / o.seconds;
  r.timed = d.latencies_ms.size();
  r.p50_ms = percentile(d.latencies_ms, 0.50);
  r.p99_ms = percentile(d.latencies_ms, 0.99);
  return r;
}

double verify_rate(double seconds) {
  const PrivateKey key = PrivateKey::generate().value();
  const Hash32 digest = sha256(as_bytes("hpchain-loadgen"));
  const Signature sig = key.sign(digest);
  const PublicKey pub = key.public_key();
  const auto start = Clock::now();
  uint64_t n = 0;
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    for (int i = 0; i < 64; ++i) n += pub.verify(digest, sig).is_ok() ? 1 : 0;
  }
  return static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace hpchain::loadgen
