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
  std::string opsets = "13,17";
  std::string backends = "ort";
  std::string db_path;
  int jobs = 1;
  ConverterFlags converter;
  int inputs = 2;
  uint64_t seed = 0;
  ToleranceFlags tolerance;
  double timeout_s = 300;
  std::string ort_opt_level = "all";
  int64_t memory_limit_mb = 0;
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
/// The plan options both `campaign run` and `fuzz` derive from their flags.
campaign::PlanOptions MakePlanOptions(const std::vector<int>& opsets,
                                      const std::vector<std::string>& backends,
                                      const ConverterFlags& converter, int inputs, uint64_t seed,
                                      const std::string& tolerance_profile);
/// Runs a prepared campaign (Ctrl-C stops it cleanly) and prints the summary; the exit code of
/// `campaign run` and `fuzz`.
int RunAndSummarize(campaign::RunOptions& run, int jobs, std::ostream& out, std::ostream& err);
int RunCampaignStatus(const CampaignStatusOptions& options, std::ostream& out,
                      std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CAMPAIGN_H_
