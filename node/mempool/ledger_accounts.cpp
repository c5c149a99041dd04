#include "node/mempool/ledger_accounts.h"

#include "ledger/ledger.h"
#include "ledger/state_view.h"

namespace hpchain::mempool {

Result<AccountState::Account> LedgerAccounts::account(const Address& address) const {
  ledger::StateView view(reader_);
  HPC_ASSIGN_OR_RETURN(auto a, view.account(address));
  return Account{a.nonce(), a.balance()};
}

Result<uint64_t> LedgerAccounts::required_fee(size_t tx_bytes) const {
  ledger::StateView view(reader_);
  HPC_ASSIGN_OR_RETURN(auto params, view.params());
  return ledger::required_fee(params, tx_bytes);
}

}  // namespace hpchain::mempool
