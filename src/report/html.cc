#include "report/html.h"

#include <map>

#include "report/svg.h"
#include "report/tables.h"
#include "report/text.h"

namespace convcheck::report {

namespace {

constexpr std::string_view kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121;
  margin: 24px auto; max-width: 1200px; padding: 0 16px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.note { color: #555; margin: 4px 0 10px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; vertical-align: top; text-align: left; }
th { background: #f5f5f5; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td code { font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
/* Only free text and paths may wrap inside a word; names stay whole. */
#unique-failure-table td:nth-child(n+7) code, #campaign-meta code { word-break: break-word; }
tfoot td { font-weight: 600; background: #fafafa; }
#unique-failure-table td:nth-child(7) { max-width: 420px; }
svg.chart { display: block; margin: 8px 0; font: 12px system-ui, sans-serif; }
svg.chart .chart-title { font-weight: 600; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 24px; }
)css";

std::string RenderTable(const Table& table) {
  if (table.rows.empty() && table.footer.empty() && !table.empty_text.empty()) {
    return "<p class=\"note\" id=\"" + EscapeXml(table.id) + "\">" + EscapeXml(table.empty_text) +
           "</p>\n";
  }
  std::string html = "<table id=\"" + EscapeXml(table.id) + "\">\n<thead><tr>";
  for (const std::string& title : table.header) html += "<th>" + EscapeXml(title) + "</th>";
  html += "</tr></thead>\n";
  auto rows = [&](const std::vector<std::vector<Cell>>& cells) {
    for (const auto& row : cells) {
      html += "<tr>";
      for (const Cell& cell : row) {
        html += cell.number ? "<td class=\"num\">" : "<td>";
        html += cell.code && !cell.text.empty() ? "<code>" + EscapeXml(cell.text) + "</code>"
                                                : EscapeXml(cell.text);
        html += "</td>";
      }
      html += "</tr>\n";
    }
  };
  html += "<tbody>\n";
  rows(table.rows);
  html += "</tbody>\n";
  if (!table.footer.empty()) {
    html += "<tfoot>\n";
    rows(table.footer);
    html += "</tfoot>\n";
  }
  return html + "</table>\n";
}

// Verdict totals (subtypes summed) in table order.
std::vector<Bar> VerdictBars(const std::vector<VerdictCount>& counts) {
  std::vector<Bar> bars;
  std::map<std::string, size_t> index;
  for (const VerdictCount& v : counts) {
    std::string name = v.verdict.empty() ? "(none)" : v.verdict;
    auto [it, inserted] = index.emplace(name, bars.size());
    if (inserted) bars.push_back({name, 0, std::string(VerdictColor(v.verdict))});
    bars[it->second].value += v.count;
  }
  return bars;
}

std::vector<Bar> HistogramBars(const RatioHistogram& h) {
  std::vector<Bar> bars;
  for (int i = 0; i < kNumRatioBins; ++i) {
    // Passing bins in green, darker as the error grows; the failing bin in the mismatch colour.
    static constexpr std::string_view kColors[kNumRatioBins] = {
        "#a5d6a7", "#81c784", "#66bb6a", "#43a047", "#388e3c", "#1b5e20", "#d81b60"};
    bars.push_back({std::string(kRatioBinLabels[i]), h.bins[i], std::string(kColors[i])});
  }
  return bars;
}

std::vector<Bar> OutcomeBars(const ReportData& data) {
  std::vector<Bar> bars;
  for (int i = 0; i < kNumOutcomes; ++i) {
    auto outcome = static_cast<Outcome>(i);
    int64_t n = data.outcome_total.count(outcome);
    if (outcome == Outcome::kOther && n == 0) continue;
    bars.push_back(
        {std::string(OutcomeTitle(outcome)), n, std::string(VerdictColor(OutcomeKey(outcome)))});
  }
  return bars;
}

std::string Paragraph(std::string_view text, std::string_view id = "") {
  std::string html = "<p class=\"note\"";
  if (!id.empty()) html += " id=\"" + std::string(id) + "\"";
  return html + ">" + EscapeXml(text) + "</p>\n";
}

}  // namespace

std::string RenderHtml(const ReportData& data) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>convcheck report</title>\n<style>";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n";

  html += "<header id=\"campaign\">\n<h1>convcheck campaign report</h1>\n";
  html += RenderTable(CampaignTable(data));
  html += "</header>\n";

  html += "<section id=\"outcomes\">\n<h2>Outcomes</h2>\n";
  html += Paragraph(
      "The study's outcome classes per converter and kind of source. Percentages are of the "
      "jobs that ran; \"not run yet\" is a share of all jobs. Converter crashes include "
      "timeouts; \"runtime load failure\" means a backend refused to load the model, \"runtime "
      "error at run\" that it loaded but failed, crashed or hung while running.");
  html += RenderTable(OutcomeTable(data));
  html += HorizontalBarChart("outcome-chart", "Outcomes of all jobs", OutcomeBars(data));
  html += "</section>\n";

  if (!data.comparison.rows.empty()) {
    html += "<section id=\"converters\">\n<h2>Converters compared</h2>\n";
    html += Paragraph("Sources converted by more than one converter: " +
                      std::to_string(data.comparison.rows.size()) + ", of which " +
                      std::to_string(data.comparison.disagreements()) +
                      " had different outcomes through different converters. A model right "
                      "through one converter and wrong through another points at the second.");
    html += RenderTable(ConverterPairTable(data));
    html += "<h3>Sources whose outcome depends on the converter</h3>\n";
    html += RenderTable(ConverterDisagreementTable(data));
    html += "</section>\n";
  }

  html += "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n";
  html += HorizontalBarChart("verdict-chart", "Job verdicts (done jobs)",
                             VerdictBars(data.job_verdicts));
  html += RenderTable(VerdictTable(data));
  html += "<h3>Per backend</h3>\n<div class=\"charts\">\n";
  // One chart per backend; the backend's name goes in the title, an index in the id because
  // the name comes from the database.
  std::map<std::string, std::vector<VerdictCount>> by_backend;
  for (const VerdictCount& v : data.backend_verdicts) by_backend[v.backend].push_back(v);
  int index = 0;
  for (const auto& [backend, counts] : by_backend) {
    html += HorizontalBarChart("backend-verdict-chart-" + std::to_string(index++),
                               "Backend " + backend, VerdictBars(counts));
  }
  html += "</div>\n";
  html += RenderTable(BackendVerdictTable(data));
  html += "</section>\n";

  html += "<section id=\"unique-failures\">\n<h2>Unique failures</h2>\n";
  int64_t failed_jobs = 0;
  for (const UniqueFailure& f : data.failures) failed_jobs += f.count;
  html += "<p class=\"note\"><span id=\"unique-failure-count\">" +
          std::to_string(data.failures.size()) + "</span> unique failures over " +
          std::to_string(failed_jobs) +
          " failed jobs; jobs with the same signature (verdict, subtype, stage, normalised "
          "message, failing operator) are one failure, reproduced by its first job's case.</p>\n";
  html += RenderTable(UniqueFailureTable(data));
  html += "</section>\n";

  html += "<section id=\"error-distribution\">\n<h2>Worst error per model</h2>\n";
  html += Paragraph(
      "The worst error ratio (error / allowed error under the tolerance) over outputs and input "
      "sets; a ratio above 1 fails. \"Not compared\" jobs failed before any output was "
      "compared.");
  html += "<div class=\"charts\">\n";
  html += ColumnChart("error-histogram-chart", "Jobs (worst over backends)",
                      HistogramBars(data.job_ratios));
  index = 0;
  for (const RatioHistogram& h : data.backend_ratios) {
    html += ColumnChart("error-histogram-chart-" + std::to_string(index++), "Backend " + h.backend,
                        HistogramBars(h));
  }
  html += "</div>\n";
  html += RenderTable(ErrorHistogramTable(data));
  html += "</section>\n";

  html += "<section id=\"blame\">\n<h2>Converter or runtime?</h2>\n";
  html +=
      "<p class=\"note\">Who is at fault, from how the engines agree: converter when every "
      "engine differs from PyTorch and they agree with each other (or the converter "
      "failed); runtime:NAME when the model runs right on another engine; undetermined "
      "with one engine or engines that disagree. <span id=\"degenerate-passes\">" +
      std::to_string(data.degenerate_passes) +
      "</span> passing jobs were compared against a degenerate reference (constant, or the "
      "same for every input) and say little.</p>\n";
  html += RenderTable(BlameTable(data));
  html += "</section>\n";

  html += "<section id=\"op-failure-rates\">\n<h2>Failure rates per operator</h2>\n";
  html += Paragraph(
      "For each operator in the converted models: how many done jobs contain it, "
      "and how many of those failed (any verdict but pass and source_error). The "
      "top " +
      std::to_string(data.op_rates.size()) + " of " + std::to_string(data.op_types) +
      " operator types, by rate. A single operator rarely explains a failure "
      "(the study found operator sequences do); treat this as a pointer.");
  html += RenderTable(OpRateTable(data));
  html += "</section>\n";

  html += "<section id=\"stage-times\">\n<h2>Time per stage</h2>\n";
  html += Paragraph(TimeShareSentence(data), "time-share");
  html += RenderTable(StageTimeTable(data));
  html += "</section>\n";

  html += "<footer>" + Paragraph("Generated by convcheck report from " + data.db_path + ".") +
          "</footer>\n</body>\n</html>\n";
  return html;
}

}  // namespace convcheck::report
