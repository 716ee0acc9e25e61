#include "conformance/conformance.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "backends/backend.h"
#include "backends/ref_child.h"
#include "interp/executor.h"
#include "interp/value_io.h"
#include "onnx/model.h"
#include "oracle/compare.h"
#include "workers/envs.h"

namespace convcheck::conformance {
namespace {

namespace fs = std::filesystem;

double NowS() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string OneLine(std::string text, size_t max_chars = 300) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > max_chars) text = text.substr(0, max_chars - 3) + "...";
  return text;
}

// The ONNX backend runner's rule.
oracle::Tolerance BackendTestTolerance() { return *oracle::ToleranceProfile("onnx-backend"); }

// Compares all sets; fills status/message of `result`.
void Judge(const std::vector<std::vector<interp::Value>>& expected,
           const std::vector<std::vector<interp::Value>>& actual,
           const std::vector<std::string>& names, CaseResult* result) {
  std::vector<std::vector<Tensor>> exp_flat, act_flat;
  std::vector<std::string> flat_names;
  for (size_t s = 0; s < expected.size(); ++s) {
    std::vector<std::string> set_names;
    exp_flat.push_back(interp::FlattenValues(expected[s], names, s == 0 ? &flat_names : nullptr));
    act_flat.push_back(s < actual.size() ? interp::FlattenValues(actual[s], names, nullptr)
                                         : std::vector<Tensor>{});
  }
  oracle::Comparison c =
      oracle::CompareOutputs(exp_flat, act_flat, BackendTestTolerance(), flat_names);
  result->status = c.pass() ? "pass" : "fail";
  if (!c.pass()) result->message = c.Summary();
}

// The reference interpreter, through the forked-child runner every user of the interpreter
// shares (backends/ref_child.h): the data sets are read there too, so a case's malformed input
// file cannot take convcheck down either.
void RunRef(const Case& c, const ConformanceOptions& options, CaseResult* result) {
  std::vector<interp::ValueDataSet> sets;
  backends::RefChildBody body;
  body.before_create = [&](const onnx::ModelProto& model) -> Status {
    CC_ASSIGN_OR_RETURN(sets, interp::ReadValueDataSets(c.dir, model));
    return Status::Ok();
  };
  body.run = [&](interp::Interpreter& interp) -> StatusOr<nlohmann::json> {
    std::vector<std::vector<interp::Value>> expected, actual;
    std::vector<std::string> names;
    for (const auto& set : sets) {
      CC_ASSIGN_OR_RETURN(std::vector<interp::Value> outputs, interp.Run(set.inputs));
      expected.push_back(set.outputs);
      actual.push_back(std::move(outputs));
      if (names.empty()) names = set.output_names;
    }
    CaseResult judged;
    Judge(expected, actual, names, &judged);
    return nlohmann::json{{"status", judged.status}, {"message", judged.message}};
  };
  backends::RefChildResult child = backends::RunRefChild(
      c.dir + "/model.onnx",
      {options.backend == "ref64", options.timeout_s, options.memory_limit_mb}, body);
  switch (child.kind) {
    case backends::RefChildResult::Kind::kTimeout:
      result->status = "timeout";
      result->message = child.message;
      return;
    case backends::RefChildResult::Kind::kCrashed:
      result->status = "crash";
      result->message = child.message;
      return;
    case backends::RefChildResult::Kind::kLoadError:
    case backends::RefChildResult::Kind::kRunError:
      result->status =
          child.code == StatusCodeName(StatusCode::kUnimplemented) ? "unsupported" : "error";
      result->message = OneLine(child.message);
      return;
    case backends::RefChildResult::Kind::kOk:
      result->status = child.report.value("status", "error");
      result->message = OneLine(child.report.value("message", ""));
      return;
  }
}

void RunOrt(const Case& c, const ConformanceOptions& options, workers::Session& session,
            CaseResult* result) {
  StatusOr<onnx::ModelProto> model = onnxio::LoadModel(c.dir + "/model.onnx");
  if (!model.ok()) {
    result->status = "error";
    result->message = model.status().message();
    return;
  }
  StatusOr<std::vector<interp::ValueDataSet>> sets = interp::ReadValueDataSets(c.dir, *model);
  if (!sets.ok()) {
    result->status = sets.status().code() == StatusCode::kUnimplemented ? "unsupported" : "error";
    result->message = sets.status().message();
    return;
  }
  std::vector<std::vector<Tensor>> inputs;
  std::vector<std::vector<interp::Value>> expected;
  std::vector<std::string> names;
  for (const auto& set : *sets) {
    std::vector<Tensor> tensors;
    for (const auto& v : set.inputs) {
      if (!v.is_tensor()) {
        result->status = "unsupported";
        result->message = "the Node binding of ONNX Runtime cannot feed a " + v.Describe();
        return;
      }
      tensors.push_back(v.tensor());
    }
    inputs.push_back(std::move(tensors));
    expected.push_back(set.outputs);
    if (names.empty()) names = set.output_names;
  }
  StatusOr<std::unique_ptr<backends::Backend>> backend =
      backends::MakeBackend("ort", session, backends::BackendOptions{});
  if (!backend.ok()) {
    result->status = "error";
    result->message = backend.status().message();
    return;
  }
  StatusOr<backends::BackendRun> run =
      (*backend)->Run(c.dir + "/model.onnx", inputs, options.timeout_s);
  if (!run.ok()) {
    result->status = "error";
    result->message = run.status().message();
    return;
  }
  switch (run->failure) {
    case oracle::Verdict::kPass:
      break;
    case oracle::Verdict::kRuntimeTimeout:
      result->status = "timeout";
      result->message = run->message;
      return;
    case oracle::Verdict::kRuntimeCrash:
      result->status = "crash";
      result->message = run->message;
      return;
    default:
      result->status = run->code == "NOT_IMPLEMENTED" ? "unsupported" : "error";
      result->message = OneLine(run->code + " (" + run->stage + "): " + run->message);
      return;
  }
  std::vector<std::vector<interp::Value>> actual;
  for (auto& set : run->outputs) {
    std::vector<interp::Value> values;
    for (auto& t : set) values.push_back(interp::Value::FromTensor(std::move(t)));
    actual.push_back(std::move(values));
  }
  Judge(expected, actual, names, result);
}

}  // namespace

