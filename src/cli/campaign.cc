#include "cli/campaign.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "backends/backend.h"
#include "campaign/progress.h"
#include "campaign/runner.h"
#include "campaign/store.h"
#include "cli/campaign_shard.h"

namespace convcheck::cli {

namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

// The first Ctrl-C asks the lanes to stop after their current job; the default action comes
// back so that a second one ends convcheck at once (the store is consistent either way).
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int64_t Get(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

void PrintCounts(const campaign::CampaignCounts& counts, std::ostream& out) {
  out << "jobs: " << counts.planned << " planned, " << Get(counts.by_status, "done") << " done, "
      << Get(counts.by_status, "pending") << " pending";
  if (Get(counts.by_status, "running") > 0) {
    out << ", " << Get(counts.by_status, "running") << " running";
  }
  if (Get(counts.by_status, "error") > 0) {
    out << ", " << Get(counts.by_status, "error") << " could not run (retried on resume)";
  }
  out << "\n";
  if (!counts.by_verdict.empty()) {
    out << "verdicts:";
    for (const auto& [verdict, count] : counts.by_verdict) out << " " << verdict << " " << count;
    out << "\n";
  }
  out << "unique failures: " << counts.unique_failures << "\n";
}

// The command that resumes this campaign, recorded in the file for `status` and the report:
// built from the same flag structures the command was parsed into, so nothing is dropped.
std::string CommandLine(const CampaignRunOptions& options) {
  std::vector<std::string> args = {"convcheck", "campaign", "run"};
  for (const auto& suite : options.suites) args.insert(args.end(), {"--suite", suite});
  args.insert(args.end(),
              {"--db", options.db_path, "--jobs", std::to_string(options.jobs), "--inputs",
               std::to_string(options.inputs), "--seed", std::to_string(options.seed)});
  for (const auto& arg : ConverterArgs(options.converter)) args.push_back(arg);
  for (const auto& arg : EngineArgs(options.engines, "--backends")) args.push_back(arg);
  if (options.max_jobs > 0) {
    args.insert(args.end(), {"--max-jobs", std::to_string(options.max_jobs)});
  }
  return ShellJoin(args);
}

}  // namespace

void AddCampaignCommand(CLI::App& app, int& exit_code) {
  CLI::App* campaign = app.add_subcommand(
      "campaign", "run many conversions into a SQLite results file (docs/campaign.md)");
  campaign->require_subcommand(1);

  auto run = std::make_shared<CampaignRunOptions>();
  CLI::App* run_cmd = campaign->add_subcommand(
      "run", "plan and run (or resume) a campaign; finished jobs are never redone");
  run_cmd
      ->add_option("--suite", run->suites,
                   "torchvision[:FAMILY|:NAMES], timm[:NAMES], hf[:TYPES], keras[:NAMES] "
                   "(names may be shell patterns), dir:PATH (python sources) or onnx:PATH "
                   "(backend-test cases); repeatable")
      ->required();
  run_cmd->add_option("--db", run->db_path, "results file (created, or resumed)")->required();
  run_cmd->add_option("--jobs", run->jobs, "jobs run in parallel, each with its own workers")
      ->check(CLI::Range(1, 64));
  AddConverterFlags(*run_cmd, run->converter);
  AddEngineFlags(*run_cmd, run->engines, "--backends");
  run_cmd->add_option("--inputs", run->inputs, "input sets per job")->check(CLI::Range(1, 1000));
  run_cmd->add_option("--seed", run->seed, "seed for weights and inputs");
  run_cmd->add_option("--max-jobs", run->max_jobs, "stop after this many jobs (0: all)");
  run_cmd
      ->add_option("--rerun", run->rerun,
                   "run finished jobs with these verdicts again (comma list; 'failing' for "
                   "every failure), e.g. after a fix")
      ->delimiter(',');
  run_cmd->add_flag("--dry-run", run->dry_run,
                    "plan into the file and print the plan; run nothing");
  AddShardFlags(*run_cmd, *run);
  run_cmd->callback(
      [run, &exit_code]() { exit_code = RunCampaignRun(*run, std::cout, std::cerr); });

  auto status = std::make_shared<CampaignStatusOptions>();
  CLI::App* status_cmd =
      campaign->add_subcommand("status", "what a campaign has done and what remains");
  status_cmd->add_option("db", status->db_path, "results file")->required();
  status_cmd->add_option("--json", status->json_path, "write the status as JSON (- for stdout)");
  status_cmd->callback(
      [status, &exit_code]() { exit_code = RunCampaignStatus(*status, std::cout, std::cerr); });
  AddCampaignShardCommands(*campaign, exit_code);
}

int RunCampaignRun(const CampaignRunOptions& options, std::ostream& out, std::ostream& err) {
  for (const auto& suite : options.suites) {
    Status valid = campaign::ValidateSuite(suite);
    if (!valid.ok()) return ReportError(err, valid);
  }
  StatusOr<campaign::RunOptions> run = MakeRunOptions(options.converter, options.engines,
                                                      options.jobs, options.inputs, options.seed);
  if (!run.ok()) return ReportError(err, run.status());
  run->plan.suites = options.suites;
  run->db_path = options.db_path;
  run->max_jobs = options.max_jobs;
  run->command_line = options.command_line.empty() ? CommandLine(options) : options.command_line;
  run->dry_run = options.dry_run;
  for (const auto& verdict : options.rerun) {
    if (verdict != "failing" && !oracle::VerdictFromName(verdict).has_value()) {
      return ReportError(err, InvalidArgument("--rerun: unknown verdict '" + verdict +
                                              "' (see docs/verdicts.md, or 'failing')"));
    }
  }
  run->rerun = options.rerun;
  if (Status sharded = ConfigureShard(options, *run, err); !sharded.ok()) {
    return ReportError(err, sharded);
  }
  return RunAndSummarize(*run, options.jobs, out, err);
}

StatusOr<campaign::RunOptions> MakeRunOptions(const ConverterFlags& converter,
                                              const EngineFlags& engine_flags, int jobs, int inputs,
                                              uint64_t seed) {
  EngineFlags flags = engine_flags;
  if (flags.memory_limit_mb == 0) flags.memory_limit_mb = campaign::DefaultLaneMemoryMb(jobs);
  CC_ASSIGN_OR_RETURN(Engines engines, ResolveEngines(flags));
  CC_ASSIGN_OR_RETURN(Converters converters, ResolveConverters(converter));
  campaign::RunOptions run;
  run.plan.opsets = converters.opsets;
  run.plan.converters = converters.names;
  run.plan.converter_options = converters.options;
  run.plan.backends = engines.backends;
  run.plan.seed = seed;
  run.plan.num_sets = inputs;
  run.plan.tolerance = engines.tolerance.profile;
  CC_RETURN_IF_ERROR(campaign::ValidatePlanConverters(run.plan));
  {
    // Unknown or uninstalled backends fail here, before anything is planned into the file; so
    // do missing converter environments.
    CC_ASSIGN_OR_RETURN(std::unique_ptr<workers::Session> session,
                        workers::Session::Create(engines.session_options));
    CC_RETURN_IF_ERROR(
        backends::CheckBackends(engines.backends, *session, engines.backend_options));
    for (const auto& name : converters.names) {
      for (const converters::ConverterDef* def : converters::AllConverters()) {
        if (def->name == name) CC_RETURN_IF_ERROR(session->Python(def->env).status());
      }
    }
  }
  run.lanes = jobs;
  run.tolerance = engines.tolerance;
  run.timeout_s = engines.timeout_s;
  run.memory_limit_mb = flags.memory_limit_mb;
  run.threads = engines.backend_options.threads;
  run.backend_options = engines.backend_options;
  return run;
}

int RunAndSummarize(campaign::RunOptions& run, int jobs, std::ostream& out, std::ostream& err) {
  run.stop = &g_stop;
  InstallStopHandlers();

  StatusOr<campaign::RunSummary> summary =
      campaign::RunCampaign(run, err, isatty(STDERR_FILENO) != 0);
  if (!summary.ok()) return ReportError(err, summary.status());

  out << "campaign " << run.db_path << ": " << summary->newly_planned << " new jobs planned";
  if (run.dry_run) {
    out << " (dry run: nothing run)\n";
    PrintCounts(summary->counts, out);
    return kExitPass;
  }
  if (summary->rerun > 0) out << ", " << summary->rerun << " finished jobs to run again";
  if (summary->interrupted > 0) {
    out << ", " << summary->interrupted << " interrupted jobs run again";
  }
  out << ", " << summary->ran << " run in " << campaign::Progress::FormatDuration(summary->wall_s);
  if (summary->ran > 0 && summary->wall_s > 0) {
    out << " (" << std::fixed << std::setprecision(1) << summary->ran * 60.0 / summary->wall_s
        << " jobs/min, " << std::setprecision(2) << summary->ran / summary->wall_s
        << " jobs/s; tools " << std::setprecision(0)
        << 100.0 * summary->tool_s / (summary->wall_s * std::max(1, jobs)) << "% of lane time)"
        << std::defaultfloat;
  }
  out << "\n";
  PrintCounts(summary->counts, out);
  if (summary->stopped) {
    out << "stopped: run the same command again to finish the campaign\n";
    return 130;
  }
  const int64_t done = Get(summary->counts.by_status, "done");
  const int64_t passed = Get(summary->counts.by_verdict, "pass");
  // A time-limited fuzz run leaves pending jobs by design; only failures decide its exit code.
  if (summary->errors > 0 || (run.time_budget_s <= 0 && done < summary->counts.planned)) {
    return kExitFailure;
  }
  return done == passed ? kExitPass : kExitFailure;
}

int RunCampaignStatus(const CampaignStatusOptions& options, std::ostream& out, std::ostream& err) {
  int sharded_exit = kExitPass;
  if (RunShardedStatus(options.db_path, options.json_path, out, err, sharded_exit)) {
    return sharded_exit;
  }
  StatusOr<std::unique_ptr<campaign::Store>> store =
      campaign::Store::Open(options.db_path, /*read_only=*/true);
  if (!store.ok()) return ReportError(err, store.status());
  StatusOr<campaign::CampaignCounts> counts = (*store)->Counts();
  if (!counts.ok()) return ReportError(err, counts.status());
  campaign::Database& db = (*store)->db();

  // Per suite: done of planned, and the time the finished jobs took.
  nlohmann::json suites = nlohmann::json::array();
  StatusOr<campaign::Statement> stmt = db.Prepare(
      "SELECT suite, count(*), sum(status = 'done'), sum(status = 'pending'), "
      "sum(status = 'error'), sum(CASE WHEN status = 'done' THEN wall_s ELSE 0 END), "
      "sum(status = 'done' AND verdict <> 'pass') FROM jobs GROUP BY suite ORDER BY min(id)");
  if (!stmt.ok()) return ReportError(err, stmt.status());
  double done_seconds = 0;
  int64_t done_jobs = 0;
  while (true) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return ReportError(err, row.status());
    if (!*row) break;
    suites.push_back({{"suite", stmt->Text(0)},
                      {"planned", stmt->Int(1)},
                      {"done", stmt->Int(2)},
                      {"pending", stmt->Int(3)},
                      {"error", stmt->Int(4)},
                      {"job_seconds", stmt->Real(5)},
                      {"failures", stmt->Int(6)}});
    done_seconds += stmt->Real(5);
    done_jobs += stmt->Int(2);
  }
  StatusOr<std::string> plan_text = (*store)->GetMeta("plan");
  StatusOr<std::string> updated = (*store)->GetMeta("updated_at");
  nlohmann::json plan = nlohmann::json::parse(plan_text.ok() ? *plan_text : "", nullptr, false);
  int lanes = plan.is_object() ? plan.value("lanes", 1) : 1;
  const int64_t remaining = counts->planned - Get(counts->by_status, "done");
  const double estimate = done_jobs > 0 ? done_seconds / static_cast<double>(done_jobs) *
                                              static_cast<double>(remaining) / std::max(1, lanes)
                                        : -1;

