//===- report/report.h - Reports from a campaign's results database -------===//
#ifndef CONVCHECK_REPORT_REPORT_H_
#define CONVCHECK_REPORT_REPORT_H_

#include <string>

#include "core/status.h"

namespace convcheck::report {

struct ReportOptions {
  std::string db_path;
  std::string html_path;
  std::string md_path;
  std::string json_path;
  std::string junit_path;
};

/// Writes every report whose path is set. Not yet implemented: Unimplemented.
Status WriteReports(const ReportOptions& options);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_REPORT_H_
