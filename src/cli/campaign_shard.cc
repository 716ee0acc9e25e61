#include "cli/campaign_shard.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "campaign/merge.h"
#include "campaign/progress.h"
#include "campaign/shard.h"
#include "campaign/slurm.h"
#include "campaign/store.h"

namespace convcheck::cli {

namespace fs = std::filesystem;

namespace {

int64_t CountOf(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

std::string Seconds(double seconds) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << seconds << " s";
  return text.str();
}

int64_t Failing(const campaign::CampaignCounts& counts) {
  int64_t failing = 0;
  for (const auto& [verdict, count] : counts.by_verdict) {
    if (verdict != "pass") failing += count;
  }
  return failing;
}

// One shard's line of `campaign status` and its JSON.
struct ShardLine {
  std::string text;
  nlohmann::json json;
  std::string state;
  std::optional<campaign::ShardInfo> info;
};

ShardLine DescribeShard(int index, int count, const std::string& path) {
  ShardLine line;
  std::ostringstream text;
  text << "  shard " << std::setw(3) << index << "/" << count << "  ";
  line.json = {{"shard", index}, {"path", path}};
  if (!fs::exists(path)) {
    text << "not started";
    line.state = "not started";
    line.json["state"] = line.state;
    line.text = text.str();
    return line;
  }
  StatusOr<campaign::ShardInfo> info = campaign::ReadShardInfo(path);
  if (info.status().code() == StatusCode::kNotFound) {
    text << "not started (its run has not planned its jobs)";
    line.state = "not started";
    line.json["state"] = line.state;
    line.text = text.str();
    return line;
  }
  if (!info.ok()) {
    text << "unreadable: " << info.status().message();
    line.state = "unreadable";
    line.json["state"] = line.state;
    line.json["error"] = info.status().message();
    line.text = text.str();
    return line;
  }
  const int64_t done = CountOf(info->counts.by_status, "done");
  const int64_t running = CountOf(info->counts.by_status, "running");
  text << done << "/" << info->counts.planned << " done, " << Failing(info->counts) << " failing, "
       << Seconds(info->job_seconds) << " of jobs (expected " << Seconds(info->expected_s) << ")  ";
  std::string state;
  if (!info->lock_holder.empty()) {
    state = "running";
    text << "running (" << info->lock_holder << ")";
  } else if (info->complete()) {
    state = "finished";
    text << "finished";
  } else {
    state = "unfinished";
    text << "unfinished";
    if (running > 0) text << " (" << running << " left running by a run that ended)";
    text << ": run the same command again";
  }
  line.state = state;
  line.info = *info;
  line.json.update({{"state", state},
                    {"planned", info->counts.planned},
                    {"by_status", info->counts.by_status},
                    {"by_verdict", info->counts.by_verdict},
                    {"unique_failures", info->counts.unique_failures},
                    {"job_seconds", info->job_seconds},
                    {"expected_s", info->expected_s},
                    {"plan_fingerprint", info->plan_fingerprint},
                    {"plan_jobs", info->plan_jobs},
                    {"running", info->lock_holder},
                    {"updated_at", info->updated_at}});
  line.text = text.str();
  return line;
}

// Tasks of `campaign slurm` still in Slurm's queue, by shard; nothing where Slurm is absent.
std::map<int, std::string> QueuedTasks(const std::string& db_path, int count) {
  if (!campaign::OnPath("squeue")) return {};
  StatusOr<std::vector<campaign::Submission>> submissions = campaign::ReadSubmissions(db_path);
  if (!submissions.ok() || submissions->empty()) return {};
  StatusOr<std::map<std::string, std::string>> queue = campaign::QueueStates();
  if (!queue.ok()) return {};
  return campaign::QueuedTasks(*submissions, count, *queue);
}

}  // namespace

void AddShardFlags(CLI::App& run_cmd, CampaignRunOptions& options) {
  run_cmd.add_option("--shard", options.shard,
                     "run only shard K of N (K/N), into <db>.shards/K-of-N.sqlite; the same "
                     "plan, split by expected cost (docs/cluster.md)");
  run_cmd.add_option("--cost-from", options.cost_from,
                     "with --shard: earlier campaign files whose job times balance the split "
                     "(repeatable)");
}

Status ConfigureShard(const CampaignRunOptions& options, campaign::RunOptions& run,
                      std::ostream& notes) {
  if (options.shard.empty()) {
    if (!options.cost_from.empty()) {
      return InvalidArgument("--cost-from balances shards: it needs --shard K/N");
    }
    return Status::Ok();
  }
  CC_ASSIGN_OR_RETURN(campaign::ShardId id, campaign::ParseShardId(options.shard));
  for (const auto& file : options.cost_from) {
    if (!fs::exists(file)) return NotFound("--cost-from: '" + file + "' does not exist");
  }
  std::error_code ec;
  fs::create_directories(campaign::ShardsDir(options.db_path), ec);
  if (ec) {
    return FailedPrecondition("cannot create '" + campaign::ShardsDir(options.db_path) +
                              "': " + ec.message());
  }
  run.db_path = campaign::ShardStorePath(options.db_path, id);
  run.select_jobs = campaign::MakeShardSelector(options.db_path, id, options.cost_from, notes);
  run.command_line += " --shard " + options.shard;
  for (const auto& file : options.cost_from) run.command_line += " --cost-from " + file;
  return Status::Ok();
}

void AddCampaignShardCommands(CLI::App& campaign, int& exit_code) {
  auto merge = std::make_shared<CampaignMergeOptions>();
  CLI::App* merge_cmd = campaign.add_subcommand(
      "merge", "merge the shard stores of a campaign into one file (rebuilt each time)");
  merge_cmd->add_option("out", merge->out_path, "the merged results file")->required();
  merge_cmd->add_option("shards", merge->shard_paths, "shard stores (<db>.shards/K-of-N.sqlite)")
      ->required();
  merge_cmd->add_flag("--allow-running", merge->allow_running,
                      "merge a shard that is still running, as far as it got");
  merge_cmd->callback(
      [merge, &exit_code]() { exit_code = RunCampaignMerge(*merge, std::cout, std::cerr); });
  AddCampaignSlurmCommand(campaign, exit_code);
}

int RunCampaignMerge(const CampaignMergeOptions& options, std::ostream& out, std::ostream& err) {
  campaign::MergeOptions merge;
  merge.out_path = options.out_path;
  merge.shard_paths = options.shard_paths;
  merge.allow_running = options.allow_running;
  merge.command_line = "convcheck campaign merge " + options.out_path;
  for (const auto& path : options.shard_paths) merge.command_line += " " + path;
  if (options.allow_running) merge.command_line += " --allow-running";
  StatusOr<campaign::MergeSummary> summary = campaign::MergeShards(merge);
  if (!summary.ok()) return ReportError(err, summary.status());
  for (const auto& warning : summary->warnings) err << "convcheck: warning: " << warning << "\n";
  out << "merged " << summary->merged.size() << " of " << summary->shard_count << " shards into "
      << options.out_path << ": " << summary->jobs << " jobs (" << summary->done
      << " done; the plan has " << summary->plan_jobs << "), " << summary->unique_failures
      << " unique failures, " << summary->reproducers << " reproducers linked\n";
  out << (summary->complete ? "complete\n"
                            : "incomplete: finish the shards and merge again (it rebuilds the "
                              "file)\n");
  return kExitPass;
}

bool RunShardedStatus(const std::string& db_path, const std::string& json_path, std::ostream& out,
                      std::ostream& err, int& exit_code) {
  // One block per N the campaign was split into (normally one): the N of its shard stores, and
  // of Slurm submissions whose tasks have not started yet.
  std::map<int, std::vector<std::string>> counts;  // N -> its shard stores
  for (const auto& path : campaign::FindShardStores(db_path)) {
    const std::string name = fs::path(path).filename().string();
    counts[std::atoi(name.substr(name.find("-of-") + 4).c_str())].push_back(path);
  }
  StatusOr<std::vector<campaign::Submission>> submitted = campaign::ReadSubmissions(db_path);
  if (submitted.ok()) {
    for (const auto& submission : *submitted) {
      if (submission.shards > 0) counts[submission.shards];
    }
  }
  if (counts.empty()) return false;
  nlohmann::json splits = nlohmann::json::array();
  out << "campaign " << db_path << "\n";
  for (const auto& [n, stores] : counts) {
    StatusOr<campaign::ShardInfo> plan = NotFound("no shard has planned yet");
    for (const auto& store : stores) {
      if (plan.ok()) break;
      plan = campaign::ReadShardInfo(store);
    }
    out << "sharded into " << n;
    if (plan.ok()) {
      out << " (plan " << plan->plan_fingerprint << ", " << plan->plan_jobs << " jobs)";
    }
    out << "\n";
    nlohmann::json shards = nlohmann::json::array();
    int64_t planned = 0, done = 0, failing = 0, finished = 0;
    const std::map<int, std::string> queued = QueuedTasks(db_path, n);
    double max_s = 0, sum_s = 0;
    for (int k = 1; k <= n; ++k) {
      ShardLine line = DescribeShard(k, n, campaign::ShardStorePath(db_path, {k, n}));
      if (auto task = queued.find(k); task != queued.end()) {
        line.text += "; slurm job " + task->second;
        line.json["slurm_job"] = task->second;
      }
      out << line.text << "\n";
      if (line.info) {
        planned += line.info->counts.planned;
        done += CountOf(line.info->counts.by_status, "done");
        failing += Failing(line.info->counts);
        max_s = std::max(max_s, line.info->job_seconds);
        sum_s += line.info->job_seconds;
      }
      if (line.state == "finished") ++finished;
      shards.push_back(line.json);
    }
    const int64_t plan_jobs = plan.ok() ? plan->plan_jobs : planned;
    out << "total: " << done << "/" << plan_jobs << " done, " << failing << " failing, " << finished
        << "/" << n << " shards finished";
    if (sum_s > 0) {
      out << "; busiest shard " << Seconds(max_s) << " of jobs, " << std::fixed
          << std::setprecision(2) << max_s / (sum_s / n) << std::defaultfloat << "x the mean";
    }
    out << "\n";
    splits.push_back({{"shard_count", n},
                      {"plan_fingerprint", plan.ok() ? plan->plan_fingerprint : ""},
                      {"plan_jobs", plan_jobs},
                      {"done", done},
                      {"failing", failing},
                      {"finished_shards", finished},
                      {"shards", shards}});
  }

  nlohmann::json merged = nullptr;
  if (fs::exists(db_path)) {
    StatusOr<std::unique_ptr<campaign::Store>> store =
        campaign::Store::Open(db_path, /*read_only=*/true);
    StatusOr<std::string> from =
        store.ok() ? (*store)->GetMeta("merged_from") : StatusOr<std::string>(store.status());
    if (from.ok() && !from->empty()) {
      StatusOr<campaign::CampaignCounts> c = (*store)->Counts();
      StatusOr<std::string> at = (*store)->GetMeta("merged_at");
      nlohmann::json list = nlohmann::json::parse(*from, nullptr, false);
      if (c.ok()) {
        merged = {{"path", db_path},
                  {"merged_at", at.ok() ? *at : ""},
                  {"shards", list.is_array() ? list.size() : 0},
                  {"planned", c->planned},
                  {"done", CountOf(c->by_status, "done")},
                  {"unique_failures", c->unique_failures}};
        out << "merged: " << CountOf(c->by_status, "done") << "/" << c->planned << " done from "
            << merged["shards"].get<size_t>() << " shards at "
            << merged["merged_at"].get<std::string>() << ", " << c->unique_failures
            << " unique failures\n";
      }
    } else if (from.ok()) {
      out << "note: " << db_path << " is not a merge of these shards\n";
    }
  }
  if (merged.is_null()) {
    out << "not merged yet: convcheck campaign merge " << db_path << " "
        << campaign::ShardsDir(db_path) << "/*-of-" << counts.rbegin()->first << ".sqlite\n";
  }
  if (!json_path.empty()) {
    nlohmann::json doc = {
        {"db", db_path}, {"sharded", true}, {"splits", splits}, {"merged", merged}};
    Status written = WriteJsonFile(json_path, doc);
    if (!written.ok()) {
      exit_code = ReportError(err, written);
      return true;
    }
  }
  exit_code = kExitPass;
  return true;
}

}  // namespace convcheck::cli
