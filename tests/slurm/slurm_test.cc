// A sharded campaign on a real one-node Slurm (Debian's slurm-wlm): the test starts munged,
// slurmctld and slurmd on loopback with a configuration, state and munge key of its own, submits
// a 4-shard campaign with `convcheck campaign slurm`, kills one array task with scancel, runs
// the same command again, and checks that the merged store holds every job once with the
// verdicts of the same campaign run unsharded. The daemons are stopped at the end.
//
// Skipped (with the reason) where the Slurm or munge binaries are missing or the test is not
// root (slurmd must be, to start jobs); scripts/install-deps.sh installs them, so CI runs it.

#include "campaign/slurm.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "testing/campaign_compare.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using campaign::CommandResult;
using campaign::RunCommand;
using testing::CliRun;
using testing::RunConvcheck;
using testing::TempDir;

const char* const kBinaries[] = {"munged", "slurmctld", "slurmd", "sbatch",
                                 "squeue", "scancel",   "sinfo"};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string Tail(const std::string& path, size_t bytes = 1500) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return "--- " + path + ":\n" + (all.size() > bytes ? all.substr(all.size() - bytes) : all);
}

// munged, slurmctld and slurmd as children of the test, in the foreground, with everything
// (configuration, state, spool, logs, munge key and socket) under one folder.
class LocalSlurm {
 public:
  explicit LocalSlurm(std::string dir) : dir_(std::move(dir)) {}
  ~LocalSlurm() { Stop(); }

  // "" when the cluster is up with its node idle; else why not, with the daemons' logs.
  std::string Start() {
    fs::create_directories(dir_ + "/munge");
    fs::permissions(dir_ + "/munge", fs::perms::owner_all);
    for (const char* sub : {"state", "spool", "log"}) fs::create_directories(dir_ + "/" + sub);
    {
      // A key of our own: 128 random bytes, readable by root only.
      std::ifstream random("/dev/urandom", std::ios::binary);
      std::string key(128, '\0');
      random.read(key.data(), static_cast<std::streamsize>(key.size()));
      std::ofstream(dir_ + "/munge/munge.key", std::ios::binary) << key;
      fs::permissions(dir_ + "/munge/munge.key", fs::perms::owner_read | fs::perms::owner_write);
    }
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    std::string hostname = host;
    hostname = hostname.substr(0, hostname.find('.'));
    const int ctld_port = FreePort();
    int slurmd_port = FreePort();
    while (slurmd_port == ctld_port) slurmd_port = FreePort();
    const unsigned cpus = 2;
    conf_ = dir_ + "/slurm.conf";
    std::ofstream(conf_)
        << "ClusterName=convchecktest\n"
        << "SlurmctldHost=" << hostname << "(127.0.0.1)\n"
        << "SlurmctldPort=" << ctld_port << "\nSlurmdPort=" << slurmd_port << "\n"
        << "SlurmUser=root\nSlurmdUser=root\n"
        << "AuthType=auth/munge\nCredType=cred/munge\n"
        << "AuthInfo=socket=" << dir_ << "/munge/munge.sock\n"
        << "StateSaveLocation=" << dir_ << "/state\nSlurmdSpoolDir=" << dir_ << "/spool\n"
        << "SlurmctldPidFile=" << dir_ << "/slurmctld.pid\nSlurmdPidFile=" << dir_
        << "/slurmd.pid\n"
        << "SlurmctldLogFile=" << dir_ << "/log/slurmctld.log\nSlurmdLogFile=" << dir_
        << "/log/slurmd.log\n"
        // No cgroups, no accounting: only what a one-node test needs.
        << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
        << "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
        << "JobCompType=jobcomp/none\nMpiDefault=none\n"
        << "SchedulerType=sched/backfill\nSelectType=select/cons_tres\n"
        << "SelectTypeParameters=CR_CPU\nReturnToService=2\nSlurmdParameters=config_overrides\n"
        // Tasks run at the test's own nice value, like the unsharded run they are compared with.
        << "KillWait=5\nPropagatePrioProcess=1\n"
        << "NodeName=ccnode NodeHostname=" << hostname << " NodeAddr=127.0.0.1 CPUs=" << cpus
        << " RealMemory=1000 State=UNKNOWN\n"
        << "PartitionName=test Nodes=ccnode Default=YES MaxTime=INFINITE State=UP\n";
    setenv("SLURM_CONF", conf_.c_str(), 1);

    Spawn({"munged", "-F", "-f", "--socket=" + dir_ + "/munge/munge.sock",
           "--key-file=" + dir_ + "/munge/munge.key", "--pid-file=" + dir_ + "/munge/munged.pid",
           "--log-file=" + dir_ + "/munge/munged.log", "--seed-file=" + dir_ + "/munge/seed"},
          dir_ + "/log/munged.out");
    if (!WaitFor([&] { return fs::exists(dir_ + "/munge/munge.sock"); }, 20)) {
      return "munged did not start\n" + Tail(dir_ + "/munge/munged.log");
    }
    Spawn({"slurmctld", "-D", "-c", "-f", conf_}, dir_ + "/log/slurmctld.out");
    Spawn({"slurmd", "-D", "-N", "ccnode", "-f", conf_}, dir_ + "/log/slurmd.out");
    const bool idle = WaitFor(
        [&] {
          auto sinfo = RunCommand({"sinfo", "--noheader", "--format=%T"}, 10);
          return sinfo.ok() && sinfo->exit_code == 0 && sinfo->out.rfind("idle", 0) == 0;
        },
        60);
    if (!idle) {
      return "the node did not become idle\n" + Tail(dir_ + "/log/slurmctld.log") + "\n" +
             Tail(dir_ + "/log/slurmd.log") + "\n" + Tail(dir_ + "/log/slurmd.out");
    }
    return "";
  }

