//===- report/patterns.h - The operator-pattern analysis in every format ---===//
//
// `convcheck analyze` writes this section on its own; `convcheck report` includes it. Tables
// and JSON are built once here from analysis::Analysis, so both commands show the same numbers.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_PATTERNS_H_
#define CONVCHECK_REPORT_PATTERNS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "analysis/association.h"
#include "core/status.h"
#include "report/tables.h"

namespace convcheck::report {

/// The top patterns per converter (analysis::TopPatterns) with their statistics.
Table PatternTopTable(const analysis::Analysis& analysis, size_t per_converter);
/// The populations at risk: jobs and failures per converter, level and outcome.
Table PatternPopulationTable(const analysis::Analysis& analysis);

/// `heading` is the Markdown level ("##") or the HTML element ("h2") of the section title.
std::string RenderPatternsMarkdown(const analysis::Analysis& analysis, std::string_view heading,
                                   size_t per_converter = 10);
std::string RenderPatternsHtml(const analysis::Analysis& analysis, std::string_view heading,
                               size_t per_converter = 10);
/// Every test: {"tests", "notes", "populations", "patterns": [{pattern, level, n, converter,
/// outcome, models_with, failures_with, models_without, failures_without, rate_with,
/// rate_without, odds_ratio, ci_low, ci_high, or_corrected, p, q, example_job, example_source,
/// reproducer}]}, patterns by q.
nlohmann::json PatternsJson(const analysis::Analysis& analysis);

struct AnalysisOutputs {
  std::string html_path, md_path, json_path;
  size_t per_converter = 10;
};
/// `convcheck analyze`'s files: a page, a Markdown file and the JSON above (with "format":
/// "convcheck-analysis"), each written to FILE.tmp and renamed. FailedPrecondition naming the
/// file when one cannot be written.
Status WriteAnalysis(const analysis::Analysis& analysis, const AnalysisOutputs& outputs);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_PATTERNS_H_
