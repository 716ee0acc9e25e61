#include "core/npy.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace convcheck {
namespace {

// The data is copied byte for byte; a big-endian host would need swapping on both paths.
static_assert(std::endian::native == std::endian::little, "npy I/O assumes a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";
// numpy pads the header so the data starts on a 64-byte boundary (ARRAY_ALIGN).
constexpr size_t kHeaderAlign = 64;

std::string Prefix(const std::string& path) { return "npy file '" + path + "': "; }

Status ErrnoStatus(const std::string& path, std::string_view action, int error) {
  std::string message = Prefix(path) + std::string(action) + ": " + std::strerror(error);
  if (error == ENOENT) return NotFound(std::move(message));
  if (error == ENOSPC) return ResourceExhausted(std::move(message));
  return InvalidArgument(std::move(message));
}

//===----------------------------------------------------------------------===//
// Header dictionary: a Python literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//===----------------------------------------------------------------------===//

struct PyValue {
  enum class Kind { kString, kBool, kInt, kTuple, kList, kNone };
  Kind kind = Kind::kNone;
  std::string text;
  bool boolean = false;
  int64_t integer = 0;
  std::vector<PyValue> items;
};

// Recursive descent over the subset of Python literal syntax that numpy writes. On failure
// error_ holds a description with the offset.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  bool ParseDict(std::vector<std::pair<std::string, PyValue>>& entries) {
    if (!Consume('{')) return Fail("expected '{'");
    while (true) {
      SkipSpace();
      if (Consume('}')) return true;
      PyValue key;
      if (!ParseValue(key, /*depth=*/0)) return false;
      if (key.kind != PyValue::Kind::kString) return Fail("dictionary key is not a string");
      if (!Consume(':')) return Fail("expected ':'");
      PyValue value;
      if (!ParseValue(value, /*depth=*/0)) return false;
      entries.emplace_back(std::move(key.text), std::move(value));
      if (Consume(',')) continue;
      if (Consume('}')) return true;
      return Fail("expected ',' or '}'");
    }
  }

  const std::string& error() const { return error_; }

 private:
  bool ParseValue(PyValue& value, int depth) {
    // Nesting deeper than a few levels is not something numpy writes; the cap keeps a hostile
    // header from exhausting the stack.
    if (depth > 16) return Fail("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Fail("unexpected end");
    const char c = text_[pos_];
    if (c == '\'' || c == '"') return ParseString(value);
    if (c == '(' || c == '[') return ParseSequence(value, depth);
    if (c == '-' || (c >= '0' && c <= '9')) return ParseInt(value);
    for (auto [word, kind, boolean] : {std::tuple{"True", PyValue::Kind::kBool, true},
                                       std::tuple{"False", PyValue::Kind::kBool, false},
                                       std::tuple{"None", PyValue::Kind::kNone, false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::strlen(word);
        value.kind = kind;
        value.boolean = boolean;
        return true;
      }
    }
    return Fail(std::string("unexpected character '") + c + "'");
  }

  bool ParseString(PyValue& value) {
    const char quote = text_[pos_++];
    value.kind = PyValue::Kind::kString;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\') return Fail("escape sequences are not supported");
      value.text += text_[pos_++];
    }
    if (pos_ >= text_.size()) return Fail("unterminated string");
    ++pos_;
    return true;
  }

  bool ParseInt(PyValue& value) {
    const size_t start = pos_;
    bool negative = Consume('-');
    int64_t result = 0;
    size_t digits = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (__builtin_mul_overflow(result, 10, &result) ||
          __builtin_add_overflow(result, text_[pos_] - '0', &result)) {
        pos_ = start;
        return Fail("integer too large");
      }
      ++pos_;
      ++digits;
    }
    // Python 2 era files may write shapes as "3L".
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    if (digits == 0) return Fail("expected digits");
    value.kind = PyValue::Kind::kInt;
    value.integer = negative ? -result : result;
    return true;
  }

