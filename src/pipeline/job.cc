#include "pipeline/job.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/npy.h"
#include "onnx/data_set.h"
#include "onnx/model.h"
#include "onnx/patterns.h"
#include "oracle/calibrated.h"
#include "pipeline/blame.h"
#include "pipeline/onnx_source.h"
#include "sources/source.h"

namespace convcheck::pipeline {
namespace {

namespace fs = std::filesystem;
using oracle::Verdict;

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Messages from tools can be long and multi-line; results carry one line.
std::string OneLine(const std::string& text, size_t max_chars = 400) {
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!line.empty() && line.back() != ' ') line += ' ';
      continue;
    }
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > max_chars) line = line.substr(0, max_chars - 3) + "...";
  return line;
}

// A string field of a worker's JSON, "" when it is absent, null or not a string (a worker's
// answer is untrusted input: nlohmann's value() would throw on a null).
std::string JsonString(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// "RuntimeError: message" from a worker's error object.
std::string WorkerError(const nlohmann::json& response) {
  if (!response.contains("error") || !response["error"].is_object()) {
    return "the worker failed without an error message";
  }
  const nlohmann::json& e = response["error"];
  std::string type = e.value("type", "");
  std::string message = e.value("message", "");
  return OneLine(type.empty() ? message : type + ": " + message);
}

// Why a worker request did not get an answer, as one line.
std::string NoAnswer(const std::string& what, const workers::Reply& reply) {
  return what + " " + reply.detail;
}

std::string CaseSlug(const JobResult& r) {
  std::string base = r.source;
  if (base.rfind("python:", 0) == 0) base = "python:" + fs::path(base.substr(7)).stem().string();
  std::string slug;
  for (char c : base) slug += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  slug += "_opset" + std::to_string(r.converter.opset);
  for (char c : "_" + r.converter.name) {
    slug += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return slug;
}

StatusOr<std::vector<Tensor>> ReadNpySet(const std::string& dir, const char* prefix, size_t count) {
  std::vector<Tensor> tensors;
  for (size_t j = 0; j < count; ++j) {
    CC_ASSIGN_OR_RETURN(Tensor t, ReadNpy(dir + "/" + prefix + std::to_string(j) + ".npy"));
    tensors.push_back(std::move(t));
  }
  return tensors;
}

std::vector<std::string> StringList(const nlohmann::json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& v : value) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Runs every backend on the converted model and compares with the reference.
// Once per job: the reference outputs are the same for every backend.
void AddDegenerateWarnings(const oracle::Comparison& comparison, JobResult* result) {
  for (const auto& output : comparison.outputs) {
    if (output.degenerate.empty()) continue;
    std::string warning =
        "reference output '" + output.name + "' is " +
        (output.degenerate == "constant" ? "constant" : "the same for every input set") +
        ": the comparison cannot see most errors in it";
    if (std::find(result->warnings.begin(), result->warnings.end(), warning) ==
        result->warnings.end()) {
      result->warnings.push_back(warning);
    }
  }
}

Status RunBackends(const std::vector<std::string>& names, const BackendOptions& options,
                   const std::string& model_path, const std::vector<std::vector<Tensor>>& inputs,
                   const std::vector<std::vector<Tensor>>& expected,
                   const std::vector<std::string>& output_names, const oracle::Tolerance& tolerance,
                   double timeout_s, workers::Session& session, JobResult* result) {
  std::vector<std::pair<std::string, std::vector<std::vector<Tensor>>>> ran;
  // Runs of the engines the calibrated profile needs, kept for when they are also backends.
  std::map<std::string, backends::BackendRun> runs;
  auto run_engine = [&](const std::string& name) -> StatusOr<backends::BackendRun*> {
    auto it = runs.find(name);
    if (it != runs.end()) return &it->second;
    CC_ASSIGN_OR_RETURN(std::unique_ptr<backends::Backend> backend,
                        backends::MakeBackend(name, session, options));
    Stopwatch run_watch;
    CC_ASSIGN_OR_RETURN(backends::BackendRun run, backend->Run(model_path, inputs, timeout_s));
    result->timings["run:" + name] = run_watch.seconds();
    result->tool_time[name + ".load"] = run.load_s;
    result->tool_time[name + ".run"] = run.run_s;
    if (!output_names.empty() && run.failure == Verdict::kPass &&
        run.output_names.size() == output_names.size() && run.output_names != output_names) {
      // Engines return the graph's order; the reference is in the source's. tf2onnx sorts its
      // graph outputs by name as strings (output_10 before output_2): match them by name.
      std::vector<size_t> order;
      for (const std::string& wanted : output_names) {
        auto it = std::find(run.output_names.begin(), run.output_names.end(), wanted);
        if (it == run.output_names.end()) break;
        order.push_back(static_cast<size_t>(it - run.output_names.begin()));
      }
      if (order.size() == output_names.size()) {
        for (auto& set : run.outputs) {
          std::vector<Tensor> sorted;
          for (size_t k : order) {
            if (k < set.size()) sorted.push_back(std::move(set[k]));
          }
          set = std::move(sorted);
        }
        run.output_names = output_names;
      }
    }
    return &runs.emplace(name, std::move(run)).first->second;
  };
  // The calibrated profile: how far float32 rounding alone moves this graph's outputs.
  std::vector<double> allowances;
  const std::vector<std::vector<Tensor>>* converted64 = nullptr;
  if (tolerance.budget_factor > 0) {
    CC_ASSIGN_OR_RETURN(backends::BackendRun * f32, run_engine("ref"));
    CC_ASSIGN_OR_RETURN(backends::BackendRun * f64, run_engine("ref64"));
    if (f32->failure == Verdict::kPass && f64->failure == Verdict::kPass) {
      allowances = oracle::RoundingAllowances(f32->outputs, f64->outputs, tolerance.budget_factor);
      converted64 = &f64->outputs;
    } else {
      const backends::BackendRun& failed = f32->failure != Verdict::kPass ? *f32 : *f64;
      result->warnings.push_back("calibrated tolerance: no rounding budget (" +
                                 std::string(f32->failure != Verdict::kPass ? "ref" : "ref64") +
                                 " could not run the model: " + OneLine(failed.message) +
                                 "); the profile's rule alone applies");
    }
  }
  for (const std::string& name : names) {
    CC_ASSIGN_OR_RETURN(backends::BackendRun * run_ptr, run_engine(name));
    // A copy while the calibration needs ref64's outputs for every backend's comparison.
    backends::BackendRun run = converted64 == nullptr ? std::move(*run_ptr) : *run_ptr;
    BackendResult br;
    br.backend = name;
    br.load_s = run.load_s;
    br.run_s = run.run_s;
    if (run.failure != Verdict::kPass) {
      br.verdict = run.failure;
      br.stage = run.stage;
      br.code = run.code;
      br.error = OneLine(run.message);
    } else {
      Stopwatch compare_watch;
      std::vector<std::string> names_for_outputs =
          output_names.empty() ? run.output_names : output_names;
      oracle::Comparison comparison = oracle::CompareCalibrated(
          expected, run.outputs, tolerance, allowances, converted64, names_for_outputs);
      result->timings["compare"] += compare_watch.seconds();
      AddDegenerateWarnings(comparison, result);
      if (!comparison.pass()) {
        br.verdict = Verdict::kIncorrectBehavior;
        br.subtype = comparison.subtype;
        br.error = comparison.Summary();
      }
      br.comparison = std::move(comparison);
    }
    if (run.failure == Verdict::kPass) ran.emplace_back(name, std::move(run.outputs));
    result->backends.push_back(std::move(br));
  }
  // The engines against each other: agreeing engines that both differ from PyTorch point at the
  // converted model, not at a runtime.
  for (size_t i = 1; i < ran.size(); ++i) {
    oracle::Comparison cross =
        oracle::CompareOutputs(ran[0].second, ran[i].second, tolerance, {}, allowances);
    const oracle::OutputComparison* worst = cross.Worst();
    result->agreements.push_back(
        {ran[0].first, ran[i].first, cross.pass(), worst ? worst->error_ratio : 0.0});
  }
  return Status::Ok();
}

// Blame from the verdicts and the engines' agreement (pipeline/blame.h, docs/verdicts.md).
void Attribute(JobResult* result, bool reference_is_source) {
  std::vector<EngineOutcome> engines;
  for (const auto& b : result->backends) engines.push_back({b.backend, b.verdict});
  std::vector<EngineAgreement> agreements;
  for (const auto& a : result->agreements) agreements.push_back({a.a, a.b, a.agree});
  Blame blame = DecideBlame(result->verdict, engines, agreements, reference_is_source);
  if (result->verdict == Verdict::kIncorrectBehavior && result->subtype == oracle::kPrecision) {
    // oracle/calibrated.h: the graph in float64 matches the source, in float32 it does not.
    blame = {reference_is_source ? "converter" : "model",
             "precision: the converted model is right in float64 (ref64 matches the reference) "
             "and wrong in float32 beyond the tolerance: a numerically unstable lowering"};
  }
  result->blame = std::move(blame.who);
  result->blame_reason = std::move(blame.reason);
}

// The job's verdict when no stage before the backends failed: the worst backend's.
void SetVerdictFromBackends(JobResult* result) {
  const BackendResult* worst = nullptr;
  for (const auto& br : result->backends) {
    if (!worst || oracle::Worse(worst->verdict, br.verdict) != worst->verdict) worst = &br;
  }
  if (!worst || worst->verdict == Verdict::kPass) return;
  result->verdict = worst->verdict;
  result->subtype = worst->subtype;
  result->stage = worst->stage;
  result->error =
      worst->backend + (worst->code.empty() ? "" : " " + worst->code) + ": " + worst->error;
  if (worst->verdict == Verdict::kRuntimeError) {
    result->signature = worst->backend + " " + worst->code;
  } else if (worst->verdict == Verdict::kIncorrectBehavior) {
    result->signature = worst->backend + " " + worst->subtype;
  } else {
    result->signature = worst->backend + " " + std::string(oracle::VerdictName(worst->verdict));
  }
}

// Whether Debian's onnx 1.12 C++ checker knows everything the model uses: IR version 8 and
// opset 17 of the default domain at most (3 for ai.onnx.ml). Beyond that it rejects correct
// models ("ir_version 9 is higher than the checker's"), so onnx 1.23's checker decides instead.
bool OldCheckerKnows(const onnx::ModelProto& model) {
  if (model.ir_version() > 8) return false;
  for (const auto& opset : model.opset_import()) {
    const std::string& domain = opset.domain();
    if ((domain.empty() || domain == "ai.onnx") && opset.version() > 17) return false;
    if (domain == "ai.onnx.ml" && opset.version() > 3) return false;
  }
  return true;
}

// onnx 1.23's checker (full check) and strict shape inference with type checking, in the Python
// worker of the onnx environment.
StatusOr<std::optional<onnxio::ValidationIssue>> ValidateWithCurrentOnnx(
    const std::string& model_path, double timeout_s, workers::Session& session, JobResult* result) {
  CC_ASSIGN_OR_RETURN(workers::Worker * worker, session.Python("onnx"));
  workers::Reply reply = worker->Call({{"op", "check_model"}, {"model", model_path}}, timeout_s);
  if (reply.kind == workers::ReplyKind::kStartFailed) return FailedPrecondition(reply.detail);
  if (!reply.ok()) {
    // The checker itself crashed or hung on the model: the model is the cause, record it.
    return std::optional<onnxio::ValidationIssue>(onnxio::ValidationIssue{
        "checker",
        reply.kind == workers::ReplyKind::kAnswered ? WorkerError(reply.response)
                                                    : NoAnswer("onnx checker process", reply),
        "", ""});
  }
  const nlohmann::json& r = reply.response;
  const std::string checker = JsonString(r, "checker");
  result->model_info["checker"] = checker.empty() ? "onnx (python)" : checker;
  if (r.contains("valid") && r["valid"].is_boolean() && r["valid"].get<bool>()) {
    return std::optional<onnxio::ValidationIssue>();
  }
  const std::string check = JsonString(r, "check");
  return std::optional<onnxio::ValidationIssue>(
      onnxio::ValidationIssue{check.empty() ? "checker" : check, OneLine(JsonString(r, "message")),
                              JsonString(r, "node_name"), JsonString(r, "op_type")});
}

// Validates the model file; sets invalid_model on `result` when it breaks the spec. Fills
// model_info when it can be read at all. A Status only when the checker cannot be run at all.
Status ValidateStage(const std::string& model_path, double timeout_s, workers::Session& session,
                     JobResult* result) {
  StatusOr<onnx::ModelProto> model = onnxio::LoadModel(model_path);
  if (!model.ok()) {
    result->verdict = Verdict::kInvalidModel;
    result->stage = "load";
    result->error = OneLine(model.status().message());
    result->signature = "invalid_model load";
    return Status::Ok();
  }
  onnxio::GraphSummary summary = onnxio::Summarize(*model);
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (const auto& v : summary.inputs) {
    inputs.push_back({{"name", v.name}, {"dtype", DataTypeName(v.dtype)}, {"dims", v.dims}});
  }
  for (const auto& v : summary.outputs) {
    outputs.push_back({{"name", v.name}, {"dtype", DataTypeName(v.dtype)}, {"dims", v.dims}});
  }
  result->model_info = {{"opset", summary.opset},
                        {"ir_version", summary.ir_version},
                        {"producer", summary.producer},
                        {"num_nodes", summary.num_nodes},
                        {"op_counts", summary.op_counts},
                        {"inputs", inputs},
                        {"outputs", outputs}};
  result->op_sequences = onnxio::ModelPatterns(*model, 2, 3);
  std::optional<onnxio::ValidationIssue> issue;
  if (OldCheckerKnows(*model)) {
    result->model_info["checker"] = "onnx 1.12 (C++)";
    issue = onnxio::ValidateModel(*model, model_path);
  } else {
    CC_ASSIGN_OR_RETURN(issue, ValidateWithCurrentOnnx(model_path, timeout_s, session, result));
  }
  if (issue) {
    result->verdict = Verdict::kInvalidModel;
    result->stage = issue->check;
    result->error = OneLine(issue->message);
    if (!issue->node_name.empty() || !issue->op_type.empty()) {
      result->node = issue->node_name + (issue->op_type.empty() ? "" : " (" + issue->op_type + ")");
    }
    result->signature =
        "invalid_model " + issue->check + (issue->op_type.empty() ? "" : " " + issue->op_type);
  }
  return Status::Ok();
}

// The source's input sets in the order of the converted model's graph inputs, matched by name
// (`input_names[j]` is what the converter called source input j). A converter may drop an input
// the model never reads; feeding it anyway would be a false runtime_error, so it is left out
// with a warning. A graph input no source input maps to cannot be fed: InvalidArgument.
StatusOr<std::vector<std::vector<Tensor>>> BindInputs(
    const std::vector<std::vector<Tensor>>& inputs, const std::vector<std::string>& input_names,
    JobResult* result) {
  if (input_names.empty() || !result->model_info.contains("inputs")) return inputs;
  std::vector<std::string> graph_inputs;
  for (const auto& v : result->model_info["inputs"]) graph_inputs.push_back(v.value("name", ""));
  if (graph_inputs == input_names) return inputs;
  std::vector<size_t> order;
  for (const std::string& name : graph_inputs) {
    auto it = std::find(input_names.begin(), input_names.end(), name);
    if (it == input_names.end()) {
      return InvalidArgument("the converted model's graph input '" + name +
                             "' is none of the source's inputs");
    }
    order.push_back(static_cast<size_t>(it - input_names.begin()));
  }
  for (size_t j = 0; j < input_names.size(); ++j) {
    if (std::find(order.begin(), order.end(), j) == order.end()) {
      result->warnings.push_back("the converter dropped source input " + std::to_string(j) + " ('" +
                                 input_names[j] +
                                 "'), which the model does not read; it is not fed");
    }
  }
  std::vector<std::vector<Tensor>> bound;
  for (const auto& set : inputs) {
    std::vector<Tensor> tensors;
    for (size_t j : order) {
      if (j < set.size()) tensors.push_back(set[j]);
    }
    bound.push_back(std::move(tensors));
  }
  return bound;
}

// A hard link costs nothing for a model of hundreds of MB (campaigns keep every case until they
// know whether it is needed; the scratch files are never written again); a copy where links
// cannot be made.
Status LinkOrCopy(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  }
  if (ec) {
    return FailedPrecondition("cannot copy '" + from.string() + "' to '" + to.string() +
                              "': " + ec.message());
  }
  return Status::Ok();
}

Status KeepCase(const JobSpec& spec, const std::string& model_path,
                const std::vector<std::vector<Tensor>>& inputs,
                const std::vector<std::vector<Tensor>>& expected,
                const std::vector<std::string>& input_names,
                const std::vector<std::string>& output_names, JobResult* result) {
  std::string dir = spec.keep_dir + "/" + CaseSlug(*result);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return FailedPrecondition("cannot create '" + dir + "': " + ec.message());
  if (!model_path.empty() && fs::exists(model_path)) {
    CC_RETURN_IF_ERROR(LinkOrCopy(model_path, dir + "/model.onnx"));
    // External data: torch.onnx writes the weights of models over 2 GiB as files beside the
    // model; the case is incomplete without them.
    for (const auto& entry : fs::directory_iterator(fs::path(model_path).parent_path(), ec)) {
      if (!entry.is_regular_file() || entry.path() == fs::path(model_path)) continue;
      CC_RETURN_IF_ERROR(LinkOrCopy(entry.path(), dir + "/" + entry.path().filename().string()));
    }
  }
  for (size_t s = 0; s < inputs.size(); ++s) {
    onnxio::DataSet set;
    set.inputs = inputs[s];
    set.outputs = s < expected.size() ? expected[s] : std::vector<Tensor>{};
    for (size_t j = 0; j < set.inputs.size(); ++j) {
      set.input_names.push_back(j < input_names.size() ? input_names[j]
                                                       : "input_" + std::to_string(j));
    }
    for (size_t k = 0; k < set.outputs.size(); ++k) {
      set.output_names.push_back(k < output_names.size() ? output_names[k]
                                                         : "output_" + std::to_string(k));
    }
    CC_RETURN_IF_ERROR(onnxio::WriteDataSet(dir, static_cast<int>(s), set));
  }
  result->kept_dir = dir;
  std::ofstream json(dir + "/result.json");
  json << ToJson(*result).dump(2) << "\n";
  if (!json) return FailedPrecondition("cannot write '" + dir + "/result.json'");
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> CheckJob(const std::string& source_text,
                               const converters::ConverterSpec& spec) {
  CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource(source_text));
  CC_ASSIGN_OR_RETURN(converters::Resolved converter, converters::Resolve(spec.name, source));
  if (spec.opset != 0) CC_RETURN_IF_ERROR(converters::CheckOpset(converter, spec.opset));
  for (const auto& [key, value] : spec.options.items()) {
    converters::OptionValues probe(*converter.def);
    CC_RETURN_IF_ERROR(probe.Set(*converter.def, key, value));
  }
  return source.text;
}

StatusOr<JobResult> RunConvertJob(const JobSpec& spec, workers::Session& session) {
  Stopwatch total;
  JobResult result;
  result.num_sets = spec.num_sets;
  result.seed = spec.seed;
  result.tolerance = spec.tolerance;

  // The source and the converter were checked by the caller (CheckJob); checking again here
  // costs nothing and keeps a hand-edited campaign file from running a job it cannot describe.
  CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource(spec.source));
  CC_ASSIGN_OR_RETURN(converters::Resolved converter,
                      converters::Resolve(spec.converter.name, source));
  result.source = source.text;
  result.converter.name = converter.name;
  result.converter.opset =
      spec.converter.opset != 0 ? spec.converter.opset : converter.def->default_opset;
  CC_RETURN_IF_ERROR(converters::CheckOpset(converter, result.converter.opset));
  result.converter.options = converters::OptionValues(*converter.def);
  for (const auto& [key, value] : spec.converter.options.items()) {
    CC_RETURN_IF_ERROR(result.converter.options.Set(*converter.def, key, value));
  }
  result.env = converter.env;

  CC_ASSIGN_OR_RETURN(std::string job_dir, session.NewDir("job"));
  CC_ASSIGN_OR_RETURN(workers::Worker * python, session.Python(converter.env));
  auto start_python = [&]() -> Status {
    if (python->running()) return Status::Ok();
    Stopwatch start;
    Status started = python->Start();
    result.tool_time["worker_start"] += start.seconds();
    return started;
  };
  CC_RETURN_IF_ERROR(start_python());

  nlohmann::json shapes = nullptr;
  if (!spec.input_shapes.empty()) shapes = spec.input_shapes;
  auto finish = [&]() -> StatusOr<JobResult> {
    Attribute(&result, /*reference_is_source=*/true);
    result.timings["total"] = total.seconds();
    return result;
  };

  // Stage 1: the source model and its reference outputs.
  std::vector<std::vector<Tensor>> inputs, expected;
  std::vector<std::string> input_names, output_names;
  if (source.framework == sources::Framework::kOnnx) {
    // An ONNX-to-ONNX tool's source: the original model on ref64 is the reference.
    Stopwatch watch;
    CC_ASSIGN_OR_RETURN(std::optional<OnnxReference> reference,
                        BuildOnnxReference(spec, source.rest, session, &result));
    result.timings["source"] = watch.seconds();
    if (!reference) return finish();
    inputs = std::move(reference->inputs);
    expected = std::move(reference->expected);
  } else {
    Stopwatch watch;
    std::string source_dir = job_dir + "/source";
    workers::Reply reply = python->Call({{"op", "load_source"},
                                         {"source", spec.source},
                                         {"seed", spec.seed},
                                         {"num_sets", spec.num_sets},
                                         {"input_shapes", shapes},
                                         {"out_dir", source_dir}},
                                        spec.timeout_s);
    result.timings["source"] = watch.seconds();
    if (reply.kind == workers::ReplyKind::kStartFailed) {
      return FailedPrecondition(reply.detail);
    }
    if (!reply.ok()) {
      result.verdict = Verdict::kSourceError;
      result.error = reply.kind == workers::ReplyKind::kAnswered
                         ? WorkerError(reply.response)
                         : NoAnswer("python worker, building the source model:", reply);
      result.signature = "source_error";
      if (reply.kind == workers::ReplyKind::kAnswered &&
          reply.response.value("error", nlohmann::json::object()).value("type", "") ==
              "FrameworkMismatch") {
        // The source is of the other framework: a usage error for `convert`, a recorded
        // source_error (with its reason) in a campaign.
        result.subtype = "framework_mismatch";
        result.signature = "source_error framework_mismatch";
      }
      return finish();
    }
    const nlohmann::json& r = reply.response;
    result.source_info = {{"inputs", r.value("inputs", nlohmann::json::array())},
                          {"outputs", r.value("outputs", nlohmann::json::array())},
                          {"info", r.value("info", nlohmann::json::object())}};
    if (r.contains("elapsed_s")) {
      result.tool_time["build"] = r["elapsed_s"].value("build", 0.0);
      result.tool_time["inference"] = r["elapsed_s"].value("inference", 0.0);
    }
    const size_t num_inputs = r.value("inputs", nlohmann::json::array()).size();
    const size_t num_outputs = r.value("outputs", nlohmann::json::array()).size();
    for (int s = 0; s < r.value("num_sets", spec.num_sets); ++s) {
      std::string set_dir = source_dir + "/test_data_set_" + std::to_string(s);
      CC_ASSIGN_OR_RETURN(std::vector<Tensor> in, ReadNpySet(set_dir, "input_", num_inputs));
      CC_ASSIGN_OR_RETURN(std::vector<Tensor> out, ReadNpySet(set_dir, "output_", num_outputs));
      inputs.push_back(std::move(in));
      expected.push_back(std::move(out));
    }
  }

  // Stage 2: conversion.
  std::string model_path = job_dir + "/model.onnx";
  {
    CC_RETURN_IF_ERROR(start_python());
    Stopwatch watch;
    workers::Reply reply = python->Call({{"op", "export"},
                                         {"source", spec.source},
                                         {"seed", spec.seed},
                                         {"num_sets", spec.num_sets},
                                         {"input_shapes", shapes},
                                         {"converter", converter.name},
                                         {"opset", result.converter.opset},
                                         {"options", result.converter.options.ToJson()},
                                         {"out_path", model_path}},
                                        spec.timeout_s);
    result.timings["convert"] = watch.seconds();
    if (reply.kind == workers::ReplyKind::kStartFailed) return FailedPrecondition(reply.detail);
    if (reply.kind == workers::ReplyKind::kTimeout) {
      result.verdict = Verdict::kConverterTimeout;
      result.error = "converter " + converter.name + " did not finish within " +
                     std::to_string(static_cast<int>(spec.timeout_s)) + " s";
      result.signature = "converter_timeout";
    } else if (reply.kind != workers::ReplyKind::kAnswered) {
      result.verdict = Verdict::kConverterCrash;
      // Passing the memory limit says more about this machine than about the converter: its
      // own stage keeps such jobs apart from real crashes in tables and failure groups.
      const bool memory = reply.kind == workers::ReplyKind::kMemoryExceeded;
      result.stage = memory ? "memory_limit" : "unknown";
      result.error = NoAnswer("converter process", reply);
      result.signature = memory ? "converter process passed the memory limit"
                                : "converter process " + reply.detail;
    } else if (!reply.ok() &&
               reply.response.value("error", nlohmann::json::object()).value("stage", "") ==
                   "source") {
      // The worker was restarted and could not rebuild the source model: not the converter.
      result.verdict = Verdict::kSourceError;
      result.error = WorkerError(reply.response);
      result.signature = "source_error";
    } else if (!reply.ok()) {
      const nlohmann::json& e = reply.response.value("error", nlohmann::json::object());
      result.verdict = Verdict::kConverterCrash;
      result.stage = e.value("stage", "unknown");
      result.error = WorkerError(reply.response);
      result.signature = e.value("signature", result.error);
    } else {
      const nlohmann::json& r = reply.response;
      if (r.contains("elapsed_s")) result.tool_time["export"] = r["elapsed_s"].value("export", 0.0);
      input_names = StringList(r.value("input_names", nlohmann::json::array()));
      output_names = StringList(r.value("output_names", nlohmann::json::array()));
      result.warnings = StringList(r.value("warnings", nlohmann::json::array()));
      result.notes = StringList(r.value("notes", nlohmann::json::array()));
    }
  }

  if (result.verdict == Verdict::kPass) {
    // Stage 3: is the model valid ONNX?
    Stopwatch watch;
    CC_RETURN_IF_ERROR(ValidateStage(model_path, spec.timeout_s, session, &result));
    result.timings["validate"] = watch.seconds();
    if (result.model_info.contains("opset")) {
      result.opset_exported = result.model_info["opset"].get<int>();
    }
    // Stage 4: the backends. An invalid model still runs: whether an engine accepts it anyway,
    // and what it computes, is part of the finding. A model file that cannot be read cannot run.
    if (!(result.verdict == Verdict::kInvalidModel && result.stage == "load")) {
      Verdict before = result.verdict;
      CC_ASSIGN_OR_RETURN(std::vector<std::vector<Tensor>> bound,
                          BindInputs(inputs, input_names, &result));
      CC_RETURN_IF_ERROR(RunBackends(spec.backends, spec.backend_options, model_path, bound,
                                     expected, output_names, spec.tolerance, spec.timeout_s,
                                     session, &result));
      if (before == Verdict::kPass) SetVerdictFromBackends(&result);
    }
  }

  Attribute(&result, /*reference_is_source=*/true);
  if (!spec.keep_dir.empty() && !(spec.keep_failures_only && result.verdict == Verdict::kPass)) {
    Stopwatch watch;
    result.timings["total"] = total.seconds();
    CC_RETURN_IF_ERROR(KeepCase(spec, fs::exists(model_path) ? model_path : "", inputs, expected,
                                input_names, output_names, &result));
    result.timings["keep"] = watch.seconds();
  }
  return finish();
}

