#include "campaign/runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "campaign/lock.h"
#include "campaign/progress.h"
#include "pipeline/job.h"
#include "workers/session.h"

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Describe(const PlannedJob& job) {
  if (job.kind == "check") return job.source;
  return job.source + " " + job.converter.name + " opset " + std::to_string(job.converter.opset);
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The flags of how the campaign ran that a job's command needs to give the same verdict.
std::vector<std::string> RunFlags(const RunOptions& options) {
  std::vector<std::string> flags = options.tolerance.ToFlags();
  char timeout[32];
  std::snprintf(timeout, sizeof(timeout), "%g", options.timeout_s);
  flags.insert(flags.end(), {"--timeout", timeout});
  return flags;
}

// A folder with reproduce.sh (the convert command of this job) and result.json; "" if it
// cannot be written (the job is still recorded, without a reproducer).
std::string WriteCommandCase(const std::string& dir, const PlannedJob& job,
                             const pipeline::JobResult& result, const RunOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "";
  std::ofstream script(dir + "/reproduce.sh");
  script << "#!/bin/sh\n# " << oracle::VerdictName(result.verdict) << ": " << result.error
         << "\nexec";
  for (const auto& arg : ConvertCommand(job, RunFlags(options))) script << " " << ShellQuote(arg);
  script << " \"$@\"\n";
  std::ofstream json(dir + "/result.json");
  json << pipeline::ToJson(result).dump(2) << "\n";
  return script && json ? dir : "";
}

// A generated model's case also gets its graph (what `convcheck reduce` edits), its python
// source and the job's options, so that the reproducer stands on its own.
void CopyGeneratedFiles(const PlannedJob& job, const std::string& dir, const RunOptions& run) {
  // python:gen-S.py (PyTorch), python:gen-S_tf.py (TensorFlow) or onnx:gen-S.onnx, all beside
  // the one graph gen-S.json. The ONNX source is kept as source.onnx: model.onnx is the
  // converted model.
  const std::string file = job.source.substr(job.source.find(':') + 1);
  std::string stem = fs::path(file).replace_extension("").string();
  std::string copy = "model.py";
  if (job.source.rfind("onnx:", 0) == 0) {
    copy = "source.onnx";
  } else if (stem.size() > 3 && stem.compare(stem.size() - 3, 3, "_tf") == 0) {
    stem.resize(stem.size() - 3);
    copy = "model_tf.py";
  }
  std::error_code ec;
  fs::copy_file(file, dir + "/" + copy, fs::copy_options::overwrite_existing, ec);
  fs::copy_file(stem + ".json", dir + "/graph.json", fs::copy_options::overwrite_existing, ec);
  nlohmann::json options = {{"converter", job.converter.name},
                            {"opset", job.converter.opset},
                            {"options", job.converter.options.ToJson()},
                            {"backends", job.backends},
                            {"seed", job.seed},
                            {"num_sets", job.num_sets},
                            {"tolerance", job.tolerance},
                            {"tolerance_flags", run.tolerance.ToFlags()},
                            {"timeout_s", run.timeout_s},
                            {"source", job.source}};
  std::ofstream out(dir + "/job.json");
  out << options.dump(2) << "\n";
}

// Shared by the lanes.
struct Shared {
  const RunOptions* options;
  Store* store;
  std::mutex store_mu;
  // A deque: lanes hold references to jobs while more_jobs appends.
  std::deque<PlannedJob> jobs;
  std::vector<std::vector<size_t>> groups;  // Indices into jobs, one group per source.
  size_t next = 0;                          // The next group to take; under store_mu.
  std::set<int64_t> queued;                 // Job ids in `jobs`.
  bool exhausted = false;                   // more_jobs gave nothing.
  std::chrono::steady_clock::time_point start;
  std::atomic<int64_t> ran{0}, errors{0};
  std::atomic<bool> failed{false};
  Status failure;  // The first error of convcheck itself (a store write failed); under store_mu.
  std::mutex tool_mu;
  double tool_s = 0;
  nlohmann::json versions = nlohmann::json::object();
  Progress* progress;
};

// Keeps the first failure of convcheck itself (the store or a session could not be used); the
// other lanes stop after their current job. Call with store_mu held.
void Fail(Shared& shared, const Status& status) {
  if (!shared.failed.exchange(true)) shared.failure = status;
}

bool StopRequested(const Shared& shared) {
  return shared.failed.load() || (shared.options->stop != nullptr && shared.options->stop->load());
}

bool OutOfTime(const Shared& shared) {
  return shared.options->time_budget_s > 0 &&
         SecondsSince(shared.start) >= shared.options->time_budget_s;
}

// Appends jobs to the queue, one group per run of jobs with the same source. Call with
// store_mu held.
void Enqueue(Shared& shared, const std::vector<PlannedJob>& jobs) {
  for (const PlannedJob& job : jobs) {
    if (!shared.queued.insert(job.id).second) continue;
    const bool same_source = !shared.jobs.empty() && !shared.groups.empty() &&
                             shared.groups.size() > shared.next &&
                             shared.jobs.back().source == job.source;
    shared.jobs.push_back(job);
    if (!same_source) shared.groups.emplace_back();
    shared.groups.back().push_back(shared.jobs.size() - 1);
  }
}

// The next group of jobs for a lane; asks more_jobs when the queue is empty. False when there
// is nothing left to do (or no time left).
bool NextGroup(Shared& shared, std::vector<size_t>& group) {
  std::lock_guard lock(shared.store_mu);
  if (OutOfTime(shared)) return false;
  while (shared.next >= shared.groups.size()) {
    if (!shared.options->more_jobs || shared.exhausted || shared.failed.load()) return false;
    StatusOr<std::vector<PlannedJob>> more = shared.options->more_jobs(*shared.store);
    if (!more.ok()) {
      Fail(shared, more.status());
      return false;
    }
    if (more->empty()) {
      shared.exhausted = true;
      return false;
    }
    StatusOr<int64_t> added = shared.store->AddPlanned(*more);
    StatusOr<std::vector<PlannedJob>> to_run =
        added.ok() ? shared.store->JobsToRun() : StatusOr<std::vector<PlannedJob>>(added.status());
    if (!to_run.ok()) {
      Fail(shared, to_run.status());
      return false;
    }
    const size_t before = shared.jobs.size();
    Enqueue(shared, *to_run);
    shared.progress->AddTotal(static_cast<int64_t>(shared.jobs.size() - before));
  }
  group = shared.groups[shared.next++];
  return true;
}

void RunLane(Shared& shared, int lane) {
  const RunOptions& options = *shared.options;
  workers::SessionOptions session_options;
  session_options.memory_limit_mb = options.memory_limit_mb;
  session_options.threads = options.threads;
  StatusOr<std::unique_ptr<workers::Session>> session = workers::Session::Create(session_options);
  if (!session.ok()) {
    std::lock_guard lock(shared.store_mu);
    Fail(shared, session.status());
    return;
  }
  const std::string keep_root = shared.store->artifacts_dir() + "/tmp/lane-" + std::to_string(lane);
  // A lane takes a whole group (the jobs of one source) at a time: its worker keeps the built
  // model and reference outputs, so the second opset of a source skips building it.
  std::vector<size_t> group;
  size_t in_group = 0;
  while (!StopRequested(shared)) {
    if (in_group == group.size()) {
      if (!NextGroup(shared, group)) break;
      in_group = 0;
    } else if (OutOfTime(shared)) {
      break;
    }
    const PlannedJob& job = shared.jobs[group[in_group++]];
    {
      std::lock_guard lock(shared.store_mu);
      Status marked = shared.store->MarkRunning(job.id);
      if (!marked.ok()) {
        Fail(shared, marked);
        return;
      }
    }
    shared.progress->Started(Describe(job));
    const std::string started_at = UtcNow();
    const auto start = std::chrono::steady_clock::now();
    RecordedJob recorded;
    // The list was checked when planned; a file edited by hand makes the job an error, not us.
    StatusOr<std::vector<std::string>> backends = backends::ParseBackendList(job.backends);
    StatusOr<pipeline::JobResult> result = backends.status();
    if (backends.ok() && job.kind == "convert") {
      pipeline::JobSpec spec;
      spec.source = job.source;
      spec.converter = job.converter;
      spec.num_sets = job.num_sets;
      spec.seed = job.seed;
      spec.backends = *backends;
      spec.backend_options = options.backend_options;
      spec.tolerance = options.tolerance;
      spec.timeout_s = options.timeout_s;
      // Every failing case is written; the store keeps the first of each failure and deletes
      // the rest. A pass has nothing to reproduce (writing it cost fuzzing 10% of its time).
      spec.keep_dir = keep_root + "/job-" + std::to_string(job.id);
      spec.keep_failures_only = true;
      result = pipeline::RunConvertJob(spec, **session);
    } else if (backends.ok()) {
      pipeline::CheckSpec spec;
      spec.model_path = job.source;
      spec.data_dir = fs::path(job.source).parent_path().string();
      spec.backends = *backends;
      spec.backend_options = options.backend_options;
      spec.tolerance = options.tolerance;
      spec.timeout_s = options.timeout_s;
      recorded.existing_case = spec.data_dir;
      result = pipeline::RunCheckJob(spec, **session);
    }
    (*session)->ReleaseDirs();
    recorded.wall_s = SecondsSince(start);
    recorded.started_at = started_at;
    // A job cut short by the user's Ctrl-C (which also reaches the workers) is not a converter
    // crash: it stays unrecorded and runs again next time.
    if (StopRequested(shared)) break;
    if (!result.ok()) {
      std::lock_guard lock(shared.store_mu);
      Status recorded_error = shared.store->RecordError(job.id, result.status().ToString());
      if (!recorded_error.ok()) Fail(shared, recorded_error);
      ++shared.errors;
      shared.progress->Finished(Describe(job), "error", recorded.wall_s,
                                result.status().ToString());
      continue;
    }
    recorded.kept_case = result->kept_dir;
    if (recorded.kept_case.empty() && job.kind == "convert") {
      // Failed before there was a model to keep (source error, converter crash): the case is
      // the command that reproduces it, with the job's record.
      recorded.kept_case =
          WriteCommandCase(keep_root + "/job-" + std::to_string(job.id), job, *result, options);
    }
    if (job.source_kind == "generated" && !recorded.kept_case.empty()) {
      CopyGeneratedFiles(job, recorded.kept_case, options);
    }
    recorded.versions = (*session)->WorkerVersions();
    std::string detail;
    {
      std::lock_guard lock(shared.store_mu);
      StatusOr<RecordOutcome> outcome = shared.store->Record(job, *result, recorded);
      if (!outcome.ok()) {
        Fail(shared, outcome.status());
        return;
      }
      if (outcome->failure_id != 0) {
        detail = (outcome->new_failure ? "new failure #" : "failure #") +
                 std::to_string(outcome->failure_id) + ": " + result->error;
      }
    }
    {
      std::lock_guard lock(shared.tool_mu);
      shared.tool_s += pipeline::ToolSeconds(*result);
      if (shared.versions.empty()) shared.versions = recorded.versions;
    }
    ++shared.ran;
    shared.progress->Finished(Describe(job), std::string(oracle::VerdictName(result->verdict)),
                              recorded.wall_s, detail);
  }
}

}  // namespace

