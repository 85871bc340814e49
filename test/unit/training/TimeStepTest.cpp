//===- TimeStepTest.cpp - The time-stepped BPTT baseline ------------------===//
//
// Checks the baseline the exact method is compared with: its gradients
// against finite differences of its own forward pass, its spike times
// against the exact ones as dt shrinks, its traffic counters against the
// analytic model, and its determinism across thread counts.
//
//===----------------------------------------------------------------------===//

#include "runtime/TimeStep.h"
#include "runtime/Energy.h"
#include "runtime/EventProp.h"
#include "runtime/TrafficModel.h"

#include "../runtime/RandomNetwork.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace snnc::runtime;
using snnc::runtime::testing::makeRandomNetwork;
using snnc::runtime::testing::makeRandomSample;
using snnc::runtime::testing::RandomNetworkConfig;

namespace {

/// Whether two forward passes produced the same spikes in every population.
bool sameSpikes(const TimeStepResult &left, const TimeStepResult &right) {
  if (left.spikes.size() != right.spikes.size())
    return false;
  for (size_t index = 0; index < left.spikes.size(); ++index) {
    if (left.spikes[index].size() != right.spikes[index].size())
      return false;
    for (size_t spike = 0; spike < left.spikes[index].size(); ++spike) {
      if (left.spikes[index][spike].neuron !=
              right.spikes[index][spike].neuron ||
          left.spikes[index][spike].timeMs != right.spikes[index][spike].timeMs)
        return false;
    }
  }
  return true;
}

double lossOf(const Network &network, const Sample &sample,
              const TimeStepOptions &options, TimeStepResult &result) {
  std::string error =
      runTimeStep(network, sample, options, result, nullptr, nullptr);
  EXPECT_EQ(error, "");
  return result.loss;
}

/// Compares every weight gradient with a central difference of the loss;
/// returns how many weights were checked (those whose perturbation moves
/// no spike).
int checkWeightGradients(const RandomNetworkConfig &config, uint64_t seed) {
  Network network = makeRandomNetwork(config, seed);
  Sample sample = makeRandomSample(config, seed + 100);
  sample.label = 1;
  TimeStepOptions options;
  options.dtMs = 0.25;
  options.surrogate = SurrogateKind::Heaviside;

  TimeStepResult base;
  Gradients gradients = Gradients::zerosLike(network);
  EXPECT_EQ(runTimeStep(network, sample, options, base, &gradients, nullptr),
            "");

  constexpr double kStep = 1e-6;
  int checked = 0;
  int nonZero = 0;
  for (size_t projection = 0; projection < network.projections.size();
       ++projection) {
    std::vector<double> &weights = network.projections[projection].weight;
    for (size_t synapse = 0; synapse < weights.size(); ++synapse) {
      double original = weights[synapse];
      TimeStepResult plus, minus;
      weights[synapse] = original + kStep;
      double lossPlus = lossOf(network, sample, options, plus);
      weights[synapse] = original - kStep;
      double lossMinus = lossOf(network, sample, options, minus);
      weights[synapse] = original;
      if (!sameSpikes(plus, base) || !sameSpikes(minus, base))
        continue;
      double difference = (lossPlus - lossMinus) / (2 * kStep);
      double analytic = gradients.weight[projection][synapse];
      EXPECT_NEAR(analytic, difference,
                  1e-6 * std::max(1.0, std::fabs(difference)))
          << "projection " << projection << " synapse " << synapse;
      ++checked;
      nonZero += analytic != 0;
    }
  }
  // With the true step derivative only the synapses into the readout carry
  // a gradient (the loss sees earlier layers through their spikes alone);
  // they would be zero too if the backward pass did nothing.
  EXPECT_GT(nonZero, 8);
  return checked;
}

} // namespace

TEST(TimeStepGradient, WeightsMatchFiniteDifferencesWithoutDelays) {
  RandomNetworkConfig config;
  config.loss = LossKind::MaxVoltage;
  config.delays = false;
  EXPECT_GT(checkWeightGradients(config, 3), 50);
}

TEST(TimeStepGradient, WeightsMatchFiniteDifferencesWithDelays) {
  RandomNetworkConfig config;
  config.loss = LossKind::MaxVoltage;
  config.delays = true;
  EXPECT_GT(checkWeightGradients(config, 5), 50);
}

