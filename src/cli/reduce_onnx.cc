// `convcheck reduce` on an ONNX model that convcheck did not generate (localize/onnx_reduce.h).
#include <filesystem>

#include "cli/reduce.h"
#include "localize/onnx_reduce.h"
#include "onnx/data_set.h"
#include "onnx/model.h"

namespace convcheck::cli {

namespace fs = std::filesystem;

int RunReduceOnnx(const ReduceCommandOptions& options, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  const bool is_dir = fs::is_directory(options.case_path, ec);
  const std::string model_path =
      fs::absolute(is_dir ? options.case_path + "/model.onnx" : options.case_path).string();
  std::string data_dir = options.data_dir;
  if (data_dir.empty()) {
    const std::string own =
        is_dir ? options.case_path : fs::path(model_path).parent_path().string();
    if (fs::exists(own + "/test_data_set_0")) data_dir = own;
  }
  const std::string default_out =
      is_dir ? options.case_path + "/reduced"
             : fs::path(options.case_path).replace_extension("").string() + "-reduced";
  const std::string out_dir =
      fs::absolute(options.out_dir.empty() ? default_out : options.out_dir).lexically_normal();

  std::string engine = "ort";
  if (options.backends) {
    StatusOr<std::vector<std::string>> list = backends::ParseBackendList(*options.backends);
    if (!list.ok()) return ReportError(err, list.status());
    engine.clear();
    for (const auto& name : *list) {
      if (name != "ref64" && engine.empty()) engine = name;
    }
    if (engine.empty()) {
      return ReportError(err, InvalidArgument("--backends names no engine to judge against "
                                              "ref64, only '" +
                                              *options.backends + "'"));
    }
  }
  StatusOr<oracle::Tolerance> tolerance = ResolveTolerance(options.tolerance);
  if (!tolerance.ok()) return ReportError(err, tolerance.status());

  localize::OnnxCase base;
  StatusOr<onnx::ModelProto> model = onnxio::LoadModelWithWeights(model_path);
  if (!model.ok()) return ReportError(err, model.status());
  base.model = std::move(*model);
  StatusOr<std::vector<std::vector<Tensor>>> inputs = localize::ModelInputs(base.model, data_dir);
  if (!inputs.ok()) return ReportError(err, inputs.status());
  base.inputs = std::move(*inputs);

  StatusOr<std::unique_ptr<workers::Session>> session = workers::Session::Create({});
  if (!session.ok()) return ReportError(err, session.status());
  localize::OnnxReduceOptions reduce;
  reduce.backend = engine;
  reduce.tolerance = *tolerance;
  reduce.timeout_s = options.timeout_s;
  reduce.max_tests = options.max_tests;
  reduce.work_dir = out_dir + "/work";
  reduce.log = [&err](const std::string& line) { err << "reduce: " << line << "\n"; };
  StatusOr<localize::OnnxReduceResult> result =
      localize::ReduceOnnx(model_path, base, reduce, **session);
  if (!result.ok()) return ReportError(err, result.status());
  fs::remove_all(reduce.work_dir, ec);

  // The reduced case in the backend-test layout, replayable with `convcheck run` or `check`.
  const onnx::GraphProto& g = result->reduced.model.graph();
  Status saved = onnxio::SaveModel(result->reduced.model, out_dir + "/model.onnx");
  if (!saved.ok()) return ReportError(err, saved);
  std::set<std::string> initializers;
  for (const auto& init : g.initializer()) initializers.insert(init.name());
  std::vector<std::string> input_names;
  for (const auto& in : g.input()) {
    if (!initializers.count(in.name())) input_names.push_back(in.name());
  }
  for (size_t s = 0; s < result->reduced.inputs.size(); ++s) {
    onnxio::DataSet set;
    set.inputs = result->reduced.inputs[s];
    set.input_names = input_names;
    if (s < result->expected.size()) {
      set.outputs = result->expected[s];
      set.output_names = result->output_names;
    }
    Status written = onnxio::WriteDataSet(out_dir, static_cast<int>(s), set);
    if (!written.ok()) return ReportError(err, written);
  }
  std::map<std::string, int64_t> ops;
  for (const auto& node : g.node()) ++ops[node.op_type()];
  out << "reduced " << result->nodes_before << " -> " << result->nodes_after << " nodes in "
      << result->tests << " tests; failure kept (" << localize::OnnxFailureKindName(result->kind)
      << "): " << result->signature << "\n";
  out << "operators:";
  for (const auto& [op, count] : ops) out << " " << op << " x" << count;
  out << "\nwrote " << out_dir << "/model.onnx and test_data_set_N/\n";
  if (!options.json_path.empty()) {
    nlohmann::json doc = {{"case", options.case_path},
                          {"backend", engine},
                          {"kind", localize::OnnxFailureKindName(result->kind)},
                          {"signature", result->signature},
                          {"nodes_before", result->nodes_before},
                          {"nodes_after", result->nodes_after},
                          {"tests", result->tests},
                          {"operators", ops},
                          {"out", out_dir}};
    Status ok = WriteJsonFile(options.json_path, doc);
    if (!ok.ok()) return ReportError(err, ok);
  }
  return kExitPass;
}

}  // namespace convcheck::cli
