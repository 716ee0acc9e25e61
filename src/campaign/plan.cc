#include "campaign/plan.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

std::string JoinBackends(const std::vector<std::string>& backends) {
  std::string text;
  for (const auto& backend : backends) text += (text.empty() ? "" : ",") + backend;
  return text;
}

constexpr const char* kTorchvisionFamilies[] = {"classification", "segmentation", "detection",
                                                "video",          "optical_flow", "quantization"};

// Suites whose sources a worker lists: kind -> (the converter that builds them by default).
bool IsListedKind(const std::string& kind) {
  return kind == "torchvision" || kind == "timm" || kind == "hf" || kind == "keras";
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// The converters a listed kind goes through, hence the environments that list it.
StatusOr<std::vector<std::string>> EnvsForKind(const PlanOptions& options,
                                               const std::string& kind) {
  CC_ASSIGN_OR_RETURN(sources::Source probe, sources::ParseSource(kind + ":probe"));
  std::vector<std::string> envs;
  std::vector<std::string> names = options.converters;
  if (names.empty()) {
    if (probe.framework == sources::Framework::kEither) {
      names = {std::string(converters::TorchDynamoDef().name)};
    } else {
      names = {std::string(converters::DefaultConverterFor(probe))};
    }
  }
  for (const auto& name : names) {
    StatusOr<converters::Resolved> resolved = converters::Resolve(name, probe);
    if (resolved.ok() && std::find(envs.begin(), envs.end(), resolved->env) == envs.end()) {
      envs.push_back(resolved->env);
    }
  }
  if (envs.empty()) {
    return InvalidArgument("suite kind '" + kind + "' has no converter among " +
                           [&] {
                             std::string list;
                             for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
                             return list;
                           }() +
                           " (it is a " + std::string(sources::FrameworkName(probe.framework)) +
                           " source)");
  }
  return envs;
}

// The builders of a kind, as the environment `env` lists them: {source, family}.
StatusOr<std::vector<std::pair<std::string, std::string>>> ListSources(const std::string& kind,
                                                                       const std::string& env,
                                                                       workers::Session& session) {
  CC_ASSIGN_OR_RETURN(workers::Worker * python, session.Python(env));
  workers::Reply reply = python->Call({{"op", "list_sources"}, {"kind", kind}}, 300);
  if (reply.kind == workers::ReplyKind::kStartFailed) return FailedPrecondition(reply.detail);
  if (!reply.ok()) {
    return Unavailable("cannot list the " + kind + " builders in environment " + env + ": " +
                       (reply.kind == workers::ReplyKind::kAnswered
                            ? reply.response.value("error", nlohmann::json::object())
                                  .value("message", std::string("no message"))
                            : reply.detail));
  }
  std::vector<std::pair<std::string, std::string>> sources;
  for (const auto& entry : reply.response.value("sources", nlohmann::json::array())) {
    sources.emplace_back(entry.value("source", ""), entry.value("family", ""));
  }
  return sources;
}

// Filters a kind's list by the suite's `:FILTER` (a torchvision family, or names and
// shell-style patterns). Every plain name must exist.
StatusOr<std::vector<std::pair<std::string, std::string>>> FilterSources(
    const std::string& suite, const std::string& kind, const std::string& filter,
    const std::vector<std::pair<std::string, std::string>>& all) {
  if (filter.empty()) return all;
  std::string family;
  if (kind == "torchvision") {
    for (const char* known : kTorchvisionFamilies) {
      if (filter == known) family = filter;
    }
  }
  std::vector<std::pair<std::string, std::string>> picked;
  if (!family.empty()) {
    for (const auto& entry : all) {
      if (entry.second == family) picked.push_back(entry);
    }
    return picked;
  }
  const std::vector<std::string> patterns = SplitComma(filter);
  for (const auto& entry : all) {
    const std::string name = entry.first.substr(kind.size() + 1);
    for (const auto& pattern : patterns) {
      if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
        picked.push_back(entry);
        break;
      }
    }
  }
  for (const auto& pattern : patterns) {
    if (pattern.find_first_of("*?[") != std::string::npos) continue;
    const bool found = std::any_of(all.begin(), all.end(), [&](const auto& entry) {
      return entry.first == kind + ":" + pattern;
    });
    if (!found) {
      return InvalidArgument(
          "suite '" + suite + "': '" + pattern + "' is not a " + kind + " model" +
          (kind == "torchvision" ? " or family (see torchvision.models.list_models())" : ""));
    }
  }
  return picked;
}

std::vector<std::string> SortedEntries(const std::string& dir) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".py") {
      entries.push_back(fs::absolute(entry.path()).lexically_normal().string());
    }
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

