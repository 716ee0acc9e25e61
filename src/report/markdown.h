//===- report/markdown.h - The Markdown report -----------------------------===//
//
// The same tables as the HTML report, for a pull request, an issue or a terminal; no charts.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_MARKDOWN_H_
#define CONVCHECK_REPORT_MARKDOWN_H_

#include <string>

#include "report/data.h"
#include "report/tables.h"

namespace convcheck::report {

std::string RenderMarkdown(const ReportData& data);
/// One table in Markdown (escaped cells, numbers right-aligned).
std::string RenderMarkdownTable(const Table& table);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_MARKDOWN_H_
