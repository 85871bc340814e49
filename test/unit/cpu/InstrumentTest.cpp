//===- InstrumentTest.cpp - Instrumented kernels against the model --------===//
//
// Kernels built from a network, instrumented by snn-instrument-traffic,
// lowered to LLVM and JIT-compiled count their own memory traffic into a
// runtime::TrafficCounters. The counts must equal what the runtime's
// analytic model (runtime/TrafficModel.h) predicts for the same accesses.
//
//===----------------------------------------------------------------------===//

#include "snnc/Conversion/Passes.h"
#include "snnc/InitAll.h"
#include "snnc/Target/CPU/Kernels.h"
#include "snnc/Transforms/Passes.h"

#include "runtime/Network.h"
#include "runtime/TimeStep.h"
#include "runtime/Traffic.h"
#include "runtime/TrafficModel.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace snnc;
using runtime::MemoryClass;
using runtime::Phase;
using runtime::TrafficCounters;

// The kernels write TrafficCounters' two arrays as one memref<36xi64>.
static_assert(sizeof(TrafficCounters::bytesRead) == 18 * sizeof(uint64_t));
static_assert(offsetof(TrafficCounters, bytesWritten) ==
              sizeof(TrafficCounters::bytesRead));

namespace {

constexpr int32_t kSources = 5;
constexpr int32_t kTargets = 7;
constexpr double kDurationMs = 10.0;
constexpr double kStepMs = 0.5;
constexpr int32_t kSteps = 20;

/// A source of kSources channels projecting onto kTargets LIF neurons whose
/// threshold is out of reach, as MLIR.
const char *kNetwork = R"mlir(
snn.network @net duration(10.0) {
  %in = snn.source "in" : !snn.source<5>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(100.0)
      : !snn.lif<7>
  snn.project "in_out" %in -> %out weight(dense<0.25> : tensor<7x5xf64>)
      : !snn.source<5> -> !snn.lif<7>
}
)mlir";

/// The same network for the runtime's model.
runtime::Network runtimeNetwork() {
  runtime::Network network;
  network.name = "net";
  network.durationMs = kDurationMs;
  runtime::Population source;
  source.name = "in";
  source.kind = runtime::PopulationKind::Source;
  source.size = kSources;
  runtime::Population target;
  target.name = "out";
  target.kind = runtime::PopulationKind::LIF;
  target.size = kTargets;
  target.tauMemMs = 20.0;
  target.tauSynMs = 5.0;
  target.threshold.assign(kTargets, 100.0);
  network.populations = {source, target};
  runtime::Projection projection;
  projection.name = "in_out";
  projection.pre = 0;
  projection.post = 1;
  projection.weight.assign(kSources * kTargets, 0.25);
  network.projections = {projection};
  return network;
}

uint64_t bytesRead(const TrafficCounters &counters, Phase phase,
                   MemoryClass memoryClass) {
  return counters
      .bytesRead[static_cast<int>(phase)][static_cast<int>(memoryClass)];
}

uint64_t bytesWritten(const TrafficCounters &counters, Phase phase,
                      MemoryClass memoryClass) {
  return counters
      .bytesWritten[static_cast<int>(phase)][static_cast<int>(memoryClass)];
}

/// The counters as the kernels see them.
uint64_t *counterArray(TrafficCounters &counters) {
  return &counters.bytesRead[0][0];
}

class InstrumentTest : public testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    cpu::registerTranslations(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Builds the kernels of kNetwork with `buildKernels`, instruments and
  /// lowers them, and JIT-compiles the result.
  void compile(void (*buildKernels)(mlir::OpPassManager &)) {
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(kNetwork, &context);
    ASSERT_TRUE(module) << "the network does not parse";
    mlir::PassManager pm(&context);
    buildKernels(pm);
    pm.addPass(createSNNInstrumentTraffic());
    pm.addPass(createConvertEVToLLVM());
    ASSERT_TRUE(mlir::succeeded(pm.run(*module))) << "the kernels do not lower";
    auto compiled = cpu::KernelLibrary::create(*module);
    ASSERT_TRUE(static_cast<bool>(compiled))
        << llvm::toString(compiled.takeError());
    library = std::move(*compiled);
  }

  template <typename Signature> Signature *kernel(llvm::StringRef name) {
    auto function = library->lookupFunction<Signature>(name);
    if (!function) {
      ADD_FAILURE() << llvm::toString(function.takeError());
      return nullptr;
    }
    return *function;
  }

  mlir::MLIRContext context;
  std::unique_ptr<cpu::KernelLibrary> library;
};

