#include "report/report.h"

namespace convcheck::report {

Status WriteReports(const ReportOptions& options) {
  return Unimplemented("convcheck report is not implemented yet");
}

}  // namespace convcheck::report
