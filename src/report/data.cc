#include "report/data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "campaign/sqlite.h"

namespace convcheck::report {

namespace {

using campaign::Database;
using campaign::Statement;

constexpr std::string_view kVerdictOrder[] = {
    "pass",          "source_error",  "converter_crash", "converter_timeout", "invalid_model",
    "runtime_error", "runtime_crash", "runtime_timeout", "incorrect_behavior"};

constexpr const char* kRequiredTables[] = {"jobs",        "meta",   "failures", "backend_results",
                                           "stage_times", "job_ops"};

std::optional<int64_t> OptionalInt(const Statement& stmt, int column) {
  if (stmt.IsNull(column)) return std::nullopt;
  return stmt.Int(column);
}

// Runs `sql` and calls `row` for each result row.
template <typename RowFn>
Status ForEachRow(Database& db, std::string_view sql, RowFn row) {
  CC_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  while (true) {
    CC_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return Status::Ok();
    row(stmt);
  }
}

Status CheckTables(Database& db) {
  std::set<std::string> tables;
  CC_RETURN_IF_ERROR(ForEachRow(db, "SELECT name FROM sqlite_master WHERE type = 'table'",
                                [&](const Statement& s) { tables.insert(s.Text(0)); }));
  if (tables.count("jobs") == 0) {
    return InvalidArgument("'" + db.path() +
                           "' is not a convcheck results database (it has no 'jobs' table)");
  }
  for (const char* table : kRequiredTables) {
    if (tables.count(table) == 0) {
      return InvalidArgument("results database '" + db.path() + "' has no '" + table +
                             "' table (written by an older convcheck, or damaged)");
    }
  }
  return Status::Ok();
}

Status LoadJobs(Database& db, ReportData& data) {
  // Jobs with a backend that could not load the model: the study's "runtime load failure".
  std::set<int64_t> load_failures;
  CC_RETURN_IF_ERROR(
      ForEachRow(db,
                 "SELECT DISTINCT job_id FROM backend_results WHERE verdict = 'runtime_error' AND "
                 "stage = 'load'",
                 [&](const Statement& s) { load_failures.insert(s.Int(0)); }));
  return ForEachRow(
      db,
      "SELECT id, kind, source, source_kind, family, converter, opset, options, status, "
      "verdict, subtype, stage, error, failing_op, artifact_dir, worst_ratio, wall_s FROM jobs "
      "ORDER BY id",
      [&](const Statement& s) {
        JobRow job;
        job.id = s.Int(0);
        job.kind = s.Text(1);
        job.source = s.Text(2);
        job.source_kind = s.Text(3);
        job.family = s.Text(4);
        job.converter = s.Text(5);
        job.opset = OptionalInt(s, 6);
        job.options = s.Text(7);
        job.status = s.Text(8);
        job.verdict = s.Text(9);
        job.subtype = s.Text(10);
        job.stage = s.Text(11);
        job.error = s.Text(12);
        job.failing_op = s.Text(13);
        job.artifact_dir = s.Text(14);
        job.worst_ratio = s.OptionalReal(15);
        job.wall_s = s.OptionalReal(16);
        job.outcome =
            ClassifyOutcome(job.status, job.verdict, job.stage, load_failures.count(job.id) > 0);
        data.jobs.push_back(std::move(job));
      });
}

void Tally(const std::vector<JobRow>& jobs, ReportData& data) {
  std::map<std::pair<std::string, std::string>, OutcomeRow> rows;
  std::map<std::pair<std::string, std::string>, int64_t> verdicts;
  data.outcome_total.converter = "all";
  data.outcome_total.source_kind = "all";
  for (const JobRow& job : jobs) {
    ++data.by_status[job.status];
    std::string converter = job.converter.empty() ? "none (onnx)" : job.converter;
    OutcomeRow& row = rows[{converter, job.source_kind}];
    row.converter = converter;
    row.source_kind = job.source_kind;
    for (OutcomeRow* r : {&row, &data.outcome_total}) {
      ++r->jobs;
      ++r->counts[static_cast<int>(job.outcome)];
    }
    if (job.status != "done") continue;
    ++verdicts[{job.verdict, job.subtype}];
    if (job.worst_ratio) {
      ++data.job_ratios.bins[RatioBin(*job.worst_ratio)];
    } else {
      ++data.job_ratios.not_compared;
    }
  }
  data.planned = static_cast<int64_t>(jobs.size());
  for (auto& [key, row] : rows) data.outcomes.push_back(std::move(row));
  for (const auto& [key, count] : verdicts) {
    data.job_verdicts.push_back({"", key.first, key.second, "", "", count});
  }
  std::stable_sort(data.job_verdicts.begin(), data.job_verdicts.end(),
                   [](const VerdictCount& a, const VerdictCount& b) {
                     return VerdictRank(a.verdict) < VerdictRank(b.verdict);
                   });
}

// A source's outcome counts as a failure when the conversion failed (not a pass, not a source
// error, not run).
bool IsFailureOutcome(Outcome outcome) {
  return outcome != Outcome::kSuccess && outcome != Outcome::kNotRun &&
         outcome != Outcome::kSourceError;
}

// The model a job converts: its source, except that a generated model's forms (gen-S.py for
// torch, gen-S_tf.py for TensorFlow, gen-S.onnx for the ONNX-to-ONNX tools) are one model, so
// that the converters that took it in different forms are compared with each other.
std::string ModelKey(const JobRow& job) {
  if (job.source_kind != "generated") return job.source;
  std::string path = job.source.substr(job.source.find(':') + 1);
  for (const char* suffix : {"_tf.py", ".py", ".onnx"}) {
    const std::string s = suffix;
    if (path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0) {
      return "generated:" + path.substr(0, path.size() - s.size());
    }
  }
  return job.source;
}

void CompareConverters(const std::vector<JobRow>& jobs, ConverterComparison& comparison) {
  // source -> converter -> outcome (first failure over opsets, else success).
  std::map<std::string, std::map<std::string, Outcome>> by_source;
  std::map<std::string, std::string> kinds;
  std::set<std::string> names;
  for (const JobRow& job : jobs) {
    if (job.kind != "convert" || job.status != "done") continue;
    names.insert(job.converter);
    const std::string key = ModelKey(job);
    kinds[key] = job.source_kind;
    auto [it, inserted] = by_source[key].emplace(job.converter, job.outcome);
    if (!inserted && !IsFailureOutcome(it->second) && IsFailureOutcome(job.outcome)) {
      it->second = job.outcome;
    }
  }
  comparison.converters.assign(names.begin(), names.end());
  if (comparison.converters.size() < 2) return;
  for (const auto& [source, outcomes] : by_source) {
    if (outcomes.size() < 2) continue;
    ConverterComparison::Row row;
    row.source = source;
    row.source_kind = kinds[source];
    std::optional<Outcome> first;
    for (const std::string& converter : comparison.converters) {
      auto it = outcomes.find(converter);
      Outcome outcome = it == outcomes.end() ? Outcome::kNotRun : it->second;
      row.outcomes.push_back(outcome);
      if (outcome == Outcome::kNotRun) continue;
      if (first && *first != outcome) row.agree = false;
      if (!first) first = outcome;
    }
    comparison.rows.push_back(std::move(row));
  }
  std::stable_sort(comparison.rows.begin(), comparison.rows.end(),
                   [](const auto& a, const auto& b) { return !a.agree && b.agree; });
  const size_t n = comparison.converters.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      ConverterComparison::Pair pair{comparison.converters[i], comparison.converters[j]};
      for (const auto& row : comparison.rows) {
        const Outcome a = row.outcomes[i], b = row.outcomes[j];
        if (a == Outcome::kNotRun || b == Outcome::kNotRun) continue;
        ++pair.sources;
        const bool fa = IsFailureOutcome(a), fb = IsFailureOutcome(b);
        if (!fa && !fb) ++pair.both_pass;
        if (fa && !fb) ++pair.only_a_fails;
        if (!fa && fb) ++pair.only_b_fails;
        if (fa && fb) ++pair.both_fail;
      }
      if (pair.sources > 0) comparison.pairs.push_back(pair);
    }
  }
}

