//===- CompiledKernels.h ----------------------------------------*- C++ -*-===//
//
// Lowers one network with the snn-lower-to-cpu pipeline, JIT-compiles the
// result and points the runtime's populations at the kernels, so that the
// propagator, the crossing solve and the adjoint jump the runtime executes
// are the code the compiler specialised to this network. Likewise for the
// time-stepped BPTT baseline: snn-lower-to-timestep's kernels, instrumented
// to count their own traffic, in a table that runTimeStep calls.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_DRIVER_COMPILEDKERNELS_H
#define SNNC_DRIVER_COMPILEDKERNELS_H

#include "runtime/Network.h"
#include "runtime/TimeStep.h"

#include "mlir/Support/LogicalResult.h"

#include <memory>

namespace snnc {
namespace snn {
class NetworkOp;
} // namespace snn

/// Which code executes the per-population steps of the exact method.
enum class KernelSource {
  /// JIT-compiled kernels built from the network (the default).
  Compiled,
  /// The runtime's own closed forms (same values, no compilation).
  Builtin,
};

/// The source toRuntimeNetwork uses; the driver's `--kernels` sets it.
KernelSource getDefaultKernelSource();
void setDefaultKernelSource(KernelSource source);

/// Compiles the kernels of `network` and sets the `kernels` of every
/// integrating population of `runtimeNetwork` (built from the same op).
/// The compiled code lives until the process exits, so copies of the
/// runtime network stay valid. Emits a diagnostic on the network op on
/// failure.
mlir::LogicalResult attachCompiledKernels(snn::NetworkOp network,
                                          runtime::Network &runtimeNetwork);

/// Compiles the time-stepped kernels of `network` for the grid of `options`
/// (snn-lower-to-timestep with instrument-traffic=true) and returns the
/// table that runTimeStep runs them from, to be set as `options.kernels`.
/// `runtimeNetwork` is the runtime view of the same op: its learn flags,
/// which `--learn` may have changed, decide which backward kernels are
/// built. The code lives as long as attachCompiledKernels' does. Emits a
/// diagnostic on the network op on failure.
mlir::FailureOr<std::shared_ptr<const runtime::TimeStepKernels>>
compileTimeStepKernels(snn::NetworkOp network,
                       const runtime::Network &runtimeNetwork,
                       const runtime::TimeStepOptions &options);

/// Frees every library attachCompiledKernels and compileTimeStepKernels
/// made; no runtime network or kernel table that points into them may run
/// afterwards. Call it before LLVM shuts down (the end of main): the JIT
/// runs its own teardown code when destroyed.
void releaseCompiledKernels();

} // namespace snnc

#endif // SNNC_DRIVER_COMPILEDKERNELS_H
