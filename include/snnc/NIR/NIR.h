//===- NIR.h - Import and export of NIR graphs ------------------*- C++ -*-===//
//
// NIR (Neuromorphic Intermediate Representation) is the HDF5 format in which
// snnTorch, Norse, Lava-DL, Rockpool, Sinabs, Spyx and others exchange
// spiking networks. The importer turns a NIR graph into an `snn.network`; the
// exporter writes an `snn.network` as a NIR graph. docs/nir.md gives the
// mapping of every node and the meaning of every option.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_NIR_NIR_H
#define SNNC_NIR_NIR_H

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace snnc {

/// What a neuron's membrane voltage becomes after a spike.
enum class NIRResetMode {
  /// The node's `v_reset` where it has one, otherwise 0.
  Node,
  /// Always 0, whatever `v_reset` says.
  Zero,
};

/// What to do with a nonzero `bias` of an Affine node; snn has no bias
/// current.
enum class NIRBiasMode {
  /// Refuse the file with a diagnostic naming the node.
  Error,
  /// Drop the bias and warn.
  Drop,
};

/// The loss the importer adds on the population that feeds the graph's
/// Output node, so an imported model can be trained.
enum class NIRLossKind { None, TTFS, MaxVoltage };

struct NIRImportOptions {
  /// The name of the `snn.network`; empty takes the file's stem.
  std::string networkName;
  /// The simulated interval of each sample, in milliseconds.
  double durationMs = 100.0;
  /// The step of a discrete-time exporter, in milliseconds: a spike is taken
  /// as an impulse of that area. 0 takes NIR's continuous-time meaning, an
  /// impulse of unit area (one second).
  double stepMs = 0.0;
  NIRResetMode reset = NIRResetMode::Node;
  NIRBiasMode bias = NIRBiasMode::Error;
  NIRLossKind loss = NIRLossKind::None;
  /// The synaptic time constant (ms) that approximates neurons NIR defines
  /// without a synaptic current (LIF, LI, IF, I); 0 refuses such nodes.
  double approxTauSynMs = 0.0;
  /// The membrane time constant (ms) that approximates neurons NIR defines
  /// without a leak (IF, I); 0 refuses such nodes.
  double approxTauMemMs = 0.0;
  /// Resolve an edge endpoint that names no node to the one node of its
  /// graph that no edge names, when there is exactly one.
  bool repairEdges = false;
};

/// Reads the NIR file at `path` into a module holding one `snn.network`.
/// Errors are reported through the context's diagnostic engine; the result
/// is null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importNIR(llvm::StringRef path,
                                            mlir::MLIRContext *context,
                                            const NIRImportOptions &options);

/// Reads a NIR file already in memory; the buffer's identifier names it in
/// diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> importNIR(llvm::MemoryBufferRef buffer,
                                            mlir::MLIRContext *context,
                                            const NIRImportOptions &options);

/// Writes `network` as a NIR file (HDF5 bytes) to `os`. Fails with a
/// diagnostic on the op when the network uses what NIR cannot express.
mlir::LogicalResult exportNIR(snn::NetworkOp network, llvm::raw_ostream &os);

/// Writes `network` as a NIR file at `path`.
mlir::LogicalResult exportNIR(snn::NetworkOp network, llvm::StringRef path);

} // namespace snnc

#endif // SNNC_NIR_NIR_H
