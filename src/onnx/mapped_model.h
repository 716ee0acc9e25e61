//===- onnx/mapped_model.h - A model parsed with its weights left in the file ===//
//
// Loading for engines that decode the weights themselves (the reference interpreter): the file
// is mapped rather than read, and protobuf parses it with the initializers' raw_data cut out, so
// that the weights' bytes are copied once, from the mapping (the page cache) straight into the
// engine's tensors. LoadModel + TensorFromProto copy them three times: read() into a buffer,
// protobuf into the proto's strings, the decoder into tensors, each copy into fresh memory that
// the kernel first has to fault in and zero (a ViT's 350 MB took longer to load than to run).
//
// Only what the protobuf wire format makes unambiguous is cut out: the raw_data of top-level
// initializers of the plain fixed-size numeric types, each initializer name once. A file the
// scan does not understand is parsed whole, as LoadModel does, so errors are LoadModel's.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ONNX_MAPPED_MODEL_H_
#define CONVCHECK_ONNX_MAPPED_MODEL_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "core/tensor.h"
#include "onnx/onnx_pb.h"

namespace convcheck::onnxio {

/// A read-only private mapping of a whole file, unmapped when the last reference goes.
class MappedFile {
 public:
  /// Errors as LoadModel's for a missing, empty or oversized file.
  static StatusOr<std::shared_ptr<const MappedFile>> Open(std::string_view what,
                                                          const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_;
  size_t size_;
};

struct MappedModel {
  /// The model; the initializers named in `raw_data` have no raw_data of their own.
  onnx::ModelProto model;
  /// Initializer name -> its raw_data bytes, inside `file`.
  std::unordered_map<std::string, std::string_view> raw_data;
  std::shared_ptr<const MappedFile> file;
};

/// LoadModel's result and errors, with the initializers' raw data left in the mapped file.
StatusOr<MappedModel> LoadMappedModel(const std::string& path);

/// The tensor of an initializer whose raw_data LoadMappedModel kept in the file: DataLoss when
/// the bytes do not match its dtype and dims.
StatusOr<Tensor> TensorFromMappedRawData(const onnx::TensorProto& proto, std::string_view bytes);

}  // namespace convcheck::onnxio

#endif  // CONVCHECK_ONNX_MAPPED_MODEL_H_