  // Every job cancelled, then the daemons stopped, last started first.
  void Stop() {
    if (daemons_.empty()) return;
    (void)RunCommand({"scancel", "--user=" + std::to_string(getuid())}, 30);
    WaitFor([] { return Queue().empty(); }, 30);
    for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it) {
      kill(*it, SIGTERM);
      int status = 0;
      const bool gone = WaitFor([&] { return waitpid(*it, &status, WNOHANG) == *it; }, 15);
      if (!gone) {
        kill(*it, SIGKILL);
        waitpid(*it, &status, 0);
      }
    }
    daemons_.clear();
    unsetenv("SLURM_CONF");
  }

  // Job id ("40_3" for an array task) -> state.
  static std::map<std::string, std::string> Queue() {
    std::map<std::string, std::string> jobs;
    auto squeue = RunCommand({"squeue", "--noheader", "--array", "--format=%i %T"}, 30);
    if (!squeue.ok()) return jobs;
    std::istringstream lines(squeue->out);
    std::string id, state;
    while (lines >> id >> state) jobs[id] = state;
    return jobs;
  }

  static bool WaitFor(const std::function<bool()>& done, double seconds) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(seconds * 1000));
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return done();
  }

 private:
  void Spawn(const std::vector<std::string>& argv, const std::string& log) {
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<std::string> args = argv;
      std::vector<char*> pointers;
      for (auto& arg : args) pointers.push_back(arg.data());
      pointers.push_back(nullptr);
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      setpgid(0, 0);  // Out of the test's terminal group: a Ctrl-C on ctest reaches us only.
      execvp(pointers[0], pointers.data());
      _exit(127);
    }
    if (pid > 0) daemons_.push_back(pid);
  }

  std::string dir_;
  std::string conf_;
  std::vector<pid_t> daemons_;
};

std::string SkipReason() {
  std::string missing;
  for (const char* binary : kBinaries) {
    if (!campaign::OnPath(binary) && !fs::exists(std::string("/usr/sbin/") + binary)) {
      missing += std::string(missing.empty() ? "" : ", ") + binary;
    }
  }
  if (!missing.empty()) {
    return "Slurm or munge is not installed (missing " + missing +
           "); scripts/install-deps.sh installs slurm-wlm and munge";
  }
  if (geteuid() != 0) return "slurmd must run as root to start jobs; run this test as root";
  return "";
}

double QueryReal(const std::string& db_path, const std::string& sql) {
  return testing::QueryNumber(db_path, sql);
}

