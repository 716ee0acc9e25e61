#include "onnx/mapped_model.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "onnx/file_io.h"
#include "onnx/model.h"

namespace convcheck::onnxio {
namespace {

constexpr std::string_view kWhat = "model";

// --- The protobuf wire format, as far as the scan needs it: fields are a varint tag
// (number << 3 | wire type) then a varint (0), 8 bytes (1), a varint length and that many
// bytes (2) or 4 bytes (5). Groups (3, 4) are not used by ONNX; a file with them is parsed whole.

bool ReadVarint(const char*& p, const char* end, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *value = v;
      return true;
    }
  }
  return false;
}

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

struct Field {
  uint32_t number = 0;
  int wire_type = 0;
  uint64_t varint = 0;       // Wire type 0.
  std::string_view payload;  // Wire type 2.
  std::string_view whole;    // Tag and value as stored.
};

// Reads the field at `p`; false on anything malformed or unsupported.
bool NextField(const char*& p, const char* end, Field* f) {
  const char* start = p;
  uint64_t tag;
  if (!ReadVarint(p, end, &tag) || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX) return false;
  f->number = static_cast<uint32_t>(tag >> 3);
  f->wire_type = static_cast<int>(tag & 7);
  switch (f->wire_type) {
    case 0:
      if (!ReadVarint(p, end, &f->varint)) return false;
      break;
    case 1:
      if (end - p < 8) return false;
      p += 8;
      break;
    case 2: {
      uint64_t length;
      if (!ReadVarint(p, end, &length) || length > static_cast<uint64_t>(end - p)) return false;
      f->payload = std::string_view(p, length);
      p += length;
      break;
    }
    case 5:
      if (end - p < 4) return false;
      p += 4;
      break;
    default:
      return false;
  }
  f->whole = std::string_view(start, static_cast<size_t>(p - start));
  return true;
}

void AppendMessage(std::string* out, uint32_t number, std::string_view message) {
  AppendVarint(out, (static_cast<uint64_t>(number) << 3) | 2);
  AppendVarint(out, message.size());
  out->append(message);
}

// The element types whose raw_data is their little-endian bytes as they are, which
// TensorFromMappedRawData copies as such (bool needs normalising, strings and the packed
// narrow types decoding: those stay in the proto).
bool PlainRawType(uint64_t data_type) {
  switch (static_cast<int>(data_type)) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::BFLOAT16:
      return true;
    default:
      return false;
  }
}

// TensorProto field numbers (onnx.proto3).
constexpr uint32_t kTensorDataType = 2, kTensorName = 8, kTensorRawData = 9,
                   kTensorDataLocation = 14;
constexpr uint32_t kGraphInitializer = 5, kModelGraph = 7;

class Stripper {
 public:
  // A TensorProto without its raw_data, when that can be cut out (else as it was).
  bool Tensor(std::string_view bytes, std::string* out) {
    std::optional<std::string_view> raw, name;
    uint64_t data_type = 0;
    bool external = false;
    std::string rest;
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (p < end) {
      Field f;
      if (!NextField(p, end, &f)) return false;
      if (f.number == kTensorRawData && f.wire_type == 2) {
        raw = f.payload;  // The last one wins, as in protobuf.
        continue;
      }
      if (f.number == kTensorName && f.wire_type == 2) name = f.payload;
      if (f.number == kTensorDataType && f.wire_type == 0) data_type = f.varint;
      if (f.number == kTensorDataLocation && f.wire_type == 0) external = f.varint != 0;
      rest.append(f.whole);
    }
    // A name twice would need protobuf's and the interpreter's rules for which one wins.
    if (name && !names_.insert(std::string(*name)).second) return false;
    if (!raw || !name || name->empty() || external || !PlainRawType(data_type)) {
      out->append(bytes);  // Kept whole: decoded from the proto as LoadModel's would be.
      return true;
    }
    raw_data.emplace(std::string(*name), *raw);
    out->append(rest);
    return true;
  }

  bool Graph(std::string_view bytes, std::string* out) {
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (p < end) {
      Field f;
      if (!NextField(p, end, &f)) return false;
      if (f.number == kGraphInitializer && f.wire_type == 2) {
        std::string tensor;
        if (!Tensor(f.payload, &tensor)) return false;
        AppendMessage(out, kGraphInitializer, tensor);
      } else {
        out->append(f.whole);
      }
    }
    return true;
  }

