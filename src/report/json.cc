#include "report/json.h"

#include "report/tables.h"

namespace convcheck::report {

namespace {

using nlohmann::json;

json OptionalJson(const std::optional<int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json OutcomeRowJson(const OutcomeRow& row) {
  json counts = json::object();
  for (int i = 0; i < kNumOutcomes; ++i) {
    counts[std::string(OutcomeKey(static_cast<Outcome>(i)))] = row.counts[i];
  }
  return {{"converter", row.converter},
          {"source_kind", row.source_kind},
          {"jobs", row.jobs},
          {"done", row.done()},
          {"counts", counts}};
}

json HistogramJson(const RatioHistogram& h) {
  return {{"counts", h.bins}, {"not_compared", h.not_compared}};
}

json VerdictJson(const VerdictCount& v, bool backend) {
  json j = {{"verdict", v.verdict}, {"subtype", v.subtype}, {"count", v.count}};
  if (backend) {
    j["backend"] = v.backend;
    j["stage"] = v.stage;
    j["code"] = v.code;
  }
  return j;
}

}  // namespace

json ReportJson(const ReportData& data) {
  json meta = json::object();
  for (const auto& [key, value] : data.meta) {
    // plan and versions are JSON documents themselves: nest them rather than quote them.
    json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
    meta[key] =
        (key == "plan" || key == "versions") && !parsed.is_discarded() ? parsed : json(value);
  }
  json status = json::object();
  for (const char* s : {"done", "pending", "running", "error"}) status[s] = data.status_count(s);

  json outcome_rows = json::array();
  for (const OutcomeRow& row : data.outcomes) outcome_rows.push_back(OutcomeRowJson(row));
  json classes = json::array();
  for (int i = 0; i < kNumOutcomes; ++i) {
    auto outcome = static_cast<Outcome>(i);
    classes.push_back({{"key", OutcomeKey(outcome)}, {"title", OutcomeTitle(outcome)}});
  }

  json job_verdicts = json::array(), backend_verdicts = json::array();
  for (const VerdictCount& v : data.job_verdicts) job_verdicts.push_back(VerdictJson(v, false));
  for (const VerdictCount& v : data.backend_verdicts) {
    backend_verdicts.push_back(VerdictJson(v, true));
  }

  json comparison_rows = json::array();
  for (const ConverterComparison::Row& row : data.comparison.rows) {
    json outcomes = json::object();
    for (size_t i = 0; i < row.outcomes.size(); ++i) {
      if (row.outcomes[i] != Outcome::kNotRun) {
        outcomes[data.comparison.converters[i]] = OutcomeKey(row.outcomes[i]);
      }
    }
    comparison_rows.push_back({{"source", row.source},
                               {"source_kind", row.source_kind},
                               {"outcomes", outcomes},
                               {"agree", row.agree}});
  }
  json comparison_pairs = json::array();
  for (const ConverterComparison::Pair& p : data.comparison.pairs) {
    comparison_pairs.push_back({{"a", p.a},
                                {"b", p.b},
                                {"sources", p.sources},
                                {"both_pass", p.both_pass},
                                {"only_a_fails", p.only_a_fails},
                                {"only_b_fails", p.only_b_fails},
                                {"both_fail", p.both_fail}});
  }

  json failures = json::array();
  for (const UniqueFailure& f : data.failures) {
    failures.push_back({{"id", f.id},
                        {"signature", f.signature},
                        {"verdict", f.verdict},
                        {"subtype", f.subtype},
                        {"stage", f.stage},
                        {"failing_op", f.failing_op},
                        {"message", f.message},
                        {"count", f.count},
                        {"first_job_id", OptionalJson(f.first_job_id)},
                        {"source", f.source},
                        {"opset", OptionalJson(f.opset)},
                        {"reproducer", f.reproducer}});
  }

  json bins = json::array();
  for (std::string_view label : kRatioBinLabels) bins.push_back(label);
  json backend_ratios = json::object();
  for (const RatioHistogram& h : data.backend_ratios) backend_ratios[h.backend] = HistogramJson(h);

  json ops = json::array();
  for (const OpRate& op : data.op_rates) {
    ops.push_back(
        {{"op_type", op.op_type}, {"jobs", op.jobs}, {"failed", op.failed}, {"rate", op.rate()}});
  }

  json stages = json::array();
  for (const StageTime& t : data.times.stages) {
    stages.push_back({{"kind", t.kind},
                      {"stage", t.stage},
                      {"jobs", t.jobs},
                      {"total_s", t.total_s},
                      {"mean_s", t.mean_s()}});
  }

  return {
      {"format", "convcheck-report"},
      {"format_version", kReportFormatVersion},
      {"campaign",
       {{"db", data.db_path},
        {"meta", meta},
        {"jobs", data.planned},
        {"status", status},
        {"unique_failures", data.failures.size()}}},
      {"outcomes",
       {{"classes", classes},
        {"rows", outcome_rows},
        {"total", OutcomeRowJson(data.outcome_total)}}},
      {"converter_comparison",
       {{"converters", data.comparison.converters},
        {"pairs", comparison_pairs},
        {"sources", comparison_rows},
        {"disagreements", data.comparison.disagreements()}}},
      {"verdicts", {{"jobs", job_verdicts}, {"backends", backend_verdicts}}},
      {"unique_failures", failures},
      {"error_distribution",
       {{"bins", bins}, {"jobs", HistogramJson(data.job_ratios)}, {"backends", backend_ratios}}},
      {"blame", data.blame},
      {"degenerate_passes", data.degenerate_passes},
      {"op_failure_rates", {{"op_types", data.op_types}, {"top", ops}}},
      {"stage_times",
       {{"stages", stages},
        {"wall_s", data.times.wall_s},
        {"tool_s", data.times.tool_s},
        {"outside_tools_share", data.times.outside_share()}}},
  };
}

}  // namespace convcheck::report
