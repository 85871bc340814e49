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

/// Options of the `snn-lower-to-timestep` pipeline.
struct TimeStepPipelineOptions {
  /// Step of the time grid in milliseconds.
  double dtMs = 0.5;
  /// Steepness of the fast-sigmoid surrogate.
  double surrogateSlope = 10.0;
  /// Run snn-instrument-traffic on the kernels before lowering them.
  bool instrumentTraffic = false;
};

/// Adds the passes that take a module with networks to time-stepped BPTT
/// kernels in the LLVM dialect: convert-snn-to-timestep, optionally
/// snn-instrument-traffic, then convert-ev-to-llvm (whose ev stage has
/// nothing to do here; its standard-to-LLVM stages lower the kernels).
void buildTimeStepLoweringPipeline(mlir::OpPassManager &pm,
                                   const TimeStepPipelineOptions &options);

/// Registers the conversion passes and the `snn-lower-to-cpu` and
/// `snn-lower-to-timestep` pipelines.
void registerConversionPasses();

#define GEN_PASS_REGISTRATION
#include "snnc/Conversion/Passes.h.inc"

} // namespace snnc

#endif // SNNC_CONVERSION_PASSES_H
