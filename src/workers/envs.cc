#include "workers/envs.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/sha256.h"

namespace convcheck::workers {
namespace {

namespace fs = std::filesystem;

constexpr EnvDef kEnvs[] = {
#define CC_ENV(id, name, pins, packages, purpose) {EnvId::id, name, pins, packages, purpose},
#include "workers/envs.def"
#undef CC_ENV
};

}  // namespace

std::span<const EnvDef> AllEnvs() { return kEnvs; }

const EnvDef* FindEnvDef(std::string_view name) {
  for (const EnvDef& def : kEnvs) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

const EnvDef& GetEnvDef(EnvId id) { return kEnvs[static_cast<int>(id)]; }

std::string EnvsRoot() {
  const char* root = std::getenv("CONVCHECK_ENVS");
  return root && *root ? root : "/opt/convcheck/envs";
}

std::string EnvInstallCommand(std::string_view env) {
  return "bash scripts/install-deps.sh (or bash scripts/install-envs.sh " + std::string(env) + ")";
}

nlohmann::json EnvStatus::KeyVersions() const {
  nlohmann::json keys = nlohmann::json::object();
  if (versions.contains("python")) keys["python"] = versions["python"];
  std::stringstream list{std::string(def->key_packages)};
  std::string package;
  while (std::getline(list, package, ',')) {
    if (versions.contains(package)) keys[package] = versions[package];
  }
  return keys;
}

EnvStatus InspectEnv(const EnvDef& def) {
  EnvStatus status;
  status.def = &def;
  const std::string pins =
      WorkersDir() + "/envs/" + std::string(def.name) + "/" + std::string(def.pin_file);
  StatusOr<std::string> digest = Sha256FileHex(pins);
  if (!digest.ok()) {
    status.problem = "its pin file '" + pins + "' cannot be read";
    return status;
  }
  status.dir = EnvsRoot() + "/" + std::string(def.name) + "-" + digest->substr(0, 12);
  status.python = status.dir + "/bin/python";
  std::error_code ec;
  if (!fs::exists(status.dir + "/.ready", ec)) {
    status.problem = fs::exists(status.dir, ec) ? "its install did not finish (no .ready)"
                                                : "it is not installed";
    return status;
  }
  if (access(status.python.c_str(), X_OK) != 0) {
    status.problem = "its interpreter '" + status.python + "' is missing";
    return status;
  }
  std::ifstream in(status.dir + "/versions.json");
  nlohmann::json versions = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (versions.is_object()) status.versions = std::move(versions);
  status.ready = true;
  return status;
}

StatusOr<WorkerSpec> EnvWorkerSpec(std::string_view env, const std::string& log_dir) {
  const EnvDef* def = FindEnvDef(env);
  if (def == nullptr)
    return InvalidArgument("unknown python environment '" + std::string(env) + "'");
  EnvStatus status = InspectEnv(*def);
  if (!status.ready) {
    return FailedPrecondition("python environment '" + std::string(env) + "' (" +
                              std::string(def->purpose) + ") is not ready: " + status.problem +
                              " at '" + status.dir + "'; run " + EnvInstallCommand(env));
  }
  const std::string script = WorkersDir() + "/python/convcheck_worker.py";
  if (access(script.c_str(), R_OK) != 0) {
    return FailedPrecondition("python worker '" + script +
                              "' not found; set CONVCHECK_WORKERS_DIR to the workers folder");
  }
  WorkerSpec spec;
  spec.name = "python:" + std::string(env);
  spec.argv = {status.python, "-u", script};
  spec.log_path = log_dir + "/python-" + std::string(env) + "-worker.log";
  spec.env = {{"PYTHONDONTWRITEBYTECODE", "1"}, {"CONVCHECK_ENV", std::string(env)}};
  return spec;
}

}  // namespace convcheck::workers