Status LoadBackends(Database& db, ReportData& data) {
  CC_RETURN_IF_ERROR(ForEachRow(
      db,
      "SELECT b.backend, b.verdict, b.subtype, b.stage, b.code, count(*) FROM backend_results b "
      "JOIN jobs j ON j.id = b.job_id WHERE j.status = 'done' "
      "GROUP BY b.backend, b.verdict, b.subtype, b.stage, b.code",
      [&](const Statement& s) {
        data.backend_verdicts.push_back(
            {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5)});
      }));
  std::sort(data.backend_verdicts.begin(), data.backend_verdicts.end(),
            [](const VerdictCount& a, const VerdictCount& b) {
              return std::make_tuple(a.backend, VerdictRank(a.verdict), -a.count, a.subtype,
                                     a.stage, a.code) <
                     std::make_tuple(b.backend, VerdictRank(b.verdict), -b.count, b.subtype,
                                     b.stage, b.code);
            });
  std::map<std::string, RatioHistogram> histograms;
  CC_RETURN_IF_ERROR(ForEachRow(
      db,
      "SELECT b.backend, b.worst_ratio FROM backend_results b JOIN jobs j ON j.id = b.job_id "
      "WHERE j.status = 'done'",
      [&](const Statement& s) {
        RatioHistogram& h = histograms[s.Text(0)];
        h.backend = s.Text(0);
        if (s.IsNull(1)) {
          ++h.not_compared;
        } else {
          ++h.bins[RatioBin(s.Real(1))];
        }
      }));
  for (auto& [backend, h] : histograms) data.backend_ratios.push_back(std::move(h));
  return Status::Ok();
}

