//===- Kernels.h - JIT and ahead-of-time compilation ------------*- C++ -*-===//
//
// Turns a module already lowered to the LLVM dialect (convert-ev-to-llvm,
// or the snn-lower-to-cpu pipeline) into machine code: in memory through
// MLIR's ExecutionEngine, or as LLVM IR text and native object files.
// Nothing here throws; failures come back as llvm::Error with a message.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_TARGET_CPU_KERNELS_H
#define SNNC_TARGET_CPU_KERNELS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir {
class DialectRegistry;
class ExecutionEngine;
} // namespace mlir

namespace snnc::cpu {

/// How the JIT compiles a module.
struct JITOptions {
  /// LLVM optimisation level of the IR passes and of code generation, 0-3.
  unsigned optLevel = 3;
  /// Tell gdb and perf about the generated code.
  bool enableDebuggerListener = false;
  bool enablePerfListener = false;
};

/// How an object file or LLVM IR text is produced.
struct AOTOptions {
  /// LLVM optimisation level, 0-3, of the IR passes and code generation.
  unsigned optLevel = 3;
  /// Target triple and CPU; empty means the host (its CPU features too).
  std::string triple;
  std::string cpu;
};

/// Initialises the native LLVM target, its assembly printer and parser once
/// per process. Every function below calls it; it is public for callers
/// that set up targets of their own.
void initializeNativeTarget();

/// Adds the translations from the builtin and LLVM dialects to LLVM IR to
/// `registry`: a context must have them before a module is compiled.
void registerTranslations(mlir::DialectRegistry &registry);

/// The machine code of one module, compiled once and kept for as long as
/// the object lives. Function pointers from `lookup` are valid that long.
class KernelLibrary {
public:
  /// JIT-compiles `module`, which must be in the LLVM dialect. Registers
  /// the translations into the module's context when it lacks them.
  static llvm::Expected<std::unique_ptr<KernelLibrary>>
  create(mlir::ModuleOp module, const JITOptions &options = {});

  ~KernelLibrary();
  KernelLibrary(const KernelLibrary &) = delete;
  KernelLibrary &operator=(const KernelLibrary &) = delete;

  /// The address of the function called `name` in the module (its symbol
  /// name as written, not an `_mlir_ciface_` wrapper).
  llvm::Expected<void *> lookup(llvm::StringRef name) const;

  /// `lookup` cast to a function type, e.g.
  /// `lookupFunction<void(double, double *)>("net_hidden_propagator")`.
  template <typename Signature>
  llvm::Expected<Signature *> lookupFunction(llvm::StringRef name) const {
    llvm::Expected<void *> address = lookup(name);
    if (!address)
      return address.takeError();
    return reinterpret_cast<Signature *>(*address);
  }

private:
  explicit KernelLibrary(std::unique_ptr<mlir::ExecutionEngine> engine);

  std::unique_ptr<mlir::ExecutionEngine> engine;
};

/// Translates `module` (LLVM dialect) to LLVM IR for the target of
/// `options`, optimised at its level, and returns the IR as text.
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module,
                                       const AOTOptions &options = {});

/// Translates, optimises and compiles `module` (LLVM dialect) to a
/// relocatable native object file (position-independent code), returned as
/// its bytes.
llvm::Expected<llvm::SmallVector<char, 0>>
emitObjectFile(mlir::ModuleOp module, const AOTOptions &options = {});

} // namespace snnc::cpu

#endif // SNNC_TARGET_CPU_KERNELS_H
