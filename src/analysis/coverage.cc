#include "analysis/coverage.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <sstream>

#include "analysis/rows.h"
#include "campaign/sqlite.h"
#include "gen/emit.h"
#include "onnx/patterns.h"

namespace convcheck::analysis {

namespace {

using campaign::Database;
using campaign::Statement;

std::vector<std::string> Ops(const std::string& pattern) {
  std::vector<std::string> ops;
  size_t start = 0;
  while (true) {
    const size_t pos = pattern.find("->", start);
    ops.push_back(
        pattern.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return ops;
    start = pos + 2;
  }
}

// Every pattern of every converter, with its models summed (a model converted twice counts
// twice: the weight is about how common a structure is in what was tested).
std::map<std::string, int64_t> Union(const Corpus& corpus) {
  std::map<std::string, int64_t> all;
  for (const auto& [converter, patterns] : corpus.patterns) {
    for (const auto& [pattern, models] : patterns) all[pattern] += models;
  }
  return all;
}

StatusOr<int64_t> ParseInt(const std::string& key, const std::string& value) {
  int64_t v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (ec != std::errc() || ptr != end || value.empty() || v < 0) {
    return InvalidArgument("corpus field '" + key + "=" + value +
                           "' is not a non-negative integer");
  }
  return v;
}

}  // namespace

StatusOr<Corpus> LoadCampaignCorpus(const std::string& db_path) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(db_path, Database::Mode::kReadOnly));
  std::set<std::string> tables;
  CC_RETURN_IF_ERROR(ForEachRow(*db, "SELECT name FROM sqlite_master WHERE type = 'table'",
                                [&](const Statement& s) { tables.insert(s.Text(0)); }));
  if (tables.count("jobs") == 0 || tables.count("job_ops") == 0) {
    return InvalidArgument("'" + db_path +
                           "' is not a convcheck results database (it has no 'jobs' table)");
  }
  Corpus corpus;
  corpus.name = db_path;
  CC_RETURN_IF_ERROR(db->Exec("BEGIN;"));
  std::map<int64_t, std::string> converter_of;
  CC_RETURN_IF_ERROR(ForEachRow(
      *db,
      "SELECT id, converter FROM jobs WHERE status = 'done' AND id IN (SELECT job_id FROM "
      "job_ops)",
      [&](const Statement& s) {
        const std::string converter = s.Text(1).empty() ? "none (onnx)" : s.Text(1);
        converter_of[s.Int(0)] = converter;
        ++corpus.models[converter];
      }));
  auto add = [&](const Statement& s) {
    auto it = converter_of.find(s.Int(0));
    if (it != converter_of.end()) ++corpus.patterns[it->second][s.Text(1)];
  };
  CC_RETURN_IF_ERROR(ForEachRow(*db, "SELECT job_id, op_type FROM job_ops", add));
  if (tables.count("job_patterns") != 0) {
    CC_RETURN_IF_ERROR(
        ForEachRow(*db, "SELECT job_id, pattern FROM job_patterns WHERE level = 'onnx'", add));
    CC_ASSIGN_OR_RETURN(
        int64_t without,
        campaign::QueryInt(*db,
                           "SELECT count(DISTINCT job_id) FROM job_ops WHERE job_id NOT IN "
                           "(SELECT job_id FROM job_patterns)"));
    if (without > 0) {
      corpus.notes.push_back(std::to_string(without) +
                             " jobs have no recorded operator sequences (single operators only)");
    }
  } else {
    corpus.notes.push_back("'" + db_path +
                           "' has no job_patterns table: single operators only, no sequences");
  }
  CC_RETURN_IF_ERROR(db->Exec("COMMIT;"));
  return corpus;
}

StatusOr<GenCorpusSpec> ParseGenCorpus(const std::string& text) {
  if (text.rfind("gen:", 0) != 0) {
    return InvalidArgument("corpus '" + text + "' is neither a campaign file nor gen:...");
  }
  GenCorpusSpec spec;
  std::stringstream fields(text.substr(4));
  std::string field;
  while (std::getline(fields, field, ',')) {
    if (field.empty()) continue;
    const size_t eq = field.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument("corpus field '" + field + "' has no '=' (gen:seed=S,count=N,...)");
    }
    const std::string key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "seed") {
      CC_ASSIGN_OR_RETURN(int64_t v, ParseInt(key, value));
      spec.seed = static_cast<uint64_t>(v);
    } else if (key == "count") {
      CC_ASSIGN_OR_RETURN(spec.count, ParseInt(key, value));
    } else if (key == "nodes") {
      CC_RETURN_IF_ERROR(gen::ParseNodeRange(value, spec.options));
    } else if (key == "ops") {
      std::stringstream ops(value);
      std::string op;
      while (std::getline(ops, op, '+')) spec.options.include.push_back(op);
    } else {
      return InvalidArgument("corpus field '" + key + "' is unknown (seed, count, nodes, ops)");
    }
  }
  CC_RETURN_IF_ERROR(gen::SelectOps(spec.options).status());
  return spec;
}

