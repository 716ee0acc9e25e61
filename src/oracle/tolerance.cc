#include "oracle/tolerance.h"

#include <array>
#include <cstdio>

namespace convcheck::oracle {
namespace {

struct Profile {
  std::string_view name;
  double atol, rtol, scale_atol;
};

// Why each number: docs/tolerances.md.
constexpr std::array<Profile, 5> kProfiles = {{
    // Ours: relative 1e-3 as the torch and ONNX testers use, but the absolute floor follows the
    // output's own magnitude (1e-4 of its RMS), because random-initialised models give outputs
    // from 1e-20 to 1e9 and a fixed atol is either meaningless or fires on float noise near 0.
    {"convcheck", 1e-7, 1e-3, 1e-4},
    // The study's text: max |a-b| < 1e-7.
    {"study-text", 1e-7, 0, 0},
    // torch.onnx.verification (legacy) and the study's torch code.
    {"torch-verifier", 1e-7, 1e-3, 0},
    // The ONNX backend test runner.
    {"onnx-backend", 1e-7, 1e-3, 0},
    // NNSmith's numpy.assert_allclose.
    {"nnsmith", 1e-3, 1e-2, 0},
}};

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

std::string Tolerance::Describe() const {
  std::string rule = "|a-b| <= " + Number(atol);
  if (rtol != 0) rule += " + " + Number(rtol) + "*|b|";
  if (scale_atol != 0) rule += " + " + Number(scale_atol) + "*rms(b)";
  return rule;
}

StatusOr<Tolerance> ToleranceProfile(std::string_view name) {
  for (const Profile& p : kProfiles) {
    if (p.name == name) return Tolerance{std::string(p.name), p.atol, p.rtol, p.scale_atol, ""};
  }
  std::string names;
  for (const Profile& p : kProfiles) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return InvalidArgument("unknown tolerance profile '" + std::string(name) + "' (known: " + names +
                         ")");
}

std::vector<std::string> Tolerance::ToFlags() const {
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return std::string(buf);
  };
  if (profile != "custom") return {"--tolerance", profile};
  StatusOr<Tolerance> start = ToleranceProfile(base.empty() ? kDefaultProfile : base);
  std::vector<std::string> flags = {"--tolerance",
                                    base.empty() ? std::string(kDefaultProfile) : base};
  if (!start.ok() || start->atol != atol) flags.insert(flags.end(), {"--atol", number(atol)});
  if (!start.ok() || start->rtol != rtol) flags.insert(flags.end(), {"--rtol", number(rtol)});
  return flags;
}

std::vector<std::string> ToleranceProfileNames() {
  std::vector<std::string> names;
  for (const Profile& p : kProfiles) names.emplace_back(p.name);
  return names;
}

}  // namespace convcheck::oracle
