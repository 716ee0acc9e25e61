#include "interp/value.h"

namespace convcheck::interp {

Value Value::FromTensor(Tensor tensor) {
  Value v;
  v.kind_ = Kind::kTensor;
  v.tensor_ = std::move(tensor);
  return v;
}

Value Value::FromSequence(std::vector<Tensor> items, DataType elem_type) {
  Value v;
  v.kind_ = Kind::kSequence;
  if (elem_type == DataType::kUndefined && !items.empty()) elem_type = items[0].dtype();
  v.sequence_ = std::move(items);
  v.elem_type_ = elem_type;
  return v;
}

Value Value::EmptyOptional() {
  Value v;
  v.kind_ = Kind::kOptional;
  return v;
}

Value Value::OptionalOf(Value element) {
  Value v;
  v.kind_ = Kind::kOptional;
  v.element_ = std::make_shared<const Value>(std::move(element));
  return v;
}

const Tensor& Value::tensor() const {
  CC_CHECK_MSG(is_tensor(), "Value::tensor() on a non-tensor value");
  return tensor_;
}

Tensor& Value::mutable_tensor() {
  CC_CHECK_MSG(is_tensor(), "Value::mutable_tensor() on a non-tensor value");
  return tensor_;
}

const std::vector<Tensor>& Value::sequence() const {
  CC_CHECK_MSG(is_sequence(), "Value::sequence() on a non-sequence value");
  return sequence_;
}

std::vector<Tensor>& Value::mutable_sequence() {
  CC_CHECK_MSG(is_sequence(), "Value::mutable_sequence() on a non-sequence value");
  return sequence_;
}

const Value& Value::element() const {
  CC_CHECK_MSG(has_element(), "Value::element() on an empty optional");
  return *element_;
}

std::string Value::Describe() const {
  switch (kind_) {
    case Kind::kTensor:
      return "tensor " + std::string(DataTypeName(tensor_.dtype())) +
             ShapeToString(tensor_.shape());
    case Kind::kSequence:
      return "sequence<" + std::string(DataTypeName(elem_type_)) + ">[" +
             std::to_string(sequence_.size()) + "]";
    case Kind::kOptional:
      return has_element() ? "optional(" + element_->Describe() + ")" : "optional(none)";
  }
  return "?";
}

}  // namespace convcheck::interp