// Backend-test cases: every folder (searched two levels deep, as in libonnx-testdata's
// data/node/test_x/) holding a model.onnx.
std::vector<std::string> OnnxCases(const std::string& dir) {
  std::vector<std::string> models;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it.depth() > 3) it.disable_recursion_pending();
    if (it->is_regular_file() && it->path().filename() == "model.onnx") {
      models.push_back(fs::absolute(it->path()).lexically_normal().string());
    }
  }
  std::sort(models.begin(), models.end());
  return models;
}

// The converter names a source goes through.
std::vector<std::string> ConvertersFor(const PlanOptions& options, const sources::Source& source) {
  if (!options.converters.empty()) return options.converters;
  return {std::string(converters::DefaultConverterFor(source))};
}

}  // namespace

Status ValidateSuite(const std::string& suite) {
  const size_t colon = suite.find(':');
  const std::string kind = suite.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : suite.substr(colon + 1);
  if (IsListedKind(kind)) {
    if (colon != std::string::npos) {
      static const std::regex kNames(R"([A-Za-z0-9_.*?\[\]\-]+(,[A-Za-z0-9_.*?\[\]\-]+)*)");
      if (!std::regex_match(rest, kNames)) {
        return InvalidArgument("suite '" + suite + "': expected " + kind +
                               (kind == "torchvision" ? ":FAMILY or " : "") + kind +
                               ":NAME,NAME,... (shell patterns allowed)");
      }
    }
    return Status::Ok();
  }
  if (kind == "dir" || kind == "onnx") {
    if (rest.empty()) return InvalidArgument("suite '" + suite + "': no folder given");
    if (!fs::is_directory(rest)) {
      return NotFound("suite '" + suite + "': folder '" + rest + "' does not exist");
    }
    return Status::Ok();
  }
  return InvalidArgument("unknown suite '" + suite +
                         "': expected torchvision[:FAMILY|:NAMES], timm[:NAMES], hf[:TYPES], "
                         "keras[:NAMES], dir:PATH or onnx:PATH");
}

