// matmul and linear, convolutions, pooling, normalizations, interpolate.
#include "gen/catalog.h"

namespace convcheck::gen {

void RegisterNnOps(std::vector<OpSpec>& ops) {}

}  // namespace convcheck::gen
