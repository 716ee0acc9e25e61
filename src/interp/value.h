//===- interp/value.h - What flows along a graph edge ---------------------===//
//
// ONNX values are tensors, sequences of tensors, or optionals (of a tensor or a sequence), since
// opset 11 and 15. The interpreter passes Values; most kernels only see tensors.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_VALUE_H_
#define CONVCHECK_INTERP_VALUE_H_

#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace convcheck::interp {

class Value {
 public:
  enum class Kind { kTensor, kSequence, kOptional };

  Value() = default;  // An empty tensor of undefined dtype.
  static Value FromTensor(Tensor tensor);
  /// `elem_type` matters for an empty sequence, whose element type cannot be read off its items.
  static Value FromSequence(std::vector<Tensor> items, DataType elem_type);
  static Value EmptyOptional();
  static Value OptionalOf(Value element);

  Kind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == Kind::kTensor; }
  bool is_sequence() const { return kind_ == Kind::kSequence; }
  bool is_optional() const { return kind_ == Kind::kOptional; }

  const Tensor& tensor() const;  // CC_CHECKs is_tensor().
  Tensor& mutable_tensor();
  const std::vector<Tensor>& sequence() const;  // CC_CHECKs is_sequence().
  std::vector<Tensor>& mutable_sequence();
  DataType sequence_elem_type() const { return elem_type_; }
  bool has_element() const { return element_ != nullptr; }  // For optionals.
  const Value& element() const;                             // CC_CHECKs has_element().

  /// "tensor float32[2,3]", "sequence<float32>[4]", "optional(none)".
  std::string Describe() const;

 private:
  Kind kind_ = Kind::kTensor;
  Tensor tensor_;
  std::vector<Tensor> sequence_;
  DataType elem_type_ = DataType::kUndefined;
  std::shared_ptr<const Value> element_;
};

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_VALUE_H_
