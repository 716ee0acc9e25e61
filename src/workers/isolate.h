//===- workers/isolate.h - Run a function in a forked child ---------------===//
//
// The reference interpreter runs inside convcheck's own code, and it runs untrusted models: a
// bug of ours on a hostile model (a crash, an endless Loop, a shape that asks for 1 TB) must
// become a recorded result, not the end of a campaign. RunIsolated forks, runs the function in
// the child with a memory limit, and waits with a deadline; the child reports through a pipe.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_WORKERS_ISOLATE_H_
#define CONVCHECK_WORKERS_ISOLATE_H_

#include <cstdint>
#include <functional>
#include <string>

namespace convcheck::workers {

struct IsolatedResult {
  enum class Kind { kOk, kCrashed, kTimeout, kMemoryExceeded };
  Kind kind = Kind::kOk;
  std::string output;  // What the child wrote to its report descriptor.
  int exit_code = -1;
  int term_signal = 0;
  std::string detail;  // One line for every kind but kOk.
  double elapsed_s = 0;
};

/// Runs `fn(report_fd)` in a child process. The child's exit status is fn's return value; what
/// it writes to report_fd comes back in `output`. `memory_limit_mb` (0 = none) caps the child's
/// address space; an allocation past it fails inside the child (bad_alloc, turned into an error
/// by the interpreter) or kills it. The child never runs destructors of the parent's objects.
IsolatedResult RunIsolated(const std::function<int(int report_fd)>& fn, double timeout_s,
                           int64_t memory_limit_mb);

/// Test double hook: when the environment variable `env_var` is "segfault" or "hang", the
/// calling (isolated child) process crashes or hangs on purpose, so that tests can prove a crash
/// or hang of an in-process engine becomes a recorded result. Does nothing otherwise.
void InjectFaultForTests(const char* env_var);

/// Writes all of `data` to `fd`; false on error.
bool WriteAll(int fd, const std::string& data);

}  // namespace convcheck::workers

#endif  // CONVCHECK_WORKERS_ISOLATE_H_