// Small sources: the repository's test models and the fuzzing findings (passes, a source error,
// converter crashes, runtime errors, a mismatch), and four that take 3 s to build, so that a
// shard is still running when the test kills it.
/// Writes the suite's python sources into `dir` and returns how many there are (the findings
/// folder grows as findings are added).
int WriteSources(const std::string& dir) {
  fs::create_directories(dir);
  for (const char* name :
       {"cnn.py", "int_relu.py", "lstm.py", "transformer.py", "broken_source.py"}) {
    fs::copy_file(testing::ModelFile(name), dir + "/" + name);
  }
  for (const auto& entry :
       fs::directory_iterator(std::string(CONVCHECK_TESTS_DIR) + "/../docs/findings")) {
    // The PyTorch ones: TensorFlow findings (_tf.py) would start a TensorFlow worker too.
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".py" && name.find("_tf.py") == std::string::npos) {
      fs::copy_file(entry.path(), dir + "/" + entry.path().filename().string());
    }
  }
  int count = 0;
  for (int i = 0; i < 4; ++i) {
    std::ofstream(dir + "/slow" + std::to_string(i) + ".py")
        << "import time\nimport torch\nfrom torch import nn\n\n\ndef make_model():\n"
        << "    time.sleep(3)\n    return nn.Sequential(nn.Linear(4, " << 3 + i
        << "), nn.Tanh()).eval()\n\n\ndef make_inputs():\n    return (torch.randn(2, 4),)\n";
  }
  for (const auto& entry : fs::directory_iterator(dir)) count += entry.path().extension() == ".py";
  return count;
}