  bool ParseSequence(PyValue& value, int depth) {
    const char close = text_[pos_] == '(' ? ')' : ']';
    value.kind = close == ')' ? PyValue::Kind::kTuple : PyValue::Kind::kList;
    ++pos_;
    while (true) {
      SkipSpace();
      if (Consume(close)) return true;
      PyValue item;
      if (!ParseValue(item, depth + 1)) return false;
      value.items.push_back(std::move(item));
      if (Consume(',')) continue;
      if (Consume(close)) return true;
      return Fail(std::string("expected ',' or '") + close + "'");
    }
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Fail(std::string what) {
    if (error_.empty()) error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

//===----------------------------------------------------------------------===//
// dtype strings
//===----------------------------------------------------------------------===//

struct NpyType {
  std::string_view code;  // Kind letter and size, without the byte-order mark.
  DataType dtype;
};

constexpr NpyType kNpyTypes[] = {
    {"f2", DataType::kFloat16}, {"f4", DataType::kFloat32}, {"f8", DataType::kFloat64},
    {"i1", DataType::kInt8},    {"i2", DataType::kInt16},   {"i4", DataType::kInt32},
    {"i8", DataType::kInt64},   {"u1", DataType::kUint8},   {"u2", DataType::kUint16},
    {"u4", DataType::kUint32},  {"u8", DataType::kUint64},  {"b1", DataType::kBool},
};

std::optional<DataType> DataTypeFromDescr(std::string_view descr) {
  if (descr.size() < 2) return std::nullopt;
  const char order = descr[0];
  const std::string_view code = descr.substr(1);
  for (const NpyType& type : kNpyTypes) {
    if (type.code != code) continue;
    // Byte order is meaningless for one-byte types, so every mark is valid for them ('|' is what
    // numpy writes). Wider types must be little-endian: '<', or '=' (native) written by a
    // little-endian machine, which is the only kind numpy users still have.
    if (DataTypeSize(type.dtype) == 1) {
      if (order == '<' || order == '>' || order == '=' || order == '|') return type.dtype;
    } else if (order == '<' || order == '=') {
      return type.dtype;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> DescrFromDataType(DataType dtype) {
  for (const NpyType& type : kNpyTypes) {
    if (type.dtype == dtype) {
      return (DataTypeSize(dtype) == 1 ? "|" : "<") + std::string(type.code);
    }
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Tensor> ReadNpy(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return NotFound(Prefix(path) + "no such file");
  if (fs::is_directory(status)) return InvalidArgument(Prefix(path) + "is a directory");
  const uintmax_t file_size = fs::file_size(path, ec);
  if (ec) return InvalidArgument(Prefix(path) + "cannot get size: " + ec.message());

  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(path, "cannot open", errno);

  // Preamble: magic, major, minor, then a 2-byte (v1) or 4-byte (v2, v3) header length.
  constexpr size_t kFixed = 8;
  if (file_size < kFixed + 2) {
    return DataLoss(Prefix(path) + "truncated (file has " + std::to_string(file_size) +
                    " bytes, less than the smallest npy preamble)");
  }
  unsigned char fixed[kFixed];
  in.read(reinterpret_cast<char*>(fixed), kFixed);
  if (std::string_view(reinterpret_cast<char*>(fixed), kMagic.size()) != kMagic) {
    return InvalidArgument(Prefix(path) + "not a .npy file (bad magic)");
  }
  const int major = fixed[6];
  const int minor = fixed[7];
  if (major < 1 || major > 3) {
    return Unimplemented(Prefix(path) + "npy format version " + std::to_string(major) + "." +
                         std::to_string(minor) + " is not supported");
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (file_size < kFixed + length_bytes) {
    return DataLoss(Prefix(path) + "truncated (file ends inside the header length)");
  }
  unsigned char length_le[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(length_le), static_cast<std::streamsize>(length_bytes));
  const uint64_t header_length = length_le[0] | (length_le[1] << 8) |
                                 (static_cast<uint64_t>(length_le[2]) << 16) |
                                 (static_cast<uint64_t>(length_le[3]) << 24);
  const uint64_t data_offset = kFixed + length_bytes + header_length;
  if (data_offset > file_size) {
    return DataLoss(Prefix(path) + "truncated (header says the header is " +
                    std::to_string(header_length) + " bytes, file has " +
                    std::to_string(file_size - kFixed - length_bytes) + " after the preamble)");
  }
  std::string header(header_length, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_length));
  if (!in) return ErrnoStatus(path, "cannot read", errno);

  std::vector<std::pair<std::string, PyValue>> entries;
  HeaderParser parser(header);
  if (!parser.ParseDict(entries)) {
    return InvalidArgument(Prefix(path) + "malformed header: " + parser.error());
  }
  const PyValue* descr = nullptr;
  const PyValue* fortran_order = nullptr;
  const PyValue* shape_value = nullptr;
  for (const auto& [key, value] : entries) {
    if (key == "descr") descr = &value;
    if (key == "fortran_order") fortran_order = &value;
    if (key == "shape") shape_value = &value;
  }
  if (descr == nullptr || fortran_order == nullptr || shape_value == nullptr) {
    return InvalidArgument(Prefix(path) +
                           "malformed header: needs 'descr', 'fortran_order' and 'shape'");
  }
  if (descr->kind != PyValue::Kind::kString) {
    // A list here is a structured dtype such as [('x', '<f4'), ('y', '<i4')].
    return Unimplemented(Prefix(path) + "structured dtypes are not supported");
  }
  if (fortran_order->kind != PyValue::Kind::kBool) {
    return InvalidArgument(Prefix(path) + "malformed header: 'fortran_order' is not True/False");
  }
  if (shape_value->kind != PyValue::Kind::kTuple) {
    return InvalidArgument(Prefix(path) + "malformed header: 'shape' is not a tuple");
  }
  Shape shape;
  for (const PyValue& dim : shape_value->items) {
    if (dim.kind != PyValue::Kind::kInt || dim.integer < 0) {
      return InvalidArgument(Prefix(path) + "malformed header: 'shape' has an entry that is " +
                             "not a non-negative integer");
    }
    shape.push_back(dim.integer);
  }
  // For rank 0 and 1 both orders describe the same bytes.
  if (fortran_order->boolean && shape.size() > 1) {
    return Unimplemented(Prefix(path) + "fortran_order is not supported");
  }
  const std::optional<DataType> dtype = DataTypeFromDescr(descr->text);
  if (!dtype) return Unimplemented(Prefix(path) + "dtype '" + descr->text + "' is not supported");

  // Compare against the file size before allocating, so a lying header cannot make us reserve
  // terabytes; the multiplication itself is checked for the same reason.
  uint64_t data_bytes = static_cast<uint64_t>(DataTypeSize(*dtype));
  for (int64_t dim : shape) {
    if (__builtin_mul_overflow(data_bytes, static_cast<uint64_t>(dim), &data_bytes)) {
      return InvalidArgument(Prefix(path) + "shape " + ShapeToString(shape) + " is too large");
    }
  }
  const uint64_t available = file_size - data_offset;
  if (available < data_bytes) {
    return DataLoss(Prefix(path) + "truncated (header says " + std::to_string(data_bytes) +
                    " bytes of data, file has " + std::to_string(available) + ")");
  }

  Tensor tensor(*dtype, std::move(shape));
  in.read(static_cast<char*>(tensor.mutable_raw_data()),
          static_cast<std::streamsize>(tensor.byte_size()));
  if (!in) return ErrnoStatus(path, "cannot read", errno);
  if (*dtype == DataType::kBool) {
    // Data<bool> hands out bool lvalues, which must hold exactly 0 or 1.
    auto* bytes = static_cast<uint8_t*>(tensor.mutable_raw_data());
    for (int64_t i = 0; i < tensor.byte_size(); ++i) bytes[i] = bytes[i] != 0 ? 1 : 0;
  }
  return tensor;
}

Status WriteNpy(const std::string& path, const Tensor& tensor) {
  const std::optional<std::string> descr = DescrFromDataType(tensor.dtype());
  if (!descr) {
    return Unimplemented(Prefix(path) + "cannot write a " +
                         std::string(DataTypeName(tensor.dtype())) +
                         " tensor (npy has no standard encoding for it)");
  }
  std::string dict = "{'descr': '" + *descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape().size(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(tensor.shape()[i]);
  }
  // A one-element tuple needs its trailing comma in Python syntax.
  dict += tensor.shape().size() == 1 ? ",), }" : "), }";

  // Pad with spaces and end with '\n' so the data starts on a 64-byte boundary.
  auto padded_length = [&](size_t preamble) {
    const size_t unpadded = preamble + dict.size() + 1;
    return dict.size() + 1 + (kHeaderAlign - unpadded % kHeaderAlign) % kHeaderAlign;
  };
  int major = 1;
  size_t header_length = padded_length(10);
  if (header_length > 0xffff) {
    major = 2;
    header_length = padded_length(12);
  }
  std::string out(kMagic);
  out += static_cast<char>(major);
  out += '\0';
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) {
    out += static_cast<char>((header_length >> (8 * i)) & 0xff);
  }
  out += dict;
  out.append(header_length - dict.size() - 1, ' ');
  out += '\n';

  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return ErrnoStatus(path, "cannot open for writing", errno);
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  file.write(static_cast<const char*>(tensor.raw_data()),
             static_cast<std::streamsize>(tensor.byte_size()));
  file.close();
  if (!file) return ErrnoStatus(path, "cannot write", errno);
  return Status::Ok();
}

}  // namespace convcheck