TEST(TimeStepGradient, WeightsMatchFiniteDifferencesWithRefractoryClamp) {
  RandomNetworkConfig config;
  config.loss = LossKind::MaxVoltage;
  config.delays = false;
  config.recurrent = false;
  config.refractoryMs = 2;
  EXPECT_GT(checkWeightGradients(config, 7), 50);
}

// With the true step derivative a threshold change that moves no spike
// changes nothing: both the difference and the BPTT gradient are zero.
// With the fast sigmoid the gradient is the surrogate's, and a few plain
// gradient steps must lower the loss of a time-to-first-spike sample.
TEST(TimeStepGradient, SurrogateGradientDescentLowersTheLoss) {
  RandomNetworkConfig config;
  config.delays = false;
  Network network = makeRandomNetwork(config, 11);
  Sample sample = makeRandomSample(config, 12);
  sample.label = 2;
  TimeStepOptions options;
  options.dtMs = 0.5;
  options.slope = 5;

  TimeStepResult result;
  double first = lossOf(network, sample, options, result);
  double last = first;
  for (int iteration = 0; iteration < 30; ++iteration) {
    Gradients gradients = Gradients::zerosLike(network);
    ASSERT_EQ(
        runTimeStep(network, sample, options, result, &gradients, nullptr), "");
    for (size_t projection = 0; projection < network.projections.size();
         ++projection) {
      for (size_t synapse = 0;
           synapse < network.projections[projection].weight.size(); ++synapse)
        network.projections[projection].weight[synapse] -=
            0.05 * gradients.weight[projection][synapse];
    }
    last = lossOf(network, sample, options, result);
  }
  EXPECT_LT(last, 0.5 * first) << "first " << first;

  Gradients heaviside = Gradients::zerosLike(network);
  options.surrogate = SurrogateKind::Heaviside;
  ASSERT_EQ(runTimeStep(network, sample, options, result, &heaviside, nullptr),
            "");
  for (const std::vector<double> &values : heaviside.threshold) {
    for (double value : values)
      EXPECT_EQ(value, 0.0);
  }
}

// One neuron driven by one input: the exact crossing time is known from the
// closed form; the grid's spike comes at the first step at or after it, so
// the error is below dt and shrinks with it.
TEST(TimeStepConvergence, SpikeTimesApproachTheExactSolution) {
  RandomNetworkConfig config;
  config.delays = false;
  config.recurrent = false;
  Network network = makeRandomNetwork(config, 21);
  std::vector<Sample> samples;
  for (uint64_t seed = 0; seed < 8; ++seed)
    samples.push_back(makeRandomSample(config, 300 + seed));

  std::vector<double> meanErrors;
  for (double dt : {1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125}) {
    TimeStepOptions options;
    options.dtMs = dt;
    double errorSum = 0;
    int matched = 0;
    for (const Sample &sample : samples) {
      ForwardResult exact;
      ASSERT_EQ(runForward(network, sample, exact, nullptr), "");
      TimeStepResult stepped;
      ASSERT_EQ(
          runTimeStep(network, sample, options, stepped, nullptr, nullptr), "");
      for (size_t neuron = 0; neuron < exact.outputs.size(); ++neuron) {
        if (exact.outputs[neuron] < network.durationMs &&
            stepped.outputs[neuron] < network.durationMs) {
          errorSum +=
              std::fabs(stepped.outputs[neuron] - exact.outputs[neuron]);
          ++matched;
        }
      }
    }
    ASSERT_GT(matched, 0) << "dt " << dt;
    meanErrors.push_back(errorSum / matched);
    // Each layer may lag its inputs by up to one step; three layers.
    EXPECT_LT(meanErrors.back(), 3 * dt) << "dt " << dt;
  }
  // First order: each halving of dt about halves the error.
  for (size_t index = 1; index < meanErrors.size(); ++index)
    EXPECT_LT(meanErrors[index], 0.8 * meanErrors[index - 1])
        << "step " << index;
}

