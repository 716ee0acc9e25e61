#include "cli/gen.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "analysis/coverage.h"
#include "gen/emit.h"
#include "gen/generator.h"
#include "onnx/patterns.h"

namespace convcheck::cli {

namespace fs = std::filesystem;

void AddGenCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<GenCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gen", "generate random PyTorch models (python source, graph JSON, optionally ONNX)");
  cmd->add_option("--seed", options->seed, "the first seed; model i uses seed + i");
  cmd->add_option("--count", options->count, "how many models")->check(CLI::PositiveNumber);
  cmd->add_option("--nodes", options->nodes, "nodes per model, MIN..MAX or N (default 5..30)");
  cmd->add_option("--ops", options->ops, "only these operators or families (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--exclude", options->exclude, "never these operators or families")
      ->delimiter(',');
  cmd->add_option("--out", options->out_dir,
                  "write gen-SEED.py (make_model, make_inputs) and gen-SEED.json here");
  cmd->add_flag("--onnx", options->onnx, "also write gen-SEED.onnx (opset 17), directly");
  cmd->add_flag("--tf", options->tf,
                "also write gen-SEED_tf.py for TensorFlow (only operators that have a "
                "TensorFlow form are drawn)");
  cmd->add_flag("--list-ops", options->list_ops,
                "list the operators (name, family, torch form, frameworks) and exit");
  cmd->add_option("--coverage", options->coverage,
                  "per node count, generate until every operator appeared and at least N models "
                  "exist (replaces --count)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--json", options->json_path, "write a summary (seeds, op counts) as JSON");
  cmd->add_option("--target-coverage", options->target_coverage,
                  "a campaign file: favour operators in its operator patterns not yet reached "
                  "by the models generated so far (replaces the default operator balance)");
  cmd->callback([options, &exit_code]() { exit_code = RunGen(*options, std::cout, std::cerr); });
}

