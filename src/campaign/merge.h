//===- campaign/merge.h - The shards of a campaign merged into one store --===//
//
// `campaign merge OUT SHARD...` rebuilds OUT from the shards every time: it is written aside
// (OUT.merging and its artifacts folder) and renamed into place, so running it again, after a
// shard resumed or while a report reads the old file, is safe and gives the same store.
//
// Rows are copied generically: the columns a shard and this convcheck's schema have in common,
// every table with a job_id column remapped to the merged job ids, other tables copied as they
// are; so a column or table added later does not break merging. Jobs are numbered in key
// order. Failure groups are recomputed: one per signature, its representative the first job in
// that order among the shards' representatives, its count every job of the signature; the
// representative's reproducer folder is hard-linked (copied across file systems) under
// OUT.artifacts/failures/ID, so every path in OUT stays valid when the shards are deleted.
//
// What it refuses, with one line (exit 2): shards of different plans, of a different N or
// split, two files claiming the same shard, shards whose jobs overlap, a shard that a process is
// still running (its lock is held; --allow-running takes a snapshot instead), and an OUT that
// exists but is not a merge of this plan. What it merges with a warning: the same file given
// twice (merged once), jobs left `running` by a shard run that was killed (they are pending in
// OUT, and resuming the shard finishes them), and fewer shards than N.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_MERGE_H_
#define CONVCHECK_CAMPAIGN_MERGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace convcheck::campaign {

struct MergeOptions {
  std::string out_path;
  std::vector<std::string> shard_paths;
  bool allow_running = false;  // Merge a shard whose run is still alive (a snapshot).
  std::string command_line;    // Recorded in OUT's meta.
};

struct MergeSummary {
  int shard_count = 0;      // N.
  std::vector<int> merged;  // The shards merged (1-based), in order.
  int64_t plan_jobs = 0;    // Jobs of the whole campaign.
  int64_t jobs = 0;         // Jobs in OUT.
  int64_t done = 0;
  int64_t unique_failures = 0;
  int64_t reproducers = 0;            // Reproducer folders linked under OUT.artifacts.
  bool complete = false;              // All N shards, every job done.
  std::vector<std::string> warnings;  // One line each.
};

StatusOr<MergeSummary> MergeShards(const MergeOptions& options);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_MERGE_H_