const std::map<std::string, std::set<std::string>>& OnnxOpsOfGeneratorOps() {
  static const auto* mapping = [] {
    auto* m = new std::map<std::string, std::set<std::string>>();
    for (const gen::OpSpec& op : gen::Catalog()) {
      gen::GenOptions o;
      o.include = {op.name};
      o.min_nodes = o.max_nodes = 1;
      // A few seeds: an operator's lowering may depend on its attributes (a pooling with or
      // without padding).
      for (uint64_t seed = 1; seed <= 4; ++seed) {
        StatusOr<gen::Graph> graph = gen::Generate(seed, o);
        if (!graph.ok()) continue;
        StatusOr<onnx::ModelProto> model = gen::EmitOnnx(*graph);
        if (!model.ok()) continue;
        for (const auto& [pattern, count] : onnxio::ModelPatterns(*model, 1, 1)) {
          (*m)[op.name].insert(pattern);
        }
      }
    }
    return m;
  }();
  return *mapping;
}

std::map<std::string, int64_t> GuidedWeights(const std::set<std::string>& missing,
                                             const std::vector<std::string>& ops) {
  const auto& lowering = OnnxOpsOfGeneratorOps();
  std::map<std::string, int64_t> score;
  int64_t best = 0;
  std::vector<std::vector<std::string>> split;
  split.reserve(missing.size());
  for (const std::string& pattern : missing) split.push_back(Ops(pattern));
  for (const std::string& op : ops) {
    auto it = lowering.find(op);
    int64_t s = 0;
    if (it != lowering.end()) {
      for (const auto& parts : split) {
        for (const std::string& part : parts) {
          if (it->second.count(part) != 0) {
            ++s;
            break;
          }
        }
      }
    }
    score[op] = s;
    best = std::max(best, s);
  }
  // The generator picks with weight 1 / (1 + uses): an operator in many missing patterns gets
  // few pretend uses, one in none gets as many as the best has missing patterns.
  std::map<std::string, int64_t> uses;
  for (const auto& [op, s] : score) {
    uses[op] = static_cast<int64_t>(std::llround(static_cast<double>(best) / (1.0 + s)));
  }
  return uses;
}

StatusOr<Corpus> LoadCorpus(const std::string& text, const Corpus* target, bool guided,
                            std::vector<CoveragePoint>* curve) {
  if (text.rfind("gen:", 0) != 0) return LoadCampaignCorpus(text);
  CC_ASSIGN_OR_RETURN(GenCorpusSpec spec, ParseGenCorpus(text));
  CC_ASSIGN_OR_RETURN(std::vector<const gen::OpSpec*> selected, gen::SelectOps(spec.options));
  std::vector<std::string> op_names;
  for (const gen::OpSpec* op : selected) op_names.push_back(op->name);
  Corpus corpus;
  guided = guided && target != nullptr;
  corpus.name = text + (guided ? " (guided)" : "");
  // The curve measures against the target; without one it stays empty.
  const std::map<std::string, int64_t> goal =
      target != nullptr ? Union(*target) : std::map<std::string, int64_t>();
  std::set<std::string> missing;
  for (const auto& [pattern, models] : goal) missing.insert(pattern);
  std::map<std::string, int64_t>& patterns = corpus.patterns[""];
  for (int64_t i = 0; i < spec.count; ++i) {
    std::map<std::string, int64_t> weights;
    if (guided) weights = GuidedWeights(missing, op_names);
    CC_ASSIGN_OR_RETURN(gen::Graph graph, gen::Generate(spec.seed + static_cast<uint64_t>(i),
                                                        spec.options, guided ? &weights : nullptr));
    CC_ASSIGN_OR_RETURN(onnx::ModelProto model, gen::EmitOnnx(graph));
    for (const auto& [pattern, count] : onnxio::ModelPatterns(model, 1, 3)) {
      ++patterns[pattern];
      missing.erase(pattern);
    }
    ++corpus.models[""];
    if (curve != nullptr && target != nullptr) {
      CoveragePoint point;
      point.models = i + 1;
      for (const auto& [pattern, models] : goal) {
        const int n = onnxio::PatternLength(pattern);
        if (n > 3) continue;
        ++point.total[n - 1];
        point.covered[n - 1] += patterns.count(pattern) != 0;
      }
      curve->push_back(point);
    }
  }
  return corpus;
}

std::vector<CoverageRow> Coverage(const Corpus& of, const Corpus& by) {
  std::vector<CoverageRow> rows;
  const std::map<std::string, int64_t> by_all = Union(by);
  auto measure = [&](const std::string& converter, const std::map<std::string, int64_t>& first,
                     const std::string& by_converter,
                     const std::map<std::string, int64_t>& second) {
    CoverageRow row[3];
    for (int n = 1; n <= 3; ++n) {
      row[n - 1].converter = converter;
      row[n - 1].by_converter = by_converter;
      row[n - 1].n = n;
    }
    for (const auto& [pattern, models] : first) {
      const int n = onnxio::PatternLength(pattern);
      if (n > 3) continue;
      CoverageRow& r = row[n - 1];
      const bool hit = second.count(pattern) != 0;
      ++r.patterns;
      r.covered += hit;
      r.weight += models;
      r.weight_covered += hit ? models : 0;
    }
    for (const CoverageRow& r : row) rows.push_back(r);
  };
  for (const auto& [converter, patterns] : of.patterns) {
    auto same = by.patterns.find(converter);
    if (same != by.patterns.end()) {
      measure(converter, patterns, converter, same->second);
    } else {
      measure(converter, patterns, "all", by_all);
    }
  }
  if (of.patterns.size() > 1) measure("all", Union(of), "all", by_all);
  return rows;
}

}  // namespace convcheck::analysis