  out << "campaign " << options.db_path << "\n";
  PrintCounts(*counts, out);
  for (const auto& suite : suites) {
    out << "  " << std::left << std::setw(28) << suite["suite"].get<std::string>() << std::right
        << " " << suite["done"].get<int64_t>() << "/" << suite["planned"].get<int64_t>()
        << " done, " << suite["failures"].get<int64_t>() << " failing\n";
  }
  if (remaining == 0) {
    out << "complete\n";
  } else {
    out << remaining << " jobs remain";
    if (estimate >= 0) {
      out << " (about " << campaign::Progress::FormatDuration(estimate) << " at " << lanes
          << " lane(s))";
    }
    out << "; resume with the same `convcheck campaign run` command\n";
  }
  if (updated.ok() && !updated->empty()) out << "last run ended: " << *updated << "\n";

  if (!options.json_path.empty()) {
    nlohmann::json doc = {{"db", options.db_path},
                          {"planned", counts->planned},
                          {"by_status", counts->by_status},
                          {"by_verdict", counts->by_verdict},
                          {"unique_failures", counts->unique_failures},
                          {"remaining", remaining},
                          {"estimated_remaining_s", estimate},
                          {"suites", suites}};
    Status written = WriteJsonFile(options.json_path, doc);
    if (!written.ok()) return ReportError(err, written);
  }
  return kExitPass;
}

}  // namespace convcheck::cli
