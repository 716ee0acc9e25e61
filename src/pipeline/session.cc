#include "pipeline/session.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace convcheck::pipeline {

namespace fs = std::filesystem;

StatusOr<std::unique_ptr<Session>> Session::Create(const SessionOptions& options) {
  std::unique_ptr<Session> session(new Session(options));
  std::string parent = options.scratch_parent;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = parent + "/convcheck-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    return FailedPrecondition("cannot create a scratch directory under '" + parent +
                              "': " + std::strerror(errno));
  }
  session->scratch_dir_ = pattern;
  return session;
}

Session::~Session() {
  // Workers first: they may hold files in the scratch directory open.
  python_.reset();
  node_.reset();
  if (!options_.keep_scratch && !scratch_dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(scratch_dir_, ignored);
  }
}

StatusOr<workers::Worker*> Session::Python() {
  if (!python_) {
    CC_ASSIGN_OR_RETURN(workers::WorkerSpec spec, workers::PythonWorkerSpec(scratch_dir_));
    spec.memory_limit_mb = options_.memory_limit_mb;
    python_ = std::make_unique<workers::Worker>(std::move(spec));
  }
  return python_.get();
}

StatusOr<workers::Worker*> Session::Node() {
  if (!node_) {
    CC_ASSIGN_OR_RETURN(workers::WorkerSpec spec, workers::NodeWorkerSpec(scratch_dir_));
    spec.memory_limit_mb = options_.memory_limit_mb;
    node_ = std::make_unique<workers::Worker>(std::move(spec));
  }
  return node_.get();
}

nlohmann::json Session::WorkerVersions() const {
  nlohmann::json versions = nlohmann::json::object();
  if (python_ && !python_->ready_info().is_null()) {
    versions["python_worker"] = python_->ready_info().value("versions", nlohmann::json());
  }
  if (node_ && !node_->ready_info().is_null()) {
    versions["node_worker"] = node_->ready_info().value("versions", nlohmann::json());
  }
  return versions;
}

StatusOr<std::string> Session::NewDir(const std::string& prefix) {
  std::string dir = scratch_dir_ + "/" + prefix + "-" + std::to_string(next_dir_++);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FailedPrecondition("cannot create '" + dir + "': " + ec.message());
  dirs_.push_back(dir);
  return dir;
}

void Session::ReleaseDirs() {
  if (!options_.keep_scratch) {
    std::error_code ignored;
    for (const auto& dir : dirs_) fs::remove_all(dir, ignored);
  }
  dirs_.clear();
}

}  // namespace convcheck::pipeline
