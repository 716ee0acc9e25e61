// Merging shard stores: every job once, failure groups recomputed across shards with one
// reproducer that outlives the shards, the same result when run again, and one-line refusals
// for shards that cannot be merged (another plan, a shard given twice, a shard still running).
#include "campaign/merge.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "campaign/lock.h"
#include "campaign/shard_fixtures.h"
#include "campaign/sqlite.h"
#include "testing/cli_runner.h"

namespace convcheck::campaign {
namespace {

namespace fs = std::filesystem;

// Sources m0..m8 at opsets 13 and 17: m1 and m4 hit one converter bug, m7 another; the rest
// pass.
pipeline::JobResult Outcome(const PlannedJob& job) {
  if (job.source.find("/m1.py") != std::string::npos ||
      job.source.find("/m4.py") != std::string::npos) {
    return fixtures::Crash("aten::zero");
  }
  if (job.source.find("/m7.py") != std::string::npos) return fixtures::Crash("aten::unfold");
  return fixtures::Pass();
}

struct Campaign {
  testing::TempDir tmp;
  std::string db = tmp.File("r.sqlite");
  std::vector<PlannedJob> plan = fixtures::Plan(9, {13, 17});
  std::vector<std::string> shards;

  explicit Campaign(int count, bool finish = true) {
    for (int k = 1; k <= count; ++k) {
      fixtures::RunShard(db, plan, {k, count}, Outcome, finish);
      shards.push_back(ShardStorePath(db, {k, count}));
    }
  }
};

int64_t Query(const std::string& path, const std::string& sql) {
  auto db = Database::Open(path, Database::Mode::kReadOnly);
  if (!db.ok()) return -1;
  auto value = QueryInt(**db, sql);
  return value.ok() ? *value : -1;
}

std::string Dump(const std::string& path, const std::string& sql) {
  auto db = Database::Open(path, Database::Mode::kReadOnly);
  if (!db.ok()) return "";
  auto stmt = (*db)->Prepare(sql);
  if (!stmt.ok()) return "";
  std::string text;
  while (*stmt->Step()) {
    for (int c = 0; c < stmt->ColumnCount(); ++c) text += stmt->Text(c) + "|";
    text += "\n";
  }
  return text;
}

TEST(MergeTest, MergesEveryJobOnceAndRecomputesFailureGroups) {
  Campaign campaign(4);
  // m1 and m4 sit in different shards (equal costs: sources go round-robin), so the group's
  // count and representative only come out right when the shards are added up.
  int shards_with_zero = 0;
  for (const auto& shard : campaign.shards) {
    shards_with_zero += Query(shard,
                              "SELECT count(*) FROM failures WHERE failing_op = "
                              "'aten::zero'") > 0;
  }
  ASSERT_EQ(shards_with_zero, 2);
  const std::string out = campaign.tmp.File("merged.sqlite");
  auto summary = MergeShards({out, campaign.shards, false, "test"});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->complete);
  EXPECT_EQ(summary->jobs, 18);
  EXPECT_EQ(summary->done, 18);
  EXPECT_EQ(summary->merged, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(summary->warnings.empty());

  EXPECT_EQ(Query(out, "SELECT count(DISTINCT key) FROM jobs"), 18);
  for (const auto& job : campaign.plan) {
    EXPECT_EQ(Dump(out, "SELECT verdict FROM jobs WHERE key = '" + job.key + "'"),
              std::string(oracle::VerdictName(Outcome(job).verdict)) + "|\n");
  }
  // Two signatures (aten::zero in 4 jobs, aten::unfold in 2), each with a reproducer that is a
  // folder of its own under the merged store's artifacts.
  EXPECT_EQ(Dump(out, "SELECT failing_op, count FROM failures ORDER BY failing_op"),
            "aten::unfold|2|\naten::zero|4|\n");
  EXPECT_EQ(Query(out,
                  "SELECT count(*) FROM jobs j JOIN failures f ON f.id = j.failure_id "
                  "WHERE j.signature = f.signature"),
            6);
  EXPECT_EQ(Query(out,
                  "SELECT count(*) FROM failures f JOIN jobs j ON j.id = f.first_job_id "
                  "WHERE j.signature = f.signature AND j.artifact_dir = f.reproducer"),
            2);
  EXPECT_EQ(Query(out, "SELECT count(*) FROM jobs WHERE artifact_dir <> ''"), 2);
  EXPECT_EQ(summary->reproducers, 2);
  // Rows of the job tables follow their jobs to the merged ids.
  EXPECT_EQ(Query(out, "SELECT count(*) FROM backend_results b JOIN jobs j ON j.id = b.job_id"),
            12);
  EXPECT_EQ(Query(out,
                  "SELECT count(*) FROM job_ops o JOIN jobs j ON j.id = o.job_id WHERE "
                  "j.verdict = 'pass'"),
            24);
  EXPECT_EQ(Query(out, "SELECT count(*) FROM stage_times s JOIN jobs j ON j.id = s.job_id"), 18);
  EXPECT_EQ(Dump(out, "SELECT value FROM meta WHERE key = 'shard_count'"), "4|\n");
  EXPECT_EQ(Query(out, "SELECT count(*) FROM meta WHERE key = 'shard_index'"), 0);

  // The reproducers are the merged store's own: they outlive the shards.
  const std::string dump = Dump(out, "SELECT reproducer FROM failures ORDER BY id");
  fs::remove_all(ShardsDir(campaign.db));
  std::istringstream lines(dump);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    const std::string dir = line.substr(0, line.size() - 1);
    EXPECT_EQ(dir.rfind(fs::absolute(out).string() + ".artifacts/failures/", 0), 0u) << dir;
    EXPECT_TRUE(fs::exists(dir + "/model.onnx")) << dir;
    EXPECT_TRUE(fs::exists(dir + "/test_data_set_0/input_0.pb")) << dir;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(MergeTest, RunningItAgainGivesTheSameStore) {
  Campaign campaign(4);
  const std::string out = campaign.tmp.File("merged.sqlite");
  ASSERT_TRUE(MergeShards({out, campaign.shards, false, "test"}).ok());
  const std::string sql =
      "SELECT j.id, j.key, j.status, j.verdict, j.failure_id, j.artifact_dir, f.count, "
      "f.reproducer FROM jobs j LEFT JOIN failures f ON f.id = j.failure_id ORDER BY j.id";
  const std::string first = Dump(out, sql);
  ASSERT_FALSE(first.empty());
  // In another order, twice.
  std::vector<std::string> reversed(campaign.shards.rbegin(), campaign.shards.rend());
  for (int i = 0; i < 2; ++i) {
    auto again = MergeShards({out, reversed, false, "test"});
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(Dump(out, sql), first);
  }
  EXPECT_FALSE(fs::exists(out + ".merging"));
  EXPECT_FALSE(fs::exists(out + ".artifacts.old"));
  EXPECT_EQ(Query(out, "SELECT count(*) FROM backend_results"), 12) << "nothing doubled";
  for (const auto& dir : fs::directory_iterator(out + ".artifacts/failures")) {
    EXPECT_TRUE(fs::exists(dir.path() / "model.onnx"));
  }
}

TEST(MergeTest, AMergeOfSomeShardsWarnsAndAResumedShardIsPickedUp) {
  Campaign campaign(3);
  const std::string out = campaign.tmp.File("merged.sqlite");
  auto partial = MergeShards({out, {campaign.shards[0], campaign.shards[2]}, false, "test"});
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_FALSE(partial->complete);
  ASSERT_EQ(partial->warnings.size(), 1u);
  EXPECT_NE(partial->warnings[0].find("merging 2 of 3 shards (missing: 2)"), std::string::npos)
      << partial->warnings[0];
  auto full = MergeShards({out, campaign.shards, false, "test"});
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->complete);
  EXPECT_EQ(Query(out, "SELECT count(*) FROM jobs"), 18);
}

TEST(MergeTest, TheSameFileTwiceIsMergedOnceButTwoCopiesOfAShardAreRefused) {
  Campaign campaign(2);
  const std::string out = campaign.tmp.File("merged.sqlite");
  std::vector<std::string> twice = campaign.shards;
  twice.push_back(campaign.shards[0]);
  // Another spelling of the same file is the same file.
  twice.push_back(fs::path(campaign.shards[1]).parent_path().string() + "/./" +
                  fs::path(campaign.shards[1]).filename().string());
  auto merged = MergeShards({out, twice, false, "test"});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->warnings.size(), 2u);
  EXPECT_NE(merged->warnings[0].find("is the same file as"), std::string::npos);
  EXPECT_EQ(Query(out, "SELECT count(*) FROM jobs"), 18);

