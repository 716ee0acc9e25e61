#include "report/junit.h"

#include <cstdio>

#include "report/tables.h"
#include "report/text.h"

namespace convcheck::report {

namespace {

enum class CaseKind { kPassed, kFailure, kError, kSkipped };

CaseKind KindOf(const JobRow& job) {
  if (job.status == "error") return CaseKind::kError;
  if (job.status != "done") return CaseKind::kSkipped;
  if (job.verdict == "pass") return CaseKind::kPassed;
  if (job.verdict == "source_error") return CaseKind::kSkipped;
  return CaseKind::kFailure;
}

std::string Attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + EscapeXml(value) + "\"";
}

std::string Time(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", seconds);
  return buf;
}

std::string ClassName(const JobRow& job) {
  std::string kind = job.source_kind.empty() ? job.kind : job.source_kind;
  return job.family.empty() ? kind : kind + "." + job.family;
}

std::string Verdict(const JobRow& job) {
  return job.subtype.empty() ? job.verdict : job.verdict + " (" + job.subtype + ")";
}

// The body of a <failure>: everything needed to find and replay the case.
std::string FailureDetails(const JobRow& job) {
  std::string text = "verdict: " + Verdict(job) + "\n";
  if (!job.stage.empty()) text += "stage: " + job.stage + "\n";
  if (!job.failing_op.empty()) text += "failing op: " + job.failing_op + "\n";
  if (job.worst_ratio) text += "worst error ratio: " + Ratio(job.worst_ratio) + "\n";
  if (!job.error.empty()) text += "error: " + job.error + "\n";
  if (!job.artifact_dir.empty()) text += "reproducer: " + job.artifact_dir + "\n";
  text += "job id: " + std::to_string(job.id) + "\n";
  return text;
}

}  // namespace

std::string RenderJunit(const ReportData& data) {
  int64_t failures = 0, errors = 0, skipped = 0;
  double time_s = 0;
  std::string cases;
  for (const JobRow& job : data.jobs) {
    const CaseKind kind = KindOf(job);
    const double job_s = job.wall_s.value_or(0);
    time_s += job_s;
    cases += "    <testcase" + Attr("classname", ClassName(job)) + Attr("name", JobTitle(job)) +
             Attr("time", Time(job_s));
    switch (kind) {
      case CaseKind::kPassed:
        cases += "/>\n";
        continue;
      case CaseKind::kFailure:
        ++failures;
        cases += ">\n      <failure" + Attr("type", job.verdict) +
                 Attr("message", Verdict(job) + (job.error.empty() ? "" : ": " + job.error)) + ">" +
                 EscapeXml(FailureDetails(job)) + "</failure>\n";
        break;
      case CaseKind::kError:
        ++errors;
        cases += ">\n      <error" + Attr("type", "convcheck_error") +
                 Attr("message", "convcheck could not run the job (retried on resume)" +
                                     (job.error.empty() ? "" : ": " + job.error)) +
                 "/>\n";
        break;
      case CaseKind::kSkipped:
        ++skipped;
        cases += ">\n      <skipped" +
                 Attr("message", job.status == "done"
                                     ? "source_error: the model fails in PyTorch itself" +
                                           (job.error.empty() ? "" : ": " + job.error)
                                     : "not run yet (status " + job.status + ")") +
                 "/>\n";
        break;
    }
    cases += "    </testcase>\n";
  }
  const std::string counts = Attr("tests", std::to_string(data.jobs.size())) +
                             Attr("failures", std::to_string(failures)) +
                             Attr("errors", std::to_string(errors)) +
                             Attr("skipped", std::to_string(skipped)) + Attr("time", Time(time_s));
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + Attr("name", "convcheck") + counts + ">\n";
  xml += "  <testsuite" + Attr("name", "convcheck campaign " + data.db_path) + counts + ">\n";
  std::string properties;
  for (const char* key : {"created_at", "command", "plan", "versions"}) {
    auto it = data.meta.find(key);
    if (it != data.meta.end())
      properties += "      <property" + Attr("name", key) + Attr("value", it->second) + "/>\n";
  }
  if (!properties.empty()) xml += "    <properties>\n" + properties + "    </properties>\n";
  xml += cases;
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace convcheck::report
