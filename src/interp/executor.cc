#include "interp/executor.h"

#include <malloc.h>

#include <exception>
#include <filesystem>
#include <set>
#include <unordered_set>

#include "interp/kernels/common/gemm.h"
#include "interp/registry.h"
#include "onnx/mapped_model.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"

namespace convcheck::interp {
namespace {

bool IsFloat(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kFloat16 || t == DataType::kBFloat16;
}

std::string NodeLabel(const onnx::NodeProto& node, int index, int opset) {
  std::string name = node.name().empty() ? "#" + std::to_string(index) : "'" + node.name() + "'";
  std::string op = node.domain().empty() || node.domain() == "ai.onnx"
                       ? node.op_type()
                       : node.domain() + ":" + node.op_type();
  return "node " + name + " (" + op + ", opset " + std::to_string(opset) + ")";
}

// Names a graph reads from enclosing scopes: used by its nodes (or their subgraphs) but defined
// neither by its nodes, its inputs nor its initializers.
void CollectFreeNames(const onnx::GraphProto& graph, std::unordered_set<std::string>* free) {
  std::unordered_set<std::string> defined;
  for (const auto& in : graph.input()) defined.insert(in.name());
  for (const auto& init : graph.initializer()) defined.insert(init.name());
  for (const auto& node : graph.node()) {
    for (const auto& out : node.output()) defined.insert(out);
  }
  auto use = [&](const std::string& name) {
    if (!name.empty() && !defined.count(name)) free->insert(name);
  };
  for (const auto& node : graph.node()) {
    for (const auto& in : node.input()) use(in);
    for (const auto& attr : node.attribute()) {
      std::unordered_set<std::string> inner;
      if (attr.has_g()) CollectFreeNames(attr.g(), &inner);
      for (const auto& g : attr.graphs()) CollectFreeNames(g, &inner);
      for (const auto& name : inner) use(name);
    }
  }
  for (const auto& out : graph.output()) use(out.name());
}

int OpsetFor(const std::map<std::string, int>& opsets, const std::string& domain) {
  auto it = opsets.find(domain == "ai.onnx" ? "" : domain);
  return it == opsets.end() ? 1 : it->second;
}

// Every node's outputs are fresh tensors, freed a few nodes later. By default glibc hands freed
// memory back to the kernel (trimming the heap, unmapping chunks over its mmap threshold), so
// each run faulted in and zeroed its activations again: page faults were a tenth of
// mobilenet_v3_small's time. Freed memory is kept for reuse instead, process-wide (the ref
// backend runs in a child process of its own); allocations over 32 MB are still mapped.
void KeepFreedMemory() {
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)done;
}

// Float64 mode: float tensors, also inside sequences and optionals, become float64.
Value ToComputeType(const Value& v) {
  if (v.is_tensor()) {
    return IsFloat(v.tensor().dtype())
               ? Value::FromTensor(CastTensor(v.tensor(), DataType::kFloat64))
               : v;
  }
  if (v.is_sequence()) {
    std::vector<Tensor> items;
    for (const Tensor& t : v.sequence()) {
      items.push_back(IsFloat(t.dtype()) ? CastTensor(t, DataType::kFloat64) : t);
    }
    const DataType elem = v.sequence_elem_type();
    return Value::FromSequence(std::move(items), IsFloat(elem) ? DataType::kFloat64 : elem);
  }
  return v.has_element() ? Value::OptionalOf(ToComputeType(v.element())) : v;
}

// Float64 mode: float64 tensors of a graph output go back to the float type it declares, also
// inside sequences and optionals.
Value ToDeclaredType(const Value& v, const onnx::TypeProto& type) {
  if (v.is_tensor()) {
    const auto declared = static_cast<DataType>(type.tensor_type().elem_type());
    if (type.has_tensor_type() && IsFloat(declared) && v.tensor().dtype() == DataType::kFloat64) {
      return Value::FromTensor(CastTensor(v.tensor(), declared));
    }
    return v;
  }
  if (v.is_sequence()) {
    if (!type.has_sequence_type()) return v;
    const onnx::TypeProto& elem = type.sequence_type().elem_type();
    const auto declared = static_cast<DataType>(elem.tensor_type().elem_type());
    if (!elem.has_tensor_type() || !IsFloat(declared)) return v;
    std::vector<Tensor> items;
    for (const Tensor& t : v.sequence()) {
      items.push_back(t.dtype() == DataType::kFloat64 ? CastTensor(t, declared) : t);
    }
    return Value::FromSequence(std::move(items), declared);
  }
  if (!v.has_element() || !type.has_optional_type()) return v;
  return Value::OptionalOf(ToDeclaredType(v.element(), type.optional_type().elem_type()));
}

// A model above the declared range is refused as a whole, before any kernel is looked up: an
// operator that changed in a newer opset must never be run by the older kernel.
Status CheckOpsetRange(const std::map<std::string, int>& opsets) {
  auto it = opsets.find("");
  if (it == opsets.end()) return Status::Ok();
  if (it->second < kMinOpset || it->second > kMaxOpset) {
    return Unimplemented("unsupported opset: the model imports opset " +
                         std::to_string(it->second) +
                         " of the default ONNX domain; the reference interpreter supports opsets " +
                         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset));
  }
  return Status::Ok();
}

}  // namespace

