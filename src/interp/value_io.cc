#include "interp/value_io.h"

#include <onnx/onnx-data.pb.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "onnx/file_io.h"
#include "onnx/tensor_proto.h"

namespace convcheck::interp {
namespace {

namespace fs = std::filesystem;

// Test data files are small; a limit keeps a hostile file from exhausting memory.
constexpr int64_t kMaxValueFileBytes = int64_t{1} << 31;

StatusOr<Value> FromSequenceProto(const onnx::SequenceProto& seq, const std::string& path) {
  if (seq.elem_type() != onnx::SequenceProto::TENSOR &&
      seq.elem_type() != onnx::SequenceProto::UNDEFINED) {
    return Unimplemented("value file '" + path + "': sequences of non-tensors are not supported");
  }
  std::vector<Tensor> items;
  for (const auto& t : seq.tensor_values()) {
    StatusOr<Tensor> item = onnxio::TensorFromProto(t);
    if (!item.ok()) return item.status().WithContext("value file '" + path + "'");
    items.push_back(std::move(item).value());
  }
  return Value::FromSequence(std::move(items), DataType::kUndefined);
}

StatusOr<Value> FromOptionalProto(const onnx::OptionalProto& opt, const std::string& path) {
  switch (opt.elem_type()) {
    case onnx::OptionalProto::TENSOR: {
      StatusOr<Tensor> t = onnxio::TensorFromProto(opt.tensor_value());
      if (!t.ok()) return t.status().WithContext("value file '" + path + "'");
      return Value::OptionalOf(Value::FromTensor(std::move(t).value()));
    }
    case onnx::OptionalProto::SEQUENCE: {
      CC_ASSIGN_OR_RETURN(Value seq, FromSequenceProto(opt.sequence_value(), path));
      return Value::OptionalOf(std::move(seq));
    }
    case onnx::OptionalProto::UNDEFINED:
      return Value::EmptyOptional();
    default:
      return Unimplemented("value file '" + path + "': optional of this kind is not supported");
  }
}

// "test_data_set_12" -> 12, or -1.
int SuffixNumber(const std::string& name, const std::string& prefix, const std::string& suffix) {
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + suffix.size()) return -1;
  if (name.substr(name.size() - suffix.size()) != suffix) return -1;
  std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return -1;
  return std::stoi(digits);
}

}  // namespace

StatusOr<Value> ReadValuePb(const std::string& path, const onnx::TypeProto* type) {
  if (!type || type->has_tensor_type() || type->value_case() == onnx::TypeProto::VALUE_NOT_SET) {
    CC_ASSIGN_OR_RETURN(Tensor t, onnxio::ReadTensorPb(path));
    // onnx before 1.13 had no numpy bfloat16 and wrote bfloat16 test data as uint16 holding the
    // bit patterns (Debian's libonnx-testdata has such files): read them as what the model
    // declares.
    if (type && type->has_tensor_type() &&
        type->tensor_type().elem_type() == static_cast<int32_t>(DataType::kBFloat16) &&
        t.dtype() == DataType::kUint16) {
      Tensor bf(DataType::kBFloat16, t.shape());
      std::memcpy(bf.mutable_raw_data(), t.raw_data(), static_cast<size_t>(t.byte_size()));
      t = std::move(bf);
    }
    return Value::FromTensor(std::move(t));
  }
  CC_ASSIGN_OR_RETURN(std::string bytes,
                      onnxio::ReadWholeFile("value file", path, kMaxValueFileBytes));
  if (type->has_sequence_type()) {
    onnx::SequenceProto seq;
    if (!seq.ParseFromString(bytes)) {
      return DataLoss("value file '" + path + "': not a valid SequenceProto");
    }
    CC_ASSIGN_OR_RETURN(Value v, FromSequenceProto(seq, path));
    // An empty sequence carries no element type of its own: take the declared one.
    if (v.sequence().empty() && type->sequence_type().elem_type().has_tensor_type()) {
      v = Value::FromSequence(
          {}, static_cast<DataType>(type->sequence_type().elem_type().tensor_type().elem_type()));
    }
    return v;
  }
  if (type->has_optional_type()) {
    onnx::OptionalProto opt;
    if (!opt.ParseFromString(bytes)) {
      return DataLoss("value file '" + path + "': not a valid OptionalProto");
    }
    return FromOptionalProto(opt, path);
  }
  return Unimplemented("value file '" + path + "': maps and sparse tensors are not supported");
}

