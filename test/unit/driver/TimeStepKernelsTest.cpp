//===- TimeStepKernelsTest.cpp - BPTT on JIT-compiled kernels -------------===//
//
// The time-stepped baseline run from the kernels of snn-lower-to-timestep
// against the runtime's own executor: every kernel of the table is set, the
// spikes, outputs, loss and gradients agree to the last bit, and the
// traffic counters show that the kernels, not the executor, did the work.
//
//===----------------------------------------------------------------------===//

#include "snnc/Driver/CompiledKernels.h"
#include "snnc/Driver/Model.h"
#include "snnc/InitAll.h"
#include "snnc/Target/CPU/Kernels.h"

#include "dialects/SNN/SNNOps.h"
#include "runtime/TimeStep.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace snnc;
using runtime::MemoryClass;
using runtime::Phase;

namespace {

/// Delays on the input projection (0, 1, 1.5 and 3 ms: 0 to 6 steps at
/// dt = 0.5), a recurrent hidden layer with a refractory clamp, learnable
/// thresholds and fixed recurrent weights (an error but no gradient), and
/// a first-spike loss on an output layer with equal time constants.
const char *kRecurrentModel = R"mlir(
  snn.network @rec duration(30.0) {
    %in = snn.source "in" : !snn.source<3>
    %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
        reset(-0.2) refractory(2.0) learn <threshold> : !snn.lif<4>
    %out = snn.lif "out" tau_mem(10.0) tau_syn(10.0) threshold(1.0)
        : !snn.lif<2>
    snn.project "in_hid" %in -> %hid
        weight(dense<[[9.0, 3.0, 2.0], [4.0, 8.0, 1.0], [2.0, 5.0, 7.0],
                      [6.0, 2.0, 9.0]]> : tensor<4x3xf64>)
        delay(dense<[[0.0, 1.0, 1.5], [3.0, 0.0, 1.0], [1.5, 1.5, 0.0],
                     [0.0, 3.0, 1.0]]> : tensor<4x3xf64>)
        learn <weight> : !snn.source<3> -> !snn.lif<4>
    snn.project "hid_hid" %hid -> %hid
        weight(dense<[[0.0, 1.5, -1.0, 0.5], [1.0, 0.0, 0.5, -0.5],
                      [-0.5, 1.0, 0.0, 1.5], [0.5, -1.0, 1.0, 0.0]]>
               : tensor<4x4xf64>)
        delay(1.5) : !snn.lif<4> -> !snn.lif<4>
    snn.project "hid_out" %hid -> %out
        weight(dense<[[3.0, 1.0, 2.5, 0.5], [1.0, 3.5, 0.5, 2.0]]>
               : tensor<2x4xf64>)
        learn <weight> : !snn.lif<4> -> !snn.lif<2>
    snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
  }
)mlir";

/// A leaky-integrator readout under the maximum-voltage loss: delays on
/// the hidden-to-readout projection, and fixed input-to-readout weights,
/// which need no backward kernel at all.
const char *kReadoutModel = R"mlir(
  snn.network @readout duration(25.0) {
    %in = snn.source "in" : !snn.source<3>
    %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
        : !snn.lif<4>
    %out = snn.li "out" tau_mem(20.0) tau_syn(5.0) : !snn.li<2>
    snn.project "in_hid" %in -> %hid
        weight(dense<[[9.0, 3.0, 2.0], [4.0, 8.0, 1.0], [2.0, 5.0, 7.0],
                      [6.0, 2.0, 9.0]]> : tensor<4x3xf64>)
        learn <weight> : !snn.source<3> -> !snn.lif<4>
    snn.project "hid_out" %hid -> %out
        weight(dense<[[1.0, -0.5, 0.75, 0.25], [-0.25, 1.0, 0.5, -0.75]]>
               : tensor<2x4xf64>)
        delay(dense<[[0.0, 2.0, 1.0, 0.5], [1.5, 0.0, 2.5, 1.0]]>
              : tensor<2x4xf64>)
        learn <weight> : !snn.lif<4> -> !snn.li<2>
    snn.project "in_out" %in -> %out
        weight(dense<[[0.5, 0.25, 0.1], [0.1, 0.3, 0.4]]> : tensor<2x3xf64>)
        : !snn.source<3> -> !snn.li<2>
    snn.max_voltage_loss %out : !snn.li<2>
  }
)mlir";

