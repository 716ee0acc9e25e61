#include "campaign/fuzz.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include "gen/emit.h"

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : "+") + item;
  return text;
}

}  // namespace

std::string FuzzSuite(const FuzzOptions& options) {
  std::string suite = "fuzz:seed=" + std::to_string(options.seed) +
                      ",nodes=" + std::to_string(options.gen.min_nodes) + ".." +
                      std::to_string(options.gen.max_nodes);
  if (!options.gen.include.empty()) suite += ",ops=" + Join(options.gen.include);
  if (!options.gen.exclude.empty()) suite += ",exclude=" + Join(options.gen.exclude);
  if (options.emitters != std::vector<gen::Emitter>{gen::Emitter::kTorch}) {
    std::vector<std::string> names;
    for (gen::Emitter e : options.emitters) names.emplace_back(gen::EmitterName(e));
    suite += ",emit=" + Join(names);
  }
  return suite;
}

std::vector<gen::Emitter> EmittersFor(const std::vector<std::string>& converters) {
  std::vector<gen::Emitter> emitters;
  auto add = [&](gen::Emitter e) {
    if (std::find(emitters.begin(), emitters.end(), e) == emitters.end()) emitters.push_back(e);
  };
  if (converters.empty()) add(gen::Emitter::kTorch);
  for (const std::string& name : converters) {
    const converters::ConverterDef* def = converters::FindConverterDef(name);
    if (def == nullptr) {
      if (converters::IsFaultInject(name)) add(gen::Emitter::kTorch);
    } else if (def->framework == sources::Framework::kTensorFlow) {
      add(gen::Emitter::kTensorFlow);
    } else if (def->framework == sources::Framework::kOnnx) {
      add(gen::Emitter::kOnnx);
    } else {
      add(gen::Emitter::kTorch);
    }
  }
  return emitters;
}

StatusOr<std::vector<gen::Emitter>> ParseEmitters(const std::string& text) {
  std::vector<gen::Emitter> emitters;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::optional<gen::Emitter> emitter;
    for (gen::Emitter e : {gen::Emitter::kTorch, gen::Emitter::kTensorFlow, gen::Emitter::kOnnx}) {
      if (gen::EmitterName(e) == item) emitter = e;
    }
    if (!emitter) {
      return InvalidArgument("--emit '" + item +
                             "' is not a form models are written in "
                             "(expected torch, tf or onnx)");
    }
    if (std::find(emitters.begin(), emitters.end(), *emitter) == emitters.end()) {
      emitters.push_back(*emitter);
    }
  }
  if (emitters.empty()) return InvalidArgument("--emit is empty (expected torch, tf or onnx)");
  return emitters;
}

uint64_t FuzzModelSeed(uint64_t seed, int64_t index) {
  return seed * 1000000 + static_cast<uint64_t>(index);
}

std::function<StatusOr<std::vector<PlannedJob>>(Store&)> MakeFuzzFeeder(FuzzOptions options) {
  return [options](Store& store) -> StatusOr<std::vector<PlannedJob>> {
    const std::string suite = FuzzSuite(options);
    const std::string meta_key = "fuzz_next:" + suite;
    CC_ASSIGN_OR_RETURN(std::string next_text, store.GetMeta(meta_key));
    int64_t next = next_text.empty() ? 0 : std::stoll(next_text);
    int64_t batch = options.batch;
    if (options.count > 0) batch = std::min(batch, options.count - next);
    std::vector<PlannedJob> jobs;
    if (batch <= 0) return jobs;
    const std::string dir = store.artifacts_dir() + "/generated";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Internal("cannot create '" + dir + "': " + ec.message());
    const std::string backends = [&] {
      std::string text;
      for (const auto& b : options.plan.backends) text += (text.empty() ? "" : ",") + b;
      return text;
    }();
    for (int64_t i = next; i < next + batch; ++i) {
      const uint64_t seed = FuzzModelSeed(options.seed, i);
      CC_ASSIGN_OR_RETURN(gen::Graph graph, gen::Generate(seed, options.gen));
      const std::string stem = fs::absolute(dir + "/gen-" + std::to_string(seed)).string();
      const size_t before = jobs.size();
      for (gen::Emitter emitter : options.emitters) {
        CC_ASSIGN_OR_RETURN(std::string text, gen::WriteSource(graph, stem, emitter));
        CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource(text));
        PlannedJob base;
        base.suite = suite;
        base.source_kind = "generated";
        base.family = "generated";
        base.seed = options.plan.seed;
        base.num_sets = options.plan.num_sets;
        base.backends = backends;
        base.tolerance = options.plan.tolerance;
        // A form that none of the converters takes (the torch file of a tf2onnx campaign
        // run with --emit torch,tf) plans nothing; a model that no converter takes is an error.
        StatusOr<std::vector<PlannedJob>> converted = ConvertJobsFor(options.plan, source, base);
        if (!converted.ok()) continue;
        for (auto& job : *converted) jobs.push_back(std::move(job));
      }
      if (jobs.size() == before) {
        return InvalidArgument("no requested converter takes a generated model written as " +
                               Join([&] {
                                 std::vector<std::string> names;
                                 for (gen::Emitter e : options.emitters) {
                                   names.emplace_back(gen::EmitterName(e));
                                 }
                                 return names;
                               }()) +
                               " (choose --emit to match --converter)");
      }
    }
    // Planned before the index moves on: a kill in between plans the same models again (keys
    // make that a no-op) rather than skipping them.
    CC_RETURN_IF_ERROR(store.AddPlanned(jobs).status());
    CC_RETURN_IF_ERROR(store.SetMeta(meta_key, std::to_string(next + batch)));
    return jobs;
  };
}

}  // namespace convcheck::campaign
