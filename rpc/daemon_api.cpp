// NodeApi over the running Daemon, and RpcServer::start for a Daemon. In a
// file of its own, so that a binary serving a fake node (tests) does not
// link the Daemon.
#include "node/daemon.h"
#include "rpc/node_api.h"
#include "rpc/server.h"

namespace hpchain::rpc {
namespace {

class DaemonApi final : public NodeApi {
 public:
  explicit DaemonApi(node::Daemon& daemon) : daemon_(daemon) {}

  std::optional<Status> fatal() const override { return daemon_.fatal(); }
  node::NodeStatus status() const override { return daemon_.status(); }
  Result<hpchain::v1::CommittedBlockRecord> block_at(uint64_t height) const override { return daemon_.block_at(height); }
  Result<hpchain::v1::CommittedBlockRecord> block_by_id(const Hash32& id) const override {
    return daemon_.block_by_id(id);
  }
  Result<hpchain::v1::TxRecord> tx(const Hash32& id) const override { return daemon_.tx(id); }
  Result<hpchain::v1::TxRecord> wait_tx(const Hash32& id, std::chrono::milliseconds timeout) const override {
    return daemon_.wait_tx(id, timeout);
  }
  mempool::Admission submit_tx(Bytes raw) override { return daemon_.submit_tx(std::move(raw)); }
  Result<node::AccountInfo> account(const Address& address) const override { return daemon_.account(address); }
  bool pending(const Hash32& id) const override { return daemon_.pending(id); }

 private:
  node::Daemon& daemon_;
};

}  // namespace

std::unique_ptr<NodeApi> daemon_api(node::Daemon& daemon) { return std::make_unique<DaemonApi>(daemon); }

Result<std::unique_ptr<RpcServer>> RpcServer::start(node::Daemon& daemon, const node::Endpoint& listen) {
  return start(daemon_api(daemon), listen);
}

}  // namespace hpchain::rpc