class TimeStepKernelsTest : public ::testing::Test {
protected:
  TimeStepKernelsTest() {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    cpu::registerTranslations(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }
  // The JIT'd code must go while LLVM is still up.
  ~TimeStepKernelsTest() override { releaseCompiledKernels(); }

  /// Parses `source`, builds its runtime network with builtin exact-method
  /// kernels (they play no part here) and compiles the time-stepped kernels
  /// for `options`.
  void load(const char *source, const runtime::TimeStepOptions &options) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    ASSERT_TRUE(module);
    op = *module->getOps<snn::NetworkOp>().begin();
    mlir::FailureOr<runtime::Network> built =
        toRuntimeNetwork(op, KernelSource::Builtin);
    ASSERT_TRUE(mlir::succeeded(built));
    network = std::move(*built);
    auto compiled = compileTimeStepKernels(op, network, options);
    ASSERT_TRUE(mlir::succeeded(compiled));
    kernels = *compiled;
    ASSERT_TRUE(kernels);
  }

  const runtime::TimeStepPopulationKernels &population(const char *name) {
    int32_t index = network.findPopulation(name);
    EXPECT_GE(index, 0) << name;
    return kernels->populations[std::max(index, 0)];
  }
  const runtime::TimeStepProjectionKernels &projection(const char *name) {
    for (size_t index = 0; index < network.projections.size(); ++index)
      if (network.projections[index].name == name)
        return kernels->projections[index];
    ADD_FAILURE() << "no projection " << name;
    return kernels->projections.front();
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  snn::NetworkOp op;
  runtime::Network network;
  std::shared_ptr<const runtime::TimeStepKernels> kernels;
};

/// Samples whose inputs make every layer fire.
std::vector<runtime::Sample> makeSamples() {
  std::vector<runtime::Sample> samples(5);
  for (size_t index = 0; index < samples.size(); ++index) {
    double shift = 0.7 * static_cast<double>(index);
    samples[index].spikes = {
        {0, 0, 0.3 + shift}, {0, 1, 2.0 + shift}, {0, 2, 4.2 - 0.5 * shift},
        {0, 0, 9.0 + shift}, {0, 1, 12.5},        {0, 2, 12.5}};
    samples[index].label = static_cast<int32_t>(index % 2);
  }
  return samples;
}

/// One sample through both executors.
struct SampleRun {
  runtime::TimeStepResult result;
  runtime::Gradients gradients;
  runtime::TrafficCounters traffic;
};

SampleRun runOne(const runtime::Network &network, const runtime::Sample &sample,
                 const runtime::TimeStepOptions &options) {
  SampleRun run;
  run.gradients = runtime::Gradients::zerosLike(network);
  std::string error = runtime::runTimeStep(network, sample, options, run.result,
                                           &run.gradients, &run.traffic);
  EXPECT_EQ(error, "");
  return run;
}

uint64_t bytesRead(const runtime::TrafficCounters &traffic, Phase phase,
                   MemoryClass memoryClass) {
  return traffic
      .bytesRead[static_cast<int>(phase)][static_cast<int>(memoryClass)];
}
uint64_t bytesWritten(const runtime::TrafficCounters &traffic, Phase phase,
                      MemoryClass memoryClass) {
  return traffic
      .bytesWritten[static_cast<int>(phase)][static_cast<int>(memoryClass)];
}

/// Runs every sample on the builtin executor and on the kernels and checks
/// that they agree bit for bit. `extraQueueBytesPerStep` is what the
/// kernels count in forward queue reads beyond the executor per step
/// (docs/traffic.md): each dense `deliver` reads the spike byte per
/// multiply-accumulate (P Q, the executor counts P) and each `record` its
/// ring slot (m). Returns the spikes seen per population.
std::vector<size_t> expectSameResults(const runtime::Network &network,
                                      const runtime::TimeStepOptions &builtin,
                                      const runtime::TimeStepOptions &compiled,
                                      uint64_t extraQueueBytesPerStep) {
  std::vector<size_t> spikes(network.populations.size(), 0);
  int32_t steps = runtime::timeStepCount(network, builtin);
  for (const runtime::Sample &sample : makeSamples()) {
    SampleRun reference = runOne(network, sample, builtin);
    SampleRun kernels = runOne(network, sample, compiled);

    // Spikes (neuron, step time, current), outputs and loss.
    for (size_t index = 0; index < network.populations.size(); ++index) {
      const auto &expected = reference.result.spikes[index];
      const auto &actual = kernels.result.spikes[index];
      EXPECT_EQ(actual.size(), expected.size()) << "population " << index;
      if (actual.size() != expected.size())
        continue;
      for (size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ(actual[k].neuron, expected[k].neuron);
        EXPECT_EQ(actual[k].timeMs, expected[k].timeMs);
        EXPECT_EQ(actual[k].current, expected[k].current);
      }
      spikes[index] += expected.size();
    }
    EXPECT_EQ(kernels.result.outputs, reference.result.outputs);
    EXPECT_EQ(kernels.result.loss, reference.result.loss);
    EXPECT_EQ(kernels.result.prediction, reference.result.prediction);
    EXPECT_EQ(kernels.gradients.weight, reference.gradients.weight);
    EXPECT_EQ(kernels.gradients.threshold, reference.gradients.threshold);

    // Synapse, record and grad bytes and synaptic operations agree; the
    // queue reads show the kernels' own counting.
    for (Phase phase : {Phase::Forward, Phase::Backward}) {
      for (MemoryClass memoryClass :
           {MemoryClass::Synapse, MemoryClass::Record, MemoryClass::Grad}) {
        EXPECT_EQ(bytesRead(kernels.traffic, phase, memoryClass),
                  bytesRead(reference.traffic, phase, memoryClass))
            << "phase " << static_cast<int>(phase) << " class "
            << static_cast<int>(memoryClass);
        EXPECT_EQ(bytesWritten(kernels.traffic, phase, memoryClass),
                  bytesWritten(reference.traffic, phase, memoryClass))
            << "phase " << static_cast<int>(phase) << " class "
            << static_cast<int>(memoryClass);
      }
      EXPECT_EQ(kernels.traffic.synapticOps[static_cast<int>(phase)],
                reference.traffic.synapticOps[static_cast<int>(phase)]);
    }
    EXPECT_EQ(bytesRead(kernels.traffic, Phase::Forward, MemoryClass::Queue),
              bytesRead(reference.traffic, Phase::Forward, MemoryClass::Queue) +
                  extraQueueBytesPerStep * steps);
    EXPECT_GT(bytesRead(kernels.traffic, Phase::Backward, MemoryClass::Record),
              0u);
  }
  return spikes;
}

TEST_F(TimeStepKernelsTest, recurrentNetworkWithDelaysRunsOnKernels) {
  runtime::TimeStepOptions options;
  options.dtMs = 0.5;
  options.slope = 5;
  load(kRecurrentModel, options);
  if (HasFatalFailure())
    return;

  // Every kernel the network needs is set, in the variant its clamp and
  // learn flags call for, and no other.
  EXPECT_EQ(kernels->steps, 60);
  EXPECT_TRUE(kernels->hasBackward);
  EXPECT_NE(population("in").record, nullptr);
  EXPECT_NE(population("hid").lifClampStep, nullptr);
  EXPECT_EQ(population("hid").lifStep, nullptr);
  EXPECT_NE(population("hid").lifThresholdBackwardStep, nullptr);
  EXPECT_EQ(population("hid").lifBackwardStep, nullptr);
  EXPECT_EQ(population("in").ringDepth, 7);
  EXPECT_EQ(population("hid").ringDepth, 4);
  EXPECT_EQ(population("hid").refractorySteps, 4);
  EXPECT_NE(population("out").lifStep, nullptr);
  EXPECT_EQ(population("out").lifClampStep, nullptr);
  EXPECT_NE(population("out").lifBackwardStep, nullptr);
  EXPECT_NE(projection("in_hid").deliver, nullptr);
  EXPECT_NE(projection("in_hid").backwardWeight, nullptr);
  EXPECT_NE(projection("hid_hid").deliver, nullptr);
  EXPECT_NE(projection("hid_hid").backwardError, nullptr);
  EXPECT_EQ(projection("hid_hid").backwardDeliver, nullptr);
  EXPECT_NE(projection("hid_out").deliver, nullptr);
  EXPECT_NE(projection("hid_out").backwardDeliver, nullptr);

  runtime::TimeStepOptions builtin = options;
  runtime::TimeStepOptions compiled = options;
  compiled.kernels = kernels;
  // hid_out is dense: 4 x 2 spike reads per step against 4; the source's
  // record reads its 3 channels.
  std::vector<size_t> spikes =
      expectSameResults(network, builtin, compiled, (4 * 2 - 4) + 3);
  EXPECT_GT(spikes[network.findPopulation("hid")], 10u);
  EXPECT_GT(spikes[network.findPopulation("out")], 0u);

  // The comparison is between nonzero gradients of every learned kind.
  SampleRun run = runOne(network, makeSamples()[1], compiled);
  auto nonzero = [](const std::vector<double> &values) {
    return std::count_if(values.begin(), values.end(),
                         [](double value) { return value != 0; });
  };
  EXPECT_GT(nonzero(run.gradients.weight[0]), 0);
  EXPECT_EQ(nonzero(run.gradients.weight[1]), 0);
  EXPECT_GT(nonzero(run.gradients.weight[2]), 0);
  EXPECT_GT(nonzero(run.gradients.threshold[network.findPopulation("hid")]), 0);
}

TEST_F(TimeStepKernelsTest, readoutWithDelaysRunsOnKernels) {
  runtime::TimeStepOptions options;
  options.dtMs = 0.25;
  load(kReadoutModel, options);
  if (HasFatalFailure())
    return;

  EXPECT_EQ(kernels->steps, 100);
  EXPECT_NE(population("in").record, nullptr);
  EXPECT_NE(population("hid").lifStep, nullptr);
  EXPECT_NE(population("hid").lifBackwardStep, nullptr);
  EXPECT_NE(population("out").liStep, nullptr);
  EXPECT_NE(population("out").liBackwardStep, nullptr);
  EXPECT_NE(projection("in_hid").deliver, nullptr);
  EXPECT_NE(projection("in_hid").backwardWeight, nullptr);
  EXPECT_NE(projection("hid_out").deliver, nullptr);
  EXPECT_NE(projection("hid_out").backwardDeliver, nullptr);
  // Fixed weights from a source: nothing to do backward.
  EXPECT_NE(projection("in_out").deliver, nullptr);
  EXPECT_EQ(projection("in_out").backwardDeliver, nullptr);
  EXPECT_EQ(projection("in_out").backwardError, nullptr);
  EXPECT_EQ(projection("in_out").backwardWeight, nullptr);

  runtime::TimeStepOptions compiled = options;
  compiled.kernels = kernels;
  // Dense in_hid (3 x 4 against 3) and in_out (3 x 2 against 3), and the
  // source's record.
  std::vector<size_t> spikes =
      expectSameResults(network, options, compiled, (12 - 3) + (6 - 3) + 3);
  EXPECT_GT(spikes[network.findPopulation("hid")], 10u);
}

TEST_F(TimeStepKernelsTest, batchesAgreeOnAnyThreadCount) {
  runtime::TimeStepOptions options;
  load(kRecurrentModel, options);
  if (HasFatalFailure())
    return;
  runtime::TimeStepOptions compiled = options;
  compiled.kernels = kernels;
  std::vector<runtime::Sample> batch = makeSamples();
  runtime::BatchResult reference =
      runtime::runTimeStepBatch(network, batch, true, 1, options);
  ASSERT_EQ(reference.error, "");
  for (int threads : {1, 3}) {
    runtime::BatchResult result =
        runtime::runTimeStepBatch(network, batch, true, threads, compiled);
    ASSERT_EQ(result.error, "");
    EXPECT_EQ(result.lossSum, reference.lossSum);
    EXPECT_EQ(result.correct, reference.correct);
    EXPECT_EQ(result.gradients.weight, reference.gradients.weight);
    EXPECT_EQ(result.gradients.threshold, reference.gradients.threshold);
    EXPECT_NE(result.traffic.totalBytes(), reference.traffic.totalBytes());
  }
  EXPECT_NE(reference.lossSum, 0);
}

TEST_F(TimeStepKernelsTest, tableThatDoesNotFitIsRefused) {
  runtime::TimeStepOptions options;
  options.dtMs = 0.5;
  load(kRecurrentModel, options);
  if (HasFatalFailure())
    return;
  runtime::Sample sample = makeSamples()[0];
  runtime::TimeStepResult result;
  runtime::Gradients gradients = runtime::Gradients::zerosLike(network);

  // Another grid than the one compiled in.
  runtime::TimeStepOptions finer = options;
  finer.dtMs = 0.25;
  finer.kernels = kernels;
  EXPECT_NE(
      runtime::runTimeStep(network, sample, finer, result, &gradients, nullptr)
          .find("built for dt 0.5 ms and slope 10"),
      std::string::npos);

  // The kernels compute the fast sigmoid only.
  runtime::TimeStepOptions heaviside = options;
  heaviside.surrogate = runtime::SurrogateKind::Heaviside;
  heaviside.kernels = kernels;
  EXPECT_NE(runtime::runTimeStep(network, sample, heaviside, result, &gradients,
                                 nullptr)
                .find("fast-sigmoid surrogate only"),
            std::string::npos);

  // A learn flag the kernels were not built for changes their arguments.
  runtime::Network changed = network;
  changed.projections[1].learnWeight = true;
  runtime::TimeStepOptions fitting = options;
  fitting.kernels = kernels;
  EXPECT_EQ(runtime::runTimeStep(changed, sample, fitting, result, &gradients,
                                 nullptr),
            "projection 'hid_hid' differs from the one the compiled "
            "time-stepped kernels were built for");

  // A table missing a kernel.
  auto incomplete = std::make_shared<runtime::TimeStepKernels>(*kernels);
  incomplete->projections[2].deliver = nullptr;
  fitting.kernels = incomplete;
  EXPECT_EQ(runtime::runTimeStep(network, sample, fitting, result, &gradients,
                                 nullptr),
            "the compiled time-stepped kernels have no deliver kernel for "
            "'hid_out'");
}

} // namespace
