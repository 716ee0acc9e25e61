// Reshape, transpose, slice, concat, split, pad, expand, gather and scatter-style indexing.
#include "gen/catalog.h"

namespace convcheck::gen {

void RegisterShapeOps(std::vector<OpSpec>& ops) {}

}  // namespace convcheck::gen
