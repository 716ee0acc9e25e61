//===- report/report_test.cc - The report library on a fixture campaign ---===//
//
// Numbers first (outcome table, operator rates, histograms, times, JUnit counts), then what
// each format must guarantee (escaping, self-containment, valid JSON), then the errors a bad
// database file gives.
//
//===----------------------------------------------------------------------===//
#include "report/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "report/data.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/report_fixture.h"
#include "report/text.h"
#include "testing/cli_runner.h"

namespace convcheck::report {
namespace {

using convcheck::testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("results.sqlite");
    Status written = testing::WriteFixtureCampaign(db_path_);
    ASSERT_TRUE(written.ok()) << written.ToString();
    StatusOr<ReportData> data = LoadReportData(db_path_);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    data_ = *data;
  }

  const OutcomeRow* FindRow(const std::string& converter, const std::string& kind) const {
    for (const OutcomeRow& row : data_.outcomes) {
      if (row.converter == converter && row.source_kind == kind) return &row;
    }
    return nullptr;
  }

  TempDir dir_;
  std::string db_path_;
  ReportData data_;
};

TEST_F(ReportTest, OutcomeTableCountsEachClassPerConverterAndSourceKind) {
  ASSERT_EQ(data_.outcomes.size(), 3u);
  const OutcomeRow* tv = FindRow("torch.onnx", "torchvision");
  ASSERT_NE(tv, nullptr);
  EXPECT_EQ(tv->jobs, 8);
  EXPECT_EQ(tv->done(), 7);
  EXPECT_EQ(tv->count(Outcome::kNotRun), 1);
  EXPECT_EQ(tv->count(Outcome::kSuccess), 2);
  EXPECT_EQ(tv->count(Outcome::kMismatch), 2);
  EXPECT_EQ(tv->count(Outcome::kLoadFailure), 1);
  EXPECT_EQ(tv->count(Outcome::kRunFailure), 2);  // runtime_error at run + runtime_crash.
  EXPECT_EQ(tv->count(Outcome::kConverterCrash), 0);

  const OutcomeRow* py = FindRow("torch.onnx", "python");
  ASSERT_NE(py, nullptr);
  EXPECT_EQ(py->jobs, 3);
  EXPECT_EQ(py->count(Outcome::kNotRun), 1);  // status 'error' is not run yet.
  EXPECT_EQ(py->count(Outcome::kConverterCrash), 1);
  EXPECT_EQ(py->count(Outcome::kSourceError), 1);

  const OutcomeRow* onnx = FindRow("none (onnx)", "onnx");
  ASSERT_NE(onnx, nullptr);
  EXPECT_EQ(onnx->jobs, 1);
  EXPECT_EQ(onnx->count(Outcome::kInvalidModel), 1);

  EXPECT_EQ(data_.outcome_total.jobs, 12);
  EXPECT_EQ(data_.outcome_total.done(), 10);
  EXPECT_EQ(data_.status_count("done"), 10);
  EXPECT_EQ(data_.status_count("pending"), 1);
  EXPECT_EQ(data_.status_count("error"), 1);
}

TEST_F(ReportTest, OutcomeTableRendersCountsWithSharesOfDoneJobs) {
  std::string md = RenderMarkdown(data_);
  // 2 of the 7 done torchvision jobs passed; the pending one is 1 of 8 jobs.
  EXPECT_NE(md.find("| torch.onnx | torchvision | 8 | 1 (12.5%) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2 (28.6%) |"), std::string::npos);
  EXPECT_NE(md.find("| none (onnx) | onnx | 1 |"), std::string::npos);
}

TEST(ClassifyOutcomeTest, FollowsTheStudysClasses) {
  EXPECT_EQ(ClassifyOutcome("pending", "", "", false), Outcome::kNotRun);
  EXPECT_EQ(ClassifyOutcome("error", "pass", "", false), Outcome::kNotRun);
  EXPECT_EQ(ClassifyOutcome("done", "converter_timeout", "", false), Outcome::kConverterCrash);
  EXPECT_EQ(ClassifyOutcome("done", "runtime_error", "run", true), Outcome::kLoadFailure);
  EXPECT_EQ(ClassifyOutcome("done", "runtime_error", "load", false), Outcome::kLoadFailure);
  EXPECT_EQ(ClassifyOutcome("done", "runtime_error", "run", false), Outcome::kRunFailure);
  EXPECT_EQ(ClassifyOutcome("done", "runtime_timeout", "", false), Outcome::kRunFailure);
  EXPECT_EQ(ClassifyOutcome("done", "incorrect_behavior", "", false), Outcome::kMismatch);
  EXPECT_EQ(ClassifyOutcome("done", "a_future_verdict", "", false), Outcome::kOther);
}