Status LoadFailures(Database& db, ReportData& data) {
  return ForEachRow(
      db,
      "SELECT f.id, f.signature, f.verdict, f.subtype, f.stage, f.failing_op, f.message, "
      "f.count, f.first_job_id, f.reproducer, j.source, j.opset FROM failures f "
      "LEFT JOIN jobs j ON j.id = f.first_job_id ORDER BY f.count DESC, f.id",
      [&](const Statement& s) {
        UniqueFailure f;
        f.id = s.Int(0);
        f.signature = s.Text(1);
        f.verdict = s.Text(2);
        f.subtype = s.Text(3);
        f.stage = s.Text(4);
        f.failing_op = s.Text(5);
        f.message = s.Text(6);
        f.count = s.Int(7);
        f.first_job_id = OptionalInt(s, 8);
        f.reproducer = s.Text(9);
        f.source = s.Text(10);
        f.opset = OptionalInt(s, 11);
        data.failures.push_back(std::move(f));
      });
}

Status LoadOps(Database& db, const LoadOptions& options, ReportData& data) {
  std::vector<OpRate> rates;
  CC_RETURN_IF_ERROR(ForEachRow(
      db,
      "SELECT o.op_type, count(DISTINCT o.job_id), count(DISTINCT CASE WHEN j.verdict NOT IN "
      "('pass', 'source_error') THEN o.job_id END) FROM job_ops o JOIN jobs j ON j.id = o.job_id "
      "WHERE j.status = 'done' GROUP BY o.op_type",
      [&](const Statement& s) {
        rates.push_back({s.Text(0), s.Int(1), s.Int(2)});
      }));
  data.op_types = static_cast<int64_t>(rates.size());
  // Highest rate first; among equal rates the op seen in more jobs is the stronger evidence.
  std::sort(rates.begin(), rates.end(), [](const OpRate& a, const OpRate& b) {
    // Compare failed/jobs exactly by cross-multiplying, so equal rates tie.
    int64_t lhs = a.failed * b.jobs, rhs = b.failed * a.jobs;
    if (lhs != rhs) return lhs > rhs;
    if (a.jobs != b.jobs) return a.jobs > b.jobs;
    return a.op_type < b.op_type;
  });
  if (static_cast<int>(rates.size()) > options.top_ops) rates.resize(std::max(0, options.top_ops));
  data.op_rates = std::move(rates);
  return Status::Ok();
}

