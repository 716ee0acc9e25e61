// The whole ONNX conformance data (1,072 cases in Debian's libonnx-testdata) on the reference
// interpreter and on ONNX Runtime: every case not on the backend's committed skip list
// (src/conformance/skips/<backend>.txt) must pass, and no case may crash or hang.

#include <gtest/gtest.h>

#include "testing/cli_runner.h"

namespace convcheck {
namespace {

using testing::CliRun;
using testing::ReadJson;
using testing::RunConvcheck;
using testing::TempDir;

void ExpectConformance(const std::string& backend, int min_pass) {
  TempDir dir;
  CliRun run = RunConvcheck({"conformance", "--backend", backend, "--json", dir.File("c.json")});
  nlohmann::json doc = ReadJson(dir.File("c.json"));
  ASSERT_TRUE(doc.is_object()) << run.out << run.err;
  const auto& summary = doc["summary"];
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(summary["cases"], 1072);
  EXPECT_GE(summary["pass"].get<int>(), min_pass) << run.out;
  EXPECT_EQ(summary["unexpected"], 0) << run.out;
  EXPECT_EQ(summary["counts"].value("crash", 0), 0) << run.out;
  EXPECT_EQ(summary["counts"].value("timeout", 0), 0) << run.out;
}

TEST(ConformanceSuiteTest, ReferenceInterpreter) { ExpectConformance("ref", 1026); }

TEST(ConformanceSuiteTest, OnnxRuntime) { ExpectConformance("ort", 952); }

}  // namespace
}  // namespace convcheck
