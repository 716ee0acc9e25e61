#include "backends/backend.h"

#include <algorithm>
#include <sstream>

namespace convcheck::backends {
namespace {

using Factory = StatusOr<std::unique_ptr<Backend>> (*)(workers::Session&, const BackendOptions&);

struct BackendDef {
  std::string_view name;
  Factory factory;
  std::string_view help;
};

constexpr BackendDef kBackends[] = {
#define CC_BACKEND(id, name, factory, help) {name, &factory, help},
#include "backends/backends.def"
#undef CC_BACKEND
};

const BackendDef* Find(std::string_view name) {
  for (const BackendDef& def : kBackends) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

}  // namespace

std::string KnownBackends() {
  std::string known;
  for (const BackendDef& def : kBackends)
    known += (known.empty() ? "" : ", ") + std::string(def.name);
  return known;
}

StatusOr<std::unique_ptr<Backend>> MakeBackend(std::string_view name, workers::Session& session,
                                               const BackendOptions& options) {
  const BackendDef* def = Find(name);
  if (def == nullptr) {
    return InvalidArgument("unknown backend '" + std::string(name) +
                           "' (known: " + KnownBackends() + ")");
  }
  return def->factory(session, options);
}

Status CheckBackends(const std::vector<std::string>& names, workers::Session& session,
                     const BackendOptions& options) {
  for (const auto& name : names) {
    CC_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, MakeBackend(name, session, options));
    (void)backend;
  }
  return Status::Ok();
}

StatusOr<std::vector<std::string>> ParseBackendList(std::string_view list) {
  std::vector<std::string> names;
  std::stringstream in{std::string(list)};
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) return InvalidArgument("empty backend name in '" + std::string(list) + "'");
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return InvalidArgument("backend '" + name + "' is listed twice");
    }
    if (Find(name) == nullptr) {
      return InvalidArgument("unknown backend '" + name + "' (known: " + KnownBackends() + ")");
    }
    names.push_back(name);
  }
  if (names.empty()) return InvalidArgument("no backend given");
  return names;
}

}  // namespace convcheck::backends
