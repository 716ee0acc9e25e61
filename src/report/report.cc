#include "report/report.h"

#include <filesystem>
#include <fstream>

#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/markdown.h"

namespace convcheck::report {

// Writes next to the target and renames, so that a reader (a browser reloading the page, CI
// collecting the JUnit file) never sees half a report.
Status WriteReportFile(const std::string& path, const std::string& content) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return FailedPrecondition("cannot write report '" + path + "'");
    out << content;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      return FailedPrecondition("cannot write report '" + path + "' (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return FailedPrecondition("cannot write report '" + path + "': " + ec.message());
  }
  return Status::Ok();
}

namespace {

Status WriteFile(const std::string& path, const std::string& content) {
  return WriteReportFile(path, content);
}

}  // namespace

Status WriteReports(const ReportOptions& options) {
  if (options.html_path.empty() && options.md_path.empty() && options.json_path.empty() &&
      options.junit_path.empty()) {
    return InvalidArgument(
        "no report requested: give at least one of --html, --md, --json, "
        "--junit");
  }
  LoadOptions load;
  load.top_ops = options.top_ops;
  load.top_patterns = options.top_patterns;
  CC_ASSIGN_OR_RETURN(ReportData data, LoadReportData(options.db_path, load));
  return WriteReports(options, data);
}

Status WriteReports(const ReportOptions& options, const ReportData& data) {
  if (!options.html_path.empty())
    CC_RETURN_IF_ERROR(WriteFile(options.html_path, RenderHtml(data)));
  if (!options.md_path.empty())
    CC_RETURN_IF_ERROR(WriteFile(options.md_path, RenderMarkdown(data)));
  if (!options.json_path.empty()) {
    // Invalid UTF-8 in the database (an engine's raw message) must not make dump() throw.
    CC_RETURN_IF_ERROR(WriteFile(
        options.json_path,
        ReportJson(data).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  }
  if (!options.junit_path.empty()) {
    CC_RETURN_IF_ERROR(WriteFile(options.junit_path, RenderJunit(data)));
  }
  return Status::Ok();
}

}  // namespace convcheck::report
