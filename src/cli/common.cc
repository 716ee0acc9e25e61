#include "cli/common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace convcheck::cli {

void AddToleranceFlags(CLI::App& app, ToleranceFlags& flags) {
  std::string names;
  for (const auto& n : oracle::ToleranceProfileNames()) names += (names.empty() ? "" : ", ") + n;
  app.add_option("--tolerance", flags.profile,
                 "tolerance profile: " + names + " (default convcheck; see docs/tolerances.md)");
  app.add_option("--atol", flags.atol, "override the profile's absolute tolerance");
  app.add_option("--rtol", flags.rtol, "override the profile's relative tolerance");
}

StatusOr<oracle::Tolerance> ResolveTolerance(const ToleranceFlags& flags) {
  CC_ASSIGN_OR_RETURN(oracle::Tolerance tol, oracle::ToleranceProfile(flags.profile));
  for (const auto& [name, value] : {std::pair{"--atol", flags.atol}, {"--rtol", flags.rtol}}) {
    // NaN compares false with everything: `--rtol nan` would turn every comparison off.
    if (value && !(std::isfinite(*value) && *value >= 0)) {
      return InvalidArgument(std::string(name) + " must be a finite number >= 0, not " +
                             std::to_string(*value));
    }
  }
  if (flags.atol) {
    tol.atol = *flags.atol;
    tol.base = flags.profile;
    tol.profile = "custom";
  }
  if (flags.rtol) {
    tol.rtol = *flags.rtol;
    tol.base = flags.profile;
    tol.profile = "custom";
  }
  return tol;
}

EngineFlags DefaultEngineFlags(std::string backends, int64_t memory_limit_mb, double timeout_s) {
  EngineFlags flags;
  flags.backends = std::move(backends);
  flags.memory_limit_mb = memory_limit_mb;
  flags.timeout_s = timeout_s;
  return flags;
}

void AddEngineFlags(CLI::App& app, EngineFlags& flags, const std::string& backends_flag) {
  const std::string other = backends_flag == "--backend" ? "--backends" : "--backend";
  app.add_option(backends_flag + "," + other, flags.backends,
                 "comma list of engines: " + backends::KnownBackends() +
                     (flags.backends.empty() ? "" : " (default " + flags.backends + ")"));
  app.add_option("--ort-opt-level", flags.ort_opt_level, "ONNX Runtime graph optimization level")
      ->check(CLI::IsMember({"disabled", "basic", "extended", "all"}));
  app.add_option("--threads", flags.threads,
                 "threads of each engine and framework (default 1: results do not depend on "
                 "scheduling)")
      ->check(CLI::Range(1, 256));
  app.add_option("--memory-limit", flags.memory_limit_mb,
                 "MiB of memory each engine and worker may use (0 = no limit)");
  app.add_option("--timeout", flags.timeout_s, "seconds allowed per stage");
  AddToleranceFlags(app, flags.tolerance);
}

StatusOr<Engines> ResolveEngines(const EngineFlags& flags) {
  Engines engines;
  CC_ASSIGN_OR_RETURN(engines.backends, backends::ParseBackendList(flags.backends));
  CC_ASSIGN_OR_RETURN(engines.tolerance, ResolveTolerance(flags.tolerance));
  if (!(std::isfinite(flags.timeout_s) && flags.timeout_s > 0)) {
    // `--timeout nan` used to turn every deadline off.
    return InvalidArgument("--timeout must be a finite number of seconds > 0, not " +
                           std::to_string(flags.timeout_s));
  }
  if (flags.memory_limit_mb < 0) {
    return InvalidArgument("--memory-limit must be >= 0 MiB, not " +
                           std::to_string(flags.memory_limit_mb));
  }
  engines.timeout_s = flags.timeout_s;
  engines.backend_options.ort_opt_level = flags.ort_opt_level;
  engines.backend_options.threads = flags.threads;
  engines.backend_options.memory_limit_mb = flags.memory_limit_mb;
  engines.session_options.memory_limit_mb = flags.memory_limit_mb;
  engines.session_options.threads = flags.threads;
  return engines;
}

namespace {
std::string Number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", value);
  return buf;
}
}  // namespace

