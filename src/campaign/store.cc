#include "campaign/store.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "campaign/schema.h"
#include "campaign/signature.h"

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

// The tables that hold a job's results, one row or more per job.
constexpr const char* kJobTables[] = {"backend_results", "output_metrics", "stage_times",
                                      "job_ops"};

SqlValue OptionalNumber(double value, bool present) {
  return present ? SqlValue(value) : SqlValue();
}

// SQLite stores no Inf/NaN faithfully through every client; the report treats NULL as unknown,
// so infinite ratios (a NaN where a number was expected) are stored as a large finite number.
double Finite(double value) {
  if (std::isnan(value) || std::isinf(value)) return 1e300;
  return value;
}

// The family the Python worker reported ("python" for a user's file), for jobs planned without.
std::string SourceFamily(const pipeline::JobResult& result) {
  const nlohmann::json& info = result.source_info;
  if (!info.is_object() || !info.contains("info") || !info["info"].is_object()) return "";
  return info["info"].value("family", std::string());
}

}  // namespace

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, bool read_only) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(path, read_only ? Database::Mode::kReadOnly
                                                     : Database::Mode::kReadWriteCreate));
  std::unique_ptr<Store> store(new Store(std::move(db)));
  if (read_only) {
    CC_ASSIGN_OR_RETURN(int64_t tables,
                        QueryInt(store->db(),
                                 "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                 "name IN ('jobs','meta','failures')"));
    if (tables < 3) {
      return FailedPrecondition("'" + path + "' is a SQLite file but not a convcheck campaign");
    }
    return store;
  }
  // WAL: a reader (status, report) never blocks the campaign, and a killed writer leaves the
  // last committed job intact.
  CC_RETURN_IF_ERROR(store->db().Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  CC_RETURN_IF_ERROR(store->db().Exec(kSchemaSql));
  // Columns added after version 1 was first written: files made before get them here.
  for (const char* column : {"blame", "options"}) {
    CC_ASSIGN_OR_RETURN(
        int64_t has_column,
        QueryInt(store->db(), "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = ?1",
                 {std::string(column)}));
    if (has_column == 0) {
      CC_RETURN_IF_ERROR(store->db().Exec(std::string("ALTER TABLE jobs ADD COLUMN ") + column +
                                          " TEXT NOT NULL DEFAULT '';"));
    }
  }
  CC_ASSIGN_OR_RETURN(std::string version, store->GetMeta("schema_version"));
  if (version.empty()) {
    CC_RETURN_IF_ERROR(store->SetMeta("schema_version", std::to_string(kSchemaVersion)));
    CC_RETURN_IF_ERROR(store->SetMeta("created_at", UtcNow()));
  } else if (version == "1") {
    CC_RETURN_IF_ERROR(store->MigrateFromVersion1());
  } else if (version != std::to_string(kSchemaVersion)) {
    return FailedPrecondition("'" + path + "' has schema version " + version +
                              "; this convcheck writes version " + std::to_string(kSchemaVersion));
  }
  return store;
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  return db_->Run(
      "INSERT INTO meta(key, value) VALUES (?1, ?2) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      {key, value});
}

StatusOr<std::string> Store::GetMeta(const std::string& key) {
  CC_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("SELECT value FROM meta WHERE key = ?1"));
  CC_RETURN_IF_ERROR(stmt.Bind(1, key));
  CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Text(0) : std::string();
}

// Version 1 files named torch 1.13's exporter `torch.onnx` and kept its three options in
// columns; version 2 keeps every converter's options as canonical text and keys jobs with it.
// The keys are rebuilt, so the same command plans the same jobs and a resumed campaign redoes
// nothing.
Status Store::MigrateFromVersion1() {
  CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_));
  CC_RETURN_IF_ERROR(
      db_->Run("UPDATE jobs SET converter = 'torch.onnx@1.13' WHERE converter = 'torch.onnx'"));
  CC_RETURN_IF_ERROR(db_->Run(
      "UPDATE jobs SET options = 'constant_folding=' || CASE WHEN constant_folding THEN 'true' "
      "ELSE 'false' END || ',dynamic_batch=' || CASE WHEN dynamic_batch THEN 'true' ELSE "
      "'false' END || ',mode=' || CASE WHEN mode = '' THEN 'trace' ELSE mode END WHERE kind = "
      "'convert'"));
  CC_ASSIGN_OR_RETURN(
      Statement select,
      db_->Prepare(
          "SELECT id, suite, kind, source, converter, opset, options, seed, num_sets, backends, "
          "tolerance FROM jobs"));
  std::vector<std::pair<int64_t, std::string>> keys;
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    PlannedJob job;
    job.suite = select.Text(1);
    job.kind = select.Text(2);
    job.source = select.Text(3);
    job.converter.name = select.Text(4);
    job.converter.opset = static_cast<int>(select.Int(5));
    job.seed = static_cast<uint64_t>(select.Int(7));
    job.num_sets = static_cast<int>(select.Int(8));
    job.backends = select.Text(9);
    job.tolerance = select.Text(10);
    // The canonical text is rebuilt through the converter's table when the converter is known.
    job.key = JobKey(job);
    const std::string canonical = select.Text(6);
    if (job.kind == "convert") {
      const std::string bare = job.suite + "|" + job.source + "|" + job.converter.name +
                               "|opset=" + std::to_string(job.converter.opset) + "|";
      job.key = bare + canonical + job.key.substr(bare.size());
    }
    keys.emplace_back(select.Int(0), job.key);
  }
  for (const auto& [id, key] : keys) {
    CC_RETURN_IF_ERROR(db_->Run("UPDATE jobs SET key = ?2 WHERE id = ?1", {id, key}));
  }
  CC_RETURN_IF_ERROR(SetMeta("schema_version", std::to_string(kSchemaVersion)));
  CC_RETURN_IF_ERROR(SetMeta("migrated_from", "1"));
  return txn.Commit();
}

