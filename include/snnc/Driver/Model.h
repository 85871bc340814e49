//===- Model.h - Loading models and moving them to the runtime --*- C++ -*-===//
//
// The bridge between the snn dialect and the MLIR-free runtime: a model file
// becomes a runtime::Network, and trained parameters go back into the IR as
// resource blobs so the written model round-trips bit-exactly.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_DRIVER_MODEL_H
#define SNNC_DRIVER_MODEL_H

#include "snnc/Driver/CompiledKernels.h"

#include "runtime/Network.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace snnc {
namespace snn {
class NetworkOp;
} // namespace snn

/// Parses and verifies the model in `path`. Diagnostics go to the context's
/// handler; returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(llvm::StringRef path,
                                            mlir::MLIRContext &context);

/// The network called `name` in `module`, or its only network when `name`
/// is empty. Emits an error and returns null when there is no such network.
snn::NetworkOp findNetwork(mlir::ModuleOp module, llvm::StringRef name);

/// The runtime description of `network`, or failure with a diagnostic on
/// the op the runtime cannot execute. With compiled kernels (the default,
/// see CompiledKernels.h) its populations run on code the compiler
/// specialised to this network.
mlir::FailureOr<runtime::Network>
toRuntimeNetwork(snn::NetworkOp network,
                 KernelSource kernels = getDefaultKernelSource());

/// Writes the parameters of `trained` (same structure as `network`) into
/// the ops of `network`: weights, delays and thresholds become resource
/// blobs named after their op.
mlir::LogicalResult updateParameters(snn::NetworkOp network,
                                     const runtime::Network &trained);

/// Writes the learn flags of `network` (built from `networkOp`; `--learn`
/// may have changed them) into the ops of `networkOp`: the written model
/// says what was learned, and lowerings that depend on the flags see them.
void writeLearnFlags(snn::NetworkOp networkOp, const runtime::Network &network);

/// Prints `module` to `path` atomically: a temporary file in the same
/// folder is renamed over the target, so an interrupted write never leaves
/// a partial model behind.
mlir::LogicalResult writeModelAtomically(mlir::ModuleOp module,
                                         llvm::StringRef path,
                                         std::string &error);

} // namespace snnc

#endif // SNNC_DRIVER_MODEL_H