std::vector<std::string> EngineArgs(const EngineFlags& flags, const std::string& backends_flag) {
  std::vector<std::string> args = {backends_flag,     flags.backends,
                                   "--ort-opt-level", flags.ort_opt_level,
                                   "--threads",       std::to_string(flags.threads),
                                   "--memory-limit",  std::to_string(flags.memory_limit_mb),
                                   "--timeout",       Number(flags.timeout_s),
                                   "--tolerance",     flags.tolerance.profile};
  if (flags.tolerance.atol) args.insert(args.end(), {"--atol", Number(*flags.tolerance.atol)});
  if (flags.tolerance.rtol) args.insert(args.end(), {"--rtol", Number(*flags.tolerance.rtol)});
  return args;
}

void AddConverterFlags(CLI::App& app, ConverterFlags& flags) {
  app.add_option("--converter,--converters", flags.converters,
                 "converter, or a comma list: " + converters::KnownConverters() +
                     " (default: torch.onnx.dynamo for PyTorch sources, tf2onnx for TensorFlow)");
  app.add_option("--opset,--opsets", flags.opsets,
                 "ONNX opset, or a comma list such as 13,17 (default: the converter's own)");
  for (const converters::OptionDef* option : converters::AllOptionFlags()) {
    bool& given = flags.option_flags[std::string(option->flag)];
    app.add_flag(std::string(option->flag), given,
                 std::string(option->help) + " (" + std::string(option->key) + "=" +
                     std::string(option->flag_value) + ")");
  }
  app.add_option("--converter-option", flags.converter_options,
                 "KEY=VALUE: set a converter option (see `convcheck envs --converters`)");
}

StatusOr<Converters> ResolveConverters(const ConverterFlags& flags) {
  Converters result;
  std::stringstream names(flags.converters);
  std::string name;
  while (std::getline(names, name, ',')) {
    if (name.empty()) continue;
    const std::string canonical(converters::CanonicalName(name));
    if (std::find(result.names.begin(), result.names.end(), canonical) != result.names.end()) {
      return InvalidArgument("converter '" + canonical + "' is listed twice");
    }
    result.names.push_back(canonical);
  }
  std::stringstream opsets(flags.opsets);
  std::string item;
  while (std::getline(opsets, item, ',')) {
    size_t used = 0;
    int opset = 0;
    try {
      opset = std::stoi(item, &used);
    } catch (...) {
      used = 0;
    }
    if (used == 0 || used != item.size() || opset < 1) {
      return InvalidArgument("opset '" + item + "' is not a positive integer");
    }
    result.opsets.push_back(opset);
  }
  for (const converters::OptionDef* option : converters::AllOptionFlags()) {
    auto it = flags.option_flags.find(std::string(option->flag));
    if (it != flags.option_flags.end() && it->second) {
      result.options.emplace_back(option->key, option->flag_value);
    }
  }
  for (const std::string& pair : flags.converter_options) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--converter-option '" + pair + "' is not KEY=VALUE");
    }
    result.options.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return result;
}

std::vector<std::string> ConverterArgs(const ConverterFlags& flags) {
  std::vector<std::string> args;
  if (!flags.converters.empty()) args.insert(args.end(), {"--converters", flags.converters});
  if (!flags.opsets.empty()) args.insert(args.end(), {"--opsets", flags.opsets});
  for (const auto& [flag, given] : flags.option_flags) {
    if (given) args.push_back(flag);
  }
  for (const auto& pair : flags.converter_options) {
    args.insert(args.end(), {"--converter-option", pair});
  }
  return args;
}

std::string ShellJoin(const std::vector<std::string>& args) {
  std::string line;
  for (const auto& arg : args) {
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-+=.,:/@%") == std::string::npos;
    std::string quoted = "'";
    for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += (line.empty() ? "" : " ") + (plain ? arg : quoted + "'");
  }
  return line;
}

int ReportError(std::ostream& err, const Status& status) {
  err << "convcheck: error: " << status.message() << "\n";
  return kExitUsage;
}

