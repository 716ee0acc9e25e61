#include "workers/isolate.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace convcheck::workers {
namespace {

double NowS() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void InjectFaultForTests(const char* env_var) {
  const char* fault = std::getenv(env_var);
  if (!fault) return;
  if (std::strcmp(fault, "segfault") == 0) raise(SIGSEGV);
  if (std::strcmp(fault, "hang") == 0) {
    while (true) pause();
  }
}

bool WriteAll(int fd, const std::string& data) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

IsolatedResult RunIsolated(const std::function<int(int report_fd)>& fn, double timeout_s,
                           int64_t memory_limit_mb) {
  IsolatedResult result;
  const double start = NowS();
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.kind = IsolatedResult::Kind::kCrashed;
    result.detail = std::string("cannot create a pipe: ") + strerror(errno);
    return result;
  }
  fflush(nullptr);  // Buffered output must not be written twice.
  pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    result.kind = IsolatedResult::Kind::kCrashed;
    result.detail = std::string("fork failed: ") + strerror(errno);
    return result;
  }
  if (pid == 0) {
    close(pipe_fds[0]);
    setpgid(0, 0);
    if (memory_limit_mb > 0) {
      rlimit limit;
      limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(memory_limit_mb) << 20;
      setrlimit(RLIMIT_AS, &limit);
    }
    int code = fn(pipe_fds[1]);
    // _exit: the parent's objects (workers, files) belong to the parent.
    _exit(code);
  }
  close(pipe_fds[1]);
  const double deadline = start + timeout_s;
  bool timed_out = false;
  char buf[65536];
  while (true) {
    double remaining = deadline - NowS();
    if (remaining <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(remaining * 1000) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t n = read(pipe_fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child exited (or closed its end).
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  if (timed_out) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    result.kind = IsolatedResult::Kind::kTimeout;
    result.detail = "no result within " + std::to_string(timeout_s) + " s; killed";
  } else {
    // EOF came first; the exit follows at once, but do not trust that forever.
    pid_t got = 0;
    while ((got = waitpid(pid, &status, WNOHANG)) == 0 && NowS() < deadline) usleep(1000);
    if (got == 0) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.kind = IsolatedResult::Kind::kTimeout;
      result.detail = "did not exit after reporting; killed";
    } else if (WIFSIGNALED(status)) {
      result.kind = IsolatedResult::Kind::kCrashed;
      result.term_signal = WTERMSIG(status);
      const char* abbrev = sigabbrev_np(result.term_signal);
      result.detail = "killed by signal " + std::to_string(result.term_signal) +
                      (abbrev ? std::string(" (SIG") + abbrev + ")" : "");
    } else if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    }
  }
  result.elapsed_s = NowS() - start;
  return result;
}

}  // namespace convcheck::workers