StatusOr<int64_t> Store::AddPlanned(const std::vector<PlannedJob>& jobs) {
  CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_));
  CC_ASSIGN_OR_RETURN(
      Statement insert,
      db_->Prepare("INSERT OR IGNORE INTO jobs(key, suite, kind, source, source_kind, family, "
                   "converter, opset, constant_folding, dynamic_batch, mode, options, seed, "
                   "num_sets, backends, tolerance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                   "?10, ?11, ?12, ?13, ?14, ?15, ?16)"));
  int64_t added = 0;
  for (const PlannedJob& job : jobs) {
    const bool convert = job.kind == "convert";
    // The legacy option columns stay filled where the converter has those options, for
    // queries written against version 1.
    const converters::OptionValues& o = job.converter.options;
    auto legacy_bool = [&](const char* key) {
      const std::string v = o.Get(key);
      return convert && !v.empty() ? SqlValue(int64_t{v == "true"}) : SqlValue();
    };
    CC_RETURN_IF_ERROR(insert.BindAll(
        {job.key, job.suite, job.kind, job.source, job.source_kind, job.family,
         convert ? SqlValue(job.converter.name) : SqlValue(std::string()),
         convert ? SqlValue(int64_t{job.converter.opset}) : SqlValue(),
         legacy_bool("constant_folding"), legacy_bool("dynamic_batch"),
         SqlValue(convert ? o.Get("mode") : std::string()),
         SqlValue(convert ? o.Canonical() : std::string()), static_cast<int64_t>(job.seed),
         int64_t{job.num_sets}, job.backends, job.tolerance}));
    CC_ASSIGN_OR_RETURN(bool row, insert.Step());
    (void)row;
    added += db_->Changes();
    CC_RETURN_IF_ERROR(insert.Reset());
  }
  CC_RETURN_IF_ERROR(txn.Commit());
  return added;
}

StatusOr<int64_t> Store::ResetInterrupted() {
  CC_ASSIGN_OR_RETURN(int64_t running,
                      QueryInt(*db_, "SELECT count(*) FROM jobs WHERE status = 'running'"));
  CC_RETURN_IF_ERROR(db_->Run("UPDATE jobs SET status = 'pending' WHERE status = 'running'"));
  return running;
}

