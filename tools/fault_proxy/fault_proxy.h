// A loopback TCP proxy that injects link faults, driven by tests (and by
// hpchain-fault-proxy by hand). Each accepted connection is forwarded to
// `target`; what flows through it, in chunks as read, can be:
//   delayed      every chunk is forwarded delay_ms after it was read (order kept);
//   dropped      with probability p per chunk the whole connection is reset,
//                as a failing link would (TCP itself never loses bytes);
//   duplicated   with probability p a chunk is forwarded twice, which breaks
//                the stream above it (a misbehaving middlebox);
//   partitioned  nothing passes either way and new connections go nowhere,
//                bytes read meanwhile are discarded; the endpoints notice by
//                their own timeouts, as across a real partition. heal() ends it.
// Faults apply to chunks read after the call. Randomness comes from a seed,
// so a run is reproducible up to the kernel's chunking.
//
// Thread-safety: every method may be called from any thread; the proxy runs
// one Asio thread of its own.
#pragma once

#include <cstdint>
#include <memory>

#include "chain/status.h"
#include "node/config/config.h"

namespace hpchain::tools {

class FaultProxy {
 public:
  // Listens on `listen` (port 0: any free port) and forwards to `target`.
  // IoError when it cannot listen.
  static Result<std::unique_ptr<FaultProxy>> start(const node::Endpoint& listen, const node::Endpoint& target,
                                                   uint64_t seed = 1);
  ~FaultProxy();  // closes everything

  node::Endpoint endpoint() const;  // the bound address

  void set_delay_ms(uint32_t ms);
  void set_drop_probability(double p);
  void set_duplicate_probability(double p);
  void partition();
  void heal();

  // Connections accepted so far, and open now.
  uint64_t accepted() const;
  uint64_t open_connections() const;

  class Impl;

 private:
  explicit FaultProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::tools