TEST_F(InstrumentTest, FanoutCountsWhatTheModelPredicts) {
  compile([](mlir::OpPassManager &pm) { pm.addPass(createConvertSNNToEV()); });
  using FanoutFn = void(double *, int64_t, double *, uint64_t *);
  auto *fanout = kernel<FanoutFn>("net_in_out_fanout");
  ASSERT_NE(fanout, nullptr);

  // One input spike of channel 2, fanned out to every target.
  std::vector<double> weight(kSources * kTargets, 0.25);
  std::vector<double> current(kTargets, 1.0);
  TrafficCounters counters;
  fanout(weight.data(), 2, current.data(), counterArray(counters));
  for (double value : current)
    EXPECT_EQ(value, 1.25);

  // The model's synapse bytes for that spike: one weight per target.
  runtime::Network network = runtimeNetwork();
  runtime::Sample sample;
  sample.spikes.push_back({0, 2, 1.0});
  runtime::ForwardResult forward;
  forward.spikes.resize(network.populations.size());
  TrafficCounters model =
      runtime::exactTrafficModel(network, sample, forward, false);
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::Synapse),
            bytesRead(model, Phase::Forward, MemoryClass::Synapse));
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::Synapse),
            uint64_t{kTargets * 8});

  // The current of each target read and written once. The model estimates
  // the state an event touches in the event-driven executor, which also
  // advances the target; the kernel only raises the current.
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::State),
            uint64_t{kTargets * 8});
  EXPECT_EQ(bytesWritten(counters, Phase::Forward, MemoryClass::State),
            uint64_t{kTargets * 8});
  EXPECT_EQ(counters.totalBytes(), uint64_t{kTargets * 8 * 3});
}

TEST_F(InstrumentTest, TimeStepDeliveryCountsWhatTheModelPredicts) {
  compile([](mlir::OpPassManager &pm) {
    ConvertSNNToTimeStepOptions options;
    options.dtMs = kStepMs;
    pm.addPass(createConvertSNNToTimeStep(options));
  });
  using DeliverFn = void(double *, uint8_t *, double *, int64_t, uint64_t *);
  auto *deliver = kernel<DeliverFn>("net_in_out_deliver");
  ASSERT_NE(deliver, nullptr);

  // The dense product of every step, with channel 1 spiking at step 3.
  std::vector<double> weight(kSources * kTargets, 0.25);
  std::vector<double> current(kTargets, 0.0);
  TrafficCounters counters;
  for (int64_t step = 0; step < kSteps; ++step) {
    std::vector<uint8_t> ring(kSources, 0);
    if (step == 3)
      ring[1] = 1;
    deliver(weight.data(), ring.data(), current.data(), step,
            counterArray(counters));
  }
  for (double value : current)
    EXPECT_EQ(value, 0.25);

  // The model's dense synapse traffic, 8 PQ N, is exact for BPTT.
  runtime::Network network = runtimeNetwork();
  runtime::TimeStepOptions options;
  options.dtMs = kStepMs;
  runtime::Sample sample;
  sample.spikes.push_back({0, 1, 3 * kStepMs});
  runtime::TimeStepResult result;
  result.spikes.resize(network.populations.size());
  TrafficCounters model =
      runtime::timeStepTrafficModel(network, options, sample, result, false);
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::Synapse),
            bytesRead(model, Phase::Forward, MemoryClass::Synapse));
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::Synapse),
            uint64_t{8 * kSources * kTargets * kSteps});

  // The current update: 8 Q N each way, the projection's share of the
  // model's state traffic.
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::State),
            uint64_t{8 * kTargets * kSteps});
  EXPECT_EQ(bytesWritten(counters, Phase::Forward, MemoryClass::State),
            uint64_t{8 * kTargets * kSteps});
  // The kernel reads the spike byte per MAC where the runtime keeps the
  // spike vector in cache and counts it once per step.
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::Queue),
            uint64_t{kSources * kTargets * kSteps});
  EXPECT_EQ(bytesRead(counters, Phase::Backward, MemoryClass::Synapse), 0u);
}

