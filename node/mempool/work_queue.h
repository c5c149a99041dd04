// A fixed pool of threads running queued tasks, with a bound on how many
// may wait. Tasks run in no particular order. The destructor runs what is
// queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hpchain::mempool {

class WorkQueue {
 public:
  // threads = 0: one per core (at least 1).
  WorkQueue(unsigned threads, size_t max_waiting);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `task`; false (and nothing queued) when max_waiting wait already.
  bool post(std::function<void()> task);

 private:
  void run();

  size_t max_waiting_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hpchain::mempool
