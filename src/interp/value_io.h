//===- interp/value_io.h - Values in the ONNX backend-test layout ---------===//
//
// The ONNX test data stores each input and output as one protobuf file: a TensorProto, or a
// SequenceProto / OptionalProto for sequence and optional values. Which one a file holds is
// not written in it; the model's declared type for that input or output says.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_VALUE_IO_H_
#define CONVCHECK_INTERP_VALUE_IO_H_

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "interp/value.h"

namespace convcheck::interp {

/// Reads one .pb file as the value `type` declares (a tensor when `type` is null or a tensor).
StatusOr<Value> ReadValuePb(const std::string& path, const onnx::TypeProto* type);

struct ValueDataSet {
  std::vector<Value> inputs;
  std::vector<Value> outputs;  // Empty when the set has no output_K.pb files.
  std::vector<std::string> output_names;
};

/// Every test_data_set_N under `case_dir`, sorted by N, typed by `model`'s graph inputs (those
/// that are not initializers) and outputs. NotFound when there is none.
StatusOr<std::vector<ValueDataSet>> ReadValueDataSets(const std::string& case_dir,
                                                      const onnx::ModelProto& model);

/// Flattens values into tensors for comparison: a tensor is itself, a sequence its items, an
/// empty optional nothing. `names` receives "name", "name[i]" accordingly.
std::vector<Tensor> FlattenValues(const std::vector<Value>& values,
                                  const std::vector<std::string>& names,
                                  std::vector<std::string>* flat_names);

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_VALUE_IO_H_