StatusOr<JobResult> RunCheckJob(const CheckSpec& spec, workers::Session& session) {
  Stopwatch total;
  JobResult result;
  result.source = spec.model_path;
  result.model_path = spec.model_path;
  result.converter.name = "";
  result.converter.opset = 0;
  result.tolerance = spec.tolerance;
  // Bad input is the user's problem, not a finding: a file that cannot be read at all.
  CC_ASSIGN_OR_RETURN(onnx::ModelProto model, onnxio::LoadModel(spec.model_path));
  (void)model;
  CC_ASSIGN_OR_RETURN(std::vector<onnxio::DataSet> sets, onnxio::ReadDataSets(spec.data_dir));
  std::vector<std::vector<Tensor>> inputs, expected;
  std::vector<std::string> output_names;
  for (auto& set : sets) {
    if (set.outputs.empty()) {
      return InvalidArgument("data directory '" + spec.data_dir +
                             "': a test data set has no output_K.pb files to compare with");
    }
    if (output_names.empty()) output_names = set.output_names;
    inputs.push_back(std::move(set.inputs));
    expected.push_back(std::move(set.outputs));
  }
  result.num_sets = static_cast<int>(sets.size());

  Stopwatch watch;
  CC_RETURN_IF_ERROR(ValidateStage(spec.model_path, spec.timeout_s, session, &result));
  result.timings["validate"] = watch.seconds();
  if (result.model_info.contains("opset")) result.converter.opset = result.model_info["opset"];
  Verdict before = result.verdict;
  CC_RETURN_IF_ERROR(RunBackends(spec.backends, spec.backend_options, spec.model_path, inputs,
                                 expected, output_names, spec.tolerance, spec.timeout_s, session,
                                 &result));
  if (before == Verdict::kPass) SetVerdictFromBackends(&result);
  Attribute(&result, /*reference_is_source=*/false);
  result.timings["total"] = total.seconds();
  return result;
}

