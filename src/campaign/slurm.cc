#include "campaign/slurm.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "campaign/shard.h"
#include "campaign/store.h"

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

std::string Directives(const SlurmJobOptions& options, const std::string& name,
                       const std::string& log, int cpus) {
  std::string text = "#SBATCH --job-name=" + name + "\n#SBATCH --output=" + log +
                     "\n#SBATCH --chdir=" + options.workdir +
                     "\n#SBATCH --cpus-per-task=" + std::to_string(cpus) + "\n";
  if (!options.partition.empty()) text += "#SBATCH --partition=" + options.partition + "\n";
  if (!options.time.empty()) text += "#SBATCH --time=" + options.time + "\n";
  if (!options.mem.empty()) text += "#SBATCH --mem=" + options.mem + "\n";
  for (const auto& arg : options.sbatch_args) text += "#SBATCH " + arg + "\n";
  return text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "123" from sbatch --parsable's "123" or "123;cluster".
std::string JobId(const std::string& printed) {
  std::string id = printed.substr(0, printed.find_first_of(";\n"));
  while (!id.empty() && (id.back() == ' ' || id.back() == '\r')) id.pop_back();
  return id;
}

bool Live(const std::string& state) {
  // squeue lists finished jobs for a short while (MinJobAge) in these states.
  static const std::set<std::string> kGone = {"COMPLETED",     "CANCELLED", "FAILED",
                                              "TIMEOUT",       "NODE_FAIL", "PREEMPTED",
                                              "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"};
  return !state.empty() && !kGone.count(state);
}

}  // namespace

std::string SlurmDir(const std::string& db_path) { return ShardsDir(db_path) + "/slurm"; }

std::string ShellQuote(const std::string& text) {
  // Plain words stay as they are, so that the scripts read like the command the user typed.
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./:=,+@%", c) != nullptr;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\"'\"'";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string ArrayScript(const SlurmJobOptions& options) {
  const std::string count = std::to_string(options.shards);
  std::string command = ShellQuote(options.convcheck) + " campaign run";
  for (const auto& arg : options.run_args) command += " " + ShellQuote(arg);
  return "#!/bin/bash\n"
         "# One shard of the campaign " +
         options.db_path + " per array task (written by `convcheck campaign slurm`).\n" +
         "# Submitted with --array=<the shards to run>; running that command again submits the\n"
         "# shards that did not finish, and each resumes its own store (docs/cluster.md).\n" +
         Directives(options, options.job_name,
                    SlurmDir(options.db_path) + "/logs/shard-%a-of-" + count + "-%A.out",
                    options.cpus) +
         "set -u\nexec " + command + " --shard \"${SLURM_ARRAY_TASK_ID}/" + count + "\"\n";
}

std::string MergeScript(const SlurmJobOptions& options) {
  const std::string count = std::to_string(options.shards);
  const std::string db = ShellQuote(options.db_path);
  return "#!/bin/bash\n"
         "# Merges the shards of the campaign " +
         options.db_path +
         " (written by `convcheck campaign slurm`;\n"
         "# submitted with --dependency=afterany on the shards' array jobs).\n" +
         Directives(options, options.job_name + "-merge",
                    SlurmDir(options.db_path) + "/logs/merge-%j.out", 1) +
         "set -u\nshards=()\nfor k in $(seq 1 " + count +
         "); do\n  f=" + ShellQuote(ShardsDir(options.db_path) + "/") + "\"$k-of-" + count +
         ".sqlite\"\n  if [ -e \"$f\" ]; then shards+=(\"$f\"); fi\ndone\n"
         "if [ ${#shards[@]} -eq 0 ]; then\n"
         "  echo \"convcheck: error: no shard of " +
         options.db_path + " has started\" >&2\n  exit 2\nfi\nexec " +
         ShellQuote(options.convcheck) + " campaign merge " + db + " \"${shards[@]}\"\n";
}

StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv, double timeout_s) {
  if (argv.empty()) return InvalidArgument("no command given");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Internal("pipe: " + std::string(strerror(errno)));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Internal("pipe: " + std::string(strerror(errno)));
  }
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (auto& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Internal("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execvp(pointers[0], pointers.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1000))) < 0 && errno != EINTR) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (timed_out) {
    return DeadlineExceeded("'" + argv[0] + "' did not answer within " +
                            std::to_string(static_cast<int>(timeout_s)) + " s");
  }
  if (result.exit_code == 127 && !OnPath(argv[0])) {
    return NotFound("'" + argv[0] + "' is not on PATH");
  }
  return result;
}

