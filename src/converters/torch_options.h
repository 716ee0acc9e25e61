//===- converters/torch_options.h - Options shared by torch exporters -----===//
//
// torch 1.13's exporter and torch 2's TorchScript exporter are the same code line and take the
// same options; one table serves both (declared in torch_script.cc).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CONVERTERS_TORCH_OPTIONS_H_
#define CONVCHECK_CONVERTERS_TORCH_OPTIONS_H_

#include <span>

#include "converters/converter.h"

namespace convcheck::converters {

/// constant_folding, dynamic_batch, mode (trace | script).
std::span<const OptionDef> TorchScriptExporterOptions();

}  // namespace convcheck::converters

#endif  // CONVCHECK_CONVERTERS_TORCH_OPTIONS_H_
