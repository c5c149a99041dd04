// Internals of the simulator: the fault schedule, the simulated validator
// instances and the World that runs them. Only simulator.cpp,
// byzantine.cpp and schedule.cpp include this.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "consensus/core.h"
#include "consensus/state_cert.h"
#include "tests/sim/sim_crypto.h"
#include "tests/sim/sim_random.h"
#include "tests/sim/simulator.h"

namespace hpchain::sim {

using consensus::ValidatorIndex;

// What withholders do in a seed (withhold.cpp).
enum class WithholdPlan : uint8_t { kForkBelowLock, kHiddenSibling, kSplitVotes };

enum class Role : uint8_t { kHonest, kEquivocator, kDoubleVoter, kTwin, kGarbage, kTcForger, kWithholder };
const char* role_name(Role role);

struct CrashFault {
  uint32_t instance = 0;
  uint64_t at_ms = 0;
  uint64_t restart_ms = 0;
  bool lost_disk = false;
};
struct PartitionFault {
  uint64_t from_ms = 0;
  uint64_t to_ms = 0;
  std::vector<uint8_t> side;  // per instance: 0 or 1
};
struct SlowFault {
  ValidatorIndex validator = 0;
  uint64_t from_ms = 0;
  uint64_t to_ms = 0;
  uint64_t extra_ms = 0;
};

// One honest instance cut off from `from_ms` until every other honest
// instance is kLagBlocks ahead of it: it must sync to come back.
struct LaggardFault {
  uint32_t instance = 0;
  uint64_t from_ms = 0;
};
inline constexpr uint64_t kLagBlocks = 1100;
inline constexpr uint64_t kStatusMs = 2000;  // epoch runs: the status exchange's period

// A planned change of the validator set (the ledger's registry changing):
// the committed block `gap` heights above the epoch's start block is the
// epoch's reconfiguration block, and the next epoch's set is `members`
// (member ids, ascending, in set order) with `powers`.
struct Reconfig {
  uint64_t gap = 0;
  std::vector<uint32_t> members;
  std::vector<uint64_t> powers;
  bool byzantine_first_leader = false;  // a byzantine member proposes the new epoch's first block
};

// Everything the seed decides before the run starts. A member is a
// signing identity: the epoch-0 validators are members 0..validators-1,
// epoch runs add joiners after them, and a legacy observer is member
// `validators`.
struct Schedule {
  uint32_t validators = 0;                   // epoch 0's set
  uint32_t members = 0;                      // every member id is below this
  std::vector<Role> roles;                   // per member (joiners and observers are honest)
  std::vector<uint64_t> powers;              // per epoch-0 validator
  std::optional<ValidatorIndex> heavy_byzantine;  // holds just under a third
  WithholdPlan withhold_plan = WithholdPlan::kForkBelowLock;
  std::vector<ValidatorIndex> instance_of;   // per instance: its validator (twins share)
  std::vector<CrashFault> crashes;
  std::vector<PartitionFault> partitions;
  std::vector<SlowFault> slows;
  uint64_t drop_percent = 0;   // while now < heal_ms
  uint64_t duplicate_percent = 0;
  std::optional<LaggardFault> laggard;
  std::optional<uint32_t> observer_instance;  // its validator entry is the peer id `validators`
  uint64_t observer_join_ms = 0;
  uint64_t heal_ms = 0;        // when the last fault has healed (a laggard may defer it)
  std::vector<Reconfig> reconfigs;  // epoch runs only: epoch e ends per reconfigs[e]
  std::string describe() const;
};
Schedule draw_schedule(Rng& rng, const SimConfig& config);

// Member m's secp256k1 key (derived from m, cached): the public keys of
// every validator set, and the signers of --real-crypto runs.
const std::vector<PrivateKey>& sim_validator_keys(size_t members);

// Safety storage that survives a crash, unless the disk is lost.
class SimSafetyStorage final : public consensus::SafetyStorage {
 public:
  Result<consensus::SafetyState> load() override { return state_; }
  Status save(const consensus::SafetyState& state) override {
    state_ = state;
    return Status::ok();
  }
  void lose() { state_ = {}; }

