//===- pipeline/blame.h - Who is at fault, from how the engines agree -----===//
//
// A failed job is charged to the source model, the converter, a runtime, or left undetermined,
// from the verdicts alone and from whether the engines that ran agree with each other
// (docs/verdicts.md). These are pure functions of the job's results so that every rule has a
// unit test, not only the integration tests that happen to reach it.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_PIPELINE_BLAME_H_
#define CONVCHECK_PIPELINE_BLAME_H_

#include <string>
#include <vector>

#include "oracle/verdict.h"

namespace convcheck::pipeline {

/// One engine's outcome, as blame sees it.
struct EngineOutcome {
  std::string backend;
  oracle::Verdict verdict = oracle::Verdict::kPass;
};

/// Two engines compared with each other (both ran): do their outputs agree?
struct EngineAgreement {
  std::string a, b;
  bool agree = false;
};

struct Blame {
  std::string who;     // "" (pass), source, converter, runtime:NAME[,NAME], model, undetermined.
  std::string reason;  // One line: the evidence.
};

/// The rules, in order: the job's own verdict first (source_error -> source; converter_crash,
/// converter_timeout, invalid_model -> converter); then, for failures at the engines: some
/// engine passes -> the failing runtimes; two or more engines that agree with each other and
/// all mismatch the reference -> converter; every engine (two or more) refuses the model ->
/// converter; otherwise undetermined. `reference_is_source`: the reference came from the source
/// framework (convert); for `check` it is stored outputs, and a converter verdict becomes
/// "model".
Blame DecideBlame(oracle::Verdict job_verdict, const std::vector<EngineOutcome>& engines,
                  const std::vector<EngineAgreement>& agreements, bool reference_is_source);

}  // namespace convcheck::pipeline

#endif  // CONVCHECK_PIPELINE_BLAME_H_