std::vector<std::string> DefaultCaseDirs() {
  const std::string root = "/usr/share/libonnx-testdata/data";
  return {root + "/node", root + "/pytorch-converted", root + "/pytorch-operator",
          root + "/simple"};
}

std::string OnnxNodeTestsDir(const std::string& version) {
  return workers::EnvsRoot() + "/onnx-node-tests/" + version + "/node";
}

std::vector<Suite> DefaultSuites(std::string* note) {
  std::vector<Suite> suites = {{"onnx-1.12", DefaultCaseDirs()}};
  const std::string dir = OnnxNodeTestsDir();
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    suites.push_back({"onnx-1.23", {dir}});
    note->clear();
  } else {
    *note = std::string("onnx ") + kOnnxTestsVersion + " node tests not found at " + dir +
            " (install them with `bash scripts/install-deps.sh`): running the onnx-1.12 suite only";
  }
  return suites;
}

std::string SuiteOfDir(const std::string& dir) {
  const std::string path = fs::weakly_canonical(fs::path(dir)).string();
  auto under = [&](const std::string& root) {
    std::error_code ec;
    const std::string r = fs::weakly_canonical(fs::path(root), ec).string();
    return !r.empty() && path.compare(0, r.size(), r) == 0;
  };
  if (under("/usr/share/libonnx-testdata/data")) return "onnx-1.12";
  if (under(fs::path(OnnxNodeTestsDir()).parent_path().string())) return "onnx-1.23";
  return "custom";
}

bool IsConformanceBackend(const std::string& backend) {
  return backend == "ref" || backend == "ref64" || backend == "ort";
}

std::string DefaultSkipFile(const std::string& suite, const std::string& backend) {
  return std::string(CONVCHECK_CONFORMANCE_SKIPS_DIR) + "/" + suite + "/" + backend + ".txt";
}

StatusOr<std::map<std::string, SkipEntry>> ReadSkipList(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("skip list '" + path + "': no such file");
  std::map<std::string, SkipEntry> skips;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line = line.substr(0, hash);
    std::istringstream fields(line);
    std::string id, category;
    if (!(fields >> id)) continue;
    std::string reason;
    if (!(fields >> category) || !std::getline(fields, reason) ||
        reason.find_first_not_of(" \t") == std::string::npos) {
      return InvalidArgument("skip list '" + path + "' line " + std::to_string(line_no) +
                             ": expected 'case_id category reason'");
    }
    reason = reason.substr(reason.find_first_not_of(" \t"));
    if (skips.count(id)) {
      return InvalidArgument("skip list '" + path + "' line " + std::to_string(line_no) +
                             ": case '" + id + "' is listed twice");
    }
    skips[id] = {category, reason};
  }
  return skips;
}

StatusOr<std::vector<Case>> DiscoverCases(const std::vector<std::string>& dirs,
                                          const std::string& filter) {
  std::regex re;
  try {
    re = std::regex(filter.empty() ? "." : filter, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return InvalidArgument("--filter '" + filter + "' is not a valid regular expression");
  }
  std::vector<Case> cases;
  for (const auto& dir : dirs) {
    std::error_code ec;
    fs::path root = fs::path(dir).lexically_normal();
    if (root.filename().empty()) root = root.parent_path();
    if (!fs::is_directory(root, ec)) return NotFound("case folder '" + dir + "': no such folder");
    if (fs::exists(root / "model.onnx", ec)) {
      std::string id = root.parent_path().filename().string() + "/" + root.filename().string();
      if (std::regex_search(id, re)) cases.push_back({id, root.string()});
      continue;
    }
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (!entry.is_directory() || !fs::exists(entry.path() / "model.onnx")) continue;
      std::string id = root.filename().string() + "/" + entry.path().filename().string();
      if (std::regex_search(id, re)) cases.push_back({id, entry.path().string()});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return cases;
}

CaseResult RunCase(const Case& c, const ConformanceOptions& options, workers::Session& session) {
  CaseResult result;
  result.id = c.id;
  const double start = NowS();
  if (options.backend == "ref" || options.backend == "ref64") {
    RunRef(c, options, &result);
  } else {
    RunOrt(c, options, session, &result);
  }
  result.time_s = NowS() - start;
  return result;
}

nlohmann::json ToJson(const CaseResult& r) {
  nlohmann::json j = {{"case", r.id},
                      {"status", r.status},
                      {"message", r.message},
                      {"time_s", r.time_s},
                      {"skipped", r.skipped}};
  if (r.skipped) j["skip"] = {{"category", r.skip.category}, {"reason", r.skip.reason}};
  return j;
}

}  // namespace convcheck::conformance