 private:
  consensus::SafetyState state_;
};

class CommittedStore final : public consensus::CommittedBlockReader {
 public:
  consensus::BlockPtr find(const Hash32& id) const override {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  void add(const consensus::BlockPtr& block) { by_id_[block->id] = block; }

 private:
  std::map<Hash32, consensus::BlockPtr> by_id_;
};

struct Instance {
  ValidatorIndex validator = 0;  // the member id (= the epoch-0 index of a validator)
  Role role = Role::kHonest;
  uint64_t epoch = 0;
  ValidatorIndex index = 0;      // in the epoch's set, or consensus::kObserver
  bool up = true;
  bool halted = false;           // stopped by a divergence: never restarts
  uint32_t generation = 0;  // bumped on crash: older timers are void
  std::unique_ptr<consensus::Signer> signer;
  SimSafetyStorage storage;
  consensus::MemoryTreeStorage tree;  // used when SimConfig::saved_tree
  CommittedStore store;
  std::vector<consensus::CommittedBlock> chain;  // committed, heights 1..
  Hash32 state;
  uint64_t height_at_heal = 0;
  uint64_t forged_tc_round = 0;  // a kTcForger's last rushed TC
  std::unique_ptr<consensus::ConsensusCore> core;
  // State certificates (epoch runs): one certifier per epoch reached (kept:
  // a node behind asks for the epoch-change proofs), the commit time of
  // the recent heights not yet certified (latency), and our vote for the
  // epoch's reconfiguration block (resent until its certificate is held).
  std::map<uint64_t, std::unique_ptr<consensus::StateCertifier>> certifiers;
  std::map<uint64_t, uint64_t> executed_ms;
  std::shared_ptr<const Bytes> end_vote;
  uint64_t status_height = 0;  // chain height at the last kStatus
};

// An epoch of the run: its set, its members in set order, the members
// outside it (who get the peer ids after the set's indices), its verifier
// and where it starts.
struct EpochInfo {
  uint64_t number = 0;
  std::vector<uint32_t> members;
  std::vector<uint32_t> others;
  std::optional<consensus::ValidatorSet> set;
  std::unique_ptr<consensus::SignatureVerifier> verifier;
  consensus::EpochStart start;
  consensus::BlockPtr start_block;
  uint64_t end_height = UINT64_MAX;  // its reconfiguration block's height; none in the last epoch
};

enum class EventKind : uint8_t {
  kDeliver, kTimer, kPayload, kCrash, kRestart, kHeal, kValidate, kSync, kShowOther, kSplitStep,
  kStateDeliver,  // a StateMessage
  kEpochSync,     // EpochAheadAction: fetch the epoch-change proof
  kStateResend,   // resend our vote for the reconfiguration block
  kStatus,        // epoch runs: every 2 s, an instance that committed nothing asks peers for a later epoch
};

struct Event {
  uint64_t time_ms = 0;
  uint64_t seq = 0;  // ties broken by creation order: deterministic
  EventKind kind = EventKind::kDeliver;
  uint32_t instance = 0;
  ValidatorIndex from = 0;  // kDeliver: the sender's member id
  uint64_t round = 0;
  uint32_t generation = 0;
  bool lost_disk = false;
  std::shared_ptr<const Bytes> bytes;
  bool operator>(const Event& o) const {
    return time_ms != o.time_ms ? time_ms > o.time_ms : seq > o.seq;
  }
};

class World {
 public:
  explicit World(const SimConfig& config);
  SeedResult run();

