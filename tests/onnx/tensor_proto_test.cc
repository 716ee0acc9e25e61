#include "onnx/tensor_proto.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <complex>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace convcheck::onnxio {
namespace {

namespace fs = std::filesystem;

class TensorProtoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "convcheck_tensor_pb_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

bool SameTensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  if (a.dtype() == DataType::kString) return a.strings() == b.strings();
  return a.byte_size() == b.byte_size() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<size_t>(a.byte_size())) == 0;
}

// A tensor of `dtype` and `shape` with distinct, type-appropriate values.
Tensor Sample(DataType dtype, const Shape& shape) {
  Tensor tensor(dtype, shape);
  if (dtype == DataType::kString) {
    for (int64_t i = 0; i < tensor.num_elements(); ++i) {
      tensor.mutable_strings()[i] = "s" + std::to_string(i) + std::string("\0x", 2);
    }
    return tensor;
  }
  auto* bytes = static_cast<uint8_t*>(tensor.mutable_raw_data());
  for (int64_t i = 0; i < tensor.byte_size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
  if (dtype == DataType::kBool) {
    for (int64_t i = 0; i < tensor.byte_size(); ++i) bytes[i] = i % 3 == 0;
  }
  return tensor;
}

constexpr DataType kAllDtypes[] = {
    DataType::kFloat32, DataType::kUint8,     DataType::kInt8,       DataType::kUint16,
    DataType::kInt16,   DataType::kInt32,     DataType::kInt64,      DataType::kString,
    DataType::kBool,    DataType::kFloat16,   DataType::kFloat64,    DataType::kUint32,
    DataType::kUint64,  DataType::kComplex64, DataType::kComplex128, DataType::kBFloat16,
};

TEST_F(TensorProtoTest, RoundTripEveryDtype) {
  for (DataType dtype : kAllDtypes) {
    for (const Shape& shape : {Shape{}, Shape{3}, Shape{2, 3}, Shape{0, 4}}) {
      SCOPED_TRACE(std::string(DataTypeName(dtype)) + ShapeToString(shape));
      const Tensor tensor = Sample(dtype, shape);
      onnx::TensorProto proto = TensorToProto(tensor, "t");
      EXPECT_EQ(proto.name(), "t");
      EXPECT_EQ(proto.data_type(), static_cast<int>(dtype));
      EXPECT_EQ(proto.has_raw_data(), dtype != DataType::kString);
      StatusOr<Tensor> back = TensorFromProto(proto);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(SameTensor(tensor, *back)) << back->DebugString();

      const std::string path = Path("t.pb");
      ASSERT_TRUE(WriteTensorPb(path, tensor, "t").ok());
      StatusOr<Tensor> from_file = ReadTensorPb(path);
      ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
      EXPECT_TRUE(SameTensor(tensor, *from_file));
    }
  }
}

onnx::TensorProto Typed(onnx::TensorProto::DataType dtype, std::initializer_list<int64_t> dims) {
  onnx::TensorProto proto;
  proto.set_name("w");
  proto.set_data_type(dtype);
  for (int64_t dim : dims) proto.add_dims(dim);
  return proto;
}

TEST_F(TensorProtoTest, DecodesTypedFields) {
  onnx::TensorProto floats = Typed(onnx::TensorProto::FLOAT, {2});
  floats.add_float_data(1.5f);
  floats.add_float_data(-2.0f);
  StatusOr<Tensor> t = TensorFromProto(floats);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->DebugString(), "float32[2] {1.5, -2}");

  // float16 values live in int32_data as their bit patterns.
  onnx::TensorProto halves = Typed(onnx::TensorProto::FLOAT16, {3});
  for (int bits : {0x3C00, 0xC000, 0x7C00}) halves.add_int32_data(bits);
  t = TensorFromProto(halves);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->DebugString(), "float16[3] {1, -2, inf}");
  EXPECT_EQ(t->Data<Float16>()[1].bits, 0xC000);

  onnx::TensorProto bf16 = Typed(onnx::TensorProto::BFLOAT16, {1});
  bf16.add_int32_data(0x3F80);
  t = TensorFromProto(bf16);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->GetAsDouble(0), 1.0);

  onnx::TensorProto bools = Typed(onnx::TensorProto::BOOL, {3});
  for (int v : {1, 0, 1}) bools.add_int32_data(v);
  t = TensorFromProto(bools);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->DebugString(), "bool[3] {true, false, true}");

  onnx::TensorProto int8s = Typed(onnx::TensorProto::INT8, {2});
  int8s.add_int32_data(-128);
  int8s.add_int32_data(127);
  t = TensorFromProto(int8s);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->DebugString(), "int8[2] {-128, 127}");

  onnx::TensorProto uint16s = Typed(onnx::TensorProto::UINT16, {1});
  uint16s.add_int32_data(65535);
  t = TensorFromProto(uint16s);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Data<uint16_t>()[0], 65535);

  onnx::TensorProto int64s = Typed(onnx::TensorProto::INT64, {2, 1});
  int64s.add_int64_data(int64_t{1} << 40);
  int64s.add_int64_data(-3);
  t = TensorFromProto(int64s);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->DebugString(), "int64[2,1] {1099511627776, -3}");

  onnx::TensorProto uint32s = Typed(onnx::TensorProto::UINT32, {1});
  uint32s.add_uint64_data(4000000000u);
  t = TensorFromProto(uint32s);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Data<uint32_t>()[0], 4000000000u);

  onnx::TensorProto uint64s = Typed(onnx::TensorProto::UINT64, {1});
  uint64s.add_uint64_data(~uint64_t{0});
  t = TensorFromProto(uint64s);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Data<uint64_t>()[0], ~uint64_t{0});

  onnx::TensorProto doubles = Typed(onnx::TensorProto::DOUBLE, {});
  doubles.add_double_data(0.1);
  t = TensorFromProto(doubles);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Data<double>()[0], 0.1);

  // Complex values are (real, imaginary) pairs in float_data.
  onnx::TensorProto complex = Typed(onnx::TensorProto::COMPLEX64, {1});
  complex.add_float_data(1.0f);
  complex.add_float_data(-2.0f);
  t = TensorFromProto(complex);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Data<std::complex<float>>()[0], std::complex<float>(1, -2));

  onnx::TensorProto strings = Typed(onnx::TensorProto::STRING, {2});
  strings.add_string_data("hello");
  strings.add_string_data("");
  t = TensorFromProto(strings);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->strings(), (std::vector<std::string>{"hello", ""}));
}

