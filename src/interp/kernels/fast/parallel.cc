#include "interp/kernels/fast/parallel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace convcheck::interp::fast {

class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    stop_flag_.store(true);
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void Run(int64_t tasks, const std::function<void(int64_t)>& fn) {
    fn_ = &fn;
    tasks_ = tasks;
    next_.store(0, std::memory_order_relaxed);
    busy_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    Drain();
    // Workers that found nothing left still have to say so before fn_ may go out of scope.
    while (busy_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
  }

 private:
  void Drain() {
    for (int64_t t; (t = next_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) (*fn_)(t);
  }

  void Work() {
    uint64_t seen = 0;
    for (;;) {
      // Spin a little before sleeping: the next parallel loop usually comes within microseconds.
      const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      int spins = 0;
      while (generation_.load(std::memory_order_acquire) == seen && !stop_flag_.load()) {
        if (++spins % 64 == 0 && std::chrono::steady_clock::now() > spin_until) break;
      }
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
        if (stop_) return;
      }
      seen = generation_.load(std::memory_order_acquire);
      Drain();
      busy_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;                   // Under mutex_.
  std::atomic<bool> stop_flag_{false};  // stop_, for a spinning worker.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_{0};
  std::atomic<int> busy_{0};
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t tasks_ = 0;
};

std::shared_ptr<ThreadPool> MakeThreadPool(int threads) {
  if (threads <= 1) return nullptr;
  return std::make_shared<ThreadPool>(threads);
}

int Parallel::threads() const { return pool_ ? pool_->threads() : 1; }

void Parallel::For(int64_t tasks, const std::function<void(int64_t)>& fn) const {
  if (!pool_ || tasks <= 1) {
    for (int64_t t = 0; t < tasks; ++t) fn(t);
    return;
  }
  pool_->Run(tasks, fn);
}

}  // namespace convcheck::interp::fast
