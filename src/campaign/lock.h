//===- campaign/lock.h - Who is running a campaign file right now ---------===//
//
// A campaign file is written by one `campaign run` at a time: a second run on the same file
// would put the first one's running jobs back to pending and run them twice, and `campaign
// merge` must not take a shard that is still being written. A run holds a lock on `<db>.lock`
// for as long as it lives. It is an open-file-description lock (fcntl F_OFD_SETLK): the kernel
// drops it when the process ends however it ends (kill -9, a Slurm time limit), so a lock file
// left behind never blocks anyone, and NFS, where a cluster's campaign files live, supports it.
// The file's text says who took it last (host, pid, Slurm job), for messages.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_LOCK_H_
#define CONVCHECK_CAMPAIGN_LOCK_H_

#include <string>

#include "core/status.h"

namespace convcheck::campaign {

class StoreLock {
 public:
  /// Takes the lock of `db_path`. FailedPrecondition naming the holder when another process
  /// (or another StoreLock) has it. On a file system without locks the run goes on unlocked.
  static StatusOr<StoreLock> Acquire(const std::string& db_path);
  StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StoreLock& operator=(StoreLock&&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// The lock file of a campaign file: "<db>.lock".
std::string LockPath(const std::string& db_path);

/// Who holds the lock of `db_path` now ("pid 12 on host n1, slurm job 40_3, since ..."), or ""
/// when nobody does.
std::string LockHolder(const std::string& db_path);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_LOCK_H_
