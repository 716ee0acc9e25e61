#include "analysis/association.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "analysis/rows.h"
#include "analysis/stats.h"
#include "campaign/patterns.h"
#include "campaign/sqlite.h"
#include "onnx/patterns.h"

namespace convcheck::analysis {

namespace {

using campaign::Database;
using campaign::Statement;

constexpr OutcomeClass kOutcomes[] = {OutcomeClass::kConverterCrash, OutcomeClass::kInvalidModel,
                                      OutcomeClass::kRuntimeFailure, OutcomeClass::kMismatch};

// What the analysis knows about a job.
struct Job {
  int64_t id = 0;
  std::string converter;
  std::string source;
  std::string verdict;
  std::string reproducer;      // Of its failure group.
  int64_t size = 0;            // Operators in the converted model (or the source graph).
  bool generated = false;      // A generated source, whose graph has source-level patterns.
  bool has_ops = false;        // job_ops rows: the converted graph's single operators.
  bool recorded = false;       // job_patterns rows: recorded by a convcheck that keeps them.
  bool has_sequences = false;  // Its converted graph's sequences are known.
  bool has_source = false;     // Its source-level patterns are known.
  std::vector<int> onnx_patterns, source_patterns;  // Pattern ids.
};

// The three populations a job may belong to, by what the store has for it.
enum class Data { kOnnxOps, kOnnxSequences, kSource };

struct Interner {
  std::unordered_map<std::string, int> ids;
  std::vector<std::string> names;
  std::vector<int> lengths;
  int Id(const std::string& pattern) {
    auto [it, inserted] = ids.emplace(pattern, static_cast<int>(names.size()));
    if (inserted) {
      names.push_back(pattern);
      lengths.push_back(onnxio::PatternLength(pattern));
    }
    return it->second;
  }
};

bool HasData(const Job& job, Data data) {
  switch (data) {
    case Data::kOnnxOps:
      return job.has_ops;
    case Data::kOnnxSequences:
      return job.has_sequences;
    case Data::kSource:
      return job.has_source;
  }
  return false;
}

// Is `a` a better representative than `b`: a reproducer first, then the smaller model.
bool BetterExample(const Job& a, const Job& b) {
  if (a.reproducer.empty() != b.reproducer.empty()) return !a.reproducer.empty();
  if (a.size != b.size) return a.size < b.size;
  return a.id < b.id;
}

Status LoadJobs(Database& db, bool have_patterns, Interner& interner, std::vector<Job>& jobs,
                std::vector<std::string>& notes) {
  std::unordered_map<int64_t, size_t> index;
  CC_RETURN_IF_ERROR(
      ForEachRow(db,
                 "SELECT j.id, j.converter, j.source, j.verdict, COALESCE(f.reproducer, ''), "
                 "j.source_kind FROM jobs j LEFT JOIN failures f ON f.id = j.failure_id "
                 "WHERE j.status = 'done' AND j.verdict IS NOT NULL ORDER BY j.id",
                 [&](const Statement& s) {
                   Job job;
                   job.id = s.Int(0);
                   job.converter = s.Text(1).empty() ? "none (onnx)" : s.Text(1);
                   job.source = s.Text(2);
                   job.verdict = s.Text(3);
                   job.reproducer = s.Text(4);
                   job.generated = s.Text(5) == "generated";
                   index[job.id] = jobs.size();
                   jobs.push_back(std::move(job));
                 }));
  CC_RETURN_IF_ERROR(
      ForEachRow(db, "SELECT job_id, op_type, count FROM job_ops", [&](const Statement& s) {
        auto it = index.find(s.Int(0));
        if (it == index.end()) return;
        Job& job = jobs[it->second];
        job.has_ops = true;
        job.size += s.Int(2);
        job.onnx_patterns.push_back(interner.Id(s.Text(1)));
      }));
  if (have_patterns) {
    CC_RETURN_IF_ERROR(
        ForEachRow(db, "SELECT job_id, level, pattern FROM job_patterns", [&](const Statement& s) {
          auto it = index.find(s.Int(0));
          if (it == index.end()) return;
          Job& job = jobs[it->second];
          const std::string level = s.Text(1);
          job.recorded = true;
          if (level == "onnx") {
            job.onnx_patterns.push_back(interner.Id(s.Text(2)));
            job.has_sequences = true;
          } else if (level == "source") {
            job.source_patterns.push_back(interner.Id(s.Text(2)));
            job.has_source = true;
          }
        }));
  }
  int64_t without_sequences = 0, graphs_missing = 0, graphs_read = 0;
  // Generated graphs shared by several jobs (one per converter and opset) are read once.
  std::map<std::string, std::vector<int>> source_cache;
  std::set<std::string> missing;
  for (Job& job : jobs) {
    // A converted graph without edges has no sequence rows; with one operator that is certain,
    // so such a job counts among those whose sequences are known.
    job.has_sequences = job.has_ops && (job.recorded || job.size <= 1);
    // Without the table at all, the note on the table says it for every job.
    if (have_patterns && job.has_ops && !job.has_sequences) ++without_sequences;
    if (!job.generated || job.has_source) continue;
    // A store written before job_patterns: the generator's graph may still be on disk.
    auto cached = source_cache.find(job.source);
    if (cached == source_cache.end()) {
      StatusOr<std::map<std::string, int64_t>> patterns =
          campaign::GeneratedSourcePatterns(job.source);
      std::vector<int> ids;
      if (patterns.ok()) {
        ++graphs_read;
        for (const auto& [pattern, count] : *patterns) ids.push_back(interner.Id(pattern));
      } else {
        missing.insert(job.source);
      }
      cached = source_cache.emplace(job.source, std::move(ids)).first;
    }
    if (missing.count(job.source) != 0) {
      ++graphs_missing;
      continue;
    }
    job.source_patterns = cached->second;
    job.has_source = true;
  }
  for (Job& job : jobs) {
    if (job.size == 0 && job.has_source) {
      for (int id : job.source_patterns) job.size += interner.lengths[static_cast<size_t>(id)] == 1;
    }
  }
  if (without_sequences > 0) {
    notes.push_back(std::to_string(without_sequences) +
                    " jobs have no recorded operator sequences (recorded by a convcheck without "
                    "job_patterns): they count for single operators only");
  }
  if (graphs_read > 0) {
    notes.push_back("source-level patterns of " + std::to_string(graphs_read) +
                    " generated models were read from their graph files");
  }
  if (graphs_missing > 0) {
    notes.push_back(std::to_string(graphs_missing) +
                    " jobs of generated sources have no source-level patterns (graph file gone)");
  }
  return Status::Ok();
}

}  // namespace

std::string_view OutcomeClassKey(OutcomeClass outcome) {
  switch (outcome) {
    case OutcomeClass::kConverterCrash:
      return "converter_crash";
    case OutcomeClass::kInvalidModel:
      return "invalid_model";
    case OutcomeClass::kRuntimeFailure:
      return "runtime_failure";
    case OutcomeClass::kMismatch:
      return "mismatch";
  }
  return "";
}

AtRisk OutcomeClassOf(OutcomeClass outcome, std::string_view verdict) {
  const bool crash = verdict == "converter_crash" || verdict == "converter_timeout";
  const bool invalid = verdict == "invalid_model";
  const bool runtime =
      verdict == "runtime_error" || verdict == "runtime_crash" || verdict == "runtime_timeout";
  const bool mismatch = verdict == "incorrect_behavior";
  const bool pass = verdict == "pass";
  switch (outcome) {
    case OutcomeClass::kConverterCrash:
      return {crash || invalid || runtime || mismatch || pass, crash};
    case OutcomeClass::kInvalidModel:
      return {invalid || runtime || mismatch || pass, invalid};
    case OutcomeClass::kRuntimeFailure:
      return {runtime || mismatch || pass, runtime};
    case OutcomeClass::kMismatch:
      return {mismatch || pass, mismatch};
  }
  return {};
}

double PatternStat::rate_with() const {
  return models_with == 0 ? 0.0 : static_cast<double>(failures_with) / models_with;
}
double PatternStat::rate_without() const {
  return models_without == 0 ? 0.0 : static_cast<double>(failures_without) / models_without;
}

StatusOr<Analysis> Analyze(const std::string& db_path, const AnalyzeOptions& options) {
  if (options.max_n < 1 || options.max_n > 3) {
    return InvalidArgument("longest pattern " + std::to_string(options.max_n) +
                           " is out of range (1 to 3)");
  }
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(db_path, Database::Mode::kReadOnly));
  std::set<std::string> tables;
  CC_RETURN_IF_ERROR(ForEachRow(*db, "SELECT name FROM sqlite_master WHERE type = 'table'",
                                [&](const Statement& s) { tables.insert(s.Text(0)); }));
  for (const char* table : {"jobs", "failures", "job_ops"}) {
    if (tables.count(table) == 0) {
      return InvalidArgument("'" + db_path + "' is not a convcheck results database (it has no '" +
                             table + "' table)");
    }
  }
  Analysis analysis;
  analysis.db_path = db_path;
  const bool have_patterns = tables.count("job_patterns") != 0;
  if (!have_patterns) {
    analysis.notes.push_back(
        "the store has no job_patterns table (written by an older convcheck): operator "
        "sequences are missing, single operators come from job_ops");
  }
  // One read transaction, so that a live campaign's new jobs do not split the tables.
  CC_RETURN_IF_ERROR(db->Exec("BEGIN;"));
  Interner interner;
  std::vector<Job> jobs;
  CC_RETURN_IF_ERROR(LoadJobs(*db, have_patterns, interner, jobs, analysis.notes));
  CC_RETURN_IF_ERROR(db->Exec("COMMIT;"));

