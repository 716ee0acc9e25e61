//===- oracle/tolerance.h - Named tolerance profiles -----------------------===//
//
// One rule for every backend and every profile: an element of actual output a passes against
// the expected (reference) element b when
//
//     |a - b| <= atol + rtol * |b| + scale_atol * rms(b)
//
// where rms(b) is the root mean square of the finite elements of that expected output over all
// input sets. The profiles differ only in the three numbers, so a result can be read against
// the study, torch.onnx, the ONNX backend tests or NNSmith (docs/tolerances.md). Integer and
// bool outputs are compared exactly whatever the profile.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ORACLE_TOLERANCE_H_
#define CONVCHECK_ORACLE_TOLERANCE_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace convcheck::oracle {

struct Tolerance {
  std::string profile;    // The profile name, or "custom" after --atol/--rtol overrides.
  double atol = 0;        // Absolute floor.
  double rtol = 0;        // Relative to |expected|.
  double scale_atol = 0;  // Absolute floor relative to the output's own magnitude (its RMS).
  std::string base;       // The profile the overrides started from ("" when not custom).

  /// The rule with its numbers, e.g. "|a-b| <= 1e-07 + 0.001*|b| + 0.0001*rms(b)".
  std::string Describe() const;
  /// The command-line flags that give this tolerance again: {"--tolerance", "nnsmith"}, plus
  /// "--atol"/"--rtol" for a custom one. Used by every recorded command (reproduce.sh, the
  /// resume command), so they cannot drift from what ran.
  std::vector<std::string> ToFlags() const;
};

/// The default profile's name.
inline constexpr std::string_view kDefaultProfile = "convcheck";

/// One of ToleranceProfileNames(); InvalidArgument listing the names otherwise.
StatusOr<Tolerance> ToleranceProfile(std::string_view name);
std::vector<std::string> ToleranceProfileNames();

}  // namespace convcheck::oracle

#endif  // CONVCHECK_ORACLE_TOLERANCE_H_