const Value* Scope::Find(const std::string& name) const {
  for (const Scope* s = this; s; s = s->parent_) {
    auto it = s->values_.find(name);
    if (it != s->values_.end()) return &it->second;
    if (s->constants_) {
      auto c = s->constants_->find(name);
      if (c != s->constants_->end()) return &c->second;
    }
  }
  return nullptr;
}

Tensor CastTensor(const Tensor& tensor, DataType dtype) {
  if (tensor.dtype() == dtype) return tensor;
  Tensor out(dtype, tensor.shape());
  for (int64_t i = 0; i < tensor.num_elements(); ++i) out.SetFromDouble(i, tensor.GetAsDouble(i));
  return out;
}

StatusOr<std::unique_ptr<GraphRunner>> GraphRunner::Create(
    const onnx::GraphProto& graph, const std::map<std::string, int>& opsets, bool precise,
    std::unordered_map<std::string, Tensor> decoded) {
  std::unique_ptr<GraphRunner> runner(new GraphRunner(graph, opsets, precise));
  for (auto& [name, tensor] : decoded) {
    if (precise && IsFloat(tensor.dtype())) tensor = CastTensor(tensor, DataType::kFloat64);
    runner->initializers_[name] = Value::FromTensor(std::move(tensor));
  }
  CC_RETURN_IF_ERROR(runner->Init());
  return runner;
}

