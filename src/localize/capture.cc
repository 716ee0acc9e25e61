#include "localize/capture.h"

#include <cstdint>
#include <filesystem>
#include <set>

#include "backends/ref_child.h"
#include "core/npy.h"
#include "interp/value_io.h"
#include "onnx/model.h"

namespace convcheck::localize {
namespace {

namespace fs = std::filesystem;

std::string ValueFile(const std::string& dir, size_t set, size_t index) {
  return dir + "/set_" + std::to_string(set) + "/v" + std::to_string(index) + ".npy";
}

bool ProducesNonTensor(const std::string& op_type) {
  return op_type.rfind("Sequence", 0) == 0 || op_type == "SplitToSequence" ||
         op_type.rfind("Optional", 0) == 0;
}

std::vector<std::string> GraphOutputs(const onnx::ModelProto& model) {
  std::vector<std::string> names;
  for (const auto& o : model.graph().output()) names.push_back(o.name());
  return names;
}

// The values to capture, in graph order, graph outputs included.
std::vector<std::string> Wanted(const onnx::ModelProto& model, const CaptureOptions& options) {
  std::vector<std::string> wanted;
  std::set<std::string> seen;
  auto add = [&](const std::string& name) {
    if (!name.empty() && seen.insert(name).second) wanted.push_back(name);
  };
  if (options.only.empty()) {
    for (const auto& name : ExposableValues(model)) add(name);
  } else {
    for (const auto& name : options.only) add(name);
  }
  for (const auto& name : GraphOutputs(model)) add(name);
  return wanted;
}

StatusOr<CapturedRun> CaptureRef(const std::string& model_path, const onnx::ModelProto& model,
                                 const std::vector<std::vector<Tensor>>& input_sets,
                                 const std::string& dir, const CaptureOptions& options) {
  const std::vector<std::string> wanted = Wanted(model, options);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < wanted.size(); ++i) index[wanted[i]] = i;
  backends::RefChildBody body;
  body.run = [&](interp::Interpreter& interp) -> StatusOr<nlohmann::json> {
    nlohmann::json written = nlohmann::json::array();
    for (size_t s = 0; s < input_sets.size(); ++s) {
      fs::create_directories(dir + "/set_" + std::to_string(s));
      std::vector<interp::Value> inputs;
      for (const auto& t : input_sets[s]) inputs.push_back(interp::Value::FromTensor(t));
      Status io;
      nlohmann::json names = nlohmann::json::array();
      // Each value goes to disk as soon as it is computed; the executor then frees it.
      interp::NodeObserver observer = [&](const onnx::NodeProto& node,
                                          const std::vector<interp::Value>& outs) {
        for (int k = 0; k < node.output_size() && k < static_cast<int>(outs.size()); ++k) {
          auto it = index.find(node.output(k));
          if (it == index.end() || !io.ok() || !outs[k].is_tensor()) continue;
          if (outs[k].tensor().dtype() == DataType::kString) continue;
          io = WriteNpy(ValueFile(dir, s, it->second), outs[k].tensor());
          names.push_back(node.output(k));
        }
      };
      CC_ASSIGN_OR_RETURN(std::vector<interp::Value> outputs, interp.Run(inputs, &observer));
      CC_RETURN_IF_ERROR(io);
      // Graph outputs that no node computes (an input passed through) come from Run.
      for (size_t k = 0; k < outputs.size(); ++k) {
        const std::string& name = interp.output_names()[k];
        auto it = index.find(name);
        if (it == index.end() || !outputs[k].is_tensor() ||
            fs::exists(ValueFile(dir, s, it->second)))
          continue;
        CC_RETURN_IF_ERROR(WriteNpy(ValueFile(dir, s, it->second), outputs[k].tensor()));
        names.push_back(name);
      }
      written.push_back(names);
    }
    return nlohmann::json{{"written", written}};
  };
  backends::RefChildResult child = backends::RunRefChild(
      model_path,
      {options.backend == "ref64", options.timeout_s, options.backend_options.memory_limit_mb},
      body);
  CapturedRun run;
  run.engine_runs = 1;
  switch (child.kind) {
    case backends::RefChildResult::Kind::kOk:
      break;
    case backends::RefChildResult::Kind::kTimeout:
      run.failure = oracle::Verdict::kRuntimeTimeout;
      run.message = child.message;
      return run;
    case backends::RefChildResult::Kind::kCrashed:
      run.failure = oracle::Verdict::kRuntimeCrash;
      run.message = child.message;
      return run;
    default:
      run.failure = oracle::Verdict::kRuntimeError;
      run.code = child.code;
      run.message = child.message;
      return run;
  }
  std::set<std::string> captured;
  for (const auto& names : child.report.value("written", nlohmann::json::array())) {
    std::map<std::string, std::string> files;
    for (const auto& name : names) {
      const std::string n = name.get<std::string>();
      files[n] = ValueFile(dir, run.files.size(), index[n]);
      captured.insert(n);
    }
    run.files.push_back(std::move(files));
  }
  for (const auto& name : wanted) {
    if (!captured.count(name)) run.uncaptured.push_back(name);
  }
  return run;
}

// One worker `run` per input set for `batch`; the output files are moved into place. Returns
// false in `unsupported` when the engine would not return one of the values (the caller then
// splits the batch).
StatusOr<bool> RunBatch(workers::Worker& worker, const std::string& engine, nlohmann::json request,
                        const std::string& model_path,
                        const std::vector<std::string>& input_files_per_set_dir,
                        const std::vector<std::vector<std::string>>& input_files,
                        const std::vector<std::string>& batch,
                        const std::map<std::string, size_t>& index, const std::string& dir,
                        double timeout_s, CapturedRun& run) {
  for (size_t s = 0; s < input_files.size(); ++s) {
    request["op"] = "run";
    request["model"] = model_path;
    request["inputs"] = input_files[s];
    request["output_dir"] = input_files_per_set_dir[s];
    request["output_names"] = batch;
    workers::Reply reply = worker.Call(request, timeout_s);
    ++run.engine_runs;
    if (reply.kind == workers::ReplyKind::kStartFailed) {
      return FailedPrecondition(engine + " worker: " + reply.detail);
    }
    if (reply.kind != workers::ReplyKind::kAnswered) {
      run.failure = reply.kind == workers::ReplyKind::kTimeout ? oracle::Verdict::kRuntimeTimeout
                                                               : oracle::Verdict::kRuntimeCrash;
      run.message = engine + " worker " + reply.detail;
      return true;
    }
    const nlohmann::json& r = reply.response;
    if (!r.value("ok", false)) {
      const nlohmann::json error = r.value("error", nlohmann::json::object());
      const std::string type = error.value("type", "");
      if (type == "UnsupportedOutput" || error.value("stage", "") == "output") return false;
      run.failure = oracle::Verdict::kRuntimeError;
      run.code = error.value("code", "UNKNOWN");
      run.message = error.value("message", engine + " failed without a message");
      return true;
    }
    fs::create_directories(dir + "/set_" + std::to_string(s));
    for (const auto& out : r.value("outputs", nlohmann::json::array())) {
      const std::string name = out.value("name", "");
      auto it = index.find(name);
      if (it == index.end()) continue;
      const std::string target = ValueFile(dir, s, it->second);
      std::error_code ec;
      fs::rename(out.value("path", ""), target, ec);
      if (ec) return Internal("cannot move " + engine + " output '" + name + "': " + ec.message());
      run.files[s][name] = target;
    }
  }
  return true;
}

StatusOr<CapturedRun> CaptureWorker(const std::string& model_path, const onnx::ModelProto& model,
                                    const std::vector<std::vector<Tensor>>& input_sets,
                                    const std::string& dir, const CaptureOptions& options,
                                    workers::Session& session) {
  workers::Worker* worker = nullptr;
  nlohmann::json request = {{"threads", options.backend_options.threads}};
  std::string engine;
  if (options.backend == "ort") {
    CC_ASSIGN_OR_RETURN(worker, session.Node());
    request["opt_level"] = options.backend_options.ort_opt_level;
    engine = "onnx runtime";
  } else if (options.backend == "openvino") {
    CC_ASSIGN_OR_RETURN(worker, session.Python("onnx"));
    engine = "openvino";
  } else {
    return InvalidArgument("backend '" + options.backend +
                           "' cannot expose intermediate values (known: ref, ref64, ort, "
                           "openvino)");
  }
  const std::vector<std::string> wanted = Wanted(model, options);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < wanted.size(); ++i) index[wanted[i]] = i;