  bool Model(std::string_view bytes, std::string* out) {
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    int graphs = 0;
    while (p < end) {
      Field f;
      if (!NextField(p, end, &f)) return false;
      if (f.number == kModelGraph && f.wire_type == 2) {
        if (++graphs > 1) return false;  // Merged by protobuf; not worth following.
        std::string graph;
        if (!Graph(f.payload, &graph)) return false;
        AppendMessage(out, kModelGraph, graph);
      } else {
        out->append(f.whole);
      }
    }
    return true;
  }

  std::unordered_map<std::string, std::string_view> raw_data;

 private:
  std::unordered_set<std::string> names_;
};

}  // namespace

StatusOr<std::shared_ptr<const MappedFile>> MappedFile::Open(std::string_view what,
                                                             const std::string& path) {
  CC_ASSIGN_OR_RETURN(const uint64_t size, RegularFileSize(what, path));
  const std::string prefix = FileErrorPrefix(what, path);
  if (size == 0) return InvalidArgument(prefix + "file is empty");
  if (size > static_cast<uint64_t>(INT_MAX)) {
    return ResourceExhausted(prefix + "file is " + std::to_string(size) +
                             " bytes, over protobuf's 2 GiB limit (large models must keep their "
                             "weights in ONNX external data files)");
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound(prefix + std::strerror(errno));
  void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int mmap_errno = errno;
  close(fd);
  if (data == MAP_FAILED) {
    return Internal(prefix + "cannot map the file: " + std::strerror(mmap_errno));
  }
  // Read front to back, once: ask for read-ahead.
  madvise(data, size, MADV_SEQUENTIAL | MADV_WILLNEED);
  return std::shared_ptr<const MappedFile>(new MappedFile(data, size));
}

MappedFile::~MappedFile() { munmap(data_, size_); }

StatusOr<MappedModel> LoadMappedModel(const std::string& path) {
  CC_ASSIGN_OR_RETURN(std::shared_ptr<const MappedFile> file, MappedFile::Open(kWhat, path));
  Stripper stripper;
  std::string stripped;
  if (!stripper.Model(file->bytes(), &stripped)) {
    // Not something the scan follows: LoadModel's parse, with LoadModel's verdict.
    CC_ASSIGN_OR_RETURN(onnx::ModelProto model, LoadModel(path));
    return MappedModel{std::move(model), {}, nullptr};
  }
  MappedModel mapped;
  const std::string prefix = FileErrorPrefix(kWhat, path);
  if (!mapped.model.ParseFromArray(stripped.data(), static_cast<int>(stripped.size()))) {
    return DataLoss(prefix +
                    "not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
  }
  // LoadModel's checks of what parsed.
  if (!mapped.model.has_graph()) return InvalidArgument(prefix + "model has no graph");
  if (mapped.model.graph().node_size() == 0 && mapped.model.graph().output_size() == 0) {
    return InvalidArgument(prefix + "model graph has no nodes and no outputs (truncated file?)");
  }
  mapped.raw_data = std::move(stripper.raw_data);
  mapped.file = std::move(file);
  return mapped;
}

StatusOr<Tensor> TensorFromMappedRawData(const onnx::TensorProto& proto, std::string_view bytes) {
  const std::string label = "tensor '" + proto.name() + "'";
  const std::optional<DataType> dtype = DataTypeFromOnnxCode(proto.data_type());
  if (!dtype || !PlainRawType(static_cast<uint64_t>(proto.data_type()))) {
    return InvalidArgument(label + ": data_type " + std::to_string(proto.data_type()) +
                           " cannot be read from mapped raw data");
  }
  Shape shape(proto.dims().begin(), proto.dims().end());
  int64_t expected = DataTypeSize(*dtype);
  for (int64_t dim : shape) {
    if (dim < 0 || __builtin_mul_overflow(expected, dim, &expected)) {
      return InvalidArgument(label + ": dims " + ShapeToString(shape) +
                             " are negative or overflow int64");
    }
  }
  if (static_cast<int64_t>(bytes.size()) != expected) {
    return DataLoss(label + ": raw_data has " + std::to_string(bytes.size()) + " bytes, expected " +
                    std::to_string(expected) + " for " + std::string(DataTypeName(*dtype)) +
                    ShapeToString(shape));
  }
  Tensor tensor(*dtype, std::move(shape));
  // Little-endian, as every host we build for (see core/npy.cc).
  std::memcpy(tensor.mutable_raw_data(), bytes.data(), bytes.size());
  return tensor;
}

}  // namespace convcheck::onnxio
