//===- bench/interp_bench.cc - Latency of `ref` against ONNX Runtime ------===//
//
// convcheck_bench: how fast the reference interpreter runs real models compared with ONNX
// Runtime on the same machine, the same input and the same thread count (one), so that "ref is
// too slow to be a second backend" is a number rather than an impression (issue 3). See
// bench/README.md for what is measured and the figures.
//
// Each engine runs in a process of its own that only loads and runs one model, so that its peak
// resident memory (wait4's ru_maxrss) is that model's cost: `ref` in a re-executed copy of this
// binary (`--ref-child`), ONNX Runtime in bench/ort_bench.js on Node with the worker's
// onnxruntime-node. Models are exported once with `convcheck convert --keep` and cached.
//
//===----------------------------------------------------------------------===//
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/npy.h"
#include "core/status.h"
#include "interp/executor.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"
#include "workers/worker.h"

namespace convcheck::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kOpset = 17;

struct Options {
  std::vector<std::string> models = {"resnet18", "mobilenet_v3_small", "vit_b_32"};
  std::string models_dir = "/tmp/convcheck_bench_models";
  std::string json_path;
  int warmup = 2;
  int runs = 10;
  bool ort = true;
  bool ops = false;  // Per-op-type breakdown of ref's time.
};

constexpr const char* kUsage =
    "usage: convcheck_bench [--models a,b,c] [--runs N] [--warmup N] [--models-dir DIR]\n"
    "                       [--json FILE] [--no-ort] [--ops]\n"
    "  --models      torchvision model names (default resnet18,mobilenet_v3_small,vit_b_32)\n"
    "  --runs        timed runs per engine (default 10), after --warmup untimed ones (default 2)\n"
    "  --models-dir  where exported models are cached (default /tmp/convcheck_bench_models)\n"
    "  --json        also write the results as JSON to FILE\n"
    "  --no-ort      measure the reference interpreter only\n"
    "  --ops         print where ref's time goes, per operator type\n";

std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> StatusOr<std::string> {
      if (i + 1 >= argc) return InvalidArgument(arg + " needs a value");
      return std::string(argv[++i]);
    };
    auto count = [&](int min) -> StatusOr<int> {
      CC_ASSIGN_OR_RETURN(std::string v, value());
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < min || n > 100000) {
        return InvalidArgument(arg + " must be an integer >= " + std::to_string(min));
      }
      return static_cast<int>(n);
    };
    if (arg == "--models") {
      CC_ASSIGN_OR_RETURN(std::string v, value());
      o.models = Split(v);
      if (o.models.empty()) return InvalidArgument("--models is empty");
    } else if (arg == "--models-dir") {
      CC_ASSIGN_OR_RETURN(o.models_dir, value());
    } else if (arg == "--json") {
      CC_ASSIGN_OR_RETURN(o.json_path, value());
    } else if (arg == "--runs") {
      CC_ASSIGN_OR_RETURN(o.runs, count(1));
    } else if (arg == "--warmup") {
      CC_ASSIGN_OR_RETURN(o.warmup, count(0));
    } else if (arg == "--no-ort") {
      o.ort = false;
    } else if (arg == "--ops") {
      o.ops = true;
    } else {
      return InvalidArgument("unknown argument '" + arg + "'\n" + kUsage);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal.
  std::string out;     // Its stdout.
  long max_rss_kb = 0;
};

// Runs argv with `env` added to ours, stdout captured, stderr inherited. wait4 gives that
// child's own ru_maxrss, unlike RUSAGE_CHILDREN, which is the largest of all children so far.
StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                   const std::map<std::string, std::string>& env) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::cout.flush();
  const pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execv(args[0], args.data());
    std::fprintf(stderr, "convcheck_bench: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(pipe_fds[1]);
  ProcessResult result;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) {
      result.out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) return Internal(std::string("wait4: ") + std::strerror(errno));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.max_rss_kb = usage.ru_maxrss;
  return result;
}

// The last line of a child's stdout, parsed; the children print their report last.
StatusOr<json> LastJsonLine(const ProcessResult& r, const std::string& what) {
  std::string text = r.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t nl = text.rfind('\n');
  json j = json::parse(nl == std::string::npos ? text : text.substr(nl + 1), nullptr, false);
  if (!j.is_object()) {
    return Internal(what + " exited with " + std::to_string(r.exit_code) +
                    " without a report; its stdout: " + text.substr(0, 300));
  }
  if (!j.value("ok", false)) return Internal(what + ": " + j.value("message", std::string("?")));
  return j;
}

