//===- pipeline/job.h - One convert-and-check job, stage by stage ---------===//
//
// source (build the model, reference outputs in its own framework, in the converter's Python
// environment) -> convert (converters/) -> validate (onnx checker, strict shape inference) -> run
// on each backend (backends/) -> compare with the reference -> verdict and blame.
//
// Each stage runs on its own, with its own timeout, so that a failure is charged to the stage
// where it happened: a hang while converting is converter_timeout, a shape difference found
// while comparing is incorrect_behavior, never a converter crash (the study's pipeline mixed
// them up under one try-block).
//
// Results are values: a converter that crashes gives a JobResult, not an error. A Status comes
// back only when convcheck itself cannot work (a worker cannot start, the scratch disk fails).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_PIPELINE_JOB_H_
#define CONVCHECK_PIPELINE_JOB_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "converters/converter.h"
#include "core/status.h"
#include "core/tensor.h"
#include "oracle/compare.h"
#include "oracle/tolerance.h"
#include "oracle/verdict.h"
#include "workers/session.h"

namespace convcheck::pipeline {

using backends::BackendOptions;

struct JobSpec {
  std::string source;                   // sources::ParseSource's canonical text.
  converters::ConverterSpec converter;  // Opset 0: the converter's default.
  int num_sets = 2;                     // Input sets: one input hides failures.
  uint64_t seed = 0;
  std::vector<Shape> input_shapes;  // Optional, see workers/README.md.
  std::vector<std::string> backends = {"ort"};
  BackendOptions backend_options;
  oracle::Tolerance tolerance;
  double timeout_s = 300;           // Per stage (and per request to a worker).
  std::string keep_dir;             // If set, the case is written there in the backend-test layout.
  bool keep_failures_only = false;  // Campaigns keep only failures: a pass's case is not written.
};

/// Checks a source and a converter for it before anything runs: the source parses, the converter
/// exists and converts the source's framework, the opset is in its range and the options are
/// its own. Returns the source's canonical text; InvalidArgument or NotFound otherwise.
StatusOr<std::string> CheckJob(const std::string& source, const converters::ConverterSpec& spec);

/// The result of one backend.
struct BackendResult {
  std::string backend;
  oracle::Verdict verdict = oracle::Verdict::kPass;
  std::string subtype;  // For incorrect_behavior.
  std::string stage;    // For runtime_error: load | run.
  std::string code;     // The engine's status code.
  std::string error;    // One line.
  std::optional<oracle::Comparison> comparison;
  double load_s = 0, run_s = 0;
};

struct JobResult {
  // What ran.
  std::string source;
  std::string model_path;               // For `check`: the model file.
  converters::ConverterSpec converter;  // Empty name for `check`.
  std::string env;                      // The Python environment that converted.
  std::vector<std::string> notes;       // What the converter reported doing (down-conversion).
  int opset_exported = 0;               // The converted model's default-domain opset.
  int num_sets = 0;
  uint64_t seed = 0;
  oracle::Tolerance tolerance;
  // What came out.
  oracle::Verdict verdict = oracle::Verdict::kPass;
  std::string subtype;    // incorrect_behavior's subtype; source_error: framework_mismatch.
  std::string stage;      // converter_crash: load_model | node_conversion | optimization |
                          // export | unknown; invalid_model: checker | shape_inference.
  std::string error;      // One line.
  std::string signature;  // Normalised error, for grouping failures.
  std::string node;       // invalid_model: the node concerned ("name (OpType)").
  std::vector<BackendResult> backends;
  nlohmann::json source_info;  // Inputs, outputs, family... as the Python worker reported them.
  nlohmann::json model_info;   // Opset, op counts... of the converted model.
  // Who is at fault, from how the engines agree (docs/verdicts.md): "" (pass), source,
  // converter, runtime:NAME[,NAME], or undetermined.
  std::string blame;
  std::string blame_reason;  // One line: the evidence.
  // Engines compared with each other (the first backend that ran against each other one).
  struct Agreement {
    std::string a, b;
    bool agree = false;
    double error_ratio = 0;  // Worst, with a's outputs as the reference.
  };
  std::vector<Agreement> agreements;
  std::vector<std::string> warnings;
  // Wall time per stage, in seconds, measured here: source, convert, validate, run:<backend>,
  // compare, keep, total.
  std::map<std::string, double> timings;
  // Time the tools themselves reported: build, inference (torch), export, <backend>.load,
  // <backend>.run; and worker_start (process start-up, e.g. importing torch).
  std::map<std::string, double> tool_time;
  std::string kept_dir;
};

/// Converts and checks one source.
StatusOr<JobResult> RunConvertJob(const JobSpec& spec, workers::Session& session);

struct CheckSpec {
  std::string model_path;
  std::string data_dir;  // Backend-test layout: test_data_set_N/{input,output}_K.pb.
  std::vector<std::string> backends = {"ort"};
  BackendOptions backend_options;
  oracle::Tolerance tolerance;
  double timeout_s = 300;
};

/// Validates an existing model and compares each backend's outputs with the stored ones. Bad
/// input (missing or corrupt model, no data sets) is a Status: the caller exits 2.
StatusOr<JobResult> RunCheckJob(const CheckSpec& spec, workers::Session& session);

/// The JSON record of a job (docs/json.md).
nlohmann::json ToJson(const JobResult& result);

/// Seconds the tools worked for the job (torch build, inference, export, the engines' load and
/// run): everything in tool_time but worker start-up.
double ToolSeconds(const JobResult& result);

/// The worst error of a job in a few characters for tables, e.g. "4.1e-06 (0.02x)", or "".
std::string WorstErrorText(const JobResult& result);

}  // namespace convcheck::pipeline

#endif  // CONVCHECK_PIPELINE_JOB_H_