  fs::copy_file(campaign.shards[0], campaign.tmp.File("copy.sqlite"));
  auto copies =
      MergeShards({out,
                   {campaign.shards[0], campaign.shards[1], campaign.tmp.File("copy.sqlite")},
                   false,
                   "test"});
  ASSERT_FALSE(copies.ok());
  EXPECT_NE(copies.status().message().find("are both shard 1/2"), std::string::npos)
      << copies.status().message();
}

TEST(MergeTest, ShardsOfAnotherPlanOrSplitAreRefused) {
  Campaign campaign(2);
  Campaign other(2);
  // The other campaign plans one more opset: another plan.
  testing::TempDir tmp;
  const std::string db = tmp.File("o.sqlite");
  fixtures::RunShard(db, fixtures::Plan(9, {13, 17, 18}), {2, 2}, Outcome);
  auto refused = MergeShards({campaign.tmp.File("m.sqlite"),
                              {campaign.shards[0], ShardStorePath(db, {2, 2})},
                              false,
                              "test"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("belongs to another plan"), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(fs::exists(campaign.tmp.File("m.sqlite"))) << "nothing written";

  // The same plan in 3 shards does not mix with the same plan in 2.
  Campaign three(3);
  auto mixed = MergeShards(
      {campaign.tmp.File("m.sqlite"), {campaign.shards[0], three.shards[1]}, false, "test"});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("is a shard of 3"), std::string::npos)
      << mixed.status().message();

  // Shard 2 of a split that differs from shard 1's (different timings and no shared split
  // file) may overlap shard 1; the split fingerprints tell.
  testing::TempDir apart;
  const std::string db2 = apart.File("r.sqlite");
  const std::vector<PlannedJob> plan = fixtures::Plan(9, {13, 17});
  fixtures::RunShard(db2, plan, {1, 2}, Outcome);
  fs::remove(SplitPath(db2, 2));
  fixtures::RunShard(
      campaign.tmp.File("timed.sqlite"), plan, {1, 1}, Outcome, true, {},
      [](const PlannedJob& job) { return job.source.find("m0") != std::string::npos ? 99 : 1; });
  fixtures::RunShard(db2, plan, {2, 2}, Outcome, true,
                     {ShardStorePath(campaign.tmp.File("timed.sqlite"), {1, 1})});
  auto split = MergeShards({apart.File("m.sqlite"),
                            {ShardStorePath(db2, {1, 2}), ShardStorePath(db2, {2, 2})},
                            false,
                            "test"});
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("were split differently"), std::string::npos)
      << split.status().message();
}

TEST(MergeTest, AShardStillRunningIsRefusedUnlessAsked) {
  Campaign campaign(2);
  const std::string out = campaign.tmp.File("merged.sqlite");
  {
    // A live run holds the shard's lock.
    auto lock = StoreLock::Acquire(campaign.shards[1]);
    ASSERT_TRUE(lock.ok());
    auto refused = MergeShards({out, campaign.shards, false, "test"});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("is still running (pid"), std::string::npos)
        << refused.status().message();
    EXPECT_NE(refused.status().message().find("--allow-running"), std::string::npos);
    auto snapshot = MergeShards({out, campaign.shards, /*allow_running=*/true, "test"});
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    ASSERT_EQ(snapshot->warnings.size(), 1u);
    EXPECT_NE(snapshot->warnings[0].find("still running: merged as recorded so far"),
              std::string::npos);
  }
  // A run that died (no lock) left a job running: merged as pending, with a warning.
  {
    auto store = Store::Open(campaign.shards[0]);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(
        (*store)->db().Run("UPDATE jobs SET status = 'running', verdict = NULL WHERE id = 1").ok());
  }
  auto stale = MergeShards({out, campaign.shards, false, "test"});
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  ASSERT_EQ(stale->warnings.size(), 1u);
  EXPECT_NE(stale->warnings[0].find("1 jobs left running by a run that ended"), std::string::npos)
      << stale->warnings[0];
  EXPECT_FALSE(stale->complete);
  EXPECT_EQ(Query(out, "SELECT count(*) FROM jobs WHERE status = 'pending'"), 1);
  EXPECT_EQ(Query(out, "SELECT count(*) FROM jobs WHERE status = 'running'"), 0);
}

