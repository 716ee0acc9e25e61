//===- gen/generator.h - Random models, valid by construction -------------===//
//
// Forward insertion as in NNSmith, without its SMT solver: start from one input, then repeatedly
// pick an operator, let it propose operands and attributes from the values built so far (or new
// inputs and weights), and keep the node only if the operator's own rule accepts it and the result
// stays within the limits. Each accepted node is valid by the rule, so no model needs a solver
// or a retry. The same seed and options give the same graph, on any machine.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_GEN_GENERATOR_H_
#define CONVCHECK_GEN_GENERATOR_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "gen/catalog.h"
#include "gen/graph.h"

namespace convcheck::gen {

struct GenOptions {
  int64_t min_nodes = 5;
  int64_t max_nodes = 30;
  std::vector<std::string> include;  // Operator names or families; empty: all.
  std::vector<std::string> exclude;  // Operator names or families.
  // Only operators with a TensorFlow form (OpSpec::tf), so that the model can also be written
  // for TensorFlow: the same graph then goes through torch exporters and tf2onnx alike.
  bool tensorflow = false;
  Limits limits;
};

/// The operators the options allow, or an error naming an unknown operator or family.
StatusOr<std::vector<const OpSpec*>> SelectOps(const GenOptions& options);

/// Parses "5..30" or "12" into min and max nodes.
Status ParseNodeRange(const std::string& text, GenOptions& options);

/// One model. `coverage` (optional): how often each operator was used so far; operators used
/// least are favoured, which is how the coverage rule reaches every operator quickly.
StatusOr<Graph> Generate(uint64_t seed, const GenOptions& options,
                         const std::map<std::string, int64_t>* coverage = nullptr);

/// Infers every node again (after the reducer edited the graph): an error names the first node
/// whose rule rejects its operands.
Status Reinfer(Graph& graph, const Limits& limits);

}  // namespace convcheck::gen

#endif  // CONVCHECK_GEN_GENERATOR_H_