namespace {
nlohmann::json JsonDouble(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}
}  // namespace

nlohmann::json ToJson(const JobResult& r) {
  nlohmann::json agreements = nlohmann::json::array();
  for (const auto& a : r.agreements) {
    agreements.push_back(
        {{"a", a.a}, {"b", a.b}, {"agree", a.agree}, {"error_ratio", JsonDouble(a.error_ratio)}});
  }
  nlohmann::json backends = nlohmann::json::array();
  for (const auto& b : r.backends) {
    nlohmann::json jb = {{"backend", b.backend}, {"verdict", oracle::VerdictName(b.verdict)},
                         {"subtype", b.subtype}, {"stage", b.stage},
                         {"code", b.code},       {"error", b.error},
                         {"load_s", b.load_s},   {"run_s", b.run_s}};
    jb["comparison"] = b.comparison ? oracle::ToJson(*b.comparison) : nlohmann::json(nullptr);
    backends.push_back(std::move(jb));
  }
  nlohmann::json timings = nlohmann::json::object(), tool_time = nlohmann::json::object();
  for (const auto& [k, v] : r.timings) timings[k] = JsonDouble(v);
  for (const auto& [k, v] : r.tool_time) tool_time[k] = JsonDouble(v);
  return {
      {"source", r.source},
      {"converter", r.converter.name},
      {"opset", r.converter.opset},
      {"options", r.converter.options.ToJson()},
      {"env", r.env},
      {"opset_exported", r.opset_exported},
      {"notes", r.notes},
      {"seed", r.seed},
      {"num_sets", r.num_sets},
      {"tolerance",
       {{"profile", r.tolerance.profile},
        {"atol", r.tolerance.atol},
        {"rtol", r.tolerance.rtol},
        {"scale_atol", r.tolerance.scale_atol},
        {"rule", r.tolerance.Describe()}}},
      {"verdict", oracle::VerdictName(r.verdict)},
      {"symptom", oracle::StudySymptom(r.verdict)},
      {"subtype", r.subtype},
      {"stage", r.stage},
      {"error", r.error},
      {"signature", r.signature},
      {"node", r.node},
      {"backends", backends},
      {"source_info", r.source_info.is_null() ? nlohmann::json::object() : r.source_info},
      {"model", r.model_info.is_null() ? nlohmann::json::object() : r.model_info},
      {"blame", r.blame},
      {"blame_reason", r.blame_reason},
      {"agreements", agreements},
      {"warnings", r.warnings},
      {"timings", timings},
      {"tool_time", tool_time},
      {"kept", r.kept_dir},
  };
}

double ToolSeconds(const JobResult& result) {
  double seconds = 0;
  for (const auto& [stage, value] : result.tool_time) {
    if (stage != "worker_start") seconds += value;
  }
  return seconds;
}

std::string WorstErrorText(const JobResult& r) {
  const oracle::OutputComparison* worst = nullptr;
  for (const auto& b : r.backends) {
    if (!b.comparison) continue;
    const oracle::OutputComparison* w = b.comparison->Worst();
    if (w && (!worst || w->error_ratio > worst->error_ratio)) worst = w;
  }
  if (!worst) return "";
  char buf[64];
  if (std::isinf(worst->error_ratio)) {
    std::snprintf(buf, sizeof(buf), "%.2g (inf)", worst->max_abs_error);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2g (%.2gx)", worst->max_abs_error, worst->error_ratio);
  }
  return buf;
}

}  // namespace convcheck::pipeline
