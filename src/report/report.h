//===- report/report.h - Reports from a campaign's results database -------===//
//
// `convcheck report` in library form: read the SQLite file once (report/data.h), then write
// each requested format. The file is opened read-only, so a report can be made while the
// campaign still runs; it then shows the jobs finished so far as done and the rest as not run.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_REPORT_H_
#define CONVCHECK_REPORT_REPORT_H_

#include <string>

#include "core/status.h"
#include "report/data.h"

namespace convcheck::report {

struct ReportOptions {
  std::string db_path;
  std::string html_path;
  std::string md_path;
  std::string json_path;
  std::string junit_path;
  int top_ops = 40;       // Rows of the per-operator failure rates.
  int top_patterns = 10;  // Rows per converter of the operator-pattern analysis.
};

/// Writes every report whose path is set. InvalidArgument when none is; the LoadReportData
/// errors for a missing or unreadable database; FailedPrecondition when a file cannot be
/// written (the message names it).
Status WriteReports(const ReportOptions& options);

/// Writes `content` to `path` through `path`.tmp and a rename, so that no reader sees half a
/// file. FailedPrecondition naming the file when it cannot be written.
Status WriteReportFile(const std::string& path, const std::string& content);

/// The same with data already loaded (the CLI prints a summary of it).
Status WriteReports(const ReportOptions& options, const ReportData& data);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_REPORT_H_
