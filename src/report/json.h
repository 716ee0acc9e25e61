//===- report/json.h - The report as JSON ----------------------------------===//
//
// The same numbers as the HTML and Markdown reports, for scripts and dashboards. The shape is
// documented in docs/campaign.md ("Reports") and versioned by `format_version`.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_JSON_H_
#define CONVCHECK_REPORT_JSON_H_

#include <nlohmann/json.hpp>

#include "report/data.h"

namespace convcheck::report {

inline constexpr int kReportFormatVersion = 1;

nlohmann::json ReportJson(const ReportData& data);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_JSON_H_