TEST_F(TensorProtoTest, Errors) {
  onnx::TensorProto few = Typed(onnx::TensorProto::FLOAT, {2, 3});
  few.add_float_data(1.0f);
  StatusOr<Tensor> t = TensorFromProto(few);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(t.status().message(),
            "tensor 'w': float_data has 1 values, expected 6 for float32[2,3]");

  onnx::TensorProto raw = Typed(onnx::TensorProto::FLOAT, {2, 3});
  raw.set_raw_data(std::string(12, '\0'));
  t = TensorFromProto(raw);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(t.status().message(),
            "tensor 'w': raw_data has 12 bytes, expected 24 for float32[2,3]");

  onnx::TensorProto empty = Typed(onnx::TensorProto::INT64, {4});
  empty.set_name("");
  t = TensorFromProto(empty);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "unnamed tensor: int64_data has 0 values, expected 4 for int64[4]");

  onnx::TensorProto external = Typed(onnx::TensorProto::FLOAT, {2});
  external.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* entry = external.add_external_data();
  entry->set_key("location");
  entry->set_value("weights.bin");
  t = TensorFromProto(external);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(t.status().message(),
            "tensor 'w': external data is not supported (location 'weights.bin')");

  onnx::TensorProto undefined = Typed(onnx::TensorProto::UNDEFINED, {1});
  t = TensorFromProto(undefined);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(), "tensor 'w': data_type 0 is not supported");

  onnx::TensorProto unknown = Typed(onnx::TensorProto::FLOAT, {1});
  unknown.set_data_type(99);
  EXPECT_EQ(TensorFromProto(unknown).status().code(), StatusCode::kInvalidArgument);

  onnx::TensorProto negative = Typed(onnx::TensorProto::FLOAT, {2, -1});
  t = TensorFromProto(negative);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "tensor 'w': dims [2,-1] has a negative dimension");

  // A huge shape with a little data must fail on the count, not try to allocate.
  onnx::TensorProto huge = Typed(onnx::TensorProto::DOUBLE, {1 << 20, 1 << 20});
  huge.set_raw_data(std::string(8, '\0'));
  t = TensorFromProto(huge);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(
      t.status().message(),
      "tensor 'w': raw_data has 8 bytes, expected 8796093022208 for float64[1048576,1048576]");
  huge.clear_raw_data();
  huge.add_double_data(1.0);
  EXPECT_EQ(TensorFromProto(huge).status().code(), StatusCode::kDataLoss);
  onnx::TensorProto overflow = Typed(onnx::TensorProto::FLOAT, {1 << 30, 1 << 30, 1 << 30});
  t = TensorFromProto(overflow);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("overflow"), std::string::npos);

  onnx::TensorProto raw_strings = Typed(onnx::TensorProto::STRING, {1});
  raw_strings.set_raw_data("abc");
  EXPECT_EQ(TensorFromProto(raw_strings).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TensorProtoTest, FileErrorsNameTheFile) {
  const std::string missing = Path("missing.pb");
  StatusOr<Tensor> t = ReadTensorPb(missing);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.status().message(), "tensor file '" + missing + "': no such file");

  const std::string corrupt = Path("corrupt.pb");
  std::ofstream(corrupt, std::ios::binary) << "\xff\xff\xff\xff garbage";
  t = ReadTensorPb(corrupt);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(t.status().message(),
            "tensor file '" + corrupt +
                "': not a valid TensorProto (protobuf parse failed: truncated or corrupt file)");

  const std::string bad_count = Path("bad_count.pb");
  onnx::TensorProto proto = Typed(onnx::TensorProto::FLOAT, {3});
  proto.add_float_data(1.0f);
  std::ofstream(bad_count, std::ios::binary) << proto.SerializeAsString();
  t = ReadTensorPb(bad_count);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "tensor file '" + bad_count +
                                      "': tensor 'w': float_data has 1 values, expected 3 for "
                                      "float32[3]");

  EXPECT_EQ(ReadTensorPb(dir_.string()).status().message(),
            "tensor file '" + dir_.string() + "': is a directory");
  EXPECT_FALSE(WriteTensorPb(Path("no/such/dir.pb"), Tensor(DataType::kFloat32, {1}), "x").ok());
}

