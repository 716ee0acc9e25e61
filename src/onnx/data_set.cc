#include "onnx/data_set.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "onnx/file_io.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"

namespace convcheck::onnxio {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSetPrefix = "test_data_set_";

// N if `name` is exactly prefix + decimal digits + suffix ("input_12.pb" -> 12).
std::optional<int64_t> NumberedName(std::string_view name, std::string_view prefix,
                                    std::string_view suffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return std::nullopt;
  const std::string_view digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// The entries of `dir`. Uses the error_code overloads throughout: the range-for form of
// directory_iterator throws on I/O errors, and our code does not throw.
Status ListDirectory(const fs::path& dir, std::string_view label, std::vector<fs::path>& files,
                     std::vector<fs::path>& dirs) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      dirs.push_back(it->path());
    } else {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return InvalidArgument(std::string(label) + " '" + dir.string() +
                           "': cannot list: " + ec.message());
  }
  return Status::Ok();
}

// The ONNX tests store sequence and optional values as SequenceProto/OptionalProto in the same
// input_K.pb files, and nothing in the bytes says which message it is; parsed as a TensorProto
// they give nonsense. When decoding fails, the model next to the data tells us whether the
// value was a tensor at all. Returns "sequence", "optional", "map" or "sparse_tensor" for such
// a value, or nullopt (a tensor, or no model to ask).
std::optional<std::string> NonTensorKind(const fs::path& case_dir, std::string_view kind,
                                         size_t index) {
  StatusOr<onnx::ModelProto> model = LoadModel((case_dir / "model.onnx").string());
  if (!model.ok()) return std::nullopt;
  const onnx::GraphProto& graph = model->graph();
  std::set<std::string> initializers;
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    initializers.insert(initializer.name());
  }
  std::vector<const onnx::ValueInfoProto*> values;
  for (const onnx::ValueInfoProto& value : kind == "input" ? graph.input() : graph.output()) {
    if (!initializers.contains(value.name())) values.push_back(&value);
  }
  if (index >= values.size()) return std::nullopt;
  switch (values[index]->type().value_case()) {
    case onnx::TypeProto::kSequenceType:
      return "sequence";
    case onnx::TypeProto::kOptionalType:
      return "optional";
    case onnx::TypeProto::kMapType:
      return "map";
    case onnx::TypeProto::kSparseTensorType:
      return "sparse_tensor";
    default:
      return std::nullopt;
  }
}

// Reads `<kind>_K.pb` for K = 0..n-1 from `set_dir`.
Status ReadTensors(const fs::path& set_dir, const std::vector<int64_t>& sorted_indices,
                   std::string_view kind, std::vector<Tensor>& tensors,
                   std::vector<std::string>& names) {
  for (size_t i = 0; i < sorted_indices.size(); ++i) {
    const std::string file_name = std::string(kind) + "_" + std::to_string(i) + ".pb";
    if (sorted_indices[i] != static_cast<int64_t>(i)) {
      return InvalidArgument("data set '" + set_dir.string() + "': " + file_name +
                             " is missing but " + std::string(kind) + "_" +
                             std::to_string(sorted_indices[i]) + ".pb exists");
    }
    const std::string path = (set_dir / file_name).string();
    StatusOr<onnx::TensorProto> proto = ReadTensorProto(path);
    StatusOr<Tensor> tensor =
        proto.ok() ? TensorFromProto(*proto) : StatusOr<Tensor>(proto.status());
    if (!tensor.ok()) {
      if (std::optional<std::string> other = NonTensorKind(set_dir.parent_path(), kind, i)) {
        return Unimplemented(FileErrorPrefix("tensor file", path) + "the model's " +
                             std::string(kind) + " " + std::to_string(i) + " is of type " + *other +
                             ", only tensor data is supported");
      }
      return proto.ok() ? tensor.status().WithContext(FileLabel("tensor file", path))
                        : tensor.status();
    }
    tensors.push_back(std::move(tensor).value());
    names.push_back(proto->name());
  }
  return Status::Ok();
}

