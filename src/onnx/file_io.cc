#include "onnx/file_io.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace convcheck::onnxio {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, std::string_view action,
                   int error) {
  std::string message =
      FileErrorPrefix(what, path) + std::string(action) + ": " + std::strerror(error);
  if (error == ENOENT) return NotFound(std::move(message));
  if (error == ENOSPC) return ResourceExhausted(std::move(message));
  return InvalidArgument(std::move(message));
}

}  // namespace

std::string FileLabel(std::string_view what, const std::string& path) {
  return std::string(what) + " '" + path + "'";
}

std::string FileErrorPrefix(std::string_view what, const std::string& path) {
  return FileLabel(what, path) + ": ";
}

StatusOr<uint64_t> RegularFileSize(std::string_view what, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return NotFound(FileErrorPrefix(what, path) + "no such file");
  if (fs::is_directory(status))
    return InvalidArgument(FileErrorPrefix(what, path) + "is a directory");
  if (!fs::is_regular_file(status)) {
    return InvalidArgument(FileErrorPrefix(what, path) + "is not a regular file");
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return InvalidArgument(FileErrorPrefix(what, path) + "cannot get size: " + ec.message());
  return static_cast<uint64_t>(size);
}

StatusOr<std::string> ReadWholeFile(std::string_view what, const std::string& path,
                                    uint64_t max_bytes) {
  CC_ASSIGN_OR_RETURN(const uint64_t size, RegularFileSize(what, path));
  if (size > max_bytes) {
    return ResourceExhausted(FileErrorPrefix(what, path) + "file is " + std::to_string(size) +
                             " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(what, path, "cannot open", errno);
  std::string contents(size, '\0');
  in.read(contents.data(), static_cast<std::streamsize>(size));
  // A file that shrank between the size query and the read is reported, not silently cut.
  if (static_cast<uint64_t>(in.gcount()) != size) {
    return DataLoss(FileErrorPrefix(what, path) + "read " + std::to_string(in.gcount()) + " of " +
                    std::to_string(size) + " bytes");
  }
  return contents;
}

Status WriteWholeFile(std::string_view what, const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return ErrnoStatus(what, path, "cannot open for writing", errno);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return ErrnoStatus(what, path, "cannot write", errno);
  return Status::Ok();
}

}  // namespace convcheck::onnxio
