//===- report/junit.h - The campaign as a JUnit XML test report ------------===//
//
// So that CI shows a campaign like a test run: one <testcase> per job (classname: source kind
// and family, name: source, opset and non-default converter options), a <failure> for each
// failing verdict, <skipped> for jobs not run yet and for source errors (the model fails in
// PyTorch itself: no finding about the converter), <error> for jobs convcheck could not run.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_JUNIT_H_
#define CONVCHECK_REPORT_JUNIT_H_

#include <string>

#include "report/data.h"

namespace convcheck::report {

std::string RenderJunit(const ReportData& data);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_JUNIT_H_
