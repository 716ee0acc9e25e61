// Splitting a campaign into shards: the split is deterministic, disjoint, covers every job,
// keeps a source's jobs together and balances the expected cost; it is decided once per
// campaign, and a shard store records which shard of which plan it is.
#include "campaign/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "campaign/lock.h"
#include "campaign/shard_fixtures.h"
#include "testing/cli_runner.h"

namespace convcheck::campaign {
namespace {

namespace fs = std::filesystem;

TEST(ShardTest, ParsesShardIds) {
  auto id = ParseShardId("3/8");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->index, 3);
  EXPECT_EQ(id->count, 8);
  EXPECT_TRUE(ParseShardId("1/1").ok());
  for (const char* bad : {"0/4", "5/4", "4", "a/b", "1/0", "-1/4", "1/4/2", "", "2 /4",
                          "99999999999/99999999999", "1/20000"}) {
    auto parsed = ParseShardId(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ShardStorePath("/x/r.sqlite", {2, 4}), "/x/r.sqlite.shards/2-of-4.sqlite");
}

TEST(ShardTest, PlanFingerprintIgnoresOrderButNotContent) {
  std::vector<std::string> keys = {"a|1", "b|2", "c|3"};
  std::vector<std::string> shuffled = {"c|3", "a|1", "b|2"};
  EXPECT_EQ(PlanFingerprint(keys), PlanFingerprint(shuffled));
  EXPECT_EQ(PlanFingerprint(keys).size(), 16u);
  EXPECT_NE(PlanFingerprint(keys), PlanFingerprint({"a|1", "b|2"}));
  EXPECT_NE(PlanFingerprint(keys), PlanFingerprint({"a|1", "b|2", "c|4"}));
}

TEST(ShardTest, SplitIsDisjointCoversEveryJobAndKeepsSourcesTogether) {
  const std::vector<PlannedJob> plan = fixtures::Plan(23, {13, 17});
  for (int count : {1, 2, 4, 7, 23, 40}) {
    Split split = SplitPlan(plan, count, {});
    ASSERT_EQ(split.shard_of.size(), plan.size()) << count;
    std::map<std::string, int> shard_of_source;
    std::vector<int> jobs_per_shard(count, 0);
    for (const auto& job : plan) {
      const int shard = split.shard_of.at(job.key);
      ASSERT_GE(shard, 1);
      ASSERT_LE(shard, count);
      ++jobs_per_shard[shard - 1];
      auto [it, added] = shard_of_source.emplace(job.source, shard);
      EXPECT_EQ(it->second, shard) << job.source << " is split over two shards";
    }
    // Equal costs: the shards differ by one source at most.
    const auto [least, most] = std::minmax_element(jobs_per_shard.begin(), jobs_per_shard.end());
    EXPECT_LE(*most - *least, 2) << count;
    EXPECT_EQ(SplitPlan(plan, count, {}).fingerprint, split.fingerprint) << "deterministic";
  }
}

TEST(ShardTest, SplitBalancesRecordedTimes) {
  // One source takes 100 s, the others 1 s: it gets a shard of its own, the rest share.
  const std::vector<PlannedJob> plan = fixtures::Plan(21, {17});
  CostModel costs;
  for (const auto& job : plan) costs.by_key_ms[job.key] = 1000;
  costs.by_key_ms[plan[5].key] = 100000;
  Split split = SplitPlan(plan, 3, costs);
  const int heavy = split.shard_of.at(plan[5].key);
  int with_heavy = 0;
  for (const auto& [key, shard] : split.shard_of) with_heavy += shard == heavy;
  EXPECT_EQ(with_heavy, 1);
  std::vector<int64_t> sorted = split.expected_ms;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{10000, 10000, 100000}));
  EXPECT_NE(split.fingerprint, SplitPlan(plan, 3, {}).fingerprint);
}

