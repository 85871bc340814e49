//===- CompiledKernels.cpp - Run a network on its compiled kernels --------===//

#include "snnc/Driver/CompiledKernels.h"

#include "snnc/Conversion/Passes.h"
#include "snnc/Target/CPU/Kernels.h"

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"

#include <mutex>

using namespace mlir;
using namespace snnc;

static KernelSource defaultKernelSource = KernelSource::Compiled;

KernelSource snnc::getDefaultKernelSource() { return defaultKernelSource; }

void snnc::setDefaultKernelSource(KernelSource source) {
  defaultKernelSource = source;
}

/// Every library compiled in this process. Runtime networks are plain data
/// that the trainer copies freely, so the code their function pointers
/// name must outlive all of them: it lives until releaseCompiledKernels.
static std::vector<std::unique_ptr<cpu::KernelLibrary>> &compiledLibraries() {
  static std::vector<std::unique_ptr<cpu::KernelLibrary>> libraries;
  return libraries;
}

static std::mutex librariesMutex;

void snnc::releaseCompiledKernels() {
  std::lock_guard<std::mutex> lock(librariesMutex);
  compiledLibraries().clear();
}

/// Looks up one kernel, reporting a missing symbol on the network op.
template <typename Signature>
static LogicalResult
lookupKernel(snn::NetworkOp network, const cpu::KernelLibrary &library,
             StringRef member, StringRef kind, Signature *&function) {
  std::string name = kernelName(network.getSymName(), member, kind);
  llvm::Expected<Signature *> found =
      library.template lookupFunction<Signature>(name);
  if (!found)
    return network.emitError()
           << "compiled kernel '" << name
           << "' not found: " << llvm::toString(found.takeError());
  function = *found;
  return success();
}

LogicalResult snnc::attachCompiledKernels(snn::NetworkOp network,
                                          runtime::Network &runtimeNetwork) {
  // Lower a copy holding this network alone: the caller's module keeps its
  // networks, and other networks cost no compile time.
  MLIRContext *context = network.getContext();
  OwningOpRef<ModuleOp> module = ModuleOp::create(network.getLoc());
  module->getBody()->push_back(network->clone());
  PassManager pm(context);
  buildCPULoweringPipeline(pm);
  if (failed(pm.run(*module)))
    return network.emitError("lowering the network to CPU kernels failed");

  llvm::Expected<std::unique_ptr<cpu::KernelLibrary>> compiled =
      cpu::KernelLibrary::create(*module);
  if (!compiled)
    return network.emitError() << "JIT compilation of the kernels failed: "
                               << llvm::toString(compiled.takeError());
  std::lock_guard<std::mutex> lock(librariesMutex);
  compiledLibraries().push_back(std::move(*compiled));
  const std::unique_ptr<cpu::KernelLibrary> *library =
      &compiledLibraries().back();

  for (runtime::Population &population : runtimeNetwork.populations) {
    if (population.kind == runtime::PopulationKind::Source)
      continue;
    runtime::PopulationKernels &kernels = population.kernels;
    if (failed(lookupKernel(network, **library, population.name, "propagator",
                            kernels.propagator)))
      return failure();
    if (population.kind != runtime::PopulationKind::LIF)
      continue;
    if (failed(lookupKernel(network, **library, population.name, "crossing",
                            kernels.crossing)))
      return failure();
    // The jump kernel exists only where snn-derive-adjoint put an adjoint;
    // a population without one never jumps, so its absence is no error.
    std::string jump =
        kernelName(network.getSymName(), population.name, "adjoint_jump");
    if (llvm::Expected<void *> address = (*library)->lookup(jump))
      kernels.adjointJump =
          reinterpret_cast<decltype(kernels.adjointJump)>(*address);
    else
      llvm::consumeError(address.takeError());
  }
  return success();
}