TEST_F(ReportTest, OperatorFailureRatesSortByRateThenJobs) {
  EXPECT_EQ(data_.op_types, 7);
  ASSERT_EQ(data_.op_rates.size(), 7u);
  std::vector<std::string> order;
  for (const OpRate& op : data_.op_rates) order.push_back(op.op_type);
  EXPECT_EQ(order, (std::vector<std::string>{"MatMul", "Softmax", "Resize", "RoiAlign", "Conv",
                                             "Add", "Relu"}));
  const OpRate& conv = data_.op_rates[4];
  EXPECT_EQ(conv.jobs, 6);    // Jobs 1, 2, 3, 6, 7, 12.
  EXPECT_EQ(conv.failed, 4);  // 3, 6, 7, 12.
  EXPECT_NEAR(conv.rate(), 4.0 / 6.0, 1e-12);
  const OpRate& add = data_.op_rates[5];
  EXPECT_EQ(add.jobs, 2);  // Job 1 (pass) and the check job 9 (invalid_model).
  EXPECT_EQ(add.failed, 1);
  EXPECT_EQ(data_.op_rates[6].failed, 0);
}

TEST_F(ReportTest, OperatorFailureRatesKeepOnlyTheTopRows) {
  LoadOptions options;
  options.top_ops = 2;
  StatusOr<ReportData> data = LoadReportData(db_path_, options);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->op_rates.size(), 2u);
  EXPECT_EQ(data->op_types, 7);
  EXPECT_EQ(data->op_rates[0].op_type, "MatMul");
}

TEST(RatioBinTest, DecadesWithExactBoundaries) {
  EXPECT_EQ(RatioBin(0), 0);
  EXPECT_EQ(RatioBin(-1), 0);
  EXPECT_EQ(RatioBin(1e-9), 1);
  EXPECT_EQ(RatioBin(1e-4), 2);
  EXPECT_EQ(RatioBin(9.9e-4), 2);
  EXPECT_EQ(RatioBin(1e-3), 3);
  EXPECT_EQ(RatioBin(1e-2), 4);
  EXPECT_EQ(RatioBin(0.1), 5);
  EXPECT_EQ(RatioBin(1.0), 5);  // Exactly at the tolerance still passes.
  EXPECT_EQ(RatioBin(1.0000001), 6);
  EXPECT_EQ(RatioBin(std::numeric_limits<double>::infinity()), 6);
  EXPECT_EQ(RatioBin(std::nan("")), 6);
}

