//===- report/svg.h - Bar charts as inline SVG ----------------------------===//
//
// The HTML report must open anywhere, offline, years later: no script, no chart library, no
// network. Two hand-written chart shapes cover what it shows: horizontal bars for counts by
// name (verdicts) and columns for histograms (error ratios). Every label is escaped.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_SVG_H_
#define CONVCHECK_REPORT_SVG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace convcheck::report {

struct Bar {
  std::string label;
  int64_t value = 0;
  std::string color;  // A CSS colour; it is ours, not from the database.
};

/// One horizontal bar per entry, label on the left, value after the bar. `id` goes on the <svg>.
std::string HorizontalBarChart(std::string_view id, std::string_view title,
                               const std::vector<Bar>& bars);

/// One column per entry (a histogram), labels under the columns, values above them.
std::string ColumnChart(std::string_view id, std::string_view title, const std::vector<Bar>& bars);

/// The colour of a verdict (or outcome key) in every chart: greens pass, reds are the
/// converter's, purples the engines', magenta a wrong answer, greys not a finding.
std::string_view VerdictColor(std::string_view verdict);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_SVG_H_
