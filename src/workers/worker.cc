#include "workers/worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace convcheck::workers {
namespace {

// How often a waiting Call() looks at the worker's memory and liveness.
constexpr int kPollIntervalMs = 100;
// How much of the log a crash report quotes.
constexpr size_t kLogTailBytes = 2000;
// A response line longer than this is a protocol violation, not a response.
constexpr size_t kMaxLineBytes = 64 << 20;

double NowS() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// Resident set size of `pid` in MiB, or 0 if it cannot be read (the process may be gone).
double ResidentMb(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return static_cast<double>(resident_pages) * sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }
bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

std::string_view ReplyKindName(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::kAnswered: return "answered";
    case ReplyKind::kTimeout: return "timeout";
    case ReplyKind::kCrashed: return "crashed";
    case ReplyKind::kMemoryExceeded: return "memory_exceeded";
    case ReplyKind::kStartFailed: return "start_failed";
  }
  return "unknown";
}

Worker::Worker(WorkerSpec spec) : spec_(std::move(spec)) {
  // Writing a request to a worker that just died must be an error return, not our death.
  signal(SIGPIPE, SIG_IGN);
}

Worker::~Worker() {
  if (!running()) return;
  // Ask politely, then make sure: a worker must never outlive convcheck.
  static const char kShutdown[] = "{\"op\": \"shutdown\"}\n";
  (void)!write(request_fd_, kShutdown, sizeof(kShutdown) - 1);
  close(request_fd_);
  request_fd_ = -1;
  for (int i = 0; i < 20; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    usleep(50 * 1000);
  }
  if (running()) Kill();
  if (response_fd_ >= 0) close(response_fd_);
}

Status Worker::Spawn() {
  int request_pipe[2], response_pipe[2];
  if (pipe2(request_pipe, O_CLOEXEC) != 0 || pipe2(response_pipe, O_CLOEXEC) != 0) {
    return Unavailable("worker '" + spec_.name + "': cannot create pipes: " + strerror(errno));
  }
  int log_fd = open(spec_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    close(request_pipe[0]), close(request_pipe[1]), close(response_pipe[0]),
        close(response_pipe[1]);
    return Unavailable("worker '" + spec_.name + "': cannot open log '" + spec_.log_path +
                       "': " + strerror(errno));
  }
  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& [key, value] : spec_.env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = spec_.argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    close(request_pipe[0]), close(request_pipe[1]), close(response_pipe[0]),
        close(response_pipe[1]), close(log_fd);
    return Unavailable("worker '" + spec_.name + "': fork failed: " + strerror(errno));
  }
  if (pid == 0) {
    // Own process group, so a kill reaches anything the worker spawned; and die with us.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // dup2 clears O_CLOEXEC on the targets; every other descriptor closes at exec.
    if (dup2(request_pipe[0], 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0 ||
        dup2(response_pipe[1], 3) < 0) {
      _exit(127);
    }
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv.data(), envp.data());
    static const char kMsg[] = "convcheck: exec of worker failed\n";
    (void)!write(2, kMsg, sizeof(kMsg) - 1);
    _exit(127);
  }
  close(request_pipe[0]);
  close(response_pipe[1]);
  close(log_fd);
  pid_ = pid;
  request_fd_ = request_pipe[1];
  response_fd_ = response_pipe[0];
  buffer_.clear();
  ++starts_;
  return Status::Ok();
}

Status Worker::Start() {
  if (running()) return Status::Ok();
  CC_RETURN_IF_ERROR(Spawn());
  std::string line;
  WaitResult wait = WaitLine(NowS() + spec_.start_timeout_s, &line);
  Reply reply;
  std::string why;
  if (wait == WaitResult::kLine) {
    nlohmann::json ready = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (ready.is_object() && ready.value("ready", false)) {
      ready_info_ = std::move(ready);
      return Status::Ok();
    }
    Kill();
    why = "sent '" + line.substr(0, 200) + "' instead of its ready line";
  } else if (wait == WaitResult::kTimeout) {
    Kill();
    why = "was not ready after " + std::to_string(static_cast<int>(spec_.start_timeout_s)) + " s";
  } else if (wait == WaitResult::kMemory) {
    Kill();
    why = "exceeded its memory limit while starting";
  } else {
    Reap(&reply, /*already_killed=*/false);
    why = reply.detail;
  }
  std::string tail = LogTail();
  // Keep the error one line: the last log line usually says why (ImportError, missing module).
  size_t last_nl = tail.find_last_not_of("\n");
  std::string last_line;
  if (last_nl != std::string::npos) {
    size_t start = tail.rfind('\n', last_nl);
    last_line = tail.substr(start == std::string::npos ? 0 : start + 1, last_nl - start);
  }
  return Unavailable("worker '" + spec_.name + "' (" + spec_.argv.back() + ") " + why +
                     (last_line.empty() ? "" : "; log says: " + last_line) + " (log: " +
                     spec_.log_path + ")");
}