StatusOr<std::vector<ValueDataSet>> ReadValueDataSets(const std::string& case_dir,
                                                      const onnx::ModelProto& model) {
  std::set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  std::vector<const onnx::ValueInfoProto*> inputs, outputs;
  for (const auto& in : model.graph().input()) {
    if (!initializers.count(in.name())) inputs.push_back(&in);
  }
  for (const auto& out : model.graph().output()) outputs.push_back(&out);

  std::error_code ec;
  if (!fs::is_directory(case_dir, ec)) {
    return NotFound("data directory '" + case_dir + "': no such directory");
  }
  std::vector<std::pair<int, std::string>> set_dirs;
  for (const auto& entry : fs::directory_iterator(case_dir, ec)) {
    int n = SuffixNumber(entry.path().filename().string(), "test_data_set_", "");
    if (n >= 0 && entry.is_directory()) set_dirs.emplace_back(n, entry.path().string());
  }
  if (set_dirs.empty()) {
    return NotFound("data directory '" + case_dir + "': no test_data_set_N folders");
  }
  std::sort(set_dirs.begin(), set_dirs.end());
  std::vector<ValueDataSet> sets;
  for (const auto& [n, dir] : set_dirs) {
    ValueDataSet set;
    std::vector<std::pair<int, std::string>> in_files, out_files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      int k = SuffixNumber(name, "input_", ".pb");
      if (k >= 0) in_files.emplace_back(k, entry.path().string());
      k = SuffixNumber(name, "output_", ".pb");
      if (k >= 0) out_files.emplace_back(k, entry.path().string());
    }
    std::sort(in_files.begin(), in_files.end());
    std::sort(out_files.begin(), out_files.end());
    for (size_t k = 0; k < in_files.size(); ++k) {
      const onnx::TypeProto* type = k < inputs.size() ? &inputs[k]->type() : nullptr;
      CC_ASSIGN_OR_RETURN(Value v, ReadValuePb(in_files[k].second, type));
      set.inputs.push_back(std::move(v));
    }
    for (size_t k = 0; k < out_files.size(); ++k) {
      const onnx::TypeProto* type = k < outputs.size() ? &outputs[k]->type() : nullptr;
      CC_ASSIGN_OR_RETURN(Value v, ReadValuePb(out_files[k].second, type));
      set.outputs.push_back(std::move(v));
      set.output_names.push_back(k < outputs.size() ? outputs[k]->name()
                                                    : "output_" + std::to_string(k));
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

std::vector<Tensor> FlattenValues(const std::vector<Value>& values,
                                  const std::vector<std::string>& names,
                                  std::vector<std::string>* flat_names) {
  std::vector<Tensor> flat;
  for (size_t k = 0; k < values.size(); ++k) {
    const std::string name = k < names.size() ? names[k] : "output_" + std::to_string(k);
    const Value* v = &values[k];
    std::string suffix;
    if (v->is_optional()) {
      if (!v->has_element()) continue;
      v = &v->element();
    }
    if (v->is_tensor()) {
      flat.push_back(v->tensor());
      if (flat_names) flat_names->push_back(name);
    } else {
      for (size_t i = 0; i < v->sequence().size(); ++i) {
        flat.push_back(v->sequence()[i]);
        if (flat_names) flat_names->push_back(name + "[" + std::to_string(i) + "]");
      }
    }
  }
  return flat;
}

}  // namespace convcheck::interp
