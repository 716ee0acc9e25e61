//===- campaign/fuzz.h - Fuzzing campaigns: generated models as jobs ------===//
//
// A fuzzing campaign is a campaign whose sources are generated as it runs: each batch of models
// is generated, written as python sources next to the results file, planned into the store and
// run like any other job. Model i of seed S is generated from S * 1000000 + i, so the same
// command plans the same models again and a resumed run continues where the last one stopped.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_FUZZ_H_
#define CONVCHECK_CAMPAIGN_FUZZ_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "campaign/plan.h"
#include "campaign/store.h"
#include "core/status.h"
#include "gen/emit.h"
#include "gen/generator.h"

namespace convcheck::campaign {

struct FuzzOptions {
  gen::GenOptions gen;
  uint64_t seed = 0;
  int64_t count = 0;  // Models in the campaign; 0: as many as time allows.
  int64_t batch = 4;  // Models generated per call.
  PlanOptions plan;   // Opsets, backends, converter and its options, inputs, tolerance.
  // The forms each model is written in; every form goes through the requested converters that
  // take it, so one model reaches torch exporters, tf2onnx and ONNX-to-ONNX tools alike. With
  // kTensorFlow, gen.tensorflow must be set (only operators TensorFlow can express).
  std::vector<gen::Emitter> emitters = {gen::Emitter::kTorch};
};

/// The forms the converters take: torch for the torch exporters (and the fault-injection
/// doubles), tf for tf2onnx, onnx for the ONNX-to-ONNX tools; unknown names are skipped (the
/// plan refuses them).
std::vector<gen::Emitter> EmittersFor(const std::vector<std::string>& converters);

/// Parses "torch,tf,onnx".
StatusOr<std::vector<gen::Emitter>> ParseEmitters(const std::string& text);

/// The suite name the jobs are filed under:
/// fuzz:seed=S,nodes=MIN..MAX[,ops=..][,exclude=..][,emit=..] (emit when not torch alone).
std::string FuzzSuite(const FuzzOptions& options);

/// The seed of model `index`.
uint64_t FuzzModelSeed(uint64_t seed, int64_t index);

/// A RunOptions::more_jobs that generates the next batch into `<db>.artifacts/generated/`, and
/// plans a job per model and opset. The next model index is kept in the store's meta table.
std::function<StatusOr<std::vector<PlannedJob>>(Store&)> MakeFuzzFeeder(FuzzOptions options);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_FUZZ_H_
