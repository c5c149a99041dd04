// The RPC services against a fake node (rpc::NodeApi) over a real gRPC
// server on 127.0.0.1 and a real client: every status code the API
// promises, how waits end, the decoded block, health and reflection. The
// real Daemon behind the same server is rpc_test.cpp's business.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "chain/codec.h"
#include "chain/tx.h"
#include "hpchain/v1/block.pb.h"
#include "hpchain/v1/ledger.pb.h"
#include "hpchain/v1/rpc.grpc.pb.h"
#include "rpc/server.h"
#include "tests/unit/rpc/grpc_probe.h"

namespace hpchain::rpc {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string text_of(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

// A node whose answers the test sets. Thread-safe: handlers call it from
// gRPC's threads while the test changes it.
class FakeNode final : public NodeApi {
 public:
  std::optional<Status> fatal() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return fatal_;
  }
  node::NodeStatus status() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  Result<v1::CommittedBlockRecord> block_at(uint64_t height) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_height_.find(height);
    if (it == by_height_.end()) return Status::not_found("no block");
    return it->second;
  }
  Result<v1::CommittedBlockRecord> block_by_id(const Hash32& id) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return Status::not_found("no block");
    return it->second;
  }
  Result<v1::TxRecord> tx(const Hash32& id) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = committed_.find(id);
    if (it == committed_.end()) return Status::not_found("not committed");
    return it->second;
  }
  // Times out with Unavailable, not a deadline code: the server must tell a
  // timeout by the time that passed, whatever the code.
  Result<v1::TxRecord> wait_tx(const Hash32& id, std::chrono::milliseconds timeout) const override {
    std::unique_lock<std::mutex> lock(mu_);
    if (wait_error_) return *wait_error_;
    if (!cv_.wait_for(lock, timeout, [&] { return committed_.count(id) > 0; })) return Status::unavailable("timed out");
    return committed_.at(id);
  }
  mempool::Admission submit_tx(Bytes raw) override {
    std::lock_guard<std::mutex> lock(mu_);
    submitted_.push_back(raw);
    mempool::Admission a = verdict_;
    a.tx_id = tx_id(raw);
    return a;
  }
  Result<node::AccountInfo> account(const Address& address) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (account_error_) return *account_error_;
    auto it = accounts_.find(address);
    if (it == accounts_.end()) return node::AccountInfo{};
    return it->second;
  }
  bool pending(const Hash32& id) const override {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.count(id) > 0;
  }

  void set_status(node::NodeStatus s) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(s);
  }
  void set_fatal(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    fatal_ = std::move(s);
  }
  void set_verdict(std::optional<mempool::Reject> why, std::string detail = "") {
    std::lock_guard<std::mutex> lock(mu_);
    verdict_ = {Hash32{}, why, std::move(detail)};
  }
  void set_wait_error(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    wait_error_ = std::move(s);
  }
  void set_account(const Address& address, node::AccountInfo info) {
    std::lock_guard<std::mutex> lock(mu_);
    accounts_[address] = info;
  }
  void set_account_error(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    account_error_ = std::move(s);
  }
  void hold(const Hash32& id) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.insert(id);
  }
  void add_block(uint64_t height, v1::CommittedBlockRecord record) {
    std::lock_guard<std::mutex> lock(mu_);
    by_id_[sha256(as_bytes(record.block().header_bytes()))] = record;
    by_height_[height] = std::move(record);
  }
  void commit(const Hash32& id, uint64_t height) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      v1::TxRecord r;
      r.set_height(height);
      r.set_code_name("ok");
      committed_[id] = r;
    }
    cv_.notify_all();
  }
  size_t submitted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return submitted_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  node::NodeStatus status_;
  std::optional<Status> fatal_;
  std::optional<Status> wait_error_;
  std::optional<Status> account_error_;
  std::map<Address, node::AccountInfo> accounts_;
  std::set<Hash32> pending_;
  mempool::Admission verdict_;
  std::map<uint64_t, v1::CommittedBlockRecord> by_height_;
  std::map<Hash32, v1::CommittedBlockRecord> by_id_;
  std::map<Hash32, v1::TxRecord> committed_;
  std::vector<Bytes> submitted_;
};

class RpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = std::make_unique<FakeNode>();
    node_ = fake.get();
    server_ = RpcServer::start(std::move(fake), {"127.0.0.1", 0}).value();
    channel_ = testing::grpc_channel(server_->endpoint().to_string());
    nodes_ = v1::NodeService::NewStub(channel_);
    txs_ = v1::TxService::NewStub(channel_);
  }

  static std::unique_ptr<grpc::ClientContext> context(std::chrono::seconds deadline = 10s) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + deadline);
    return c;
  }
  grpc::Status broadcast(const std::string& tx, v1::BroadcastMode mode, uint32_t timeout_ms, v1::BroadcastTxResponse& out) {
    v1::BroadcastTxRequest request;
    request.set_tx(tx);
    request.set_mode(mode);
    request.set_timeout_ms(timeout_ms);
    return txs_->BroadcastTx(context().get(), request, &out);
  }
  grpc::Status wait(const Hash32& id, uint32_t timeout_ms, v1::WaitTxResponse& out) {
    v1::WaitTxRequest request;
    request.set_tx_id(text_of(id));
    request.set_timeout_ms(timeout_ms);
    return txs_->WaitTx(context(70s).get(), request, &out);
  }

  FakeNode* node_ = nullptr;
  std::unique_ptr<RpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NodeService::Stub> nodes_;
  std::unique_ptr<v1::TxService::Stub> txs_;
};

TEST_F(RpcServiceTest, GetStatusReportsTheNodeOnTheBoundPort) {
  EXPECT_NE(server_->endpoint().port, 0);
  node::NodeStatus s;
  s.chain_id = "lab-1";
  s.epoch = 2;
  s.height = 17;
  s.block_id = sha256("block");
  s.state_root = sha256("root");
  s.certified_height = 16;
  s.peers = 3;
  s.validator = true;
  node_->set_status(s);
  v1::GetStatusResponse out;
  ASSERT_TRUE(nodes_->GetStatus(context().get(), {}, &out).ok());
  EXPECT_EQ(out.chain_id(), "lab-1");
  EXPECT_EQ(out.epoch(), 2u);
  EXPECT_EQ(out.height(), 17u);
  EXPECT_EQ(out.block_id(), text_of(s.block_id));
  EXPECT_EQ(out.state_root(), text_of(s.state_root));
  EXPECT_EQ(out.certified_height(), 16u);
  EXPECT_FALSE(out.syncing());
  EXPECT_EQ(out.peers(), 3u);
  EXPECT_TRUE(out.validator());
}

