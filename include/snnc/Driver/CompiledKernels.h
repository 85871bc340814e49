//===- CompiledKernels.h ----------------------------------------*- C++ -*-===//
//
// Lowers one network with the snn-lower-to-cpu pipeline, JIT-compiles the
// result and points the runtime's populations at the kernels, so that the
// propagator, the crossing solve and the adjoint jump the runtime executes
// are the code the compiler specialised to this network.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_DRIVER_COMPILEDKERNELS_H
#define SNNC_DRIVER_COMPILEDKERNELS_H

#include "runtime/Network.h"

#include "mlir/Support/LogicalResult.h"

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

/// Frees every library attachCompiledKernels made; no runtime network that
/// points into them may run afterwards. Call it before LLVM shuts down
/// (the end of main): the JIT runs its own teardown code when destroyed.
void releaseCompiledKernels();

} // namespace snnc

#endif // SNNC_DRIVER_COMPILEDKERNELS_H