  // The exposed copy carries the weights inline: the engine reads one file.
  CC_ASSIGN_OR_RETURN(onnx::ModelProto full, onnxio::LoadModelWithWeights(model_path));
  std::set<std::string> outputs;
  for (const auto& name : GraphOutputs(full)) outputs.insert(name);
  std::vector<std::string> extra;
  for (const auto& name : wanted) {
    if (!outputs.count(name)) extra.push_back(name);
  }
  const std::string exposed = dir + "/exposed.onnx";
  fs::create_directories(dir);
  {
    // In place: a copy would hold the weights twice.
    for (const auto& name : extra) full.mutable_graph()->add_output()->set_name(name);
    Status saved = onnxio::SaveModel(full, exposed);
    full = onnx::ModelProto();
    CC_RETURN_IF_ERROR(saved);
  }

  std::vector<std::vector<std::string>> input_files(input_sets.size());
  std::vector<std::string> out_dirs;
  for (size_t s = 0; s < input_sets.size(); ++s) {
    for (size_t j = 0; j < input_sets[s].size(); ++j) {
      const std::string path =
          dir + "/input_" + std::to_string(s) + "_" + std::to_string(j) + ".npy";
      CC_RETURN_IF_ERROR(WriteNpy(path, input_sets[s][j]));
      input_files[s].push_back(path);
    }
    out_dirs.push_back(dir + "/fetch_" + std::to_string(s));
  }
  CapturedRun run;
  run.files.resize(input_sets.size());
  // Batches in graph order; a batch the engine refuses to return is halved until the value
  // it cannot return is alone, and that one is left out.
  std::vector<std::vector<std::string>> pending;
  const size_t batch = static_cast<size_t>(std::max<int64_t>(1, options.batch));
  for (size_t i = 0; i < wanted.size(); i += batch) {
    pending.emplace_back(wanted.begin() + i, wanted.begin() + std::min(wanted.size(), i + batch));
  }
  while (!pending.empty()) {
    std::vector<std::string> names = std::move(pending.front());
    pending.erase(pending.begin());
    CC_ASSIGN_OR_RETURN(bool returned,
                        RunBatch(*worker, engine, request, exposed, out_dirs, input_files, names,
                                 index, dir, options.timeout_s, run));
    if (!run.ok()) return run;
    if (returned) continue;
    if (names.size() == 1) {
      run.uncaptured.push_back(names[0]);
      continue;
    }
    const size_t half = names.size() / 2;
    pending.insert(pending.begin(), std::vector<std::string>(names.begin() + half, names.end()));
    pending.insert(pending.begin(), std::vector<std::string>(names.begin(), names.begin() + half));
  }
  return run;
}

