//===- Pipelines.cpp - Lowering pipelines of snnc -------------------------===//
//
// The pass pipelines that take a model to executable code. `snnc compile`
// and `snn-opt --snn-lower-to-cpu` run the same function, so the two never
// drift apart.
//
//===----------------------------------------------------------------------===//

#include "snnc/Conversion/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void snnc::buildCPULoweringPipeline(OpPassManager &pm) {
  // TODO: start with snn-derive-adjoint and convert-snn-to-ev once they
  // exist; until then the input must already hold ev kernels.
  pm.addPass(createConvertEVToLLVM());
}

void snnc::registerConversionPasses() {
  registerSNNCConversionPasses();
  PassPipelineRegistration<>(
      "snn-lower-to-cpu",
      "Lower a module to the LLVM dialect for the CPU JIT or an object file",
      [](OpPassManager &pm) { buildCPULoweringPipeline(pm); });
}
