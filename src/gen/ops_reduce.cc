// Reductions, the softmax family and scans (cumsum, topk, argmax, sort).
#include "gen/catalog.h"

namespace convcheck::gen {

void RegisterReduceOps(std::vector<OpSpec>& ops) {}

}  // namespace convcheck::gen
