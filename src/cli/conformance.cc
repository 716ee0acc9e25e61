#include "cli/conformance.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/common.h"
#include "conformance/conformance.h"

namespace convcheck::cli {

void AddConformanceCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ConformanceCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "conformance", "run ONNX backend-test cases on a backend and compare with stored outputs");
  cmd->add_option("dirs", options->dirs,
                  "case folders (default: the node, pytorch-converted, pytorch-operator and "
                  "simple folders of /usr/share/libonnx-testdata/data)");
  cmd->add_option("--backend", options->backend, "ref or ort")
      ->check(CLI::IsMember({"ref", "ort"}));
  cmd->add_option("--filter", options->filter, "only cases whose folder/case id matches REGEX");
  cmd->add_option("--json", options->json_path, "write per-case results as JSON to FILE");
  cmd->add_option("--skips", options->skips_path,
                  "skip list (default: src/conformance/skips/<backend>.txt)");
  cmd->add_option("--timeout", options->timeout_s, "seconds allowed per case")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--memory-limit", options->memory_limit_mb,
                  "MiB of address space a ref case may use (0 = no limit)");
  cmd->add_flag("--precise", options->precise, "ref: compute float models in float64");
  cmd->add_flag("-v,--verbose", options->verbose, "print every case, passes included");
  cmd->callback(
      [options, &exit_code]() { exit_code = RunConformance(*options, std::cout, std::cerr); });
}

int RunConformance(const ConformanceCommandOptions& options, std::ostream& out, std::ostream& err) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> dirs =
      options.dirs.empty() ? conformance::DefaultCaseDirs() : options.dirs;
  StatusOr<std::vector<conformance::Case>> cases = conformance::DiscoverCases(dirs, options.filter);
  if (!cases.ok()) return ReportError(err, cases.status());
  if (cases->empty()) return ReportError(err, InvalidArgument("no case matches"));
  std::string skips_path = options.skips_path.empty()
                               ? conformance::DefaultSkipFile(options.backend)
                               : options.skips_path;
  std::map<std::string, conformance::SkipEntry> skips;
  if (StatusOr<std::map<std::string, conformance::SkipEntry>> read =
          conformance::ReadSkipList(skips_path);
      read.ok()) {
    skips = std::move(read).value();
  } else if (!options.skips_path.empty()) {
    return ReportError(err, read.status());
  }

  workers::SessionOptions session_options;
  StatusOr<std::unique_ptr<workers::Session>> session = workers::Session::Create(session_options);
  if (!session.ok()) return ReportError(err, session.status());
  conformance::ConformanceOptions run_options;
  run_options.backend = options.backend;
  run_options.timeout_s = options.timeout_s;
  run_options.memory_limit_mb = options.memory_limit_mb;
  run_options.precise = options.precise;

  const bool progress = isatty(STDERR_FILENO);
  std::map<std::string, int> counts;
  int unexpected = 0, stale_skips = 0;
  nlohmann::json results = nlohmann::json::array();
  for (size_t i = 0; i < cases->size(); ++i) {
    const conformance::Case& c = (*cases)[i];
    if (progress) {
      err << "\r\033[K[" << i + 1 << "/" << cases->size() << "] " << c.id << std::flush;
    }
    conformance::CaseResult r = conformance::RunCase(c, run_options, **session);
    if (auto it = skips.find(c.id); it != skips.end()) {
      r.skipped = true;
      r.skip = it->second;
    }
    if (progress) err << "\r\033[K" << std::flush;
    ++counts[r.status];
    const bool passed = r.status == "pass";
    if (!passed && !r.skipped) ++unexpected;
    if (passed && r.skipped) ++stale_skips;
    if (options.verbose || !passed || r.skipped) {
      out << r.status << (r.skipped ? " (skip list: " + r.skip.category + ")" : "") << "  " << r.id;
      if (!r.message.empty()) out << "  " << r.message;
      if (passed && r.skipped) out << "  [passes: remove it from the skip list]";
      out << "\n";
    }
    results.push_back(conformance::ToJson(r));
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int total = static_cast<int>(cases->size());
  const int passed = counts["pass"];
  char rate[64];
  std::snprintf(rate, sizeof(rate), "%.1f%%", 100.0 * passed / total);
  out << "\nbackend " << options.backend << ": " << passed << "/" << total << " pass (" << rate
      << ")";
  for (const char* s : {"fail", "unsupported", "error", "crash", "timeout"}) {
    if (counts[s]) out << ", " << counts[s] << " " << s;
  }
  out << "; " << unexpected << " not on the skip list";
  if (stale_skips) out << ", " << stale_skips << " skip-list entries now pass";
  char wall[32];
  std::snprintf(wall, sizeof(wall), "%.1f", wall_s);
  out << "; " << wall << " s\n";

  if (!options.json_path.empty()) {
    nlohmann::json summary = {{"backend", options.backend},
                              {"cases", total},
                              {"pass", passed},
                              {"counts", counts},
                              {"unexpected", unexpected},
                              {"stale_skips", stale_skips},
                              {"wall_s", wall_s}};
    Status written = WriteJsonFile(
        options.json_path, {{"command", "conformance"}, {"summary", summary}, {"cases", results}});
    if (!written.ok()) return ReportError(err, written);
  }
  return unexpected == 0 ? kExitPass : kExitFailure;
}

}  // namespace convcheck::cli