Status ValidatePlanConverters(const PlanOptions& options) {
  std::vector<const converters::ConverterDef*> defs;
  for (const auto& name : options.converters) {
    const std::string_view canonical = converters::CanonicalName(name);
    if (converters::IsFaultInject(canonical)) {
      // Doubles wrap whichever converter the source's framework has: check every one of those.
      for (const converters::ConverterDef* def : converters::AllConverters()) defs.push_back(def);
      const auto kinds = converters::FaultInjectKinds();
      const std::string_view kind = canonical.substr(canonical.find(':') + 1);
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        return InvalidArgument("unknown converter '" + name +
                               "' (known: " + converters::KnownConverters() + ")");
      }
      continue;
    }
    const converters::ConverterDef* found = nullptr;
    for (const converters::ConverterDef* def : converters::AllConverters()) {
      if (def->name == canonical) found = def;
    }
    if (found == nullptr) {
      return InvalidArgument("unknown converter '" + name +
                             "' (known: " + converters::KnownConverters() + ")");
    }
    defs.push_back(found);
    for (int opset : options.opsets) {
      CC_RETURN_IF_ERROR(converters::CheckOpset({std::string(canonical), found, "", false}, opset));
    }
  }
  if (defs.empty()) {
    for (const converters::ConverterDef* def : converters::AllConverters()) defs.push_back(def);
  }
  for (const auto& [key, value] : options.converter_options) {
    bool declared = false;
    for (const converters::ConverterDef* def : defs) {
      converters::OptionValues probe(*def);
      declared = declared || probe.Set(*def, key, value).ok();
    }
    if (!declared) {
      converters::OptionValues probe(*defs.front());
      Status why = probe.Set(*defs.front(), key, value);
      return InvalidArgument("converter option " + key + "=" + value +
                             " applies to none of the chosen converters (" + why.message() + ")");
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<PlannedJob>> ConvertJobsFor(const PlanOptions& options,
                                                 const sources::Source& source,
                                                 const PlannedJob& base) {
  std::vector<PlannedJob> jobs;
  for (const std::string& name : ConvertersFor(options, source)) {
    StatusOr<converters::Resolved> resolved = converters::Resolve(name, source);
    // A converter of the other framework does not apply to this source (a keras suite in a
    // campaign that also runs torch exporters); an unknown converter was refused before.
    if (!resolved.ok()) continue;
    converters::OptionValues values(*resolved->def);
    for (const auto& [key, value] : options.converter_options) {
      // Options belong to the converters that declare them (ValidatePlanConverters checked that
      // each belongs to one).
      (void)values.Set(*resolved->def, key, value);
    }
    std::vector<int> opsets = options.opsets;
    if (opsets.empty()) opsets = {resolved->def->default_opset};
    for (int opset : opsets) {
      CC_RETURN_IF_ERROR(converters::CheckOpset(*resolved, opset));
      PlannedJob job = base;
      job.kind = "convert";
      job.source = source.text;
      job.converter.name = resolved->name;
      job.converter.opset = opset;
      job.converter.options = values;
      job.key = JobKey(job);
      jobs.push_back(std::move(job));
    }
  }
  if (jobs.empty()) {
    return InvalidArgument("source '" + source.text + "' (" +
                           std::string(sources::FrameworkName(source.framework)) +
                           ") has no converter among the chosen ones");
  }
  return jobs;
}

std::string JobKey(const PlannedJob& job) {
  std::string key = job.suite + "|" + job.source;
  if (job.kind == "convert") {
    key += "|" + job.converter.name + "|opset=" + std::to_string(job.converter.opset) + "|" +
           job.converter.options.Canonical();
  }
  key += "|seed=" + std::to_string(job.seed) + "|sets=" + std::to_string(job.num_sets) + "|" +
         job.backends + "|" + job.tolerance;
  return key;
}

std::vector<std::string> ConvertCommand(const PlannedJob& job,
                                        const std::vector<std::string>& run_flags) {
  std::vector<std::string> argv = {"convcheck",
                                   "convert",
                                   job.source,
                                   "--converter",
                                   job.converter.name,
                                   "--opset",
                                   std::to_string(job.converter.opset)};
  StatusOr<sources::Source> source = sources::ParseSource(job.source);
  StatusOr<converters::Resolved> resolved = source.ok()
                                                ? converters::Resolve(job.converter.name, *source)
                                                : StatusOr<converters::Resolved>(source.status());
  if (resolved.ok()) {
    for (const auto& flag : job.converter.options.ToFlags(*resolved->def)) argv.push_back(flag);
  }
  for (const auto& flag :
       std::vector<std::string>{"--seed", std::to_string(job.seed), "--inputs",
                                std::to_string(job.num_sets), "--backend", job.backends}) {
    argv.push_back(flag);
  }
  argv.insert(argv.end(), run_flags.begin(), run_flags.end());
  return argv;
}

StatusOr<std::vector<PlannedJob>> PlanJobs(const PlanOptions& options, workers::Session& session) {
  CC_RETURN_IF_ERROR(ValidatePlanConverters(options));
  std::vector<PlannedJob> jobs;
  const std::string backends = JoinBackends(options.backends);
  // Lists are cached per (kind, environment): a campaign over torchvision through two torch 2
  // exporters lists once.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::string, std::string>>>
      lists;
  for (const auto& suite : options.suites) {
    CC_RETURN_IF_ERROR(ValidateSuite(suite));
    const size_t colon = suite.find(':');
    const std::string kind = suite.substr(0, colon);
    const std::string filter = colon == std::string::npos ? "" : suite.substr(colon + 1);
    PlannedJob base;
    base.suite = suite;
    base.seed = options.seed;
    base.num_sets = options.num_sets;
    base.backends = backends;
    base.tolerance = options.tolerance;
    const size_t before = jobs.size();
    if (IsListedKind(kind)) {
      CC_ASSIGN_OR_RETURN(std::vector<std::string> envs, EnvsForKind(options, kind));
      for (const std::string& env : envs) {
        auto key = std::make_pair(kind, env);
        if (!lists.count(key)) {
          CC_ASSIGN_OR_RETURN(lists[key], ListSources(kind, env, session));
        }
        CC_ASSIGN_OR_RETURN(auto picked, FilterSources(suite, kind, filter, lists[key]));
        for (const auto& [text, family] : picked) {
          CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource(text));
          PlannedJob job = base;
          job.source_kind = kind;
          job.family = family;
          CC_ASSIGN_OR_RETURN(std::vector<PlannedJob> converted,
                              ConvertJobsFor(options, source, job));
          for (auto& c : converted) {
            // Converters of another environment list their own builders.
            StatusOr<converters::Resolved> r = converters::Resolve(c.converter.name, source);
            if (r.ok() && r->env != env) continue;
            const bool dup = std::any_of(jobs.begin() + before, jobs.end(),
                                         [&](const PlannedJob& j) { return j.key == c.key; });
            if (!dup) jobs.push_back(std::move(c));
          }
        }
      }
    } else if (kind == "dir") {
      for (const auto& file : SortedEntries(filter)) {
        CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource("python:" + file));
        PlannedJob job = base;
        job.source_kind = "python";
        CC_ASSIGN_OR_RETURN(std::vector<PlannedJob> converted,
                            ConvertJobsFor(options, source, job));
        for (auto& c : converted) jobs.push_back(std::move(c));
      }
    } else {
      for (const auto& model : OnnxCases(filter)) {
        PlannedJob job = base;
        job.kind = "check";
        job.source = model;
        job.source_kind = "onnx";
        job.key = JobKey(job);
        jobs.push_back(std::move(job));
      }
    }
    if (jobs.size() == before) {
      return InvalidArgument("suite '" + suite + "' has no models (" +
                             (kind == "onnx"  ? "no */model.onnx"
                              : kind == "dir" ? "no *.py files"
                                              : "nothing matches") +
                             ")");
    }
  }
  return jobs;
}

}  // namespace convcheck::campaign