TEST(MergeTest, NeverOverwritesACampaignItDidNotWrite) {
  Campaign campaign(2);
  const std::string plain = campaign.tmp.File("plain.sqlite");
  fixtures::RunShard(campaign.tmp.File("x.sqlite"), campaign.plan, {1, 1}, Outcome);
  {
    auto store = Store::Open(plain);
    ASSERT_TRUE((*store)->AddPlanned(campaign.plan).ok());
  }
  auto refused = MergeShards({plain, campaign.shards, false, "test"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("is not a merged campaign"), std::string::npos);
  EXPECT_EQ(Query(plain, "SELECT count(*) FROM jobs WHERE status = 'pending'"), 18);
  // A plain store given as a shard is refused too.
  auto not_shard = MergeShards({campaign.tmp.File("m.sqlite"), {plain}, false, "test"});
  ASSERT_FALSE(not_shard.ok());
  EXPECT_NE(not_shard.status().message().find("not a shard"), std::string::npos);
}

TEST(MergeTest, ColumnsAndTablesOfANewerSchemaAreCarriedOver) {
  Campaign campaign(2);
  for (const auto& shard : campaign.shards) {
    auto store = Store::Open(shard);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)
                    ->db()
                    .Exec("ALTER TABLE jobs ADD COLUMN converter_version TEXT NOT NULL DEFAULT '';"
                          "UPDATE jobs SET converter_version = 'v-' || id;"
                          "CREATE TABLE job_notes(job_id INTEGER NOT NULL, note TEXT);"
                          "INSERT INTO job_notes SELECT id, 'note of ' || key FROM jobs;")
                    .ok());
  }
  const std::string out = campaign.tmp.File("merged.sqlite");
  auto merged = MergeShards({out, campaign.shards, false, "test"});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(Query(out, "SELECT count(*) FROM jobs WHERE converter_version LIKE 'v-%'"), 18);
  EXPECT_EQ(Query(out,
                  "SELECT count(*) FROM job_notes n JOIN jobs j ON j.id = n.job_id AND "
                  "n.note = 'note of ' || j.key"),
            18)
      << "the notes follow their jobs to the merged ids";
}