TEST_F(RpcServiceTest, GetBlockDecodesTheHeaderAndListsTheTransactionIds) {
  v1::BlockHeader header;
  header.set_chain_id("lab-1");
  header.set_height(5);
  header.set_round(7);
  header.set_epoch(1);
  header.set_proposer_index(0);
  header.set_timestamp_ms(1'700'000'000'000);
  header.set_parent_id(text_of(sha256("parent")));
  v1::BlockPayload payload;
  payload.add_txs("first tx bytes");
  payload.add_txs("second tx bytes");
  v1::CommittedBlockRecord record;
  const Bytes header_bytes = serialize_proto(header);
  record.mutable_block()->set_header_bytes(header_bytes.data(), header_bytes.size());
  const Bytes payload_bytes = serialize_proto(payload);
  record.mutable_block()->set_payload(payload_bytes.data(), payload_bytes.size());
  record.set_tx_count(2);
  node_->add_block(5, record);
  const Hash32 id = sha256(header_bytes);

  v1::GetBlockRequest by_height;
  by_height.set_height(5);
  v1::GetBlockResponse out;
  ASSERT_TRUE(nodes_->GetBlock(context().get(), by_height, &out).ok());
  EXPECT_EQ(out.block_id(), text_of(id));
  EXPECT_EQ(out.height(), 5u);
  EXPECT_EQ(out.round(), 7u);
  EXPECT_EQ(out.epoch(), 1u);
  EXPECT_EQ(out.timestamp_ms(), 1'700'000'000'000u);
  EXPECT_EQ(out.parent_id(), text_of(sha256("parent")));
  ASSERT_EQ(out.tx_ids_size(), 2);
  EXPECT_EQ(out.tx_ids(0), text_of(sha256("first tx bytes")));
  EXPECT_EQ(out.tx_ids(1), text_of(sha256("second tx bytes")));
  EXPECT_EQ(out.record().tx_count(), 2u);

  v1::GetBlockRequest by_id;
  by_id.set_id(text_of(id));
  v1::GetBlockResponse again;
  ASSERT_TRUE(nodes_->GetBlock(context().get(), by_id, &again).ok());
  EXPECT_EQ(again.height(), 5u);

  v1::GetBlockRequest missing;
  missing.set_height(6);
  const grpc::Status none = nodes_->GetBlock(context().get(), missing, &out);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(none.error_message(), "no committed block at height 6");
  v1::GetBlockRequest short_id;
  short_id.set_id("12345");
  EXPECT_EQ(nodes_->GetBlock(context().get(), short_id, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(nodes_->GetBlock(context().get(), {}, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RpcServiceTest, AStoredBlockThatDoesNotDecodeIsInternal) {
  v1::CommittedBlockRecord record;
  record.mutable_block()->set_header_bytes("\xff\xff not a header");
  node_->add_block(1, record);
  v1::GetBlockRequest request;
  request.set_height(1);
  v1::GetBlockResponse out;
  EXPECT_EQ(nodes_->GetBlock(context().get(), request, &out).error_code(), grpc::StatusCode::INTERNAL);
}

TEST_F(RpcServiceTest, EachMempoolRefusalHasItsCodeAndItsReasonFirst) {
  using mempool::Reject;
  const std::vector<std::pair<Reject, grpc::StatusCode>> cases = {
      {Reject::kMalformed, grpc::StatusCode::INVALID_ARGUMENT},     {Reject::kBadSignature, grpc::StatusCode::INVALID_ARGUMENT},
      {Reject::kWrongChain, grpc::StatusCode::INVALID_ARGUMENT},    {Reject::kNonceTooLow, grpc::StatusCode::INVALID_ARGUMENT},
      {Reject::kNonceGap, grpc::StatusCode::INVALID_ARGUMENT},      {Reject::kFeeTooLow, grpc::StatusCode::INVALID_ARGUMENT},
      {Reject::kTooLarge, grpc::StatusCode::INVALID_ARGUMENT},      {Reject::kFull, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {Reject::kBusy, grpc::StatusCode::RESOURCE_EXHAUSTED},        {Reject::kState, grpc::StatusCode::UNAVAILABLE},
      {Reject::kDuplicate, grpc::StatusCode::ALREADY_EXISTS},
  };
  for (const auto& [why, code] : cases) {
    node_->set_verdict(why, "details");
    v1::BroadcastTxResponse out;
    const grpc::Status s = broadcast("some tx", v1::BROADCAST_MODE_SYNC, 0, out);
    EXPECT_EQ(s.error_code(), code) << mempool::reject_name(why);
    if (why != Reject::kDuplicate) {
      EXPECT_EQ(s.error_message(), std::string(mempool::reject_name(why)) + ": details");
    } else {
      EXPECT_NE(s.error_message().find("already in the mempool"), std::string::npos) << s.error_message();
    }
  }
}

TEST_F(RpcServiceTest, ATransactionSentAgainAfterItCommittedIsAlreadyExistsWithItsHeight) {
  const std::string raw = "a committed tx";
  node_->commit(sha256(raw), 12);
  node_->set_verdict(mempool::Reject::kNonceTooLow, "nonce 0, the account is at 1");
  v1::BroadcastTxResponse out;
  const grpc::Status s = broadcast(raw, v1::BROADCAST_MODE_COMMIT, 0, out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(s.error_message().find("already committed at height 12"), std::string::npos) << s.error_message();
}

TEST_F(RpcServiceTest, SyncModeReturnsTheIdOnceAdmitted) {
  node_->set_verdict(std::nullopt);
  v1::BroadcastTxResponse out;
  ASSERT_TRUE(broadcast("fresh tx", v1::BROADCAST_MODE_SYNC, 0, out).ok());
  EXPECT_EQ(out.tx_id(), text_of(sha256("fresh tx")));
  EXPECT_FALSE(out.has_record());
  EXPECT_EQ(node_->submitted(), 1u);
}

TEST_F(RpcServiceTest, CommitModeReturnsWhereTheTransactionLanded) {
  node_->set_verdict(std::nullopt);
  std::thread committer([&] {
    std::this_thread::sleep_for(300ms);
    node_->commit(sha256("pending tx"), 9);
  });
  v1::BroadcastTxResponse out;
  const grpc::Status s = broadcast("pending tx", v1::BROADCAST_MODE_COMMIT, 20'000, out);
  committer.join();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.tx_id(), text_of(sha256("pending tx")));
  EXPECT_EQ(out.record().height(), 9u);
}

TEST_F(RpcServiceTest, BroadcastIsUnavailableWhileSyncingAndReachesNoMempool) {
  node::NodeStatus s;
  s.syncing = true;
  node_->set_status(s);
  v1::BroadcastTxResponse out;
  const grpc::Status refused = broadcast("tx", v1::BROADCAST_MODE_SYNC, 0, out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(refused.error_message().find("syncing"), std::string::npos);
  EXPECT_EQ(node_->submitted(), 0u);
  v1::GetStatusResponse status;
  EXPECT_TRUE(nodes_->GetStatus(context().get(), {}, &status).ok());  // queries still answer
  EXPECT_TRUE(status.syncing());
}

TEST_F(RpcServiceTest, EveryCallIsUnavailableOnceTheNodeStoppedItself) {
  node_->set_fatal(Status::corruption("state root diverged at height 4"));
  v1::GetStatusResponse status;
  const grpc::Status s = nodes_->GetStatus(context().get(), {}, &status);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "the node stopped itself: state root diverged at height 4");
  v1::BroadcastTxResponse out;
  EXPECT_EQ(broadcast("tx", v1::BROADCAST_MODE_SYNC, 0, out).error_code(), grpc::StatusCode::UNAVAILABLE);
  v1::GetTxRequest get;
  get.set_tx_id(text_of(sha256("x")));
  v1::GetTxResponse tx;
  EXPECT_EQ(txs_->GetTx(context().get(), get, &tx).error_code(), grpc::StatusCode::UNAVAILABLE);
  v1::GetAccountRequest account;
  account.set_address(std::string(20, 'a'));
  v1::GetAccountResponse got;
  EXPECT_EQ(nodes_->GetAccount(context().get(), account, &got).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(RpcServiceTest, WaitTxReturnsAtOnceForACommittedTransactionAndTimesOutOtherwise) {
  node_->commit(sha256("done"), 3);
  v1::WaitTxResponse out;
  auto start = Clock::now();
  ASSERT_TRUE(wait(sha256("done"), 30'000, out).ok());
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(out.record().height(), 3u);

  start = Clock::now();
  const grpc::Status late = wait(sha256("never"), 700, out);
  const auto took = Clock::now() - start;
  EXPECT_EQ(late.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(late.error_message().find("not committed within 700 ms"), std::string::npos) << late.error_message();
  EXPECT_GE(took, 700ms);
  EXPECT_LT(took, 5s);

  EXPECT_EQ(wait(sha256("never"), 60'001, out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::WaitTxRequest bad;
  bad.set_tx_id("short");
  EXPECT_EQ(txs_->WaitTx(context().get(), bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RpcServiceTest, AnErrorBeforeTheWaitEndsIsPassedOn) {
  node_->set_wait_error(Status::unavailable("the chain stopped"));
  v1::WaitTxResponse out;
  const auto start = Clock::now();
  const grpc::Status s = wait(sha256("x"), 30'000, out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "the chain stopped");
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST_F(RpcServiceTest, GetTxFindsCommittedTransactionsOnly) {
  node_->commit(sha256("landed"), 8);
  v1::GetTxRequest request;
  request.set_tx_id(text_of(sha256("landed")));
  v1::GetTxResponse out;
  ASSERT_TRUE(txs_->GetTx(context().get(), request, &out).ok());
  EXPECT_EQ(out.record().height(), 8u);
  request.set_tx_id(text_of(sha256("elsewhere")));
  const grpc::Status none = txs_->GetTx(context().get(), request, &out);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(none.error_message().find(sha256("elsewhere").hex()), std::string::npos);
  EXPECT_NE(none.error_message().find("is unknown"), std::string::npos) << none.error_message();
  EXPECT_EQ(none.error_message().find("pending"), std::string::npos) << none.error_message();
}

TEST_F(RpcServiceTest, NotFoundSaysWhetherTheTransactionIsPendingInTheMempool) {
  node_->hold(sha256("waiting"));
  v1::GetTxRequest request;
  request.set_tx_id(text_of(sha256("waiting")));
  v1::GetTxResponse out;
  const grpc::Status held = txs_->GetTx(context().get(), request, &out);
  EXPECT_EQ(held.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(held.error_message().find(sha256("waiting").hex() + " is pending in the mempool"), std::string::npos)
      << held.error_message();
  // WaitTx passes a node's NotFound on the same way.
  node_->set_wait_error(Status::not_found("not committed"));
  v1::WaitTxResponse waited;
  const grpc::Status wait_held = wait(sha256("waiting"), 30'000, waited);
  EXPECT_EQ(wait_held.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(wait_held.error_message().find("pending in the mempool"), std::string::npos) << wait_held.error_message();
  const grpc::Status wait_unknown = wait(sha256("nowhere"), 30'000, waited);
  EXPECT_EQ(wait_unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(wait_unknown.error_message().find("is unknown"), std::string::npos) << wait_unknown.error_message();
}

TEST_F(RpcServiceTest, GetAccountReturnsTheNodesFiguresAndRefusesABadAddress) {
  const Address alice = Address::from_bytes(as_bytes(std::string(20, 'a'))).value();
  node_->set_account(alice, node::AccountInfo{3, 1'234'567, 5});
  v1::GetAccountRequest request;
  request.set_address(std::string(20, 'a'));
  v1::GetAccountResponse out;
  ASSERT_TRUE(nodes_->GetAccount(context().get(), request, &out).ok());
  EXPECT_EQ(out.nonce(), 3u);
  EXPECT_EQ(out.balance(), 1'234'567u);
  EXPECT_EQ(out.next_nonce(), 5u);

  request.set_address(std::string(20, 'b'));  // never seen: a fresh account
  v1::GetAccountResponse fresh;
  ASSERT_TRUE(nodes_->GetAccount(context().get(), request, &fresh).ok());
  EXPECT_EQ(fresh.nonce(), 0u);
  EXPECT_EQ(fresh.balance(), 0u);
  EXPECT_EQ(fresh.next_nonce(), 0u);

  for (const size_t size : {0, 19, 21, 32}) {
    request.set_address(std::string(size, 'a'));
    const grpc::Status bad = nodes_->GetAccount(context().get(), request, &out);
    EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << size;
    EXPECT_EQ(bad.error_message(), "address must be 20 bytes, not " + std::to_string(size));
  }

  node_->set_account_error(Status::corruption("state record under key 61 does not decode"));
  request.set_address(std::string(20, 'a'));
  const grpc::Status broken = nodes_->GetAccount(context().get(), request, &out);
  EXPECT_EQ(broken.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(broken.error_message(), "state record under key 61 does not decode");
}

TEST_F(RpcServiceTest, StoppingTheServerEndsARunningWaitPromptly) {
  auto waiting = std::async(std::launch::async, [&] {
    v1::WaitTxResponse out;
    return wait(sha256("never"), 60'000, out).error_code();
  });
  std::this_thread::sleep_for(300ms);
  const auto start = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - start, 3s);
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  const grpc::StatusCode code = waiting.get();
  EXPECT_TRUE(code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED) << code;
  server_->stop();  // idempotent
}

TEST_F(RpcServiceTest, CallsBeyondTheHandlerThreadsAreResourceExhausted) {
  constexpr int kCalls = kHandlerThreadsMax + 36;
  std::vector<std::future<grpc::StatusCode>> calls;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      v1::WaitTxResponse out;
      return wait(sha256("never " + std::to_string(i)), 1'500, out).error_code();
    }));
  }
  int handled = 0, refused = 0;
  for (auto& c : calls) {
    const grpc::StatusCode code = c.get();
    handled += code == grpc::StatusCode::DEADLINE_EXCEEDED;
    refused += code == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  EXPECT_EQ(handled + refused, kCalls);
  EXPECT_LE(handled, kHandlerThreadsMax);
  EXPECT_GE(refused, kCalls - kHandlerThreadsMax);
}

TEST_F(RpcServiceTest, HealthIsServingAndReflectionListsTheServices) {
  EXPECT_EQ(testing::health_status(*channel_, ""), 1);
  EXPECT_EQ(testing::health_status(*channel_, "hpchain.v1.TxService"), 1);
  const auto names = testing::reflected_services(*channel_);
  for (const char* want : {"hpchain.v1.NodeService", "hpchain.v1.TxService", "grpc.health.v1.Health"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

TEST_F(RpcServiceTest, ASecondServerOnTheSamePortIsRefused) {
  auto second = RpcServer::start(std::make_unique<FakeNode>(), server_->endpoint());
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(server_->endpoint().to_string()), std::string::npos);
}

}  // namespace
}  // namespace hpchain::rpc
