//===- Passes.h - Conversion passes of snnc ---------------------*- C++ -*-===//
//
// The lowerings from the snnc dialects towards executable code, and the
// pipelines that chain them.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_CONVERSION_PASSES_H
#define SNNC_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir {
class OpPassManager;
class RewritePatternSet;
} // namespace mlir

namespace snnc {

#define GEN_PASS_DECL
#include "snnc/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite every ev op into arith, math, scf and
/// memref ops, with the time constants folded in as arith.constant ops.
void populateEVToStandardPatterns(mlir::RewritePatternSet &patterns);

/// The symbol of the kernel `kind` ("propagator", "crossing", ...) of
/// population or projection `member` of network `network`, as
/// convert-snn-to-ev names it: `network_member_kind`, with every character
/// outside [A-Za-z0-9_] replaced by `_`.
std::string kernelName(llvm::StringRef network, llvm::StringRef member,
                       llvm::StringRef kind);

/// Adds the passes that take a module to the LLVM dialect ready for the JIT
/// or an object file. Today it holds convert-ev-to-llvm alone, so its input
/// must already be ev kernels (or LLVM dialect); the passes that derive the
/// adjoint and build the kernels from a network go in front of it.
void buildCPULoweringPipeline(mlir::OpPassManager &pm);

/// Registers the conversion passes and the `snn-lower-to-cpu` pipeline.
void registerConversionPasses();

#define GEN_PASS_REGISTRATION
#include "snnc/Conversion/Passes.h.inc"

} // namespace snnc

#endif // SNNC_CONVERSION_PASSES_H
