#include "campaign/plan.h"

#include <algorithm>
#include <filesystem>
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
                                                "video", "optical_flow", "quantization"};

StatusOr<std::vector<PlannedJob>> TorchvisionSources(const std::string& suite,
                                                     pipeline::Session& session) {
  // torchvision, torchvision:FAMILY, or torchvision:NAME,NAME,...
  std::string filter = suite.size() > 12 ? suite.substr(12) : "";
  std::string family;
  std::vector<std::string> names;
  if (!filter.empty()) {
    for (const char* known : kTorchvisionFamilies) {
      if (filter == known) family = filter;
    }
    if (family.empty()) {
      std::stringstream stream(filter);
      std::string name;
      while (std::getline(stream, name, ',')) {
        if (!name.empty()) names.push_back(name);
      }
    }
  }
  CC_ASSIGN_OR_RETURN(workers::Worker * python, session.Python());
  workers::Reply reply = python->Call({{"op", "list_sources"}, {"kind", "torchvision"}}, 120);
  if (!reply.ok()) {
    return Unavailable("cannot list the torchvision builders: " +
                       reply.response.dump().substr(0, 300) + " " + reply.detail);
  }
  std::vector<PlannedJob> jobs;
  for (const auto& entry : reply.response.at("sources")) {
    PlannedJob job;
    job.source = entry.value("source", "");
    job.family = entry.value("family", "");
    if (!family.empty() && job.family != family) continue;
    if (!names.empty() &&
        std::find(names.begin(), names.end(), job.source.substr(12)) == names.end()) {
      continue;
    }
    job.source_kind = "torchvision";
    job.kind = "convert";
    jobs.push_back(job);
  }
  for (const auto& name : names) {
    bool found = std::any_of(jobs.begin(), jobs.end(), [&](const PlannedJob& job) {
      return job.source == "torchvision:" + name;
    });
    if (!found) {
      return InvalidArgument("suite '" + suite + "': '" + name +
                             "' is neither a torchvision family nor a model "
                             "(see torchvision.models.list_models())");
    }
  }
  return jobs;
}

std::vector<std::string> SortedEntries(const std::string& dir, bool want_dirs) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (want_dirs ? entry.is_directory() : (entry.is_regular_file() &&
                                           entry.path().extension() == ".py")) {
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
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it.depth() > 3) it.disable_recursion_pending();
    if (it->is_regular_file() && it->path().filename() == "model.onnx") {
      models.push_back(fs::absolute(it->path()).lexically_normal().string());
    }
  }
  std::sort(models.begin(), models.end());
  return models;
}

}  // namespace

Status ValidateSuite(const std::string& suite) {
  if (suite == "torchvision") return Status::Ok();
  if (suite.rfind("torchvision:", 0) == 0) {
    // A family, or model names that the worker's list confirms when planning.
    static const std::regex kNames(R"([a-z0-9_]+(,[a-z0-9_]+)*)");
    if (std::regex_match(suite.substr(12), kNames)) return Status::Ok();
    return InvalidArgument("suite '" + suite +
                           "': expected torchvision:FAMILY (classification, segmentation, "
                           "detection, video, optical_flow, quantization) or "
                           "torchvision:NAME,NAME,...");
  }
  for (const char* prefix : {"dir:", "onnx:"}) {
    if (suite.rfind(prefix, 0) == 0) {
      std::string path = suite.substr(std::string(prefix).size());
      if (path.empty()) return InvalidArgument("suite '" + suite + "': no folder given");
      if (!fs::is_directory(path)) {
        return NotFound("suite '" + suite + "': folder '" + path + "' does not exist");
      }
      return Status::Ok();
    }
  }
  return InvalidArgument("unknown suite '" + suite +
                         "': expected torchvision, torchvision:FAMILY, dir:PATH or onnx:PATH");
}

std::string JobKey(const PlannedJob& job) {
  std::string key = job.suite + "|" + job.source;
  if (job.kind == "convert") {
    key += "|" + job.converter.converter + "|opset=" + std::to_string(job.converter.opset) +
           "|fold=" + (job.converter.constant_folding ? "1" : "0") +
           "|dyn=" + (job.converter.dynamic_batch ? "1" : "0") + "|" + job.converter.mode;
  }
  key += "|seed=" + std::to_string(job.seed) + "|sets=" + std::to_string(job.num_sets) + "|" +
         job.backends + "|" + job.tolerance;
  return key;
}

StatusOr<std::vector<PlannedJob>> PlanJobs(const PlanOptions& options,
                                           pipeline::Session& session) {
  std::vector<PlannedJob> jobs;
  const std::string backends = JoinBackends(options.backends);
  for (const auto& suite : options.suites) {
    CC_RETURN_IF_ERROR(ValidateSuite(suite));
    std::vector<PlannedJob> sources;
    if (suite.rfind("torchvision", 0) == 0) {
      CC_ASSIGN_OR_RETURN(sources, TorchvisionSources(suite, session));
    } else if (suite.rfind("dir:", 0) == 0) {
      for (const auto& file : SortedEntries(suite.substr(4), /*want_dirs=*/false)) {
        PlannedJob job;
        job.kind = "convert";
        job.source = "python:" + file;
        job.source_kind = "python";
        sources.push_back(job);
      }
    } else {
      for (const auto& model : OnnxCases(suite.substr(5))) {
        PlannedJob job;
        job.kind = "check";
        job.source = model;
        job.source_kind = "onnx";
        sources.push_back(job);
      }
    }
    if (sources.empty()) {
      return InvalidArgument("suite '" + suite + "' has no models (" +
                             (suite.rfind("onnx:", 0) == 0 ? "no */model.onnx"
                                                           : "no *.py files") + ")");
    }
    for (PlannedJob& base : sources) {
      base.suite = suite;
      base.seed = options.seed;
      base.num_sets = options.num_sets;
      base.backends = backends;
      base.tolerance = options.tolerance;
      if (base.kind == "check") {
        base.key = JobKey(base);
        jobs.push_back(base);
        continue;
      }
      for (int opset : options.opsets) {
        PlannedJob job = base;
        job.converter.converter = options.converter;
        job.converter.opset = opset;
        job.converter.constant_folding = options.constant_folding;
        job.converter.dynamic_batch = options.dynamic_batch;
        job.converter.mode = options.mode;
        job.key = JobKey(job);
        jobs.push_back(job);
      }
    }
  }
  return jobs;
}

}  // namespace convcheck::campaign
