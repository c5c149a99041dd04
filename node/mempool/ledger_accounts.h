// The mempool's view of the chain, read from the ledger's state (the state
// store the node commits blocks to). Thread-safe when the reader is.
#pragma once

#include "ledger/state_store.h"
#include "node/mempool/mempool.h"

namespace hpchain::mempool {

class LedgerAccounts final : public AccountState {
 public:
  // `reader` must outlive this object.
  explicit LedgerAccounts(const ledger::StateReader& reader) : reader_(reader) {}
  Result<Account> account(const Address& address) const override;
  Result<uint64_t> required_fee(size_t tx_bytes) const override;

 private:
  const ledger::StateReader& reader_;
};

}  // namespace hpchain::mempool
