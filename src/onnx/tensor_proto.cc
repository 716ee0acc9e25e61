#include "onnx/tensor_proto.h"

#include <climits>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "core/small_float.h"
#include "onnx/file_io.h"

namespace convcheck::onnxio {
namespace {

constexpr std::string_view kFileWhat = "tensor file";

std::string Label(const onnx::TensorProto& proto) {
  return proto.name().empty() ? "unnamed tensor" : "tensor '" + proto.name() + "'";
}

// Checks that a typed repeated field holds exactly `expected` values; `what` is "float32[2,3]".
template <typename Field>
Status CheckCount(const onnx::TensorProto& proto, std::string_view field_name, const Field& field,
                  int64_t expected, const std::string& what) {
  if (field.size() == expected) return Status::Ok();
  return DataLoss(Label(proto) + ": " + std::string(field_name) + " has " +
                  std::to_string(field.size()) + " values, expected " + std::to_string(expected) +
                  " for " + what);
}

// Copies a typed field into the tensor, converting each value with static_cast. The caller has
// checked the count.
template <typename T, typename Field>
void CopyField(const Field& field, Tensor& tensor) {
  T* out = tensor.MutableData<T>();
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<T>(field.Get(i));
}

// Bytes that `count` elements of a narrow type take packed (4-bit: two per byte, low nibble
// first; 2-bit: four per byte, lowest bits first).
int64_t PackedBytes(DataType dtype, int64_t count) {
  const int per_byte = 8 / SmallTypeBits(dtype);
  return count / per_byte + (count % per_byte != 0 ? 1 : 0);
}

// Unpacks `count` elements from packed bytes into one byte each; signed integers are sign
// extended, so the byte holds the value.
void UnpackNarrow(DataType dtype, const uint8_t* packed, int64_t count, Tensor& tensor) {
  const int bits = SmallTypeBits(dtype);
  const int per_byte = 8 / bits;
  const uint8_t mask = static_cast<uint8_t>((1u << bits) - 1);
  const bool sign_extend = dtype == DataType::kInt4 || dtype == DataType::kInt2;
  auto* out = static_cast<uint8_t*>(tensor.mutable_raw_data());
  for (int64_t i = 0; i < count; ++i) {
    uint8_t v = (packed[i / per_byte] >> (bits * (i % per_byte))) & mask;
    if (sign_extend && (v & (1u << (bits - 1)))) v |= static_cast<uint8_t>(~mask);
    out[i] = v;
  }
}

std::string PackNarrow(const Tensor& tensor) {
  const int bits = SmallTypeBits(tensor.dtype());
  const int per_byte = 8 / bits;
  const uint8_t mask = static_cast<uint8_t>((1u << bits) - 1);
  std::string packed(static_cast<size_t>(PackedBytes(tensor.dtype(), tensor.num_elements())), '\0');
  const auto* in = static_cast<const uint8_t*>(tensor.raw_data());
  for (int64_t i = 0; i < tensor.num_elements(); ++i) {
    packed[i / per_byte] = static_cast<char>(static_cast<uint8_t>(packed[i / per_byte]) |
                                             ((in[i] & mask) << (bits * (i % per_byte))));
  }
  return packed;
}

}  // namespace

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL || proto.external_data_size() > 0) {
    std::string location;
    for (const auto& entry : proto.external_data()) {
      if (entry.key() == "location") location = " (location '" + entry.value() + "')";
    }
    return Unimplemented(Label(proto) + ": external data is not supported" + location);
  }
  if (proto.has_segment()) {
    return Unimplemented(Label(proto) + ": segmented tensors are not supported");
  }

  const std::optional<DataType> dtype = DataTypeFromOnnxCode(proto.data_type());
  if (!dtype || *dtype == DataType::kUndefined) {
    return InvalidArgument(Label(proto) + ": data_type " + std::to_string(proto.data_type()) +
                           " is not supported");
  }
  Shape shape(proto.dims().begin(), proto.dims().end());
  // dims are untrusted: the product is overflow-checked, and below the data actually present is
  // compared with it before anything of that size is allocated.
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) {
      return InvalidArgument(Label(proto) + ": dims " + ShapeToString(shape) +
                             " has a negative dimension");
    }
    if (__builtin_mul_overflow(count, dim, &count)) {
      return InvalidArgument(Label(proto) + ": dims " + ShapeToString(shape) + " overflow int64");
    }
  }
  const std::string what =
      std::string(DataTypeName(*dtype)) + ShapeToString(shape);  // "float32[2,3]"

  if (*dtype == DataType::kString) {
    if (proto.has_raw_data()) {
      return InvalidArgument(Label(proto) + ": a string tensor cannot use raw_data");
    }
    if (proto.string_data_size() != count) {
      return DataLoss(Label(proto) + ": string_data has " +
                      std::to_string(proto.string_data_size()) + " values, expected " +
                      std::to_string(count) + " for " + what);
    }
    Tensor tensor(*dtype, std::move(shape));
    tensor.mutable_strings().assign(proto.string_data().begin(), proto.string_data().end());
    return tensor;
  }

  if (SmallTypeBits(*dtype) == 4 || SmallTypeBits(*dtype) == 2) {
    // Packed both in raw_data and in int32_data (one packed byte per int32).
    const int64_t expected = PackedBytes(*dtype, count);
    std::string bytes;
    if (proto.has_raw_data()) {
      bytes = proto.raw_data();
    } else {
      for (int32_t v : proto.int32_data()) bytes.push_back(static_cast<char>(v));
    }
    if (static_cast<int64_t>(bytes.size()) != expected) {
      return DataLoss(Label(proto) + ": " + (proto.has_raw_data() ? "raw_data" : "int32_data") +
                      " has " + std::to_string(bytes.size()) + " packed bytes, expected " +
                      std::to_string(expected) + " for " + what);
    }
    Tensor tensor(*dtype, std::move(shape));
    UnpackNarrow(*dtype, reinterpret_cast<const uint8_t*>(bytes.data()), count, tensor);
    return tensor;
  }

  if (proto.has_raw_data()) {
    const int64_t element_size = DataTypeSize(*dtype);
    int64_t expected = 0;
    if (__builtin_mul_overflow(count, element_size, &expected)) {
      return InvalidArgument(Label(proto) + ": dims " + ShapeToString(shape) + " overflow int64");
    }
    if (static_cast<int64_t>(proto.raw_data().size()) != expected) {
      return DataLoss(Label(proto) + ": raw_data has " + std::to_string(proto.raw_data().size()) +
                      " bytes, expected " + std::to_string(expected) + " for " + what);
    }
    Tensor tensor(*dtype, std::move(shape));
    // Raw data is little-endian, as is every host we build for (see core/npy.cc).
    std::memcpy(tensor.mutable_raw_data(), proto.raw_data().data(), proto.raw_data().size());
    if (*dtype == DataType::kBool) {
      auto* bytes = static_cast<uint8_t*>(tensor.mutable_raw_data());
      for (int64_t i = 0; i < tensor.byte_size(); ++i) bytes[i] = bytes[i] != 0 ? 1 : 0;
    }
    return tensor;
  }

  // Typed fields: compare the counts before allocating anything of size `count`.
  const bool complex = *dtype == DataType::kComplex64 || *dtype == DataType::kComplex128;
  if (complex && count > std::numeric_limits<int64_t>::max() / 2) {
    return InvalidArgument(Label(proto) + ": dims " + ShapeToString(shape) + " overflow int64");
  }
  const int64_t values = complex ? 2 * count : count;
  auto check = [&](std::string_view field_name, const auto& field) {
    return CheckCount(proto, field_name, field, values, what);
  };
  switch (*dtype) {
    case DataType::kFloat32:
    case DataType::kComplex64:
      CC_RETURN_IF_ERROR(check("float_data", proto.float_data()));
      break;
    case DataType::kFloat64:
    case DataType::kComplex128:
      CC_RETURN_IF_ERROR(check("double_data", proto.double_data()));
      break;
    case DataType::kInt64:
      CC_RETURN_IF_ERROR(check("int64_data", proto.int64_data()));
      break;
    case DataType::kUint32:
    case DataType::kUint64:
      CC_RETURN_IF_ERROR(check("uint64_data", proto.uint64_data()));
      break;
    default:
      CC_RETURN_IF_ERROR(check("int32_data", proto.int32_data()));
      break;
  }
  Tensor tensor(*dtype, std::move(shape));
  switch (*dtype) {
    case DataType::kFloat32:
      CopyField<float>(proto.float_data(), tensor);
      break;
    case DataType::kFloat64:
      CopyField<double>(proto.double_data(), tensor);
      break;
    case DataType::kComplex64:
      std::memcpy(tensor.mutable_raw_data(), proto.float_data().data(), tensor.byte_size());
      break;
    case DataType::kComplex128:
      std::memcpy(tensor.mutable_raw_data(), proto.double_data().data(), tensor.byte_size());
      break;
    case DataType::kInt64:
      CopyField<int64_t>(proto.int64_data(), tensor);
      break;
    case DataType::kUint32:
      CopyField<uint32_t>(proto.uint64_data(), tensor);
      break;
    case DataType::kUint64:
      CopyField<uint64_t>(proto.uint64_data(), tensor);
      break;
    case DataType::kInt8:
      CopyField<int8_t>(proto.int32_data(), tensor);
      break;
    case DataType::kInt16:
      CopyField<int16_t>(proto.int32_data(), tensor);
      break;
    case DataType::kInt32:
      CopyField<int32_t>(proto.int32_data(), tensor);
      break;
    case DataType::kUint8:
      CopyField<uint8_t>(proto.int32_data(), tensor);
      break;
    case DataType::kUint16:
      CopyField<uint16_t>(proto.int32_data(), tensor);
      break;
    case DataType::kBool: {
      auto* bytes = static_cast<uint8_t*>(tensor.mutable_raw_data());
      for (int i = 0; i < proto.int32_data_size(); ++i) bytes[i] = proto.int32_data(i) != 0;
      break;
    }
    // The low 16 bits of each int32 are the half or bfloat16 bit pattern.
    case DataType::kFloat16: {
      Float16* out = tensor.MutableData<Float16>();
      for (int i = 0; i < proto.int32_data_size(); ++i) {
        out[i].bits = static_cast<uint16_t>(proto.int32_data(i));
      }
      break;
    }
    case DataType::kBFloat16: {
      BFloat16* out = tensor.MutableData<BFloat16>();
      for (int i = 0; i < proto.int32_data_size(); ++i) {
        out[i].bits = static_cast<uint16_t>(proto.int32_data(i));
      }
      break;
    }
    default:
      if (SmallTypeBits(*dtype) == 8) {  // float8: one code per int32.
        auto* bytes = static_cast<uint8_t*>(tensor.mutable_raw_data());
        for (int i = 0; i < proto.int32_data_size(); ++i) {
          bytes[i] = static_cast<uint8_t>(proto.int32_data(i));
        }
        break;
      }
      CheckFailed(__FILE__, __LINE__, "dtype", "TensorFromProto: unhandled dtype");
  }
  return tensor;
}