bool PythonHasOnnx() {
  return std::system("/usr/bin/python3 -c 'import onnx, numpy' >/dev/null 2>&1") == 0;
}

TEST_F(TensorProtoTest, InteroperatesWithOnnxPython) {
  if (!PythonHasOnnx()) GTEST_SKIP() << "/usr/bin/python3 cannot import onnx";
  // Python writes typed fields (raw=False) and raw data; we read both.
  const std::string d = dir_.string();
  const std::string script =
      "import numpy as np, onnx; from onnx import helper, numpy_helper, TensorProto as T; d = '" +
      d +
      "'\n"
      "def save(name, t): open(d + '/' + name, 'wb').write(t.SerializeToString())\n"
      "save('f16.pb', helper.make_tensor('h', T.FLOAT16, [2], np.array([1.0, -0.5], "
      "np.float16)))\n"
      "save('i64.pb', numpy_helper.from_array(np.array([[1, -2]], np.int64), 'i'))\n"
      "save('s.pb', numpy_helper.from_array(np.array([b'ab', b'c'], object), 's'))\n"
      "save('b.pb', helper.make_tensor('b', T.BOOL, [2], [True, False]))\n";
  ASSERT_EQ(std::system(("/usr/bin/python3 -c \"" + script + "\"").c_str()), 0);

  StatusOr<Tensor> t = ReadTensorPb(d + "/f16.pb");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->DebugString(), "float16[2] {1, -0.5}");
  t = ReadTensorPb(d + "/i64.pb");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->DebugString(), "int64[1,2] {1, -2}");
  t = ReadTensorPb(d + "/s.pb");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->DebugString(), "string[2] {\"ab\", \"c\"}");
  t = ReadTensorPb(d + "/b.pb");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->DebugString(), "bool[2] {true, false}");

  // And onnx.numpy_helper reads what we write.
  ASSERT_TRUE(
      WriteTensorPb(d + "/ours.pb", Tensor::FromVector<Float16>({2}, {{0x3C00}, {0xB800}}), "ours")
          .ok());
  const std::string check =
      "import numpy as np, onnx; from onnx import numpy_helper; t = onnx.TensorProto(); "
      "t.ParseFromString(open('" +
      d +
      "/ours.pb', 'rb').read()); a = numpy_helper.to_array(t); "
      "assert t.name == 'ours' and a.dtype == np.float16 and a.tolist() == [1.0, -0.5], a";
  EXPECT_EQ(std::system(("/usr/bin/python3 -c \"" + check + "\"").c_str()), 0);
}

}  // namespace
}  // namespace convcheck::onnxio

namespace convcheck::onnxio {
namespace {

// int4 packs two elements per byte, low nibble first; an odd count leaves the last high nibble 0.
TEST(NarrowTensorProtoTest, Int4RawDataUnpacksAndRepacks) {
  onnx::TensorProto proto;
  proto.set_data_type(22);  // INT4
  proto.add_dims(3);
  proto.set_raw_data(std::string("\x8F\x07", 2));  // -1, -8, 7
  StatusOr<Tensor> t = TensorFromProto(proto);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->dtype(), DataType::kInt4);
  EXPECT_EQ(t->GetAsDouble(0), -1);
  EXPECT_EQ(t->GetAsDouble(1), -8);
  EXPECT_EQ(t->GetAsDouble(2), 7);
  EXPECT_EQ(TensorToProto(*t, "x").raw_data(), proto.raw_data());
}

TEST(NarrowTensorProtoTest, PackedCountIsChecked) {
  onnx::TensorProto proto;
  proto.set_data_type(25);  // UINT2: four per byte, so 5 elements need 2 bytes.
  proto.add_dims(5);
  proto.set_raw_data(std::string("\x1B", 1));
  StatusOr<Tensor> t = TensorFromProto(proto);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("has 1 packed bytes, expected 2"), std::string::npos);
}

TEST(NarrowTensorProtoTest, Float8FromInt32Data) {
  onnx::TensorProto proto;
  proto.set_data_type(17);  // FLOAT8E4M3FN, one code per int32.
  proto.add_dims(2);
  proto.add_int32_data(0x38);  // 1.0
  proto.add_int32_data(0xC0);  // -2.0
  StatusOr<Tensor> t = TensorFromProto(proto);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->GetAsDouble(0), 1.0);
  EXPECT_EQ(t->GetAsDouble(1), -2.0);
}

}  // namespace
}  // namespace convcheck::onnxio
