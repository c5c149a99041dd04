// The chain in hpchaind (label `integration`): four validators as real
// processes on 127.0.0.1 commit blocks carrying transfers and agree on the
// state root of every height; kill -9 of one validator (each in turn, so
// leaders too), of all four at once, a fresh observer syncing from genesis,
// and a validator partitioned through the fault proxy. After each test the
// signed logs show that no validator signed two votes in one round.
#include <gtest/gtest.h>

#include "chain/codec.h"
#include "chain/key_file.h"
#include "chain/tx.h"
#include "hpchain/v1/ledger.pb.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"
#include "node/storage/store.h"
#include "tests/integration/chain_net.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace hpchain::integration {
namespace {

const std::vector<int> kAll = {0, 1, 2, 3};

std::vector<int> others(int skip) {
  std::vector<int> out;
  for (int i : kAll) {
    if (i != skip) out.push_back(i);
  }
  return out;
}

double max_height(const ChainNet& net, const std::vector<int>& nodes) {
  double h = 0;
  for (int i : nodes) h = std::max(h, net.height(i));
  return h;
}

// Every node's blocks agree with node 0's at every height both have.
void expect_same_chain(const ChainNet& net, const std::vector<int>& nodes, uint64_t at_least) {
  const auto reference = net.blocks(nodes[0]);
  EXPECT_GE(reference.size(), at_least);
  for (int i : nodes) {
    const auto mine = net.blocks(i);
    EXPECT_GE(mine.size(), at_least) << "node " << i;
    for (const auto& [height, record] : mine) {
      auto it = reference.find(height);
      if (it == reference.end()) continue;
      ASSERT_EQ(record.block().header_bytes(), it->second.block().header_bytes()) << "node " << i << " height " << height;
      ASSERT_EQ(record.state_root(), it->second.state_root()) << "node " << i << " height " << height;
    }
  }
}

TEST(Chain, FourValidatorsCommitTransfersAndAgreeOnEveryStateRoot) {
  ChainNet net(4);
  Client client{Client::make_identity(), nullptr};
  edit_config(net.home(0), [&](node::NodeConfig& c) { c.p2p.allowed_node_ids.push_back(client.identity.node_id); });
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 3); })) << net.log(0);
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  const PrivateKey key = net.dev_key(0);
  std::vector<Hash32> sent;
  for (uint64_t nonce = 0; nonce < 30; ++nonce) {
    Bytes raw = signed_transfer(net.chain_id(), key, nonce);
    sent.push_back(sha256(raw));
    client.send_tx(raw);
  }
  ASSERT_TRUE(eventually([&] { return net.committed_tx(0, sent.back()).has_value() && net.all_at_least(kAll, 12); }))
      << net.log(0);
  const double target = max_height(net, kAll) + 2;
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, target); }));
  client.net->stop();
  for (int i : kAll) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  expect_same_chain(net, kAll, 12);
  for (int i : kAll) {
    for (const auto& id : sent) {
      auto record = net.tx(i, id);
      ASSERT_TRUE(record.has_value()) << "node " << i << " lacks transfer " << id.hex();
      EXPECT_EQ(record->code_name(), "ok") << record->detail();
    }
  }
  EXPECT_EQ(net.double_votes(), "");
  // The validators sent their beacon reveals themselves, and they committed.
  uint64_t reveals = 0;
  for (const auto& [height, record] : net.blocks(0)) {
    auto txs = ledger::check_payload(as_bytes(record.block().payload()), net.chain_id());
    ASSERT_TRUE(txs.is_ok()) << txs.status().message();
    for (const auto& tx : *txs) {
      if (tx.body.has_beacon_reveal() && net.tx(0, tx.id)->code_name() == "ok") ++reveals;
    }
  }
  EXPECT_GE(reveals, 4u);
}

