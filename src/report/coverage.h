//===- report/coverage.h - `convcheck coverage` as tables, charts and JSON ===//
#ifndef CONVCHECK_REPORT_COVERAGE_H_
#define CONVCHECK_REPORT_COVERAGE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/coverage.h"
#include "core/status.h"
#include "report/tables.h"

namespace convcheck::report {

/// What `convcheck coverage` computed: the table for each "by" corpus (one, or for generated
/// models an unguided and a guided one), and for generated models the curves.
struct CoverageResult {
  std::string of_name;
  std::vector<std::string> of_notes;
  struct By {
    std::string name;
    std::vector<analysis::CoverageRow> rows;
    std::vector<analysis::CoveragePoint> curve;  // Empty for a campaign file.
  };
  std::vector<By> by;
};

Table CoverageTable(const CoverageResult& result);
std::string RenderCoverageMarkdown(const CoverageResult& result);
/// A page with the table and, when there are curves, one line chart per pattern length
/// (distinct patterns of the first corpus reached against models generated, one line per
/// generation mode).
std::string RenderCoverageHtml(const CoverageResult& result);
nlohmann::json CoverageJson(const CoverageResult& result);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_COVERAGE_H_