TEST(MergeTest, TheCommandLineRefusesWithOneLineAndExitTwo) {
  Campaign campaign(2);
  testing::TempDir tmp;
  const std::string other = tmp.File("o.sqlite");
  fixtures::RunShard(other, fixtures::Plan(3, {17}), {2, 2}, Outcome);
  const std::string out = campaign.tmp.File("merged.sqlite");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{campaign.shards[0], ShardStorePath(other, {2, 2})}, "belongs to another plan"},
      {{campaign.shards[0], tmp.File("missing.sqlite")}, "does not exist"},
      {{}, "shards is required"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"campaign", "merge", out};
    args.insert(args.end(), c.args.begin(), c.args.end());
    testing::CliRun run = testing::RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_EQ(run.err.rfind("convcheck: error: ", 0), 0u) << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
  }
  {
    auto lock = StoreLock::Acquire(campaign.shards[0]);
    ASSERT_TRUE(lock.ok());
    testing::CliRun running =
        testing::RunConvcheck({"campaign", "merge", out, campaign.shards[0], campaign.shards[1]});
    EXPECT_EQ(running.exit_code, 2);
    EXPECT_NE(running.err.find("is still running"), std::string::npos) << running.err;
  }
  testing::CliRun twice = testing::RunConvcheck(
      {"campaign", "merge", out, campaign.shards[0], campaign.shards[1], campaign.shards[1]});
  EXPECT_EQ(twice.exit_code, 0) << twice.err;
  EXPECT_NE(twice.err.find("convcheck: warning: "), std::string::npos);
  EXPECT_NE(twice.out.find("merged 2 of 2 shards"), std::string::npos) << twice.out;
  EXPECT_NE(twice.out.find("complete"), std::string::npos) << twice.out;
}

}  // namespace
}  // namespace convcheck::campaign
