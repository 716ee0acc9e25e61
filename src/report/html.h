//===- report/html.h - The self-contained HTML report ---------------------===//
//
// One file with inline CSS and inline SVG charts: no script, no external resource, and a
// Content-Security-Policy that forbids both, so the page stays safe to open even if a converter
// printed markup into an error message (which is escaped anyway).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_HTML_H_
#define CONVCHECK_REPORT_HTML_H_

#include <string>
#include <string_view>

#include "report/data.h"
#include "report/tables.h"

namespace convcheck::report {

/// The whole page. Stable element ids: campaign-meta, outcome-table, verdict-chart,
/// verdict-table, backend-verdict-table, unique-failures, unique-failure-count,
/// unique-failure-table, error-distribution, error-histogram-chart, error-histogram-table,
/// op-failure-rates, op-failure-table, stage-times, stage-time-table, time-share.
std::string RenderHtml(const ReportData& data);
/// One table as HTML (escaped cells), with the table's id.
std::string RenderHtmlTable(const Table& table);
/// The page up to and including <body>: the report's CSP (no script, no external resource)
/// and style, so every page convcheck writes looks the same.
std::string HtmlPageStart(std::string_view title);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_HTML_H_
