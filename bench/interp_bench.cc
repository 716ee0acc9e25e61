//===- bench/interp_bench.cc - The reference interpreter against ONNX Runtime ===//
//
// convcheck_bench: how `ref` compares with ONNX Runtime on the same machine, model, input and
// thread count, every figure printed as a ratio against ORT: latency at each thread count,
// peak memory, load time against run time, and how far each engine's output is from
// PyTorch's (issue 15). See bench/README.md for what is measured and the figures.
//
// Each engine runs in a process of its own that loads one model and then runs it on command
// (`ref` in a re-executed copy of this binary, `--ref-child`; ONNX Runtime in
// bench/ort_bench.js on Node with the worker's onnxruntime-node), so its peak resident memory
// (wait4's ru_maxrss) is that model's cost. Both stay loaded side by side and the parent
// alternates single runs between them, swapping which goes first each round: on a machine
// shared with other work, load changes hit both engines alike and the ratios stay fair.
// Models are made by bench/make_models.sh, outside the repository.
//
//===----------------------------------------------------------------------===//
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
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
#include "interp/kernels/common/gemm.h"
#include "onnx/model.h"
#include "workers/worker.h"

namespace convcheck::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kOpset = 17;

struct Options {
  std::vector<std::string> models = {"resnet18", "mobilenet_v3_small", "vit_b_32",
                                     "efficientnet_b0", "bert"};
  std::vector<int> threads = {1, 2};
  std::string models_dir = "/tmp/convcheck_bench_models";
  std::string json_path;
  std::string ort_level = "all";
  int warmup = 2;
  int runs = 10;
  bool ort = true;
  bool ops = false;  // Per-op-type breakdown of ref's time.
};

constexpr const char* kUsage =
    "usage: convcheck_bench [--models a,b] [--threads 1,2] [--runs N] [--warmup N]\n"
    "                       [--models-dir DIR] [--ort-level LEVEL] [--json FILE] [--no-ort] "
    "[--ops]\n"
    "  --models      resnet18,mobilenet_v3_small,vit_b_32,efficientnet_b0,bert by default:\n"
    "                torchvision names or bert; missing ones are made by bench/make_models.sh\n"
    "  --threads     thread counts to measure, each for both engines (default 1,2)\n"
    "  --runs        timed runs per engine and thread count (default 10), after --warmup\n"
    "                untimed ones (default 2); ref and ORT take turns\n"
    "  --models-dir  where the models are (default /tmp/convcheck_bench_models)\n"
    "  --ort-level   ORT's graph optimisation level (default all, ORT's default)\n"
    "  --json        also write every measurement as JSON to FILE\n"
    "  --no-ort      measure the reference interpreter only\n"
    "  --ops         print where ref's time goes, per operator type (first thread count)\n";

std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

StatusOr<int> ParseCount(const std::string& flag, const std::string& v, int min) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < min || n > 100000) {
    return InvalidArgument(flag + " must be an integer >= " + std::to_string(min) + ", got '" + v +
                           "'");
  }
  return static_cast<int>(n);
}

StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> StatusOr<std::string> {
      if (i + 1 >= argc) return InvalidArgument(arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--models") {
      CC_ASSIGN_OR_RETURN(std::string v, value());
      o.models = Split(v);
      if (o.models.empty()) return InvalidArgument("--models is empty");
    } else if (arg == "--threads") {
      CC_ASSIGN_OR_RETURN(std::string v, value());
      o.threads.clear();
      for (const std::string& t : Split(v)) {
        CC_ASSIGN_OR_RETURN(int n, ParseCount(arg, t, 1));
        o.threads.push_back(n);
      }
      if (o.threads.empty()) return InvalidArgument("--threads is empty");
    } else if (arg == "--models-dir") {
      CC_ASSIGN_OR_RETURN(o.models_dir, value());
    } else if (arg == "--json") {
      CC_ASSIGN_OR_RETURN(o.json_path, value());
    } else if (arg == "--ort-level") {
      CC_ASSIGN_OR_RETURN(o.ort_level, value());
    } else if (arg == "--runs") {
      CC_ASSIGN_OR_RETURN(std::string v, value());
      CC_ASSIGN_OR_RETURN(o.runs, ParseCount(arg, v, 1));
    } else if (arg == "--warmup") {
      CC_ASSIGN_OR_RETURN(std::string v, value());
      CC_ASSIGN_OR_RETURN(o.warmup, ParseCount(arg, v, 0));
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

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// ---------------------------------------------------------------------------------------------
// A child process driven by lines on its stdin, answering with JSON lines on its stdout
// ---------------------------------------------------------------------------------------------

class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
  }

  /// Starts argv with `env` added to ours; its stderr is ours.
  Status Start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               std::string what) {
    what_ = std::move(what);
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) {
      return Internal(std::string("pipe: ") + std::strerror(errno));
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::cout.flush();
    pid_ = fork();
    if (pid_ < 0) return Internal(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) close(fd);
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      execv(args[0], args.data());
      std::fprintf(stderr, "convcheck_bench: cannot run %s: %s\n", args[0], std::strerror(errno));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    in_ = to_child[1];
    out_ = from_child[0];
    return Status::Ok();
  }

  /// Sends one command line and returns the child's next JSON line.
  StatusOr<json> Ask(const std::string& command) {
    const std::string line = command + "\n";
    if (write(in_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return Internal(what_ + ": cannot send '" + command + "' (exited?)");
    }
    return Read();
  }

  /// The child's next JSON line; an error if it says {"ok": false} or exits first.
  StatusOr<json> Read() {
    std::string line;
    for (;;) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        json j = json::parse(line, nullptr, false);
        if (!j.is_object()) continue;  // Not ours: a library's chatter on stdout.
        if (j.contains("ok") && !j.value("ok", false)) {
          return Internal(what_ + ": " + j.value("message", std::string("failed")));
        }
        return j;
      }
      char buf[4096];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n > 0) {
        buffer_.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        const int code = Wait();
        return Internal(what_ + " exited (status " + std::to_string(code) +
                        ") without answering; see its stderr above");
      }
    }
  }

  /// Waits for the exit; returns the exit code (-1 when killed) and keeps ru_maxrss.
  int Wait() {
    if (pid_ <= 0) return exit_code_;
    int status = 0;
    struct rusage usage {};
    while (wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    max_rss_kb_ = usage.ru_maxrss;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  long max_rss_kb() const { return max_rss_kb_; }

 private:
  std::string what_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
  long max_rss_kb_ = 0;
  int exit_code_ = -1;
};

std::string SelfExe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("convcheck_bench") : p.string();
}

// ---------------------------------------------------------------------------------------------
// The reference interpreter's side (the --ref-child process)
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

void Say(const json& j) {
  std::cout << j.dump() << "\n";
  std::cout.flush();
}

