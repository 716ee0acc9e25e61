#include "report/patterns.h"

#include <cstdio>

#include "report/html.h"
#include "report/markdown.h"
#include "report/report.h"
#include "report/text.h"

namespace convcheck::report {

namespace {

using nlohmann::json;

std::string Short(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", value);
  return buf;
}

Cell Number(std::string text) { return Cell{std::move(text), true, false}; }
Cell Text(std::string text) { return Cell{std::move(text), false, false}; }
Cell Code(std::string text) { return Cell{std::move(text), false, true}; }

std::string OddsText(const analysis::PatternStat& s) {
  return Short(s.odds_ratio) + " [" + Short(s.ci_lo) + ", " + Short(s.ci_hi) + "]" +
         (s.or_corrected ? "*" : "");
}

constexpr std::string_view kMethod =
    "For every operator and every sequence of 2 or 3 operators along data edges, in the "
    "converted ONNX graphs (level onnx) and in the generator's graphs of generated sources "
    "(level source), the jobs of each converter that could have had an outcome (any that "
    "produced no source error for a converter crash; a converted model for an invalid model; "
    "a valid model for a runtime failure; a model that ran for a mismatch) are split by "
    "whether they contain the pattern and whether they had the outcome. Odds ratio with its "
    "95% Woolf interval (* : 0.5 added to every cell because one was zero), Fisher's exact "
    "two-sided p, and Benjamini-Hochberg q over every test of the analysis. The table lists, "
    "per converter, the tests with an odds ratio above 1 by q; the example is the smallest "
    "failing job with the pattern, with its failure group's reproducer.";

std::string Summary(const analysis::Analysis& analysis) {
  int64_t significant = 0;
  for (const auto& s : analysis.patterns) significant += s.q < 0.05 && s.odds_ratio > 1;
  return std::to_string(analysis.tests) + " tests; " + std::to_string(significant) +
         " patterns go with an outcome at q < 0.05 (odds ratio above 1).";
}

}  // namespace

Table PatternTopTable(const analysis::Analysis& analysis, size_t per_converter) {
  Table table;
  table.id = "pattern-table";
  table.header = {"Converter",           "Level",       "Outcome",   "Pattern",
                  "Jobs with",           "Failed with", "Rate with", "Rate without",
                  "Odds ratio [95% CI]", "p",           "q",         "Example job",
                  "Reproducer"};
  table.empty_text =
      "No pattern goes with a failure more often than without (no failures, or no pattern "
      "data).";
  for (const analysis::PatternStat* s : analysis::TopPatterns(analysis, per_converter)) {
    table.rows.push_back(
        {Text(s->converter), Text(s->level), Text(s->outcome), Code(s->pattern),
         Number(std::to_string(s->models_with)), Number(std::to_string(s->failures_with)),
         Number(Percent(s->failures_with, s->models_with)),
         Number(Percent(s->failures_without, s->models_without)), Number(OddsText(*s)),
         Number(Short(s->p)), Number(Short(s->q)),
         Code(s->example_job == 0 ? ""
                                  : "#" + std::to_string(s->example_job) + " " + s->example_source),
         Code(s->reproducer)});
  }
  return table;
}

Table PatternPopulationTable(const analysis::Analysis& analysis) {
  Table table;
  table.id = "pattern-populations";
  table.header = {"Converter",        "Level",          "Outcome", "Jobs at risk",
                  "With the outcome", "Patterns tested"};
  table.empty_text = "No finished job has operator data.";
  for (const analysis::Population& p : analysis.populations) {
    table.rows.push_back({Text(p.converter), Text(p.level), Text(p.outcome),
                          Number(std::to_string(p.models)), Number(std::to_string(p.failures)),
                          Number(std::to_string(p.patterns_tested))});
  }
  return table;
}

std::string RenderPatternsMarkdown(const analysis::Analysis& analysis, std::string_view heading,
                                   size_t per_converter) {
  std::string md = std::string(heading) + " Operator patterns and outcomes\n\n";
  md += std::string(kMethod) + "\n\n" + Summary(analysis) + "\n\n";
  for (const std::string& note : analysis.notes) md += "- " + EscapeMarkdownCell(note) + "\n";
  if (!analysis.notes.empty()) md += "\n";
  md += RenderMarkdownTable(PatternTopTable(analysis, per_converter));
  md += std::string(heading) + "# Populations at risk\n\n";
  md += RenderMarkdownTable(PatternPopulationTable(analysis));
  return md;
}

std::string RenderPatternsHtml(const analysis::Analysis& analysis, std::string_view heading,
                               size_t per_converter) {
  const std::string h(heading);
  std::string html =
      "<section id=\"operator-patterns\">\n<" + h + ">Operator patterns and outcomes</" + h + ">\n";
  html += "<p class=\"note\">" + EscapeXml(kMethod) + "</p>\n";
  html += "<p class=\"note\" id=\"pattern-summary\">" + EscapeXml(Summary(analysis)) + "</p>\n";
  if (!analysis.notes.empty()) {
    html += "<ul id=\"pattern-notes\">\n";
    for (const std::string& note : analysis.notes) html += "<li>" + EscapeXml(note) + "</li>\n";
    html += "</ul>\n";
  }
  html += RenderHtmlTable(PatternTopTable(analysis, per_converter));
  html += "<h3>Populations at risk</h3>\n";
  html += RenderHtmlTable(PatternPopulationTable(analysis));
  return html + "</section>\n";
}

json PatternsJson(const analysis::Analysis& analysis) {
  json populations = json::array();
  for (const analysis::Population& p : analysis.populations) {
    populations.push_back({{"converter", p.converter},
                           {"level", p.level},
                           {"outcome", p.outcome},
                           {"models", p.models},
                           {"failures", p.failures},
                           {"patterns_tested", p.patterns_tested}});
  }
  json patterns = json::array();
  for (const analysis::PatternStat& s : analysis.patterns) {
    patterns.push_back({{"pattern", s.pattern},
                        {"level", s.level},
                        {"n", s.n},
                        {"converter", s.converter},
                        {"outcome", s.outcome},
                        {"models_with", s.models_with},
                        {"failures_with", s.failures_with},
                        {"models_without", s.models_without},
                        {"failures_without", s.failures_without},
                        {"rate_with", s.rate_with()},
                        {"rate_without", s.rate_without()},
                        {"odds_ratio", s.odds_ratio},
                        {"ci_low", s.ci_lo},
                        {"ci_high", s.ci_hi},
                        {"or_corrected", s.or_corrected},
                        {"p", s.p},
                        {"q", s.q},
                        {"example_job", s.example_job},
                        {"example_source", s.example_source},
                        {"reproducer", s.reproducer}});
  }
  return {{"tests", analysis.tests},
          {"notes", analysis.notes},
          {"populations", populations},
          {"patterns", patterns}};
}

Status WriteAnalysis(const analysis::Analysis& analysis, const AnalysisOutputs& outputs) {
  if (!outputs.html_path.empty()) {
    std::string html = HtmlPageStart("convcheck analyze");
    html += "<h1>convcheck analyze</h1>\n<p class=\"note\">" +
            EscapeXml("Campaign " + analysis.db_path) + "</p>\n";
    html += RenderPatternsHtml(analysis, "h2", outputs.per_converter);
    html += "</body>\n</html>\n";
    CC_RETURN_IF_ERROR(WriteReportFile(outputs.html_path, html));
  }
  if (!outputs.md_path.empty()) {
    std::string md = "# convcheck analyze\n\nCampaign `" + analysis.db_path + "`.\n\n";
    md += RenderPatternsMarkdown(analysis, "##", outputs.per_converter);
    CC_RETURN_IF_ERROR(WriteReportFile(outputs.md_path, md));
  }
  if (!outputs.json_path.empty()) {
    json j = {{"format", "convcheck-analysis"}, {"format_version", 1}, {"db", analysis.db_path}};
    j.update(PatternsJson(analysis));
    CC_RETURN_IF_ERROR(WriteReportFile(
        outputs.json_path, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n"));
  }
  return Status::Ok();
}

}  // namespace convcheck::report