 private:
  friend class Byzantine;
  void push(Event e);
  void process(const Event& e);
  void start_instance(uint32_t i);
  void apply(uint32_t i, consensus::Actions actions);
  void record_commit(uint32_t i, const consensus::CommittedBlock& c);
  void on_sign(ValidatorIndex signer, SignDomain domain, ByteSpan message);
  void violation(std::string what);
  // Sends from instance `src` to every instance of peer `dst` (an index in
  // src's epoch, or a peer id after them for a member outside the set).
  void send(uint32_t src, ValidatorIndex dst, std::shared_ptr<const Bytes> bytes,
            uint64_t extra_delay_ms = 0);
  void send_to_member(uint32_t src, uint32_t member, std::shared_ptr<const Bytes> bytes,
                      uint64_t extra_delay_ms = 0, EventKind kind = EventKind::kDeliver);
  void outgoing(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes);
  bool cut(uint32_t a, uint32_t b) const;
  // Members without a role (observers) count as honest: they must agree.
  bool honest(uint32_t member) const {
    return member >= schedule_.roles.size() || schedule_.roles[member] == Role::kHonest;
  }
  bool is_observer(uint32_t i) const { return schedule_.observer_instance == i; }
  // State sync (sync.cpp): hands instance i the chain of the most advanced
  // honest instance up to its last commit proof, then calls on_synced.
  void state_sync(uint32_t i);
  void append_commit(uint32_t i, const consensus::CommittedBlock& c);
  bool lagging(uint32_t i) const;
  bool live() const;
  // Epochs and state certificates (epochs.cpp). Withholders, TC forgers
  // and twins never run in an epoch seed: their code assumes epoch 0.
  bool epoch_run() const { return !schedule_.reconfigs.empty(); }
  // State certificates run in epoch runs and in divergence tests.
  bool certifying() const { return epoch_run() || config_.diverge_height != 0; }
  std::unique_ptr<EpochInfo> make_epoch(uint64_t number, const std::vector<uint32_t>& members,
                                        const std::vector<uint64_t>& powers, consensus::EpochStart start);
  void open_epoch_zero();
  const EpochInfo& open_epoch(uint64_t epoch, const consensus::Block& end);
  const EpochInfo& epoch_of(uint32_t i) const { return *epochs_[instances_[i].epoch]; }
  const consensus::ValidatorSet& set_of(uint32_t i) const { return *epoch_of(i).set; }
  ValidatorIndex peer_id(uint64_t epoch, uint32_t member) const;
  std::optional<uint32_t> member_of(uint64_t epoch, ValidatorIndex peer) const;
  ValidatorIndex index_in(uint64_t epoch, uint32_t member) const;  // or kObserver
  consensus::StateCertifier* certifier(uint32_t i, uint64_t epoch);
  // After append_commit: the state vote, the end of the epoch, and the
  // core's on_block_executed.
  void execute(uint32_t i, const consensus::Block& b);
  Hash32 claimed_root(uint32_t i, uint64_t height);
  void certify(uint32_t i, const consensus::Block& b);  // our state vote for b
  void note_latency(uint32_t i, uint64_t ms);
  void record_certificate(uint32_t i, uint64_t epoch, const consensus::StateCertificate& cert);
  void broadcast_state(uint32_t src, std::shared_ptr<const Bytes> bytes);
  std::shared_ptr<const Bytes> lying_state_vote(uint32_t i, const Bytes& honest_vote);
  void on_state(uint32_t i, uint64_t epoch, consensus::StateActions actions);
  void deliver_state(const Event& e);
  void resend_end_vote(uint32_t i, uint32_t generation);
  // Starts the next epoch once the reconfiguration block is executed and
  // its certificate held; true if it did.
  bool maybe_end_epoch(uint32_t i);
  void switch_epoch(uint32_t i);
  void epoch_sync(uint32_t i, uint32_t generation);
  void status(uint32_t i);
  void check_state_signature(uint32_t member, ByteSpan message);
  // Byzantine behaviours (byzantine.cpp).
  void equivocate(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes);
  void double_vote(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes);
  void garbage(uint32_t src, const Bytes& bytes);
  // Withholding leaders (withhold.cpp).
  void withhold(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes);
  void fork_below_lock(uint32_t src, consensus::MessageBody& body, const Bytes& bytes);
  void hidden_sibling(uint32_t src, consensus::MessageBody& body, const Bytes& bytes);
  void watch_sibling_plan(const consensus::Proposal& p, bool from_withholder);
  void hand_qc(uint32_t src, const consensus::QuorumCert& qc, uint64_t round);
  void show_to_victim_only(uint32_t src, const Bytes& bytes);
  ValidatorIndex random_honest_validator();
  // The split-votes plan (split_votes.cpp).
  void split_votes(uint32_t src, consensus::MessageBody& body, const Bytes& bytes);
  void split_send(uint32_t src, const consensus::Proposal& a, const consensus::Proposal& b);
  void show_other();
  void split_step();
  // A proposal of `round` by its (withholding) leader on `parent_qc`, with
  // the fields of `like` and its payload tagged.
  consensus::Proposal withholder_proposal(uint64_t round, const consensus::Block& like,
                                          const consensus::QuorumCert& parent_qc, char tag);
  void capture_vote(const consensus::Vote& v);
  std::optional<consensus::QuorumCert> captured_qc(const consensus::BlockPtr& block);
  bool leads_withholder(uint64_t round) const;
  consensus::TimeoutMsg timeout_claiming(uint32_t src, consensus::TimeoutMsg t, const consensus::QuorumCert& qc);
  // A copy of `p` with `payload` that extends the block `qc` certifies
  // instead (valid after a TC only if `qc` reaches the TC's lock), signed
  // by `src`.
  consensus::Proposal below_lock(uint32_t src, const consensus::Proposal& p, Bytes payload,
                                 const consensus::QuorumCert& qc);
  void send_to_all(uint32_t src, std::shared_ptr<const Bytes> bytes);
  Bytes forge_tc(uint32_t src, const Bytes& bytes);
  void rush_forged_tc(uint32_t src);

