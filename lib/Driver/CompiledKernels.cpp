//===- CompiledKernels.cpp - Run a network on its compiled kernels --------===//

#include "snnc/Driver/CompiledKernels.h"
#include "snnc/Driver/Model.h"

#include "snnc/Conversion/Passes.h"
#include "snnc/Target/CPU/Kernels.h"

#include "dialects/SNN/SNNOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/PassManager.h"

#include <mutex>
#include <type_traits>

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

/// lookupKernel for a member of a time-stepped kernel table.
template <typename Pointer>
static LogicalResult
lookupTableKernel(snn::NetworkOp network, const cpu::KernelLibrary &library,
                  StringRef member, StringRef kind, Pointer &function) {
  return lookupKernel<std::remove_pointer_t<Pointer>>(network, library, member,
                                                      kind, function);
}

FailureOr<std::shared_ptr<const runtime::TimeStepKernels>>
snnc::compileTimeStepKernels(snn::NetworkOp network,
                             const runtime::Network &runtimeNetwork,
                             const runtime::TimeStepOptions &options) {
  // What the kernels are built for: the grid of these options on this
  // network, recorded so runTimeStep can refuse a table that does not fit.
  auto table = std::make_shared<runtime::TimeStepKernels>();
  if (std::string error =
          runtime::describeTimeStepKernels(runtimeNetwork, options, *table);
      !error.empty())
    return network.emitError()
           << "cannot build time-stepped kernels: " << error;

  // Lower a copy of this network alone, with the runtime's learn flags.
  MLIRContext *context = network.getContext();
  OwningOpRef<ModuleOp> module = ModuleOp::create(network.getLoc());
  auto copy = cast<snn::NetworkOp>(network->clone());
  module->getBody()->push_back(copy);
  // The time-stepped lowering reads the flags to decide which backward
  // kernels and arguments exist.
  writeLearnFlags(copy, runtimeNetwork);
  PassManager pm(context);
  TimeStepPipelineOptions pipeline;
  pipeline.dtMs = options.dtMs;
  pipeline.surrogateSlope = options.slope;
  pipeline.instrumentTraffic = true;
  buildTimeStepLoweringPipeline(pm, pipeline);
  if (failed(pm.run(*module)))
    return network.emitError(
        "lowering the network to time-stepped kernels failed");
  // The memory classes and the counters mark were for the instrumentation;
  // the translation to LLVM IR would warn about them. Every pointer
  // argument is marked noalias instead: runTimeStep passes distinct buffers
  // to each call (even a recurrent projection reads one vector of its
  // population and writes another), and without the mark LLVM must reload
  // and store the traffic counters around every access, as any store might
  // change them. With it they stay in registers within a loop.
  module->walk([](LLVM::LLVMFuncOp op) {
    auto function = cast<FunctionOpInterface>(op.getOperation());
    UnitAttr unit = UnitAttr::get(op.getContext());
    for (unsigned index = 0; index < function.getNumArguments(); ++index) {
      SmallVector<StringAttr> marks;
      for (NamedAttribute attribute : function.getArgAttrs(index))
        if (attribute.getName().getValue().starts_with("snn."))
          marks.push_back(attribute.getName());
      for (StringAttr mark : marks)
        function.removeArgAttr(index, mark);
      if (isa<LLVM::LLVMPointerType>(function.getArgument(index).getType()))
        function.setArgAttr(index, LLVM::LLVMDialect::getNoAliasAttrName(),
                            unit);
    }
  });

  llvm::Expected<std::unique_ptr<cpu::KernelLibrary>> compiled =
      cpu::KernelLibrary::create(*module);
  if (!compiled)
    return network.emitError()
           << "JIT compilation of the time-stepped kernels failed: "
           << llvm::toString(compiled.takeError());
  std::lock_guard<std::mutex> lock(librariesMutex);
  compiledLibraries().push_back(std::move(*compiled));
  const cpu::KernelLibrary &library = *compiledLibraries().back();

  // One step kernel per population, a backward one with a loss.
  for (size_t index = 0; index < runtimeNetwork.populations.size(); ++index) {
    const runtime::Population &population = runtimeNetwork.populations[index];
    runtime::TimeStepPopulationKernels &entry = table->populations[index];
    StringRef name = population.name;
    LogicalResult found = success();
    switch (population.kind) {
    case runtime::PopulationKind::Source:
      found = lookupTableKernel(network, library, name, "record", entry.record);
      break;
    case runtime::PopulationKind::LI:
      found = lookupTableKernel(network, library, name, "step", entry.liStep);
      if (succeeded(found) && table->hasBackward)
        found = lookupTableKernel(network, library, name, "backward_step",
                                  entry.liBackwardStep);
      break;
    case runtime::PopulationKind::LIF:
      found = entry.refractorySteps > 0
                  ? lookupTableKernel(network, library, name, "step",
                                      entry.lifClampStep)
                  : lookupTableKernel(network, library, name, "step",
                                      entry.lifStep);
      if (succeeded(found) && table->hasBackward)
        found = entry.learnThreshold
                    ? lookupTableKernel(network, library, name, "backward_step",
                                        entry.lifThresholdBackwardStep)
                    : lookupTableKernel(network, library, name, "backward_step",
                                        entry.lifBackwardStep);
      break;
    }
    if (failed(found))
      return failure();
  }

  // A delivery per projection; its backward kernel takes what it needs:
  // an error for a LIF presynaptic population, a gradient for learnable
  // weights, and does not exist when it needs neither.
  for (size_t index = 0; index < runtimeNetwork.projections.size(); ++index) {
    const runtime::Projection &projection = runtimeNetwork.projections[index];
    runtime::TimeStepProjectionKernels &entry = table->projections[index];
    StringRef name = projection.name;
    if (failed(lookupTableKernel(network, library, name, "deliver",
                                 entry.deliver)))
      return failure();
    if (!table->hasBackward)
      continue;
    bool preIsLIF = runtimeNetwork.populations[projection.pre].kind ==
                    runtime::PopulationKind::LIF;
    LogicalResult found = success();
    if (preIsLIF && projection.learnWeight)
      found = lookupTableKernel(network, library, name, "backward_deliver",
                                entry.backwardDeliver);
    else if (preIsLIF)
      found = lookupTableKernel(network, library, name, "backward_deliver",
                                entry.backwardError);
    else if (projection.learnWeight)
      found = lookupTableKernel(network, library, name, "backward_deliver",
                                entry.backwardWeight);
    if (failed(found))
      return failure();
  }
  return std::shared_ptr<const runtime::TimeStepKernels>(std::move(table));
}