std::string SelfExe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("convcheck_bench") : p.string();
}

// ---------------------------------------------------------------------------------------------
// The reference interpreter's side (runs in the --ref-child process)
// ---------------------------------------------------------------------------------------------

long ProcStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::strtol(line.c_str() + len + 1, nullptr, 10);
    }
  }
  return 0;
}

// A key for the per-op breakdown: Conv is split by shape class because depthwise, pointwise
// and spatial convolutions take different code paths and costs.
std::string OpKey(const onnx::NodeProto& node) {
  if (node.op_type() != "Conv") return node.op_type();
  int64_t group = 1;
  bool one_by_one = false;
  for (const auto& a : node.attribute()) {
    if (a.name() == "group") group = a.i();
    if (a.name() == "kernel_shape") {
      one_by_one = std::all_of(a.ints().begin(), a.ints().end(), [](int64_t k) { return k == 1; });
    }
  }
  if (group > 1) return "Conv(grouped)";
  return one_by_one ? "Conv(1x1)" : "Conv(kxk)";
}

StatusOr<json> RefChild(const std::string& model_path, const std::string& input_path,
                        const std::string& output_path, int warmup, int runs, bool ops) {
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const long rss_start_kb = ProcStatusKb("VmRSS");
  CC_ASSIGN_OR_RETURN(Tensor input, ReadNpy(input_path));
  const auto load_start = Clock::now();
  std::unique_ptr<interp::Interpreter> interp;
  {
    // The proto goes out of scope once the interpreter has its own copy: a caller that keeps
    // the file's proto is not what we measure.
    CC_ASSIGN_OR_RETURN(onnx::ModelProto model, onnxio::LoadModel(model_path));
    CC_ASSIGN_OR_RETURN(interp, interp::Interpreter::Create(std::move(model)));
  }
  const double load_s = seconds_since(load_start);
  const long rss_after_load_kb = ProcStatusKb("VmRSS");
  const std::vector<interp::Value> inputs = {interp::Value::FromTensor(input)};

  std::vector<interp::Value> last;
  for (int i = 0; i < warmup; ++i) {
    CC_ASSIGN_OR_RETURN(last, interp->Run(inputs));
  }
  json times = json::array();
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    CC_ASSIGN_OR_RETURN(last, interp->Run(inputs));
    times.push_back(seconds_since(start));
  }
  if (last.empty() || !last[0].is_tensor()) return Internal("output 0 is not a tensor");
  CC_RETURN_IF_ERROR(WriteNpy(output_path, last[0].tensor()));
  json report = {{"ok", true},
                 {"load_s", load_s},
                 {"run_s", times},
                 {"rss_start_kb", rss_start_kb},
                 {"rss_after_load_kb", rss_after_load_kb},
                 {"vm_hwm_kb", ProcStatusKb("VmHWM")}};

  if (ops) {
    // A separate pass, so that the clock reads do not touch the timed runs. A node's time is
    // the time since the previous node finished: its kernel plus the executor's bookkeeping.
    std::map<std::string, std::pair<double, int>> by_op;  // seconds over all runs, node count
    Clock::time_point mark;
    interp::NodeObserver observer = [&](const onnx::NodeProto& node,
                                        const std::vector<interp::Value>&) {
      const auto now = Clock::now();
      auto& [s, n] = by_op[OpKey(node)];
      s += std::chrono::duration<double>(now - mark).count();
      ++n;
      mark = Clock::now();
    };
    for (int i = 0; i < runs; ++i) {
      mark = Clock::now();
      CC_ASSIGN_OR_RETURN(last, interp->Run(inputs, &observer));
    }
    json per_op = json::object();
    for (const auto& [op, sn] : by_op) {
      per_op[op] = {{"seconds", sn.first / runs}, {"nodes", sn.second / runs}};
    }
    report["ops"] = per_op;
  }
  return report;
}

