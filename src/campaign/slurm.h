//===- campaign/slurm.h - A sharded campaign as Slurm batch jobs ----------===//
//
// convcheck does not schedule anything on a cluster; it writes two ordinary sbatch scripts and
// lets Slurm run them: an array job with one task per shard (`campaign run ... --shard K/N`)
// and a merge job that waits for the whole array (afterany, so that it also merges after a
// failed or timed-out task). All files live in the campaign's folder, which the nodes share:
// `<db>.shards/` (shard stores, the split), `<db>.shards/slurm/` (scripts, logs, the record of
// what was submitted).
//
// Submitting is idempotent: the shards are looked at first, and only those not finished and not
// still queued or running are submitted again (each resumes its own store); a merge job still
// waiting for an earlier array is replaced by one that waits for both.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_SLURM_H_
#define CONVCHECK_CAMPAIGN_SLURM_H_

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace convcheck::campaign {

struct SlurmJobOptions {
  int shards = 0;
  std::string partition;  // Empty: the cluster's default.
  std::string time;       // --time per task, e.g. 4:00:00; empty: the partition's default.
  std::string mem;        // --mem per task, e.g. 16G.
  int cpus = 1;           // --cpus-per-task.
  std::string job_name = "convcheck";
  std::vector<std::string> sbatch_args;  // More #SBATCH options, e.g. --account=proj.
  std::string convcheck;                 // The binary the nodes run (absolute).
  std::string workdir;                   // Where the tasks start (the submit folder).
  std::string db_path;                   // The campaign (absolute).
  std::vector<std::string> run_args;     // `campaign run` flags, without --shard.
};

/// "<db>.shards/slurm".
std::string SlurmDir(const std::string& db_path);

/// The array job's script: task K runs `campaign run <run_args> --shard K/N`.
std::string ArrayScript(const SlurmJobOptions& options);
/// The merge job's script: merges the shard stores that exist into the campaign's db.
std::string MergeScript(const SlurmJobOptions& options);

/// 'text' for a POSIX shell.
std::string ShellQuote(const std::string& text);

/// What a command printed and how it ended.
struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed.
  std::string out;
  std::string err;
};

/// Runs `argv` (found on PATH), capturing its output; killed after `timeout_s`. NotFound when
/// the program does not exist.
StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv, double timeout_s);

/// True when `program` is an executable on PATH.
bool OnPath(const std::string& program);

/// One `campaign slurm` submission, as recorded in <db>.shards/slurm/submissions.json.
struct Submission {
  std::string at;
  int shards = 0;         // N: the tasks are shards K of N.
  std::string array_job;  // "" when no array was submitted.
  std::vector<int> tasks;
  std::string merge_job;  // "" when no merge was submitted.
};
StatusOr<std::vector<Submission>> ReadSubmissions(const std::string& db_path);
Status AppendSubmission(const std::string& db_path, const Submission& submission);

/// Job ids in Slurm's queue ("40_3" for an array task, "41") with their state (PENDING,
/// RUNNING, ...), from squeue.
StatusOr<std::map<std::string, std::string>> QueueStates();

/// Where each shard stands, and what to submit.
struct SubmitPlan {
  struct Shard {
    int index = 0;
    std::string state;  // finished | unfinished | not started | queued | running
    std::string detail;
  };
  std::vector<Shard> shards;
  std::vector<int> to_submit;             // Shards to run (again).
  std::vector<std::string> live_arrays;   // Earlier array jobs with tasks still queued/running.
  std::vector<std::string> stale_merges;  // Earlier merge jobs still pending: replaced.
  bool merge_queued = false;              // An earlier merge job is still in the queue.
  bool merged = false;                    // The db is a complete merge of every shard.
  bool submit_merge = false;
};

/// The tasks of earlier submissions (of `shards` shards) still in the queue: shard -> "40_3
/// PENDING".
std::map<int, std::string> QueuedTasks(const std::vector<Submission>& submissions, int shards,
                                       const std::map<std::string, std::string>& queue);

/// Looks at the shard stores, the merged db and the queue. An unreadable shard store is an
/// error (it needs a human, not a resubmission).
StatusOr<SubmitPlan> PlanSubmission(const std::string& db_path, int shards,
                                    const std::vector<Submission>& submissions,
                                    const std::map<std::string, std::string>& queue);

/// Submits `script` with sbatch and these options; the new job's id.
StatusOr<std::string> SubmitBatch(const std::vector<std::string>& options,
                                  const std::string& script);
/// scancel JOB.
Status CancelJob(const std::string& job);

/// "1-3,5": an --array list.
std::string ArrayList(const std::vector<int>& tasks);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_SLURM_H_
