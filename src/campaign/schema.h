//===- campaign/schema.h - The results database's tables ------------------===//
//
// One SQLite file holds a campaign: what was planned, what ran, with which tools, and what came
// out. docs/campaign.md documents every column; the report reads nothing else. A job is written
// in one transaction together with its backend results, output metrics and operator counts, so
// a campaign killed at any instant leaves each job either fully recorded or still pending.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_SCHEMA_H_
#define CONVCHECK_CAMPAIGN_SCHEMA_H_

namespace convcheck::campaign {

// Version 2: converters as data (an `options` column with the canonical option text; the
// converter `torch.onnx` renamed `torch.onnx@1.13`; new job keys). Version 1 files are migrated
// when opened for writing (Store::Open).
inline constexpr int kSchemaVersion = 2;

inline constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
  id            INTEGER PRIMARY KEY,
  signature     TEXT NOT NULL UNIQUE,
  verdict       TEXT NOT NULL,
  subtype       TEXT NOT NULL DEFAULT '',
  stage         TEXT NOT NULL DEFAULT '',
  failing_op    TEXT NOT NULL DEFAULT '',
  message       TEXT NOT NULL DEFAULT '',
  count         INTEGER NOT NULL DEFAULT 0,
  first_job_id  INTEGER,
  reproducer    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS jobs (
  id               INTEGER PRIMARY KEY,
  key              TEXT NOT NULL UNIQUE,
  suite            TEXT NOT NULL,
  kind             TEXT NOT NULL,
  source           TEXT NOT NULL,
  source_kind      TEXT NOT NULL,
  family           TEXT NOT NULL DEFAULT '',
  converter        TEXT NOT NULL DEFAULT '',
  opset            INTEGER,
  constant_folding INTEGER,
  dynamic_batch    INTEGER,
  mode             TEXT NOT NULL DEFAULT '',
  options          TEXT NOT NULL DEFAULT '',
  seed             INTEGER NOT NULL DEFAULT 0,
  num_sets         INTEGER NOT NULL DEFAULT 0,
  backends         TEXT NOT NULL,
  tolerance        TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL DEFAULT 'pending',
  attempts         INTEGER NOT NULL DEFAULT 0,
  verdict          TEXT,
  subtype          TEXT NOT NULL DEFAULT '',
  stage            TEXT NOT NULL DEFAULT '',
  error            TEXT NOT NULL DEFAULT '',
  signature        TEXT NOT NULL DEFAULT '',
  node             TEXT NOT NULL DEFAULT '',
  failing_op       TEXT NOT NULL DEFAULT '',
  blame            TEXT NOT NULL DEFAULT '',
  failure_id       INTEGER REFERENCES failures(id),
  worst_abs        REAL,
  worst_ratio      REAL,
  started_at       TEXT,
  finished_at      TEXT,
  wall_s           REAL,
  artifact_dir     TEXT NOT NULL DEFAULT '',
  versions         TEXT NOT NULL DEFAULT '{}',
  result_json      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
CREATE TABLE IF NOT EXISTS backend_results (
  job_id      INTEGER NOT NULL REFERENCES jobs(id),
  backend     TEXT NOT NULL,
  verdict     TEXT NOT NULL,
  subtype     TEXT NOT NULL DEFAULT '',
  stage       TEXT NOT NULL DEFAULT '',
  code        TEXT NOT NULL DEFAULT '',
  error       TEXT NOT NULL DEFAULT '',
  load_s      REAL,
  run_s       REAL,
  worst_abs   REAL,
  worst_rel   REAL,
  worst_ratio REAL,
  PRIMARY KEY (job_id, backend)
);
CREATE TABLE IF NOT EXISTS output_metrics (
  job_id            INTEGER NOT NULL REFERENCES jobs(id),
  backend           TEXT NOT NULL,
  output_index      INTEGER NOT NULL,
  name              TEXT NOT NULL DEFAULT '',
  num_elements      INTEGER,
  max_abs           REAL,
  max_rel           REAL,
  error_ratio       REAL,
  mismatches        INTEGER,
  mismatch_fraction REAL,
  expected_rms      REAL,
  nan_inf_mismatches INTEGER,
  subtype           TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job_id, backend, output_index)
);
CREATE TABLE IF NOT EXISTS stage_times (
  job_id  INTEGER NOT NULL REFERENCES jobs(id),
  kind    TEXT NOT NULL,
  stage   TEXT NOT NULL,
  seconds REAL NOT NULL,
  PRIMARY KEY (job_id, kind, stage)
);
CREATE TABLE IF NOT EXISTS job_ops (
  job_id  INTEGER NOT NULL REFERENCES jobs(id),
  op_type TEXT NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (job_id, op_type)
);
)sql";

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_SCHEMA_H_
