// The gRPC API over a real Daemon (label `integration`): a one-validator
// chain from create_testnet, run in this process with its ports at 0, the
// real RpcServer on 127.0.0.1:0 and a real gRPC client. Transfers come from
// the testnet's development accounts, one per test so that tests run in one
// process or one each alike: the validator's operator account also signs the
// node's beacon reveals, so its nonce moves by itself.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "chain/key_file.h"
#include "chain/tx.h"
#include "hpchain/v1/rpc.grpc.pb.h"
#include "node/daemon.h"
#include "node/home.h"
#include "rpc/server.h"
#include "tests/common/temp_dir.h"
#include "tests/unit/rpc/grpc_probe.h"

namespace hpchain::rpc {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string text_of(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

std::unique_ptr<grpc::ClientContext> context(std::chrono::seconds deadline = 30s) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + deadline);
  return c;
}

// One node for the whole suite: starting a chain costs about a second.
class RpcDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto out = dir_->path() / "net";
    ASSERT_TRUE(node::create_testnet({out, 1, 40'000, "rpc-1", 4}).is_ok());
    const auto config_path = out / "node0" / "config" / "config.toml";
    node::NodeConfig config = node::load_config(config_path).value();
    config.p2p.listen.port = 0;
    config.metrics_listen = "";
    config.rpc_listen.port = 0;
    config.consensus.empty_block_interval_ms = 100;
    std::ofstream(config_path, std::ios::trunc) << node::render_config(config);
    auto daemon = node::Daemon::start(out / "node0");
    ASSERT_TRUE(daemon.is_ok()) << daemon.status().to_string();
    daemon_ = std::move(daemon).value().release();
    auto server = RpcServer::start(*daemon_, daemon_->config().rpc_listen);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::move(server).value().release();
    for (const char* name : {"dev0.json", "dev1.json", "dev2.json", "dev3.json"}) {
      dev_keys_.push_back(load_key_file(out / "dev" / name).value());
    }
  }
  static void TearDownTestSuite() {
    delete server_;  // before the daemon it serves
    delete daemon_;
    delete dir_;
    dev_keys_.clear();  // --gtest_repeat: the next suite has a new testnet
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    channel_ = testing::grpc_channel(server_->endpoint().to_string());
    nodes_ = v1::NodeService::NewStub(channel_);
    txs_ = v1::TxService::NewStub(channel_);
  }

  v1::GetStatusResponse status() {
    v1::GetStatusResponse out;
    EXPECT_TRUE(nodes_->GetStatus(context().get(), {}, &out).ok());
    return out;
  }
  // Waits (at most 30 s) until the chain has committed `height`.
  bool reached(uint64_t height) {
    const auto end = Clock::now() + 30s;
    while (Clock::now() < end) {
      if (status().height() >= height) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  static std::string transfer(size_t dev, uint64_t nonce, uint64_t amount, const std::string& chain_id = "rpc-1") {
    v1::TxBody body;
    body.set_chain_id(chain_id);
    body.set_nonce(nonce);
    body.set_fee(1'000);
    body.mutable_transfer()->set_to(std::string(20, 'r'));
    body.mutable_transfer()->set_amount(amount);
    const Bytes raw = sign_tx(body, dev_keys_.at(dev));
    return std::string(raw.begin(), raw.end());
  }
  v1::GetAccountResponse account(size_t dev) {
    v1::GetAccountRequest request;
    const Address a = dev_keys_.at(dev).public_key().address();
    request.set_address(a.bytes.data(), a.bytes.size());
    v1::GetAccountResponse out;
    const grpc::Status s = nodes_->GetAccount(context().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status broadcast(const std::string& tx, v1::BroadcastMode mode, v1::BroadcastTxResponse& out) {
    v1::BroadcastTxRequest request;
    request.set_tx(tx);
    request.set_mode(mode);
    request.set_timeout_ms(20'000);
    return txs_->BroadcastTx(context().get(), request, &out);
  }

  static testing::TempDir* dir_;
  static node::Daemon* daemon_;
  static RpcServer* server_;
  static inline std::vector<PrivateKey> dev_keys_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NodeService::Stub> nodes_;
  std::unique_ptr<v1::TxService::Stub> txs_;
};

testing::TempDir* RpcDaemonTest::dir_ = nullptr;
node::Daemon* RpcDaemonTest::daemon_ = nullptr;
RpcServer* RpcDaemonTest::server_ = nullptr;

TEST_F(RpcDaemonTest, GetStatusDescribesTheRunningChainAndItsLastBlock) {
  ASSERT_TRUE(reached(2));
  const v1::GetStatusResponse s = status();
  EXPECT_EQ(s.chain_id(), "rpc-1");
  EXPECT_TRUE(s.validator());
  EXPECT_FALSE(s.syncing());
  EXPECT_EQ(s.peers(), 0u);
  EXPECT_EQ(s.block_id().size(), 32u);
  v1::GetBlockRequest at;
  at.set_height(s.height());
  v1::GetBlockResponse block;
  ASSERT_TRUE(nodes_->GetBlock(context().get(), at, &block).ok());
  EXPECT_EQ(block.block_id(), s.block_id());  // the chain may have moved on since: ids of one height agree
  EXPECT_EQ(block.record().state_root(), s.state_root());
}

TEST_F(RpcDaemonTest, GetBlockByHeightAndByIdAgreeAndChainToTheParent) {
  ASSERT_TRUE(reached(3));
  v1::GetBlockRequest at;
  at.set_height(3);
  v1::GetBlockResponse third, second, by_id;
  ASSERT_TRUE(nodes_->GetBlock(context().get(), at, &third).ok());
  EXPECT_EQ(third.height(), 3u);
  EXPECT_EQ(third.block_id(), text_of(sha256(as_bytes(third.record().block().header_bytes()))));
  at.set_height(2);
  ASSERT_TRUE(nodes_->GetBlock(context().get(), at, &second).ok());
  EXPECT_EQ(third.parent_id(), second.block_id());
  v1::GetBlockRequest id;
  id.set_id(third.block_id());
  ASSERT_TRUE(nodes_->GetBlock(context().get(), id, &by_id).ok());
  EXPECT_EQ(by_id.height(), 3u);

  at.set_height(1'000'000'000);
  EXPECT_EQ(nodes_->GetBlock(context().get(), at, &by_id).error_code(), grpc::StatusCode::NOT_FOUND);
  id.set_id(text_of(sha256("no such block")));
  EXPECT_EQ(nodes_->GetBlock(context().get(), id, &by_id).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RpcDaemonTest, RefusedTransactionsComeBackWithTheReason) {
  v1::BroadcastTxResponse out;
  const grpc::Status garbage = broadcast("not a transaction", v1::BROADCAST_MODE_SYNC, out);
  EXPECT_EQ(garbage.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(garbage.error_message().rfind("malformed: ", 0), 0u) << garbage.error_message();
  std::string tampered = transfer(0, 0, 1);
  tampered.back() ^= 1;
  const grpc::Status bad_signature = broadcast(tampered, v1::BROADCAST_MODE_SYNC, out);
  EXPECT_EQ(bad_signature.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad_signature.error_message().rfind("bad_signature: ", 0), 0u) << bad_signature.error_message();
  const grpc::Status wrong_chain = broadcast(transfer(0, 0, 1, "other-chain"), v1::BROADCAST_MODE_SYNC, out);
  EXPECT_EQ(wrong_chain.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wrong_chain.error_message().rfind("wrong_chain: ", 0), 0u) << wrong_chain.error_message();
}

TEST_F(RpcDaemonTest, ASignedTransferCommitsAndEveryCallFindsIt) {
  const std::string tx = transfer(0, 0, 5);
  const Hash32 id = tx_id(as_bytes(tx));
  v1::BroadcastTxResponse sent;
  const grpc::Status s = broadcast(tx, v1::BROADCAST_MODE_COMMIT, sent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(sent.tx_id(), text_of(id));
  EXPECT_EQ(sent.record().code(), 0u) << sent.record().code_name() << ": " << sent.record().detail();
  EXPECT_EQ(sent.record().code_name(), "ok");
  EXPECT_GT(sent.record().height(), 0u);

  v1::WaitTxRequest wait;
  wait.set_tx_id(text_of(id));
  wait.set_timeout_ms(60'000);
  v1::WaitTxResponse waited;
  const auto start = Clock::now();
  ASSERT_TRUE(txs_->WaitTx(context(70s).get(), wait, &waited).ok());
  EXPECT_LT(Clock::now() - start, 2s);  // included already: at once
  EXPECT_EQ(waited.record().height(), sent.record().height());

  v1::GetTxRequest get;
  get.set_tx_id(text_of(id));
  v1::GetTxResponse got;
  ASSERT_TRUE(txs_->GetTx(context().get(), get, &got).ok());
  EXPECT_EQ(got.record().height(), sent.record().height());
  EXPECT_EQ(got.record().block_id(), sent.record().block_id());

  v1::GetBlockRequest at;
  at.set_height(sent.record().height());
  v1::GetBlockResponse block;
  ASSERT_TRUE(nodes_->GetBlock(context().get(), at, &block).ok());
  ASSERT_GT(block.tx_ids_size(), static_cast<int>(sent.record().index()));
  EXPECT_EQ(block.tx_ids(static_cast<int>(sent.record().index())), text_of(id));
  EXPECT_EQ(block.block_id(), sent.record().block_id());

  const grpc::Status again = broadcast(tx, v1::BROADCAST_MODE_COMMIT, sent);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(again.error_message().find("already committed at height"), std::string::npos) << again.error_message();
}

TEST_F(RpcDaemonTest, ASyncBroadcastIsFoundByWaitTxOnceCommitted) {
  v1::BroadcastTxResponse sent;
  const grpc::Status admitted = broadcast(transfer(1, 0, 7), v1::BROADCAST_MODE_SYNC, sent);
  ASSERT_TRUE(admitted.ok()) << admitted.error_message();
  EXPECT_FALSE(sent.has_record());
  v1::WaitTxRequest wait;
  wait.set_tx_id(sent.tx_id());
  wait.set_timeout_ms(30'000);
  v1::WaitTxResponse waited;
  const grpc::Status s = txs_->WaitTx(context(40s).get(), wait, &waited);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(waited.record().code_name(), "ok") << waited.record().detail();
}

TEST_F(RpcDaemonTest, AnUncommittedTransactionIsNotFoundAndAShortWaitRunsOut) {
  v1::GetTxRequest get;
  get.set_tx_id(text_of(sha256("never sent")));
  v1::GetTxResponse got;
  EXPECT_EQ(txs_->GetTx(context().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::WaitTxRequest wait;
  wait.set_tx_id(text_of(sha256("never sent")));
  wait.set_timeout_ms(500);
  v1::WaitTxResponse waited;
  EXPECT_EQ(txs_->WaitTx(context().get(), wait, &waited).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  const grpc::Status unknown = txs_->GetTx(context().get(), get, &got);
  EXPECT_NE(unknown.error_message().find("is unknown"), std::string::npos) << unknown.error_message();
}

TEST_F(RpcDaemonTest, GetAccountFollowsACommittedTransfer) {
  const v1::GetAccountResponse before = account(2);
  EXPECT_EQ(before.nonce(), 0u);
  EXPECT_EQ(before.next_nonce(), 0u);
  EXPECT_GT(before.balance(), 0u);  // a funded development account
  v1::BroadcastTxResponse sent;
  const grpc::Status s = broadcast(transfer(2, 0, 25), v1::BROADCAST_MODE_COMMIT, sent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(sent.record().code_name(), "ok") << sent.record().detail();
  EXPECT_EQ(sent.record().fee_paid(), 1'000u);
  const v1::GetAccountResponse after = account(2);
  EXPECT_EQ(after.nonce(), 1u);
  EXPECT_EQ(after.next_nonce(), 1u);
  EXPECT_EQ(after.balance(), before.balance() - 25 - 1'000);

  v1::GetAccountRequest bad;
  bad.set_address(std::string(19, 'r'));
  v1::GetAccountResponse out;
  EXPECT_EQ(nodes_->GetAccount(context().get(), bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetAccountRequest stranger;  // never seen by the chain: a fresh account
  stranger.set_address(std::string(20, 's'));
  ASSERT_TRUE(nodes_->GetAccount(context().get(), stranger, &out).ok());
  EXPECT_EQ(out.nonce(), 0u);
  EXPECT_EQ(out.balance(), 0u);
  EXPECT_EQ(out.next_nonce(), 0u);
}

TEST_F(RpcDaemonTest, NextNonceCountsTransactionsWaitingInTheMempool) {
  // Nonce 1 alone waits behind the gap at 0: it cannot commit, and the
  // next nonce is still 0.
  v1::BroadcastTxResponse second, first;
  ASSERT_TRUE(broadcast(transfer(3, 1, 2), v1::BROADCAST_MODE_SYNC, second).ok());
  v1::GetAccountResponse gap = account(3);
  EXPECT_EQ(gap.nonce(), 0u);
  EXPECT_EQ(gap.next_nonce(), 0u);
  v1::GetTxRequest get;
  get.set_tx_id(second.tx_id());
  v1::GetTxResponse got;
  const grpc::Status held = txs_->GetTx(context().get(), get, &got);
  EXPECT_EQ(held.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(held.error_message().find("pending in the mempool"), std::string::npos) << held.error_message();
  // With nonce 0 too, the next is 2: both wait in the mempool, or both
  // have committed since.
  ASSERT_TRUE(broadcast(transfer(3, 0, 1), v1::BROADCAST_MODE_SYNC, first).ok());
  const v1::GetAccountResponse both = account(3);
  EXPECT_EQ(both.next_nonce(), 2u) << "committed nonce " << both.nonce();
  EXPECT_LE(both.nonce(), 2u);
  v1::WaitTxRequest wait;
  wait.set_tx_id(second.tx_id());
  wait.set_timeout_ms(30'000);
  v1::WaitTxResponse waited;
  ASSERT_TRUE(txs_->WaitTx(context(40s).get(), wait, &waited).ok());
  const v1::GetAccountResponse done = account(3);
  EXPECT_EQ(done.nonce(), 2u);
  EXPECT_EQ(done.next_nonce(), 2u);
}

TEST_F(RpcDaemonTest, HealthIsServingAndReflectionListsTheServices) {
  EXPECT_EQ(testing::health_status(*channel_, ""), 1);
  EXPECT_EQ(testing::health_status(*channel_, "hpchain.v1.NodeService"), 1);
  const auto names = testing::reflected_services(*channel_);
  for (const char* want : {"hpchain.v1.NodeService", "hpchain.v1.TxService", "grpc.health.v1.Health"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

}  // namespace
}  // namespace hpchain::rpc