TEST(ShardTest, ExpectedCostUsesTheKeyThenTheFamilyThenAGuess) {
  PlannedJob detection, classification, known;
  detection.source_kind = classification.source_kind = known.source_kind = "torchvision";
  detection.family = "detection";
  classification.family = known.family = "classification";
  detection.key = "d";
  classification.key = "c";
  known.key = "k";
  CostModel empty;
  EXPECT_GT(ExpectedCostMs(detection, empty), ExpectedCostMs(classification, empty));
  CostModel model;
  model.by_key_ms["k"] = 1234;
  model.by_family["torchvision/classification"] = {3000, 2};
  EXPECT_EQ(ExpectedCostMs(known, model), 1234);
  EXPECT_EQ(ExpectedCostMs(classification, model), 1500);
  EXPECT_EQ(ExpectedCostMs(detection, model), ExpectedCostMs(detection, empty));
}

TEST(ShardTest, CostModelReadsDoneJobsOfEarlierStores) {
  testing::TempDir tmp;
  const std::string earlier = tmp.File("earlier.sqlite");
  const std::vector<PlannedJob> plan = fixtures::Plan(4, {17});
  fixtures::RunShard(
      earlier, plan, {1, 1}, [](const PlannedJob&) { return fixtures::Pass(); }, true, {},
      [](const PlannedJob& job) {
        return job.source.find("m2") != std::string::npos ? 42.0 : 2.0;
      });
  auto model = LoadCostModel({ShardStorePath(earlier, {1, 1}), tmp.File("missing.sqlite")},
                             /*skip_unreadable=*/false);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->by_key_ms.at(plan[2].key), 42000);
  EXPECT_EQ(model->by_key_ms.at(plan[0].key), 2000);
  EXPECT_EQ(model->sources.size(), 1u) << "a missing file is skipped";

  std::ofstream(tmp.File("garbage.sqlite")) << std::string(4096, 'g');
  EXPECT_FALSE(LoadCostModel({tmp.File("garbage.sqlite")}, false).ok());
  EXPECT_TRUE(LoadCostModel({tmp.File("garbage.sqlite")}, true).ok());
}

TEST(ShardTest, ShardsOfOnePlanAreDisjointAndRecordTheirIdentity) {
  testing::TempDir tmp;
  const std::string db = tmp.File("r.sqlite");
  const std::vector<PlannedJob> plan = fixtures::Plan(9, {13, 17});
  std::vector<std::string> keys;
  for (const auto& job : plan) keys.push_back(job.key);
  std::multiset<std::string> seen;
  for (int k = 1; k <= 4; ++k) {
    fixtures::RunShard(
        db, plan, {k, 4}, [](const PlannedJob&) { return fixtures::Pass(); },
        /*finish=*/false);
    auto info = ReadShardInfo(ShardStorePath(db, {k, 4}));
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->id.index, k);
    EXPECT_EQ(info->id.count, 4);
    EXPECT_EQ(info->plan_fingerprint, PlanFingerprint(keys));
    EXPECT_EQ(info->plan_jobs, 18);
    EXPECT_TRUE(info->lock_holder.empty());
    auto store = Store::Open(ShardStorePath(db, {k, 4}), /*read_only=*/true);
    ASSERT_TRUE(store.ok());
    auto stmt = (*store)->db().Prepare("SELECT key FROM jobs");
    ASSERT_TRUE(stmt.ok());
    while (*stmt->Step()) seen.insert(stmt->Text(0));
  }
  EXPECT_EQ(seen.size(), plan.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), plan.size())
      << "no job in two shards";
  EXPECT_TRUE(fs::exists(SplitPath(db, 4)));
  EXPECT_EQ(FindShardStores(db).size(), 4u);
}

