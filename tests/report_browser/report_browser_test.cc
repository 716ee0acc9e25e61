//===- report_browser/report_browser_test.cc - The HTML report in a browser ===//
//
// Runs the real `convcheck report` on a fixture database, then opens the page in headless
// Chromium: the DOM it builds must hold the report's sections, and a screenshot must show
// something (compared with a screenshot of an empty page). Chromium is a test dependency
// (scripts/install-deps.sh); when it is missing the test fails, so that a broken environment is
// not mistaken for a passing report.
//
//===----------------------------------------------------------------------===//
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/report_fixture.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

using testing::RunConvcheck;
using testing::TempDir;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr int kWidth = 1280, kHeight = 2000;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Command {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) with stdout and stderr to files in `dir`.
Command Run(const std::vector<std::string>& args, const TempDir& dir) {
  const std::string out_path = dir.File("cmd.out"), err_path = dir.File("cmd.err");
  std::vector<std::string> strings = args;
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Command command;
  command.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  command.out = Slurp(out_path);
  command.err = Slurp(err_path);
  return command;
}

// Headless Chromium with a fresh profile, no network services, bounded by `timeout`.
Command Chromium(const std::string& mode_flag, const std::string& html_path) {
  TempDir profile;
  std::vector<std::string> args = {
      "timeout",
      "60",
      kChromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--user-data-dir=" + profile.File("profile"),
      "--window-size=" + std::to_string(kWidth) + "," + std::to_string(kHeight),
      mode_flag,
      "file://" + html_path};
  return Run(args, profile);
}

// Width and height from a PNG's IHDR chunk, which follows the 8-byte signature.
bool PngSize(const std::string& png, uint32_t& width, uint32_t& height) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      png.compare(12, 4, "IHDR") != 0) {
    return false;
  }
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  width = be32(16);
  height = be32(20);
  return true;
}

void RequireChromium() {
  ASSERT_TRUE(std::filesystem::exists(kChromium))
      << kChromium << " is missing: run scripts/install-deps.sh (it installs Debian's chromium "
      << "package, which this test needs to render the HTML report)";
}

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("results.sqlite");
    Status written = report::testing::WriteFixtureCampaign(db_path_);
    ASSERT_TRUE(written.ok()) << written.ToString();
    html_path_ = dir_.File("report.html");
  }

  TempDir dir_;
  std::string db_path_;
  std::string html_path_;
};

TEST_F(ReportBrowserTest, ChromiumRendersTheReport) {
  RequireChromium();
  testing::CliRun run = RunConvcheck({"report", db_path_, "--html", html_path_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(std::filesystem::exists(html_path_));

  Command dom = Chromium("--dump-dom", html_path_);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  for (const char* id :
       {"outcome-table", "verdict-chart", "unique-failures", "error-distribution",
        "error-histogram-chart", "op-failure-rates", "stage-times", "campaign-meta"}) {
    EXPECT_NE(dom.out.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_NE(dom.out.find("<span id=\"unique-failure-count\">6</span>"), std::string::npos)
      << dom.out.substr(0, 2000);
  // The hostile error message is text in the page, never an element.
  EXPECT_EQ(dom.out.find("<script"), std::string::npos);
  EXPECT_NE(dom.out.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);

  const std::string png_path = dir_.File("report.png");
  Command shot = Chromium("--screenshot=" + png_path, html_path_);
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const std::string png = Slurp(png_path);
  uint32_t width = 0, height = 0;
  ASSERT_TRUE(PngSize(png, width, height)) << png_path << " is not a PNG";
  EXPECT_EQ(width, static_cast<uint32_t>(kWidth));
  EXPECT_EQ(height, static_cast<uint32_t>(kHeight));

  // A page with nothing on it compresses to a few kB; tables, text and charts cannot.
  const std::string blank_html = dir_.File("blank.html");
  std::ofstream(blank_html) << "<!DOCTYPE html><html><body></body></html>\n";
  const std::string blank_png_path = dir_.File("blank.png");
  Command blank = Chromium("--screenshot=" + blank_png_path, blank_html);
  ASSERT_EQ(blank.exit_code, 0) << blank.err;
  const size_t blank_size = Slurp(blank_png_path).size();
  ASSERT_GT(blank_size, 0u);
  EXPECT_GT(png.size(), 4 * blank_size)
      << "the report's screenshot (" << png.size() << " bytes) is hardly larger than an empty "
      << "page's (" << blank_size << " bytes)";
}

TEST_F(ReportBrowserTest, EmptyCampaignRendersToo) {
  RequireChromium();
  TempDir dir;
  const std::string db_path = dir.File("empty.sqlite");
  ASSERT_TRUE(report::testing::CreateEmptyCampaign(db_path).ok());
  const std::string html = dir.File("empty.html");
  testing::CliRun run = RunConvcheck({"report", db_path, "--html", html});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Command dom = Chromium("--dump-dom", html);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("<span id=\"unique-failure-count\">0</span>"), std::string::npos);
  EXPECT_NE(dom.out.find("id=\"outcome-table\""), std::string::npos);
}

TEST_F(ReportBrowserTest, CommandWritesEveryFormat) {
  testing::CliRun run =
      RunConvcheck({"report", db_path_, "--html", html_path_, "--md", dir_.File("r.md"), "--json",
                    dir_.File("r.json"), "--junit", dir_.File("r.xml")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("12 jobs (10 done), 6 unique failures"), std::string::npos) << run.out;
  for (const char* name : {"r.md", "r.json", "r.xml"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_.File(name))) << name;
  }
  EXPECT_EQ(testing::ReadJson(dir_.File("r.json"))["campaign"]["jobs"], 12);
}

// Exit 2 and one line naming the file, for every way the input can be wrong.
void ExpectOneLineError(const testing::CliRun& run, const std::string& needle) {
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_EQ(run.err.rfind("convcheck: error: ", 0), 0u) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_NE(run.err.find(needle), std::string::npos) << run.err;
}

TEST_F(ReportBrowserTest, BadInputGivesOneLineAndExitTwo) {
  const std::string missing = dir_.File("missing.sqlite");
  ExpectOneLineError(RunConvcheck({"report", missing, "--html", html_path_}), missing);
  EXPECT_FALSE(std::filesystem::exists(missing));

  const std::string garbage = dir_.File("garbage.sqlite");
  std::ofstream(garbage, std::ios::binary) << std::string(2048, '\x5a') << "not sqlite";
  ExpectOneLineError(RunConvcheck({"report", garbage, "--html", html_path_}), garbage);

  const std::string empty = dir_.File("empty.sqlite");
  std::ofstream(empty).close();
  ExpectOneLineError(RunConvcheck({"report", empty, "--html", html_path_}), "'jobs'");

  ExpectOneLineError(RunConvcheck({"report", db_path_}), "--html");
  ExpectOneLineError(RunConvcheck({"report", db_path_, "--html", dir_.File("no/dir/r.html")}),
                     "no/dir/r.html");
  EXPECT_FALSE(std::filesystem::exists(html_path_));
}

}  // namespace
}  // namespace convcheck