bool OnPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

StatusOr<std::vector<Submission>> ReadSubmissions(const std::string& db_path) {
  const std::string path = SlurmDir(db_path) + "/submissions.json";
  std::vector<Submission> submissions;
  if (!fs::exists(path)) return submissions;
  nlohmann::json doc = nlohmann::json::parse(ReadText(path), nullptr, false);
  if (!doc.is_array()) {
    return DataLoss("'" + path + "' is not a list of submissions (delete it to start afresh)");
  }
  for (const auto& entry : doc) {
    if (!entry.is_object()) continue;
    Submission submission;
    auto text = [&](const char* key) {
      return entry.contains(key) && entry[key].is_string() ? entry[key].get<std::string>()
                                                           : std::string();
    };
    submission.at = text("at");
    if (entry.contains("shards") && entry["shards"].is_number_integer()) {
      submission.shards = entry["shards"].get<int>();
    }
    submission.array_job = text("array_job");
    submission.merge_job = text("merge_job");
    if (entry.contains("tasks") && entry["tasks"].is_array()) {
      for (const auto& task : entry["tasks"]) {
        if (task.is_number_integer()) submission.tasks.push_back(task.get<int>());
      }
    }
    submissions.push_back(submission);
  }
  return submissions;
}

Status AppendSubmission(const std::string& db_path, const Submission& submission) {
  CC_ASSIGN_OR_RETURN(std::vector<Submission> all, ReadSubmissions(db_path));
  all.push_back(submission);
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& s : all) {
    doc.push_back({{"at", s.at},
                   {"shards", s.shards},
                   {"array_job", s.array_job},
                   {"tasks", s.tasks},
                   {"merge_job", s.merge_job}});
  }
  const std::string path = SlurmDir(db_path) + "/submissions.json";
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << doc.dump(1) << "\n";
    if (!out.flush()) return FailedPrecondition("cannot write '" + path + ".tmp'");
  }
  std::error_code ec;
  fs::rename(path + ".tmp", path, ec);
  if (ec) return FailedPrecondition("cannot write '" + path + "': " + ec.message());
  return Status::Ok();
}

StatusOr<std::map<std::string, std::string>> QueueStates() {
  // -r: one line per array task, pending ones included.
  CC_ASSIGN_OR_RETURN(CommandResult result,
                      RunCommand({"squeue", "--noheader", "--array", "--format=%i|%T"}, 60));
  if (result.exit_code != 0) {
    std::string message = result.err.substr(0, result.err.find('\n'));
    return Unavailable("squeue failed (exit " + std::to_string(result.exit_code) + "): " + message);
  }
  std::map<std::string, std::string> states;
  std::stringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t bar = line.find('|');
    if (bar == std::string::npos) continue;
    states[line.substr(0, bar)] = line.substr(bar + 1);
  }
  return states;
}

std::map<int, std::string> QueuedTasks(const std::vector<Submission>& submissions, int shards,
                                       const std::map<std::string, std::string>& queue) {
  std::map<int, std::string> tasks;
  for (const Submission& submission : submissions) {
    if (submission.shards != shards) continue;
    for (int task : submission.tasks) {
      auto it = queue.find(submission.array_job + "_" + std::to_string(task));
      if (it != queue.end() && Live(it->second)) {
        tasks[task] = it->first + " " + it->second;
      } else {
        tasks.erase(task);
      }
    }
  }
  return tasks;
}

