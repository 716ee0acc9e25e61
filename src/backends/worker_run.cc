#include "backends/worker_run.h"

#include "core/npy.h"

namespace convcheck::backends {

StatusOr<BackendRun> RunThroughWorker(workers::Worker& worker, const std::string& engine,
                                      const nlohmann::json& request, const std::string& scratch,
                                      const std::string& model_path,
                                      const std::vector<std::vector<Tensor>>& input_sets,
                                      double timeout_s) {
  BackendRun run;
  for (size_t set = 0; set < input_sets.size(); ++set) {
    const std::string set_dir = scratch + "/test_data_set_" + std::to_string(set);
    nlohmann::json inputs = nlohmann::json::array();
    for (size_t j = 0; j < input_sets[set].size(); ++j) {
      const std::string path =
          scratch + "/input_" + std::to_string(set) + "_" + std::to_string(j) + ".npy";
      CC_RETURN_IF_ERROR(WriteNpy(path, input_sets[set][j]));
      inputs.push_back(path);
    }
    nlohmann::json call = request;
    call["op"] = "run";
    call["model"] = model_path;
    call["inputs"] = inputs;
    call["output_dir"] = set_dir;
    workers::Reply reply = worker.Call(call, timeout_s);
    if (reply.kind == workers::ReplyKind::kStartFailed) {
      return FailedPrecondition(engine + " worker: " + reply.detail);
    }
    if (reply.kind == workers::ReplyKind::kTimeout) {
      run.failure = oracle::Verdict::kRuntimeTimeout;
      run.message = engine + " gave no answer within " + std::to_string(timeout_s) +
                    " s (input set " + std::to_string(set) + ")";
      return run;
    }
    if (reply.kind != workers::ReplyKind::kAnswered) {
      run.failure = oracle::Verdict::kRuntimeCrash;
      run.stage = set == 0 && run.load_s == 0 ? "load" : "run";
      run.message = engine + " worker " + reply.detail;
      return run;
    }
    const nlohmann::json& r = reply.response;
    if (!r.value("ok", false)) {
      const nlohmann::json& error = r.contains("error") ? r["error"] : nlohmann::json::object();
      run.failure = oracle::Verdict::kRuntimeError;
      run.stage = error.value("stage", "");
      run.code = error.value("code", "UNKNOWN");
      run.message = error.value("message", engine + " failed without a message");
      return run;
    }
    if (r.contains("elapsed_s")) {
      run.load_s += r["elapsed_s"].value("load", 0.0);
      run.run_s += r["elapsed_s"].value("run", 0.0);
    }
    std::vector<Tensor> outputs;
    run.output_names.clear();
    for (const auto& out : r.value("outputs", nlohmann::json::array())) {
      CC_ASSIGN_OR_RETURN(Tensor t, ReadNpy(out.value("path", "")));
      outputs.push_back(std::move(t));
      run.output_names.push_back(out.value("name", ""));
    }
    run.outputs.push_back(std::move(outputs));
  }
  return run;
}

}  // namespace convcheck::backends