StatusOr<std::vector<PlannedJob>> Store::JobsToRun() {
  CC_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT id, key, suite, kind, source, source_kind, family, converter, opset, "
                   "options, seed, num_sets, backends, tolerance "
                   "FROM jobs WHERE status IN ('pending', 'error') ORDER BY id"));
  std::vector<PlannedJob> jobs;
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    PlannedJob job;
    job.id = stmt.Int(0);
    job.key = stmt.Text(1);
    job.suite = stmt.Text(2);
    job.kind = stmt.Text(3);
    job.source = stmt.Text(4);
    job.source_kind = stmt.Text(5);
    job.family = stmt.Text(6);
    job.converter.name = stmt.Text(7);
    job.converter.opset = static_cast<int>(stmt.Int(8));
    job.seed = static_cast<uint64_t>(stmt.Int(10));
    job.num_sets = static_cast<int>(stmt.Int(11));
    job.backends = stmt.Text(12);
    job.tolerance = stmt.Text(13);
    if (job.kind == "convert") {
      // The options as stored; the job re-checks them against the converter when it runs (a
      // file edited by hand, or a converter renamed since, becomes that job's error).
      StatusOr<sources::Source> source = sources::ParseSource(job.source);
      StatusOr<converters::Resolved> converter =
          source.ok() ? converters::Resolve(job.converter.name, *source)
                      : StatusOr<converters::Resolved>(source.status());
      if (converter.ok()) {
        StatusOr<converters::OptionValues> values =
            converters::ParseCanonicalOptions(*converter->def, stmt.Text(9));
        if (values.ok()) job.converter.options = std::move(values).value();
      }
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

StatusOr<int64_t> Store::ResetForRerun(const std::vector<std::string>& verdicts) {
  std::string condition;
  std::vector<SqlValue> params;
  for (const auto& verdict : verdicts) {
    if (verdict == "failing") {
      condition += std::string(condition.empty() ? "" : " OR ") + "verdict <> 'pass'";
    } else {
      params.push_back(verdict);
      condition += std::string(condition.empty() ? "" : " OR ") + "verdict = ?" +
                   std::to_string(params.size());
    }
  }
  if (condition.empty()) return 0;
  const std::string where = "status = 'done' AND (" + condition + ")";
  std::vector<std::string> orphaned;
  CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_));
  CC_ASSIGN_OR_RETURN(int64_t count,
                      QueryInt(*db_, "SELECT count(*) FROM jobs WHERE " + where, params));
  for (const char* table : kJobTables) {
    CC_RETURN_IF_ERROR(db_->Run(std::string("DELETE FROM ") + table +
                                    " WHERE job_id IN (SELECT id FROM jobs WHERE " + where + ")",
                                params));
  }
  CC_RETURN_IF_ERROR(
      db_->Run("UPDATE failures SET count = count - (SELECT count(*) FROM jobs WHERE failure_id = "
               "failures.id AND " +
                   where + ")",
               params));
  {
    CC_ASSIGN_OR_RETURN(Statement empty,
                        db_->Prepare("SELECT reproducer FROM failures WHERE count <= 0"));
    while (true) {
      CC_ASSIGN_OR_RETURN(bool row, empty.Step());
      if (!row) break;
      orphaned.push_back(empty.Text(0));
    }
  }
  CC_RETURN_IF_ERROR(db_->Run(
      "UPDATE jobs SET status = 'pending', verdict = NULL, subtype = '', stage = '', error = '', "
      "signature = '', node = '', failing_op = '', blame = '', failure_id = NULL, "
      "worst_abs = NULL, worst_ratio = NULL, artifact_dir = '' WHERE " +
          where,
      params));
  CC_RETURN_IF_ERROR(db_->Run("DELETE FROM failures WHERE count <= 0"));
  CC_RETURN_IF_ERROR(txn.Commit());
  // Reproducers of groups that no longer exist; only those under our own artifacts folder (a
  // check job's reproducer is the user's case, never deleted).
  std::error_code ec;
  for (const auto& dir : orphaned) {
    if (!dir.empty() && dir.rfind(artifacts_dir() + "/", 0) == 0) fs::remove_all(dir, ec);
  }
  return count;
}

