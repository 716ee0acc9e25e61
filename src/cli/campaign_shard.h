//===- cli/campaign_shard.h - Sharded campaigns: run, merge, status, slurm -===//
//
// `campaign run --shard K/N [--cost-from FILE]` runs one shard into <db>.shards/K-of-N.sqlite;
// `campaign merge OUT SHARD...` merges shards; `campaign status DB` shows each shard when
// <db>.shards/ has any; `campaign slurm RUN-FLAGS --shards N ...` submits the shards and their
// merge to Slurm (cli/campaign_slurm.cc). The campaign library does the work
// (campaign/shard.h, merge.h, slurm.h); these are the flags and the printing.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CLI_CAMPAIGN_SHARD_H_
#define CONVCHECK_CLI_CAMPAIGN_SHARD_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "campaign/runner.h"
#include "cli/campaign.h"

namespace convcheck::cli {

/// --shard and --cost-from on `campaign run`.
void AddShardFlags(CLI::App& run_cmd, CampaignRunOptions& options);
/// Points a run with --shard at its shard store and keeps only the shard's jobs.
Status ConfigureShard(const CampaignRunOptions& options, campaign::RunOptions& run,
                      std::ostream& notes);

/// `campaign merge` and `campaign slurm`.
void AddCampaignShardCommands(CLI::App& campaign, int& exit_code);

struct CampaignMergeOptions {
  std::string out_path;
  std::vector<std::string> shard_paths;
  bool allow_running = false;
};
int RunCampaignMerge(const CampaignMergeOptions& options, std::ostream& out, std::ostream& err);

/// `campaign status DB` for a campaign with shard stores next to it; false when it has none
/// (then `exit_code` is untouched).
bool RunShardedStatus(const std::string& db_path, const std::string& json_path, std::ostream& out,
                      std::ostream& err, int& exit_code);

struct CampaignSlurmOptions {
  int shards = 0;
  std::string partition;
  std::string time;
  std::string mem;
  int cpus = 0;  // 0: --jobs of the run flags.
  std::string job_name = "convcheck";
  std::vector<std::string> sbatch_args;
  std::string convcheck;  // Default: this binary.
  bool dry_run = false;
  bool no_check = false;
  std::vector<std::string> run_args;  // Everything else: flags of `campaign run`.
};
void AddCampaignSlurmCommand(CLI::App& campaign, int& exit_code);
int RunCampaignSlurm(const CampaignSlurmOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CAMPAIGN_SHARD_H_
