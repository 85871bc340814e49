//===- Passes.h - Mapping networks onto ncore chips ---------------*- C++
//-*-===//
//
// The passes that partition, place and quantize an snn network for a
// neuromorphic chip, build its ncore form and check it against the chip,
// and the `snn-lower-to-ncore` pipeline that runs them in order.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_TARGET_NCORE_PASSES_H
#define SNNC_TARGET_NCORE_PASSES_H

#include "dialects/NCore/NCoreOps.h"
#include "dialects/SNN/SNNOps.h"

#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace snnc {

#define GEN_PASS_DECL
#include "snnc/Target/NCore/Passes.h.inc"

/// Adds snn-partition (with `target`), snn-place, snn-quantize,
/// convert-snn-to-ncore and ncore-check-resources to `pm`.
void buildNCoreLoweringPipeline(mlir::OpPassManager &pm,
                                const std::string &target = "loihi");

/// Registers the ncore passes and the `snn-lower-to-ncore` pipeline.
void registerNCorePasses();

#define GEN_PASS_REGISTRATION
#include "snnc/Target/NCore/Passes.h.inc"

} // namespace snnc

#endif // SNNC_TARGET_NCORE_PASSES_H
