#include "report/tables.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "converters/converter.h"
#include "report/text.h"

namespace convcheck::report {

namespace {

Cell Num(int64_t n) { return {std::to_string(n), /*number=*/true}; }
Cell NumText(std::string text) { return {std::move(text), /*number=*/true}; }
Cell Code(std::string text) { return {std::move(text), /*number=*/false, /*code=*/true}; }
Cell Plain(std::string text) { return {std::move(text)}; }

// A count with its share: "3 (37.5%)", or "0" alone so that empty cells stay quiet.
Cell CountShare(int64_t part, int64_t whole) {
  if (part == 0) return Num(0);
  return NumText(std::to_string(part) + " (" + Percent(part, whole) + ")");
}

// Columns of the outcome table: the "other" column only when some verdict was unknown.
std::vector<Outcome> OutcomeColumns(const ReportData& data) {
  std::vector<Outcome> columns;
  for (int i = 0; i < kNumOutcomes; ++i) {
    auto outcome = static_cast<Outcome>(i);
    if (outcome == Outcome::kOther && data.outcome_total.count(outcome) == 0) continue;
    columns.push_back(outcome);
  }
  return columns;
}

std::vector<Cell> OutcomeCells(const OutcomeRow& row, const std::vector<Outcome>& columns) {
  std::vector<Cell> cells = {Plain(row.converter), Plain(row.source_kind), Num(row.jobs)};
  for (Outcome outcome : columns) {
    // Not-run jobs are a share of all jobs; every other class a share of the jobs that ran.
    int64_t whole = outcome == Outcome::kNotRun ? row.jobs : row.done();
    cells.push_back(CountShare(row.count(outcome), whole));
  }
  return cells;
}

std::string MetaValue(const ReportData& data, const std::string& key) {
  auto it = data.meta.find(key);
  return it == data.meta.end() ? "" : it->second;
}

std::string JoinFields(const std::vector<std::pair<std::string, std::string>>& fields,
                       std::string_view between, std::string_view separator) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += separator;
    out += name.empty() ? value : name + std::string(between) + value;
  }
  return out;
}

Table MakeTable(std::string id, std::vector<std::string> header, std::string empty_text = "") {
  Table table;
  table.id = std::move(id);
  table.header = std::move(header);
  table.empty_text = std::move(empty_text);
  return table;
}

