#include "workers/session.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "workers/envs.h"

namespace convcheck::workers {

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
  python_.clear();
  node_.reset();
  if (!options_.keep_scratch && !scratch_dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(scratch_dir_, ignored);
  }
}

StatusOr<Worker*> Session::Python(std::string_view env) {
  auto it = python_.find(env);
  if (it == python_.end()) {
    CC_ASSIGN_OR_RETURN(WorkerSpec spec, EnvWorkerSpec(env, scratch_dir_));
    spec.memory_limit_mb = options_.memory_limit_mb;
    spec.env.emplace_back("CONVCHECK_THREADS", std::to_string(std::max(1, options_.threads)));
    it = python_.emplace(std::string(env), std::make_unique<Worker>(std::move(spec))).first;
  }
  return it->second.get();
}

StatusOr<Worker*> Session::Node() {
  if (!node_) {
    CC_ASSIGN_OR_RETURN(WorkerSpec spec, NodeWorkerSpec(scratch_dir_));
    spec.memory_limit_mb = options_.memory_limit_mb;
    node_ = std::make_unique<Worker>(std::move(spec));
  }
  return node_.get();
}

nlohmann::json Session::WorkerVersions() const {
  nlohmann::json versions = nlohmann::json::object();
  for (const auto& [env, worker] : python_) {
    if (!worker->ready_info().is_null()) {
      versions["python:" + env] = worker->ready_info().value("versions", nlohmann::json());
    }
  }
  if (node_ && !node_->ready_info().is_null()) {
    versions["node"] = node_->ready_info().value("versions", nlohmann::json());
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

}  // namespace convcheck::workers
