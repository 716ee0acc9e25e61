//===- onnx/file_io.h - Whole-file reads and writes with named errors -----===//
//
// Model and tensor files are read whole (protobuf needs the bytes in memory anyway) and their
// errors all have the same shape: "<what> '<path>': <problem>", e.g. "model 'x.onnx': no such
// file". These helpers keep that wording in one place for model.cc, tensor_proto.cc and
// data_set.cc.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ONNX_FILE_IO_H_
#define CONVCHECK_ONNX_FILE_IO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace convcheck::onnxio {

/// "<what> '<path>'", the name of a file in messages.
std::string FileLabel(std::string_view what, const std::string& path);

/// FileLabel + ": ", the prefix of every file error.
std::string FileErrorPrefix(std::string_view what, const std::string& path);

/// Size in bytes of the regular file at `path`. NotFound "no such file", InvalidArgument
/// "is a directory" or "is not a regular file".
StatusOr<uint64_t> RegularFileSize(std::string_view what, const std::string& path);

/// The whole contents of `path`; same errors as RegularFileSize, plus ResourceExhausted when
/// the file is larger than `max_bytes`.
StatusOr<std::string> ReadWholeFile(std::string_view what, const std::string& path,
                                    uint64_t max_bytes);

/// Replaces `path` with `contents`. Errors name the file and carry strerror's text.
Status WriteWholeFile(std::string_view what, const std::string& path, std::string_view contents);

}  // namespace convcheck::onnxio

#endif  // CONVCHECK_ONNX_FILE_IO_H_
