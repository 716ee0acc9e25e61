#include "cli/envs.h"

#include <iostream>

#include "converters/converter.h"
#include "workers/envs.h"

namespace convcheck::cli {

void AddEnvsCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<EnvsCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "envs", "list the Python environments, the converters they run and the engines");
  cmd->add_option("--json", options->json_path, "write the listing as JSON (- for stdout)");
  cmd->add_flag("--check", options->check, "exit 2 when an environment is not installed");
  cmd->callback([options, &exit_code]() { exit_code = RunEnvs(*options, std::cout, std::cerr); });
}

int RunEnvs(const EnvsCommandOptions& options, std::ostream& out, std::ostream& err) {
  nlohmann::json envs = nlohmann::json::array();
  bool all_ready = true;
  out << "python environments (" << workers::EnvsRoot() << "):\n";
  for (const workers::EnvDef& def : workers::AllEnvs()) {
    workers::EnvStatus status = workers::InspectEnv(def);
    all_ready = all_ready && status.ready;
    const nlohmann::json versions = status.KeyVersions();
    std::string listed;
    for (const auto& [name, version] : versions.items()) {
      listed += (listed.empty() ? "" : " ") + name + "=" + version.get<std::string>();
    }
    out << "  " << def.name << ": "
        << (status.ready
                ? "ready"
                : "NOT READY: " + status.problem + "; run " + workers::EnvInstallCommand(def.name))
        << "\n    " << status.python << "\n";
    if (!listed.empty()) out << "    " << listed << "\n";
    out << "    " << def.purpose << "\n";
    envs.push_back({{"name", def.name},
                    {"ready", status.ready},
                    {"problem", status.problem},
                    {"dir", status.dir},
                    {"python", status.python},
                    {"versions", versions},
                    {"purpose", def.purpose}});
  }
  out << "converters:\n";
  nlohmann::json converter_list = nlohmann::json::array();
  for (const converters::ConverterDef* def : converters::AllConverters()) {
    out << "  " << def->name << " (environment " << def->env << ", "
        << sources::FrameworkName(def->framework) << ", opsets " << def->min_opset << "-"
        << def->max_opset << ", default " << def->default_opset << "): " << def->description
        << "\n";
    nlohmann::json option_list = nlohmann::json::array();
    for (const converters::OptionDef& option : def->options) {
      out << "      " << option.key << " (default " << option.default_value << "; " << option.flag
          << "): " << option.help << "\n";
      option_list.push_back({{"key", option.key},
                             {"default", option.default_value},
                             {"flag", option.flag},
                             {"help", option.help}});
    }
    converter_list.push_back({{"name", def->name},
                              {"env", def->env},
                              {"framework", sources::FrameworkName(def->framework)},
                              {"min_opset", def->min_opset},
                              {"max_opset", def->max_opset},
                              {"default_opset", def->default_opset},
                              {"options", option_list}});
  }
  out << "  fault-inject:KIND (test doubles wrapping the converter of the source's framework):";
  for (std::string_view kind : converters::FaultInjectKinds()) out << " " << kind;
  out << "\nengines: " << backends::KnownBackends() << "\n";
  if (!options.json_path.empty()) {
    Status written = WriteJsonFile(options.json_path, {{"environments", envs},
                                                       {"converters", converter_list},
                                                       {"backends", backends::KnownBackends()}});
    if (!written.ok()) return ReportError(err, written);
  }
  if (options.check && !all_ready) {
    err << "convcheck: error: some python environments are not installed; run "
        << workers::EnvInstallCommand("NAME") << "\n";
    return kExitUsage;
  }
  return kExitPass;
}

}  // namespace convcheck::cli
