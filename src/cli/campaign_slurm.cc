// `convcheck campaign slurm`: the shards of a campaign as a Slurm array job plus a merge job
// (campaign/slurm.h). The flags of `campaign run` pass through unchanged: they are checked
// against `campaign run`'s own parser and written into the array script, so whatever `campaign
// run` accepts, a sharded campaign accepts too.

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "campaign/plan.h"
#include "campaign/shard.h"
#include "campaign/slurm.h"
#include "campaign/store.h"
#include "cli/campaign_shard.h"

namespace convcheck::cli {

namespace fs = std::filesystem;

namespace {

struct RunFlags {
  std::string db_path;
  int jobs = 1;
  std::vector<std::string> suites;
  std::vector<std::string> cost_from;
};

// Parses the pass-through flags with `campaign run`'s own parser (its action replaced by
// nothing), so that a typo fails here and not in every array task.
StatusOr<RunFlags> ParseRunFlags(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (arg == "--shard" || arg.rfind("--shard=", 0) == 0) {
      return InvalidArgument("campaign slurm gives each task its own --shard; remove '" + arg +
                             "'");
    }
  }
  RunFlags flags;
  try {
    CLI::App scratch;
    int ignored = 0;
    AddCampaignCommand(scratch, ignored);
    CLI::App* run = scratch.get_subcommand("campaign")->get_subcommand("run");
    run->callback([] {});
    std::vector<std::string> argv = {"campaign", "run"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::reverse(argv.begin(), argv.end());  // CLI11 takes them last first.
    scratch.parse(argv);
    flags.db_path = run->get_option("--db")->as<std::string>();
    if (run->get_option("--jobs")->count() > 0) flags.jobs = run->get_option("--jobs")->as<int>();
    flags.suites = run->get_option("--suite")->as<std::vector<std::string>>();
    if (run->get_option("--cost-from")->count() > 0) {
      flags.cost_from = run->get_option("--cost-from")->as<std::vector<std::string>>();
    }
  } catch (const CLI::Error& e) {
    std::string what = e.what();
    if (!what.empty()) what[0] = static_cast<char>(std::tolower(what[0]));
    return InvalidArgument("the flags for campaign run: " + what);
  }
  for (const auto& suite : flags.suites) CC_RETURN_IF_ERROR(campaign::ValidateSuite(suite));
  for (const auto& file : flags.cost_from) {
    if (!fs::exists(file)) return NotFound("--cost-from: '" + file + "' does not exist");
  }
  return flags;
}

// Plans the whole campaign once with the real `campaign run --dry-run` into a scratch file, so
// that what only planning finds (a bad opset list, an unknown backend, a missing environment)
// fails here and not in every task after hours in the queue. Returns the number of jobs.
StatusOr<int64_t> CheckPlan(const std::string& convcheck, const std::vector<std::string>& args) {
  std::string pattern = (fs::temp_directory_path() / "convcheck-slurm-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return FailedPrecondition("cannot create a scratch folder for checking the plan");
  }
  const std::string scratch = pattern;
  std::vector<std::string> argv = {convcheck, "campaign", "run"};
  // Another --db, and no --cost-from: that one only applies to shards (the tasks read it).
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--db" || args[i] == "--cost-from") {
      ++i;  // Its value.
    } else if (args[i].rfind("--db=", 0) != 0 && args[i].rfind("--cost-from=", 0) != 0) {
      argv.push_back(args[i]);
    }
  }
  for (const char* arg : {"--dry-run", "--db"}) argv.push_back(arg);
  argv.push_back(scratch + "/plan.sqlite");
  StatusOr<campaign::CommandResult> result = campaign::RunCommand(argv, 600);
  int64_t jobs = -1;
  if (result.ok() && result->exit_code == 0) {
    StatusOr<std::unique_ptr<campaign::Store>> store =
        campaign::Store::Open(scratch + "/plan.sqlite", /*read_only=*/true);
    if (store.ok()) {
      StatusOr<int64_t> count = campaign::QueryInt((*store)->db(), "SELECT count(*) FROM jobs");
      if (count.ok()) jobs = *count;
    }
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0 || jobs < 0) {
    std::string message = result->err;
    const size_t error = message.find("error: ");
    message = error == std::string::npos ? message : message.substr(error + 7);
    message = message.substr(0, message.find('\n'));
    return InvalidArgument("the campaign does not plan (exit " + std::to_string(result->exit_code) +
                           "): " + message + " (--no-check skips this check)");
  }
  return jobs;
}

Status WriteScript(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) return FailedPrecondition("cannot write '" + path + "'");
  }
  chmod(path.c_str(), 0755);
  return Status::Ok();
}

