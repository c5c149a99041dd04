// Fuzz target for check_payload and apply_block, the path every proposed
// block takes: any bytes give either a payload refused with a message or
// verified transactions; those then execute on a small genesis state with
// one outcome each, and the resulting state conserves credits.
#include "chain/codec.h"
#include "chain/tx.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace hpchain;  // NOLINT: a fuzz target's one file

constexpr std::string_view kChain = "fuzz-1";

PrivateKey key(uint8_t n) { return PrivateKey::from_bytes(Bytes(32, n)).value(); }
Address addr(uint8_t n) { return key(n).public_key().address(); }
std::string pub(uint8_t n) {
  const auto c = key(n).public_key().compressed();
  return std::string(c.begin(), c.end());
}

// Genesis: institution "a" (admin key 1), validator key 2 operated by key 3,
// users 4 and 5 with credits.
struct Genesis {
  ledger::MemoryStateStore store;
  uint64_t credits = 0;
  Genesis() {
    genesis::GenesisDoc doc;
    doc.chain_id = std::string(kChain);
    doc.institutions.push_back({"a", "A", {addr(1)}});
    const Bytes validator = to_bytes(pub(2));
    doc.validators.push_back({validator, sha256("n"), "a", 1, addr(3), {}, 500});
    for (uint8_t u : {1, 3, 4, 5}) doc.accounts.push_back({addr(u), 100'000, "", {}});
    HPC_ASSERT(store.apply(ledger::genesis_change_set(store, doc).value()).is_ok());
    credits = 4 * 100'000 + 500;
  }
};

const Genesis& genesis_state() {
  static const Genesis g;
  return g;
}

uint64_t total_credits(const ledger::StateReader& store) {
  uint64_t total = 0;
  HPC_ASSERT(store.for_each_value([&](ByteSpan k, ByteSpan v) {
    const std::string_view key = as_string_view(k);
    if (key.starts_with("acct/")) {
      v1::Account a;
      HPC_ASSERT(parse_proto(v, a, "account").is_ok());
      total += a.balance();
    } else if (key.starts_with("val/")) {
      v1::Validator x;
      HPC_ASSERT(parse_proto(v, x, "validator").is_ok());
      total += x.stake();
    } else if (key.starts_with("unbond/")) {
      v1::UnbondingList list;
      HPC_ASSERT(parse_proto(v, list, "unbonding").is_ok());
      for (const auto& e : list.entries()) total += e.amount();
    } else if (key.starts_with("job/")) {
      v1::JobRecord job;
      HPC_ASSERT(parse_proto(v, job, "job").is_ok());
      total += job.escrow();
    }
    return true;
  }).is_ok());
  return total;
}

Bytes signed_tx(uint8_t signer, uint64_t nonce, const std::function<void(v1::TxBody&)>& fill) {
  v1::TxBody body;
  body.set_chain_id(std::string(kChain));
  body.set_nonce(nonce);
  body.set_fee(1000);
  fill(body);
  return sign_tx(body, key(signer));
}

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  const std::string to(reinterpret_cast<const char*>(addr(5).bytes.data()), 20);
  auto transfer = [&](uint64_t amount) {
    return [&to, amount](v1::TxBody& b) {
      b.mutable_transfer()->set_to(to);
      b.mutable_transfer()->set_amount(amount);
    };
  };
  std::vector<Bytes> txs = {
      signed_tx(4, 0, transfer(7)),
      signed_tx(4, 1, transfer(uint64_t{1} << 30)),  // more than it has: fails
      signed_tx(3, 0, [&](v1::TxBody& b) {
        b.mutable_stake_bond()->set_consensus_key(pub(2));
        b.mutable_stake_bond()->set_amount(50);
      }),
      signed_tx(1, 0, [&](v1::TxBody& b) {
        b.mutable_member_admit()->set_account(to);
        b.mutable_member_admit()->set_roles(v1::ROLE_SUBMITTER);
      }),
      signed_tx(1, 1, [&](v1::TxBody& b) {
        b.mutable_proposal()->mutable_action()->mutable_set_power()->set_consensus_key(pub(2));
        b.mutable_proposal()->mutable_action()->mutable_set_power()->set_power(3);
        b.mutable_proposal()->set_expiry_height(5);
      }),
      signed_tx(1, 2, [&](v1::TxBody& b) {
        b.mutable_vote()->set_proposal_id(1);
        b.mutable_vote()->set_approve(true);
      }),
  };
  std::vector<std::vector<uint8_t>> seeds;
  v1::BlockPayload all;
  for (const Bytes& t : txs) {
    v1::BlockPayload one;
    one.add_txs(t.data(), t.size());
    all.add_txs(t.data(), t.size());
    seeds.push_back(serialize_proto(one));
  }
  seeds.push_back(serialize_proto(all));
  seeds.push_back(serialize_proto(v1::BlockPayload{}));
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto txs = ledger::check_payload(ByteSpan(data, size), kChain);
  if (!txs.is_ok()) {
    HPC_ASSERT(!txs.status().message().empty());
    return 0;
  }
  const Genesis& g = genesis_state();
  const std::string proposer = pub(2);
  auto result = ledger::apply_block(g.store, ledger::BlockContext{1, to_bytes(proposer)}, txs.value());
  HPC_ASSERT(result.is_ok());  // an in-memory reader never fails
  HPC_ASSERT(result->outcomes.size() == txs->size());
  ledger::MemoryStateStore after = g.store;
  HPC_ASSERT(after.apply(result->changes).is_ok());
  HPC_ASSERT(total_credits(after) == g.credits);
  return 0;
}
