//===- Pipelines.cpp - Lowering pipelines of snnc -------------------------===//
//
// The pass pipelines that take a model to executable code. `snnc compile`
// and `snn-opt --snn-lower-to-cpu` run the same function, so the two never
// drift apart.
//
//===----------------------------------------------------------------------===//

#include "snnc/Conversion/Passes.h"
#include "snnc/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void snnc::buildCPULoweringPipeline(OpPassManager &pm) {
  // The adjoint first, so that its kernels are built with the forward ones;
  // both passes leave a module without networks untouched, so input that
  // already holds ev kernels goes straight to the LLVM lowering.
  pm.addNestedPass<snn::NetworkOp>(createSNNDeriveAdjoint());
  pm.addPass(createConvertSNNToEV());
  pm.addPass(createConvertEVToLLVM());
}

void snnc::registerConversionPasses() {
  registerSNNCConversionPasses();
  PassPipelineRegistration<>(
      "snn-lower-to-cpu",
      "Lower a module to the LLVM dialect for the CPU JIT or an object file",
      [](OpPassManager &pm) { buildCPULoweringPipeline(pm); });
}