Status GraphRunner::Init() {
  const int n = graph_.node_size();
  for (const auto& init : graph_.initializer()) {
    if (initializers_.count(init.name())) continue;  // Decoded by CreateFromFile.
    StatusOr<Tensor> t = onnxio::TensorFromProto(init);
    if (!t.ok()) return t.status().WithContext("initializer '" + init.name() + "'");
    Tensor tensor = std::move(t).value();
    if (precise_ && IsFloat(tensor.dtype())) tensor = CastTensor(tensor, DataType::kFloat64);
    initializers_[init.name()] = Value::FromTensor(std::move(tensor));
  }
  for (const auto& [name, value] : initializers_) constants_.insert(&value);

  // Execution order: graph order where it is topological, deferring nodes whose inputs come
  // from later nodes. Names no node of this graph produces come from outside (inputs,
  // initializers, enclosing scopes).
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const auto& out : graph_.node(i).output()) {
      if (!out.empty()) producer[out] = i;
    }
  }
  std::vector<std::unordered_set<std::string>> free_names(n);
  for (int i = 0; i < n; ++i) {
    for (const auto& attr : graph_.node(i).attribute()) {
      if (attr.has_g()) CollectFreeNames(attr.g(), &free_names[i]);
      for (const auto& g : attr.graphs()) CollectFreeNames(g, &free_names[i]);
    }
  }
  auto uses = [&](int i) {
    std::vector<std::string> names;
    for (const auto& in : graph_.node(i).input()) {
      if (!in.empty()) names.push_back(in);
    }
    names.insert(names.end(), free_names[i].begin(), free_names[i].end());
    return names;
  };
  std::vector<bool> done(n, false);
  std::unordered_set<std::string> available;
  while (static_cast<int>(order_.size()) < n) {
    bool progress = false;
    for (int i = 0; i < n; ++i) {
      if (done[i]) continue;
      bool ready = true;
      for (const auto& name : uses(i)) {
        if (producer.count(name) && !available.count(name)) ready = false;
      }
      if (!ready) continue;
      done[i] = true;
      progress = true;
      order_.push_back(i);
      for (const auto& out : graph_.node(i).output()) available.insert(out);
    }
    if (!progress) {
      for (int i = 0; i < n; ++i) {
        if (!done[i]) {
          return InvalidArgument(NodeLabel(graph_.node(i), i, 0) +
                                 ": inputs form a cycle or come from no node");
        }
      }
    }
  }

  // Kernels, one per node.
  kernels_.resize(n);
  node_opset_.resize(n);
  for (int i = 0; i < n; ++i) {
    const onnx::NodeProto& node = graph_.node(i);
    const int opset = OpsetFor(opsets_, node.domain());
    node_opset_[i] = opset;
    const KernelDef* def = FindKernel(node.domain(), node.op_type(), opset);
    if (!def) {
      return Unimplemented(NodeLabel(node, i, opset) + ": operator " + node.op_type() +
                           " at opset " + std::to_string(opset) +
                           " is not supported by the reference interpreter");
    }
    kernels_[i] = def->factory();
  }

  // Release each value after its last use; graph outputs are never released.
  std::unordered_map<std::string, size_t> last_use;
  for (size_t p = 0; p < order_.size(); ++p) {
    for (const auto& name : uses(order_[p])) last_use[name] = p;
    // An output nobody reads is released right after it is made.
    for (const auto& out : graph_.node(order_[p]).output()) {
      if (!out.empty() && !last_use.count(out)) last_use[out] = p;
    }
  }
  std::unordered_set<std::string> keep;
  for (const auto& out : graph_.output()) keep.insert(out.name());
  release_after_.resize(order_.size());
  for (const auto& [name, p] : last_use) {
    if (!keep.count(name) && !initializers_.count(name)) release_after_[p].push_back(name);
  }
  return Status::Ok();
}

StatusOr<std::vector<Value>> GraphRunner::Run(const std::vector<Value>& inputs, const Scope* outer,
                                              const NodeObserver* observer) {
  // Initializers are searched after the graph's own values, so that inputs and computed values
  // shadow them, and nothing is copied per run.
  Scope scope(outer, &initializers_);
  for (size_t i = 0; i < inputs.size() && static_cast<int>(i) < graph_.input_size(); ++i) {
    scope.Set(graph_.input(static_cast<int>(i)).name(), inputs[i]);
  }
  const Scope* saved_scope = current_scope_;
  current_scope_ = &scope;
  struct Restore {
    GraphRunner* runner;
    const Scope* saved;
    ~Restore() { runner->current_scope_ = saved; }
  } restore{this, saved_scope};

  std::vector<const Value*> input_ptrs;
  for (size_t p = 0; p < order_.size(); ++p) {
    const int i = order_[p];
    const onnx::NodeProto& node = graph_.node(i);
    input_ptrs.clear();
    for (const auto& name : node.input()) {
      if (name.empty()) {
        input_ptrs.push_back(nullptr);
        continue;
      }
      const Value* v = scope.Find(name);
      if (!v) {
        return InvalidArgument(NodeLabel(node, i, node_opset_[i]) + ": input '" + name +
                               "' is not defined");
      }
      input_ptrs.push_back(v);
    }
    KernelContext ctx(node, node_opset_[i], input_ptrs, this, precise_);
    Status status;
    // Our code does not throw, but an allocation for a hostile shape can: keep it a Status.
    try {
      status = kernels_[i]->Prepare(ctx);
      if (status.ok()) status = kernels_[i]->Compute(ctx);
    } catch (const std::bad_alloc&) {
      status = ResourceExhausted("out of memory");
    } catch (const std::exception& e) {
      status = Internal(std::string("exception: ") + e.what());
    }
    if (!status.ok()) return status.WithContext(NodeLabel(node, i, node_opset_[i]));
    std::vector<Value>& outs = ctx.outputs();
    if (observer && *observer) (*observer)(node, outs);
    for (int k = 0; k < node.output_size(); ++k) {
      if (!node.output(k).empty()) scope.Set(node.output(k), std::move(outs[k]));
    }
    for (const auto& name : release_after_[p]) scope.Erase(name);
  }
  std::vector<Value> results;
  for (const auto& out : graph_.output()) {
    const Value* v = scope.Find(out.name());
    if (!v) return InvalidArgument("graph output '" + out.name() + "' is not computed by any node");
    results.push_back(*v);
  }
  return results;
}

