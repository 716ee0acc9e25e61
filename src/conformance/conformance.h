//===- conformance/conformance.h - Run ONNX backend-test cases on a backend ===//
//
// `convcheck conformance` runs every case in the ONNX backend-test layout (model.onnx plus
// test_data_set_N) of one or both suites on a backend and compares with the stored outputs the way
// the ONNX backend runner does: rtol 1e-3, atol 1e-7, exact for non-floating types. Each case ends
// as pass, fail (outputs differ), unsupported (the backend lacks an operator or a value kind),
// error (it refused the model otherwise), crash or timeout. A committed skip list names the cases
// that are expected not to pass, each with a category and a reason; the command succeeds only when
// every other case passes.
//
// Reference-interpreter cases run in a forked child each, so a crash or hang of ours on one
// case is that case's result, not the end of the run.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CONFORMANCE_CONFORMANCE_H_
#define CONVCHECK_CONFORMANCE_CONFORMANCE_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "workers/session.h"

namespace convcheck::conformance {

/// The four folders of Debian's libonnx-testdata: 1,072 cases.
std::vector<std::string> DefaultCaseDirs();

/// The onnx version whose node tests are the second default suite.
inline constexpr const char* kOnnxTestsVersion = "1.23.2";

/// The node tests of onnx `version` as `scripts/install-deps.sh` writes them
/// (workers/python/onnx_node_tests.py): <envs root>/onnx-node-tests/<version>/node.
std::string OnnxNodeTestsDir(const std::string& version = kOnnxTestsVersion);

/// A set of case folders with its own skip lists: "onnx-1.12" (Debian's libonnx-testdata, data
/// written by onnx 1.12) and "onnx-1.23" (the node tests generated from the PyPI onnx 1.23.2);
/// "custom" for folders given on the command line outside both.
struct Suite {
  std::string name;
  std::vector<std::string> dirs;
};
/// Both default suites; without onnx 1.23's data only onnx-1.12, and `*note` says so in one
/// line naming the install command (empty otherwise).
std::vector<Suite> DefaultSuites(std::string* note);
/// The suite whose data holds `dir` ("custom" when none does).
std::string SuiteOfDir(const std::string& dir);

/// The backends a suite runs on: ref, ref64 (ref in float64 mode) and ort.
bool IsConformanceBackend(const std::string& backend);

struct SkipEntry {
  std::string category;
  std::string reason;
};
/// Lines "case_id  category  reason..." ('#' starts a comment). InvalidArgument naming the line
/// for a malformed entry.
StatusOr<std::map<std::string, SkipEntry>> ReadSkipList(const std::string& path);
/// The committed skip list of a suite on a backend (src/conformance/skips/<suite>/<backend>.txt).
std::string DefaultSkipFile(const std::string& suite, const std::string& backend);

struct Case {
  std::string id;  // "<folder>/<case>", e.g. "node/test_abs".
  std::string dir;
};
/// Cases under each folder (a folder that itself holds model.onnx is one case), sorted by id,
/// whose id matches `filter` (an ECMAScript regex searched anywhere; empty matches all).
StatusOr<std::vector<Case>> DiscoverCases(const std::vector<std::string>& dirs,
                                          const std::string& filter);

struct CaseResult {
  std::string id;
  std::string status;   // pass | fail | unsupported | error | crash | timeout
  std::string message;  // One line; empty for pass.
  double time_s = 0;
  bool skipped = false;  // On the skip list (run anyway, so stale entries show).
  SkipEntry skip;
};

struct ConformanceOptions {
  std::string backend = "ref";  // ref | ref64 | ort
  double timeout_s = 60;
  int64_t memory_limit_mb = 4096;
};

/// Runs one case. Never fails: every problem is a status of the case.
CaseResult RunCase(const Case& c, const ConformanceOptions& options, workers::Session& session);

nlohmann::json ToJson(const CaseResult& result);

}  // namespace convcheck::conformance

#endif  // CONVCHECK_CONFORMANCE_CONFORMANCE_H_
