//===- report/report_fixture.h - A small campaign database for report tests ===//
//
// Twelve jobs that cover every outcome class of the report, two backends, operator counts,
// stage times and unique failures, with hostile text (markup, a control character, broken
// UTF-8) where the database holds tool output. The numbers the tests expect are derived in the
// comments next to each job. Shared by the unit tests and the browser test.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTS_REPORT_REPORT_FIXTURE_H_
#define CONVCHECK_TESTS_REPORT_REPORT_FIXTURE_H_

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "campaign/schema.h"
#include "campaign/sqlite.h"
#include "core/status.h"

namespace convcheck::report::testing {

inline constexpr const char* kHostileError =
    "<script>alert(1)</script> & \"x\" differs \x1b[31m\xff";

struct FixtureJob {
  int64_t id;
  std::string source;
  std::string source_kind;
  std::string family;
  std::string converter;  // "" for a check job.
  std::optional<int64_t> opset;
  std::string status;
  std::string verdict;  // "" for NULL.
  std::string subtype;
  std::string stage;
  std::string error;
  std::optional<int64_t> failure_id;
  std::optional<double> worst_ratio;
  std::optional<double> wall_s;
  std::vector<std::string> ops;
};

inline campaign::SqlValue Value(const std::optional<int64_t>& v) {
  return v ? campaign::SqlValue(*v) : campaign::SqlValue();
}
inline campaign::SqlValue Value(const std::optional<double>& v) {
  return v ? campaign::SqlValue(*v) : campaign::SqlValue();
}

inline StatusOr<std::unique_ptr<campaign::Database>> CreateEmptyCampaign(const std::string& path) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<campaign::Database> db,
                      campaign::Database::Open(path, campaign::Database::Mode::kReadWriteCreate));
  CC_RETURN_IF_ERROR(db->Exec(campaign::kSchemaSql));
  CC_RETURN_IF_ERROR(db->Exec(
      "INSERT INTO meta(key, value) VALUES ('schema_version', '1'), "
      "('created_at', '2024-05-01T10:00:00Z'), ('updated_at', '2024-05-01T11:00:00Z'), "
      "('command', 'convcheck campaign run --suite torchvision --db results.sqlite'), "
      "('plan', "
      "'{\"suites\":[\"torchvision\"],\"opsets\":[13,17],\"backends\":[\"ort\",\"ref\"]}'), "
      "('versions', '{\"torch\":\"1.13.1\",\"onnx\":\"1.13.0\",\"onnxruntime\":\"1.30.0\"}');"));
  return db;
}

inline Status InsertJob(campaign::Database& db, const FixtureJob& job) {
  campaign::SqlValue verdict =
      job.verdict.empty() ? campaign::SqlValue() : campaign::SqlValue(job.verdict);
  CC_RETURN_IF_ERROR(db.Run(
      "INSERT INTO jobs(id, key, suite, kind, source, source_kind, family, converter, opset, "
      "constant_folding, dynamic_batch, mode, backends, status, verdict, subtype, stage, error, "
      "failure_id, worst_ratio, wall_s) VALUES (?1, ?2, 'suite', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, 'ort,ref', ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
      {job.id, "key" + std::to_string(job.id), job.converter.empty() ? "check" : "convert",
       job.source, job.source_kind, job.family, job.converter, Value(job.opset),
       job.converter.empty() ? campaign::SqlValue() : campaign::SqlValue(int64_t{1}),
       job.converter.empty() ? campaign::SqlValue() : campaign::SqlValue(int64_t{0}),
       job.converter.empty() ? "" : "trace", job.status, verdict, job.subtype, job.stage, job.error,
       Value(job.failure_id), Value(job.worst_ratio), Value(job.wall_s)}));
  for (const std::string& op : job.ops) {
    CC_RETURN_IF_ERROR(
        db.Run("INSERT INTO job_ops(job_id, op_type, count) VALUES (?1, ?2, 3)", {job.id, op}));
  }
  return Status::Ok();
}