TEST_F(ReportTest, ErrorHistogramsPerJobAndPerBackend) {
  using Bins = std::array<int64_t, kNumRatioBins>;
  // Done jobs: 0, 3e-5, 12.5, 4, 0.05 and five without a comparison.
  EXPECT_EQ(data_.job_ratios.bins, (Bins{1, 1, 0, 0, 1, 0, 2}));
  EXPECT_EQ(data_.job_ratios.not_compared, 5);
  ASSERT_EQ(data_.backend_ratios.size(), 2u);
  EXPECT_EQ(data_.backend_ratios[0].backend, "ort");
  EXPECT_EQ(data_.backend_ratios[0].bins, (Bins{1, 1, 0, 0, 1, 0, 2}));
  EXPECT_EQ(data_.backend_ratios[0].not_compared, 2);
  EXPECT_EQ(data_.backend_ratios[1].backend, "ref");
  EXPECT_EQ(data_.backend_ratios[1].bins, (Bins{1, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(data_.backend_ratios[1].not_compared, 1);
}

TEST_F(ReportTest, VerdictBreakdownPerJobAndBackend) {
  ASSERT_FALSE(data_.job_verdicts.empty());
  EXPECT_EQ(data_.job_verdicts.front().verdict, "pass");
  EXPECT_EQ(data_.job_verdicts.front().count, 2);
  int64_t total = 0;
  for (const VerdictCount& v : data_.job_verdicts) total += v.count;
  EXPECT_EQ(total, 10);
  bool found_load = false;
  for (const VerdictCount& v : data_.backend_verdicts) {
    if (v.backend == "ort" && v.verdict == "runtime_error" && v.stage == "load") {
      EXPECT_EQ(v.code, "NOT_IMPLEMENTED");
      EXPECT_EQ(v.count, 1);
      found_load = true;
    }
  }
  EXPECT_TRUE(found_load);
}

TEST_F(ReportTest, UniqueFailuresByCountWithTheirRepresentativeJob) {
  ASSERT_EQ(data_.failures.size(), 6u);
  const UniqueFailure& top = data_.failures[0];
  EXPECT_EQ(top.id, 1);
  EXPECT_EQ(top.count, 2);
  EXPECT_EQ(top.source, "torchvision:vit_b_32");
  EXPECT_EQ(top.opset, 13);
  EXPECT_EQ(top.reproducer, "/runs/results.sqlite.artifacts/failures/1");
  EXPECT_EQ(data_.failures[1].id, 2);  // Ties keep the id order.
  EXPECT_EQ(data_.failures[4].source, "/cases/test_add/model.onnx");
  EXPECT_FALSE(data_.failures[4].opset.has_value());
}

TEST_F(ReportTest, StageTimesAndTheShareOutsideTheTools) {
  EXPECT_DOUBLE_EQ(data_.times.wall_s, 35);
  EXPECT_DOUBLE_EQ(data_.times.tool_s, 14);
  EXPECT_NEAR(data_.times.outside_share(), 0.6, 1e-12);
  ASSERT_FALSE(data_.times.stages.empty());
  const StageTime& first = data_.times.stages.front();
  EXPECT_EQ(first.kind, "wall");
  EXPECT_EQ(first.stage, "total");
  EXPECT_EQ(first.jobs, 2);
  EXPECT_DOUBLE_EQ(first.total_s, 30);
  EXPECT_DOUBLE_EQ(first.mean_s(), 15);
  EXPECT_EQ(data_.times.stages.back().kind, "tool");
  EXPECT_TRUE(IsToolWorkStage("ort.load"));
  EXPECT_TRUE(IsToolWorkStage("ref64.run"));
  EXPECT_FALSE(IsToolWorkStage("worker_start"));
  EXPECT_FALSE(IsToolWorkStage(".run"));
}

TEST_F(ReportTest, JunitHasOneCasePerJobAndCorrectCounts) {
  std::string xml = RenderJunit(data_);
  EXPECT_EQ(Count(xml, "<testcase "), 12u);
  EXPECT_EQ(Count(xml, "<failure "), 7u);  // Jobs 3, 4, 5, 6, 7, 9, 12.
  EXPECT_EQ(Count(xml, "<skipped "), 2u);  // Pending job 10 and the source error, job 8.
  EXPECT_EQ(Count(xml, "<error "), 1u);    // Job 11, status error.
  EXPECT_NE(xml.find("<testsuite name=\"convcheck campaign " + db_path_ +
                     "\" tests=\"12\" failures=\"7\" errors=\"1\" skipped=\"2\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("classname=\"torchvision.classification\" name=\"torchvision:resnet18 "
                     "torch.onnx opset 17\""),
            std::string::npos);
  EXPECT_NE(xml.find("classname=\"onnx\" name=\"/cases/test_add/model.onnx\""), std::string::npos);
  EXPECT_NE(xml.find("type=\"incorrect_behavior\""), std::string::npos);
  // Tool output cannot break the XML: no raw markup, no control character, valid UTF-8.
  EXPECT_EQ(xml.find("<script"), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_EQ(CleanText(xml), xml);
}

TEST_F(ReportTest, HtmlEscapesTextFromTheDatabase) {
  std::string html = RenderHtml(data_);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>lstm"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;lstm"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(CleanText(html), html);
}

TEST_F(ReportTest, HtmlIsSelfContainedWithStableIds) {
  std::string html = RenderHtml(data_);
  for (const char* id :
       {"outcome-table", "verdict-chart", "unique-failures", "unique-failure-count",
        "error-distribution", "error-histogram-chart", "op-failure-rates", "op-failure-table",
        "stage-times", "stage-time-table", "campaign-meta", "backend-verdict-table"}) {
    EXPECT_EQ(Count(html, std::string("id=\"") + id + "\""), 1u) << id;
  }
  EXPECT_NE(html.find("<span id=\"unique-failure-count\">6</span>"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  // Nothing loaded from elsewhere: no script, stylesheet link, image or frame source.
  for (const char* external : {"<script", "<link", "src=", "url(", "@import", "<iframe"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
}

TEST_F(ReportTest, MarkdownEscapesTableCells) {
  std::string md = RenderMarkdown(data_);
  EXPECT_NE(md.find("RuntimeError: \\| pipes \\| in message"), std::string::npos);
  EXPECT_EQ(md.find("<script"), std::string::npos);
  EXPECT_NE(md.find("## Failure rates per operator"), std::string::npos);
}

TEST_F(ReportTest, WritesEveryFormatAndJsonHasTheSameNumbers) {
  ReportOptions options;
  options.db_path = db_path_;
  options.html_path = dir_.File("r.html");
  options.md_path = dir_.File("r.md");
  options.json_path = dir_.File("r.json");
  options.junit_path = dir_.File("r.xml");
  Status status = WriteReports(options);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Slurp(options.html_path), RenderHtml(data_));
  EXPECT_EQ(Slurp(options.junit_path), RenderJunit(data_));
  // The hostile \xff byte must not stop the JSON from being written or parsed.
  nlohmann::json doc = convcheck::testing::ReadJson(options.json_path);
  ASSERT_TRUE(doc.is_object()) << Slurp(options.json_path);
  EXPECT_EQ(doc["format_version"], kReportFormatVersion);
  EXPECT_EQ(doc["campaign"]["jobs"], 12);
  EXPECT_EQ(doc["campaign"]["meta"]["versions"]["torch"], "1.13.1");
  EXPECT_EQ(doc["outcomes"]["total"]["counts"]["mismatch"], 2);
  EXPECT_EQ(doc["outcomes"]["rows"].size(), 3u);
  EXPECT_EQ(doc["unique_failures"][0]["count"], 2);
  EXPECT_EQ(doc["error_distribution"]["jobs"]["counts"][6], 2);
  EXPECT_EQ(doc["error_distribution"]["backends"]["ref"]["not_compared"], 1);
  EXPECT_EQ(doc["op_failure_rates"]["top"][0]["op_type"], "MatMul");
  EXPECT_DOUBLE_EQ(doc["stage_times"]["outside_tools_share"].get<double>(), 0.6);
  // No temporary file is left behind.
  EXPECT_FALSE(std::filesystem::exists(options.html_path + ".tmp"));
}

TEST(ReportEmptyTest, CampaignWithoutJobsStillRenders) {
  TempDir dir;
  std::string db_path = dir.File("empty.sqlite");
  {
    auto db = testing::CreateEmptyCampaign(db_path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
  }
  ReportOptions options;
  options.db_path = db_path;
  options.html_path = dir.File("r.html");
  options.md_path = dir.File("r.md");
  options.json_path = dir.File("r.json");
  options.junit_path = dir.File("r.xml");
  Status status = WriteReports(options);
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::string html = Slurp(options.html_path);
  EXPECT_NE(html.find("id=\"outcome-table\""), std::string::npos);
  EXPECT_NE(html.find("id=\"verdict-chart\""), std::string::npos);
  EXPECT_NE(html.find("<span id=\"unique-failure-count\">0</span>"), std::string::npos);
  EXPECT_NE(html.find("No job wall time recorded yet."), std::string::npos);
  EXPECT_NE(Slurp(options.junit_path).find("tests=\"0\" failures=\"0\" errors=\"0\""),
            std::string::npos);
  nlohmann::json doc = convcheck::testing::ReadJson(options.json_path);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["campaign"]["jobs"], 0);
  EXPECT_EQ(doc["stage_times"]["outside_tools_share"], 0.0);
}

TEST(ReportWalTest, ReadsWhileAWriterHoldsTheWriteAheadLog) {
  TempDir dir;
  std::string db_path = dir.File("live.sqlite");
  ASSERT_TRUE(testing::WriteFixtureCampaign(db_path).ok());
  auto writer = campaign::Database::Open(db_path, campaign::Database::Mode::kReadWriteCreate);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Exec("PRAGMA journal_mode=WAL;").ok());
  ASSERT_TRUE(
      (*writer)->Exec("UPDATE jobs SET status = 'done', verdict = 'pass' WHERE id = 10;").ok());
  StatusOr<ReportData> data = LoadReportData(db_path);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(data->status_count("done"), 11);
}

TEST(ReportErrorTest, MissingDatabaseIsNotFoundAndNamesTheFile) {
  TempDir dir;
  std::string path = dir.File("nope.sqlite");
  StatusOr<ReportData> data = LoadReportData(path);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kNotFound);
  EXPECT_NE(data.status().message().find(path), std::string::npos);
  // A read-only report never creates the file it was asked to read.
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ReportErrorTest, GarbageFileIsDataLoss) {
  TempDir dir;
  std::string path = dir.File("garbage.sqlite");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 131 + 7) % 256));
  }
  StatusOr<ReportData> data = LoadReportData(path);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kDataLoss) << data.status().ToString();
  EXPECT_NE(data.status().message().find(path), std::string::npos);
}

