//===- report/tables.h - The report's tables, independent of the format ---===//
//
// HTML and Markdown show the same tables; building them once (cells as plain, unescaped text)
// keeps the two from drifting apart. Each writer escapes the cells for its own syntax.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_TABLES_H_
#define CONVCHECK_REPORT_TABLES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/data.h"

namespace convcheck::report {

struct Cell {
  std::string text;     // Unescaped.
  bool number = false;  // Right-aligned.
  bool code = false;    // Monospace: messages, paths, signatures.
};

struct Table {
  std::string id;  // The HTML id.
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::vector<Cell>> footer;  // Totals.
  std::string empty_text;                 // Shown instead of a table without rows.
};

/// Campaign meta: plan, versions, command, dates, job counts by status.
Table CampaignTable(const ReportData& data);
/// Pairs of converters over the sources both converted: both pass, one fails, both fail.
Table ConverterPairTable(const ReportData& data);
/// Sources whose outcome differs between converters (at most `limit` rows).
Table ConverterDisagreementTable(const ReportData& data, size_t limit = 200);

/// The study's outcome table (converter x source kind).
Table OutcomeTable(const ReportData& data);
Table VerdictTable(const ReportData& data);
Table BackendVerdictTable(const ReportData& data);
Table UniqueFailureTable(const ReportData& data);
/// Rows: all jobs, then each backend; columns: the ratio bins and "not compared".
Table ErrorHistogramTable(const ReportData& data);
Table OpRateTable(const ReportData& data);
/// Failed jobs by who is at fault (docs/verdicts.md, "Blame").
Table BlameTable(const ReportData& data);
Table StageTimeTable(const ReportData& data);

/// One sentence on where the wall time went (tools' own work vs everything else).
std::string TimeShareSentence(const ReportData& data);
/// One sentence on the unique failures: how many, covering how many failed jobs.
std::string FailureSummarySentence(const ReportData& data);

/// The top-level fields of a JSON object as name/text pairs (strings without quotes, anything
/// else as compact JSON); text that is not a JSON object comes back as one pair named "".
std::vector<std::pair<std::string, std::string>> JsonFields(std::string_view json_text);

/// "torchvision:resnet18 opset 17", with non-default converter options appended.
std::string JobTitle(const JobRow& job);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_TABLES_H_