namespace {
std::string Seconds(const std::map<std::string, double>& timings, const std::string& key) {
  auto it = timings.find(key);
  if (it == timings.end()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", it->second);
  return buf;
}

std::string RunSeconds(const pipeline::JobResult& r) {
  double sum = 0;
  bool any = false;
  for (const auto& [k, v] : r.timings) {
    if (k.rfind("run:", 0) == 0) sum += v, any = true;
  }
  if (!any) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", sum);
  return buf;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s += std::string(width - s.size(), ' ');
  return s;
}
}  // namespace

void ResultTable::PrintHeader() {
  out_ << Pad("source", 34) << Pad("converter", 23) << Pad("opset", 6) << Pad("verdict", 38)
       << Pad("worst error", 18) << Pad("source_s", 9) << Pad("convert_s", 10) << Pad("valid_s", 8)
       << Pad("run_s", 7) << "total_s\n";
  out_.flush();
}

void ResultTable::PrintRow(const pipeline::JobResult& r) {
  std::string verdict(oracle::VerdictName(r.verdict));
  if (!r.subtype.empty()) verdict += "/" + r.subtype;
  if (!r.stage.empty() && r.verdict != oracle::Verdict::kIncorrectBehavior) {
    verdict += " @" + r.stage;
  }
  std::string source = r.source;
  // A python source's folder is in the JSON; the table keeps the file name.
  if (source.rfind("python:", 0) == 0) {
    source = "python:" + std::filesystem::path(source.substr(7)).filename().string();
  }
  if (source.size() > 33) source = "..." + source.substr(source.size() - 30);
  std::string worst = pipeline::WorstErrorText(r);
  out_ << Pad(source, 34) << Pad(r.converter.name.empty() ? "-" : r.converter.name, 23)
       << Pad(r.converter.opset ? std::to_string(r.converter.opset) : "-", 6) << Pad(verdict, 38)
       << Pad(worst.empty() ? "-" : worst, 18) << Pad(Seconds(r.timings, "source"), 9)
       << Pad(Seconds(r.timings, "convert"), 10) << Pad(Seconds(r.timings, "validate"), 8)
       << Pad(RunSeconds(r), 7) << Seconds(r.timings, "total") << "\n";
  if (r.verdict != oracle::Verdict::kPass && !r.error.empty()) {
    out_ << "    " << r.error << "\n";
  }
  for (const auto& note : r.notes) out_ << "    note: " << note << "\n";
  if (!r.blame.empty() && r.blame != "source") {
    out_ << "    blame: " << r.blame << " (" << r.blame_reason << ")\n";
  }
  // A pass against a degenerate reference says little: say so where the pass is shown.
  for (const auto& warning : r.warnings) {
    if (warning.rfind("reference output", 0) == 0) out_ << "    warning: " << warning << "\n";
  }
  out_.flush();
}

void RunSummary::Add(const pipeline::JobResult& r) {
  ++jobs;
  ++verdicts[std::string(oracle::VerdictName(r.verdict))];
  tool_s += pipeline::ToolSeconds(r);
  if (auto it = r.tool_time.find("worker_start"); it != r.tool_time.end()) {
    worker_start_s += it->second;
  }
}

double RunSummary::OwnShare() const {
  if (wall_s <= 0) return 0;
  return std::max(0.0, wall_s - tool_s - worker_start_s) / wall_s;
}

void RunSummary::Print(std::ostream& out) const {
  out << jobs << " job" << (jobs == 1 ? "" : "s") << ":";
  bool first = true;
  for (const auto& [name, count] : verdicts) {
    out << (first ? " " : ", ") << count << " " << name;
    first = false;
  }
  char buf[200];
  std::snprintf(buf, sizeof(buf),
                "\nwall %.1f s: tools %.1f s (torch build/inference/export, engines), worker "
                "start-up %.1f s, convcheck itself %.1f s (%.1f%%)\n",
                wall_s, tool_s, worker_start_s, std::max(0.0, wall_s - tool_s - worker_start_s),
                100.0 * OwnShare());
  out << buf;
}

nlohmann::json RunSummary::ToJson() const {
  return {{"jobs", jobs},
          {"verdicts", verdicts},
          {"wall_s", wall_s},
          {"tool_s", tool_s},
          {"worker_start_s", worker_start_s},
          {"own_share", OwnShare()}};
}

Status WriteJsonFile(const std::string& path, const nlohmann::json& doc) {
  if (path == "-") {
    std::cout << doc.dump(2) << "\n";
    return Status::Ok();
  }
  std::ofstream out(path);
  if (!out) return InvalidArgument("cannot write json file '" + path + "'");
  out << doc.dump(2) << "\n";
  if (!out) return InvalidArgument("cannot write json file '" + path + "'");
  return Status::Ok();
}

}  // namespace convcheck::cli
