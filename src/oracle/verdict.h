//===- oracle/verdict.h - The stable names of job outcomes ----------------===//
//
// Verdicts are the vocabulary shared by the JSON output, the database, reports and exit codes
// (docs/verdicts.md); their names never change. Each maps to one symptom of the study's taxonomy
// (Crash, Hang, Wrong Model) and is charged to the stage where it happened.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ORACLE_VERDICT_H_
#define CONVCHECK_ORACLE_VERDICT_H_

#include <optional>
#include <string_view>

namespace convcheck::oracle {

enum class Verdict {
  kPass,
  kSourceError,
  kConverterCrash,
  kConverterTimeout,
  kInvalidModel,
  kRuntimeError,
  kRuntimeCrash,
  kRuntimeTimeout,
  kIncorrectBehavior,
};

/// "pass", "source_error", "converter_crash", ... as in docs/verdicts.md.
std::string_view VerdictName(Verdict verdict);
std::optional<Verdict> VerdictFromName(std::string_view name);

/// The study's symptom for a verdict: "Crash", "Hang", "Wrong Model", or "" (pass, source_error).
std::string_view StudySymptom(Verdict verdict);

/// The worse of two per-backend verdicts. Silent wrong answers rank worst because nothing else
/// tells the user about them; then a backend that died, hung, or refused the model.
Verdict Worse(Verdict a, Verdict b);

}  // namespace convcheck::oracle

#endif  // CONVCHECK_ORACLE_VERDICT_H_
