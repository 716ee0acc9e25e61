//===- campaign/store.h - The campaign's SQLite results file --------------===//
//
// The store is the campaign's memory: the plan, each job's outcome, the unique failures and
// their reproducers. Everything a job produced is written in one transaction, so a process
// killed at any instant (kill -9 included) leaves each job either fully recorded or still to
// do, and a resumed run neither loses nor duplicates one.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_STORE_H_
#define CONVCHECK_CAMPAIGN_STORE_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "campaign/plan.h"
#include "campaign/sqlite.h"
#include "core/status.h"
#include "pipeline/job.h"

namespace convcheck::campaign {

/// How a finished job is recorded.
struct RecordedJob {
  std::string started_at;  // ISO 8601 UTC.
  double wall_s = 0;
  nlohmann::json versions = nlohmann::json::object();
  std::string kept_case;      // A case folder the job wrote (backend-test layout), or "".
  std::string existing_case;  // Check jobs: the case folder the job read (kept where it is).
};

/// What `Record` decided about the job's failure group.
struct RecordOutcome {
  int64_t failure_id = 0;  // 0 for a pass.
  bool new_failure = false;
  std::string reproducer;  // Set when this job's case became the group's reproducer.
};

struct CampaignCounts {
  int64_t planned = 0;
  std::map<std::string, int64_t> by_status;   // pending, running, done, error
  std::map<std::string, int64_t> by_verdict;  // Done jobs only.
  int64_t unique_failures = 0;
};

class Store {
 public:
  /// Opens or creates the file and its tables. `read_only` opens an existing file only.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path, bool read_only = false);

  Status SetMeta(const std::string& key, const std::string& value);
  StatusOr<std::string> GetMeta(const std::string& key);  // "" when absent.

  /// Inserts the jobs not yet planned (by key); returns how many were new.
  StatusOr<int64_t> AddPlanned(const std::vector<PlannedJob>& jobs);
  /// Jobs left `running` by a process that died go back to `pending`; returns how many.
  StatusOr<int64_t> ResetInterrupted();
  /// Jobs still to run (pending or error), in plan order, with their ids set.
  StatusOr<std::vector<PlannedJob>> JobsToRun();

  /// Finished jobs with one of these verdicts (or of `failing` for every failure) go back to
  /// pending, to run again after a fix; their failure groups shrink and empty groups go, with
  /// their reproducers. Returns how many jobs were reset.
  StatusOr<int64_t> ResetForRerun(const std::vector<std::string>& verdicts);

  Status MarkRunning(int64_t job_id);
  /// Records a finished job, its backends, metrics, stage times and operators, and its failure
  /// group; moves `recorded.kept_case` to the group's reproducer folder when it is the first of
  /// its signature, and deletes it otherwise.
  StatusOr<RecordOutcome> Record(const PlannedJob& job, const pipeline::JobResult& result,
                                 const RecordedJob& recorded);
  /// Records that convcheck itself could not run the job (retried on resume).
  Status RecordError(int64_t job_id, const std::string& message);

  StatusOr<CampaignCounts> Counts();
  /// Where reproducers go: "<db>.artifacts".
  std::string artifacts_dir() const { return db_->path() + ".artifacts"; }
  Database& db() { return *db_; }

 private:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Status MigrateFromVersion1();
  std::unique_ptr<Database> db_;
};

/// The current time as "2026-11-26T18:00:00Z".
std::string UtcNow();

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_STORE_H_
