#include "cli/diff.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "localize/diff.h"
#include "onnx/model.h"

namespace convcheck::cli {
namespace {

namespace fs = std::filesystem;

std::string Ratio(double r) {
  if (std::isinf(r)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", r);
  return buf;
}

}  // namespace

void AddDiffCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DiffCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "find the first node whose output differs between two models (or between an engine and "
      "ref64)");
  cmd->add_option("a", options->a_path, "the reference model (.onnx)")->required();
  cmd->add_option("b", options->b_path,
                  "the model to judge; without it, A on --backend is judged against A on "
                  "--reference");
  cmd->add_option("--data", options->data_dir,
                  "folder with test_data_set_N/input_K.pb (default: inputs made up from the "
                  "declared shapes)");
  AddEngineFlags(*cmd, options->engines, "--backend");
  cmd->add_option("--reference", options->reference,
                  "the engine A runs on when B is not given (default ref64)");
  cmd->add_option("--batch", options->batch, "intermediate values fetched per engine run")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--keep", options->keep_dir, "keep the captured tensors in DIR");
  cmd->add_option("--json", options->json_path, "write the result as JSON to FILE");
  cmd->callback([options, &exit_code]() { exit_code = RunDiff(*options, std::cout, std::cerr); });
}

int RunDiff(const DiffCommandOptions& options, std::ostream& out, std::ostream& err) {
  StatusOr<Engines> engines = ResolveEngines(options.engines);
  if (!engines.ok()) return ReportError(err, engines.status());
  if (engines->backends.size() != 1) {
    return ReportError(
        err, InvalidArgument("diff takes one backend, not '" + options.engines.backends + "'"));
  }
  StatusOr<std::vector<std::string>> reference = backends::ParseBackendList(options.reference);
  if (!reference.ok()) return ReportError(err, reference.status());
  if (reference->size() != 1) {
    return ReportError(
        err, InvalidArgument("--reference takes one backend, not '" + options.reference + "'"));
  }
  const bool two_models = !options.b_path.empty();
  const std::string b_path = two_models ? options.b_path : options.a_path;
  StatusOr<onnx::ModelProto> a = onnxio::LoadModel(options.a_path);
  if (!a.ok()) return ReportError(err, a.status());
  // The graphs are enough here; the engines load the weights themselves. Dropping them keeps
  // convcheck's own memory (and that of the forked reference child) to the graph.
  auto drop_weights = [](onnx::ModelProto& m) {
    for (auto& init : *m.mutable_graph()->mutable_initializer()) {
      std::string().swap(*init.mutable_raw_data());
    }
  };
  drop_weights(*a);
  StatusOr<onnx::ModelProto> b = two_models ? onnxio::LoadModel(b_path) : *a;
  if (!b.ok()) return ReportError(err, b.status());
  drop_weights(*b);
  StatusOr<std::vector<std::vector<Tensor>>> inputs_a = localize::ModelInputs(*a, options.data_dir);
  if (!inputs_a.ok()) return ReportError(err, inputs_a.status());
  StatusOr<std::vector<std::vector<Tensor>>> inputs_b = localize::ModelInputs(*b, options.data_dir);
  if (!inputs_b.ok()) return ReportError(err, inputs_b.status());

  StatusOr<std::unique_ptr<workers::Session>> session =
      workers::Session::Create(engines->session_options);
  if (!session.ok()) return ReportError(err, session.status());
  if (Status ok = backends::CheckBackends({engines->backends[0], (*reference)[0]}, **session,
                                          engines->backend_options);
      !ok.ok()) {
    return ReportError(err, ok);
  }
  localize::DiffOptions diff;
  diff.backend_a = two_models ? engines->backends[0] : (*reference)[0];
  diff.backend_b = engines->backends[0];
  diff.backend_options = engines->backend_options;
  diff.tolerance = engines->tolerance;
  diff.timeout_s = engines->timeout_s;
  diff.batch = options.batch;
  StatusOr<std::string> work = (*session)->NewDir("diff");
  if (!work.ok()) return ReportError(err, work.status());
  diff.work_dir = options.keep_dir.empty() ? *work : options.keep_dir;

  StatusOr<localize::DiffResult> result =
      localize::DiffModels(fs::absolute(options.a_path).string(), *a, *inputs_a,
                           fs::absolute(b_path).string(), *b, *inputs_b, diff, **session);
  if (!result.ok()) return ReportError(err, result.status());

  out << "A: " << options.a_path << " on " << diff.backend_a << "; B: " << b_path << " on "
      << diff.backend_b << "; "
      << (options.data_dir.empty() ? "made-up inputs" : "inputs from " + options.data_dir) << "\n";
  out << "compared " << result->compared << " values (" << result->unmatched
      << " of B without a counterpart), " << result->diverging << " diverge\n";
  if (!result->first) {
    out << "no node diverges" << (result->outputs_diverge ? "" : "; the outputs agree") << "\n";
  } else {
    const localize::DivergentNode& f = *result->first;
    out << "first divergent node: " << f.node << " (" << f.op_type << "), output " << f.output
        << ", error ratio " << Ratio(f.error_ratio) << " (" << f.subtype << ")\n";
    if (result->path.size() > 1) {
      out << "divergence along the path:";
      for (const auto& p : result->path) {
        out << "\n  " << p.node << " (" << p.op_type << ") ratio " << Ratio(p.error_ratio);
      }
      out << "\n";
    }
  }
  if (!result->note.empty()) out << "note: " << result->note << "\n";
  if (!options.json_path.empty()) {
    nlohmann::json doc = localize::ToJson(*result);
    doc["a"] = options.a_path;
    doc["b"] = b_path;
    doc["backend_a"] = diff.backend_a;
    doc["backend_b"] = diff.backend_b;
    doc["tolerance"] = diff.tolerance.profile;
    Status ok = WriteJsonFile(options.json_path, doc);
    if (!ok.ok()) return ReportError(err, ok);
  }
  return result->first || result->outputs_diverge ? kExitFailure : kExitPass;
}

}  // namespace convcheck::cli
