//===- workers/envs.h - The Python environments workers run in ------------===//
//
// Converters that exist only in Python run in environments of their own (torch 2 and TensorFlow
// want different numpy, protobuf and transformers). scripts/install-envs.sh builds each one from
// its pin file into ${CONVCHECK_ENVS:-/opt/convcheck/envs}/NAME-HASH/, HASH the first 12 hex
// digits of the pin file's SHA-256; this file finds them the same way, so a clone uses exactly
// the environment its pins describe, and a missing one is a one-line error naming the install
// command. The list of environments is envs.def.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_WORKERS_ENVS_H_
#define CONVCHECK_WORKERS_ENVS_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "workers/worker.h"

namespace convcheck::workers {

enum class EnvId {
#define CC_ENV(id, name, pins, packages, purpose) id,
#include "workers/envs.def"
#undef CC_ENV
};

struct EnvDef {
  EnvId id;
  std::string_view name;
  std::string_view pin_file;
  std::string_view key_packages;  // Comma list, as importlib.metadata names them ('-' -> '_').
  std::string_view purpose;
};

std::span<const EnvDef> AllEnvs();
/// The environment called `name`, or nullptr.
const EnvDef* FindEnvDef(std::string_view name);
const EnvDef& GetEnvDef(EnvId id);

/// $CONVCHECK_ENVS, or /opt/convcheck/envs.
std::string EnvsRoot();

/// What is installed for one environment.
struct EnvStatus {
  const EnvDef* def = nullptr;
  std::string dir;     // Where it is (or would be).
  std::string python;  // Its interpreter.
  bool ready = false;
  std::string problem;                                 // Why it is not ready, one line.
  nlohmann::json versions = nlohmann::json::object();  // Every installed distribution.
  /// The versions of the key packages, e.g. {"torch": "2.14.1", ...}; missing ones are absent.
  nlohmann::json KeyVersions() const;
};

EnvStatus InspectEnv(const EnvDef& def);

/// The command that installs environments, for error messages.
std::string EnvInstallCommand(std::string_view env);

/// The Python worker run by environment `env`'s interpreter (CONVCHECK_ENV tells the worker
/// which environment it is in). FailedPrecondition naming the install command when the
/// environment is not ready; InvalidArgument for an unknown name.
StatusOr<WorkerSpec> EnvWorkerSpec(std::string_view env, const std::string& log_dir);

}  // namespace convcheck::workers

#endif  // CONVCHECK_WORKERS_ENVS_H_