Status Store::MarkRunning(int64_t job_id) {
  return db_->Run("UPDATE jobs SET status = 'running', attempts = attempts + 1 WHERE id = ?1",
                  {job_id});
}

Status Store::RecordError(int64_t job_id, const std::string& message) {
  return db_->Run("UPDATE jobs SET status = 'error', error = ?2, finished_at = ?3 WHERE id = ?1",
                  {job_id, message, UtcNow()});
}

StatusOr<RecordOutcome> Store::Record(const PlannedJob& job, const pipeline::JobResult& result,
                                      const RecordedJob& recorded) {
  RecordOutcome outcome;
  CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_));
  const int64_t id = job.id;
  for (const char* table : kJobTables) {
    CC_RETURN_IF_ERROR(db_->Run(std::string("DELETE FROM ") + table + " WHERE job_id = ?1", {id}));
  }

  // Backends and their outputs; the job's worst error is the worst over both.
  double worst_abs = 0, worst_ratio = 0;
  bool have_worst = false;
  for (const auto& backend : result.backends) {
    double b_abs = 0, b_rel = 0, b_ratio = 0;
    bool compared = backend.comparison.has_value() && !backend.comparison->outputs.empty();
    if (compared) {
      for (const auto& output : backend.comparison->outputs) {
        b_abs = std::max(b_abs, Finite(output.max_abs_error));
        b_rel = std::max(b_rel, Finite(output.max_rel_error));
        b_ratio = std::max(b_ratio, Finite(output.error_ratio));
        CC_RETURN_IF_ERROR(db_->Run(
            "INSERT INTO output_metrics(job_id, backend, output_index, name, num_elements, "
            "max_abs, max_rel, error_ratio, mismatches, mismatch_fraction, expected_rms, "
            "nan_inf_mismatches, subtype) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11, ?12, ?13)",
            {id, backend.backend, int64_t{output.index}, output.name, output.num_elements,
             Finite(output.max_abs_error), Finite(output.max_rel_error), Finite(output.error_ratio),
             output.mismatches, output.mismatch_fraction, Finite(output.expected_rms),
             output.nan_inf_mismatches, output.subtype}));
      }
      worst_abs = std::max(worst_abs, b_abs);
      worst_ratio = std::max(worst_ratio, b_ratio);
      have_worst = true;
    }
    CC_RETURN_IF_ERROR(db_->Run(
        "INSERT INTO backend_results(job_id, backend, verdict, subtype, stage, code, error, "
        "load_s, run_s, worst_abs, worst_rel, worst_ratio) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12)",
        {id, backend.backend, std::string(oracle::VerdictName(backend.verdict)), backend.subtype,
         backend.stage, backend.code, backend.error, backend.load_s, backend.run_s,
         OptionalNumber(b_abs, compared), OptionalNumber(b_rel, compared),
         OptionalNumber(b_ratio, compared)}));
  }
  for (const auto& [stage, seconds] : result.timings) {
    CC_RETURN_IF_ERROR(db_->Run(
        "INSERT INTO stage_times(job_id, kind, stage, seconds) VALUES (?1, 'wall', ?2, ?3)",
        {id, stage, seconds}));
  }
  for (const auto& [stage, seconds] : result.tool_time) {
    CC_RETURN_IF_ERROR(db_->Run(
        "INSERT INTO stage_times(job_id, kind, stage, seconds) VALUES (?1, 'tool', ?2, ?3)",
        {id, stage, seconds}));
  }
  if (result.model_info.is_object() && result.model_info.contains("op_counts")) {
    for (const auto& [op, count] : result.model_info["op_counts"].items()) {
      CC_RETURN_IF_ERROR(db_->Run("INSERT INTO job_ops(job_id, op_type, count) VALUES (?1, ?2, ?3)",
                                  {id, op, count.get<int64_t>()}));
    }
  }

  // The failure group: new signature -> new row whose reproducer is this job's case.
  const std::string signature = FailureSignature(result);
  const std::string failing_op = FailingOp(result);
  SqlValue failure_id;
  std::error_code ec;
  if (!signature.empty()) {
    CC_ASSIGN_OR_RETURN(
        int64_t existing,
        QueryInt(*db_, "SELECT id FROM failures WHERE signature = ?1", {signature}));
    if (existing == 0) {
      CC_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO failures(signature, verdict, subtype, stage, failing_op, message, count, "
          "first_job_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
          {signature, std::string(oracle::VerdictName(result.verdict)), result.subtype,
           result.stage, failing_op, result.error, id}));
      existing = db_->LastInsertRowId();
      outcome.new_failure = true;
      if (!recorded.kept_case.empty() && fs::exists(recorded.kept_case)) {
        std::string target = artifacts_dir() + "/failures/" + std::to_string(existing);
        fs::create_directories(artifacts_dir() + "/failures", ec);
        // A leftover from a run killed between this move and its commit.
        fs::remove_all(target, ec);
        fs::rename(recorded.kept_case, target, ec);
        if (ec) {
          return FailedPrecondition("cannot move the reproducer '" + recorded.kept_case + "' to '" +
                                    target + "': " + ec.message());
        }
        outcome.reproducer = target;
      } else if (!recorded.existing_case.empty()) {
        outcome.reproducer = recorded.existing_case;
      }
      if (!outcome.reproducer.empty()) {
        CC_RETURN_IF_ERROR(db_->Run("UPDATE failures SET reproducer = ?2 WHERE id = ?1",
                                    {existing, outcome.reproducer}));
      }
    }
    CC_RETURN_IF_ERROR(db_->Run("UPDATE failures SET count = count + 1 WHERE id = ?1", {existing}));
    failure_id = existing;
    outcome.failure_id = existing;
  }
  if (outcome.reproducer.empty() && !recorded.kept_case.empty()) {
    fs::remove_all(recorded.kept_case, ec);
  }

  CC_RETURN_IF_ERROR(db_->Run(
      "UPDATE jobs SET status = 'done', verdict = ?2, subtype = ?3, stage = ?4, error = ?5, "
      "signature = ?6, node = ?7, failing_op = ?8, failure_id = ?9, worst_abs = ?10, "
      "worst_ratio = ?11, started_at = ?12, finished_at = ?13, wall_s = ?14, artifact_dir = ?15, "
      "versions = ?16, result_json = ?17, family = CASE WHEN family = '' THEN ?18 ELSE family "
      "END, blame = ?19 WHERE id = ?1",
      {id, std::string(oracle::VerdictName(result.verdict)), result.subtype, result.stage,
       result.error, signature, result.node, failing_op, failure_id,
       OptionalNumber(worst_abs, have_worst), OptionalNumber(worst_ratio, have_worst),
       recorded.started_at, UtcNow(), recorded.wall_s, outcome.reproducer, recorded.versions.dump(),
       pipeline::ToJson(result).dump(), SourceFamily(result), result.blame}));
  CC_RETURN_IF_ERROR(txn.Commit());
  return outcome;
}

StatusOr<CampaignCounts> Store::Counts() {
  CampaignCounts counts;
  CC_ASSIGN_OR_RETURN(counts.planned, QueryInt(*db_, "SELECT count(*) FROM jobs"));
  CC_ASSIGN_OR_RETURN(Statement by_status,
                      db_->Prepare("SELECT status, count(*) FROM jobs GROUP BY status"));
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, by_status.Step());
    if (!row) break;
    counts.by_status[by_status.Text(0)] = by_status.Int(1);
  }
  CC_ASSIGN_OR_RETURN(Statement by_verdict,
                      db_->Prepare("SELECT verdict, count(*) FROM jobs WHERE status = 'done' "
                                   "GROUP BY verdict"));
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, by_verdict.Step());
    if (!row) break;
    counts.by_verdict[by_verdict.Text(0)] = by_verdict.Int(1);
  }
  CC_ASSIGN_OR_RETURN(counts.unique_failures, QueryInt(*db_, "SELECT count(*) FROM failures"));
  return counts;
}

}  // namespace convcheck::campaign