Worker::WaitResult Worker::WaitLine(double deadline_s, std::string* line) {
  last_peak_rss_mb_ = 0;
  while (true) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      *line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return WaitResult::kLine;
    }
    if (buffer_.size() > kMaxLineBytes) return WaitResult::kDied;
    double rss = ResidentMb(pid_);
    last_peak_rss_mb_ = std::max(last_peak_rss_mb_, rss);
    if (spec_.memory_limit_mb > 0 && rss > static_cast<double>(spec_.memory_limit_mb)) {
      return WaitResult::kMemory;
    }
    double remaining_s = deadline_s - NowS();
    if (remaining_s <= 0) return WaitResult::kTimeout;
    pollfd pfd{response_fd_, POLLIN, 0};
    int wait_ms = std::min<int>(kPollIntervalMs, static_cast<int>(remaining_s * 1000) + 1);
    int ready = poll(&pfd, 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return WaitResult::kDied;
    }
    if (ready == 0) continue;
    char chunk[65536];
    ssize_t n = read(response_fd_, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return WaitResult::kDied;  // EOF: the worker closed fd 3, i.e. it is exiting.
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void Worker::Reap(Reply* reply, bool already_killed) {
  if (pid_ <= 0) return;
  int status = 0;
  // After EOF on fd 3 the process is exiting; give it a moment before forcing it.
  pid_t got = 0;
  for (int i = 0; i < 40 && got == 0; ++i) {
    got = waitpid(pid_, &status, WNOHANG);
    if (got == 0) usleep(25 * 1000);
  }
  if (got == 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    got = waitpid(pid_, &status, 0);
  } else if (got > 0) {
    // The leader is gone; anything it spawned goes with it.
    kill(-pid_, SIGKILL);
  }
  if (got == pid_ && !already_killed) {
    if (WIFSIGNALED(status)) {
      reply->term_signal = WTERMSIG(status);
      reply->detail = "killed by signal " + std::to_string(reply->term_signal) + " (" +
                      SignalName(reply->term_signal) + ")";
    } else if (WIFEXITED(status)) {
      reply->exit_code = WEXITSTATUS(status);
      reply->detail = "exited with status " + std::to_string(reply->exit_code);
    }
  }
  pid_ = -1;
  if (request_fd_ >= 0) close(request_fd_);
  if (response_fd_ >= 0) close(response_fd_);
  request_fd_ = response_fd_ = -1;
  buffer_.clear();
}

void Worker::Kill() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (request_fd_ >= 0) close(request_fd_);
  if (response_fd_ >= 0) close(response_fd_);
  request_fd_ = response_fd_ = -1;
  buffer_.clear();
}