onnx::TensorProto TensorToProto(const Tensor& tensor, const std::string& name) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(static_cast<int32_t>(tensor.dtype()));
  for (int64_t dim : tensor.shape()) proto.add_dims(dim);
  if (tensor.dtype() == DataType::kString) {
    for (const std::string& value : tensor.strings()) proto.add_string_data(value);
  } else if (SmallTypeBits(tensor.dtype()) == 4 || SmallTypeBits(tensor.dtype()) == 2) {
    proto.set_raw_data(PackNarrow(tensor));
  } else if (tensor.dtype() != DataType::kUndefined) {
    proto.set_raw_data(static_cast<const char*>(tensor.raw_data()),
                       static_cast<size_t>(tensor.byte_size()));
  }
  return proto;
}

StatusOr<onnx::TensorProto> ReadTensorProto(const std::string& path) {
  // protobuf cannot parse a message over 2 GiB.
  CC_ASSIGN_OR_RETURN(const std::string contents,
                      ReadWholeFile(kFileWhat, path, /*max_bytes=*/INT_MAX));
  if (contents.empty()) return InvalidArgument(FileErrorPrefix(kFileWhat, path) + "file is empty");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(contents.data(), static_cast<int>(contents.size()))) {
    return DataLoss(FileErrorPrefix(kFileWhat, path) +
                    "not a valid TensorProto (protobuf parse failed: truncated or corrupt file)");
  }
  return proto;
}

StatusOr<Tensor> ReadTensorPb(const std::string& path) {
  CC_ASSIGN_OR_RETURN(const onnx::TensorProto proto, ReadTensorProto(path));
  StatusOr<Tensor> tensor = TensorFromProto(proto);
  if (!tensor.ok()) return tensor.status().WithContext(FileLabel(kFileWhat, path));
  return tensor;
}

Status WriteTensorPb(const std::string& path, const Tensor& tensor, const std::string& name) {
  const onnx::TensorProto proto = TensorToProto(tensor, name);
  if (proto.ByteSizeLong() > static_cast<size_t>(INT_MAX)) {
    return ResourceExhausted(FileErrorPrefix(kFileWhat, path) + "tensor '" + name + "' is " +
                             std::to_string(proto.ByteSizeLong()) +
                             " bytes serialized, over protobuf's 2 GiB limit");
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) {
    return Internal(FileErrorPrefix(kFileWhat, path) + "protobuf serialization failed");
  }
  return WriteWholeFile(kFileWhat, path, bytes);
}

}  // namespace convcheck::onnxio
