//===- onnx/tensor_proto.h - onnx::TensorProto <-> Tensor -----------------===//
//
// TensorProto is how ONNX stores initializers and how the backend test data (input_0.pb,
// output_0.pb) stores tensors. A producer may put the elements in raw_data (little-endian bytes)
// or in one of the typed repeated fields, whose choice depends on the dtype:
//
//   float32, complex64 (re, im pairs)               float_data
//   float64, complex128 (re, im pairs)              double_data
//   int8 int16 int32 uint8 uint16 bool float16 bf16 int32_data (float16/bf16 as their bits)
//   int64                                           int64_data
//   uint32 uint64                                   uint64_data
//   string                                          string_data
//
// We read all of them and always write raw_data (string_data for strings), as onnx.numpy_helper
// does.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ONNX_TENSOR_PROTO_H_
#define CONVCHECK_ONNX_TENSOR_PROTO_H_

#include <string>

#include "core/status.h"
#include "core/tensor.h"
#include "onnx/onnx_pb.h"

namespace convcheck::onnxio {

/// Decodes `proto`. Errors name the tensor ("tensor 'w': ..." or "unnamed tensor: ..."):
///   Unimplemented    external data, segments
///   InvalidArgument  undefined or unknown data_type, negative dims, raw_data on a string tensor
///   DataLoss         element count of raw_data or the typed field does not match dims
StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto);

/// Encodes `tensor` named `name`: raw_data for every numeric type and bool, string_data for
/// strings.
onnx::TensorProto TensorToProto(const Tensor& tensor, const std::string& name);

/// Reads a serialized TensorProto file without decoding it (callers that need the name).
/// Errors start with "tensor file '<path>': " ("no such file", "file is empty", "not a valid
/// TensorProto (...)").
StatusOr<onnx::TensorProto> ReadTensorProto(const std::string& path);

/// ReadTensorProto then TensorFromProto; decoding errors are prefixed with the file too.
StatusOr<Tensor> ReadTensorPb(const std::string& path);

/// Writes TensorToProto(tensor, name) to `path`.
Status WriteTensorPb(const std::string& path, const Tensor& tensor, const std::string& name);

}  // namespace convcheck::onnxio

#endif  // CONVCHECK_ONNX_TENSOR_PROTO_H_
