#include "campaign/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "campaign/store.h"

namespace convcheck::campaign {

namespace {

struct flock WholeFile(short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;  // To the end, however long the file grows.
  lock.l_pid = 0;  // Required by OFD locks.
  return lock;
}

// Errors that mean "this file system has no locks" rather than "someone holds it".
bool NoLockSupport(int error) {
  return error == ENOLCK || error == EINVAL || error == EOPNOTSUPP || error == ENOSYS;
}

std::string Describe() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::string text = "pid " + std::to_string(getpid()) + " on host " + host;
  const char* job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* plain = std::getenv("SLURM_JOB_ID");
  if (job != nullptr && task != nullptr) {
    text += std::string(", slurm job ") + job + "_" + task;
  } else if (plain != nullptr) {
    text += std::string(", slurm job ") + plain;
  }
  return text + ", since " + UtcNow();
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[512];
  ssize_t n;
  off_t offset = 0;
  while ((n = pread(fd, buffer, sizeof(buffer), offset)) > 0) {
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
    if (text.size() > 4096) break;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

}  // namespace

std::string LockPath(const std::string& db_path) { return db_path + ".lock"; }

StatusOr<StoreLock> StoreLock::Acquire(const std::string& db_path) {
  const std::string path = LockPath(db_path);
  // O_CLOEXEC: the workers a run starts must not inherit (and so extend) the lock.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return FailedPrecondition("cannot open the lock file '" + path + "': " + std::strerror(errno));
  }
  struct flock lock = WholeFile(F_WRLCK);
  if (fcntl(fd, F_OFD_SETLK, &lock) != 0) {
    const int error = errno;
    if (NoLockSupport(error)) return StoreLock(fd);
    std::string holder = ReadAll(fd);
    close(fd);
    return FailedPrecondition("campaign '" + db_path + "' is already being run (" +
                              (holder.empty() ? std::string("lock held") : holder) + ", lock '" +
                              path + "'); wait for it to end");
  }
  const std::string text = Describe() + "\n";
  if (ftruncate(fd, 0) == 0) {
    ssize_t written = pwrite(fd, text.data(), text.size(), 0);
    (void)written;  // The text only helps messages; the lock is what counts.
  }
  return StoreLock(fd);
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) close(fd_);  // Closing the description releases the lock.
}

std::string LockHolder(const std::string& db_path) {
  int fd = open(LockPath(db_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  // F_OFD_GETLK with a write lock reports any conflicting lock, ours included, since OFD locks
  // belong to the open file, not the process.
  struct flock lock = WholeFile(F_WRLCK);
  std::string holder;
  if (fcntl(fd, F_OFD_GETLK, &lock) == 0 && lock.l_type != F_UNLCK) {
    holder = ReadAll(fd);
    if (holder.empty()) holder = "a process holds its lock";
  }
  close(fd);
  return holder;
}

}  // namespace convcheck::campaign
