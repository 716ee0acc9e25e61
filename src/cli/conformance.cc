#include "cli/conformance.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/common.h"
#include "conformance/conformance.h"

namespace convcheck::cli {
namespace {

// The outcome of one suite on one backend.
struct SuiteRun {
  std::string suite, backend;
  int total = 0, passed = 0, unexpected = 0, stale_skips = 0;
  std::map<std::string, int> counts;
  double wall_s = 0;
  nlohmann::json cases = nlohmann::json::array();
};

std::string Percent(int part, int whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f%%", whole ? 100.0 * part / whole : 0.0);
  return buffer;
}

std::vector<std::string> SplitBackends(const std::string& list, bool precise) {
  std::vector<std::string> backends;
  std::stringstream in(list == "all" ? "ref,ref64,ort" : list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    if (precise && name == "ref") name = "ref64";  // --precise: the old spelling of ref64.
    backends.push_back(name);
  }
  return backends;
}

// Runs one suite on one backend, printing failures (every case with --verbose).
StatusOr<SuiteRun> RunSuite(const conformance::Suite& suite, const std::string& backend,
                            const ConformanceCommandOptions& options, workers::Session& session,
                            std::ostream& out, std::ostream& err) {
  SuiteRun run;
  run.suite = suite.name;
  run.backend = backend;
  const auto start = std::chrono::steady_clock::now();
  CC_ASSIGN_OR_RETURN(std::vector<conformance::Case> cases,
                      conformance::DiscoverCases(suite.dirs, options.filter));
  std::map<std::string, conformance::SkipEntry> skips;
  if (!options.skips_path.empty()) {
    CC_ASSIGN_OR_RETURN(skips, conformance::ReadSkipList(options.skips_path));
  } else if (suite.name != "custom") {
    // A suite without a committed list for this backend expects every case to pass.
    StatusOr<std::map<std::string, conformance::SkipEntry>> read =
        conformance::ReadSkipList(conformance::DefaultSkipFile(suite.name, backend));
    if (read.ok()) {
      skips = std::move(read).value();
    } else if (read.status().code() != StatusCode::kNotFound) {
      return read.status();
    }
  }
  conformance::ConformanceOptions run_options;
  run_options.backend = backend;
  run_options.timeout_s = options.timeout_s;
  run_options.memory_limit_mb = options.memory_limit_mb;

  const bool progress = isatty(STDERR_FILENO);
  for (size_t i = 0; i < cases.size(); ++i) {
    const conformance::Case& c = cases[i];
    if (progress) {
      err << "\r\033[K" << suite.name << " " << backend << " [" << i + 1 << "/" << cases.size()
          << "] " << c.id << std::flush;
    }
    conformance::CaseResult r = conformance::RunCase(c, run_options, session);
    if (auto it = skips.find(c.id); it != skips.end()) {
      r.skipped = true;
      r.skip = it->second;
    }
    if (progress) err << "\r\033[K" << std::flush;
    ++run.counts[r.status];
    const bool passed = r.status == "pass";
    if (!passed && !r.skipped) ++run.unexpected;
    if (passed && r.skipped) ++run.stale_skips;
    if (options.verbose || !passed || r.skipped) {
      out << suite.name << " " << backend << "  " << r.status
          << (r.skipped ? " (skip list: " + r.skip.category + ")" : "") << "  " << r.id;
      if (!r.message.empty()) out << "  " << r.message;
      if (passed && r.skipped) out << "  [passes: remove it from the skip list]";
      out << "\n";
    }
    run.cases.push_back(conformance::ToJson(r));
  }
  run.total = static_cast<int>(cases.size());
  run.passed = run.counts["pass"];
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

void PrintSummary(const SuiteRun& run, std::ostream& out) {
  out << "\nsuite " << run.suite << ", backend " << run.backend << ": " << run.passed << "/"
      << run.total << " pass (" << Percent(run.passed, run.total) << ")";
  for (const char* s : {"fail", "unsupported", "error", "crash", "timeout"}) {
    if (auto it = run.counts.find(s); it != run.counts.end() && it->second) {
      out << ", " << it->second << " " << s;
    }
  }
  out << "; " << run.unexpected << " not on the skip list";
  if (run.stale_skips) out << ", " << run.stale_skips << " skip-list entries now pass";
  char wall[32];
  std::snprintf(wall, sizeof(wall), "%.1f", run.wall_s);
  out << "; " << wall << " s\n";
}

// Suites as rows, backends as columns: "pass/total (rate)".
void PrintTable(const std::vector<SuiteRun>& runs, const std::vector<std::string>& backends,
                std::ostream& out) {
  out << "\n" << std::string(12, ' ');
  char cell[64];
  for (const auto& b : backends) {
    std::snprintf(cell, sizeof(cell), "%-22s", b.c_str());
    out << cell;
  }
  out << "\n";
  std::vector<std::string> suites;
  for (const auto& r : runs) {
    if (suites.empty() || suites.back() != r.suite) suites.push_back(r.suite);
  }
  for (const auto& s : suites) {
    std::snprintf(cell, sizeof(cell), "%-12s", s.c_str());
    out << cell;
    for (const auto& b : backends) {
      std::string text = "-";
      for (const auto& r : runs) {
        if (r.suite == s && r.backend == b) {
          text = std::to_string(r.passed) + "/" + std::to_string(r.total) + " (" +
                 Percent(r.passed, r.total) + ")";
        }
      }
      std::snprintf(cell, sizeof(cell), "%-22s", text.c_str());
      out << cell;
    }
    out << "\n";
  }
}

nlohmann::json SummaryJson(const SuiteRun& run) {
  return {{"suite", run.suite},
          {"backend", run.backend},
          {"cases", run.total},
          {"pass", run.passed},
          {"counts", run.counts},
          {"unexpected", run.unexpected},
          {"stale_skips", run.stale_skips},
          {"wall_s", run.wall_s}};
}

}  // namespace

void AddConformanceCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ConformanceCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "conformance", "run ONNX backend-test cases on a backend and compare with stored outputs");
  cmd->add_option("dirs", options->dirs,
                  "case folders (default: both suites: onnx-1.12, the node, pytorch-converted, "
                  "pytorch-operator and simple folders of /usr/share/libonnx-testdata/data, and "
                  "onnx-1.23, the node tests of onnx 1.23.2 under $CONVCHECK_ENVS)");
  cmd->add_option("--backend", options->backend,
                  "ref, ref64 (ref in float64), ort, a comma-separated list, or all");
  cmd->add_option("--filter", options->filter, "only cases whose folder/case id matches REGEX");
  cmd->add_option("--json", options->json_path, "write per-case results as JSON to FILE");
  cmd->add_option("--skips", options->skips_path,
                  "skip list (default: src/conformance/skips/<suite>/<backend>.txt)");
  cmd->add_option("--timeout", options->timeout_s, "seconds allowed per case")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--memory-limit", options->memory_limit_mb,
                  "MiB of address space a ref case may use (0 = no limit)");
  cmd->add_flag("--precise", options->precise, "same as --backend ref64 (kept for old scripts)");
  cmd->add_flag("-v,--verbose", options->verbose, "print every case, passes included");
  cmd->callback(
      [options, &exit_code]() { exit_code = RunConformance(*options, std::cout, std::cerr); });
}