std::string Match(const std::string& text, const std::string& pattern) {
  std::smatch match;
  return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : "";
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(SlurmClusterTest, ShardedCampaignRunsIsResubmittedAndMergesIntoTheUnshardedResult) {
  if (std::string why = SkipReason(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  LocalSlurm cluster(dir.File("slurm"));
  const std::string started = cluster.Start();
  ASSERT_EQ(started, "") << "the test's own Slurm did not come up";

  const std::string sources = dir.File("models");
  const int jobs = 2 * WriteSources(sources);  // Two opsets.
  // torch 1.13's exporter: the quickest, so the test measures the cluster, not the converter.
  const std::vector<std::string> plan = {"--suite",         "dir:" + sources, "--converter",
                                         "torch.onnx@1.13", "--opsets",       "13,17",
                                         "--backends",      "ort,ref"};
  const std::string unsharded = dir.File("unsharded.sqlite");
  std::vector<std::string> args = {"campaign", "run"};
  args.insert(args.end(), plan.begin(), plan.end());
  args.insert(args.end(), {"--jobs", "2", "--db", unsharded});
  CliRun whole = RunConvcheck(args);
  ASSERT_EQ(whole.exit_code, 1) << "the findings fail\n" << whole.out << whole.err;
  const auto expected = testing::JobVerdicts(unsharded);
  ASSERT_EQ(expected.size(), static_cast<size_t>(jobs));

  // Four shards, one CPU and one lane each (the node has two CPUs: two tasks at a time).
  const std::string db = dir.File("campaign/results.sqlite");
  fs::create_directories(dir.File("campaign"));
  std::vector<std::string> submit = {"campaign", "slurm"};
  submit.insert(submit.end(), plan.begin(), plan.end());
  submit.insert(submit.end(), {"--jobs", "1", "--db", db, "--shards", "4", "--time", "10:00"});
  const auto start = std::chrono::steady_clock::now();
  CliRun first = RunConvcheck(submit);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find(std::to_string(jobs) + " jobs in 4 shards"), std::string::npos)
      << first.out;
  const std::string array = Match(first.out, R"(submitted array job (\d+) \(shards 1-4\))");
  const std::string merge = Match(first.out, R"(submitted merge job (\d+) \(after any end of )");
  ASSERT_FALSE(array.empty()) << first.out;
  ASSERT_FALSE(merge.empty()) << first.out;

  CliRun queued = RunConvcheck({"campaign", "status", db});
  EXPECT_NE(queued.out.find("; slurm job " + array + "_"), std::string::npos) << queued.out;

  // Kill a task that has finished a job and still has at least two to go.
  int killed = 0;
  LocalSlurm::WaitFor(
      [&] {
        const auto queue = LocalSlurm::Queue();
        for (int k = 1; k <= 4 && killed == 0; ++k) {
          const std::string shard = db + ".shards/" + std::to_string(k) + "-of-4.sqlite";
          auto task = queue.find(array + "_" + std::to_string(k));
          if (task == queue.end() || task->second != "RUNNING" || !fs::exists(shard)) continue;
          const double done = QueryReal(shard, "SELECT count(*) FROM jobs WHERE status = 'done'");
          const double left =
              QueryReal(shard, "SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')");
          if (done >= 1 && left >= 3) {
            auto cancelled = RunCommand({"scancel", array + "_" + std::to_string(k)}, 30);
            if (cancelled.ok() && cancelled->exit_code == 0) killed = k;
          }
        }
        return killed != 0;
      },
      120);
  ASSERT_NE(killed, 0) << "no task could be caught mid-way";
  const std::string killed_shard = db + ".shards/" + std::to_string(killed) + "-of-4.sqlite";
  ASSERT_TRUE(LocalSlurm::WaitFor([] { return LocalSlurm::Queue().empty(); }, 240))
      << "the array and its merge did not end";
  const double first_pass_s = Since(start);
  // The merge ran after the cancelled task (afterany) and merged what there was.
  ASSERT_TRUE(fs::exists(db));
  EXPECT_LT(QueryReal(killed_shard, "SELECT count(*) FROM jobs WHERE status = 'done'"),
            QueryReal(killed_shard, "SELECT count(*) FROM jobs"))
      << "the cancelled shard finished anyway";
  EXPECT_LT(QueryReal(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), jobs);
  CliRun status = RunConvcheck({"campaign", "status", db});
  EXPECT_NE(status.out.find("3/4 shards finished"), std::string::npos) << status.out;

  // The same command again: only the killed shard is resubmitted, with a new merge.
  const auto resumed_at = std::chrono::steady_clock::now();
  CliRun second = RunConvcheck(submit);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("shard " + std::to_string(killed) + "/4: unfinished"),
            std::string::npos)
      << second.out;
  EXPECT_NE(second.out.find("(shards " + std::to_string(killed) + ")\n"), std::string::npos)
      << second.out;
  EXPECT_NE(second.out.find("submitted merge job"), std::string::npos) << second.out;
  ASSERT_TRUE(LocalSlurm::WaitFor([] { return LocalSlurm::Queue().empty(); }, 180));
  const double resume_s = Since(resumed_at);

  // Every job once, with the unsharded verdicts; the reports agree.
  EXPECT_EQ(QueryReal(db, "SELECT count(*) FROM jobs"), jobs);
  EXPECT_EQ(QueryReal(db, "SELECT count(DISTINCT key) FROM jobs"), jobs);
  EXPECT_EQ(testing::JobVerdicts(db), expected);
  testing::ExpectSameReport(unsharded, db);
  status = RunConvcheck({"campaign", "status", db});
  EXPECT_NE(status.out.find("4/4 shards finished"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("merged: " + std::to_string(jobs) + "/" + std::to_string(jobs) +
                            " done from 4 shards"),
            std::string::npos)
      << status.out;
  CliRun third = RunConvcheck(submit);
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("nothing to submit: every shard finished and is merged"),
            std::string::npos)
      << third.out;

  // The figures for the record: wall times and how evenly the shards' work was spread.
  std::ostringstream figures;
  figures << "unsharded (2 lanes): " << whole.wall_s << " s; sharded first pass (4 tasks, 2 at a "
          << "time, one killed): " << first_pass_s
          << " s; resubmitted shard and merge: " << resume_s << " s; job seconds per shard:";
  for (int k = 1; k <= 4; ++k) {
    figures << " "
            << QueryReal(db + ".shards/" + std::to_string(k) + "-of-4.sqlite",
                         "SELECT sum(wall_s) FROM jobs");
  }
  std::cout << figures.str() << "\n";
  RecordProperty("figures", figures.str());
  cluster.Stop();
}

}  // namespace
}  // namespace convcheck
