#include "campaign/fuzz.h"

#include <filesystem>

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
  return suite;
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
      CC_RETURN_IF_ERROR(gen::WriteCase(graph, stem, /*with_onnx=*/false));
      CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource("python:" + stem + ".py"));
      PlannedJob base;
      base.suite = suite;
      base.source_kind = "generated";
      base.family = "generated";
      base.seed = options.plan.seed;
      base.num_sets = options.plan.num_sets;
      base.backends = backends;
      base.tolerance = options.plan.tolerance;
      CC_ASSIGN_OR_RETURN(std::vector<PlannedJob> converted,
                          ConvertJobsFor(options.plan, source, base));
      for (auto& job : converted) jobs.push_back(std::move(job));
    }
    // Planned before the index moves on: a kill in between plans the same models again (keys
    // make that a no-op) rather than skipping them.
    CC_RETURN_IF_ERROR(store.AddPlanned(jobs).status());
    CC_RETURN_IF_ERROR(store.SetMeta(meta_key, std::to_string(next + batch)));
    return jobs;
  };
}

}  // namespace convcheck::campaign
