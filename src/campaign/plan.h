//===- campaign/plan.h - Which jobs a campaign consists of ----------------===//
//
// A campaign is planned before anything runs, and the plan is stored: the job list is what
// `campaign status` counts against and what a resumed run completes. Planning is deterministic
// (sorted sources, fixed option order), so the same command plans the same keys again.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_PLAN_H_
#define CONVCHECK_CAMPAIGN_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/job.h"
#include "pipeline/session.h"

namespace convcheck::campaign {

/// What `campaign run` was asked for, apart from how to run it.
struct PlanOptions {
  std::vector<std::string> suites;  // torchvision[:FAMILY|:NAME,...] | dir:PATH | onnx:PATH
  std::vector<int> opsets = {13, 17};
  std::vector<std::string> backends = {"ort"};
  std::string converter = "torch.onnx";
  bool constant_folding = true;
  bool dynamic_batch = false;
  std::string mode = "trace";
  uint64_t seed = 0;
  int num_sets = 2;
  std::string tolerance = "convcheck";  // Profile name (custom values live in the run options).
};

/// One job as planned and as stored in the `jobs` table.
struct PlannedJob {
  int64_t id = 0;  // Row id once stored.
  std::string key;
  std::string suite;
  std::string kind;         // convert | check
  std::string source;       // torchvision:NAME, python:/abs.py, or a model path (check)
  std::string source_kind;  // torchvision | python | onnx
  std::string family;
  pipeline::ConverterOptions converter;  // convert jobs only
  uint64_t seed = 0;
  int num_sets = 0;
  std::string backends;  // "ort,ref"
  std::string tolerance;
};

/// Checks a suite argument without touching a worker: InvalidArgument for an unknown kind,
/// NotFound for a missing folder.
Status ValidateSuite(const std::string& suite);

/// Expands the suites into jobs. Needs the Python worker for `torchvision` (to list the
/// builders). A suite that yields no job is an error naming it.
StatusOr<std::vector<PlannedJob>> PlanJobs(const PlanOptions& options, pipeline::Session& session);

/// The job's identity in the database.
std::string JobKey(const PlannedJob& job);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_PLAN_H_