TEST(Chain, ANodeWhoseStateWasTamperedWithStopsAtTheFirstRootThatDiffers) {
  ChainNet net(4);
  Client client{Client::make_identity(), nullptr};
  edit_config(net.home(0), [&](node::NodeConfig& c) { c.p2p.allowed_node_ids.push_back(client.identity.node_id); });
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 3); })) << net.log(0);
  ASSERT_EQ(net.stop(3), 0);
  // Node 3's copy of dev1's balance gains a credit: its tree does not change
  // until a block touches that account.
  const Address victim = net.dev_key(1).public_key().address();
  {
    auto store = storage::Store::open(net.home(3) / "data").value();
    Bytes key{'v'};
    const Bytes account_key = ledger::keys::account(victim);
    key.insert(key.end(), account_key.begin(), account_key.end());
    hpchain::v1::Account account;
    ASSERT_TRUE(parse_proto(store->get(storage::Column::kState, key).value(), account, "account").is_ok());
    account.set_balance(account.balance() + 1);
    storage::WriteBatch batch;
    batch.put(storage::Column::kState, key, serialize_proto(account));
    ASSERT_TRUE(store->write(batch).is_ok());
  }
  net.start(3);
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  v1::TxBody body;
  body.set_chain_id(net.chain_id());
  body.set_fee(10'000);
  body.mutable_transfer()->set_to(std::string(victim.bytes.begin(), victim.bytes.end()));
  body.mutable_transfer()->set_amount(7);
  client.send_tx(sign_tx(body, net.dev_key(0)));
  ASSERT_TRUE(eventually([&] { return !net.running(3); }, 30'000)) << net.log(3);
  EXPECT_EQ(net.stop(3), 1);  // hpchaind exits 1 when the node stops itself
  const std::string log = net.log(3);
  EXPECT_NE(log.find("state divergence at height "), std::string::npos) << log;
  EXPECT_NE(log.find("certified state root"), std::string::npos) << log;
  // The others go on: three of four are a quorum.
  const double h = max_height(net, others(3));
  EXPECT_TRUE(eventually([&] { return net.all_at_least(others(3), h + 3); }));
}

TEST(Chain, EachValidatorInTurnIsKilledWithSignal9AndCatchesUp) {
  ChainNet net(4);
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 3); })) << net.log(0);
  for (int victim : kAll) {  // every validator leads some rounds: this kills leaders too
    net.kill9(victim);
    const double before = max_height(net, others(victim));
    // The three others hold a quorum and never stop committing.
    ASSERT_TRUE(eventually([&] { return net.all_at_least(others(victim), before + 5); }, 30'000))
        << "after killing node " << victim << ": " << net.log(others(victim)[0]);
    net.start(victim);
    const double live = max_height(net, others(victim));
    ASSERT_TRUE(eventually([&] { return net.height(victim) >= live; }, 30'000))
        << "node " << victim << " did not catch up: " << net.log(victim);
  }
  for (int i : kAll) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  expect_same_chain(net, kAll, 10);
  EXPECT_EQ(net.double_votes(), "");
}

TEST(Chain, AllFourKilledWithSignal9ResumeCommitting) {
  ChainNet net(4);
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 5); })) << net.log(0);
  for (int i : kAll) net.kill9(i);
  double before = 0;
  for (int i : kAll) before = std::max(before, static_cast<double>(net.blocks(i).size()));
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, before + 5); }, 30'000)) << net.log(0);
  for (int i : kAll) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  expect_same_chain(net, kAll, static_cast<uint64_t>(before) + 5);
  EXPECT_EQ(net.double_votes(), "");
}

