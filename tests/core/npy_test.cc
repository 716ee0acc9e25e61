#include "core/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace convcheck {
namespace {

namespace fs = std::filesystem;

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "convcheck_npy_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void WriteBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }

  // A hand-made .npy: preamble of format `major`.0, then `dict` padded to 64 bytes, then `data`.
  std::string MakeNpy(const std::string& dict, const std::string& data, int major = 1) {
    const size_t preamble = major == 1 ? 10 : 12;
    std::string header = dict;
    while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += '\x00';
    for (size_t i = 0; i < preamble - 8; ++i) out += static_cast<char>(header.size() >> (8 * i));
    return out + header + data;
  }

  fs::path dir_;
};

bool SameContents(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && a.byte_size() == b.byte_size() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<size_t>(a.byte_size())) == 0;
}

TEST_F(NpyTest, RoundTripEveryDtypeAndRank) {
  const DataType dtypes[] = {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16,
                             DataType::kInt8,    DataType::kInt16,   DataType::kInt32,
                             DataType::kInt64,   DataType::kUint8,   DataType::kUint16,
                             DataType::kUint32,  DataType::kUint64,  DataType::kBool};
  const Shape shapes[] = {{}, {5}, {2, 3}, {2, 1, 3}, {1, 2, 3, 2}, {0}, {3, 0, 2}};
  for (DataType dtype : dtypes) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(std::string(DataTypeName(dtype)) + ShapeToString(shape));
      Tensor tensor(dtype, shape);
      for (int64_t i = 0; i < tensor.num_elements(); ++i) {
        tensor.SetFromDouble(i, dtype == DataType::kBool ? i % 2 : static_cast<double>(i * 3 + 1));
      }
      const std::string path = Path("t.npy");
      ASSERT_TRUE(WriteNpy(path, tensor).ok());
      // The header is padded so the data starts on a 64-byte boundary.
      EXPECT_EQ((fs::file_size(path) - tensor.byte_size()) % 64, 0u);
      StatusOr<Tensor> read = ReadNpy(path);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      EXPECT_TRUE(SameContents(tensor, *read)) << read->DebugString();
    }
  }
}

TEST_F(NpyTest, WriteRejectsTypesWithoutNpyEncoding) {
  for (DataType dtype : {DataType::kBFloat16, DataType::kString, DataType::kComplex64}) {
    Status status = WriteNpy(Path("x.npy"), Tensor(dtype, {1}));
    EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
    EXPECT_NE(status.message().find(std::string(DataTypeName(dtype))), std::string::npos)
        << status.message();
  }
  Status status = WriteNpy(Path("no_such_dir/x.npy"), Tensor(DataType::kFloat32, {1}));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("no_such_dir/x.npy"), std::string::npos);
}

TEST_F(NpyTest, MissingFile) {
  const std::string path = Path("missing.npy");
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read.status().message(), "npy file '" + path + "': no such file");
}

TEST_F(NpyTest, Directory) {
  StatusOr<Tensor> read = ReadNpy(dir_.string());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "npy file '" + dir_.string() + "': is a directory");
}

TEST_F(NpyTest, TruncatedData) {
  const std::string path = Path("short.npy");
  WriteBytes(path, MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                           std::string(12, '\0')));
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(read.status().message(),
            "npy file '" + path + "': truncated (header says 24 bytes of data, file has 12)");
}

TEST_F(NpyTest, TruncatedHeader) {
  const std::string path = Path("header.npy");
  WriteBytes(
      path, MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "").substr(0, 30));
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(read.status().message().find("truncated"), std::string::npos);

  WriteBytes(path, "\x93NUM");
  read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
}

TEST_F(NpyTest, FortranOrder) {
  const std::string path = Path("f.npy");
  WriteBytes(path, MakeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                           std::string(16, '\0')));
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(read.status().message(), "npy file '" + path + "': fortran_order is not supported");

  // With rank 1 both orders are the same bytes.
  WriteBytes(path, MakeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }",
                           std::string(16, '\0')));
  EXPECT_TRUE(ReadNpy(path).ok());
}