int RefChildMain(int argc, char** argv) {
  // --ref-child MODEL INPUT.npy OUTPUT.npy WARMUP RUNS OPS
  if (argc != 8) {
    std::fprintf(stderr, "convcheck_bench --ref-child: wrong arguments\n");
    return 2;
  }
  StatusOr<json> report = RefChild(argv[2], argv[3], argv[4], std::atoi(argv[5]),
                                   std::atoi(argv[6]), std::string(argv[7]) == "1");
  if (!report.ok()) {
    std::cout << json{{"ok", false}, {"message", report.status().ToString()}}.dump() << "\n";
    return 1;
  }
  std::cout << report->dump() << "\n";
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The parent: models, engines, the table
// ---------------------------------------------------------------------------------------------

struct ModelFiles {
  std::string model;  // model.onnx
  std::string input;  // input_0.npy, the tensor both engines get
};

// Exports torchvision:NAME at opset 17 with the convcheck binary, once; later runs reuse it.
StatusOr<ModelFiles> EnsureModel(const Options& o, const std::string& name) {
  const fs::path dir = fs::path(o.models_dir) / (name + "_opset" + std::to_string(kOpset));
  ModelFiles files{(dir / "model.onnx").string(), (dir / "input_0.npy").string()};
  if (fs::exists(files.model) && fs::exists(files.input)) return files;

  std::error_code ec;
  const fs::path keep = fs::path(o.models_dir) / (".export_" + name);
  fs::remove_all(keep, ec);
  fs::create_directories(keep, ec);
  if (ec) return Internal("cannot create " + keep.string() + ": " + ec.message());
  std::cerr << "exporting torchvision:" << name << " (opset " << kOpset << ") ...\n";
  // `--backend ort` also proves the export runs on ORT before we time anything on it.
  CC_ASSIGN_OR_RETURN(
      ProcessResult r,
      RunProcess({CONVCHECK_BINARY, "convert", "torchvision:" + name, "--opset",
                  std::to_string(kOpset), "--backend", "ort", "--keep", keep.string()},
                 {}));
  fs::path case_dir;
  for (const auto& entry : fs::directory_iterator(keep, ec)) {
    if (fs::exists(entry.path() / "model.onnx")) case_dir = entry.path();
  }
  if (case_dir.empty()) {
    return Internal("convcheck convert torchvision:" + name + " exited with " +
                    std::to_string(r.exit_code) + " and kept no model; its output:\n" + r.out);
  }
  if (r.exit_code != 0) {
    std::cerr << "note: convcheck convert torchvision:" << name << " exited with " << r.exit_code
              << " (a verdict other than pass); benchmarking the model anyway\n";
  }
  CC_ASSIGN_OR_RETURN(Tensor input,
                      onnxio::ReadTensorPb((case_dir / "test_data_set_0" / "input_0.pb").string()));
  fs::remove_all(dir, ec);
  fs::rename(case_dir, dir, ec);
  if (ec) return Internal("cannot move " + case_dir.string() + " to " + dir.string());
  fs::remove_all(keep, ec);
  CC_RETURN_IF_ERROR(WriteNpy(files.input, input));
  return files;
}

struct Timing {
  std::vector<double> runs_s;
  double load_s = 0;
  long max_rss_kb = 0;
  long rss_after_load_kb = 0;
  double Median() const {
    std::vector<double> v = runs_s;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
  }
  double Min() const {
    return runs_s.empty() ? 0 : *std::min_element(runs_s.begin(), runs_s.end());
  }
};

Timing TimingFrom(const json& report, long max_rss_kb) {
  Timing t;
  for (const auto& s : report["run_s"]) t.runs_s.push_back(s.get<double>());
  t.load_s = report.value("load_s", 0.0);
  t.max_rss_kb = max_rss_kb;
  t.rss_after_load_kb = report.value("rss_after_load_kb", 0L);
  return t;
}

// Both engines single-threaded: OpenBLAS pinned to one thread before it starts its pool (the
// interpreter also calls openblas_set_num_threads(1)), ORT with one intra- and one inter-op
// thread, and no OpenMP team for either.
const std::map<std::string, std::string> kOneThreadEnv = {{"OPENBLAS_NUM_THREADS", "1"},
                                                          {"OMP_NUM_THREADS", "1"}};

StatusOr<std::pair<Timing, json>> MeasureRef(const Options& o, const ModelFiles& files,
                                             const std::string& output) {
  CC_ASSIGN_OR_RETURN(ProcessResult r, RunProcess({SelfExe(), "--ref-child", files.model,
                                                   files.input, output, std::to_string(o.warmup),
                                                   std::to_string(o.runs), o.ops ? "1" : "0"},
                                                  kOneThreadEnv));
  CC_ASSIGN_OR_RETURN(json report, LastJsonLine(r, "ref on " + files.model));
  return std::make_pair(TimingFrom(report, r.max_rss_kb), report);
}

StatusOr<Timing> MeasureOrt(const Options& o, const ModelFiles& files, const std::string& level,
                            const std::string& output) {
  // The worker's own lookup of node and onnxruntime-node, with its install hints.
  CC_ASSIGN_OR_RETURN(workers::WorkerSpec spec, workers::NodeWorkerSpec("/tmp"));
  const std::string script = std::string(CONVCHECK_BENCH_DIR) + "/ort_bench.js";
  CC_ASSIGN_OR_RETURN(
      ProcessResult r,
      RunProcess({spec.argv[0], script, workers::WorkersDir(), files.model, files.input, output,
                  level, std::to_string(o.warmup), std::to_string(o.runs)},
                 kOneThreadEnv));
  CC_ASSIGN_OR_RETURN(json report, LastJsonLine(r, "ort (" + level + ") on " + files.model));
  return TimingFrom(report, r.max_rss_kb);
}

// Largest |a - b| over output 0 of both engines, relative to the largest |b|: shows that both
// ran the same input to the same answer (NaN if the shapes differ).
double RelativeDifference(const std::string& a_path, const std::string& b_path) {
  StatusOr<Tensor> a = ReadNpy(a_path), b = ReadNpy(b_path);
  if (!a.ok() || !b.ok() || a->shape() != b->shape() || a->dtype() != DataType::kFloat32 ||
      b->dtype() != DataType::kFloat32) {
    return NAN;
  }
  double diff = 0, scale = 0;
  const float* pa = a->Data<float>();
  const float* pb = b->Data<float>();
  for (int64_t i = 0; i < a->num_elements(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(pa[i] - pb[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(pb[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

struct Row {
  std::string model;
  Timing ref, ort_all, ort_disabled;
  bool has_ort = false;
  double rel_diff = NAN;
  json ops;
};

std::string Fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Pad(const std::string& s, size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

void PrintTable(const std::vector<Row>& rows, const Options& o) {
  auto ms = [](double s) { return Fixed(s * 1e3, 1); };
  auto mb = [](long kb) { return Fixed(kb / 1024.0, 0); };
  std::cout << "\nbatch 1, opset " << kOpset << ", 1 thread each; " << o.warmup << " warm-up + "
            << o.runs << " timed runs; times in ms as median (min)\n\n";
  std::cout << Pad("model", 20, true) << Pad("ref", 17) << Pad("ORT all", 17)
            << Pad("ORT disabled", 17) << Pad("ref/ORT", 9) << Pad("ref/ORTd", 9)
            << Pad("ref RSS", 9) << Pad("ORT RSS", 9) << Pad("rel diff", 10) << "\n";
  for (const Row& r : rows) {
    auto cell = [&](const Timing& t) { return ms(t.Median()) + " (" + ms(t.Min()) + ")"; };
    std::cout << Pad(r.model, 20, true) << Pad(cell(r.ref), 17);
    if (r.has_ort) {
      std::cout << Pad(cell(r.ort_all), 17) << Pad(cell(r.ort_disabled), 17)
                << Pad(Fixed(r.ref.Median() / r.ort_all.Median(), 2) + "x", 9)
                << Pad(Fixed(r.ref.Median() / r.ort_disabled.Median(), 2) + "x", 9)
                << Pad(mb(r.ref.max_rss_kb) + " MB", 9) << Pad(mb(r.ort_all.max_rss_kb) + " MB", 9);
      char diff[32];
      std::snprintf(diff, sizeof diff, "%.1e", r.rel_diff);
      std::cout << Pad(diff, 10);
    } else {
      std::cout << Pad("-", 17) << Pad("-", 17) << Pad("-", 9) << Pad("-", 9)
                << Pad(mb(r.ref.max_rss_kb) + " MB", 9);
    }
    std::cout << "\n";
  }
  std::cout << "\nref/ORT: ratio of medians (issue 3 asks <= 3x against ORT \"all\"; project goal "
               "1.5x). RSS: peak resident memory of a process that loads and runs only that "
               "model. rel diff: max |ref - ORT| / max |ORT| over output 0.\n";
  if (!o.ops) return;
  for (const Row& r : rows) {
    std::vector<std::pair<double, std::string>> ops;
    double total = 0;
    for (const auto& [op, v] : r.ops.items()) {
      ops.emplace_back(v["seconds"].get<double>(), op);
      total += v["seconds"].get<double>();
    }
    std::sort(ops.rbegin(), ops.rend());
    std::cout << "\nref per operator type, " << r.model << " (mean per run, " << ms(total)
              << " ms in total):\n";
    for (const auto& [s, op] : ops) {
      std::cout << "  " << Pad(op, 20, true) << Pad(ms(s), 8) << " ms  "
                << Pad(Fixed(100 * s / total, 1), 5) << " %  " << r.ops[op]["nodes"].get<int>()
                << " nodes\n";
    }
  }
}

json TimingJson(const Timing& t) {
  return {{"median_s", t.Median()},     {"min_s", t.Min()},
          {"runs_s", t.runs_s},         {"load_s", t.load_s},
          {"max_rss_kb", t.max_rss_kb}, {"rss_after_load_kb", t.rss_after_load_kb}};
}

int Main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--ref-child") return RefChildMain(argc, argv);
  if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  StatusOr<Options> options = ParseOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "convcheck_bench: " << options.status().message() << "\n";
    return 2;
  }
  const Options& o = *options;
  std::vector<Row> rows;
  for (const std::string& name : o.models) {
    StatusOr<ModelFiles> files = EnsureModel(o, name);
    if (!files.ok()) {
      std::cerr << "convcheck_bench: " << files.status().message() << "\n";
      return 2;
    }
    const std::string dir = fs::path(files->model).parent_path().string();
    Row row;
    row.model = name;
    std::cerr << name << ": ref ...\n";
    auto ref = MeasureRef(o, *files, dir + "/ref_output_0.npy");
    if (!ref.ok()) {
      std::cerr << "convcheck_bench: " << ref.status().message() << "\n";
      return 1;
    }
    row.ref = ref->first;
    row.ops = ref->second.value("ops", json::object());
    if (o.ort) {
      std::cerr << name << ": ort ...\n";
      auto all = MeasureOrt(o, *files, "all", dir + "/ort_output_0.npy");
      auto disabled = MeasureOrt(o, *files, "disabled", dir + "/ort_disabled_output_0.npy");
      if (!all.ok() || !disabled.ok()) {
        std::cerr << "convcheck_bench: " << (all.ok() ? disabled.status() : all.status()).message()
                  << "\n";
        return 1;
      }
      row.has_ort = true;
      row.ort_all = *all;
      row.ort_disabled = *disabled;
      row.rel_diff = RelativeDifference(dir + "/ref_output_0.npy", dir + "/ort_output_0.npy");
    }
    rows.push_back(std::move(row));
  }
  PrintTable(rows, o);

  if (!o.json_path.empty()) {
    json out = {{"opset", kOpset},    {"batch", 1},     {"threads", 1},
                {"warmup", o.warmup}, {"runs", o.runs}, {"models", json::array()}};
    for (const Row& r : rows) {
      json m = {{"model", r.model}, {"ref", TimingJson(r.ref)}};
      if (r.has_ort) {
        m["ort_all"] = TimingJson(r.ort_all);
        m["ort_disabled"] = TimingJson(r.ort_disabled);
        m["ratio_ref_ort_all"] = r.ref.Median() / r.ort_all.Median();
        m["ratio_ref_ort_disabled"] = r.ref.Median() / r.ort_disabled.Median();
        m["rel_diff"] = std::isnan(r.rel_diff) ? json(nullptr) : json(r.rel_diff);
      }
      if (!r.ops.empty()) m["ref_ops"] = r.ops;
      out["models"].push_back(m);
    }
    std::ofstream f(o.json_path);
    f << out.dump(2) << "\n";
    if (!f) {
      std::cerr << "convcheck_bench: cannot write " << o.json_path << "\n";
      return 2;
    }
  }
  return 0;
}

}  // namespace
}  // namespace convcheck::bench

int main(int argc, char** argv) { return convcheck::bench::Main(argc, argv); }
