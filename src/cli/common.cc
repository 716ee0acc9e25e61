#include "cli/common.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace convcheck::cli {

void AddToleranceFlags(CLI::App& app, ToleranceFlags& flags) {
  std::string names;
  for (const auto& n : oracle::ToleranceProfileNames()) names += (names.empty() ? "" : ", ") + n;
  app.add_option("--tolerance", flags.profile,
                 "tolerance profile: " + names + " (default convcheck; see docs/tolerances.md)");
  app.add_option("--atol", flags.atol, "override the profile's absolute tolerance");
  app.add_option("--rtol", flags.rtol, "override the profile's relative tolerance");
}

StatusOr<oracle::Tolerance> ResolveTolerance(const ToleranceFlags& flags) {
  CC_ASSIGN_OR_RETURN(oracle::Tolerance tol, oracle::ToleranceProfile(flags.profile));
  if (flags.atol) {
    if (!(*flags.atol >= 0)) return InvalidArgument("--atol must be >= 0");
    tol.atol = *flags.atol;
    tol.profile = "custom";
  }
  if (flags.rtol) {
    if (!(*flags.rtol >= 0)) return InvalidArgument("--rtol must be >= 0");
    tol.rtol = *flags.rtol;
    tol.profile = "custom";
  }
  return tol;
}

int ReportError(std::ostream& err, const Status& status) {
  err << "convcheck: error: " << status.message() << "\n";
  return kExitUsage;
}

namespace {
std::string Seconds(const std::map<std::string, double>& timings, const std::string& key) {
  auto it = timings.find(key);
  if (it == timings.end()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", it->second);
  return buf;
}

std::string RunSeconds(const pipeline::JobResult& r) {
  double sum = 0;
  bool any = false;
  for (const auto& [k, v] : r.timings) {
    if (k.rfind("run:", 0) == 0) sum += v, any = true;
  }
  if (!any) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", sum);
  return buf;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s += std::string(width - s.size(), ' ');
  return s;
}
}  // namespace

void AddConverterFlags(CLI::App& app, ConverterFlags& flags) {
  app.add_option("--converter", flags.converter,
                 "torch.onnx, or a fault-inject:* test converter (workers/README.md)");
  app.add_flag("--no-constant-folding", flags.no_constant_folding,
               "export with do_constant_folding=False");
  app.add_flag("--dynamic-batch", flags.dynamic_batch, "export dimension 0 as dynamic");
  app.add_flag("--script", flags.script, "export torch.jit.script(model) instead of tracing");
}

pipeline::ConverterOptions ConverterFlags::ToOptions(int opset) const {
  pipeline::ConverterOptions options;
  options.converter = converter;
  options.opset = opset;
  options.constant_folding = !no_constant_folding;
  options.dynamic_batch = dynamic_batch;
  options.mode = script ? "script" : "trace";
  return options;
}

void ResultTable::PrintHeader() {
  out_ << Pad("source", 34) << Pad("opset", 6) << Pad("verdict", 38) << Pad("worst error", 18)
       << Pad("source_s", 9) << Pad("convert_s", 10) << Pad("valid_s", 8) << Pad("run_s", 7)
       << "total_s\n";
  out_.flush();
}

void ResultTable::PrintRow(const pipeline::JobResult& r) {
  std::string verdict(oracle::VerdictName(r.verdict));
  if (!r.subtype.empty()) verdict += "/" + r.subtype;
  if (!r.stage.empty() && r.verdict != oracle::Verdict::kIncorrectBehavior) {
    verdict += " @" + r.stage;
  }
  std::string source = r.source;
  // A python source's folder is in the JSON; the table keeps the file name.
  if (source.rfind("python:", 0) == 0) {
    source = "python:" + std::filesystem::path(source.substr(7)).filename().string();
  }
  if (source.size() > 33) source = "..." + source.substr(source.size() - 30);
  std::string worst = pipeline::WorstErrorText(r);
  out_ << Pad(source, 34) << Pad(r.converter.opset ? std::to_string(r.converter.opset) : "-", 6)
       << Pad(verdict, 38) << Pad(worst.empty() ? "-" : worst, 18)
       << Pad(Seconds(r.timings, "source"), 9) << Pad(Seconds(r.timings, "convert"), 10)
       << Pad(Seconds(r.timings, "validate"), 8) << Pad(RunSeconds(r), 7)
       << Seconds(r.timings, "total") << "\n";
  if (r.verdict != oracle::Verdict::kPass && !r.error.empty()) {
    out_ << "    " << r.error << "\n";
  }
  if (!r.blame.empty() && r.blame != "source") {
    out_ << "    blame: " << r.blame << " (" << r.blame_reason << ")\n";
  }
  // A pass against a degenerate reference says little: say so where the pass is shown.
  for (const auto& warning : r.warnings) {
    if (warning.rfind("reference output", 0) == 0) out_ << "    warning: " << warning << "\n";
  }
  out_.flush();
}

void RunSummary::Add(const pipeline::JobResult& r) {
  ++jobs;
  ++verdicts[std::string(oracle::VerdictName(r.verdict))];
  tool_s += pipeline::ToolSeconds(r);
  if (auto it = r.tool_time.find("worker_start"); it != r.tool_time.end()) {
    worker_start_s += it->second;
  }
}

double RunSummary::OwnShare() const {
  if (wall_s <= 0) return 0;
  return std::max(0.0, wall_s - tool_s - worker_start_s) / wall_s;
}

void RunSummary::Print(std::ostream& out) const {
  out << jobs << " job" << (jobs == 1 ? "" : "s") << ":";
  bool first = true;
  for (const auto& [name, count] : verdicts) {
    out << (first ? " " : ", ") << count << " " << name;
    first = false;
  }
  char buf[200];
  std::snprintf(buf, sizeof(buf),
                "\nwall %.1f s: tools %.1f s (torch build/inference/export, engines), worker "
                "start-up %.1f s, convcheck itself %.1f s (%.1f%%)\n",
                wall_s, tool_s, worker_start_s,
                std::max(0.0, wall_s - tool_s - worker_start_s), 100.0 * OwnShare());
  out << buf;
}

nlohmann::json RunSummary::ToJson() const {
  return {{"jobs", jobs},       {"verdicts", verdicts},
          {"wall_s", wall_s},   {"tool_s", tool_s},
          {"worker_start_s", worker_start_s},
          {"own_share", OwnShare()}};
}

Status WriteJsonFile(const std::string& path, const nlohmann::json& doc) {
  if (path == "-") {
    std::cout << doc.dump(2) << "\n";
    return Status::Ok();
  }
  std::ofstream out(path);
  if (!out) return InvalidArgument("cannot write json file '" + path + "'");
  out << doc.dump(2) << "\n";
  if (!out) return InvalidArgument("cannot write json file '" + path + "'");
  return Status::Ok();
}

}  // namespace convcheck::cli