  std::map<std::string, std::vector<size_t>> by_converter;
  for (size_t i = 0; i < jobs.size(); ++i) by_converter[jobs[i].converter].push_back(i);

  for (const auto& [converter, members] : by_converter) {
    for (const std::string level : {"onnx", "source"}) {
      // Pattern -> jobs of this converter that contain it.
      std::map<int, std::vector<size_t>> holders;
      for (size_t i : members) {
        const std::vector<int>& ids =
            level == "onnx" ? jobs[i].onnx_patterns : jobs[i].source_patterns;
        for (int id : ids) {
          if (interner.lengths[static_cast<size_t>(id)] > options.max_n) continue;
          std::vector<size_t>& list = holders[id];
          if (list.empty() || list.back() != i) list.push_back(i);
        }
      }
      for (OutcomeClass outcome : kOutcomes) {
        // A crashed converter wrote no ONNX graph: only the source level can say anything.
        if (outcome == OutcomeClass::kConverterCrash && level == "onnx") continue;
        // The populations at risk, by what the store has for each job.
        auto population = [&](Data data) {
          int64_t models = 0, failures = 0;
          for (size_t i : members) {
            if (!HasData(jobs[i], data)) continue;
            AtRisk r = OutcomeClassOf(outcome, jobs[i].verdict);
            models += r.at_risk;
            failures += r.at_risk && r.failed;
          }
          return std::pair<int64_t, int64_t>(models, failures);
        };
        const Data first = level == "onnx" ? Data::kOnnxOps : Data::kSource;
        const Data longer = level == "onnx" ? Data::kOnnxSequences : Data::kSource;
        const auto [models1, failures1] = population(first);
        const auto [models_n, failures_n] = population(longer);
        Population summary{converter, level,     std::string(OutcomeClassKey(outcome)),
                           models1,   failures1, 0};
        for (const auto& [id, list] : holders) {
          const int n = interner.lengths[static_cast<size_t>(id)];
          const Data data = n == 1 ? first : longer;
          const int64_t models = n == 1 ? models1 : models_n;
          const int64_t failures = n == 1 ? failures1 : failures_n;
          // Without failures, or without anything else, no pattern can tell them apart.
          if (failures == 0 || failures == models) continue;
          PatternStat stat;
          const Job* example = nullptr;
          for (size_t i : list) {
            if (!HasData(jobs[i], data)) continue;
            AtRisk r = OutcomeClassOf(outcome, jobs[i].verdict);
            if (!r.at_risk) continue;
            ++stat.models_with;
            if (r.failed) {
              ++stat.failures_with;
              if (example == nullptr || BetterExample(jobs[i], *example)) example = &jobs[i];
            }
          }
          if (stat.models_with < std::max<int64_t>(1, options.min_models)) continue;
          stat.pattern = interner.names[static_cast<size_t>(id)];
          stat.level = level;
          stat.n = n;
          stat.converter = converter;
          stat.outcome = std::string(OutcomeClassKey(outcome));
          stat.models_without = models - stat.models_with;
          stat.failures_without = failures - stat.failures_with;
          Table2x2 t{stat.failures_with, stat.models_with - stat.failures_with,
                     stat.failures_without, stat.models_without - stat.failures_without};
          OddsRatio odds = ComputeOddsRatio(t);
          stat.odds_ratio = odds.estimate;
          stat.ci_lo = odds.lo;
          stat.ci_hi = odds.hi;
          stat.or_corrected = odds.corrected;
          stat.p = FisherExactTwoSided(t);
          if (example != nullptr) {
            stat.example_job = example->id;
            stat.example_source = example->source;
            stat.reproducer = example->reproducer;
          }
          analysis.patterns.push_back(std::move(stat));
          ++summary.patterns_tested;
        }
        if (summary.models > 0) analysis.populations.push_back(std::move(summary));
      }
    }
  }
  std::vector<double> p;
  p.reserve(analysis.patterns.size());
  for (const PatternStat& stat : analysis.patterns) p.push_back(stat.p);
  const std::vector<double> q = BenjaminiHochberg(p);
  for (size_t i = 0; i < q.size(); ++i) analysis.patterns[i].q = q[i];
  analysis.tests = static_cast<int64_t>(analysis.patterns.size());
  std::stable_sort(analysis.patterns.begin(), analysis.patterns.end(),
                   [](const PatternStat& a, const PatternStat& b) {
                     if (a.q != b.q) return a.q < b.q;
                     if (a.p != b.p) return a.p < b.p;
                     if (a.odds_ratio != b.odds_ratio) return a.odds_ratio > b.odds_ratio;
                     return a.pattern < b.pattern;
                   });
  return analysis;
}

std::vector<const PatternStat*> TopPatterns(const Analysis& analysis, size_t per_converter) {
  std::map<std::string, size_t> taken;
  std::vector<const PatternStat*> top;
  for (const PatternStat& stat : analysis.patterns) {
    if (stat.odds_ratio <= 1 || stat.failures_with == 0) continue;
    size_t& count = taken[stat.converter];
    if (count >= per_converter) continue;
    ++count;
    top.push_back(&stat);
  }
  std::stable_sort(top.begin(), top.end(), [](const PatternStat* a, const PatternStat* b) {
    return a->converter < b->converter;
  });
  return top;
}

}  // namespace convcheck::analysis
