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

void snnc::buildTimeStepLoweringPipeline(
    OpPassManager &pm, const TimeStepPipelineOptions &options) {
  ConvertSNNToTimeStepOptions timeStep;
  timeStep.dtMs = options.dtMs;
  timeStep.surrogateSlope = options.surrogateSlope;
  pm.addPass(createConvertSNNToTimeStep(timeStep));
  if (options.instrumentTraffic)
    pm.addPass(createSNNInstrumentTraffic());
  pm.addPass(createConvertEVToLLVM());
}

namespace {
/// The command-line face of TimeStepPipelineOptions.
struct TimeStepPipelineCLOptions
    : public PassPipelineOptions<TimeStepPipelineCLOptions> {
  Option<double> dtMs{*this, "dt",
                      llvm::cl::desc("Step of the time grid in milliseconds"),
                      llvm::cl::init(0.5)};
  Option<double> surrogateSlope{
      *this, "surrogate-slope",
      llvm::cl::desc("Steepness of the fast-sigmoid surrogate"),
      llvm::cl::init(10.0)};
  Option<bool> instrumentTraffic{
      *this, "instrument-traffic",
      llvm::cl::desc("Count memory traffic in the kernels"),
      llvm::cl::init(false)};
};
} // namespace

void snnc::registerConversionPasses() {
  registerSNNCConversionPasses();
  PassPipelineRegistration<>(
      "snn-lower-to-cpu",
      "Lower a module to the LLVM dialect for the CPU JIT or an object file",
      [](OpPassManager &pm) { buildCPULoweringPipeline(pm); });
  PassPipelineRegistration<TimeStepPipelineCLOptions>(
      "snn-lower-to-timestep",
      "Lower a module's networks to time-stepped BPTT kernels in the LLVM "
      "dialect",
      [](OpPassManager &pm, const TimeStepPipelineCLOptions &cl) {
        TimeStepPipelineOptions options;
        options.dtMs = cl.dtMs;
        options.surrogateSlope = cl.surrogateSlope;
        options.instrumentTraffic = cl.instrumentTraffic;
        buildTimeStepLoweringPipeline(pm, options);
      });
}