std::string OptionalInt(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "-";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> JsonFields(std::string_view json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return {{"", std::string(json_text)}};
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& [name, value] : doc.items()) {
    fields.emplace_back(name,
                        value.is_string()
                            ? value.get_ref<const std::string&>()
                            : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return fields;
}

std::string JobTitle(const JobRow& job) {
  std::string title = job.source;
  if (!job.converter.empty()) title += " " + job.converter;
  if (job.opset) title += " opset " + std::to_string(*job.opset);
  // Options that differ from the converter's defaults, as KEY=VALUE.
  const converters::ConverterDef* def = converters::FindConverterDef(job.converter);
  std::stringstream items(job.options);
  std::string item;
  while (std::getline(items, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    bool is_default = false;
    if (def != nullptr) {
      for (const converters::OptionDef& option : def->options) {
        is_default = is_default || (option.key == item.substr(0, eq) &&
                                    option.default_value == item.substr(eq + 1));
      }
    }
    if (!is_default) title += " " + item;
  }
  return title;
}

Table CampaignTable(const ReportData& data) {
  Table table = MakeTable("campaign-meta", {"field", "value"});
  table.rows.push_back({Plain("results database"), Code(data.db_path)});
  for (const char* key : {"created_at", "updated_at", "command"}) {
    std::string value = MetaValue(data, key);
    if (!value.empty()) table.rows.push_back({Plain(key), Code(value)});
  }
  std::string plan = MetaValue(data, "plan");
  if (!plan.empty())
    table.rows.push_back({Plain("plan"), Code(JoinFields(JsonFields(plan), ": ", "; "))});
  std::string versions = MetaValue(data, "versions");
  if (!versions.empty()) {
    table.rows.push_back({Plain("versions"), Code(JoinFields(JsonFields(versions), " ", ", "))});
  }
  std::string jobs = std::to_string(data.planned) +
                     " planned: " + std::to_string(data.status_count("done")) + " done, " +
                     std::to_string(data.status_count("pending")) + " pending";
  if (data.status_count("running") > 0) {
    jobs += ", " + std::to_string(data.status_count("running")) + " running";
  }
  jobs += ", " + std::to_string(data.status_count("error")) + " error";
  table.rows.push_back({Plain("jobs"), Plain(jobs)});
  table.rows.push_back({Plain("unique failures"), Plain(std::to_string(data.failures.size()))});
  return table;
}

Table OutcomeTable(const ReportData& data) {
  Table table = MakeTable("outcome-table", {"converter", "source kind", "jobs"});
  std::vector<Outcome> columns = OutcomeColumns(data);
  for (Outcome outcome : columns) table.header.emplace_back(OutcomeTitle(outcome));
  for (const OutcomeRow& row : data.outcomes) table.rows.push_back(OutcomeCells(row, columns));
  if (data.outcomes.size() > 1 || data.outcomes.empty()) {
    table.footer.push_back(OutcomeCells(data.outcome_total, columns));
  }
  return table;
}

Table ConverterPairTable(const ReportData& data) {
  Table table =
      MakeTable("converter-pair-table", {"converter A", "converter B", "sources through both",
                                         "both pass", "only A fails", "only B fails", "both fail"});
  table.empty_text = "No source went through two converters.";
  for (const ConverterComparison::Pair& p : data.comparison.pairs) {
    table.rows.push_back({Code(p.a), Code(p.b), Num(p.sources), Num(p.both_pass),
                          Num(p.only_a_fails), Num(p.only_b_fails), Num(p.both_fail)});
  }
  return table;
}

Table ConverterDisagreementTable(const ReportData& data, size_t limit) {
  Table table = MakeTable("converter-disagreement-table", {"source", "source kind"});
  for (const std::string& converter : data.comparison.converters) table.header.push_back(converter);
  table.empty_text = "Every source gave the same outcome through every converter.";
  for (const ConverterComparison::Row& row : data.comparison.rows) {
    if (row.agree || table.rows.size() >= limit) continue;
    std::vector<Cell> cells = {Code(row.source), Plain(row.source_kind)};
    for (Outcome outcome : row.outcomes) {
      cells.push_back(
          Plain(outcome == Outcome::kNotRun ? "-" : std::string(OutcomeTitle(outcome))));
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

Table VerdictTable(const ReportData& data) {
  Table table = MakeTable("verdict-table", {"verdict", "subtype", "jobs", "share of done jobs"});
  table.empty_text = "No job has run yet.";
  const int64_t done = data.status_count("done");
  for (const VerdictCount& v : data.job_verdicts) {
    table.rows.push_back({Code(v.verdict.empty() ? "(none)" : v.verdict), Code(v.subtype),
                          Num(v.count), NumText(Percent(v.count, done))});
  }
  return table;
}

Table BackendVerdictTable(const ReportData& data) {
  Table table = MakeTable("backend-verdict-table",
                          {"backend", "verdict", "subtype", "stage", "code", "jobs"});
  table.empty_text = "No backend results yet.";
  for (const VerdictCount& v : data.backend_verdicts) {
    table.rows.push_back({Code(v.backend), Code(v.verdict), Code(v.subtype), Code(v.stage),
                          Code(v.code), Num(v.count)});
  }
  return table;
}

Table UniqueFailureTable(const ReportData& data) {
  Table table =
      MakeTable("unique-failure-table", {"#", "jobs", "verdict", "subtype", "stage", "failing op",
                                         "message", "representative job", "opset", "reproducer"});
  table.empty_text = "No failures.";
  for (const UniqueFailure& f : data.failures) {
    table.rows.push_back({Num(f.id), Num(f.count), Code(f.verdict), Code(f.subtype), Code(f.stage),
                          Code(f.failing_op), Code(f.message), Code(f.source),
                          NumText(OptionalInt(f.opset)), Code(f.reproducer)});
  }
  return table;
}

Table ErrorHistogramTable(const ReportData& data) {
  Table table = MakeTable("error-histogram-table", {"worst error ratio of"});
  for (std::string_view label : kRatioBinLabels) table.header.emplace_back(label);
  table.header.emplace_back("not compared");
  auto add = [&](std::string name, const RatioHistogram& h) {
    std::vector<Cell> row = {Plain(std::move(name))};
    for (int64_t n : h.bins) row.push_back(Num(n));
    row.push_back(Num(h.not_compared));
    table.rows.push_back(std::move(row));
  };
  add("jobs (worst over backends)", data.job_ratios);
  for (const RatioHistogram& h : data.backend_ratios) add("backend " + h.backend, h);
  return table;
}

Table OpRateTable(const ReportData& data) {
  Table table =
      MakeTable("op-failure-table", {"operator", "jobs with it", "failed", "failure rate"});
  table.empty_text = "No operator counts recorded yet.";
  for (const OpRate& op : data.op_rates) {
    table.rows.push_back(
        {Code(op.op_type), Num(op.jobs), Num(op.failed), NumText(Percent(op.failed, op.jobs))});
  }
  return table;
}

Table BlameTable(const ReportData& data) {
  Table table = MakeTable("blame-table", {"blame", "failed jobs"});
  table.empty_text = "No failed jobs.";
  for (const auto& [blame, count] : data.blame) table.rows.push_back({Code(blame), Num(count)});
  return table;
}

Table StageTimeTable(const ReportData& data) {
  Table table = MakeTable("stage-time-table", {"kind", "stage", "jobs", "total s", "mean s"});
  table.empty_text = "No stage times recorded yet.";
  for (const StageTime& t : data.times.stages) {
    table.rows.push_back({Plain(t.kind), Code(t.stage), Num(t.jobs), NumText(Seconds(t.total_s)),
                          NumText(Seconds(t.mean_s()))});
  }
  return table;
}

std::string TimeShareSentence(const ReportData& data) {
  const TimeSummary& t = data.times;
  if (!(t.wall_s > 0)) return "No job wall time recorded yet.";
  return "Jobs took " + Seconds(t.wall_s) + " s of wall time in total; the tools' own work " +
         "(export, inference, build, engine load and run) took " + Seconds(t.tool_s) + " s, so " +
         PercentOf(t.outside_share()) +
         " of the wall time went elsewhere (worker start-up, validation, comparison, I/O).";
}

std::string FailureSummarySentence(const ReportData& data) {
  int64_t jobs = 0;
  for (const UniqueFailure& f : data.failures) jobs += f.count;
  return std::to_string(data.failures.size()) + " unique failures over " + std::to_string(jobs) +
         " failed jobs.";
}

}  // namespace convcheck::report