StatusOr<std::vector<Value>> GraphRunner::RunSubgraph(const onnx::GraphProto& graph,
                                                      const std::vector<Value>& inputs) {
  auto it = subgraphs_.find(&graph);
  if (it == subgraphs_.end()) {
    CC_ASSIGN_OR_RETURN(std::unique_ptr<GraphRunner> runner, Create(graph, opsets_, precise_));
    runner->SetExecution(fast_kernels_, parallel_);
    it = subgraphs_.emplace(&graph, std::move(runner)).first;
  }
  return it->second->Run(inputs, current_scope_, nullptr);
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(const onnx::ModelProto& model,
                                                           const InterpreterOptions& options) {
  return Create(onnx::ModelProto(model), options);
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(onnx::ModelProto&& model,
                                                           const InterpreterOptions& options) {
  return CreateWithDecoded(std::move(model), options, {});
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::CreateFromFile(
    const std::string& path, const InterpreterOptions& options) {
  CC_ASSIGN_OR_RETURN(LoadedModel loaded, LoadFile(path));
  return Create(std::move(loaded), options);
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(LoadedModel&& loaded,
                                                           const InterpreterOptions& options) {
  return CreateWithDecoded(std::move(loaded.model), options, std::move(loaded.decoded));
}

StatusOr<LoadedModel> Interpreter::LoadFile(const std::string& path) {
  CC_ASSIGN_OR_RETURN(onnxio::MappedModel mapped, onnxio::LoadMappedModel(path));
  CC_RETURN_IF_ERROR(
      onnxio::LoadExternalData(std::filesystem::path(path).parent_path().string(), &mapped.model));
  // The one copy of the weights: from the mapping into the tensors.
  std::unordered_map<std::string, Tensor> decoded;
  for (const auto& init : mapped.model.graph().initializer()) {
    auto it = mapped.raw_data.find(init.name());
    if (it == mapped.raw_data.end()) continue;
    StatusOr<Tensor> t = onnxio::TensorFromMappedRawData(init, it->second);
    if (!t.ok()) return t.status().WithContext("initializer '" + init.name() + "'");
    decoded.emplace(init.name(), std::move(t).value());
  }
  mapped.raw_data.clear();
  mapped.file.reset();  // Unmapped: the tensors hold the weights now.
  return LoadedModel{std::move(mapped.model), std::move(decoded)};
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::CreateWithDecoded(
    onnx::ModelProto&& model, const InterpreterOptions& options,
    std::unordered_map<std::string, Tensor> decoded) {
  KeepFreedMemory();
  std::unique_ptr<Interpreter> interp(new Interpreter());
  interp->model_ = std::move(model);
  interp->options_ = options;
  std::map<std::string, int> opsets;
  for (const auto& op : interp->model_.opset_import()) {
    opsets[op.domain() == "ai.onnx" ? "" : op.domain()] = static_cast<int>(op.version());
  }
  CC_RETURN_IF_ERROR(CheckOpsetRange(opsets));
  const onnx::GraphProto& graph = interp->model_.graph();
  std::set<std::string> initialized;
  for (const auto& init : graph.initializer()) initialized.insert(init.name());
  for (const auto& in : graph.input()) {
    if (!initialized.count(in.name())) interp->input_names_.push_back(in.name());
  }
  for (const auto& out : graph.output()) {
    interp->output_names_.push_back(out.name());
    DataType declared = DataType::kUndefined;
    if (out.type().has_tensor_type()) {
      declared = static_cast<DataType>(out.type().tensor_type().elem_type());
    }
    interp->output_types_.push_back(declared);
  }
  CC_ASSIGN_OR_RETURN(interp->runner_,
                      GraphRunner::Create(graph, opsets, options.precise, std::move(decoded)));
  interp->pool_ = fast::MakeThreadPool(options.threads);
  interp->runner_->SetExecution(options.fast_kernels, fast::Parallel(interp->pool_.get()));
  // The runner decoded the top-level initializers into tensors; their encoded copy would only
  // double the weights' memory. Swapped out rather than cleared: Clear() keeps the buffers.
  google::protobuf::RepeatedPtrField<onnx::TensorProto> encoded;
  encoded.Swap(interp->model_.mutable_graph()->mutable_initializer());
  return interp;
}

StatusOr<std::vector<Value>> Interpreter::Run(const std::vector<Value>& inputs,
                                              const NodeObserver* observer) {
  if (inputs.size() != input_names_.size()) {
    std::string names;
    for (const auto& n : input_names_) names += (names.empty() ? "" : ", ") + n;
    return InvalidArgument("model has " + std::to_string(input_names_.size()) + " inputs (" +
                           names + ") but " + std::to_string(inputs.size()) + " were given");
  }
  // Bind by position over the formal inputs; initializer-backed inputs keep their initializer
  // unless a value is given for them (graph inputs shadow initializers in IR >= 4 semantics).
  const onnx::GraphProto& graph = model_.graph();
  std::vector<Value> bound;
  size_t next = 0;
  for (const auto& in : graph.input()) {
    if (next < input_names_.size() && in.name() == input_names_[next]) {
      Value v = inputs[next++];
      if (options_.precise) v = ToComputeType(v);
      bound.push_back(std::move(v));
    } else {
      break;  // The rest are initializer-backed: they resolve through the initializer scope.
    }
  }
  if (next != input_names_.size()) {
    // Non-initializer inputs after an initializer-backed one: bind through a wrapper graph
    // order. Rare (IR < 4 models); handled by giving every formal input a value.
    bound.clear();
    next = 0;
    std::set<std::string> given(input_names_.begin(), input_names_.end());
    for (const auto& in : graph.input()) {
      if (given.count(in.name())) {
        Value v = inputs[next++];
        if (options_.precise) v = ToComputeType(v);
        bound.push_back(std::move(v));
      } else {
        for (const auto& init : graph.initializer()) {
          if (init.name() == in.name()) {
            CC_ASSIGN_OR_RETURN(Tensor t, onnxio::TensorFromProto(init));
            if (options_.precise && IsFloat(t.dtype())) t = CastTensor(t, DataType::kFloat64);
            bound.push_back(Value::FromTensor(std::move(t)));
          }
        }
      }
    }
  }
  // OpenBLAS has one process-wide setting: set per run, so that interpreters with different
  // settings in one process each get their own.
  SetGemmThreads(options_.threads);
  CC_ASSIGN_OR_RETURN(std::vector<Value> outputs, runner_->Run(bound, nullptr, observer));
  if (options_.precise) {
    for (size_t k = 0; k < outputs.size() && static_cast<int>(k) < graph.output_size(); ++k) {
      outputs[k] = ToDeclaredType(outputs[k], graph.output(static_cast<int>(k)).type());
    }
  }
  return outputs;
}

}  // namespace convcheck::interp