// A --db that holds an unsharded campaign would be refused by the merge job at the very end.
Status CheckMainDb(const std::string& db_path) {
  if (!fs::exists(db_path)) return Status::Ok();
  CC_ASSIGN_OR_RETURN(std::unique_ptr<campaign::Store> store,
                      campaign::Store::Open(db_path, /*read_only=*/true));
  CC_ASSIGN_OR_RETURN(std::string merged_from, store->GetMeta("merged_from"));
  CC_ASSIGN_OR_RETURN(int64_t jobs, campaign::QueryInt(store->db(), "SELECT count(*) FROM jobs"));
  if (merged_from.empty() && jobs > 0) {
    return FailedPrecondition("'" + db_path +
                              "' holds an unsharded campaign: choose another --db (and pass "
                              "this one with --cost-from to balance the shards by its timings)");
  }
  return Status::Ok();
}

}  // namespace

void AddCampaignSlurmCommand(CLI::App& campaign, int& exit_code) {
  auto options = std::make_shared<CampaignSlurmOptions>();
  CLI::App* cmd = campaign.add_subcommand(
      "slurm",
      "run a campaign on a Slurm cluster: one array task per shard and a merge job; every other "
      "flag is one of `campaign run` (docs/cluster.md)");
  cmd->add_option("--shards", options->shards, "number of shards (array tasks)")
      ->required()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--partition", options->partition, "Slurm partition");
  cmd->add_option("--time", options->time, "time limit per task (sbatch --time, e.g. 4:00:00)");
  cmd->add_option("--mem", options->mem, "memory per task (sbatch --mem, e.g. 16G)");
  cmd->add_option("--cpus", options->cpus, "CPUs per task (default: --jobs)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--job-name", options->job_name, "Slurm job name");
  cmd->add_option("--sbatch-arg", options->sbatch_args,
                  "one more #SBATCH option for both jobs, e.g. --sbatch-arg=--account=proj "
                  "(repeatable)");
  cmd->add_option("--convcheck", options->convcheck,
                  "the convcheck binary the nodes run (default: this one)");
  cmd->add_flag("--dry-run", options->dry_run, "write the scripts and say what would be submitted");
  cmd->add_flag("--no-check", options->no_check,
                "do not plan the campaign here first (where the nodes' environments are missing)");
  cmd->allow_extras();
  cmd->callback([options, cmd, &exit_code]() {
    options->run_args = cmd->remaining();
    exit_code = RunCampaignSlurm(*options, std::cout, std::cerr);
  });
}

