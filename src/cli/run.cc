#include "cli/run.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "backends/backend.h"
#include "backends/ref_child.h"
#include "interp/executor.h"
#include "interp/value_io.h"
#include "onnx/data_set.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"
#include "oracle/compare.h"

namespace convcheck::cli {
namespace {

namespace fs = std::filesystem;

// File-system-safe form of a tensor name.
std::string Sanitize(const std::string& name) {
  std::string s;
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s.empty() ? "unnamed" : s;
}

std::string Stats(const Tensor& t) {
  if (t.dtype() == DataType::kString || t.num_elements() == 0) return "";
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nan = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double v = t.GetAsDouble(i);
    if (std::isnan(v)) {
      ++nan;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  char buf[160];
  std::snprintf(buf, sizeof(buf), "min %.4g max %.4g mean %.4g%s", lo, hi,
                sum / static_cast<double>(t.num_elements() - nan),
                nan ? (" nan " + std::to_string(nan)).c_str() : "");
  return buf;
}

// Runs the reference interpreter in a forked child (backends/ref_child.h) that writes outputs
// (and, if asked, every intermediate tensor) as TensorProto files under `out_dir`.
StatusOr<std::vector<std::vector<Tensor>>> RunRefIsolated(
    const std::string& model_path, const std::vector<interp::ValueDataSet>& sets,
    const std::string& out_dir, const std::string& dump_dir, bool precise, double timeout_s,
    int64_t memory_limit_mb) {
  backends::RefChildBody body;
  body.run = [&](interp::Interpreter& interp) -> StatusOr<nlohmann::json> {
    for (size_t s = 0; s < sets.size(); ++s) {
      int node_index = 0;
      Status dump_status;
      interp::NodeObserver observer = [&](const onnx::NodeProto& node,
                                          const std::vector<interp::Value>& outs) {
        for (int k = 0; k < node.output_size() && dump_status.ok(); ++k) {
          if (node.output(k).empty() || !outs[k].is_tensor()) continue;
          std::string path = dump_dir + "/test_data_set_" + std::to_string(s) + "/" +
                             std::to_string(node_index) + "_" + Sanitize(node.output(k)) + ".pb";
          dump_status = onnxio::WriteTensorPb(path, outs[k].tensor(), node.output(k));
        }
        ++node_index;
      };
      if (!dump_dir.empty()) {
        fs::create_directories(dump_dir + "/test_data_set_" + std::to_string(s));
      }
      CC_ASSIGN_OR_RETURN(std::vector<interp::Value> outputs,
                          interp.Run(sets[s].inputs, dump_dir.empty() ? nullptr : &observer));
      CC_RETURN_IF_ERROR(dump_status);
      onnxio::DataSet set;
      for (size_t k = 0; k < outputs.size(); ++k) {
        if (!outputs[k].is_tensor()) {
          return Unimplemented("output " + interp.output_names()[k] + " is a " +
                               outputs[k].Describe());
        }
        set.outputs.push_back(outputs[k].tensor());
        set.output_names.push_back(interp.output_names()[k]);
      }
      CC_RETURN_IF_ERROR(onnxio::WriteDataSet(out_dir, static_cast<int>(s), set));
    }
    return nlohmann::json::object();
  };
  backends::RefChildResult child =
      backends::RunRefChild(model_path, {precise, timeout_s, memory_limit_mb}, body);
  if (child.kind != backends::RefChildResult::Kind::kOk) {
    return InvalidArgument(child.message);
  }
  std::vector<std::vector<Tensor>> results;
  CC_ASSIGN_OR_RETURN(std::vector<onnxio::DataSet> written, onnxio::ReadDataSets(out_dir));
  for (auto& set : written) results.push_back(std::move(set.outputs));
  return results;
}

}  // namespace

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* cmd = app.add_subcommand("run", "run an ONNX model on one backend");
  cmd->add_option("model", options->model_path, "the .onnx file")->required();
  cmd->add_option("--data", options->data_dir,
                  "folder with test_data_set_N/input_K.pb (default: the model's folder)");
  AddEngineFlags(*cmd, options->engines, "--backend");
  cmd->add_option("--dump-intermediates", options->dump_dir,
                  "ref: write every node's outputs to DIR/test_data_set_N/<node>_<name>.pb");
  cmd->add_option("--out", options->out_dir, "write the outputs to DIR/test_data_set_N/");
  cmd->add_option("--json", options->json_path, "write the result as JSON to FILE");
  cmd->callback([options, &exit_code]() { exit_code = RunRun(*options, std::cout, std::cerr); });
}

int RunRun(const RunCommandOptions& options, std::ostream& out, std::ostream& err) {
  StatusOr<Engines> engines = ResolveEngines(options.engines);
  if (!engines.ok()) return ReportError(err, engines.status());
  if (engines->backends.size() != 1) {
    return ReportError(
        err, InvalidArgument("run takes one backend, not '" + options.engines.backends + "'"));
  }
  const std::string backend_name = engines->backends[0];
  const bool ref = backend_name == "ref" || backend_name == "ref64";
  const oracle::Tolerance* tolerance = &engines->tolerance;
  if (!options.dump_dir.empty() && !ref) {
    return ReportError(err, InvalidArgument("--dump-intermediates needs --backend ref or ref64"));
  }
  StatusOr<onnx::ModelProto> model = onnxio::LoadModel(options.model_path);
  if (!model.ok()) return ReportError(err, model.status());
  std::string data_dir = options.data_dir.empty()
                             ? fs::path(options.model_path).parent_path().string()
                             : options.data_dir;
  if (data_dir.empty()) data_dir = ".";
  StatusOr<std::vector<interp::ValueDataSet>> sets = interp::ReadValueDataSets(data_dir, *model);
  if (!sets.ok()) return ReportError(err, sets.status());
  StatusOr<std::unique_ptr<workers::Session>> session =
      workers::Session::Create(engines->session_options);
  if (!session.ok()) return ReportError(err, session.status());

  std::vector<std::vector<Tensor>> actual;
  std::vector<std::string> names;
  for (const auto& o : model->graph().output()) names.push_back(o.name());
  if (!ref) {
    std::vector<std::vector<Tensor>> inputs;
    for (const auto& set : *sets) {
      std::vector<Tensor> tensors;
      for (const auto& v : set.inputs) {
        if (!v.is_tensor()) {
          return ReportError(err, Unimplemented(backend_name + " cannot be fed a " + v.Describe() +
                                                " from convcheck"));
        }
        tensors.push_back(v.tensor());
      }
      inputs.push_back(std::move(tensors));
    }
    StatusOr<std::unique_ptr<backends::Backend>> backend =
        backends::MakeBackend(backend_name, **session, engines->backend_options);
    if (!backend.ok()) return ReportError(err, backend.status());
    StatusOr<backends::BackendRun> run =
        (*backend)->Run(options.model_path, inputs, engines->timeout_s);
    if (!run.ok()) return ReportError(err, run.status());
    if (run->failure != oracle::Verdict::kPass) {
      out << oracle::VerdictName(run->failure) << (run->code.empty() ? "" : " " + run->code) << ": "
          << run->message << "\n";
      return kExitFailure;
    }
    actual = std::move(run->outputs);
    if (!options.out_dir.empty()) {
      for (size_t s = 0; s < actual.size(); ++s) {
        Status written =
            onnxio::WriteDataSet(options.out_dir, static_cast<int>(s), {{}, {}, actual[s], names});
        if (!written.ok()) return ReportError(err, written);
      }
    }
  } else {
    std::string out_dir =
        options.out_dir.empty() ? (*session)->scratch_dir() + "/outputs" : options.out_dir;
    StatusOr<std::vector<std::vector<Tensor>>> outputs = RunRefIsolated(
        options.model_path, *sets, out_dir, options.dump_dir, backend_name == "ref64",
        engines->timeout_s, engines->backend_options.memory_limit_mb);
    if (!outputs.ok()) {
      out << "runtime_error: " << outputs.status().message() << "\n";
      return kExitFailure;
    }
    actual = std::move(outputs).value();
  }

  bool have_expected = !sets->empty() && !(*sets)[0].outputs.empty();
  std::vector<std::vector<Tensor>> expected;
  for (const auto& set : *sets) {
    expected.push_back(interp::FlattenValues(set.outputs, set.output_names, nullptr));
  }
  for (size_t s = 0; s < actual.size(); ++s) {
    for (size_t k = 0; k < actual[s].size(); ++k) {
      out << "set " << s << " " << (k < names.size() ? names[k] : "output_" + std::to_string(k))
          << ": " << DataTypeName(actual[s][k].dtype()) << ShapeToString(actual[s][k].shape())
          << "  " << Stats(actual[s][k]) << "\n";
    }
  }
  int exit_code = kExitPass;
  nlohmann::json doc = {{"command", "run"}, {"backend", backend_name}};
  if (have_expected) {
    oracle::Comparison c = oracle::CompareOutputs(expected, actual, *tolerance, names);
    out << "against the stored outputs (" << tolerance->Describe() << "): " << c.Summary() << "\n";
    doc["comparison"] = oracle::ToJson(c);
    if (!c.pass()) exit_code = kExitFailure;
  }
  if (!options.dump_dir.empty()) out << "intermediates: " << options.dump_dir << "\n";
  if (!options.json_path.empty()) {
    Status written = WriteJsonFile(options.json_path, doc);
    if (!written.ok()) return ReportError(err, written);
  }
  return exit_code;
}

}  // namespace convcheck::cli
