//===- workers/session.h - Workers and scratch space shared by jobs -------===//
//
// A Session owns what outlives one job: the worker processes (one Python worker per environment
// and the Node worker, each started lazily, on first use, so a `check` that needs only ONNX
// Runtime never pays for importing torch, and a torch job never imports TensorFlow) and a
// scratch directory where jobs exchange tensors with the workers. The scratch directory is
// removed at the end unless the user asked to keep it.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_WORKERS_SESSION_H_
#define CONVCHECK_WORKERS_SESSION_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "workers/worker.h"

namespace convcheck::workers {

struct SessionOptions {
  std::string scratch_parent;   // Default: $TMPDIR or /tmp.
  bool keep_scratch = false;    // Leave the scratch directory (and worker logs) behind.
  int64_t memory_limit_mb = 0;  // Per worker resident memory limit; 0 = none.
  int threads = 1;              // Intra-op threads of the frameworks in the Python workers.
};

class Session {
 public:
  static StatusOr<std::unique_ptr<Session>> Create(const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// The Python worker of environment `env` (workers/envs.def); FailedPrecondition naming the
  /// install command if the environment is not installed.
  StatusOr<Worker*> Python(std::string_view env);
  /// The ONNX Runtime worker; FailedPrecondition if node or onnxruntime-node is missing.
  StatusOr<Worker*> Node();

  /// The versions the started workers reported ({"python:torch2": {...}, "node": {...}}); a
  /// worker that never ran is absent.
  nlohmann::json WorkerVersions() const;

  const std::string& scratch_dir() const { return scratch_dir_; }
  const SessionOptions& options() const { return options_; }
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
  std::map<std::string, std::unique_ptr<Worker>, std::less<>> python_;
  std::unique_ptr<Worker> node_;
};

}  // namespace convcheck::workers

#endif  // CONVCHECK_WORKERS_SESSION_H_