TEST(ReportErrorTest, DatabaseWithoutTheTablesIsRejected) {
  TempDir dir;
  std::string path = dir.File("other.sqlite");
  {
    auto db = campaign::Database::Open(path, campaign::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE notes(x TEXT);").ok());
  }
  StatusOr<ReportData> data = LoadReportData(path);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(data.status().message().find(path), std::string::npos);
  EXPECT_NE(data.status().message().find("'jobs'"), std::string::npos);

  // An empty file is a valid, empty SQLite database: no tables either.
  std::string empty = dir.File("empty.sqlite");
  std::ofstream(empty).close();
  EXPECT_EQ(LoadReportData(empty).status().code(), StatusCode::kInvalidArgument);
}

TEST(ReportErrorTest, PartialSchemaNamesTheMissingTable) {
  TempDir dir;
  std::string path = dir.File("partial.sqlite");
  {
    auto db = campaign::Database::Open(path, campaign::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec(campaign::kSchemaSql).ok());
    ASSERT_TRUE((*db)->Exec("DROP TABLE job_ops;").ok());
  }
  StatusOr<ReportData> data = LoadReportData(path);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.status().message().find("'job_ops'"), std::string::npos);
}

TEST(ReportErrorTest, NoOutputRequestedAndUnwritableOutput) {
  TempDir dir;
  std::string db_path = dir.File("results.sqlite");
  ASSERT_TRUE(testing::WriteFixtureCampaign(db_path).ok());
  ReportOptions options;
  options.db_path = db_path;
  EXPECT_EQ(WriteReports(options).code(), StatusCode::kInvalidArgument);
  options.html_path = dir.File("no/such/dir/r.html");
  Status status = WriteReports(options);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find(options.html_path), std::string::npos);
}

