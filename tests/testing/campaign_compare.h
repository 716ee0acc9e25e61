//===- testing/campaign_compare.h - Two campaign files, compared ------------===//
//
// A sharded campaign, merged, must give the result of the same campaign run in one piece: the
// same verdict per job key and the same report apart from paths, times and ids. The sharding
// tests (integration/, slurm/) check that with these.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTING_CAMPAIGN_COMPARE_H_
#define CONVCHECK_TESTING_CAMPAIGN_COMPARE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "campaign/sqlite.h"
#include "testing/cli_runner.h"

namespace convcheck::testing {

/// Job key -> "status verdict" of every job in the file.
inline std::map<std::string, std::string> JobVerdicts(const std::string& db_path) {
  std::map<std::string, std::string> verdicts;
  auto db = campaign::Database::Open(db_path, campaign::Database::Mode::kReadOnly);
  if (!db.ok()) return verdicts;
  auto stmt = (*db)->Prepare("SELECT key, status || ' ' || coalesce(verdict, '') FROM jobs");
  if (!stmt.ok()) return verdicts;
  while (*stmt->Step()) verdicts[stmt->Text(0)] = stmt->Text(1);
  return verdicts;
}

/// The first column of the first row `sql` gives, as an integer (a count); -1 when the query
/// fails. One reader for every test that checks what a campaign file holds.
inline int64_t QueryCount(const std::string& db_path, const std::string& sql) {
  auto db = campaign::Database::Open(db_path, campaign::Database::Mode::kReadOnly);
  if (!db.ok()) return -1;
  auto value = campaign::QueryInt(**db, sql);
  return value.ok() ? *value : -1;
}

/// The first column of the first row `sql` gives, as a number; -1 when the query fails.
inline double QueryNumber(const std::string& db_path, const std::string& sql) {
  auto db = campaign::Database::Open(db_path, campaign::Database::Mode::kReadOnly);
  if (!db.ok()) return -1;
  auto stmt = (*db)->Prepare(sql);
  if (!stmt.ok() || !*stmt->Step()) return -1;
  return stmt->Real(0);
}

/// Writes `convcheck report --json` of both files and expects the same outcome table, verdicts,
/// blame and failure groups (signature and count); every reproducer of `merged` must exist.
inline void ExpectSameReport(const std::string& whole, const std::string& merged) {
  for (const auto& db : {whole, merged}) {
    CliRun report = RunConvcheck({"report", db, "--json", db + ".json"});
    ASSERT_EQ(report.exit_code, 0) << report.err;
  }
  nlohmann::json a = ReadJson(whole + ".json"), b = ReadJson(merged + ".json");
  EXPECT_EQ(a["outcomes"], b["outcomes"]);
  EXPECT_EQ(a["verdicts"], b["verdicts"]);
  EXPECT_EQ(a["blame"], b["blame"]);
  EXPECT_EQ(a["campaign"]["unique_failures"], b["campaign"]["unique_failures"]);
  std::map<std::string, int64_t> groups_a, groups_b;
  for (const auto& f : a["unique_failures"]) groups_a[f["signature"]] = f["count"];
  for (const auto& f : b["unique_failures"]) {
    groups_b[f["signature"]] = f["count"];
    EXPECT_TRUE(std::filesystem::exists(f["reproducer"].get<std::string>())) << f.dump();
  }
  EXPECT_EQ(groups_a, groups_b);
}

}  // namespace convcheck::testing

#endif  // CONVCHECK_TESTING_CAMPAIGN_COMPARE_H_
