#include "report/svg.h"

#include <algorithm>

#include "report/text.h"

namespace convcheck::report {

namespace {

constexpr int kWidth = 760;
constexpr int kTitleHeight = 28;

// Labels longer than this would run into the bars; the full text is in the table below a chart.
std::string Shorten(std::string_view label, size_t max_chars) {
  if (label.size() <= max_chars) return std::string(label);
  // CleanText (in EscapeXml) repairs a multi-byte character cut in half.
  return std::string(label.substr(0, max_chars - 1)) + "\xE2\x80\xA6";  // U+2026
}

std::string Open(std::string_view id, std::string_view title, int height) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + EscapeXml(id) +
                    "\" class=\"chart\" role=\"img\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(kWidth) + " " + std::to_string(height) + "\">";
  svg += "<title>" + EscapeXml(title) + "</title>";
  svg += "<text x=\"0\" y=\"18\" class=\"chart-title\">" + EscapeXml(title) + "</text>";
  return svg;
}

std::string Text(int x, int y, std::string_view anchor, std::string_view text) {
  return "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" text-anchor=\"" +
         std::string(anchor) + "\">" + EscapeXml(text) + "</text>";
}

std::string Rect(int x, int y, int width, int height, std::string_view color,
                 std::string_view tooltip) {
  return "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" fill=\"" +
         EscapeXml(color) + "\"><title>" + EscapeXml(tooltip) + "</title></rect>";
}

int64_t MaxValue(const std::vector<Bar>& bars) {
  int64_t max = 0;
  for (const Bar& bar : bars) max = std::max(max, bar.value);
  return max;
}

// Length of a bar of `value` on a scale where `max` is `full` pixels; a non-zero value stays
// visible.
int Scale(int64_t value, int64_t max, int full) {
  if (value <= 0 || max <= 0) return 0;
  return std::max(2, static_cast<int>(static_cast<double>(value) / max * full));
}

}  // namespace

std::string HorizontalBarChart(std::string_view id, std::string_view title,
                               const std::vector<Bar>& bars) {
  constexpr int kRow = 24, kLabelWidth = 240, kBarWidth = 420;
  const int height = kTitleHeight + std::max<int>(1, bars.size()) * kRow + 8;
  std::string svg = Open(id, title, height);
  if (bars.empty()) {
    svg += Text(0, kTitleHeight + 16, "start", "no data yet");
  }
  const int64_t max = MaxValue(bars);
  int y = kTitleHeight;
  for (const Bar& bar : bars) {
    const int length = Scale(bar.value, max, kBarWidth);
    svg += Text(kLabelWidth - 8, y + 16, "end", Shorten(bar.label, 36));
    svg += Rect(kLabelWidth, y + 4, length, kRow - 8, bar.color,
                bar.label + ": " + std::to_string(bar.value));
    svg += Text(kLabelWidth + length + 6, y + 16, "start", std::to_string(bar.value));
    y += kRow;
  }
  return svg + "</svg>";
}

std::string ColumnChart(std::string_view id, std::string_view title, const std::vector<Bar>& bars) {
  constexpr int kHeight = 250, kLeft = 10, kBottom = 36, kTop = kTitleHeight + 18;
  constexpr int kPlot = kHeight - kBottom - kTop;
  std::string svg = Open(id, title, kHeight);
  const int64_t max = MaxValue(bars);
  const int slot = bars.empty() ? 0 : (kWidth - kLeft) / static_cast<int>(bars.size());
  const int column = slot * 7 / 10;
  // The axis, so that an all-zero histogram still shows where the columns would be.
  svg += "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(kTop + kPlot) +
         "\" x2=\"" + std::to_string(kWidth) + "\" y2=\"" + std::to_string(kTop + kPlot) +
         "\" stroke=\"#888\"/>";
  int x = kLeft;
  for (const Bar& bar : bars) {
    const int length = Scale(bar.value, max, kPlot);
    const int left = x + (slot - column) / 2;
    svg += Rect(left, kTop + kPlot - length, column, length, bar.color,
                bar.label + ": " + std::to_string(bar.value));
    svg += Text(x + slot / 2, kTop + kPlot - length - 4, "middle", std::to_string(bar.value));
    svg += Text(x + slot / 2, kTop + kPlot + 18, "middle", Shorten(bar.label, 18));
    x += slot;
  }
  return svg + "</svg>";
}

std::string_view VerdictColor(std::string_view verdict) {
  if (verdict == "pass" || verdict == "success") return "#2e7d32";
  if (verdict == "source_error") return "#9e9e9e";
  if (verdict == "not_run") return "#cfd8dc";
  if (verdict == "converter_crash") return "#c62828";
  if (verdict == "converter_timeout") return "#e53935";
  if (verdict == "invalid_model") return "#ef6c00";
  if (verdict == "runtime_error" || verdict == "runtime_load_failure") return "#6a1b9a";
  if (verdict == "runtime_crash" || verdict == "runtime_run_failure") return "#8e24aa";
  if (verdict == "runtime_timeout") return "#ab47bc";
  if (verdict == "incorrect_behavior" || verdict == "mismatch") return "#d81b60";
  return "#546e7a";
}

}  // namespace convcheck::report