TEST(TextTest, CleanTextRepairsUtf8AndControlCharacters) {
  EXPECT_EQ(CleanText("ok \xc3\xa9 \xe2\x82\xac"), "ok \xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(CleanText("a\xff"), "a\xEF\xBF\xBD");
  EXPECT_EQ(CleanText("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong '/'.
  EXPECT_EQ(CleanText("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Cut short.
  EXPECT_EQ(CleanText("a\x01"
                      "b\tc\n"),
            "a\xEF\xBF\xBD"
            "b\tc\n");
  EXPECT_EQ(EscapeXml("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkdownCell("a|b\nc<d>"), "a\\|b c&lt;d&gt;");
  EXPECT_EQ(Percent(1, 3), "33.3%");
  EXPECT_EQ(Percent(1, 0), "-");
}

}  // namespace
}  // namespace convcheck::report

namespace convcheck::report {
namespace {

TEST(ReportBlameTest, CountsFailedJobsByBlameAndDegeneratePasses) {
  convcheck::testing::TempDir dir;
  const std::string path = dir.File("r.sqlite");
  ASSERT_TRUE(testing::WriteFixtureCampaign(path).ok());
  {
    auto db = campaign::Database::Open(path, campaign::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE jobs SET blame = 'converter' WHERE status = 'done' AND "
                            "verdict = 'incorrect_behavior'; UPDATE jobs SET result_json = "
                            "'{\"warnings\":[\"reference output ''out'' is constant\"]}' WHERE "
                            "id = (SELECT min(id) FROM jobs WHERE verdict = 'pass');")
                    .ok());
  }
  StatusOr<ReportData> data = LoadReportData(path);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  int64_t mismatches = 0, failed = 0;
  for (const JobRow& job : data->jobs) {
    if (job.status != "done" || job.verdict == "pass") continue;
    ++failed;
    mismatches += job.verdict == "incorrect_behavior";
  }
  ASSERT_GT(mismatches, 0);
  EXPECT_EQ(data->blame["converter"], mismatches);
  EXPECT_EQ(data->blame["not recorded"], failed - mismatches);
  EXPECT_EQ(data->degenerate_passes, 1);
  std::string html = RenderHtml(*data);
  EXPECT_NE(html.find("id=\"blame-table\""), std::string::npos);
  EXPECT_NE(html.find("<span id=\"degenerate-passes\">1</span>"), std::string::npos);
}

}  // namespace
}  // namespace convcheck::report