TEST(TimeStepConvergence, SingleNeuronCrossesWithinOneStep) {
  Network network;
  network.name = "single";
  network.durationMs = 40;
  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = 1;
  Population neuron;
  neuron.name = "out";
  neuron.size = 1;
  neuron.tauMemMs = 20;
  neuron.tauSynMs = 5;
  neuron.threshold = {1.0};
  network.populations = {source, neuron};
  Projection projection;
  projection.name = "in_out";
  projection.pre = 0;
  projection.post = 1;
  projection.weight = {10.0};
  network.projections = {projection};
  network.loss.kind = LossKind::TimeToFirstSpike;
  network.loss.population = 1;
  network.loss.tau0Ms = 0.5;
  network.loss.tau1Ms = 6.4;
  network.loss.alpha = 3e-3;
  Sample sample;
  sample.spikes = {{0, 0, 2.0}};

  // The closed form crosses 2.82625175545831 ms after the input.
  double exact = 2.0 + 2.82625175545831;
  for (double dt : {1.0, 0.5, 0.1, 0.01}) {
    TimeStepOptions options;
    options.dtMs = dt;
    TimeStepResult result;
    ASSERT_EQ(runTimeStep(network, sample, options, result, nullptr, nullptr),
              "");
    ASSERT_EQ(result.spikes[1].size(), 1u);
    double spikeTime = result.spikes[1][0].timeMs;
    EXPECT_GE(spikeTime, exact - 1e-9) << "dt " << dt;
    EXPECT_LT(spikeTime, exact + dt) << "dt " << dt;
  }
}

namespace {

void expectCountersEqual(const TrafficCounters &measured,
                         const TrafficCounters &model) {
  for (int phase = 0; phase < kNumPhases; ++phase) {
    for (int memoryClass = 0; memoryClass < kNumMemoryClasses; ++memoryClass) {
      EXPECT_EQ(measured.bytesRead[phase][memoryClass],
                model.bytesRead[phase][memoryClass])
          << phaseName(static_cast<Phase>(phase)) << " "
          << memoryClassName(static_cast<MemoryClass>(memoryClass));
      EXPECT_EQ(measured.bytesWritten[phase][memoryClass],
                model.bytesWritten[phase][memoryClass])
          << phaseName(static_cast<Phase>(phase)) << " "
          << memoryClassName(static_cast<MemoryClass>(memoryClass));
    }
    EXPECT_EQ(measured.synapticOps[phase], model.synapticOps[phase]);
  }
}

void checkTimeStepCounters(const RandomNetworkConfig &config, uint64_t seed,
                           double dt) {
  Network network = makeRandomNetwork(config, seed);
  Sample sample = makeRandomSample(config, seed + 1);
  sample.label = 0;
  TimeStepOptions options;
  options.dtMs = dt;
  for (bool training : {false, true}) {
    TimeStepResult result;
    TrafficCounters counters;
    Gradients gradients = Gradients::zerosLike(network);
    ASSERT_EQ(runTimeStep(network, sample, options, result,
                          training ? &gradients : nullptr, &counters),
              "");
    SCOPED_TRACE(training ? "training" : "inference");
    expectCountersEqual(counters, timeStepTrafficModel(network, options, sample,
                                                       result, training));
  }
}

} // namespace

TEST(TimeStepTraffic, CountersMatchTheModelWithoutDelays) {
  RandomNetworkConfig config;
  config.delays = false;
  checkTimeStepCounters(config, 31, 0.5);
  config.loss = LossKind::MaxVoltage;
  config.learnThreshold = false;
  checkTimeStepCounters(config, 32, 0.25);
}

TEST(TimeStepTraffic, CountersMatchTheModelWithDelaysAndRefractoriness) {
  RandomNetworkConfig config;
  config.delays = true;
  config.refractoryMs = 1.5;
  checkTimeStepCounters(config, 33, 0.5);
}