TEST(Chain, AFreshObserverSyncsFromGenesisInProvenBatches) {
  ChainNet net(4, /*empty_block_interval_ms=*/0);  // blocks as fast as consensus goes
  const int observer = net.add_observer(/*peer_of=*/0);
  for (int i : kAll) net.start(i);
  // Far enough ahead that the observer's core cannot fetch block by block
  // (node/chain/chain_host.cpp: max_waiting_blocks) and block sync runs.
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 100); }, 60'000)) << net.log(0);
  net.start(observer);
  const double target = max_height(net, kAll);
  ASSERT_TRUE(eventually([&] { return net.height(observer) >= target; }, 60'000)) << net.log(observer);
  EXPECT_NE(net.log(observer).find("sync: executed heights 1.."), std::string::npos) << net.log(observer);
  EXPECT_NE(net.log(observer).find("this node is an observer"), std::string::npos);
  for (int i = 0; i <= observer; ++i) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  expect_same_chain(net, {0, 1, 2, 3, observer}, static_cast<uint64_t>(target));
  EXPECT_EQ(net.double_votes(), "");
}

TEST(Chain, APartitionedValidatorCatchesUpAfterHealing) {
  ChainNet net(4);
  // node3 reaches the others only through proxies, and they never dial it.
  std::vector<std::unique_ptr<tools::FaultProxy>> proxies;
  std::vector<node::PeerAddress> via;
  for (int i : others(3)) {
    proxies.push_back(tools::FaultProxy::start({"127.0.0.1", 0}, net.endpoint(i, "p2p")).value());
    via.push_back({net.peer(i).node_id, proxies.back()->endpoint()});
    const Hash32 id3 = net.peer(3).node_id;
    edit_config(net.home(i), [&](node::NodeConfig& c) {
      std::erase_if(c.p2p.persistent_peers, [&](const node::PeerAddress& p) { return p.node_id == id3; });
    });
  }
  edit_config(net.home(3), [&](node::NodeConfig& c) { c.p2p.persistent_peers = via; });
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 3); })) << net.log(3);
  for (auto& p : proxies) p->partition();
  ASSERT_TRUE(eventually([&] { return net.value(3, "hpchain_p2p_peers") == 0; }));
  const double cut_at = net.height(3);
  const double majority = max_height(net, others(3));
  // Slower than with four: rounds node 3 leads, and those whose votes go to
  // it as the next leader, end by timeout.
  ASSERT_TRUE(eventually([&] { return net.all_at_least(others(3), majority + 5); }, 60'000)) << net.log(0);
  EXPECT_LE(net.height(3), cut_at + 1);  // alone it commits nothing (one block may have been in flight)
  for (auto& p : proxies) p->heal();
  const double now = max_height(net, others(3));
  ASSERT_TRUE(eventually([&] { return net.height(3) >= now; }, 30'000)) << net.log(3);
  for (int i : kAll) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  expect_same_chain(net, kAll, static_cast<uint64_t>(now));
  EXPECT_EQ(net.double_votes(), "");
}

// A governance transaction signed by institution i's admin (node i's operator).
Bytes governance_tx(const ChainNet& net, int i, uint64_t nonce, const std::function<void(v1::TxBody&)>& fill) {
  v1::TxBody body;
  body.set_chain_id(net.chain_id());
  body.set_nonce(nonce);
  body.set_fee(10'000);
  fill(body);
  return sign_tx(body, load_key_file(net.dir() / ("operator" + std::to_string(i) + ".json")).value());
}

TEST(Chain, AGovernanceVoteChangesTheValidatorSetAndTheChainGoesOnInTheNextEpoch) {
  ChainNet net(4);
  Client client{Client::make_identity(), nullptr};
  edit_config(net.home(0), [&](node::NodeConfig& c) { c.p2p.allowed_node_ids.push_back(client.identity.node_id); });
  // The operators sign the governance transactions here, with nonces this
  // test counts: the nodes get no operator key, so they send no beacon reveals.
  for (int i : kAll) {
    std::filesystem::copy_file(net.home(i) / "config" / "operator_key.json", net.dir() / ("operator" + std::to_string(i) + ".json"));
    std::filesystem::remove(net.home(i) / "config" / "operator_key.json");
  }
  for (int i : kAll) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least(kAll, 3); })) << net.log(0);
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  net.kill9(3);  // away during the change: it must sync across the epoch boundary
  const auto node3 = load_key_file(net.home(3) / "config" / "validator_key.json").value().public_key().compressed();
  const std::string node3_key(node3.begin(), node3.end());
  const auto expiry = static_cast<uint64_t>(net.height(0)) + 5'000;
  client.send_tx(governance_tx(net, 0, 0, [&](v1::TxBody& b) {
    auto* set = b.mutable_proposal()->mutable_action()->mutable_set_power();
    set->set_consensus_key(node3_key);
    set->set_power(2);
    b.mutable_proposal()->set_expiry_height(expiry);
  }));
  // The votes go out once the proposal is committed (the first
  // transaction of this chain: the nodes send no beacon reveals here);
  // a vote for a proposal not yet there would fail.
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_committed_transactions_total") >= 1; }, 30'000))
      << net.log(0);
  for (int i : {0, 1, 2}) {
    client.send_tx(governance_tx(net, i, i == 0 ? 1 : 0, [](v1::TxBody& b) {
      b.mutable_vote()->set_proposal_id(1);
      b.mutable_vote()->set_approve(true);
    }));
  }
  const std::vector<int> live = {0, 1, 2};
  ASSERT_TRUE(eventually([&] {
    for (int i : live) {
      if (net.value(i, "hpchain_consensus_epoch") < 1) return false;
    }
    return true;
  }, 60'000)) << net.log(0) << net.log(1) << net.log(2);
  const double after = max_height(net, live);
  // Three of the new total power of 5 are no quorum: node 3 must come back for the chain to go on.
  net.start(3);
  ASSERT_TRUE(eventually([&] { return net.value(3, "hpchain_consensus_epoch") == 1 && net.all_at_least(kAll, after + 5); }, 60'000))
      << net.log(3);
  client.net->stop();
  for (int i : kAll) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  expect_same_chain(net, kAll, static_cast<uint64_t>(after) + 5);
  EXPECT_NE(net.log(0).find("epoch 1 begins at height"), std::string::npos);
  EXPECT_NE(net.log(3).find("epoch 1 begins at height"), std::string::npos) << net.log(3);
  EXPECT_NE(net.log(3).find("sync: executed heights"), std::string::npos) << net.log(3);  // crossed it by block sync
  EXPECT_EQ(net.double_votes(), "");
}

}  // namespace
}  // namespace hpchain::integration
