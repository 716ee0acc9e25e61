#include "localize/onnx_reduce.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "campaign/signature.h"
#include "interp/executor.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"
#include "oracle/compare.h"

namespace convcheck::localize {
namespace {

namespace fs = std::filesystem;

// Names a node reads inside its subgraphs (If, Loop, Scan): the outer values they capture.
void SubgraphReads(const onnx::NodeProto& node, std::vector<std::string>* names) {
  for (const auto& attr : node.attribute()) {
    std::vector<const onnx::GraphProto*> graphs;
    if (attr.has_g()) graphs.push_back(&attr.g());
    for (const auto& g : attr.graphs()) graphs.push_back(&g);
    for (const onnx::GraphProto* g : graphs) {
      for (const auto& inner : g->node()) {
        for (const auto& in : inner.input()) names->push_back(in);
        SubgraphReads(inner, names);
      }
    }
  }
}

std::vector<std::string> Reads(const onnx::NodeProto& node) {
  std::vector<std::string> names(node.input().begin(), node.input().end());
  SubgraphReads(node, &names);
  return names;
}

void SetType(onnx::ValueInfoProto* info, const Tensor& t) {
  auto* type = info->mutable_type()->mutable_tensor_type();
  type->set_elem_type(static_cast<int>(t.dtype()));
  auto* shape = type->mutable_shape();
  for (int64_t d : t.shape()) shape->add_dim()->set_dim_value(d);
}

Tensor AsTypeOf(const Tensor& x, const Tensor& other) {
  if (x.dtype() == DataType::kFloat64 && other.dtype() != DataType::kFloat64 &&
      IsFloatingPoint(other.dtype())) {
    return interp::CastTensor(x, other.dtype());
  }
  return x;
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// Runs candidates and says how they fail.
class Tester {
 public:
  Tester(const OnnxReduceOptions& options, workers::Session& session)
      : options_(options), session_(session) {}

  Status Init() {
    CC_ASSIGN_OR_RETURN(
        engine_, backends::MakeBackend(options_.backend, session_, options_.backend_options));
    CC_ASSIGN_OR_RETURN(reference_,
                        backends::MakeBackend("ref64", session_, options_.backend_options));
    return Status::Ok();
  }

  // The signature of `c` for `kind` ("" when it does not fail that way); `expected` receives
  // ref64's outputs when it ran.
  StatusOr<std::string> Signature(const std::string& path, const OnnxCase& c, OnnxFailureKind kind,
                                  std::vector<std::vector<Tensor>>* expected = nullptr,
                                  std::vector<std::string>* names = nullptr) {
    CC_RETURN_IF_ERROR(onnxio::SaveModel(c.model, path));
    if (expected != nullptr && kind != OnnxFailureKind::kMismatch) {
      // The reduced case's expected outputs, whatever the kind (the mismatch test has them).
      CC_ASSIGN_OR_RETURN(backends::BackendRun ref,
                          reference_->Run(path, c.inputs, options_.timeout_s));
      if (ref.failure == oracle::Verdict::kPass) {
        *expected = ref.outputs;
        *names = ref.output_names;
      }
    }
    if (kind == OnnxFailureKind::kInvalid) return Invalid(path);
    CC_ASSIGN_OR_RETURN(backends::BackendRun run, engine_->Run(path, c.inputs, options_.timeout_s));
    if (kind == OnnxFailureKind::kRuntime) {
      if (run.failure == oracle::Verdict::kPass) return std::string();
      return options_.backend + "|" + std::string(oracle::VerdictName(run.failure)) + "|" +
             run.stage + "|" + run.code + "|" + campaign::NormalizeMessage(OneLine(run.message));
    }
    if (run.failure != oracle::Verdict::kPass) return std::string();
    CC_ASSIGN_OR_RETURN(backends::BackendRun ref,
                        reference_->Run(path, c.inputs, options_.timeout_s));
    if (ref.failure != oracle::Verdict::kPass) return std::string();
    for (size_t s = 0; s < ref.outputs.size() && s < run.outputs.size(); ++s) {
      for (size_t k = 0; k < ref.outputs[s].size() && k < run.outputs[s].size(); ++k) {
        ref.outputs[s][k] = AsTypeOf(ref.outputs[s][k], run.outputs[s][k]);
      }
    }
    if (expected != nullptr) *expected = ref.outputs;
    if (names != nullptr) *names = ref.output_names;
    oracle::Comparison comparison =
        oracle::CompareOutputs(ref.outputs, run.outputs, options_.tolerance, ref.output_names);
    if (comparison.pass()) return std::string();
    // Which output fails changes as nodes go; the kind of difference must not.
    return options_.backend + "|incorrect_behavior|" + comparison.subtype;
  }

 private:
  // ONNX 1.23's checker and strict shape inference, in the onnx environment's worker.
  StatusOr<std::string> Invalid(const std::string& path) {
    CC_ASSIGN_OR_RETURN(workers::Worker * worker, session_.Python("onnx"));
    workers::Reply reply =
        worker->Call({{"op", "check_model"}, {"model", path}}, options_.timeout_s);
    if (reply.kind == workers::ReplyKind::kStartFailed) return FailedPrecondition(reply.detail);
    if (!reply.ok()) return std::string("invalid_model|checker crashed");
    const nlohmann::json& r = reply.response;
    if (r.value("valid", false)) return std::string();
    // node_name and op_type are null when the message names no node.
    auto text = [&r](const char* key) {
      return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : std::string();
    };
    return "invalid_model|" + text("check") + "|" + text("op_type");
  }

  const OnnxReduceOptions& options_;
  workers::Session& session_;
  std::unique_ptr<backends::Backend> engine_, reference_;
};

}  // namespace

std::string_view OnnxFailureKindName(OnnxFailureKind kind) {
  switch (kind) {
    case OnnxFailureKind::kRuntime:
      return "runtime";
    case OnnxFailureKind::kMismatch:
      return "mismatch";
    case OnnxFailureKind::kInvalid:
      return "invalid";
  }
  return "?";
}

std::set<std::string> ConstantValues(const onnx::GraphProto& graph) {
  std::set<std::string> constants;
  for (const auto& init : graph.initializer()) constants.insert(init.name());
  // A graph input with an initializer of the same name can be overridden: not a constant.
  for (const auto& in : graph.input()) constants.erase(in.name());
  for (const auto& node : graph.node()) {
    // Random generators and subgraph nodes are left alone: neither folds.
    if (node.op_type().rfind("Random", 0) == 0 || node.op_type() == "Multinomial") continue;
    bool all = true;
    std::vector<std::string> reads = Reads(node);
    for (const auto& in : reads) {
      if (!in.empty() && !constants.count(in)) all = false;
    }
    if (!all) continue;
    for (const auto& out : node.output()) {
      if (!out.empty()) constants.insert(out);
    }
  }
  return constants;
}

std::optional<OnnxCase> CutCase(const OnnxCase& base, const std::vector<int>& keep,
                                const CapturedRun& captured,
                                const std::set<std::string>& constants) {
  const onnx::GraphProto& g = base.model.graph();
  std::map<std::string, const onnx::TensorProto*> initializers;
  for (const auto& init : g.initializer()) initializers[init.name()] = &init;
  std::map<std::string, int> input_index;  // Among inputs that are not initializers.
  std::map<std::string, const onnx::ValueInfoProto*> input_info;
  for (const auto& in : g.input()) {
    if (initializers.count(in.name())) continue;
    input_index[in.name()] = static_cast<int>(input_index.size());
    input_info[in.name()] = &in;
  }
  std::set<std::string> produced;
  std::vector<std::string> reads;
  std::set<std::string> read_set;
  for (int n : keep) {
    for (const auto& in : Reads(g.node(n))) {
      if (!in.empty() && read_set.insert(in).second) reads.push_back(in);
    }
  }
  for (int n : keep) {
    for (const auto& out : g.node(n).output()) {
      if (!out.empty()) produced.insert(out);
    }
  }
  // Values the top level defines; a subgraph's own names are not in it.
  std::set<std::string> top_level;
  for (const auto& node : g.node()) {
    for (const auto& out : node.output()) top_level.insert(out);
  }

  OnnxCase cut;
  cut.model = base.model;
  onnx::GraphProto* out = cut.model.mutable_graph();
  out->clear_node();
  out->clear_input();
  out->clear_output();
  out->clear_initializer();
  out->clear_value_info();
  for (int n : keep) *out->add_node() = g.node(n);
  // Declared types of kept values stay: a wrong one may be the very failure (invalid model).
  for (const auto& info : g.value_info()) {
    if (produced.count(info.name())) *out->add_value_info() = info;
  }
  cut.inputs.resize(base.inputs.size());

  // Original inputs first, in their order, then the cut points in the order they are read.
  for (const auto& in : g.input()) {
    if (!input_index.count(in.name()) || !read_set.count(in.name())) continue;
    *out->add_input() = in;
    for (size_t s = 0; s < base.inputs.size(); ++s) {
      cut.inputs[s].push_back(base.inputs[s][input_index[in.name()]]);
    }
  }
  for (const auto& name : reads) {
    if (produced.count(name) || input_index.count(name)) continue;
    if (auto it = initializers.find(name); it != initializers.end()) {
      *out->add_initializer() = *it->second;
      continue;
    }
    if (!top_level.count(name)) continue;  // Defined inside the subgraph itself.
    std::vector<Tensor> values;
    for (size_t s = 0; s < base.inputs.size(); ++s) {
      StatusOr<Tensor> t = captured.Read(s, name);
      if (!t.ok()) return std::nullopt;
      values.push_back(std::move(*t));
    }
    if (values.empty()) return std::nullopt;
    if (constants.count(name)) {
      *out->add_initializer() = onnxio::TensorToProto(values[0], name);
      continue;
    }
    onnx::ValueInfoProto* info = out->add_input();
    info->set_name(name);
    SetType(info, values[0]);
    for (size_t s = 0; s < values.size(); ++s) cut.inputs[s].push_back(std::move(values[s]));
  }
  // Outputs: the original ones still computed, then every computed value nobody reads.
  std::set<std::string> outputs;
  for (const auto& o : g.output()) {
    if (produced.count(o.name()) && outputs.insert(o.name()).second) *out->add_output() = o;
  }
  for (int n : keep) {
    for (const auto& name : g.node(n).output()) {
      if (name.empty() || read_set.count(name) || outputs.count(name)) continue;
      outputs.insert(name);
      onnx::ValueInfoProto* info = out->add_output();
      auto declared = std::find_if(g.value_info().begin(), g.value_info().end(),
                                   [&](const onnx::ValueInfoProto& v) { return v.name() == name; });
      if (declared != g.value_info().end()) {
        *info = *declared;
        continue;
      }
      info->set_name(name);
      StatusOr<Tensor> t = captured.Read(0, name);
      if (t.ok()) SetType(info, *t);
    }
  }
  if (outputs.empty()) return std::nullopt;
  return cut;
}

StatusOr<OnnxReduceResult> ReduceOnnx(const std::string& model_path, const OnnxCase& base,
                                      const OnnxReduceOptions& options, workers::Session& session) {
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  std::error_code ec;
  fs::create_directories(options.work_dir, ec);
  if (ec) return Internal("cannot create '" + options.work_dir + "': " + ec.message());
  Tester tester(options, session);
  CC_RETURN_IF_ERROR(tester.Init());

  // How the original fails: the engine refuses it, or disagrees with ref64, or (when it runs
  // and agrees) ONNX rejects it.
  OnnxReduceResult result;
  std::string signature;
  for (OnnxFailureKind kind :
       {OnnxFailureKind::kRuntime, OnnxFailureKind::kMismatch, OnnxFailureKind::kInvalid}) {
    CC_ASSIGN_OR_RETURN(signature,
                        tester.Signature(options.work_dir + "/original.onnx", base, kind));
    ++result.tests;
    if (!signature.empty()) {
      result.kind = kind;
      break;
    }
  }
  if (signature.empty()) {
    return FailedPrecondition("model '" + model_path + "' does not fail on " + options.backend +
                              ": it runs, agrees with ref64 within the tolerance and is valid");
  }
  result.signature = signature;
  log("failure: " + signature);

  // The values to feed cut points: the reference interpreter's, in float32.
  CaptureOptions capture;
  capture.backend = "ref";
  capture.backend_options = options.backend_options;
  capture.timeout_s = options.timeout_s;
  CC_ASSIGN_OR_RETURN(CapturedRun captured,
                      CaptureValues(options.work_dir + "/original.onnx", base.model, base.inputs,
                                    options.work_dir + "/capture", capture, session));
  if (!captured.ok()) {
    log("the reference interpreter cannot run the model (" + captured.message +
        "): only nodes whose removal cuts no value can go");
  }
  const std::set<std::string> constants = ConstantValues(base.model.graph());

  const int total = base.model.graph().node_size();
  result.nodes_before = total;
  std::vector<int> current(total);
  for (int i = 0; i < total; ++i) current[i] = i;
  std::map<std::vector<int>, bool> cache;
  int64_t candidate_id = 0;
  auto fails = [&](const std::vector<int>& keep) -> StatusOr<bool> {
    if (keep.empty()) return false;
    auto hit = cache.find(keep);
    if (hit != cache.end()) return hit->second;
    std::optional<OnnxCase> cut = CutCase(base, keep, captured, constants);
    bool same = false;
    if (cut && result.tests < options.max_tests) {
      ++result.tests;
      const std::string path =
          options.work_dir + "/candidate_" + std::to_string(candidate_id++ % 2) + ".onnx";
      CC_ASSIGN_OR_RETURN(std::string s, tester.Signature(path, *cut, result.kind));
      same = s == signature;
    }
    cache[keep] = same;
    return same;
  };

  // ddmin: try each chunk alone, then each complement, refining the granularity.
  size_t n = 2;
  while (current.size() >= 2 && result.tests < options.max_tests) {
    std::vector<std::vector<int>> chunks;
    const size_t size = current.size();
    for (size_t i = 0; i < n; ++i) {
      const size_t begin = i * size / n, end = (i + 1) * size / n;
      if (begin < end) chunks.emplace_back(current.begin() + begin, current.begin() + end);
    }
    bool reduced = false;
    for (const auto& chunk : chunks) {
      CC_ASSIGN_OR_RETURN(bool f, fails(chunk));
      if (f) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.size() > 2) {
      for (const auto& chunk : chunks) {
        std::vector<int> complement;
        std::set_difference(current.begin(), current.end(), chunk.begin(), chunk.end(),
                            std::back_inserter(complement));
        CC_ASSIGN_OR_RETURN(bool f, fails(complement));
        if (f) {
          current = complement;
          n = std::max<size_t>(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (reduced) {
      log(std::to_string(current.size()) + " nodes (" + std::to_string(result.tests) + " tests)");
      continue;
    }
    if (n >= current.size()) break;
    n = std::min(current.size(), n * 2);
  }
  std::optional<OnnxCase> reduced = CutCase(base, current, captured, constants);
  if (current.size() == static_cast<size_t>(total) || !reduced) reduced = base;
  result.reduced = std::move(*reduced);
  result.nodes_after = result.reduced.model.graph().node_size();
  // One more run of the result, for the expected outputs and to confirm the signature.
  CC_ASSIGN_OR_RETURN(std::string final_signature,
                      tester.Signature(options.work_dir + "/reduced.onnx", result.reduced,
                                       result.kind, &result.expected, &result.output_names));
  ++result.tests;
  if (final_signature != signature) {
    return Internal("the reduced model no longer fails the same way (" + final_signature +
                    "); the engine may be flaky");
  }
  return result;
}

}  // namespace convcheck::localize
