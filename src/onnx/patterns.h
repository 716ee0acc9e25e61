//===- onnx/patterns.h - Operator sequences along a graph's data edges ----===//
//
// Which operator sequences a model contains is what the structural analysis (convcheck
// analyze) relates to outcomes: a converter that mislowers "Resize after Conv" fails on every
// model where a Resize reads a Conv's output, whatever else the model holds. A sequence of n
// operators is a path of n nodes in which each node reads an output of the one before; it is
// written as the op types joined by "->" ("Conv->Relu->MaxPool"). The same code serves the
// converted ONNX graph and the generator's source graph, which is a DAG of the same shape.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ONNX_PATTERNS_H_
#define CONVCHECK_ONNX_PATTERNS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "onnx/onnx_pb.h"

namespace convcheck::onnxio {

/// Every path of n nodes (min_n <= n <= max_n) of a DAG given as node names and, per node, the
/// nodes that read one of its outputs, with how many paths give each pattern. A node reading
/// two outputs of the same producer is one edge. Enumeration stops after `max_paths` paths (a
/// guard against a node with thousands of readers and thousands of producers); the counts are
/// then lower bounds, but a pattern's presence is all the analysis uses.
std::map<std::string, int64_t> PathPatterns(const std::vector<std::string>& ops,
                                            const std::vector<std::vector<int>>& successors,
                                            int min_n, int max_n, int64_t max_paths = 2000000);

/// How many operators a pattern names ("Conv->Relu" is 2).
int PatternLength(std::string_view pattern);

/// The patterns of a model: the top-level graph and each subgraph (If/Loop/Scan bodies) on its
/// own, since a subgraph's edges to its outer scope are not data edges between nodes that run
/// in sequence. Op types outside the default domain are named "domain:op_type", as in
/// GraphSummary::op_counts.
std::map<std::string, int64_t> ModelPatterns(const onnx::ModelProto& model, int min_n, int max_n);

}  // namespace convcheck::onnxio

#endif  // CONVCHECK_ONNX_PATTERNS_H_