  SimConfig config_;
  Rng rng_;
  Schedule schedule_;
  std::string chain_id_ = "hpchain-sim";
  uint64_t epoch_ = 0;  // the epoch withholders and TC forgers sign in (never an epoch run)
  std::vector<std::unique_ptr<EpochInfo>> epochs_;
  const consensus::ValidatorSet* validators_ = nullptr;  // epoch 0's
  std::unique_ptr<SimKeyring> keyring_;
  std::vector<Instance> instances_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  uint64_t now_ms_ = 0;
  uint64_t seq_ = 0;
  Sha256 trace_;
  bool healed_ = false;
  bool laggard_back_ = false;  // the laggard's isolation has ended
  uint64_t end_ms_ = 0;        // the run ends here (a deferred heal extends it)
  // Safety bookkeeping, checked at every commit and every signature.
  std::map<uint64_t, Hash32> committed_at_height_;              // first honest commit per height
  std::map<std::tuple<uint32_t, uint64_t, uint64_t>, Hash32> votes_;  // honest (member, epoch, round) -> block
  std::map<std::tuple<uint32_t, uint64_t, uint64_t>, Hash32> state_votes_;  // honest (member, epoch, height) -> claim
  std::map<std::pair<uint64_t, uint64_t>, consensus::StateClaim> certified_;  // (epoch, height) -> certified claim
  std::map<uint64_t, std::vector<Hash32>> equivocated_;         // round -> equivocator's blocks
  // The withholders' plan (withhold()): the QC a fork extends, once a TC
  // of round >= hidden_round_ lets a withholder lead.
  std::optional<consensus::QuorumCert> fork_base_;
  consensus::QuorumCert hidden_low_qc_;  // G's QC: what withholders' timeouts claim
  uint64_t hidden_round_ = 0;
  uint64_t quiet_until_round_ = 0;  // withholders act honestly below this round
  // The hidden-sibling plan's progress (withhold.cpp): 0 idle, 1 QC(P)
  // hidden and waiting for X, 2 waiting for X's collector, 3 waiting for Z,
  // 4 waiting for Z's collector, 5 waiting for Y.
  struct SiblingPlan {
    int phase = 0;
    consensus::QuorumCert low_qc;  // QC(P's parent)
    consensus::QuorumCert qc_p;
    consensus::QuorumCert qc_x;
    Hash32 p_parent;
    Hash32 x_id;
    Hash32 z_id;
  };
  SiblingPlan sibling_;
  // The split-votes plan's progress: 0 idle, 1 the pair of round r sent,
  // 2 the pair of round r + 1 sent.
  struct SplitPlan {
    int phase = 0;
    uint64_t round = 0;
    std::array<consensus::BlockPtr, 2> pair;
    std::array<std::shared_ptr<const Bytes>, 2> messages;
    std::array<std::vector<ValidatorIndex>, 2> halves;  // honest validators
    uint32_t sender = 0;
    std::map<Hash32, std::map<ValidatorIndex, Signature>> votes;  // honest votes seen, by block
  };
  SplitPlan split_;
  std::map<Hash32, consensus::BlockPtr> recent_blocks_;  // the last 256 proposed blocks
  std::deque<Hash32> recent_order_;
  SeedResult result_;
};

}  // namespace hpchain::sim
