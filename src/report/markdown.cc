#include "report/markdown.h"

#include "report/tables.h"
#include "report/text.h"

namespace convcheck::report {

namespace {

std::string RenderTable(const Table& table) {
  if (table.rows.empty() && table.footer.empty() && !table.empty_text.empty()) {
    return table.empty_text + "\n\n";
  }
  std::string md = "|";
  for (const std::string& title : table.header) md += " " + EscapeMarkdownCell(title) + " |";
  md += "\n|";
  for (size_t i = 0; i < table.header.size(); ++i) {
    bool number = !table.rows.empty() && i < table.rows[0].size() && table.rows[0][i].number;
    md += number ? "---:|" : "---|";
  }
  md += "\n";
  auto rows = [&](const std::vector<std::vector<Cell>>& cells, bool bold) {
    for (const auto& row : cells) {
      md += "|";
      for (const Cell& cell : row) {
        std::string text = EscapeMarkdownCell(cell.text);
        // Inline code would show the entities literally, so code cells stay plain text.
        if (bold && !text.empty()) text = "**" + text + "**";
        md += " " + text + " |";
      }
      md += "\n";
    }
  };
  rows(table.rows, false);
  rows(table.footer, true);
  return md + "\n";
}

}  // namespace

std::string RenderMarkdown(const ReportData& data) {
  std::string md = "# convcheck campaign report\n\n";
  md += RenderTable(CampaignTable(data));
  md += "## Outcomes\n\n";
  md += "Percentages are of the jobs that ran; \"not run yet\" is a share of all jobs.\n\n";
  md += RenderTable(OutcomeTable(data));
  if (!data.comparison.rows.empty()) {
    md += "## Converters compared\n\n";
    md += "Sources converted by more than one converter: " +
          std::to_string(data.comparison.rows.size()) + ", of which " +
          std::to_string(data.comparison.disagreements()) +
          " had different outcomes through different converters.\n\n";
    md += RenderTable(ConverterPairTable(data));
    md += RenderTable(ConverterDisagreementTable(data));
  }
  md += "## Verdicts\n\n";
  md += RenderTable(VerdictTable(data));
  md += "### Per backend\n\n";
  md += RenderTable(BackendVerdictTable(data));
  md += "## Unique failures\n\n";
  md += FailureSummarySentence(data) + "\n\n";
  md += RenderTable(UniqueFailureTable(data));
  md += "## Worst error per model\n\n";
  md += "Worst error ratio (error / allowed error); above 1 fails.\n\n";
  md += RenderTable(ErrorHistogramTable(data));
  md += "## Converter or runtime?\n\n";
  md += std::to_string(data.degenerate_passes) +
        " passing jobs were compared against a degenerate reference and say little.\n\n";
  md += RenderTable(BlameTable(data));
  md += "## Failure rates per operator\n\n";
  md += "Top " + std::to_string(data.op_rates.size()) + " of " + std::to_string(data.op_types) +
        " operator types, by failure rate.\n\n";
  md += RenderTable(OpRateTable(data));
  md += "## Time per stage\n\n";
  md += EscapeMarkdownCell(TimeShareSentence(data)) + "\n\n";
  md += RenderTable(StageTimeTable(data));
  return md;
}

}  // namespace convcheck::report
