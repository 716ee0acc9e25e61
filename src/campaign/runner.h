//===- campaign/runner.h - Run a campaign's jobs on parallel lanes --------===//
//
// Each lane is a thread with its own Session, hence its own torch and ONNX Runtime worker
// processes and its own scratch directory: a converter that crashes, hangs or eats memory
// takes down only its lane's worker, which the supervisor records and restarts. Results are
// written by whichever lane finished, one transaction per job, under one lock.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_RUNNER_H_
#define CONVCHECK_CAMPAIGN_RUNNER_H_

#include <atomic>
#include <functional>
#include <ostream>
#include <string>

#include "backends/backend.h"
#include "campaign/plan.h"
#include "campaign/store.h"
#include "core/status.h"
#include "oracle/tolerance.h"

namespace convcheck::campaign {

struct RunOptions {
  PlanOptions plan;
  std::string db_path;
  int lanes = 1;
  oracle::Tolerance tolerance;
  double timeout_s = 300;  // Per stage.
  backends::BackendOptions backend_options;
  int64_t memory_limit_mb = 0;     // Per lane's workers; 0: a share of the machine's memory.
  int threads = 1;                 // Of each lane's frameworks and engines.
  int64_t max_jobs = 0;            // Stop after this many jobs in this run (0: all).
  std::string command_line;        // Recorded in meta.
  bool dry_run = false;            // Plan only.
  std::vector<std::string> rerun;  // Verdicts (or "failing") whose finished jobs run again.
  const std::atomic<bool>* stop = nullptr;  // Set by a signal handler: finish nothing new.
  // Fuzzing plans as it goes: when every queued job has been taken, more_jobs (if set) is asked
  // for the next batch, which is planned into the file before it runs; an empty batch ends the
  // run. It is called under the store's lock, one lane at a time.
  std::function<StatusOr<std::vector<PlannedJob>>(Store&)> more_jobs;
  double time_budget_s = 0;  // > 0: no job starts after this many seconds.
  // Sharding (campaign/shard.h): given the whole plan, the jobs this store takes; it may record
  // what it decided in the store's meta. Unset: every job.
  std::function<StatusOr<std::vector<PlannedJob>>(std::vector<PlannedJob>, Store&)> select_jobs;
};

struct RunSummary {
  int64_t planned = 0;  // Jobs in the campaign.
  int64_t newly_planned = 0;
  int64_t interrupted = 0;  // Jobs a killed run had left running, run again.
  int64_t rerun = 0;        // Finished jobs reset by --rerun.
  int64_t ran = 0;          // Jobs finished by this run.
  int64_t errors = 0;       // Jobs convcheck could not run (status error).
  bool stopped = false;     // Interrupted by the user; the rest remains pending.
  double wall_s = 0;
  double tool_s = 0;  // Export, inference and backend time reported by the tools.
  CampaignCounts counts;
};

/// Plans (or re-plans: only new keys are added), then runs every job not yet done.
StatusOr<RunSummary> RunCampaign(const RunOptions& options, std::ostream& progress_out, bool tty);

/// The per-lane memory limit when none is given: 80% of physical memory shared by the lanes,
/// at most 16 GiB (what one torchvision export needs at worst, mvit aside).
int64_t DefaultLaneMemoryMb(int lanes);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_RUNNER_H_
