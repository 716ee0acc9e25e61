//===- workers/worker.h - A supervised, long-lived worker process ---------===//
//
// Converters and runtimes that exist only in Python or Node.js run in worker processes that live
// across jobs (importing torch alone costs over a second). A Worker owns one such process: it
// starts it, sends one JSON request at a time and waits for the answer with a deadline, watches
// its memory, and notices when it dies. Whatever the process does (crash, hang, grow without
// bound, print garbage), Call() returns a Reply that says so; the next Call() starts a fresh
// process. convcheck itself never blocks on a worker beyond the deadline it gave.
//
// The protocol (one JSON line per request on stdin, one per response on fd 3, logs on 1 and 2)
// is documented in workers/README.md.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_WORKERS_WORKER_H_
#define CONVCHECK_WORKERS_WORKER_H_

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace convcheck::workers {

struct WorkerSpec {
  std::string name;                // "python", "node": used in messages.
  std::vector<std::string> argv;   // argv[0] is an absolute path.
  std::vector<std::pair<std::string, std::string>> env;  // Added to the inherited environment.
  std::string log_path;            // stdout and stderr of the process are appended here.
  double start_timeout_s = 120;    // Until the ready line.
  int64_t memory_limit_mb = 0;     // Resident set size limit; 0 = none.
};

/// How a request ended. Only kAnswered carries a response; the others describe the process.
enum class ReplyKind {
  kAnswered,        // The worker answered (its response may still say "ok": false).
  kTimeout,         // No answer before the deadline; the process was killed.
  kCrashed,         // The process died (signal or exit) or broke the protocol.
  kMemoryExceeded,  // Its resident memory passed the limit; the process was killed.
  kStartFailed,     // It could not be started or never said it was ready.
};

std::string_view ReplyKindName(ReplyKind kind);

struct Reply {
  ReplyKind kind = ReplyKind::kAnswered;
  nlohmann::json response;  // Set for kAnswered.
  std::string detail;       // One line for every other kind, e.g. "killed by signal 11 (SIGSEGV)".
  int exit_code = -1;       // When the process exited.
  int term_signal = 0;      // When a signal killed it.
  std::string log_tail;     // The last lines the process wrote to its log, for crash reports.
  double elapsed_s = 0;
  bool ok() const { return kind == ReplyKind::kAnswered && response.value("ok", false); }
};

class Worker {
 public:
  explicit Worker(WorkerSpec spec);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Starts the process (if not running) and waits for its ready line. Unavailable on failure,
  /// with the reason and the tail of the log.
  Status Start();

  /// Sends `request` (an "id" is added) and waits up to `timeout_s` for the answer. Starts the
  /// process first if needed; the start does not count against `timeout_s`.
  Reply Call(nlohmann::json request, double timeout_s);

  /// Kills the process group now (SIGKILL) and reaps it.
  void Kill();

  bool running() const { return pid_ > 0; }
  const std::string& name() const { return spec_.name; }
  /// The ready line of the current (or last) process: versions of the tools it drives.
  const nlohmann::json& ready_info() const { return ready_info_; }
  /// How many times a process was started.
  int starts() const { return starts_; }
  /// Peak resident memory seen while the last request ran, in MiB.
  double last_peak_rss_mb() const { return last_peak_rss_mb_; }

 private:
  enum class WaitResult { kLine, kTimeout, kDied, kMemory };
  Status Spawn();
  // Waits for one complete line on the response channel.
  WaitResult WaitLine(double deadline_s, std::string* line);
  // Reaps the process after it died or was killed, filling in exit status fields of `reply`.
  void Reap(Reply* reply, bool already_killed);
  std::string LogTail() const;

  WorkerSpec spec_;
  pid_t pid_ = -1;
  int request_fd_ = -1;   // Our end of the worker's stdin.
  int response_fd_ = -1;  // Our end of the worker's fd 3.
  std::string buffer_;    // Bytes read from response_fd_ not yet split into lines.
  int64_t next_id_ = 1;
  int starts_ = 0;
  double last_peak_rss_mb_ = 0;
  nlohmann::json ready_info_;
};

/// Where workers/ is: $CONVCHECK_WORKERS_DIR, or the source tree the binary was built from.
std::string WorkersDir();

/// The Python worker (torch, torch.onnx), run with /usr/bin/python3; FailedPrecondition with
/// an install hint when the interpreter or the script is missing.
StatusOr<WorkerSpec> PythonWorkerSpec(const std::string& log_dir);
/// The Node worker (ONNX Runtime); FailedPrecondition when node or onnxruntime-node is missing.
StatusOr<WorkerSpec> NodeWorkerSpec(const std::string& log_dir);

}  // namespace convcheck::workers

#endif  // CONVCHECK_WORKERS_WORKER_H_