int RunGen(const GenCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (options.list_ops) {
    for (const auto& op : gen::Catalog()) {
      out << op.name << "\t" << op.family << "\t" << op.torch_name << "\t"
          << (op.tf ? "torch,tf,onnx" : "torch,onnx") << "\n";
    }
    return kExitPass;
  }
  gen::GenOptions gen_options;
  Status parsed = gen::ParseNodeRange(options.nodes, gen_options);
  if (!parsed.ok()) return ReportError(err, parsed);
  gen_options.include = options.ops;
  gen_options.exclude = options.exclude;
  gen_options.tensorflow = options.tf;
  StatusOr<std::vector<const gen::OpSpec*>> ops = gen::SelectOps(gen_options);
  if (!ops.ok()) return ReportError(err, ops.status());
  if (!options.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.out_dir, ec);
    if (ec) {
      return ReportError(err, InvalidArgument("--out '" + options.out_dir +
                                              "' cannot be created: " + ec.message()));
    }
  }

  std::map<std::string, int64_t> op_counts;
  std::vector<uint64_t> seeds;
  int64_t total_nodes = 0;
  double emit_s = 0;
  const auto start = std::chrono::steady_clock::now();
  auto generate = [&](uint64_t seed, gen::GenOptions& o,
                      std::map<std::string, int64_t>* coverage) -> StatusOr<gen::Graph> {
    CC_ASSIGN_OR_RETURN(gen::Graph graph, gen::Generate(seed, o, coverage));
    for (const auto& [name, count] : graph.OpCounts()) op_counts[name] += count;
    total_nodes += static_cast<int64_t>(graph.nodes.size());
    seeds.push_back(seed);
    if (!options.out_dir.empty()) {
      const auto emit_start = std::chrono::steady_clock::now();
      const std::string stem = options.out_dir + "/gen-" + std::to_string(seed);
      CC_RETURN_IF_ERROR(gen::WriteCase(graph, stem, options.onnx));
      if (options.tf) {
        CC_RETURN_IF_ERROR(gen::WriteSource(graph, stem, gen::Emitter::kTensorFlow).status());
      }
      emit_s +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - emit_start).count();
    }
    return graph;
  };

  uint64_t seed = options.seed;
  if (options.coverage > 0) {
    // The study's rule, per size: models of that size until each operator has appeared in one
    // of them and there are at least N.
    for (int64_t size = gen_options.min_nodes; size <= gen_options.max_nodes; ++size) {
      gen::GenOptions o = gen_options;
      o.min_nodes = o.max_nodes = size;
      std::map<std::string, int64_t> seen;
      int64_t made = 0;
      for (int64_t tries = 0; tries < 100000; ++tries) {
        bool covered = true;
        for (const auto* op : *ops) covered = covered && seen.count(op->name) > 0;
        if (covered && made >= options.coverage) break;
        StatusOr<gen::Graph> graph = generate(seed++, o, &seen);
        if (!graph.ok()) return ReportError(err, graph.status());
        for (const auto& [name, count] : graph->OpCounts()) seen[name] += count;
        ++made;
      }
    }
  } else if (!options.target_coverage.empty()) {
    if (options.coverage > 0) {
      return ReportError(err,
                         InvalidArgument("--target-coverage and --coverage exclude each other"));
    }
    StatusOr<analysis::Corpus> target = analysis::LoadCampaignCorpus(options.target_coverage);
    if (!target.ok()) return ReportError(err, target.status());
    std::set<std::string> missing;
    for (const auto& [converter, patterns] : target->patterns) {
      for (const auto& [pattern, models] : patterns) missing.insert(pattern);
    }
    const size_t total = missing.size();
    std::vector<std::string> names;
    for (const auto* op : *ops) names.push_back(op->name);
    for (int64_t i = 0; i < options.count; ++i) {
      std::map<std::string, int64_t> weights = analysis::GuidedWeights(missing, names);
      StatusOr<gen::Graph> graph = generate(seed++, gen_options, &weights);
      if (!graph.ok()) return ReportError(err, graph.status());
      StatusOr<onnx::ModelProto> model = gen::EmitOnnx(*graph);
      if (!model.ok()) return ReportError(err, model.status());
      for (const auto& [pattern, count] : onnxio::ModelPatterns(*model, 1, 3)) {
        missing.erase(pattern);
      }
    }
    out << "target " << options.target_coverage << ": " << (total - missing.size()) << "/" << total
        << " of its distinct patterns reached (as the generator writes ONNX)\n";
  } else {
    for (int64_t i = 0; i < options.count; ++i) {
      StatusOr<gen::Graph> graph = generate(seed++, gen_options, nullptr);
      if (!graph.ok()) return ReportError(err, graph.status());
    }
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double gen_s = std::max(1e-9, wall_s - emit_s);
  out << "generated " << seeds.size() << " models (" << total_nodes << " nodes, "
      << op_counts.size() << "/" << ops->size() << " operators used) in " << wall_s
      << " s: " << static_cast<int64_t>(seeds.size() / gen_s) << " models/s without writing\n";
  std::set<std::string> unused;
  for (const auto* op : *ops) {
    if (!op_counts.count(op->name)) unused.insert(op->name);
  }
  if (!unused.empty()) {
    out << "never used:";
    for (const auto& name : unused) out << " " << name;
    out << "\n";
  }
  if (!options.out_dir.empty()) out << "wrote " << options.out_dir << "/gen-SEED.py|.json\n";
  if (!options.json_path.empty()) {
    nlohmann::json summary = {{"models", seeds.size()},
                              {"seeds", seeds},
                              {"nodes", total_nodes},
                              {"op_counts", op_counts},
                              {"never_used", unused},
                              {"seconds", wall_s},
                              {"models_per_second_generate_only", seeds.size() / gen_s}};
    std::ofstream json(options.json_path);
    json << summary.dump(2) << "\n";
    if (!json)
      return ReportError(err, InvalidArgument("cannot write --json '" + options.json_path + "'"));
  }
  return kExitPass;
}

}  // namespace convcheck::cli