TEST_F(NpyTest, UnsupportedDtypes) {
  const std::string path = Path("d.npy");
  for (std::string descr : {">f4", "<c8", "|O", "<U3", "|f4", "<f16", "<M8[ns]"}) {
    WriteBytes(path, MakeNpy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }",
                             std::string(16, '\0')));
    StatusOr<Tensor> read = ReadNpy(path);
    ASSERT_FALSE(read.ok()) << descr;
    EXPECT_EQ(read.status().code(), StatusCode::kUnimplemented);
    EXPECT_EQ(read.status().message(),
              "npy file '" + path + "': dtype '" + descr + "' is not supported");
  }
  WriteBytes(path, MakeNpy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                           std::string(4, '\0')));
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("structured"), std::string::npos);
}

TEST_F(NpyTest, ByteOrderMarks) {
  const std::string path = Path("b.npy");
  const char one_as_le_int32[] = {1, 0, 0, 0};
  for (std::string descr : {"<i4", "=i4"}) {
    WriteBytes(path, MakeNpy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (), }",
                             std::string(one_as_le_int32, 4)));
    StatusOr<Tensor> read = ReadNpy(path);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(read->Data<int32_t>()[0], 1);
  }
  for (std::string descr : {"|u1", "<u1", "=u1", ">u1"}) {
    WriteBytes(path, MakeNpy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }",
                             "\x07"));
    StatusOr<Tensor> read = ReadNpy(path);
    ASSERT_TRUE(read.ok()) << descr << ": " << read.status().ToString();
    EXPECT_EQ(read->Data<uint8_t>()[0], 7);
  }
}

TEST_F(NpyTest, FormatVersions2And3) {
  const std::string path = Path("v.npy");
  for (int major : {2, 3}) {
    WriteBytes(path, MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
                             std::string("\x05\x00\xff\xff", 4), major));
    StatusOr<Tensor> read = ReadNpy(path);
    ASSERT_TRUE(read.ok()) << major << ": " << read.status().ToString();
    EXPECT_EQ(read->DebugString(), "int16[2] {5, -1}");
  }
  WriteBytes(path, MakeNpy("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
                           std::string(4, '\0'), /*major=*/4));
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(read.status().message().find("version 4.0"), std::string::npos);
}

TEST_F(NpyTest, BadMagicAndMalformedHeader) {
  const std::string path = Path("bad.npy");
  WriteBytes(path, "this is not a numpy file at all");
  StatusOr<Tensor> read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("bad magic"), std::string::npos);

  WriteBytes(path, MakeNpy("{'descr': '<f4', 'shape': (1,)", std::string(4, '\0')));
  read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("malformed header"), std::string::npos);

  WriteBytes(path, MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", ""));
  read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("non-negative"), std::string::npos);

  // A huge shape must be rejected by the size check, not by trying to allocate it.
  WriteBytes(path, MakeNpy("{'descr': '<f8', 'fortran_order': False, "
                           "'shape': (1000000000, 1000000000), }",
                           ""));
  read = ReadNpy(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
}

// Runs /usr/bin/python3 with `script`; returns false if numpy is unavailable.
bool RunNumpy(const std::string& script) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) return false;
  const std::string command = "/usr/bin/python3 -c \"" + script + "\"";
  return std::system(command.c_str()) == 0;
}