TEST_F(InstrumentTest, TimeStepForwardKernelsMatchTheExecutor) {
  compile([](mlir::OpPassManager &pm) {
    ConvertSNNToTimeStepOptions options;
    options.dtMs = kStepMs;
    pm.addPass(createConvertSNNToTimeStep(options));
  });
  using StepFn = void(double *, double *, uint8_t *, double *, double *,
                      uint8_t *, int64_t, bool, uint64_t *);
  using RecordFn = void(uint8_t *, uint8_t *, int64_t, uint64_t *);
  using DeliverFn = void(double *, uint8_t *, double *, int64_t, uint64_t *);
  auto *step = kernel<StepFn>("net_out_step");
  auto *record = kernel<RecordFn>("net_in_record");
  auto *deliver = kernel<DeliverFn>("net_in_out_deliver");
  ASSERT_TRUE(step && record && deliver);

  // Weights and thresholds are arguments: the executor's network gets the
  // same ones, and a first-spike loss so that it records traces.
  runtime::Network network = runtimeNetwork();
  network.populations[1].threshold.assign(kTargets, 0.3);
  for (size_t synapse = 0; synapse < network.projections[0].weight.size();
       ++synapse)
    network.projections[0].weight[synapse] = 0.1 + 0.05 * (synapse % 9);
  network.loss.kind = runtime::LossKind::TimeToFirstSpike;
  network.loss.population = 1;
  network.loss.tau0Ms = 0.5;
  network.loss.tau1Ms = 6.4;
  network.loss.alpha = 3e-3;
  runtime::Sample sample;
  for (int32_t channel = 0; channel < kSources; ++channel)
    sample.spikes.push_back({0, channel, 0.5 + 1.5 * channel});
  sample.spikes.push_back({0, 3, 1.0});
  sample.label = 0;

  // The host's loop of docs/kernels.md, forward only.
  std::vector<double> weight = network.projections[0].weight;
  std::vector<double> threshold = network.populations[1].threshold;
  std::vector<double> voltage(kTargets, 0.0), current(kTargets, 0.0);
  std::vector<uint8_t> spikes(kTargets, 0), inputs(kSources, 0);
  std::vector<double> voltageTrace(kSteps * kTargets, 0.0);
  std::vector<uint8_t> flagTrace(kSteps * kTargets, 0);
  std::vector<uint8_t> inputTrace(kSteps * kSources, 0);
  TrafficCounters counters;
  for (int64_t n = 0; n < kSteps; ++n) {
    step(voltage.data(), current.data(), spikes.data(), threshold.data(),
         voltageTrace.data(), flagTrace.data(), n, true,
         counterArray(counters));
    std::fill(inputs.begin(), inputs.end(), 0);
    for (const runtime::InputSpike &spike : sample.spikes)
      if (std::llround(spike.timeMs / kStepMs) == n)
        ++inputs[spike.channel];
    record(inputs.data(), inputTrace.data(), n, counterArray(counters));
    deliver(weight.data(), inputs.data(), current.data(), n,
            counterArray(counters));
  }
  std::set<std::pair<int32_t, int64_t>> compiledSpikes;
  for (int64_t n = 0; n < kSteps; ++n)
    for (int32_t neuron = 0; neuron < kTargets; ++neuron)
      if (flagTrace[n * kTargets + neuron] & 1)
        compiledSpikes.insert({neuron, n});

  // The executor on the same sample.
  runtime::TimeStepOptions options;
  options.dtMs = kStepMs;
  runtime::TimeStepResult result;
  runtime::Gradients gradients = runtime::Gradients::zerosLike(network);
  TrafficCounters executed;
  ASSERT_EQ(runtime::runTimeStep(network, sample, options, result, &gradients,
                                 &executed),
            "");
  std::set<std::pair<int32_t, int64_t>> executorSpikes;
  for (const runtime::SpikeRecord &spike : result.spikes[1])
    executorSpikes.insert({spike.neuron, std::llround(spike.timeMs / kStepMs)});
  EXPECT_FALSE(executorSpikes.empty());
  EXPECT_EQ(compiledSpikes, executorSpikes);

  // Same stored trace and synaptic traffic as the executor counts.
  EXPECT_EQ(bytesWritten(counters, Phase::Forward, MemoryClass::Record),
            bytesWritten(executed, Phase::Forward, MemoryClass::Record));
  EXPECT_EQ(bytesRead(counters, Phase::Forward, MemoryClass::Synapse),
            bytesRead(executed, Phase::Forward, MemoryClass::Synapse));
}

} // namespace
