//===- campaign/plan.h - Which jobs a campaign consists of ----------------===//
//
// A campaign is planned before anything runs, and the plan is stored: the job list is what
// `campaign status` counts against and what a resumed run completes. Planning is deterministic
// (sorted sources, fixed converter and option order), so the same command plans the same keys
// again. Converters are a plan dimension: each source goes through every requested converter of
// its framework, at every requested opset.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_PLAN_H_
#define CONVCHECK_CAMPAIGN_PLAN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "converters/converter.h"
#include "core/status.h"
#include "pipeline/job.h"
#include "sources/source.h"
#include "workers/session.h"

namespace convcheck::campaign {

/// What `campaign run` was asked for, apart from how to run it.
struct PlanOptions {
  // torchvision[:FAMILY|:NAME,...] | timm[:PATTERN,...] | hf[:TYPE,...] | keras[:NAME,...] |
  // dir:PATH | onnx:PATH
  std::vector<std::string> suites;
  std::vector<int> opsets;  // Empty: each converter's default opset.
  std::vector<std::string> backends = {"ort"};
  // Empty: each source's default converter (torch.onnx.dynamo for PyTorch, tf2onnx for
  // TensorFlow). Otherwise each source goes through the listed converters of its framework.
  std::vector<std::string> converters;
  // Options from the command line, applied to every converter that declares them.
  std::vector<std::pair<std::string, std::string>> converter_options;
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
  std::string source;       // A source (sources/source.h), or a model path (check).
  std::string source_kind;  // torchvision | timm | hf | keras | python | savedmodel | generated
                            // | onnx
  std::string family;
  converters::ConverterSpec converter;  // Convert jobs only; every option present.
  uint64_t seed = 0;
  int num_sets = 0;
  std::string backends;  // "ort,ref"
  std::string tolerance;
};

/// Checks a suite argument without touching a worker: InvalidArgument for an unknown kind,
/// NotFound for a missing folder.
Status ValidateSuite(const std::string& suite);

/// Checks the converters, the opsets against each converter's range, and that each command-line
/// option belongs to at least one of the converters (all of them when none is named).
Status ValidatePlanConverters(const PlanOptions& options);

/// Expands the suites into jobs. Needs Python workers to list torchvision, timm, hf and keras
/// builders (in the environment of the converter that will build them). A suite that yields no
/// job is an error naming it.
StatusOr<std::vector<PlannedJob>> PlanJobs(const PlanOptions& options, workers::Session& session);

/// The convert jobs of one source: one per applicable converter and opset, with `base`'s other
/// fields. A source that no requested converter can convert is InvalidArgument.
StatusOr<std::vector<PlannedJob>> ConvertJobsFor(const PlanOptions& options,
                                                 const sources::Source& source,
                                                 const PlannedJob& base);

/// The job's identity in the database:
/// suite|source|converter|opset=N|options|seed=S|sets=K|backends|tolerance (check jobs: no
/// converter, opset or options).
std::string JobKey(const PlannedJob& job);

/// The `convcheck convert` command line that runs this job again (reproduce.sh), with
/// `run_flags` (tolerance, timeout...) added.
std::vector<std::string> ConvertCommand(const PlannedJob& job,
                                        const std::vector<std::string>& run_flags);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_PLAN_H_