int RunCampaignSlurm(const CampaignSlurmOptions& options, std::ostream& out, std::ostream& err) {
  StatusOr<RunFlags> flags = ParseRunFlags(options.run_args);
  if (!flags.ok()) return ReportError(err, flags.status());
  for (const std::string* value :
       {&options.partition, &options.time, &options.mem, &options.job_name}) {
    if (value->find_first_of("\n\r") != std::string::npos) {
      return ReportError(err, InvalidArgument("'" + *value + "': a line break in a Slurm option"));
    }
  }
  std::error_code ec;
  campaign::SlurmJobOptions job;
  job.shards = options.shards;
  job.partition = options.partition;
  job.time = options.time;
  job.mem = options.mem;
  job.cpus = options.cpus > 0 ? options.cpus : flags->jobs;
  job.job_name = options.job_name;
  job.sbatch_args = options.sbatch_args;
  job.convcheck = options.convcheck.empty() ? fs::read_symlink("/proc/self/exe", ec).string()
                                            : fs::absolute(options.convcheck).string();
  job.workdir = fs::current_path(ec).string();
  job.db_path = fs::absolute(flags->db_path).lexically_normal().string();
  job.run_args = options.run_args;
  if (Status main_db = CheckMainDb(job.db_path); !main_db.ok()) return ReportError(err, main_db);
  int64_t planned = -1;
  if (!options.no_check) {
    // This binary, not --convcheck: that one is a path on the nodes.
    StatusOr<int64_t> jobs =
        CheckPlan(fs::read_symlink("/proc/self/exe", ec).string(), job.run_args);
    if (!jobs.ok()) return ReportError(err, jobs.status());
    planned = *jobs;
  }

  const std::string dir = campaign::SlurmDir(job.db_path);
  fs::create_directories(dir + "/logs", ec);
  if (ec) {
    return ReportError(err,
                       FailedPrecondition("cannot create '" + dir + "/logs': " + ec.message()));
  }
  const std::string array_script = dir + "/shards-of-" + std::to_string(job.shards) + ".sbatch";
  const std::string merge_script = dir + "/merge-of-" + std::to_string(job.shards) + ".sbatch";
  if (Status s = WriteScript(array_script, campaign::ArrayScript(job)); !s.ok()) {
    return ReportError(err, s);
  }
  if (Status s = WriteScript(merge_script, campaign::MergeScript(job)); !s.ok()) {
    return ReportError(err, s);
  }

  if (!options.dry_run) {
    for (const char* tool : {"sbatch", "squeue", "scancel"}) {
      if (!campaign::OnPath(tool)) {
        return ReportError(err, NotFound(std::string(tool) +
                                         " is not on PATH: run this where Slurm's client "
                                         "commands are, or use --dry-run to write the scripts"));
      }
    }
  }
  std::map<std::string, std::string> queue;
  if (campaign::OnPath("squeue")) {
    StatusOr<std::map<std::string, std::string>> states = campaign::QueueStates();
    if (!states.ok() && !options.dry_run) return ReportError(err, states.status());
    if (states.ok()) queue = *states;
  }
  StatusOr<std::vector<campaign::Submission>> submissions = campaign::ReadSubmissions(job.db_path);
  if (!submissions.ok()) return ReportError(err, submissions.status());
  StatusOr<campaign::SubmitPlan> plan =
      campaign::PlanSubmission(job.db_path, job.shards, *submissions, queue);
  if (!plan.ok()) return ReportError(err, plan.status());

  out << "campaign " << job.db_path << ": ";
  if (planned >= 0) out << planned << " jobs ";
  out << "in " << job.shards << " shards\n";
  for (const auto& shard : plan->shards) {
    out << "  shard " << shard.index << "/" << job.shards << ": " << shard.state
        << (shard.detail.empty() ? "" : " (" + shard.detail + ")") << "\n";
  }
  out << "scripts: " << array_script << ", " << merge_script << "\n";
  std::vector<std::string> depends = plan->live_arrays;
  const std::string array_list = campaign::ArrayList(plan->to_submit);
  if (options.dry_run) {
    if (!plan->to_submit.empty()) {
      out << "would submit: sbatch --array=" << array_list << " " << array_script << "\n";
    }
    if (plan->submit_merge) out << "would submit: sbatch " << merge_script << " (after them)\n";
    if (plan->to_submit.empty() && !plan->submit_merge) out << "nothing to submit\n";
    out << "dry run: nothing submitted\n";
    return kExitPass;
  }

  campaign::Submission submission;
  submission.at = campaign::UtcNow();
  submission.shards = job.shards;
  for (const auto& stale : plan->stale_merges) {
    // Replaced by a merge that also waits for the shards submitted now.
    if (Status cancelled = campaign::CancelJob(stale); !cancelled.ok()) {
      err << "convcheck: warning: " << cancelled.message() << "\n";
    }
  }
  if (!plan->to_submit.empty()) {
    StatusOr<std::string> id = campaign::SubmitBatch({"--array=" + array_list}, array_script);
    if (!id.ok()) return ReportError(err, id.status());
    submission.array_job = *id;
    submission.tasks = plan->to_submit;
    depends.push_back(*id);
    out << "submitted array job " << *id << " (shards " << array_list << ")\n";
  }
  if (plan->submit_merge) {
    std::vector<std::string> sbatch_options;
    std::string after;
    for (const auto& id : depends) after += (after.empty() ? "" : ":") + id;
    if (!after.empty()) sbatch_options.push_back("--dependency=afterany:" + after);
    StatusOr<std::string> id = campaign::SubmitBatch(sbatch_options, merge_script);
    if (!id.ok()) {
      // The shards run anyway; the merge can be done by hand or by running this again.
      (void)campaign::AppendSubmission(job.db_path, submission);
      return ReportError(err, id.status());
    }
    submission.merge_job = *id;
    out << "submitted merge job " << *id
        << (after.empty() ? "" : " (after any end of " + after + ")") << "\n";
  }
  if (submission.array_job.empty() && submission.merge_job.empty()) {
    out << (plan->merged
                ? "nothing to submit: every shard finished and is merged into " + job.db_path
                : std::string("nothing to submit: the shards and their merge are "
                              "already queued or running"))
        << "\n";
    return kExitPass;
  }
  if (Status recorded = campaign::AppendSubmission(job.db_path, submission); !recorded.ok()) {
    return ReportError(err, recorded);
  }
  out << "follow it with: convcheck campaign status " << job.db_path
      << "; a task that failed or ran out of time is resubmitted by running this command again\n";
  return kExitPass;
}

}  // namespace convcheck::cli