// Loads the model as the ref backend does, then answers commands: run, ops, quit.
Status RefChild(const std::string& model_path, const std::string& input_path,
                const std::string& output_path, int threads) {
  CC_ASSIGN_OR_RETURN(Tensor input, ReadNpy(input_path));
  const auto load_start = Clock::now();
  const double load_cpu_start = CpuSeconds();
  std::unique_ptr<interp::Interpreter> interp;
  interp::InterpreterOptions options;
  options.threads = threads;
  if (std::getenv("CONVCHECK_BENCH_PROTO_LOAD")) {
    // The path before CreateFromFile, for comparison: the proto is read, parsed and decoded.
    CC_ASSIGN_OR_RETURN(onnx::ModelProto model, onnxio::LoadModelWithWeights(model_path));
    CC_ASSIGN_OR_RETURN(interp, interp::Interpreter::Create(std::move(model), options));
  } else {
    CC_ASSIGN_OR_RETURN(interp, interp::Interpreter::CreateFromFile(model_path, options));
  }
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  Say({{"ok", true},
       {"load_s", load_s},
       {"load_cpu_s", CpuSeconds() - load_cpu_start},
       {"rss_after_load_kb", ProcStatusKb("VmRSS")},
       {"hwm_after_load_kb", ProcStatusKb("VmHWM")},
       {"blas", interp::BlasDescription()}});

  const std::vector<interp::Value> inputs = {interp::Value::FromTensor(input)};
  std::vector<interp::Value> last;
  std::string command;
  while (std::getline(std::cin, command)) {
    if (command == "run") {
      const auto start = Clock::now();
      const double cpu = CpuSeconds();
      CC_ASSIGN_OR_RETURN(last, interp->Run(inputs));
      Say({{"wall_s", std::chrono::duration<double>(Clock::now() - start).count()},
           {"cpu_s", CpuSeconds() - cpu}});
    } else if (command == "ops") {
      // The clock after every node: a node is charged the time since the previous one finished
      // (its kernel, its output's allocation, the executor's bookkeeping).
      std::map<std::string, std::pair<double, int>> by_op;  // seconds, node count
      Clock::time_point mark = Clock::now();
      interp::NodeObserver observer = [&](const onnx::NodeProto& node,
                                          const std::vector<interp::Value>&) {
        auto& [s, n] = by_op[OpKey(node)];
        s += std::chrono::duration<double>(Clock::now() - mark).count();
        ++n;
        mark = Clock::now();
      };
      CC_ASSIGN_OR_RETURN(last, interp->Run(inputs, &observer));
      json per_op = json::object();
      for (const auto& [op, sn] : by_op) per_op[op] = {{"seconds", sn.first}, {"nodes", sn.second}};
      Say({{"ops", per_op}});
    } else if (command == "quit") {
      if (last.empty() || !last[0].is_tensor()) return Internal("output 0 is not a tensor");
      CC_RETURN_IF_ERROR(WriteNpy(output_path, last[0].tensor()));
      Say({{"ok", true}, {"vm_hwm_kb", ProcStatusKb("VmHWM")}});
      return Status::Ok();
    } else {
      return InvalidArgument("unknown command '" + command + "'");
    }
  }
  return InvalidArgument("stdin closed before quit");
}

