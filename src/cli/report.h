//===- cli/report.h - `convcheck report`: a results database as HTML, Markdown, JSON, JUnit ===//
#ifndef CONVCHECK_CLI_REPORT_H_
#define CONVCHECK_CLI_REPORT_H_

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/common.h"
#include "report/report.h"

namespace convcheck::cli {

void AddReportCommand(CLI::App& app, int& exit_code);
/// Exit code 0 when every report was written (whatever the campaign found: the report is not a
/// verdict), kExitUsage with one line on `err` otherwise.
int RunReport(const report::ReportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_REPORT_H_
