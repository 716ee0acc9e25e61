#include "pipeline/blame.h"

namespace convcheck::pipeline {

using oracle::Verdict;

Blame DecideBlame(Verdict job_verdict, const std::vector<EngineOutcome>& engines,
                  const std::vector<EngineAgreement>& agreements, bool reference_is_source) {
  switch (job_verdict) {
    case Verdict::kPass:
      return {};
    case Verdict::kSourceError:
      return {"source", "the source model fails in its own framework"};
    case Verdict::kConverterCrash:
    case Verdict::kConverterTimeout:
    case Verdict::kInvalidModel:
      return {"converter", "the converter failed or wrote a model the ONNX checker rejects"};
    default:
      break;
  }
  std::string failing, passing;
  int failing_count = 0;
  bool all_mismatch = true, all_refuse = true;
  for (const auto& e : engines) {
    std::string& list = e.verdict == Verdict::kPass ? passing : failing;
    list += (list.empty() ? "" : ",") + e.backend;
    if (e.verdict != Verdict::kPass) {
      ++failing_count;
      all_mismatch = all_mismatch && e.verdict == Verdict::kIncorrectBehavior;
      all_refuse = all_refuse && e.verdict == Verdict::kRuntimeError;
    }
  }
  if (!passing.empty()) {
    return {"runtime:" + failing,
            "the converted model runs right on " + passing + ", so the fault is " + failing + "'s"};
  }
  Blame blame;
  bool engines_agree = !agreements.empty();
  for (const auto& a : agreements) engines_agree = engines_agree && a.agree;
  if (all_mismatch && failing_count >= 2 && engines_agree) {
    blame = {"converter", failing +
                              " agree with each other and not with the reference: the converted "
                              "model computes something else"};
  } else if (all_refuse && failing_count >= 2) {
    // Two independent implementations of the spec both rejecting a model say it breaks the spec
    // where the checker does not look (a negative split, say): the converter wrote it wrong.
    blame = {"converter", failing +
                              " all refuse to run the converted model: it breaks the ONNX "
                              "specification where the checker does not look"};
  } else {
    return {"undetermined", failing_count < 2
                                ? "one engine only: add another backend (--backend ort,ref)"
                                : failing + " fail and disagree with each other"};
  }
  if (!reference_is_source) {
    // No converter ran: the model (or its stored outputs) is at fault.
    blame.who = "model";
    blame.reason = blame.reason.find("refuse") != std::string::npos
                       ? failing + " all refuse to run the model"
                       : "the engines agree with each other and not with the stored outputs";
  }
  return blame;
}

}  // namespace convcheck::pipeline
