//===- Passes.h - snnc transformations --------------------------*- C++ -*-===//

#ifndef SNNC_TRANSFORMS_PASSES_H
#define SNNC_TRANSFORMS_PASSES_H

#include "dialects/SNN/SNNOps.h"

#include "mlir/Pass/Pass.h"

namespace snnc {

#define GEN_PASS_DECL
#include "snnc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "snnc/Transforms/Passes.h.inc"

} // namespace snnc

#endif // SNNC_TRANSFORMS_PASSES_H