int RefChildMain(int argc, char** argv) {
  // --ref-child MODEL INPUT.npy OUTPUT.npy THREADS
  if (argc != 6) {
    std::fprintf(stderr, "convcheck_bench --ref-child: wrong arguments\n");
    return 2;
  }
  Status status = RefChild(argv[2], argv[3], argv[4], std::atoi(argv[5]));
  if (!status.ok()) {
    Say({{"ok", false}, {"message", status.ToString()}});
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The parent: models, engines, the tables
// ---------------------------------------------------------------------------------------------

struct ModelFiles {
  std::string model;         // model.onnx
  std::string input;         // input_0.npy, the tensor both engines get
  std::string torch_output;  // torch_output_0.npy, PyTorch's answer
};

// The model's folder, made by bench/make_models.sh when it is missing.
StatusOr<ModelFiles> EnsureModel(const Options& o, const std::string& name) {
  const fs::path dir = fs::path(o.models_dir) / (name + "_opset" + std::to_string(kOpset));
  ModelFiles files{(dir / "model.onnx").string(), (dir / "input_0.npy").string(),
                   (dir / "torch_output_0.npy").string()};
  auto complete = [&] {
    return fs::exists(files.model) && fs::exists(files.input) && fs::exists(files.torch_output);
  };
  if (complete()) return files;
  const std::string script = std::string(CONVCHECK_BENCH_DIR) + "/make_models.sh";
  std::cerr << "making " << name << " with " << script << " ...\n";
  Child maker;
  CC_RETURN_IF_ERROR(maker.Start({"/bin/sh", script, o.models_dir, name}, {}, script));
  const int code = maker.Wait();
  if (code != 0 || !complete()) {
    return Internal(script + " " + o.models_dir + " " + name + " exited with " +
                    std::to_string(code) + " and did not make " + dir.string());
  }
  return files;
}

struct Timing {
  std::vector<double> wall_s, cpu_s;
  double load_s = 0;
  long max_rss_kb = 0;
  long rss_after_load_kb = 0;
  static double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? NAN : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
  }
  static double Min(const std::vector<double>& v) {
    return v.empty() ? NAN : *std::min_element(v.begin(), v.end());
  }
  double median() const { return Median(wall_s); }
  double min() const { return Min(wall_s); }
};

json TimingJson(const Timing& t) {
  return {{"median_s", t.median()},
          {"min_s", t.min()},
          {"cpu_median_s", Timing::Median(t.cpu_s)},
          {"runs_s", t.wall_s},
          {"cpu_s", t.cpu_s},
          {"load_s", t.load_s},
          {"max_rss_kb", t.max_rss_kb},
          {"rss_after_load_kb", t.rss_after_load_kb}};
}

struct Measurement {
  int threads = 1;
  Timing ref, ort;
  bool has_ort = false;
  double ref_vs_ort = NAN;
};

struct Row {
  std::string model;
  std::vector<Measurement> by_threads;
  double ref_vs_torch = NAN, ort_vs_torch = NAN;
  json ops = json::object();  // op -> {seconds (mean per run), nodes}
  std::string blas;
};

// Largest |a - b| over output 0, relative to the largest |b|; NaN if they cannot be compared.
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

// One run on `child`, appended to `t`.
Status RunOnce(Child& child, Timing* t) {
  CC_ASSIGN_OR_RETURN(json r, child.Ask("run"));
  if (t) {
    t->wall_s.push_back(r.value("wall_s", NAN));
    t->cpu_s.push_back(r.value("cpu_s", NAN));
  }
  return Status::Ok();
}

// Both engines loaded side by side, at `threads` each, their runs interleaved.
StatusOr<Measurement> Measure(const Options& o, const ModelFiles& files, int threads, bool ops,
                              Row* row) {
  const std::string dir = fs::path(files.model).parent_path().string();
  const std::string ref_out = dir + "/ref_output_0.npy", ort_out = dir + "/ort_output_0.npy";
  // Every thread pool sized to `threads`; the interpreter sets OpenBLAS's itself.
  const std::map<std::string, std::string> env = {{"OMP_NUM_THREADS", std::to_string(threads)}};
  Measurement m;
  m.threads = threads;
  Child ref, ort;
  CC_RETURN_IF_ERROR(ref.Start(
      {SelfExe(), "--ref-child", files.model, files.input, ref_out, std::to_string(threads)}, env,
      "ref on " + files.model));
  CC_ASSIGN_OR_RETURN(json ref_loaded, ref.Read());
  m.ref.load_s = ref_loaded.value("load_s", NAN);
  m.ref.rss_after_load_kb = ref_loaded.value("rss_after_load_kb", 0L);
  row->blas = ref_loaded.value("blas", std::string());
  if (o.ort) {
    CC_ASSIGN_OR_RETURN(workers::WorkerSpec spec, workers::NodeWorkerSpec("/tmp"));
    const std::string script = std::string(CONVCHECK_BENCH_DIR) + "/ort_bench.js";
    CC_RETURN_IF_ERROR(ort.Start({spec.argv[0], script, workers::WorkersDir(), files.model,
                                  files.input, ort_out, o.ort_level, std::to_string(threads)},
                                 env, "ort on " + files.model));
    CC_ASSIGN_OR_RETURN(json ort_loaded, ort.Read());
    m.ort.load_s = ort_loaded.value("load_s", NAN);
    m.ort.rss_after_load_kb = ort_loaded.value("rss_after_load_kb", 0L);
    m.has_ort = true;
  }
  for (int i = 0; i < o.warmup; ++i) {
    CC_RETURN_IF_ERROR(RunOnce(ref, nullptr));
    if (m.has_ort) CC_RETURN_IF_ERROR(RunOnce(ort, nullptr));
  }
  for (int i = 0; i < o.runs; ++i) {
    // Alternate who goes first, so that neither always runs right after the other's cache use.
    if (m.has_ort && i % 2 == 1) CC_RETURN_IF_ERROR(RunOnce(ort, &m.ort));
    CC_RETURN_IF_ERROR(RunOnce(ref, &m.ref));
    if (m.has_ort && i % 2 == 0) CC_RETURN_IF_ERROR(RunOnce(ort, &m.ort));
  }
  if (ops) {
    for (int i = 0; i < o.runs; ++i) {
      CC_ASSIGN_OR_RETURN(json r, ref.Ask("ops"));
      for (const auto& [op, v] : r["ops"].items()) {
        json& acc = row->ops[op];
        if (!acc.is_object()) acc = {{"seconds", 0.0}, {"nodes", 0}};
        acc["seconds"] = acc.value("seconds", 0.0) + v["seconds"].get<double>() / o.runs;
        acc["nodes"] = v["nodes"];
      }
    }
  }
  CC_RETURN_IF_ERROR(ref.Ask("quit").status());
  ref.Wait();
  m.ref.max_rss_kb = ref.max_rss_kb();
  if (m.has_ort) {
    CC_RETURN_IF_ERROR(ort.Ask("quit").status());
    ort.Wait();
    m.ort.max_rss_kb = ort.max_rss_kb();
    m.ref_vs_ort = RelativeDifference(ref_out, ort_out);
    row->ort_vs_torch = RelativeDifference(ort_out, files.torch_output);
  }
  row->ref_vs_torch = RelativeDifference(ref_out, files.torch_output);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

std::string Fixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Sci(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1e", v);
  return buf;
}

std::string Pad(const std::string& s, size_t width, bool left = false) {
  if (s.size() >= width) return s + " ";
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

std::string Ms(double s) { return Fixed(s * 1e3, s < 0.1 ? 2 : 1); }
std::string Mb(long kb) { return Fixed(static_cast<double>(kb) / 1024.0, 0); }
std::string Ratio(double a, double b) { return b > 0 ? Fixed(a / b, 2) + "x" : "-"; }

void PrintLatency(const std::vector<Row>& rows, const Options& o, size_t t) {
  const int threads = rows.empty() ? 1 : rows[0].by_threads[t].threads;
  std::cout << "\nLatency, " << threads << (threads == 1 ? " thread" : " threads")
            << " each: ms, median (min) of " << o.runs << " runs after " << o.warmup
            << " warm-ups, ref and ORT taking turns\n\n";
  std::cout << Pad("model", 20, true) << Pad("ref", 18) << Pad("ORT", 18) << Pad("ref/ORT", 9)
            << Pad("(min)", 8) << Pad("cpu", 8) << Pad("ref MB", 8) << Pad("ORT MB", 8)
            << Pad("mem", 7) << "\n";
  for (const Row& r : rows) {
    const Measurement& m = r.by_threads[t];
    auto cell = [](const Timing& x) { return Ms(x.median()) + " (" + Ms(x.min()) + ")"; };
    std::cout << Pad(r.model, 20, true) << Pad(cell(m.ref), 18);
    if (m.has_ort) {
      std::cout << Pad(cell(m.ort), 18) << Pad(Ratio(m.ref.median(), m.ort.median()), 9)
                << Pad(Ratio(m.ref.min(), m.ort.min()), 8)
                << Pad(Ratio(Timing::Median(m.ref.cpu_s), Timing::Median(m.ort.cpu_s)), 8)
                << Pad(Mb(m.ref.max_rss_kb), 8) << Pad(Mb(m.ort.max_rss_kb), 8)
                << Pad(Ratio(static_cast<double>(m.ref.max_rss_kb),
                             static_cast<double>(m.ort.max_rss_kb)),
                       7);
    } else {
      std::cout << Pad("-", 18) << Pad("-", 9) << Pad("-", 8) << Pad("-", 8)
                << Pad(Mb(m.ref.max_rss_kb), 8);
    }
    std::cout << "\n";
  }
}

void PrintLoad(const std::vector<Row>& rows) {
  std::cout << "\nLoad against run, " << rows[0].by_threads[0].threads
            << " thread(s): load = file to ready-to-run session (ms); run = median run (ms)\n\n";
  std::cout << Pad("model", 20, true) << Pad("ref load", 10) << Pad("ref run", 10)
            << Pad("load/run", 10) << Pad("ORT load", 10) << Pad("ORT run", 10)
            << Pad("load/run", 10) << Pad("ref/ORT load", 13) << "\n";
  for (const Row& r : rows) {
    const Measurement& m = r.by_threads[0];
    std::cout << Pad(r.model, 20, true) << Pad(Ms(m.ref.load_s), 10) << Pad(Ms(m.ref.median()), 10)
              << Pad(Ratio(m.ref.load_s, m.ref.median()), 10);
    if (m.has_ort) {
      std::cout << Pad(Ms(m.ort.load_s), 10) << Pad(Ms(m.ort.median()), 10)
                << Pad(Ratio(m.ort.load_s, m.ort.median()), 10)
                << Pad(Ratio(m.ref.load_s, m.ort.load_s), 13);
    }
    std::cout << "\n";
  }
}

void PrintAgreement(const std::vector<Row>& rows) {
  std::cout << "\nOutput 0 against PyTorch's (max |diff| / max |PyTorch|), and ref against ORT\n\n";
  std::cout << Pad("model", 20, true) << Pad("ref", 10) << Pad("ORT", 10) << Pad("ref-ORT", 10)
            << "\n";
  for (const Row& r : rows) {
    std::cout << Pad(r.model, 20, true) << Pad(Sci(r.ref_vs_torch), 10)
              << Pad(Sci(r.ort_vs_torch), 10) << Pad(Sci(r.by_threads[0].ref_vs_ort), 10) << "\n";
  }
}

void PrintOps(const Row& r) {
  std::vector<std::pair<double, std::string>> ops;
  double total = 0;
  for (const auto& [op, v] : r.ops.items()) {
    ops.emplace_back(v["seconds"].get<double>(), op);
    total += v["seconds"].get<double>();
  }
  std::sort(ops.rbegin(), ops.rend());
  std::cout << "\nref per operator type, " << r.model << " (mean per run, " << Ms(total)
            << " ms in total):\n";
  for (const auto& [s, op] : ops) {
    std::cout << "  " << Pad(op, 20, true) << Pad(Ms(s), 9) << " ms  "
              << Pad(Fixed(100 * s / total, 1), 5) << " %  " << r.ops[op]["nodes"].get<int>()
              << " nodes\n";
  }
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
  signal(SIGPIPE, SIG_IGN);  // A child that died is reported by Ask, not by killing us.
  std::vector<Row> rows;
  for (const std::string& name : o.models) {
    StatusOr<ModelFiles> files = EnsureModel(o, name);
    if (!files.ok()) {
      std::cerr << "convcheck_bench: " << files.status().message() << "\n";
      return 2;
    }
    Row row;
    row.model = name;
    for (size_t t = 0; t < o.threads.size(); ++t) {
      std::cerr << name << ": " << o.threads[t] << " thread(s) ...\n";
      StatusOr<Measurement> m = Measure(o, *files, o.threads[t], o.ops && t == 0, &row);
      if (!m.ok()) {
        std::cerr << "convcheck_bench: " << m.status().message() << "\n";
        return 1;
      }
      row.by_threads.push_back(*m);
    }
    rows.push_back(std::move(row));
  }

  std::cout << "\nref against ONNX Runtime (node, graph optimisation '" << o.ort_level
            << "'), batch 1, opset " << kOpset << "; ref's " << rows[0].blas << "\n";
  for (size_t t = 0; t < o.threads.size(); ++t) PrintLatency(rows, o, t);
  PrintLoad(rows);
  PrintAgreement(rows);
  std::cout << "\nref/ORT: ratio of the medians, (min) of the minima, cpu of the median CPU times "
               "(process CPU time per run: robust to a busy machine at one thread). MB: peak "
               "resident memory of a process that loads and runs only that model; mem is "
               "ref/ORT.\n";
  if (o.ops) {
    for (const Row& r : rows) PrintOps(r);
  }

  if (!o.json_path.empty()) {
    json out = {{"opset", kOpset},          {"batch", 1},
                {"warmup", o.warmup},       {"runs", o.runs},
                {"ort_level", o.ort_level}, {"blas", rows[0].blas},
                {"models", json::array()}};
    for (const Row& r : rows) {
      json m = {{"model", r.model},
                {"ref_vs_torch", std::isnan(r.ref_vs_torch) ? json(nullptr) : json(r.ref_vs_torch)},
                {"ort_vs_torch", std::isnan(r.ort_vs_torch) ? json(nullptr) : json(r.ort_vs_torch)},
                {"threads", json::array()}};
      for (const Measurement& x : r.by_threads) {
        json t = {{"threads", x.threads}, {"ref", TimingJson(x.ref)}};
        if (x.has_ort) {
          t["ort"] = TimingJson(x.ort);
          t["ratio_median"] = x.ref.median() / x.ort.median();
          t["ratio_min"] = x.ref.min() / x.ort.min();
          t["ref_vs_ort"] = std::isnan(x.ref_vs_ort) ? json(nullptr) : json(x.ref_vs_ort);
        }
        m["threads"].push_back(t);
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
