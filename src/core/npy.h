//===- core/npy.h - NumPy .npy files --------------------------------------===//
//
// .npy is how tensors cross the boundary to the Python workers and how users hand us inputs:
// numpy.save writes it and numpy.load reads what we write, with no extra dependency on either
// side. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//
// Supported: format versions 1.0, 2.0 and 3.0; C order (and fortran_order for rank <= 1, where
// the layouts coincide); little-endian f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 and b1, with '<', '='
// or (for one-byte types) '|' byte-order marks. Not supported: big-endian data, structured,
// object, string and complex dtypes. bfloat16 has no standard .npy spelling, so it is neither
// read nor written.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_NPY_H_
#define CONVCHECK_CORE_NPY_H_

#include <string>

#include "core/status.h"
#include "core/tensor.h"

namespace convcheck {

/// Reads a .npy file. Errors start with "npy file '<path>': " and are
///   NotFound          "no such file"
///   InvalidArgument   "is a directory", "not a .npy file (bad magic ...)", "malformed header ..."
///   DataLoss          "truncated (header says 24 bytes of data, file has 12)", truncated header
///   Unimplemented     "fortran_order is not supported", "dtype '>f4' is not supported", versions
/// Bytes after the data are ignored, as numpy.load does. bool bytes other than 0 read as true.
StatusOr<Tensor> ReadNpy(const std::string& path);

/// Writes `tensor` as a version 1.0 little-endian C-order .npy file, with the header padded to
/// 64 bytes as numpy does (version 2.0 only if the header would not fit 65535 bytes).
/// Unimplemented for string, bfloat16, complex and undefined tensors; errors name the file.
Status WriteNpy(const std::string& path, const Tensor& tensor);

}  // namespace convcheck

#endif  // CONVCHECK_CORE_NPY_H_
