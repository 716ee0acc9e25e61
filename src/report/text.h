//===- report/text.h - Escaping and number formats shared by the writers --===//
//
// Everything a report prints from the database is untrusted text: error messages carry whatever
// a converter or an engine printed (markup, control characters, broken UTF-8). These helpers
// make such text safe for HTML/XML and Markdown tables, and format numbers the same way in
// every output.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_TEXT_H_
#define CONVCHECK_REPORT_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace convcheck::report {

/// `text` as valid UTF-8: each invalid byte becomes U+FFFD, and control characters other than
/// tab and newline become U+FFFD too (XML 1.0 forbids them even as character references).
std::string CleanText(std::string_view text);

/// Text for HTML or XML element content and quoted attribute values: CleanText, then & < > " '
/// as entities.
std::string EscapeXml(std::string_view text);

/// One Markdown table cell: CleanText, newlines as spaces, | escaped, < > & as entities so that
/// a renderer does not take the text for HTML.
std::string EscapeMarkdownCell(std::string_view text);

/// "37.5%" for part/whole; "-" when whole is 0.
std::string Percent(int64_t part, int64_t whole);
/// "0.375" as a percentage with one decimal: "37.5%".
std::string PercentOf(double share);
/// Seconds with two decimals: "12.35".
std::string Seconds(double seconds);
/// A ratio in short scientific form ("3.2e-05"), or "-" for none.
std::string Ratio(std::optional<double> ratio);

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_TEXT_H_