// Deterministic values in [-1, 1), the same on every machine.
double Uniform(uint64_t i) {
  uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return static_cast<double>(x >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
}

}  // namespace

StatusOr<Tensor> CapturedRun::Read(size_t set, const std::string& name) const {
  if (set >= files.size()) return NotFound("input set " + std::to_string(set) + " not captured");
  auto it = files[set].find(name);
  if (it == files[set].end()) return NotFound("value '" + name + "' was not captured");
  return ReadNpy(it->second);
}

std::vector<std::string> ExposableValues(const onnx::ModelProto& model) {
  std::set<std::string> outputs;
  for (const auto& o : model.graph().output()) outputs.insert(o.name());
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& node : model.graph().node()) {
    if (ProducesNonTensor(node.op_type())) continue;
    for (const auto& name : node.output()) {
      if (name.empty() || outputs.count(name) || !seen.insert(name).second) continue;
      names.push_back(name);
    }
  }
  return names;
}

onnx::ModelProto WithExtraOutputs(const onnx::ModelProto& model,
                                  const std::vector<std::string>& names) {
  onnx::ModelProto copy = model;
  for (const auto& name : names) copy.mutable_graph()->add_output()->set_name(name);
  return copy;
}

StatusOr<CapturedRun> CaptureValues(const std::string& model_path, const onnx::ModelProto& model,
                                    const std::vector<std::vector<Tensor>>& input_sets,
                                    const std::string& dir, const CaptureOptions& options,
                                    workers::Session& session) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create '" + dir + "': " + ec.message());
  if (options.backend == "ref" || options.backend == "ref64") {
    return CaptureRef(model_path, model, input_sets, dir, options);
  }
  return CaptureWorker(model_path, model, input_sets, dir, options, session);
}

StatusOr<std::vector<std::vector<Tensor>>> ModelInputs(const onnx::ModelProto& model,
                                                       const std::string& data_dir) {
  std::vector<std::vector<Tensor>> sets;
  if (!data_dir.empty()) {
    CC_ASSIGN_OR_RETURN(std::vector<interp::ValueDataSet> read,
                        interp::ReadValueDataSets(data_dir, model));
    for (const auto& set : read) {
      std::vector<Tensor> tensors;
      for (const auto& v : set.inputs) {
        if (!v.is_tensor()) {
          return Unimplemented("input data in '" + data_dir + "' holds a " + v.Describe() +
                               "; only tensors can be localized");
        }
        tensors.push_back(v.tensor());
      }
      sets.push_back(std::move(tensors));
    }
    return sets;
  }
  const onnxio::GraphSummary summary = onnxio::Summarize(model);
  std::vector<Tensor> set;
  uint64_t counter = 0;
  for (const auto& input : summary.inputs) {
    if (input.dtype == DataType::kUndefined || input.dtype == DataType::kString) {
      return Unimplemented("input '" + input.name +
                           "' is not a numeric tensor; give its values with --data");
    }
    Shape shape;
    for (int64_t d : input.dims) shape.push_back(d < 0 ? 1 : d);
    Tensor t(input.dtype, shape);
    if (IsFloatingPoint(input.dtype)) {
      Tensor f(DataType::kFloat64, shape);
      double* data = f.MutableData<double>();
      for (int64_t i = 0; i < f.num_elements(); ++i) data[i] = Uniform(counter++);
      t = interp::CastTensor(f, input.dtype);
    }
    set.push_back(std::move(t));
  }
  sets.push_back(std::move(set));
  return sets;
}

}  // namespace convcheck::localize