StatusOr<SubmitPlan> PlanSubmission(const std::string& db_path, int shards,
                                    const std::vector<Submission>& submissions,
                                    const std::map<std::string, std::string>& queue) {
  SubmitPlan plan;
  // The latest submission of each shard decides whether it is still in Slurm's hands.
  std::map<int, std::pair<std::string, std::string>> task_job;  // shard -> (array job, state)
  std::set<std::string> live_arrays;
  for (const Submission& submission : submissions) {
    if (submission.shards != shards) continue;  // Another split of the same campaign.
    for (int task : submission.tasks) {
      const std::string id = submission.array_job + "_" + std::to_string(task);
      auto it = queue.find(id);
      task_job[task] = {id, it == queue.end() ? "" : it->second};
      if (it != queue.end() && Live(it->second)) live_arrays.insert(submission.array_job);
    }
    if (!submission.merge_job.empty()) {
      auto it = queue.find(submission.merge_job);
      if (it != queue.end() && Live(it->second)) {
        plan.merge_queued = true;
        if (it->second == "PENDING") plan.stale_merges.push_back(submission.merge_job);
      }
    }
  }
  plan.live_arrays.assign(live_arrays.begin(), live_arrays.end());

  bool all_finished = true;
  for (int k = 1; k <= shards; ++k) {
    SubmitPlan::Shard shard;
    shard.index = k;
    const std::string path = ShardStorePath(db_path, {k, shards});
    auto job = task_job.find(k);
    const bool queued = job != task_job.end() && Live(job->second.second);
    StatusOr<ShardInfo> read =
        fs::exists(path) ? ReadShardInfo(path) : StatusOr<ShardInfo>(NotFound(path));
    if (read.status().code() == StatusCode::kNotFound) {
      shard.state = queued ? "queued" : "not started";
    } else {
      CC_ASSIGN_OR_RETURN(ShardInfo info, std::move(read));
      const int64_t done =
          info.counts.by_status.count("done") ? info.counts.by_status.at("done") : 0;
      shard.detail = std::to_string(done) + "/" + std::to_string(info.counts.planned) + " done";
      if (info.complete()) {
        shard.state = "finished";
      } else if (queued || !info.lock_holder.empty()) {
        shard.state = "running";
        if (!info.lock_holder.empty()) shard.detail += ", " + info.lock_holder;
      } else {
        shard.state = "unfinished";
      }
    }
    if (queued)
      shard.detail += (shard.detail.empty() ? "" : ", ") + std::string("slurm job ") +
                      job->second.first + " " + job->second.second;
    if (shard.state != "finished") all_finished = false;
    if (shard.state == "not started" || shard.state == "unfinished") plan.to_submit.push_back(k);
    plan.shards.push_back(shard);
  }

  if (fs::exists(db_path)) {
    StatusOr<std::unique_ptr<Store>> merged = Store::Open(db_path, /*read_only=*/true);
    if (merged.ok()) {
      StatusOr<std::string> from = (*merged)->GetMeta("merged_from");
      StatusOr<std::string> plan_jobs = (*merged)->GetMeta("plan_jobs");
      StatusOr<CampaignCounts> counts = (*merged)->Counts();
      if (from.ok() && plan_jobs.ok() && counts.ok()) {
        nlohmann::json list = nlohmann::json::parse(*from, nullptr, false);
        const int64_t done = counts->by_status.count("done") ? counts->by_status.at("done") : 0;
        plan.merged = list.is_array() && static_cast<int>(list.size()) == shards &&
                      done == counts->planned && done == std::atoll(plan_jobs->c_str());
      }
    }
  }
  if (!plan.to_submit.empty()) {
    // The new merge waits for the new array and the old one; a pending old merge would run too
    // early, so it goes.
    plan.submit_merge = true;
  } else {
    plan.stale_merges.clear();
    if (!plan.live_arrays.empty()) {
      plan.submit_merge = !plan.merge_queued;
    } else if (all_finished) {
      plan.submit_merge = !plan.merged && !plan.merge_queued;
    } else {
      // A shard is being run outside these submissions (its lock is held): merge after it.
      plan.submit_merge = false;
    }
  }
  return plan;
}

StatusOr<std::string> SubmitBatch(const std::vector<std::string>& options,
                                  const std::string& script) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(script);
  CC_ASSIGN_OR_RETURN(CommandResult result, RunCommand(argv, 120));
  const std::string id = JobId(result.out);
  if (result.exit_code != 0 || id.empty() ||
      !std::all_of(id.begin(), id.end(), [](char c) { return std::isdigit(c) != 0; })) {
    std::string message = result.err.empty() ? result.out : result.err;
    message = message.substr(0, message.find('\n'));
    return Unavailable("sbatch " + script + " failed (exit " + std::to_string(result.exit_code) +
                       "): " + message);
  }
  return id;
}

Status CancelJob(const std::string& job) {
  CC_ASSIGN_OR_RETURN(CommandResult result, RunCommand({"scancel", job}, 60));
  if (result.exit_code != 0) {
    return Unavailable("scancel " + job +
                       " failed: " + result.err.substr(0, result.err.find('\n')));
  }
  return Status::Ok();
}

std::string ArrayList(const std::vector<int>& tasks) {
  std::vector<int> sorted = tasks;
  std::sort(sorted.begin(), sorted.end());
  std::string text;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    text += (text.empty() ? "" : ",") + std::to_string(sorted[i]);
    if (j > i) text += "-" + std::to_string(sorted[j]);
    i = j + 1;
  }
  return text;
}

}  // namespace convcheck::campaign