int RunConformance(const ConformanceCommandOptions& options, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> backends = SplitBackends(options.backend, options.precise);
  if (backends.empty()) return ReportError(err, InvalidArgument("--backend names no backend"));
  for (const auto& b : backends) {
    if (!conformance::IsConformanceBackend(b)) {
      return ReportError(
          err, InvalidArgument("--backend '" + b + "' is not one of ref, ref64, ort, all"));
    }
  }
  std::vector<conformance::Suite> suites;
  if (options.dirs.empty()) {
    std::string note;
    suites = conformance::DefaultSuites(&note);
    if (!note.empty()) err << "note: " << note << "\n";
  } else {
    // Folders of one known suite keep its skip lists; a mix, or other folders, are "custom".
    std::string name = conformance::SuiteOfDir(options.dirs[0]);
    for (const auto& d : options.dirs) {
      if (conformance::SuiteOfDir(d) != name) name = "custom";
    }
    suites.push_back({name, options.dirs});
  }

  workers::SessionOptions session_options;
  StatusOr<std::unique_ptr<workers::Session>> session = workers::Session::Create(session_options);
  if (!session.ok()) return ReportError(err, session.status());

  std::vector<SuiteRun> runs;
  int matched = 0;
  for (const auto& suite : suites) {
    for (const auto& backend : backends) {
      StatusOr<SuiteRun> run = RunSuite(suite, backend, options, **session, out, err);
      if (!run.ok()) return ReportError(err, run.status());
      matched += run->total;
      runs.push_back(std::move(run).value());
    }
  }
  if (matched == 0) return ReportError(err, InvalidArgument("no case matches"));
  int unexpected = 0;
  for (const auto& run : runs) {
    PrintSummary(run, out);
    unexpected += run.unexpected;
  }
  if (runs.size() > 1) PrintTable(runs, backends, out);

  if (!options.json_path.empty()) {
    nlohmann::json doc = {{"command", "conformance"}};
    nlohmann::json list = nlohmann::json::array();
    for (const auto& run : runs) {
      list.push_back({{"summary", SummaryJson(run)}, {"cases", run.cases}});
    }
    doc["runs"] = list;
    Status written = WriteJsonFile(options.json_path, doc);
    if (!written.ok()) return ReportError(err, written);
  }
  return unexpected == 0 ? kExitPass : kExitFailure;
}

}  // namespace convcheck::cli
