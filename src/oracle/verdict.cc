#include "oracle/verdict.h"

#include <array>
#include <utility>

namespace convcheck::oracle {
namespace {

constexpr std::array<std::pair<Verdict, std::string_view>, 9> kNames = {{
    {Verdict::kPass, "pass"},
    {Verdict::kSourceError, "source_error"},
    {Verdict::kConverterCrash, "converter_crash"},
    {Verdict::kConverterTimeout, "converter_timeout"},
    {Verdict::kInvalidModel, "invalid_model"},
    {Verdict::kRuntimeError, "runtime_error"},
    {Verdict::kRuntimeCrash, "runtime_crash"},
    {Verdict::kRuntimeTimeout, "runtime_timeout"},
    {Verdict::kIncorrectBehavior, "incorrect_behavior"},
}};

// Rank for Worse(): higher is worse.
int Rank(Verdict v) {
  switch (v) {
    case Verdict::kPass: return 0;
    case Verdict::kRuntimeError: return 1;
    case Verdict::kRuntimeTimeout: return 2;
    case Verdict::kRuntimeCrash: return 3;
    case Verdict::kIncorrectBehavior: return 4;
    // Stages before the backends: a job has at most one of these and no backend verdicts
    // compete with it, but keep the order total.
    case Verdict::kInvalidModel: return 5;
    case Verdict::kConverterTimeout: return 6;
    case Verdict::kConverterCrash: return 7;
    case Verdict::kSourceError: return 8;
  }
  return 0;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  for (const auto& [v, name] : kNames) {
    if (v == verdict) return name;
  }
  return "unknown";
}

std::optional<Verdict> VerdictFromName(std::string_view name) {
  for (const auto& [v, n] : kNames) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string_view StudySymptom(Verdict verdict) {
  switch (verdict) {
    case Verdict::kConverterCrash:
    case Verdict::kInvalidModel:
    case Verdict::kRuntimeError:
    case Verdict::kRuntimeCrash: return "Crash";
    case Verdict::kConverterTimeout:
    case Verdict::kRuntimeTimeout: return "Hang";
    case Verdict::kIncorrectBehavior: return "Wrong Model";
    case Verdict::kPass:
    case Verdict::kSourceError: return "";
  }
  return "";
}

Verdict Worse(Verdict a, Verdict b) { return Rank(a) >= Rank(b) ? a : b; }

}  // namespace convcheck::oracle
