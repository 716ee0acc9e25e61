//===- campaign/shard.h - One campaign split into N shards ----------------===//
//
// A campaign too big for one machine is split into N shards that run anywhere (Slurm array
// tasks, or plain processes) and are merged into one store afterwards. Every shard plans the
// whole campaign, exactly as an unsharded run would (same job keys), and keeps only its part.
//
// The split is decided once per campaign and N, by the first shard that starts, and written
// next to the shard stores (`<db>.shards/split-of-N.json`); the other shards read it. So the
// shards are disjoint and cover every job even if the timing data they see differ (a merge
// that ran in between, a different --cost-from). Jobs of one source stay together, because a
// lane builds a source's model once for all its opsets; the groups go, most expensive first,
// to the shard with the least expected work (LPT). The expected work of a job is its wall time
// in earlier stores where its key was run, else the mean of its family there, else a fixed
// guess per family. Costs are whole milliseconds so that every machine computes the same split.
//
// A shard store is an ordinary campaign store whose meta also says which shard it is
// (shard_index, shard_count), of which plan (plan_fingerprint: a hash of the sorted keys of
// every job of the campaign; plan_jobs) and of which split (shard_split).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_SHARD_H_
#define CONVCHECK_CAMPAIGN_SHARD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "campaign/plan.h"
#include "campaign/store.h"
#include "core/status.h"

namespace convcheck::campaign {

/// Shard `index` of `count`, 1-based as users count them.
struct ShardId {
  int index = 0;
  int count = 0;
};

/// "K/N" with 1 <= K <= N <= 10000.
StatusOr<ShardId> ParseShardId(const std::string& text);

/// "<db>.shards": where the shard stores of the campaign `db_path` live.
std::string ShardsDir(const std::string& db_path);
/// "<db>.shards/K-of-N.sqlite".
std::string ShardStorePath(const std::string& db_path, ShardId id);
/// "<db>.shards/split-of-N.json".
std::string SplitPath(const std::string& db_path, int count);

/// A hash of the sorted keys (16 hex digits): the identity of a plan.
std::string PlanFingerprint(std::vector<std::string> keys);

/// Expected job times learnt from earlier stores.
struct CostModel {
  std::map<std::string, int64_t> by_key_ms;                      // Done jobs' wall time.
  std::map<std::string, std::pair<int64_t, int64_t>> by_family;  // (sum ms, jobs)
  std::vector<std::string> sources;                              // The stores read.
};

/// Reads the wall times of every done job of these stores, the first store of a key winning;
/// missing files are skipped, and so are unreadable ones with `skip_unreadable` (else they are
/// an error).
StatusOr<CostModel> LoadCostModel(const std::vector<std::string>& store_paths,
                                  bool skip_unreadable);

/// The cost of `job` in milliseconds (always > 0).
int64_t ExpectedCostMs(const PlannedJob& job, const CostModel& model);

/// How the jobs of a plan are shared out.
struct Split {
  int count = 0;
  std::string plan_fingerprint;
  std::string fingerprint;                // Hash of every key with its shard.
  std::map<std::string, int> shard_of;    // Key -> 1-based shard.
  std::vector<int64_t> expected_ms;       // Per shard (index 0 is shard 1).
  std::vector<std::string> cost_sources;  // Stores whose timings it used.
  int64_t timed_jobs = 0;                 // Jobs with a recorded time among them.
};

/// The split of `jobs` into `count` shards (deterministic: same jobs and costs, same split).
Split SplitPlan(const std::vector<PlannedJob>& jobs, int count, const CostModel& model);

/// The split of a campaign: read from `<db>.shards/split-of-N.json` when a shard already wrote
/// it, else computed with the costs of `cost_from` plus every store of the campaign found on
/// disk, and written there (atomically; the first writer wins). FailedPrecondition when the
/// file is for another plan.
StatusOr<Split> DecideSplit(const std::string& db_path, const std::vector<PlannedJob>& jobs,
                            int count, const std::vector<std::string>& cost_from,
                            std::string* note);

/// The RunOptions::select_jobs of `campaign run --shard`: keeps the jobs of shard `id` and
/// records the shard in the store's meta. A shard store that already holds jobs keeps them.
std::function<StatusOr<std::vector<PlannedJob>>(std::vector<PlannedJob>, Store&)> MakeShardSelector(
    const std::string& db_path, ShardId id, std::vector<std::string> cost_from,
    std::ostream& notes);

/// What a shard store says about itself.
struct ShardInfo {
  std::string path;
  ShardId id;
  std::string plan_fingerprint;
  std::string split;
  int64_t plan_jobs = 0;
  double expected_s = 0;
  CampaignCounts counts;
  double job_seconds = 0;   // Summed wall time of its done jobs.
  std::string lock_holder;  // "" when no process runs it now.
  std::string updated_at;
  bool complete() const;  // Every job done.
};

/// FailedPrecondition when `path` is a campaign store but not a shard; NotFound when it is a
/// store still without jobs or shard meta (its run ended, or is still, planning).
StatusOr<ShardInfo> ReadShardInfo(const std::string& path);

/// The shard stores next to `db_path` (`<db>.shards/K-of-N.sqlite`), by N then K.
std::vector<std::string> FindShardStores(const std::string& db_path);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_SHARD_H_