inline Status InsertBackend(campaign::Database& db, int64_t job_id, const std::string& backend,
                            const std::string& verdict, const std::string& stage,
                            const std::string& code, std::optional<double> worst_ratio) {
  return db.Run(
      "INSERT INTO backend_results(job_id, backend, verdict, stage, code, worst_ratio) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6)",
      {job_id, backend, verdict, stage, code, Value(worst_ratio)});
}

/// Writes the fixture campaign to `path` (a new file).
inline Status WriteFixtureCampaign(const std::string& path) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<campaign::Database> db, CreateEmptyCampaign(path));
  // One transaction: a sync per statement would make each test take a second.
  CC_ASSIGN_OR_RETURN(campaign::Transaction txn, campaign::Transaction::Begin(*db));
  const std::string tv = "torchvision", py = "python", ox = "onnx", t = "torch.onnx";
  // Outcome table: torch.onnx x torchvision = jobs 1,2,3,4,6,7,10,12 (8 jobs, 7 done: 2 success,
  // 2 mismatch, 1 load failure, 2 run failures, 1 not run); torch.onnx x python = 5,8,11 (1
  // converter crash, 1 source error, 1 not run: status error); none (onnx) x onnx = 9 (invalid).
  const std::vector<FixtureJob> jobs = {
      {1,
       "torchvision:resnet18",
       tv,
       "classification",
       t,
       13,
       "done",
       "pass",
       "",
       "",
       "",
       {},
       0.0,
       10.0,
       {"Conv", "Relu", "Add"}},
      {2,
       "torchvision:resnet18",
       tv,
       "classification",
       t,
       17,
       "done",
       "pass",
       "",
       "",
       "",
       {},
       3e-5,
       5.0,
       {"Conv", "Relu"}},
      {3,
       "torchvision:vit_b_32",
       tv,
       "classification",
       t,
       13,
       "done",
       "incorrect_behavior",
       "value_mismatch",
       "compare",
       kHostileError,
       1,
       12.5,
       20.0,
       {"Conv", "Softmax", "MatMul"}},
      {4,
       "torchvision:vit_b_32",
       tv,
       "classification",
       t,
       17,
       "done",
       "incorrect_behavior",
       "value_mismatch",
       "compare",
       kHostileError,
       1,
       4.0,
       {},
       {"Softmax", "MatMul"}},
      {5,
       "python:/models/<b>lstm</b>.py",
       py,
       "",
       t,
       17,
       "done",
       "converter_crash",
       "",
       "node_conversion",
       "RuntimeError: | pipes | in message",
       2,
       {},
       {},
       {}},
      {6,
       "torchvision:maskrcnn_resnet50_fpn",
       tv,
       "detection",
       t,
       17,
       "done",
       "runtime_error",
       "",
       "load",
       "NOT_IMPLEMENTED: RoiAlign",
       3,
       {},
       {},
       {"Conv", "RoiAlign"}},
      {7,
       "torchvision:raft_small",
       tv,
       "optical_flow",
       t,
       17,
       "done",
       "runtime_crash",
       "",
       "run",
       "signal 11",
       4,
       {},
       {},
       {"Conv", "Resize"}},
      {8,
       "python:/models/broken.py",
       py,
       "",
       t,
       17,
       "done",
       "source_error",
       "",
       "source",
       "ValueError in forward",
       {},
       {},
       {},
       {}},
      {9,
       "/cases/test_add/model.onnx",
       ox,
       "",
       "",
       {},
       "done",
       "invalid_model",
       "",
       "checker",
       "bad node",
       5,
       0.05,
       {},
       {"Add"}},
      {10,
       "torchvision:alexnet",
       tv,
       "classification",
       t,
       13,
       "pending",
       "",
       "",
       "",
       "",
       {},
       {},
       {},
       {}},
      {11,
       "python:/models/huge.py",
       py,
       "",
       t,
       13,
       "error",
       "",
       "",
       "",
       "out of disk",
       {},
       {},
       {},
       {}},
      {12,
       "torchvision:googlenet",
       tv,
       "classification",
       t,
       13,
       "done",
       "runtime_error",
       "",
       "run",
       "RUNTIME_EXCEPTION",
       6,
       {},
       {},
       {"Conv"}},
  };
  for (const FixtureJob& job : jobs) CC_RETURN_IF_ERROR(InsertJob(*db, job));

  // Backends. ort ratios: 0, 3e-5, 12.5, 4, 0.05, and NULL for jobs 6 and 12; ref: 0, 0.5, NULL.
  CC_RETURN_IF_ERROR(InsertBackend(*db, 1, "ort", "pass", "", "", 0.0));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 1, "ref", "pass", "", "", 0.0));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 2, "ort", "pass", "", "", 3e-5));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 3, "ort", "incorrect_behavior", "", "", 12.5));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 3, "ref", "pass", "", "", 0.5));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 4, "ort", "incorrect_behavior", "", "", 4.0));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 6, "ort", "runtime_error", "load", "NOT_IMPLEMENTED", {}));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 7, "ref", "runtime_crash", "run", "", {}));
  CC_RETURN_IF_ERROR(InsertBackend(*db, 9, "ort", "pass", "", "", 0.05));
  CC_RETURN_IF_ERROR(
      InsertBackend(*db, 12, "ort", "runtime_error", "run", "RUNTIME_EXCEPTION", {}));

  // Stage times. Tool work: 3 + 1 + 0.5 + 0.5 (job 1) + 5 + 1 + 1 + 2 (job 3) = 14 s, not
  // worker_start; wall: 10 + 5 + 20 = 35 s, so 60% of the wall time is outside the tools.
  for (const auto& [job, kind, stage, seconds] :
       std::vector<std::tuple<int64_t, std::string, std::string, double>>{
           {1, "wall", "total", 10},
           {1, "wall", "convert", 4},
           {1, "tool", "export", 3},
           {1, "tool", "inference", 1},
           {1, "tool", "ort.run", 0.5},
           {1, "tool", "ort.load", 0.5},
           {1, "tool", "worker_start", 2},
           {3, "wall", "total", 20},
           {3, "tool", "export", 5},
           {3, "tool", "build", 1},
           {3, "tool", "ort.run", 1},
           {3, "tool", "ref.run", 2}}) {
    CC_RETURN_IF_ERROR(
        db->Run("INSERT INTO stage_times(job_id, kind, stage, seconds) VALUES (?1, ?2, ?3, ?4)",
                {job, kind, stage, seconds}));
  }

  // Unique failures: failure 1 has two jobs (3, 4), the others one each.
  for (const auto& [id, verdict, stage, op, message, count, first, reproducer] :
       std::vector<std::tuple<int64_t, std::string, std::string, std::string, std::string, int64_t,
                              int64_t, std::string>>{
           {1, "incorrect_behavior", "compare", "Softmax", kHostileError, 2, 3,
            "/runs/results.sqlite.artifacts/failures/1"},
           {2, "converter_crash", "node_conversion", "", "RuntimeError: | pipes | in message", 1, 5,
            ""},
           {3, "runtime_error", "load", "RoiAlign", "NOT_IMPLEMENTED: RoiAlign", 1, 6,
            "/runs/results.sqlite.artifacts/failures/3"},
           {4, "runtime_crash", "run", "", "signal 11", 1, 7, ""},
           {5, "invalid_model", "checker", "Add", "bad node", 1, 9, "/cases/test_add"},
           {6, "runtime_error", "run", "", "RUNTIME_EXCEPTION", 1, 12, ""}}) {
    CC_RETURN_IF_ERROR(
        db->Run("INSERT INTO failures(id, signature, verdict, stage, failing_op, message, count, "
                "first_job_id, reproducer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                {id, verdict + "|" + stage + "|" + std::to_string(id), verdict, stage, op, message,
                 count, first, reproducer}));
  }
  return txn.Commit();
}

}  // namespace convcheck::report::testing

#endif  // CONVCHECK_TESTS_REPORT_REPORT_FIXTURE_H_
