#include "core/dtype.h"

#include <array>
#include <utility>

namespace convcheck {
namespace {

struct DataTypeInfo {
  DataType dtype;
  std::string_view name;
  int64_t size;
};

constexpr std::array<DataTypeInfo, 27> kDataTypes = {{
    {DataType::kUndefined, "undefined", 0},
    {DataType::kFloat32, "float32", 4},
    {DataType::kUint8, "uint8", 1},
    {DataType::kInt8, "int8", 1},
    {DataType::kUint16, "uint16", 2},
    {DataType::kInt16, "int16", 2},
    {DataType::kInt32, "int32", 4},
    {DataType::kInt64, "int64", 8},
    {DataType::kString, "string", 0},
    {DataType::kBool, "bool", 1},
    {DataType::kFloat16, "float16", 2},
    {DataType::kFloat64, "float64", 8},
    {DataType::kUint32, "uint32", 4},
    {DataType::kUint64, "uint64", 8},
    {DataType::kComplex64, "complex64", 8},
    {DataType::kComplex128, "complex128", 16},
    {DataType::kBFloat16, "bfloat16", 2},
    {DataType::kFloat8E4M3FN, "float8_e4m3fn", 1},
    {DataType::kFloat8E4M3FNUZ, "float8_e4m3fnuz", 1},
    {DataType::kFloat8E5M2, "float8_e5m2", 1},
    {DataType::kFloat8E5M2FNUZ, "float8_e5m2fnuz", 1},
    {DataType::kUint4, "uint4", 1},
    {DataType::kInt4, "int4", 1},
    {DataType::kFloat4E2M1, "float4_e2m1fn", 1},
    {DataType::kFloat8E8M0, "float8_e8m0fnu", 1},
    {DataType::kUint2, "uint2", 1},
    {DataType::kInt2, "int2", 1},
}};

// The table is indexed by code; this keeps an edit to one of them from silently breaking that.
constexpr bool TableMatchesCodes() {
  for (size_t i = 0; i < kDataTypes.size(); ++i) {
    if (static_cast<size_t>(kDataTypes[i].dtype) != i) return false;
  }
  return true;
}
static_assert(TableMatchesCodes());

const DataTypeInfo& Info(DataType dtype) {
  auto code = static_cast<int32_t>(dtype);
  if (code < 0 || code >= static_cast<int32_t>(kDataTypes.size())) return kDataTypes[0];
  return kDataTypes[code];
}

}  // namespace

std::string_view DataTypeName(DataType dtype) { return Info(dtype).name; }

std::optional<DataType> DataTypeFromName(std::string_view name) {
  for (const DataTypeInfo& info : kDataTypes) {
    if (info.name == name) return info.dtype;
  }
  return std::nullopt;
}

std::optional<DataType> DataTypeFromOnnxCode(int32_t code) {
  if (code < 0 || code >= static_cast<int32_t>(kDataTypes.size())) return std::nullopt;
  return kDataTypes[code].dtype;
}

int64_t DataTypeSize(DataType dtype) { return Info(dtype).size; }

bool IsFloatingPoint(DataType dtype) {
  return dtype == DataType::kFloat16 || dtype == DataType::kBFloat16 ||
         dtype == DataType::kFloat32 || dtype == DataType::kFloat64;
}

bool IsInteger(DataType dtype) {
  switch (dtype) {
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kUint8:
    case DataType::kUint16:
    case DataType::kUint32:
    case DataType::kUint64:
      return true;
    default:
      return false;
  }
}

int64_t NumElements(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::string ShapeToString(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(shape[i]);
  }
  out += ']';
  return out;
}

}  // namespace convcheck