TEST(ShardTest, TheSplitIsDecidedOnceWhateverTheTimingsSayLater) {
  testing::TempDir tmp;
  const std::string db = tmp.File("r.sqlite");
  const std::vector<PlannedJob> plan = fixtures::Plan(12, {17});
  auto first = DecideSplit(db, plan, 3, {}, nullptr);
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  // Timings that would split differently, found after the first shard started.
  const std::string timed = tmp.File("timed.sqlite");
  fixtures::RunShard(
      timed, plan, {1, 1}, [](const PlannedJob&) { return fixtures::Pass(); }, true, {},
      [](const PlannedJob& job) {
        return job.source.find("m1.py") != std::string::npos ? 500.0 : 1.0;
      });
  const std::vector<std::string> cost_from = {ShardStorePath(timed, {1, 1})};
  auto fresh = LoadCostModel(cost_from, false);
  ASSERT_TRUE(fresh.ok());
  ASSERT_NE(SplitPlan(plan, 3, *fresh).fingerprint, first->fingerprint);
  std::string note;
  auto second = DecideSplit(db, plan, 3, cost_from, &note);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->fingerprint, first->fingerprint);
  EXPECT_EQ(second->shard_of, first->shard_of);
  EXPECT_NE(note.find("using the split"), std::string::npos) << note;

  // Another plan (an opset added) is refused, naming both fingerprints.
  auto other = DecideSplit(db, fixtures::Plan(12, {13, 17}), 3, {}, nullptr);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("another plan"), std::string::npos)
      << other.status().message();
  // Another N is another split.
  EXPECT_TRUE(DecideSplit(db, plan, 2, {}, nullptr).ok());

  // A mangled split file is an error, not a crash.
  std::ofstream(SplitPath(db, 5)) << R"({"format": "convcheck-split", "shard_count": "x"})";
  EXPECT_FALSE(DecideSplit(db, plan, 5, {}, nullptr).ok());
}

TEST(ShardTest, AResumedShardKeepsItsJobs) {
  testing::TempDir tmp;
  const std::string db = tmp.File("r.sqlite");
  const std::vector<PlannedJob> plan = fixtures::Plan(8, {17});
  fixtures::RunShard(
      db, plan, {2, 3}, [](const PlannedJob&) { return fixtures::Pass(); }, false);
  auto count_jobs = [&] {
    auto store = Store::Open(ShardStorePath(db, {2, 3}), true);
    return *QueryInt((*store)->db(), "SELECT count(*) FROM jobs");
  };
  const int64_t before = count_jobs();
  ASSERT_GT(before, 0);
  // Even with the split file gone and other timings, the store's jobs stay its jobs.
  fs::remove(SplitPath(db, 3));
  auto store = Store::Open(ShardStorePath(db, {2, 3}));
  ASSERT_TRUE(store.ok());
  std::ostringstream notes;
  auto mine = MakeShardSelector(db, {2, 3}, {}, notes)(plan, **store);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(static_cast<int64_t>(mine->size()), before);
  EXPECT_NE(notes.str().find("resuming"), std::string::npos);
  // A store of another plan is refused.
  auto other = MakeShardSelector(db, {2, 3}, {}, notes)(fixtures::Plan(9, {17}), **store);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("another plan"), std::string::npos);
}

TEST(ShardTest, AStoreWithoutShardMetaIsNotAShard) {
  testing::TempDir tmp;
  {
    auto store = Store::Open(tmp.File("plain.sqlite"));
    ASSERT_TRUE(store.ok());
  }
  auto empty = ReadShardInfo(tmp.File("plain.sqlite"));
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound) << "no jobs yet: not started";
  {
    auto store = Store::Open(tmp.File("plain.sqlite"));
    ASSERT_TRUE((*store)->AddPlanned(fixtures::Plan(1, {17})).ok());
  }
  auto plain = ReadShardInfo(tmp.File("plain.sqlite"));
  EXPECT_EQ(plain.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plain.status().message().find("not a shard"), std::string::npos);
}

TEST(ShardTest, LockShowsWhoRunsAStore) {
  testing::TempDir tmp;
  const std::string db = tmp.File("r.sqlite");
  EXPECT_EQ(LockHolder(db), "");
  {
    auto lock = StoreLock::Acquire(db);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    EXPECT_NE(LockHolder(db).find("pid " + std::to_string(getpid())), std::string::npos)
        << LockHolder(db);
    auto second = StoreLock::Acquire(db);
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.status().message().find("already being run"), std::string::npos)
        << second.status().message();
  }
  EXPECT_EQ(LockHolder(db), "") << "released with its owner";
  EXPECT_TRUE(StoreLock::Acquire(db).ok());
}

}  // namespace
}  // namespace convcheck::campaign
