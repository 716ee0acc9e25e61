//===- pipeline/session.h - Workers and scratch space shared by jobs ------===//
//
// A Session owns what outlives one job: the worker processes (started lazily, on first use, so a
// `check` that needs only ONNX Runtime never pays for importing torch) and a scratch directory
// where jobs exchange tensors with the workers. The scratch directory is removed at the end
// unless the user asked to keep it.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_PIPELINE_SESSION_H_
#define CONVCHECK_PIPELINE_SESSION_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "workers/worker.h"

namespace convcheck::pipeline {

struct SessionOptions {
  std::string scratch_parent;   // Default: $TMPDIR or /tmp.
  bool keep_scratch = false;    // Leave the scratch directory (and worker logs) behind.
  int64_t memory_limit_mb = 0;  // Per worker resident memory limit; 0 = none.
};

class Session {
 public:
  static StatusOr<std::unique_ptr<Session>> Create(const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// The torch worker; FailedPrecondition if it cannot be set up (interpreter missing).
  StatusOr<workers::Worker*> Python();
  /// The ONNX Runtime worker; FailedPrecondition if node or onnxruntime-node is missing.
  StatusOr<workers::Worker*> Node();

  /// The versions the started workers reported ({"python_worker": {...}, "node_worker": {...}});
  /// a worker that never ran is absent.
  nlohmann::json WorkerVersions() const;

  const std::string& scratch_dir() const { return scratch_dir_; }
  /// A new, empty directory under the scratch directory, e.g. "job-3".
  StatusOr<std::string> NewDir(const std::string& prefix);
  /// Removes the directories NewDir made (unless the scratch is kept): called between jobs, so
  /// that a campaign of hundreds of models does not fill the disk with their ONNX files.
  void ReleaseDirs();

 private:
  explicit Session(SessionOptions options) : options_(std::move(options)) {}
  SessionOptions options_;
  std::string scratch_dir_;
  int next_dir_ = 0;
  std::vector<std::string> dirs_;
  std::unique_ptr<workers::Worker> python_;
  std::unique_ptr<workers::Worker> node_;
};

}  // namespace convcheck::pipeline

#endif  // CONVCHECK_PIPELINE_SESSION_H_
