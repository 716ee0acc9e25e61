//===- campaign/signature.h - Grouping failures into unique failures ------===//
//
// Two jobs fail the same way when their verdict, subtype, stage, normalised error and failing
// operator agree. The normalised error comes from the pipeline (numbers, names and paths
// already replaced); the failing operator is dug out of the messages the tools print, because
// the study found the operator to be what best separates one converter bug from another.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_SIGNATURE_H_
#define CONVCHECK_CAMPAIGN_SIGNATURE_H_

#include <string>

#include "pipeline/job.h"

namespace convcheck::campaign {

/// The operator a failure is about when the tools say so: "aten::zero" for a missing torch.onnx
/// symbolic, "Relu" for an ONNX Runtime kernel that is not implemented, the op type of the node
/// the checker rejected. "" when unknown.
std::string FailingOp(const pipeline::JobResult& result);

/// "verdict|subtype|stage|normalised message|failing op"; "" for a pass.
std::string FailureSignature(const pipeline::JobResult& result);

/// The message with quoted names, paths, addresses and numbers replaced by placeholders.
std::string NormalizeMessage(const std::string& message);

/// True for verdicts that count as a failure in tables (everything but pass).
bool IsFailure(const pipeline::JobResult& result);

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_SIGNATURE_H_
