// `convcheck analyze` and the report's pattern section on a small real campaign: fuzzing through
// fault-inject:miscompile-relu (a TEST DOUBLE: torch.onnx, then every Relu becomes LeakyRelu),
// so the pattern that causes the mismatches is known by construction and the analysis must
// find it at both levels: relu in the generator's graph, LeakyRelu in the converted one.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "campaign/sqlite.h"
#include "testing/campaign_compare.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::RunConvcheck;
using testing::TempDir;

const nlohmann::json* FindPattern(const nlohmann::json& patterns, const std::string& level,
                                  const std::string& pattern, const std::string& outcome) {
  for (const auto& p : patterns) {
    if (p["level"] == level && p["pattern"] == pattern && p["outcome"] == outcome) return &p;
  }
  return nullptr;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AnalyzeTest, FindsTheMiscompiledOperatorAtBothLevels) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  CliRun fuzz = RunConvcheck({"fuzz", "--converter", "fault-inject:miscompile-relu", "--ops",
                              "relu,add,sigmoid,mul", "--count", "14", "--nodes", "3..6", "--seed",
                              "11", "--db", db, "--jobs", "2"});
  ASSERT_NE(fuzz.exit_code, 2) << fuzz.out << fuzz.err;
  ASSERT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), 14);
  // The store kept both levels of patterns for every job whose conversion gave a model.
  EXPECT_EQ(testing::QueryCount(
                db, "SELECT count(DISTINCT job_id) FROM job_patterns WHERE level = 'source'"),
            14);
  const int64_t with_relu = testing::QueryCount(
      db, "SELECT count(*) FROM job_patterns WHERE level = 'source' AND pattern = 'relu'");
  const int64_t mismatches =
      testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE verdict = 'incorrect_behavior'");
  ASSERT_GE(with_relu, 3) << "the seed should give models with and without relu";
  ASSERT_LE(with_relu, 11);

  CliRun analyze = RunConvcheck({"analyze", db, "--json", dir.File("a.json"), "--md",
                                 dir.File("a.md"), "--html", dir.File("a.html")});
  ASSERT_EQ(analyze.exit_code, 0) << analyze.out << analyze.err;
  nlohmann::json a = testing::ReadJson(dir.File("a.json"));
  EXPECT_EQ(a["format"], "convcheck-analysis");
  const nlohmann::json& patterns = a["patterns"];
  const nlohmann::json* relu = FindPattern(patterns, "source", "relu", "mismatch");
  ASSERT_NE(relu, nullptr) << analyze.out;
  EXPECT_EQ((*relu)["converter"], "fault-inject:miscompile-relu");
  EXPECT_EQ((*relu)["models_with"].get<int64_t>(), with_relu);
  // Every mismatch holds a relu (a relu of non-negative values is unharmed by the double, so
  // not every relu model mismatches: with seed 11, 8 of 10).
  EXPECT_EQ((*relu)["failures_with"].get<int64_t>(), mismatches);
  EXPECT_GE(mismatches, 3);
  EXPECT_EQ((*relu)["failures_without"].get<int64_t>(), 0);
  EXPECT_GT((*relu)["odds_ratio"].get<double>(), 1);
  EXPECT_LT((*relu)["p"].get<double>(), 0.05);
  EXPECT_GE((*relu)["q"].get<double>(), (*relu)["p"].get<double>());
  EXPECT_FALSE((*relu)["reproducer"].get<std::string>().empty());
  // The converted graphs hold LeakyRelu instead, in exactly the same jobs.
  const nlohmann::json* leaky = FindPattern(patterns, "onnx", "LeakyRelu", "mismatch");
  ASSERT_NE(leaky, nullptr);
  EXPECT_EQ((*leaky)["models_with"], (*relu)["models_with"]);
  EXPECT_EQ((*leaky)["p"], (*relu)["p"]);
  // Sequences are there too, joined with "->".
  bool sequence = false;
  for (const auto& p : patterns) {
    sequence = sequence || p["pattern"].get<std::string>().find("->") != std::string::npos;
  }
  EXPECT_TRUE(sequence);
  // The top pattern of the converter is one of the two.
  const std::string md = Slurp(dir.File("a.md"));
  EXPECT_NE(md.find("| fault-inject:miscompile-relu |"), std::string::npos) << md;
  const std::string html = Slurp(dir.File("a.html"));
  EXPECT_NE(html.find("id=\"pattern-table\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);

  // The same section in the campaign report.
  CliRun report =
      RunConvcheck({"report", db, "--json", dir.File("r.json"), "--md", dir.File("r.md")});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  nlohmann::json r = testing::ReadJson(dir.File("r.json"));
  ASSERT_TRUE(r.contains("pattern_analysis"));
  EXPECT_EQ(r["pattern_analysis"]["patterns"].size(), patterns.size());
  EXPECT_NE(Slurp(dir.File("r.md")).find("Operator patterns and outcomes"), std::string::npos);
}

TEST(AnalyzeTest, BadInputGivesOneLine) {
  TempDir dir;
  std::ofstream(dir.File("junk.sqlite")) << "this is not a database, only some text\n";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"analyze", dir.File("none.sqlite")},
           {"analyze", dir.File("junk.sqlite")},
           {"analyze", dir.File("none.sqlite"), "--max-n", "5"}}) {
    CliRun run = RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << args[1] << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

}  // namespace
}  // namespace convcheck

namespace convcheck {
namespace {

// fault-inject:lossy-add is a TEST DOUBLE: every float Add becomes (a + 2^16) + b - 2^16, exact
// in float64 and about 4e-3 off in float32. The default tolerance sees a value mismatch; the
// calibrated one sees that the converted graph is right in float64 and calls it a precision
// fault of the converter.
TEST(CalibratedTest, AnUnstableLoweringIsAPrecisionFault) {
  TempDir dir;
  for (const std::string tolerance : {"convcheck", "calibrated"}) {
    const std::string json = dir.File(tolerance + ".json");
    CliRun run = RunConvcheck(
        {"convert", "python:" CONVCHECK_TESTS_DIR "/data/models/transformer.py", "--converter",
         "fault-inject:lossy-add", "--backend", "ort", "--tolerance", tolerance, "--json", json});
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err;
    nlohmann::json job = testing::ReadJson(json)["jobs"][0];
    EXPECT_EQ(job["verdict"], "incorrect_behavior");
    const nlohmann::json& output = job["backends"][0]["comparison"]["outputs"][0];
    if (tolerance == "convcheck") {
      EXPECT_EQ(job["subtype"], "value_mismatch");
      EXPECT_FALSE(output.contains("rounding_allowed"));
    } else {
      EXPECT_EQ(job["subtype"], "precision");
      EXPECT_EQ(job["blame"], "converter");
      // The budget (8 x ref against ref64) covers the error, which float64 does not make.
      EXPECT_GE(output["rounding_allowed"].get<double>(), output["max_abs_error"].get<double>());
    }
  }
  // The same model through its plain exporter passes under both: no false alarm.
  CliRun plain =
      RunConvcheck({"convert", "python:" CONVCHECK_TESTS_DIR "/data/models/transformer.py",
                    "--backend", "ort", "--tolerance", "calibrated"});
  EXPECT_EQ(plain.exit_code, 0) << plain.out << plain.err;
}

}  // namespace
}  // namespace convcheck
