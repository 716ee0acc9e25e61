//===- core/dtype.h - Element types and shapes ----------------------------===//
//
// The element types convcheck moves between converters, runtimes and files. The numeric codes are
// those of onnx.TensorProto.DataType, so a code read from a model or a worker's JSON can be cast
// directly; names are NumPy's spelling ("float32", "bool"), which is what the Python workers and
// .npy headers speak.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_DTYPE_H_
#define CONVCHECK_CORE_DTYPE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace convcheck {

/// Same codes as onnx.TensorProto.DataType. Codes 17-26 are newer than onnx 1.12's protobuf
/// classes (the field is an int32, so they still parse); see core/small_float.h.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUint4 = 21,
  kInt4 = 22,
  kFloat4E2M1 = 23,
  kFloat8E8M0 = 24,
  kUint2 = 25,
  kInt2 = 26,
};

/// "float32", "float64", "float16", "bfloat16", "int8".."int64", "uint8".."uint64", "bool",
/// "string", "complex64", "complex128", and ml_dtypes' names for the narrow types
/// ("float8_e4m3fn", "int4", ...); "undefined" for kUndefined and for codes outside the enum.
std::string_view DataTypeName(DataType dtype);

/// Inverse of DataTypeName ("undefined" maps to kUndefined); nullopt for any other name.
std::optional<DataType> DataTypeFromName(std::string_view name);

/// The DataType with this ONNX code, or nullopt if the code is not one of the enumerators.
std::optional<DataType> DataTypeFromOnnxCode(int32_t code);

/// Bytes per element in a Tensor; 0 for kString (variable length) and kUndefined. bool and the
/// narrow types (float8, float4, 4- and 2-bit integers) take one byte each.
int64_t DataTypeSize(DataType dtype);

/// float16, bfloat16, float32, float64.
bool IsFloatingPoint(DataType dtype);

/// Signed and unsigned integers of every width; not bool.
bool IsInteger(DataType dtype);

/// Dimensions, outermost first; rank 0 (empty) is a scalar.
using Shape = std::vector<int64_t>;

/// Product of the dimensions; 1 for a scalar, 0 if any dimension is 0.
int64_t NumElements(const Shape& shape);

/// "[1,3,224,224]"; "[]" for a scalar.
std::string ShapeToString(const Shape& shape);

}  // namespace convcheck

#endif  // CONVCHECK_CORE_DTYPE_H_