int64_t DefaultLaneMemoryMb(int lanes) {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  int64_t total_mb =
      pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size / (1024 * 1024) : 16384;
  return std::min<int64_t>(16384, total_mb * 8 / 10 / std::max(1, lanes));
}

StatusOr<RunSummary> RunCampaign(const RunOptions& options, std::ostream& progress_out, bool tty) {
  const auto start = std::chrono::steady_clock::now();
  for (const auto& suite : options.plan.suites) CC_RETURN_IF_ERROR(ValidateSuite(suite));
  // One run per file: a second one would reset this one's running jobs (campaign/lock.h).
  CC_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::Acquire(options.db_path));
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(options.db_path));
  RunSummary summary;

  // Plan with a session of its own: listing torchvision's builders imports torch once.
  {
    workers::SessionOptions session_options;
    CC_ASSIGN_OR_RETURN(std::unique_ptr<workers::Session> planner,
                        workers::Session::Create(session_options));
    CC_ASSIGN_OR_RETURN(std::vector<PlannedJob> planned, PlanJobs(options.plan, *planner));
    if (options.select_jobs) {
      CC_ASSIGN_OR_RETURN(planned, options.select_jobs(std::move(planned), *store));
    }
    CC_ASSIGN_OR_RETURN(summary.newly_planned, store->AddPlanned(planned));
  }
  nlohmann::json converter_options = nlohmann::json::object();
  for (const auto& [key, value] : options.plan.converter_options) converter_options[key] = value;
  nlohmann::json plan = {{"suites", options.plan.suites},
                         {"opsets", options.plan.opsets},
                         {"backends", options.plan.backends},
                         {"converters", options.plan.converters},
                         {"converter_options", converter_options},
                         {"seed", options.plan.seed},
                         {"num_sets", options.plan.num_sets},
                         {"tolerance", options.tolerance.profile},
                         {"tolerance_rule", options.tolerance.Describe()},
                         {"lanes", options.lanes}};
  CC_RETURN_IF_ERROR(store->SetMeta("plan", plan.dump()));
  CC_RETURN_IF_ERROR(store->SetMeta("command", options.command_line));
  if (options.dry_run) {
    CC_ASSIGN_OR_RETURN(summary.counts, store->Counts());
    summary.planned = summary.counts.planned;
    return summary;
  }
  CC_ASSIGN_OR_RETURN(summary.interrupted, store->ResetInterrupted());
  CC_ASSIGN_OR_RETURN(summary.rerun, store->ResetForRerun(options.rerun));

  Shared shared;
  shared.options = &options;
  shared.store = store.get();
  shared.start = start;
  CC_ASSIGN_OR_RETURN(std::vector<PlannedJob> to_run, store->JobsToRun());
  if (options.max_jobs > 0 && static_cast<int64_t>(to_run.size()) > options.max_jobs) {
    to_run.resize(options.max_jobs);
  }
  CC_ASSIGN_OR_RETURN(CampaignCounts before, store->Counts());
  const int64_t already_done = before.by_status.count("done") ? before.by_status["done"] : 0;
  progress_out << "campaign " << options.db_path << ": " << before.planned << " jobs planned ("
               << summary.newly_planned << " new), " << to_run.size() << " to run on "
               << options.lanes << " lane(s), " << options.memory_limit_mb
               << " MiB of memory per lane\n";
  Progress progress(progress_out, tty, static_cast<int64_t>(to_run.size()), already_done,
                    options.lanes);
  shared.progress = &progress;
  Enqueue(shared, to_run);
  // With more_jobs the queue grows as lanes empty it: start every lane.
  const int lanes =
      options.more_jobs
          ? std::max(1, options.lanes)
          : std::max(1, std::min<int>(options.lanes, static_cast<int>(shared.groups.size())));
  std::vector<std::thread> threads;
  for (int lane = 0; lane < lanes; ++lane) {
    threads.emplace_back([&shared, lane] { RunLane(shared, lane); });
  }
  for (auto& thread : threads) thread.join();
  progress.Done();

  // Jobs a stopped lane left running are still to do.
  CC_ASSIGN_OR_RETURN(int64_t left_running, store->ResetInterrupted());
  (void)left_running;
  std::error_code ec;
  fs::remove_all(store->artifacts_dir() + "/tmp", ec);
  if (!shared.versions.empty()) {
    nlohmann::json versions = shared.versions;
    versions["convcheck"] = "0.1.0";
    CC_RETURN_IF_ERROR(store->SetMeta("versions", versions.dump()));
  }
  CC_RETURN_IF_ERROR(store->SetMeta("updated_at", UtcNow()));
  if (shared.failed.load()) return shared.failure;

  summary.ran = shared.ran.load();
  summary.errors = shared.errors.load();
  summary.stopped = options.stop != nullptr && options.stop->load();
  summary.tool_s = shared.tool_s;
  summary.wall_s = SecondsSince(start);
  CC_ASSIGN_OR_RETURN(summary.counts, store->Counts());
  summary.planned = summary.counts.planned;
  return summary;
}

}  // namespace convcheck::campaign
