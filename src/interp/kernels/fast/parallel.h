//===- interp/kernels/fast/parallel.h - Splitting a kernel over threads ---===//
//
// The interpreter's `threads` option: a pool of threads - 1 workers (the calling thread is the
// other one) that the fast kernels hand independent tasks to. Tasks never share an output
// element and never split a sum, so results do not depend on the number of threads or on which
// thread ran what; only the time does.
//
// Workers spin for a few tens of microseconds after a job before they sleep: a model runs
// hundreds of small parallel loops per inference, and waking a sleeping thread costs about as
// much as a small loop.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_PARALLEL_H_
#define CONVCHECK_INTERP_KERNELS_FAST_PARALLEL_H_

#include <cstdint>
#include <functional>
#include <memory>

namespace convcheck::interp::fast {

class ThreadPool;

/// A pool of `threads` (including the caller); nullptr for one thread.
std::shared_ptr<ThreadPool> MakeThreadPool(int threads);

/// Runs fn(task) for every task in [0, tasks) on the pool's threads (or the calling thread when
/// there is no pool) and returns when all have run. Tasks are handed out one at a time.
class Parallel {
 public:
  Parallel() = default;
  explicit Parallel(ThreadPool* pool) : pool_(pool) {}
  int threads() const;
  void For(int64_t tasks, const std::function<void(int64_t task)>& fn) const;

 private:
  ThreadPool* pool_ = nullptr;
};

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_PARALLEL_H_
