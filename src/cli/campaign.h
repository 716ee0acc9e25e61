//===- cli/campaign.h - `convcheck campaign run|status` -------------------===//
#ifndef CONVCHECK_CLI_CAMPAIGN_H_
#define CONVCHECK_CLI_CAMPAIGN_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "campaign/runner.h"
#include "cli/common.h"

namespace convcheck::cli {

struct CampaignRunOptions {
  std::vector<std::string> suites;
  std::string db_path;
  int jobs = 1;
  ConverterFlags converter;
  // memory_limit_mb 0: a share of the machine's memory per lane (DefaultLaneMemoryMb).
  EngineFlags engines = DefaultEngineFlags("ort", /*memory_limit_mb=*/0);
  int inputs = 2;
  uint64_t seed = 0;
  int64_t max_jobs = 0;
  bool dry_run = false;
  std::vector<std::string> rerun;
  std::string command_line;
  std::string shard;                   // K/N (cli/campaign_shard.h); "" runs everything.
  std::vector<std::string> cost_from;  // Stores whose timings balance the shards.
};

struct CampaignStatusOptions {
  std::string db_path;
  std::string json_path;
};

void AddCampaignCommand(CLI::App& app, int& exit_code);
int RunCampaignRun(const CampaignRunOptions& options, std::ostream& out, std::ostream& err);
/// The plan and run options both `campaign run` and `fuzz` derive from their flags, checked.
StatusOr<campaign::RunOptions> MakeRunOptions(const ConverterFlags& converter,
                                              const EngineFlags& engines, int jobs, int inputs,
                                              uint64_t seed);
/// Runs a prepared campaign (Ctrl-C stops it cleanly) and prints the summary; the exit code of
/// `campaign run` and `fuzz`.
int RunAndSummarize(campaign::RunOptions& run, int jobs, std::ostream& out, std::ostream& err);
int RunCampaignStatus(const CampaignStatusOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CAMPAIGN_H_
