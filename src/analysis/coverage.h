//===- analysis/coverage.h - How much of one corpus's structure another reaches ===//
//
// A corpus is a set of models seen as operator patterns at the ONNX level: single operators,
// and sequences of 2 and 3 along data edges (onnx/patterns.h). "How much of what torchvision's
// models contain does a fuzzing campaign reach" is then the share of the first corpus's distinct
// patterns that occur in the second, per pattern length and per converter, and weighted by how
// many models of the first corpus hold each pattern (a pattern in every ResNet counts more than
// one in a single model).
//
// Two kinds of corpus: a campaign file (the converted graphs its jobs recorded), and generated
// models (`gen:seed=S,count=N[,nodes=A..B]`, their ONNX as the generator itself writes it, so
// without any converter running). Generation can be steered toward what a target corpus has
// and the generated models do not yet: GuidedWeights turns the patterns still missing into
// the generator's per-operator weights.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ANALYSIS_COVERAGE_H_
#define CONVCHECK_ANALYSIS_COVERAGE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "gen/generator.h"

namespace convcheck::analysis {

/// The models of a corpus as patterns, per converter ("" for generated models, which no
/// converter made).
struct Corpus {
  std::string name;
  // converter -> pattern -> models (jobs) holding it.
  std::map<std::string, std::map<std::string, int64_t>> patterns;
  std::map<std::string, int64_t> models;  // converter -> models with a converted graph.
  std::vector<std::string> notes;         // What is missing (e.g. no recorded sequences).
};

/// The patterns of every done job with a converted graph in a campaign file (read-only).
StatusOr<Corpus> LoadCampaignCorpus(const std::string& db_path);

/// Generated models: "gen:seed=S,count=N[,nodes=A..B][,ops=a+b]". InvalidArgument for text
/// that is not of that form.
struct GenCorpusSpec {
  uint64_t seed = 1;
  int64_t count = 100;
  gen::GenOptions options;
};
StatusOr<GenCorpusSpec> ParseGenCorpus(const std::string& text);

/// A campaign file, or "gen:..." (GenCorpusSpec), as a corpus. For generated models:
/// `target` (optional) is what `curve` (optional, one point per generated model) measures
/// against, and with `guided` the generation is steered toward what of it is still missing
/// (GuidedWeights).
struct CoveragePoint;
StatusOr<Corpus> LoadCorpus(const std::string& text, const Corpus* target = nullptr,
                            bool guided = false, std::vector<CoveragePoint>* curve = nullptr);

struct CoverageRow {
  std::string converter;     // Of the first corpus; "all" for every converter together.
  std::string by_converter;  // Whose patterns of the second corpus count ("all": any).
  int n = 1;
  int64_t patterns = 0, covered = 0;       // Distinct patterns of the first corpus.
  int64_t weight = 0, weight_covered = 0;  // The same counted once per model holding it.
  double share() const { return patterns == 0 ? 0.0 : static_cast<double>(covered) / patterns; }
  double weighted_share() const {
    return weight == 0 ? 0.0 : static_cast<double>(weight_covered) / weight;
  }
};

/// Coverage of `of` by `by`, for n = 1..3: per converter of `of` against the same converter
/// of `by` when `by` has it, else against all of `by`; and "all" against "all".
std::vector<CoverageRow> Coverage(const Corpus& of, const Corpus& by);

/// After each generated model: how many of the target's distinct patterns (all converters
/// together) the models so far hold, per n.
struct CoveragePoint {
  int64_t models = 0;
  int64_t covered[3] = {0, 0, 0};
  int64_t total[3] = {0, 0, 0};
};

/// The generator's operator weights (as its `coverage` argument: uses, fewer is likelier)
/// that favour the operators whose ONNX lowering appears in patterns of `missing`: each
/// operator counts the missing patterns that hold one of its ONNX op types.
std::map<std::string, int64_t> GuidedWeights(const std::set<std::string>& missing,
                                             const std::vector<std::string>& ops);

/// Which ONNX op types each generator operator is written as (by generating it alone and
/// emitting ONNX); operators that cannot be generated alone map to nothing.
const std::map<std::string, std::set<std::string>>& OnnxOpsOfGeneratorOps();

}  // namespace convcheck::analysis

#endif  // CONVCHECK_ANALYSIS_COVERAGE_H_