Status WriteTensors(const fs::path& set_dir, std::string_view kind,
                    const std::vector<Tensor>& tensors, const std::vector<std::string>& names) {
  if (!names.empty() && names.size() != tensors.size()) {
    return InvalidArgument("data set '" + set_dir.string() + "': " +
                           std::to_string(tensors.size()) + " " + std::string(kind) + "s but " +
                           std::to_string(names.size()) + " " + std::string(kind) + " names");
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const fs::path path = set_dir / (std::string(kind) + "_" + std::to_string(i) + ".pb");
    CC_RETURN_IF_ERROR(WriteTensorPb(path.string(), tensors[i], names.empty() ? "" : names[i]));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<DataSet>> ReadDataSets(const std::string& case_dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(case_dir, ec);
  if (!fs::exists(status)) return NotFound("case directory '" + case_dir + "': no such directory");
  if (!fs::is_directory(status)) {
    return InvalidArgument("case directory '" + case_dir + "': is not a directory");
  }
  std::vector<fs::path> files;
  std::vector<fs::path> dirs;
  CC_RETURN_IF_ERROR(ListDirectory(case_dir, "case directory", files, dirs));
  std::vector<std::pair<int64_t, fs::path>> set_dirs;
  for (const fs::path& dir : dirs) {
    if (std::optional<int64_t> index = NumberedName(dir.filename().string(), kSetPrefix, "")) {
      set_dirs.emplace_back(*index, dir);
    }
  }
  if (set_dirs.empty()) {
    return NotFound("case directory '" + case_dir + "': no test_data_set_N directories");
  }
  std::sort(set_dirs.begin(), set_dirs.end());

  std::vector<DataSet> sets;
  for (const auto& [unused_index, set_dir] : set_dirs) {
    std::vector<int64_t> input_indices;
    std::vector<int64_t> output_indices;
    std::vector<fs::path> set_files;
    std::vector<fs::path> set_subdirs;
    CC_RETURN_IF_ERROR(ListDirectory(set_dir, "data set", set_files, set_subdirs));
    for (const fs::path& file : set_files) {
      const std::string name = file.filename().string();
      if (std::optional<int64_t> k = NumberedName(name, "input_", ".pb"))
        input_indices.push_back(*k);
      if (std::optional<int64_t> k = NumberedName(name, "output_", ".pb")) {
        output_indices.push_back(*k);
      }
    }
    std::sort(input_indices.begin(), input_indices.end());
    std::sort(output_indices.begin(), output_indices.end());
    DataSet set;
    CC_RETURN_IF_ERROR(ReadTensors(set_dir, input_indices, "input", set.inputs, set.input_names));
    CC_RETURN_IF_ERROR(
        ReadTensors(set_dir, output_indices, "output", set.outputs, set.output_names));
    sets.push_back(std::move(set));
  }
  return sets;
}

Status WriteDataSet(const std::string& case_dir, int index, const DataSet& set) {
  CC_CHECK_MSG(index >= 0, "WriteDataSet: negative data set index");
  const fs::path set_dir = fs::path(case_dir) / (std::string(kSetPrefix) + std::to_string(index));
  std::error_code ec;
  fs::create_directories(set_dir, ec);
  if (ec) {
    return InvalidArgument("data set '" + set_dir.string() + "': cannot create: " + ec.message());
  }
  // Stale tensors from an earlier, larger set would otherwise be read back as part of this one.
  std::vector<fs::path> files;
  std::vector<fs::path> dirs;
  CC_RETURN_IF_ERROR(ListDirectory(set_dir, "data set", files, dirs));
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    if (!NumberedName(name, "input_", ".pb") && !NumberedName(name, "output_", ".pb")) continue;
    if (!fs::remove(file, ec) && ec) {
      return InvalidArgument("data set '" + set_dir.string() + "': cannot remove " + name + ": " +
                             ec.message());
    }
  }
  CC_RETURN_IF_ERROR(WriteTensors(set_dir, "input", set.inputs, set.input_names));
  return WriteTensors(set_dir, "output", set.outputs, set.output_names);
}

}  // namespace convcheck::onnxio
