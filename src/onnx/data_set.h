//===- onnx/data_set.h - ONNX backend-test data sets ----------------------===//
//
// The layout of onnx/backend/test/data: a case directory holds model.onnx and one folder per
// data set, each with serialized TensorProtos named by position:
//
//   CASE_DIR/test_data_set_0/input_0.pb, input_1.pb, ..., output_0.pb, ...
//
// Indices are numbers, not strings: test_data_set_10 comes after test_data_set_2. Tensor names
// come from TensorProto.name, which the ONNX tests set to the graph input/output names.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ONNX_DATA_SET_H_
#define CONVCHECK_ONNX_DATA_SET_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace convcheck::onnxio {

/// One set of inputs with (optionally) the expected outputs; names[i] belongs to tensors[i].
struct DataSet {
  std::vector<Tensor> inputs;
  std::vector<std::string> input_names;
  std::vector<Tensor> outputs;
  std::vector<std::string> output_names;
};

/// Every test_data_set_N under `case_dir`, sorted by N. Within a set, input_K.pb and
/// output_K.pb are sorted by K and must be numbered 0..n-1 without gaps (InvalidArgument
/// otherwise, naming the missing file); outputs may be absent. Other files are ignored.
/// Sequence, optional and map values (stored as other protos by the ONNX tests) are
/// Unimplemented, recognized from CASE_DIR/model.onnx when a file does not decode as a tensor.
/// NotFound if `case_dir` does not exist or has no data set; tensor file errors pass through.
StatusOr<std::vector<DataSet>> ReadDataSets(const std::string& case_dir);

/// Writes `set` as CASE_DIR/test_data_set_<index>/{input,output}_K.pb, creating directories
/// and removing input_*.pb/output_*.pb already there so the folder holds exactly `set`.
/// Names may be empty vectors (unnamed tensors); otherwise InvalidArgument unless there is one
/// name per tensor.
Status WriteDataSet(const std::string& case_dir, int index, const DataSet& set);

}  // namespace convcheck::onnxio

#endif  // CONVCHECK_ONNX_DATA_SET_H_