Status LoadTimes(Database& db, ReportData& data) {
  TimeSummary& times = data.times;
  CC_RETURN_IF_ERROR(ForEachRow(
      db,
      "SELECT s.kind, s.stage, count(DISTINCT s.job_id), sum(s.seconds) FROM stage_times s "
      "JOIN jobs j ON j.id = s.job_id WHERE j.status = 'done' GROUP BY s.kind, s.stage "
      "ORDER BY s.kind = 'wall' DESC, s.kind, sum(s.seconds) DESC, s.stage",
      [&](const Statement& s) {
        StageTime t{s.Text(0), s.Text(1), s.Int(2), s.Real(3)};
        if (t.kind == "tool" && IsToolWorkStage(t.stage)) times.tool_s += t.total_s;
        times.stages.push_back(std::move(t));
      }));
  for (const JobRow& job : data.jobs) {
    if (job.status == "done" && job.wall_s) times.wall_s += *job.wall_s;
  }
  return Status::Ok();
}

}  // namespace

std::string_view OutcomeKey(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNotRun:
      return "not_run";
    case Outcome::kConverterCrash:
      return "converter_crash";
    case Outcome::kInvalidModel:
      return "invalid_model";
    case Outcome::kLoadFailure:
      return "runtime_load_failure";
    case Outcome::kRunFailure:
      return "runtime_run_failure";
    case Outcome::kMismatch:
      return "mismatch";
    case Outcome::kSourceError:
      return "source_error";
    case Outcome::kSuccess:
      return "success";
    case Outcome::kOther:
      return "other";
  }
  return "other";
}

std::string_view OutcomeTitle(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNotRun:
      return "not run yet";
    case Outcome::kConverterCrash:
      return "converter crash";
    case Outcome::kInvalidModel:
      return "invalid model";
    case Outcome::kLoadFailure:
      return "runtime load failure";
    case Outcome::kRunFailure:
      return "runtime error at run";
    case Outcome::kMismatch:
      return "mismatch";
    case Outcome::kSourceError:
      return "source error";
    case Outcome::kSuccess:
      return "success";
    case Outcome::kOther:
      return "other";
  }
  return "other";
}

Outcome ClassifyOutcome(std::string_view status, std::string_view verdict, std::string_view stage,
                        bool load_failure) {
  if (status != "done") return Outcome::kNotRun;
  if (verdict == "pass") return Outcome::kSuccess;
  if (verdict == "source_error") return Outcome::kSourceError;
  if (verdict == "converter_crash" || verdict == "converter_timeout") {
    return Outcome::kConverterCrash;
  }
  if (verdict == "invalid_model") return Outcome::kInvalidModel;
  if (verdict == "runtime_error") {
    return load_failure || stage == "load" ? Outcome::kLoadFailure : Outcome::kRunFailure;
  }
  if (verdict == "runtime_crash" || verdict == "runtime_timeout") return Outcome::kRunFailure;
  if (verdict == "incorrect_behavior") return Outcome::kMismatch;
  return Outcome::kOther;
}

bool IsFailureVerdict(std::string_view verdict) {
  return verdict != "pass" && verdict != "source_error" &&
         VerdictRank(verdict) < static_cast<int>(std::size(kVerdictOrder));
}

int VerdictRank(std::string_view verdict) {
  const auto* it = std::find(std::begin(kVerdictOrder), std::end(kVerdictOrder), verdict);
  return static_cast<int>(it - std::begin(kVerdictOrder));
}

int RatioBin(double ratio) {
  if (std::isnan(ratio) || ratio > 1) return kNumRatioBins - 1;
  if (ratio <= 0) return 0;
  if (ratio < 1e-4) return 1;
  // Decades 1e-4..1e-3 -> 2, ..., 1e-1..1 -> 5; computed by comparison, not log10, so that the
  // boundaries are exact.
  constexpr double kUpper[] = {1e-3, 1e-2, 1e-1};
  for (int i = 0; i < 3; ++i) {
    if (ratio < kUpper[i]) return 2 + i;
  }
  return 5;
}

