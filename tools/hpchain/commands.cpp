#include "tools/hpchain/commands.h"

#include <iomanip>
#include <nlohmann/json.hpp>

#include "chain/bytes.h"
#include "chain/key_file.h"
#include "chain/tx.h"
#include "tools/hpchain/node_client.h"

namespace hpchain::cli {
namespace {

std::string hex_of(const std::string& bytes) { return hex_encode(as_bytes(bytes)); }

int fail(std::ostream& err, const Status& s) {
  err << "hpchain: " << s.message() << "\n";
  return 1;
}

void print_rows(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& rows) {
  for (const auto& [name, value] : rows) out << std::left << std::setw(18) << name << value << "\n";
}

int run_status(const Args& a, std::ostream& out, std::ostream& err) {
  NodeClient client(a.node);
  auto s = client.status();
  if (!s.is_ok()) return fail(err, s.status());
  if (a.json) {
    // Exactly these keys: scripts depend on them (issue 17).
    const nlohmann::json j = {{"chain_id", s->chain_id()},
                              {"epoch", s->epoch()},
                              {"height", s->height()},
                              {"block_id", hex_of(s->block_id())},
                              {"state_root", hex_of(s->state_root())},
                              {"certified_height", s->certified_height()},
                              {"syncing", s->syncing()},
                              {"peers", s->peers()}};
    out << j.dump(2) << "\n";
    return 0;
  }
  print_rows(out, {{"chain_id", s->chain_id()},
                   {"epoch", std::to_string(s->epoch())},
                   {"height", std::to_string(s->height())},
                   {"block_id", hex_of(s->block_id())},
                   {"state_root", hex_of(s->state_root())},
                   {"certified_height", std::to_string(s->certified_height())},
                   {"syncing", s->syncing() ? "true" : "false"},
                   {"peers", std::to_string(s->peers())},
                   {"validator", s->validator() ? "true" : "false"}});
  return 0;
}

void print_key(std::ostream& out, const PrivateKey& key) {
  const PublicKey pub = key.public_key();
  print_rows(out, {{"address", pub.address().to_string()}, {"public_key", hex_encode(pub.span())}});
}

int run_keys_new(const Args& a, std::ostream& out, std::ostream& err) {
  auto key = PrivateKey::generate();
  if (!key.is_ok()) return fail(err, key.status());
  if (Status s = write_key_file(a.key_path, key.value()); !s.is_ok()) return fail(err, s);
  print_key(out, key.value());
  out << "wrote " << a.key_path << " (mode 0600: keep it private, it is the account)\n";
  return 0;
}

int run_keys_show(const Args& a, std::ostream& out, std::ostream& err) {
  auto key = load_key_file(a.key_path);
  if (!key.is_ok()) return fail(err, key.status());
  print_key(out, key.value());
  return 0;
}

void print_record(std::ostream& out, const std::string& tx_id, const hpchain::v1::TxRecord& r, bool json) {
  if (json) {
    const nlohmann::json j = {{"tx_id", tx_id},         {"height", r.height()},       {"block_id", hex_of(r.block_id())},
                              {"index", r.index()},     {"code", r.code()},           {"code_name", r.code_name()},
                              {"detail", r.detail()},   {"fee_paid", r.fee_paid()}};
    out << j.dump(2) << "\n";
    return;
  }
  print_rows(out, {{"tx_id", tx_id},
                   {"height", std::to_string(r.height())},
                   {"block_id", hex_of(r.block_id())},
                   {"index", std::to_string(r.index())},
                   {"code", r.code_name() + " (" + std::to_string(r.code()) + ")"},
                   {"detail", r.detail()},
                   {"fee_paid", std::to_string(r.fee_paid())}});
}

int run_account(const Args& a, std::ostream& out, std::ostream& err) {
  Address address;
  if (a.address) {
    address = *a.address;
  } else {
    auto key = load_key_file(a.key_path);
    if (!key.is_ok()) return fail(err, key.status());
    address = key->public_key().address();
  }
  NodeClient client(a.node);
  auto account = client.account(address);
  if (!account.is_ok()) return fail(err, account.status());
  if (a.json) {
    const nlohmann::json j = {{"address", address.to_string()},
                              {"nonce", account->nonce()},
                              {"balance", account->balance()},
                              {"next_nonce", account->next_nonce()}};
    out << j.dump(2) << "\n";
    return 0;
  }
  print_rows(out, {{"address", address.to_string()},
                   {"nonce", std::to_string(account->nonce())},
                   {"balance", std::to_string(account->balance())},
                   {"next_nonce", std::to_string(account->next_nonce())}});
  return 0;
}

// A hint for the refusals a person fixes with a flag.
void hint(std::ostream& err, const std::string& message) {
  if (message.find("nonce_too_low") != std::string::npos || message.find("nonce_gap") != std::string::npos ||
      message.find("nonce_taken") != std::string::npos) {
    err << "hpchain: leave --nonce out to use the account's next nonce (`hpchain account` shows it), or pass "
           "another with --nonce\n";
  } else if (message.find("fee_too_low") != std::string::npos) {
    err << "hpchain: offer at least that with --fee\n";
  }
}

int run_tx_transfer(const Args& a, std::ostream& out, std::ostream& err) {
  auto key = load_key_file(a.key_path);
  if (!key.is_ok()) return fail(err, key.status());
  NodeClient client(a.node);
  if (Status s = client.connect(); !s.is_ok()) return fail(err, s);
  std::string chain_id = a.chain_id;
  if (chain_id.empty()) {
    auto s = client.status();
    if (!s.is_ok()) return fail(err, s.status());
    chain_id = s->chain_id();
  }
  uint64_t nonce = 0;
  if (a.nonce) {
    nonce = *a.nonce;
  } else {
    // Counts this sender's transactions still in the node's mempool, so
    // transfers sent one after another take consecutive nonces.
    auto account = client.account(key->public_key().address());
    if (!account.is_ok()) return fail(err, account.status().with_context("the account's next nonce (or pass --nonce)"));
    nonce = account->next_nonce();
  }
  hpchain::v1::TxBody body;
  body.set_chain_id(chain_id);
  body.set_nonce(nonce);
  body.set_fee(a.fee);
  body.mutable_transfer()->set_to(a.to.bytes.data(), a.to.bytes.size());
  body.mutable_transfer()->set_amount(a.amount);
  const Bytes raw = sign_tx(body, key.value());
  const std::string id = tx_id(raw).hex();
  auto sent = client.broadcast(raw, a.wait, a.timeout_ms);
  if (!sent.is_ok()) {
    fail(err, sent.status().with_context("transaction " + id));
    hint(err, sent.status().message());
    return 1;
  }
  if (!a.wait) {
    if (a.json) {
      out << nlohmann::json({{"tx_id", id}, {"nonce", nonce}, {"admitted", true}}).dump(2) << "\n";
    } else {
      print_rows(out, {{"tx_id", id},
                       {"nonce", std::to_string(nonce)},
                       {"status", "admitted to the mempool (hpchain tx get " + id + ")"}});
    }
    return 0;
  }
  print_record(out, id, sent->record(), a.json);
  if (sent->record().code() != 0) {
    err << "hpchain: the transaction was committed but failed: " << sent->record().code_name() << ": "
        << sent->record().detail() << "\n";
    return 1;
  }
  return 0;
}

int run_tx_get(const Args& a, std::ostream& out, std::ostream& err) {
  NodeClient client(a.node);
  auto record = client.get_tx(a.tx_id);
  if (!record.is_ok()) return fail(err, record.status());
  print_record(out, a.tx_id.hex(), record.value(), a.json);
  return 0;
}

}  // namespace

int run_command(const Args& args, std::ostream& out, std::ostream& err) {
  switch (args.command) {
    case Command::kStatus: return run_status(args, out, err);
    case Command::kKeysNew: return run_keys_new(args, out, err);
    case Command::kKeysShow: return run_keys_show(args, out, err);
    case Command::kAccount: return run_account(args, out, err);
    case Command::kTxTransfer: return run_tx_transfer(args, out, err);
    case Command::kTxGet: return run_tx_get(args, out, err);
    case Command::kHelp: out << kUsage; return 0;
  }
  return 2;
}

}  // namespace hpchain::cli
