#include "workers/worker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace convcheck::workers {
namespace {

namespace fs = std::filesystem;

// The supervisor against tests/fakes/fake_worker.py, a test double that misbehaves on request.
class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cc_worker_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  WorkerSpec Spec(const std::string& mode = "normal") {
    WorkerSpec spec;
    spec.name = "fake";
    spec.argv = {"/usr/bin/python3", std::string(CONVCHECK_TESTS_DIR) + "/fakes/fake_worker.py",
                 mode};
    spec.log_path = (dir_ / "fake.log").string();
    spec.start_timeout_s = 10;
    return spec;
  }

  fs::path dir_;
};

TEST_F(WorkerTest, AnswersRequestsInOrderAndReportsReadyInfo) {
  Worker worker(Spec());
  ASSERT_TRUE(worker.Start().ok());
  EXPECT_EQ(worker.ready_info()["worker"], "fake");
  for (int i = 0; i < 3; ++i) {
    Reply reply = worker.Call({{"op", "echo"}, {"n", i}}, 10);
    ASSERT_EQ(reply.kind, ReplyKind::kAnswered) << reply.detail;
    EXPECT_TRUE(reply.ok());
    EXPECT_EQ(reply.response["echo"]["n"], i);
  }
  EXPECT_EQ(worker.starts(), 1);
}

TEST_F(WorkerTest, StdoutNoiseDoesNotCorruptTheProtocol) {
  Worker worker(Spec());
  Reply reply = worker.Call({{"op", "stdout_noise"}}, 10);
  ASSERT_EQ(reply.kind, ReplyKind::kAnswered) << reply.detail;
  EXPECT_TRUE(reply.ok());
}

TEST_F(WorkerTest, HangIsKilledAtTheDeadlineAndTheNextCallRestarts) {
  Worker worker(Spec());
  ASSERT_TRUE(worker.Start().ok());
  auto start = std::chrono::steady_clock::now();
  Reply reply = worker.Call({{"op", "sleep"}, {"seconds", 60}}, 1.0);
  double waited_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(reply.kind, ReplyKind::kTimeout);
  EXPECT_LT(waited_s, 5.0);
  EXPECT_FALSE(worker.running());
  Reply after = worker.Call({{"op", "echo"}}, 10);
  EXPECT_TRUE(after.ok()) << after.detail;
  EXPECT_EQ(worker.starts(), 2);
}

TEST_F(WorkerTest, SegfaultIsReportedWithTheSignal) {
  Worker worker(Spec());
  Reply reply = worker.Call({{"op", "segfault"}}, 10);
  EXPECT_EQ(reply.kind, ReplyKind::kCrashed);
  EXPECT_EQ(reply.term_signal, SIGSEGV);
  EXPECT_NE(reply.detail.find("SIGSEGV"), std::string::npos) << reply.detail;
  EXPECT_TRUE(worker.Call({{"op", "echo"}}, 10).ok());
}

TEST_F(WorkerTest, ExitIsReportedWithTheStatus) {
  Worker worker(Spec());
  Reply reply = worker.Call({{"op", "exit"}, {"code", 7}}, 10);
  EXPECT_EQ(reply.kind, ReplyKind::kCrashed);
  EXPECT_EQ(reply.exit_code, 7);
  EXPECT_NE(reply.detail.find("status 7"), std::string::npos) << reply.detail;
}

TEST_F(WorkerTest, GarbageOnTheResponseChannelIsAProtocolError) {
  Worker worker(Spec());
  Reply reply = worker.Call({{"op", "garbage"}}, 10);
  EXPECT_EQ(reply.kind, ReplyKind::kCrashed);
  EXPECT_NE(reply.detail.find("protocol"), std::string::npos) << reply.detail;
  EXPECT_FALSE(worker.running());
}

TEST_F(WorkerTest, MemoryLimitKillsTheWorker) {
  WorkerSpec spec = Spec();
  spec.memory_limit_mb = 200;
  Worker worker(spec);
  Reply reply = worker.Call({{"op", "alloc"}, {"mib", 400}, {"seconds", 30}}, 20);
  EXPECT_EQ(reply.kind, ReplyKind::kMemoryExceeded) << reply.detail;
  EXPECT_NE(reply.detail.find("200 MiB"), std::string::npos) << reply.detail;
  EXPECT_FALSE(worker.running());
}

TEST_F(WorkerTest, WorkerThatDiesAtStartGivesStartFailedWithTheLog) {
  Worker worker(Spec("die-at-start"));
  Status status = worker.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("exited with status 3"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("dying at start on purpose"), std::string::npos)
      << status.message();
  Reply reply = worker.Call({{"op", "echo"}}, 5);
  EXPECT_EQ(reply.kind, ReplyKind::kStartFailed);
}

TEST_F(WorkerTest, WorkerThatNeverGetsReadyTimesOut) {
  WorkerSpec spec = Spec("no-ready");
  spec.start_timeout_s = 1;
  Worker worker(spec);
  Status status = worker.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not ready after 1 s"), std::string::npos) << status.message();
  EXPECT_FALSE(worker.running());
}

TEST_F(WorkerTest, MissingExecutableFailsToStartWithoutCrashingUs) {
  WorkerSpec spec = Spec();
  spec.argv = {"/nonexistent/convcheck-worker"};
  Worker worker(spec);
  EXPECT_FALSE(worker.Start().ok());
}

}  // namespace
}  // namespace convcheck::workers
