//===- CompiledKernelsTest.cpp - The runtime on JIT-compiled kernels ------===//

#include "snnc/Driver/CompiledKernels.h"
#include "snnc/Driver/Model.h"
#include "snnc/InitAll.h"
#include "snnc/Target/CPU/Kernels.h"

#include "dialects/SNN/SNNOps.h"
#include "runtime/EventProp.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace snnc;

namespace {

/// A hidden layer learning its thresholds (so it gets an adjoint and a
/// jump kernel) and an output layer with equal time constants.
const char *kModel = R"mlir(
  snn.network @net duration(40.0) {
    %in = snn.source "in" : !snn.source<2>
    %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
        learn <threshold> : !snn.lif<3>
    %out = snn.lif "out" tau_mem(10.0) tau_syn(10.0) threshold(1.0)
        : !snn.lif<2>
    snn.project "in_hid" %in -> %hid
        weight(dense<[[9.0, 2.0], [6.0, 5.0], [3.0, 8.0]]> : tensor<3x2xf64>)
        learn <weight> : !snn.source<2> -> !snn.lif<3>
    snn.project "hid_out" %hid -> %out
        weight(dense<[[4.0, 1.0, 2.0], [1.0, 3.0, 4.0]]> : tensor<2x3xf64>)
        learn <weight> : !snn.lif<3> -> !snn.lif<2>
    snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
  }
)mlir";

class CompiledKernelsTest : public ::testing::Test {
protected:
  CompiledKernelsTest() {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    cpu::registerTranslations(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    module = mlir::parseSourceString<mlir::ModuleOp>(kModel, &context);
  }
  // The JIT'd code must go while LLVM is still up.
  ~CompiledKernelsTest() override { releaseCompiledKernels(); }

  snn::NetworkOp network() { return *module->getOps<snn::NetworkOp>().begin(); }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

TEST_F(CompiledKernelsTest, compiledKernelsAreAttachedAndRun) {
  ASSERT_TRUE(module);
  mlir::FailureOr<runtime::Network> compiled =
      toRuntimeNetwork(network(), KernelSource::Compiled);
  mlir::FailureOr<runtime::Network> builtin =
      toRuntimeNetwork(network(), KernelSource::Builtin);
  ASSERT_TRUE(mlir::succeeded(compiled) && mlir::succeeded(builtin));

  // Every integrating population runs on compiled code; the jump kernel
  // exists where snn-derive-adjoint put an adjoint (both layers here).
  for (const runtime::Population &population : compiled->populations) {
    if (population.kind == runtime::PopulationKind::Source)
      continue;
    EXPECT_NE(population.kernels.propagator, nullptr) << population.name;
    EXPECT_NE(population.kernels.crossing, nullptr) << population.name;
    EXPECT_NE(population.kernels.adjointJump, nullptr) << population.name;
  }
  for (const runtime::Population &population : builtin->populations) {
    EXPECT_EQ(population.kernels.propagator, nullptr);
    EXPECT_EQ(population.kernels.crossing, nullptr);
  }

  // The compiled propagator is the closed form specialised to tau_mem 10,
  // tau_syn 10: V(D) = (V0 + I0 D / tau) e^{-D/tau}.
  const runtime::Population &out = compiled->populations[2];
  double coefficients[3];
  out.kernels.propagator(4.0, coefficients);
  EXPECT_DOUBLE_EQ(coefficients[0], std::exp(-0.4));
  EXPECT_DOUBLE_EQ(coefficients[1], std::exp(-0.4));
  EXPECT_DOUBLE_EQ(coefficients[2], 0.4 * std::exp(-0.4));

  // Both sources of code give the same spikes, loss and gradients.
  runtime::Sample sample;
  sample.spikes = {{0, 0, 1.0}, {0, 1, 3.0}, {0, 0, 7.5}};
  sample.label = 1;
  runtime::ForwardResult forwardCompiled, forwardBuiltin;
  ASSERT_EQ(runtime::runForward(*compiled, sample, forwardCompiled, nullptr),
            "");
  ASSERT_EQ(runtime::runForward(*builtin, sample, forwardBuiltin, nullptr), "");
  size_t spikes = 0;
  for (size_t population = 0; population < forwardBuiltin.spikes.size();
       ++population) {
    ASSERT_EQ(forwardCompiled.spikes[population].size(),
              forwardBuiltin.spikes[population].size());
    for (size_t k = 0; k < forwardBuiltin.spikes[population].size(); ++k)
      EXPECT_EQ(forwardCompiled.spikes[population][k].timeMs,
                forwardBuiltin.spikes[population][k].timeMs);
    spikes += forwardBuiltin.spikes[population].size();
  }
  EXPECT_GT(spikes, 0u);
  EXPECT_EQ(forwardCompiled.loss, forwardBuiltin.loss);

  runtime::Gradients gradCompiled = runtime::Gradients::zerosLike(*compiled);
  runtime::Gradients gradBuiltin = runtime::Gradients::zerosLike(*builtin);
  ASSERT_EQ(runtime::runBackward(*compiled, sample, forwardCompiled,
                                 gradCompiled, nullptr),
            "");
  ASSERT_EQ(runtime::runBackward(*builtin, sample, forwardBuiltin, gradBuiltin,
                                 nullptr),
            "");
  EXPECT_EQ(gradCompiled.weight, gradBuiltin.weight);
  EXPECT_EQ(gradCompiled.threshold, gradBuiltin.threshold);
}

} // namespace
