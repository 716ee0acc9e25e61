//===- localize/reduce.h - Shrink a failing generated model ---------------===//
//
// Delta debugging over the generator's graph: first over the model's outputs (most failures
// concern one), then over its nodes, then over its input shapes and attributes. A candidate is
// kept when it still fails with the same signature. Removing a node cuts its results loose: a
// later node that read them reads a new model input of the same type and range instead, so
// every candidate is a valid model by the operators' own rules, and the generator's value
// ranges keep it NaN-free.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_LOCALIZE_REDUCE_H_
#define CONVCHECK_LOCALIZE_REDUCE_H_

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "gen/emit.h"
#include "gen/graph.h"
#include "pipeline/job.h"
#include "workers/session.h"

namespace convcheck::localize {

/// What must stay the same while reducing: verdict, subtype, stage and failing operator, plus
/// the normalised message for crashes (one converter error is not another) and who is blamed
/// for wrong results (a converter bug must not turn into a runtime bug). "" for a pass.
std::string ReductionSignature(const pipeline::JobResult& result);

struct ReduceOptions {
  pipeline::JobSpec job;  // Converter, backends, tolerance, inputs; `source` is set per test.
  std::string work_dir;   // Candidates are written here.
  // The form candidates are written in: the one the job's converter takes.
  gen::Emitter emitter = gen::Emitter::kTorch;
  int64_t max_tests = 400;  // Stop reducing after this many tests (the best so far is kept).
  std::function<void(const std::string&)> log;  // One line per accepted step; may be empty.
};

struct ReduceResult {
  gen::Graph graph;  // The smallest graph that still fails the same way.
  std::string signature;
  int64_t tests = 0;
  int64_t nodes_before = 0, nodes_after = 0;
  pipeline::JobResult result;  // Of the last test that failed the same way.
};

/// Reduces `graph`. An error when the graph does not fail to begin with, or convcheck itself
/// cannot run a job.
StatusOr<ReduceResult> Reduce(const gen::Graph& graph, const ReduceOptions& options,
                              workers::Session& session);

/// The graph without nodes that do not lead to an output, and without unread inputs.
gen::Graph DeadCodeEliminated(gen::Graph graph);

/// The graph with only the nodes in `keep` (indices, ascending): the results of removed nodes
/// that kept nodes read become model inputs, and the kept results no kept node reads are the
/// outputs. nullopt when nothing is kept.
std::optional<gen::Graph> KeepNodes(const gen::Graph& graph, const std::vector<int>& keep);

}  // namespace convcheck::localize

#endif  // CONVCHECK_LOCALIZE_REDUCE_H_