int64_t RatioHistogram::total() const {
  int64_t sum = not_compared;
  for (int64_t n : bins) sum += n;
  return sum;
}

double TimeSummary::outside_share() const {
  if (!(wall_s > 0)) return 0;
  // Tools measured in another clock can exceed the wall time by a little; a share is in [0, 1].
  return std::clamp((wall_s - tool_s) / wall_s, 0.0, 1.0);
}

bool IsToolWorkStage(std::string_view stage) {
  auto ends_with = [&](std::string_view suffix) {
    return stage.size() > suffix.size() && stage.substr(stage.size() - suffix.size()) == suffix;
  };
  return stage == "export" || stage == "inference" || stage == "build" || ends_with(".load") ||
         ends_with(".run");
}

Status LoadBlame(Database& db, ReportData& data) {
  bool has_blame = false;
  CC_RETURN_IF_ERROR(ForEachRow(db, "SELECT name FROM pragma_table_info('jobs')",
                                [&](const Statement& s) { has_blame |= s.Text(0) == "blame"; }));
  CC_RETURN_IF_ERROR(ForEachRow(
      db,
      has_blame ? "SELECT blame, count(*) FROM jobs WHERE status = 'done' AND verdict <> 'pass' "
                  "GROUP BY blame"
                : "SELECT '', count(*) FROM jobs WHERE status = 'done' AND verdict <> 'pass'",
      [&](const Statement& s) {
        if (s.Int(1) == 0) return;
        std::string blame = s.Text(0);
        data.blame[blame.empty() ? "not recorded" : blame] += s.Int(1);
      }));
  return ForEachRow(db,
                    "SELECT count(*) FROM jobs WHERE status = 'done' AND verdict = 'pass' AND "
                    "result_json LIKE '%\"reference output %'",
                    [&](const Statement& s) { data.degenerate_passes = s.Int(0); });
}

int64_t ConverterComparison::disagreements() const {
  int64_t count = 0;
  for (const auto& row : rows) count += row.agree ? 0 : 1;
  return count;
}

int64_t ReportData::status_count(const std::string& status) const {
  auto it = by_status.find(status);
  return it == by_status.end() ? 0 : it->second;
}

StatusOr<ReportData> LoadReportData(const std::string& db_path, const LoadOptions& options) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(db_path, Database::Mode::kReadOnly));
  CC_RETURN_IF_ERROR(CheckTables(*db));
  // One read transaction: a campaign may be writing the file meanwhile, and every section must
  // count the same jobs.
  CC_RETURN_IF_ERROR(db->Exec("BEGIN;"));
  ReportData data;
  data.db_path = db_path;
  CC_RETURN_IF_ERROR(ForEachRow(*db, "SELECT key, value FROM meta",
                                [&](const Statement& s) { data.meta[s.Text(0)] = s.Text(1); }));
  CC_RETURN_IF_ERROR(LoadJobs(*db, data));
  Tally(data.jobs, data);
  CompareConverters(data.jobs, data.comparison);
  CC_RETURN_IF_ERROR(LoadBackends(*db, data));
  CC_RETURN_IF_ERROR(LoadFailures(*db, data));
  CC_RETURN_IF_ERROR(LoadOps(*db, options, data));
  CC_RETURN_IF_ERROR(LoadTimes(*db, data));
  CC_RETURN_IF_ERROR(LoadBlame(*db, data));
  CC_RETURN_IF_ERROR(db->Exec("COMMIT;"));
  if (options.patterns) {
    // Its own read transaction: jobs a live campaign finished in between may show here only.
    CC_ASSIGN_OR_RETURN(data.patterns, analysis::Analyze(db_path));
    data.top_patterns = options.top_patterns;
  }
  return data;
}

}  // namespace convcheck::report