std::string Worker::LogTail() const {
  std::ifstream in(spec_.log_path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  std::streamoff size = in.tellg();
  std::streamoff start = std::max<std::streamoff>(0, size - kLogTailBytes);
  in.seekg(start);
  std::string tail(static_cast<size_t>(size - start), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail;
}

Reply Worker::Call(nlohmann::json request, double timeout_s) {
  Reply reply;
  const double start_s = NowS();
  if (!running()) {
    Status started = Start();
    if (!started.ok()) {
      reply.kind = ReplyKind::kStartFailed;
      reply.detail = started.message();
      reply.log_tail = LogTail();
      return reply;
    }
  }
  const double call_start_s = NowS();
  const int64_t id = next_id_++;
  request["id"] = id;
  std::string line = request.dump() + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = write(request_fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  WaitResult wait = WaitResult::kDied;
  std::string response_line;
  if (written == line.size()) {
    // Skip stale answers (ids below ours) that a previous, timed-out request may have left.
    while ((wait = WaitLine(call_start_s + timeout_s, &response_line)) == WaitResult::kLine) {
      nlohmann::json response =
          nlohmann::json::parse(response_line, nullptr, /*allow_exceptions=*/false);
      if (!response.is_object()) {
        Kill();
        reply.kind = ReplyKind::kCrashed;
        reply.detail = "broke the protocol: sent '" + response_line.substr(0, 200) + "'";
        break;
      }
      if (response.value("id", int64_t{-1}) < id) continue;
      reply.kind = ReplyKind::kAnswered;
      reply.response = std::move(response);
      break;
    }
  }
  if (wait == WaitResult::kTimeout) {
    Kill();
    reply.kind = ReplyKind::kTimeout;
    reply.detail = "no answer within " + std::to_string(timeout_s) + " s; killed";
  } else if (wait == WaitResult::kMemory) {
    double rss = last_peak_rss_mb_;
    Kill();
    reply.kind = ReplyKind::kMemoryExceeded;
    reply.detail = "resident memory " + std::to_string(static_cast<int64_t>(rss)) +
                   " MiB passed the limit of " + std::to_string(spec_.memory_limit_mb) +
                   " MiB; killed";
  } else if (wait == WaitResult::kDied) {
    reply.kind = ReplyKind::kCrashed;
    Reap(&reply, /*already_killed=*/false);
    if (reply.detail.empty()) reply.detail = "closed its response channel";
  }
  if (reply.kind != ReplyKind::kAnswered) reply.log_tail = LogTail();
  reply.elapsed_s = NowS() - start_s;
  return reply;
}

std::string WorkersDir() {
  const char* env = std::getenv("CONVCHECK_WORKERS_DIR");
  if (env && *env) return env;
  return CONVCHECK_DEFAULT_WORKERS_DIR;
}

StatusOr<WorkerSpec> PythonWorkerSpec(const std::string& log_dir) {
  const char* env_python = std::getenv("CONVCHECK_PYTHON");
  // Debian's interpreter: the python3 first on PATH may be another one without torch.
  std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  std::string script = WorkersDir() + "/python/convcheck_worker.py";
  if (!IsExecutable(python)) {
    return FailedPrecondition("python interpreter '" + python +
                              "' not found; run scripts/install-deps.sh");
  }
  if (!Exists(script)) {
    return FailedPrecondition("python worker '" + script +
                              "' not found; set CONVCHECK_WORKERS_DIR to the workers folder");
  }
  WorkerSpec spec;
  spec.name = "python";
  spec.argv = {python, "-u", script};
  spec.log_path = log_dir + "/python-worker.log";
  spec.env = {{"PYTHONDONTWRITEBYTECODE", "1"}};
  return spec;
}

StatusOr<WorkerSpec> NodeWorkerSpec(const std::string& log_dir) {
  const char* env_node = std::getenv("CONVCHECK_NODE");
  std::string node = env_node && *env_node ? env_node : "";
  if (node.empty()) {
    for (const char* candidate : {"/usr/bin/node", "/usr/local/bin/node"}) {
      if (IsExecutable(candidate)) {
        node = candidate;
        break;
      }
    }
  }
  std::string script = WorkersDir() + "/node/ort_worker.js";
  if (node.empty() || !IsExecutable(node)) {
    return FailedPrecondition("node.js not found; run scripts/install-deps.sh");
  }
  if (!Exists(WorkersDir() + "/node/node_modules/onnxruntime-node")) {
    return FailedPrecondition("onnxruntime-node is not installed in '" + WorkersDir() +
                              "/node'; run scripts/install-deps.sh");
  }
  if (!Exists(script)) {
    return FailedPrecondition("node worker '" + script + "' not found");
  }
  WorkerSpec spec;
  spec.name = "node";
  spec.argv = {node, script};
  spec.log_path = log_dir + "/node-worker.log";
  return spec;
}

}  // namespace convcheck::workers