// The exact method's synapse and record traffic and its synaptic operations
// follow from spike counts and fan-outs alone; its state, queue and grad
// traffic depend on how events interleave, which the model only bounds.
TEST(ExactTraffic, CountersMatchTheModel) {
  RandomNetworkConfig config;
  config.delays = false;
  config.recurrent = false;
  Network network = makeRandomNetwork(config, 41);
  Sample sample = makeRandomSample(config, 42);
  sample.label = 1;
  ForwardResult forward;
  TrafficCounters counters;
  ASSERT_EQ(runForward(network, sample, forward, &counters), "");
  Gradients gradients = Gradients::zerosLike(network);
  ASSERT_EQ(runBackward(network, sample, forward, gradients, &counters), "");
  TrafficCounters model = exactTrafficModel(network, sample, forward, true);

  for (Phase phase : {Phase::Forward, Phase::Backward}) {
    int p = static_cast<int>(phase);
    for (MemoryClass memoryClass :
         {MemoryClass::Synapse, MemoryClass::Record}) {
      int c = static_cast<int>(memoryClass);
      EXPECT_EQ(counters.bytesRead[p][c], model.bytesRead[p][c])
          << phaseName(phase) << " " << memoryClassName(memoryClass);
      EXPECT_EQ(counters.bytesWritten[p][c], model.bytesWritten[p][c])
          << phaseName(phase) << " " << memoryClassName(memoryClass);
    }
    EXPECT_EQ(counters.synapticOps[p], model.synapticOps[p]);
  }
  double measured = static_cast<double>(counters.totalBytes());
  double modelled = static_cast<double>(model.totalBytes());
  EXPECT_GT(measured, 0.5 * modelled);
  EXPECT_LT(measured, 1.5 * modelled);
}

TEST(TimeStepBatch, DeterministicAcrossThreadCounts) {
  RandomNetworkConfig config;
  Network network = makeRandomNetwork(config, 51);
  std::vector<Sample> batch;
  for (uint64_t seed = 0; seed < 13; ++seed) {
    batch.push_back(makeRandomSample(config, 600 + seed));
    batch.back().label = static_cast<int32_t>(seed % 3);
  }
  TimeStepOptions options;
  options.dtMs = 0.5;
  BatchResult reference = runTimeStepBatch(network, batch, true, 1, options);
  ASSERT_EQ(reference.error, "");
  for (int threads : {2, 3, 8}) {
    BatchResult result =
        runTimeStepBatch(network, batch, true, threads, options);
    ASSERT_EQ(result.error, "");
    EXPECT_EQ(result.lossSum, reference.lossSum);
    EXPECT_EQ(result.correct, reference.correct);
    EXPECT_EQ(result.gradients.weight, reference.gradients.weight);
    EXPECT_EQ(result.gradients.threshold, reference.gradients.threshold);
    EXPECT_EQ(result.traffic.totalBytes(), reference.traffic.totalBytes());
  }
}

TEST(TimeStepOptionsCheck, RejectsBadSteps) {
  RandomNetworkConfig config;
  Network network = makeRandomNetwork(config, 61);
  TimeStepOptions options;
  options.dtMs = 0;
  EXPECT_NE(validateTimeStepOptions(network, options).find("dt"),
            std::string::npos);
  options.dtMs = 0.5;
  options.slope = -1;
  EXPECT_NE(validateTimeStepOptions(network, options).find("slope"),
            std::string::npos);
  BatchResult result = runTimeStepBatch(network, {}, false, 1, options);
  EXPECT_NE(result.error.find("slope"), std::string::npos);
}

TEST(Energy, TablesPriceOperationsAndBytes) {
  EnergyTable table;
  std::string error;
  EXPECT_FALSE(energyTable("tpu", table, error));
  EXPECT_NE(error.find("tpu"), std::string::npos);
  TrafficCounters traffic;
  traffic.synapticOps[0] = 10;
  traffic.read(Phase::Forward, MemoryClass::Synapse, 80);
  traffic.write(Phase::Forward, MemoryClass::State, 32);
  traffic.write(Phase::Forward, MemoryClass::Record, 100);
  ASSERT_TRUE(energyTable("loihi", table, error));
  // 10 synaptic ops, 2 state updates, 100 record bytes at 2.5 pJ.
  EXPECT_DOUBLE_EQ(estimateEnergy(traffic, table).totalPj(),
                   10 * 23.6 + 2 * 81 + 100 * 2.5);
  ASSERT_TRUE(energyTable("cmos45", table, error));
  EXPECT_DOUBLE_EQ(estimateEnergy(traffic, table).totalPj(),
                   10 * 4.6 + 2 * 12.9 + (80 + 32 + 100) * 2.5);
}
