#include "report/coverage.h"

#include <algorithm>
#include <cstdio>

#include "report/html.h"
#include "report/markdown.h"
#include "report/text.h"

namespace convcheck::report {

namespace {

using nlohmann::json;

std::string Fixed(double value, const char* format) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), format, value);
  return buf;
}

constexpr const char* kLineColors[] = {"#757575", "#1e88e5", "#43a047", "#d81b60"};

// Share of the target's distinct patterns of length n reached, against models generated.
std::string CurveChart(const CoverageResult& result, int n) {
  const int width = 520, height = 260, left = 48, right = 150, top = 28, bottom = 36;
  const int plot_w = width - left - right, plot_h = height - top - bottom;
  int64_t max_models = 1;
  for (const auto& by : result.by) {
    if (!by.curve.empty()) max_models = std::max(max_models, by.curve.back().models);
  }
  std::string svg = "<svg class=\"chart\" id=\"coverage-curve-" + std::to_string(n) +
                    "\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) +
                    "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">";
  svg += "<text class=\"chart-title\" x=\"" + std::to_string(left) + "\" y=\"16\">" +
         EscapeXml(n == 1 ? std::string("Operators") : std::to_string(n) + "-operator sequences") +
         " of the first corpus reached</text>";
  svg += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(top) + "\" width=\"" +
         std::to_string(plot_w) + "\" height=\"" + std::to_string(plot_h) +
         "\" fill=\"none\" stroke=\"#bbb\"/>";
  for (int tick = 0; tick <= 4; ++tick) {
    const double y = top + plot_h - plot_h * tick / 4.0;
    svg += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + Fixed(y + 4, "%.1f") +
           "\" text-anchor=\"end\">" + std::to_string(tick * 25) + "%</text>";
  }
  svg += "<text x=\"" + std::to_string(left + plot_w / 2) + "\" y=\"" + std::to_string(height - 8) +
         "\" text-anchor=\"middle\">models generated (max " + std::to_string(max_models) +
         ")</text>";
  int line = 0;
  for (const auto& by : result.by) {
    if (by.curve.empty()) continue;
    const std::string color = kLineColors[line % 4];
    std::string points;
    for (const auto& p : by.curve) {
      const double share =
          p.total[n - 1] == 0 ? 0.0 : static_cast<double>(p.covered[n - 1]) / p.total[n - 1];
      const double x = left + plot_w * static_cast<double>(p.models) / max_models;
      const double y = top + plot_h * (1 - share);
      points += Fixed(x, "%.1f") + "," + Fixed(y, "%.1f") + " ";
    }
    svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\"" +
           points + "\"/>";
    const double legend_y = top + 14 + 18 * line;
    svg += "<text x=\"" + std::to_string(left + plot_w + 8) + "\" y=\"" + Fixed(legend_y, "%.1f") +
           "\" fill=\"" + color + "\">" +
           EscapeXml(by.name.find("(guided)") != std::string::npos ? "guided" : "unguided") +
           "</text>";
    ++line;
  }
  return svg + "</svg>\n";
}

}  // namespace

Table CoverageTable(const CoverageResult& result) {
  Table table;
  table.id = "coverage-table";
  table.header = {"By",       "Converter", "Against",          "n",
                  "Patterns", "Reached",   "Share (distinct)", "Share (by models)"};
  table.empty_text = "The first corpus has no operator data.";
  for (const auto& by : result.by) {
    for (const auto& r : by.rows) {
      table.rows.push_back({{by.name, false, true},
                            {r.converter, false, false},
                            {r.by_converter, false, false},
                            {std::to_string(r.n), true, false},
                            {std::to_string(r.patterns), true, false},
                            {std::to_string(r.covered), true, false},
                            {Percent(r.covered, r.patterns), true, false},
                            {Percent(r.weight_covered, r.weight), true, false}});
    }
  }
  return table;
}

std::string RenderCoverageMarkdown(const CoverageResult& result) {
  std::string md = "# convcheck coverage\n\nOf `" + result.of_name + "`.\n\n";
  for (const std::string& note : result.of_notes) md += "- " + EscapeMarkdownCell(note) + "\n";
  if (!result.of_notes.empty()) md += "\n";
  md += RenderMarkdownTable(CoverageTable(result));
  for (const auto& by : result.by) {
    if (by.curve.empty()) continue;
    md += "## Curve: " + EscapeMarkdownCell(by.name) +
          "\n\n| models | n=1 | n=2 | n=3 |\n|---:|---:|---:|---:|\n";
    // Ten rows, evenly spaced, and the last.
    const size_t step = std::max<size_t>(1, by.curve.size() / 10);
    for (size_t i = step - 1; i < by.curve.size(); i += step) {
      const auto& p = by.curve[i];
      md += "| " + std::to_string(p.models) + " | " + Percent(p.covered[0], p.total[0]) + " | " +
            Percent(p.covered[1], p.total[1]) + " | " + Percent(p.covered[2], p.total[2]) + " |\n";
    }
    md += "\n";
  }
  return md;
}

std::string RenderCoverageHtml(const CoverageResult& result) {
  std::string html = HtmlPageStart("convcheck coverage");
  html += "<h1>convcheck coverage</h1>\n<p class=\"note\">" +
          EscapeXml("Of " + result.of_name +
                    ": the share of its distinct operators and operator sequences (n = 2, 3, "
                    "along data edges of the converted ONNX graphs) that the other corpus "
                    "holds, and the same counted once per model holding each pattern.") +
          "</p>\n";
  if (!result.of_notes.empty()) {
    html += "<ul>\n";
    for (const std::string& note : result.of_notes) html += "<li>" + EscapeXml(note) + "</li>\n";
    html += "</ul>\n";
  }
  html += RenderHtmlTable(CoverageTable(result));
  bool curves = false;
  for (const auto& by : result.by) curves = curves || !by.curve.empty();
  if (curves) {
    html += "<h2>Coverage against models generated</h2>\n<p class=\"note\">" +
            EscapeXml(
                "Generated models are seen as ONNX the generator writes itself (no "
                "converter runs). Guided generation favours the operators whose ONNX "
                "form appears in patterns of the first corpus not reached yet.") +
            "</p>\n<div class=\"charts\">\n";
    for (int n = 1; n <= 3; ++n) html += CurveChart(result, n);
    html += "</div>\n";
  }
  return html + "</body>\n</html>\n";
}

json CoverageJson(const CoverageResult& result) {
  json by = json::array();
  for (const auto& b : result.by) {
    json rows = json::array();
    for (const auto& r : b.rows) {
      rows.push_back({{"converter", r.converter},
                      {"against", r.by_converter},
                      {"n", r.n},
                      {"patterns", r.patterns},
                      {"covered", r.covered},
                      {"share", r.share()},
                      {"weight", r.weight},
                      {"weight_covered", r.weight_covered},
                      {"weighted_share", r.weighted_share()}});
    }
    json curve = json::array();
    for (const auto& p : b.curve) {
      curve.push_back({{"models", p.models},
                       {"covered", {p.covered[0], p.covered[1], p.covered[2]}},
                       {"total", {p.total[0], p.total[1], p.total[2]}}});
    }
    by.push_back({{"name", b.name}, {"rows", rows}, {"curve", curve}});
  }
  return {{"format", "convcheck-coverage"},
          {"format_version", 1},
          {"of", result.of_name},
          {"notes", result.of_notes},
          {"by", by}};
}

}  // namespace convcheck::report
