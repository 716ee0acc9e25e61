//===- campaign/patterns.h - Operator sequences of a job's source ---------===//
//
// The converted model's operator sequences come from the pipeline (JobResult::op_sequences);
// a generated source also has its own graph (the generator's PyTorch-level operators), which
// is what a converter that crashes never turned into ONNX. Both are kept per job in
// `job_patterns` for `convcheck analyze`.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_PATTERNS_H_
#define CONVCHECK_CAMPAIGN_PATTERNS_H_

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace convcheck::campaign {

/// The graph file of a generated source ("python:/dir/gen-7.py" -> "/dir/gen-7.json"); "" when
/// the source is not a python file.
std::string GeneratedGraphPath(const std::string& source);

/// Operator sequences of n = 1..3 nodes of a generated source's graph (onnx/patterns.h), op
/// names as the generator's catalog has them ("conv2d->relu"). NotFound when the graph file is
/// gone; InvalidArgument when it is not a generator graph.
StatusOr<std::map<std::string, int64_t>> GeneratedSourcePatterns(const std::string& source);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_PATTERNS_H_