TEST_F(NpyTest, ReadsFilesWrittenByNumpy) {
  const std::string d = dir_.string();
  const std::string script =
      "import numpy as np; d = '" + d +
      "'; "
      "np.save(d + '/f32.npy', np.arange(6, dtype=np.float32).reshape(2, 3) / 4); "
      "np.save(d + '/f16.npy', np.array([1.0, -65504.0, 0.1], dtype=np.float16)); "
      "np.save(d + '/i64.npy', np.array([[-1], [2 ** 40]], dtype=np.int64)); "
      "np.save(d + '/b.npy', np.array([True, False, True])); "
      "np.save(d + '/scalar.npy', np.float64(2.5)); "
      "np.save(d + '/u16.npy', np.array([65535], dtype=np.uint16)); "
      "np.save(d + '/empty.npy', np.zeros((0, 3), dtype=np.float32)); "
      "np.save(d + '/fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))";
  if (!RunNumpy(script)) GTEST_SKIP() << "/usr/bin/python3 cannot import numpy";

  StatusOr<Tensor> f32 = ReadNpy(d + "/f32.npy");
  ASSERT_TRUE(f32.ok()) << f32.status().ToString();
  EXPECT_EQ(f32->DebugString(), "float32[2,3] {0, 0.25, 0.5, 0.75, 1, 1.25}");

  StatusOr<Tensor> f16 = ReadNpy(d + "/f16.npy");
  ASSERT_TRUE(f16.ok()) << f16.status().ToString();
  ASSERT_EQ(f16->dtype(), DataType::kFloat16);
  EXPECT_EQ(f16->Data<Float16>()[0].bits, 0x3C00);
  EXPECT_EQ(f16->Data<Float16>()[1].bits, 0xFBFF);
  EXPECT_EQ(f16->Data<Float16>()[2].bits, 0x2E66);

  StatusOr<Tensor> i64 = ReadNpy(d + "/i64.npy");
  ASSERT_TRUE(i64.ok()) << i64.status().ToString();
  EXPECT_EQ(i64->shape(), (Shape{2, 1}));
  EXPECT_EQ(i64->Data<int64_t>()[1], int64_t{1} << 40);

  StatusOr<Tensor> b = ReadNpy(d + "/b.npy");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->DebugString(), "bool[3] {true, false, true}");

  StatusOr<Tensor> scalar = ReadNpy(d + "/scalar.npy");
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_EQ(scalar->DebugString(), "float64[] {2.5}");

  StatusOr<Tensor> u16 = ReadNpy(d + "/u16.npy");
  ASSERT_TRUE(u16.ok()) << u16.status().ToString();
  EXPECT_EQ(u16->Data<uint16_t>()[0], 65535);

  StatusOr<Tensor> empty = ReadNpy(d + "/empty.npy");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->shape(), (Shape{0, 3}));

  StatusOr<Tensor> fortran = ReadNpy(d + "/fortran.npy");
  ASSERT_FALSE(fortran.ok());
  EXPECT_EQ(fortran.status().code(), StatusCode::kUnimplemented);
}

TEST_F(NpyTest, NumpyReadsOurFiles) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 cannot import numpy";
  }
  const std::string path = Path("ours.npy");
  ASSERT_TRUE(WriteNpy(path, Tensor::FromVector<int16_t>({2, 2}, {1, -2, 3, -4})).ok());
  ASSERT_TRUE(WriteNpy(Path("scalar.npy"), Tensor::Scalar<bool>(true)).ok());
  ASSERT_TRUE(WriteNpy(Path("vec.npy"), Tensor::FromVector<Float16>({1}, {{0x3C00}})).ok());
  const std::string script =
      "import numpy as np; d = '" + dir_.string() +
      "'; a = np.load(d + '/ours.npy'); "
      "assert a.dtype == np.int16 and a.shape == (2, 2) and a.tolist() == [[1, -2], [3, -4]]; "
      "s = np.load(d + '/scalar.npy'); assert s.dtype == np.bool_ and s.shape == () and s; "
      "v = np.load(d + '/vec.npy'); assert v.dtype == np.float16 and v.tolist() == [1.0]";
  EXPECT_TRUE(RunNumpy(script));
}

}  // namespace
}  // namespace convcheck
