//===- EventPropTest.cpp - Forward pass, batches, errors and traffic ------===//

#include "RandomNetwork.h"

#include "runtime/EventProp.h"
#include "runtime/Random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace snnc::runtime;
using snnc::runtime::testing::makeRandomNetwork;
using snnc::runtime::testing::makeRandomSample;
using snnc::runtime::testing::RandomNetworkConfig;

namespace {

/// Bitwise equality, so that -0.0 vs 0.0 or a last-bit difference fails.
bool sameBits(const std::vector<std::vector<double>> &left,
              const std::vector<std::vector<double>> &right) {
  if (left.size() != right.size())
    return false;
  for (size_t row = 0; row < left.size(); ++row) {
    if (left[row].size() != right[row].size() ||
        std::memcmp(left[row].data(), right[row].data(),
                    left[row].size() * sizeof(double)) != 0)
      return false;
  }
  return true;
}

std::vector<Sample> makeBatch(const RandomNetworkConfig &config, int count) {
  std::vector<Sample> batch;
  for (int index = 0; index < count; ++index)
    batch.push_back(makeRandomSample(config, 100 + index));
  return batch;
}

TEST(EventPropTest, BatchIsBitIdenticalForAnyThreadCount) {
  for (LossKind loss : {LossKind::TimeToFirstSpike, LossKind::MaxVoltage}) {
    RandomNetworkConfig config;
    config.loss = loss;
    Network network = makeRandomNetwork(config, 7);
    std::vector<Sample> batch = makeBatch(config, 23);
    BatchResult reference = runBatch(network, batch, true, 1);
    ASSERT_EQ(reference.error, "");
    EXPECT_GT(reference.lossSum, 0);
    for (int threads : {2, 4, 7}) {
      BatchResult result = runBatch(network, batch, true, threads);
      ASSERT_EQ(result.error, "");
      EXPECT_EQ(
          std::memcmp(&result.lossSum, &reference.lossSum, sizeof(double)), 0)
          << threads << " threads";
      EXPECT_EQ(result.correct, reference.correct);
      EXPECT_TRUE(
          sameBits(result.gradients.weight, reference.gradients.weight));
      EXPECT_TRUE(sameBits(result.gradients.delay, reference.gradients.delay));
      EXPECT_TRUE(
          sameBits(result.gradients.threshold, reference.gradients.threshold));
      EXPECT_EQ(result.traffic.bytesRead, reference.traffic.bytesRead);
      EXPECT_EQ(result.traffic.bytesWritten, reference.traffic.bytesWritten);
      EXPECT_EQ(result.traffic.synapticOps, reference.traffic.synapticOps);
    }
  }
}

TEST(EventPropTest, BatchSumsPerSampleResults) {
  RandomNetworkConfig config;
  Network network = makeRandomNetwork(config, 3);
  std::vector<Sample> batch = makeBatch(config, 5);
  double lossSum = 0;
  int32_t correct = 0;
  Gradients gradients = Gradients::zerosLike(network);
  for (const Sample &sample : batch) {
    ForwardResult forward;
    ASSERT_EQ(runForward(network, sample, forward, nullptr), "");
    ASSERT_EQ(runBackward(network, sample, forward, gradients, nullptr), "");
    lossSum += forward.loss;
    correct += forward.prediction == sample.label;
  }
  BatchResult result = runBatch(network, batch, true, 3);
  ASSERT_EQ(result.error, "");
  EXPECT_NEAR(result.lossSum, lossSum, 1e-12 * std::fabs(lossSum));
  EXPECT_EQ(result.correct, correct);
  for (size_t projection = 0; projection < gradients.weight.size();
       ++projection) {
    for (size_t synapse = 0; synapse < gradients.weight[projection].size();
         ++synapse)
      EXPECT_NEAR(result.gradients.weight[projection][synapse],
                  gradients.weight[projection][synapse], 1e-12);
  }
}

/// A source of `inputs` channels densely connected, without delays, to an
/// LIF layer of `hidden` neurons and an LI readout of 2.
Network denseNetwork(int32_t inputs, int32_t hidden, double inputWeight) {
  Network network;
  network.durationMs = 50;
  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = inputs;
  Population layer;
  layer.name = "hidden";
  layer.size = hidden;
  layer.tauMemMs = 10;
  layer.tauSynMs = 5;
  layer.threshold.assign(hidden, 1.0);
  Population readout;
  readout.name = "out";
  readout.kind = PopulationKind::LI;
  readout.size = 2;
  readout.tauMemMs = 10;
  readout.tauSynMs = 5;
  network.populations = {source, layer, readout};
  Projection first;
  first.name = "in_hidden";
  first.pre = 0;
  first.post = 1;
  first.weight.assign(static_cast<size_t>(inputs) * hidden, inputWeight);
  Projection second;
  second.name = "hidden_out";
  second.pre = 1;
  second.post = 2;
  second.weight.assign(static_cast<size_t>(hidden) * 2, 0.1);
  second.weight[1] = -0.2;
  network.projections = {first, second};
  network.loss.kind = LossKind::MaxVoltage;
  network.loss.population = 2;
  return network;
}

TEST(EventPropTest, TrafficCountsEveryDeliveredEvent) {
  Network network = denseNetwork(4, 30, 1.5);
  Sample sample;
  for (int32_t channel = 0; channel < 4; ++channel)
    sample.spikes.push_back({0, channel, 1.0 + channel});
  sample.label = 1;
  ForwardResult forward;
  TrafficCounters traffic;
  ASSERT_EQ(runForward(network, sample, forward, &traffic), "");
  size_t hiddenSpikes = forward.spikes[1].size();
  ASSERT_GT(hiddenSpikes, 0u);

  // Dense fan-out without delays: every spike reaches every target once.
  uint64_t expectedOps = 4 * 30 + hiddenSpikes * 2;
  int forwardPhase = static_cast<int>(Phase::Forward);
  int backwardPhase = static_cast<int>(Phase::Backward);
  int synapse = static_cast<int>(MemoryClass::Synapse);
  int record = static_cast<int>(MemoryClass::Record);
  EXPECT_EQ(traffic.synapticOps[forwardPhase], expectedOps);
  EXPECT_EQ(traffic.bytesRead[forwardPhase][synapse],
            expectedOps * sizeof(double));
  EXPECT_EQ(traffic.bytesWritten[forwardPhase][record],
            hiddenSpikes * sizeof(SpikeRecord));
  EXPECT_GT(
      traffic.bytesRead[forwardPhase][static_cast<int>(MemoryClass::State)],
      0u);
  EXPECT_EQ(traffic.synapticOps[backwardPhase], 0u);

  Gradients gradients = Gradients::zerosLike(network);
  ASSERT_EQ(runBackward(network, sample, forward, gradients, &traffic), "");
  // The backward pass visits the same deliveries and reads every record
  // back once.
  EXPECT_EQ(traffic.synapticOps[backwardPhase], expectedOps);
  EXPECT_EQ(traffic.bytesRead[backwardPhase][record],
            hiddenSpikes * sizeof(SpikeRecord));
  EXPECT_EQ(
      traffic.bytesRead[backwardPhase][static_cast<int>(MemoryClass::Grad)],
      traffic.bytesWritten[backwardPhase][static_cast<int>(MemoryClass::Grad)]);
  EXPECT_GE(
      traffic.bytesWritten[backwardPhase][static_cast<int>(MemoryClass::Grad)],
      expectedOps * 2 * sizeof(double));
  EXPECT_GT(traffic.totalBytes(), 0u);
}

TEST(EventPropTest, DelayedDeliveriesGoThroughTheQueue) {
  Network network = denseNetwork(3, 10, 0.5);
  network.projections[0].delayMs.assign(30, 0.0);
  for (size_t synapse = 0; synapse < 30; ++synapse)
    network.projections[0].delayMs[synapse] = 0.1 * synapse;
  Sample sample;
  sample.spikes = {{0, 0, 1.0}, {0, 2, 2.0}};
  ForwardResult forward;
  TrafficCounters traffic;
  ASSERT_EQ(runForward(network, sample, forward, &traffic), "");
  int forwardPhase = static_cast<int>(Phase::Forward);
  EXPECT_EQ(traffic.synapticOps[forwardPhase],
            2u * 10u + forward.spikes[1].size() * 2u);
  // Distinct delays: at least one queue entry, of at least a time and an
  // index, per delayed delivery; a no-delay network queues only crossings.
  int queue = static_cast<int>(MemoryClass::Queue);
  EXPECT_GE(traffic.bytesWritten[forwardPhase][queue], 20u * 16u);
  EXPECT_GE(traffic.bytesRead[forwardPhase][queue], 20u * 16u);
}

TEST(EventPropTest, RecordsDoNotGrowWithDuration) {
  // Inputs only near the start: a longer sample adds time steps a stepped
  // simulator would store, but no spikes, so no record bytes.
  Network network = denseNetwork(4, 30, 1.5);
  Sample sample;
  for (int32_t channel = 0; channel < 4; ++channel)
    sample.spikes.push_back({0, channel, 1.0 + channel});
  sample.label = 0;
  uint64_t recordBytes[2];
  size_t spikes[2];
  const double durations[2] = {50, 5000};
  for (int run = 0; run < 2; ++run) {
    network.durationMs = durations[run];
    ForwardResult forward;
    TrafficCounters traffic;
    ASSERT_EQ(runForward(network, sample, forward, &traffic), "");
    Gradients gradients = Gradients::zerosLike(network);
    ASSERT_EQ(runBackward(network, sample, forward, gradients, &traffic), "");
    spikes[run] = forward.spikes[1].size();
    recordBytes[run] =
        traffic.bytesWritten[0][static_cast<int>(MemoryClass::Record)];
    EXPECT_EQ(recordBytes[run], spikes[run] * sizeof(SpikeRecord));
    EXPECT_TRUE(forward.spikes[0].empty());
    EXPECT_TRUE(forward.spikes[2].empty());
  }
  EXPECT_EQ(spikes[0], spikes[1]);
  EXPECT_EQ(recordBytes[0], recordBytes[1]);
}

TEST(EventPropTest, MaxVoltageOfOneInputIsQuarterWeight) {
  // tau_m = 2 tau_s: V = w (x - x^2), x = e^{-t/tau_m}, peaks at w/4 when
  // x = 1/2, i.e. at t = tau_m ln 2 after the input.
  Network network = denseNetwork(1, 1, 0.0);
  network.projections[1].weight = {0.8, 0.0};
  network.populations[1].threshold = {1.0};
  network.projections[0].weight = {5.0};
  Sample sample;
  sample.spikes = {{0, 0, 2.0}};
  sample.label = 0;
  ForwardResult forward;
  ASSERT_EQ(runForward(network, sample, forward, nullptr), "");
  ASSERT_EQ(forward.spikes[1].size(), 1u);
  double spikeTime = forward.spikes[1][0].timeMs;
  EXPECT_NEAR(forward.maxVoltage[2][0], 0.2, 1e-14);
  EXPECT_NEAR(forward.maxVoltageTimeMs[2][0], spikeTime + 10 * std::log(2.0),
              1e-9);
  EXPECT_EQ(forward.maxVoltage[2][1], 0.0);
  EXPECT_EQ(forward.outputs, forward.maxVoltage[2]);
  EXPECT_EQ(forward.prediction, 0);
  double expectedLoss = std::log(1 + std::exp(-0.2));
  EXPECT_NEAR(forward.loss, expectedLoss, 1e-14);
}

TEST(EventPropTest, BadInputsComeBackAsMessages) {
  Network network = denseNetwork(4, 5, 1.0);
  ForwardResult forward;
  auto forwardError = [&](const Sample &sample) {
    return runForward(network, sample, forward, nullptr);
  };

  Sample sample;
  sample.spikes = {{0, 1, std::numeric_limits<double>::quiet_NaN()}};
  EXPECT_EQ(forwardError(sample),
            "input spike 0: time nan ms must be finite and non-negative");
  sample.spikes = {{0, 1, 1.0}, {0, 9, 1.0}};
  EXPECT_EQ(forwardError(sample), "input spike 1: channel 9 is out of range "
                                  "for source 'in' of size 4");
  sample.spikes = {{5, 0, 1.0}};
  EXPECT_EQ(forwardError(sample),
            "input spike 0: population index 5 is out of range");
  sample.spikes = {{1, 0, 1.0}};
  EXPECT_EQ(forwardError(sample),
            "input spike 0: population 'hidden' is not a source");
  sample.spikes = {{0, 0, 1.0}};
  sample.label = 2;
  EXPECT_EQ(forwardError(sample), "sample label 2 is out of range for loss "
                                  "population 'out' of size 2");

  Network broken = network;
  broken.populations[1].tauMemMs = -1;
  EXPECT_EQ(broken.validate(),
            "population 'hidden': tauMemMs must be positive and finite (got "
            "-1)");
  broken = network;
  broken.projections[1].weight.pop_back();
  EXPECT_EQ(broken.validate(), "projection 'hidden_out': weight has 9 "
                               "entries, expected post size x pre size = 10");
  broken = network;
  broken.projections[0].delayMs.assign(20, 1.0);
  broken.projections[0].delayMs[3] = -0.5;
  EXPECT_EQ(broken.validate(), "projection 'in_hidden': delayMs[3] = -0.5 "
                               "must be non-negative and finite");
  broken = network;
  broken.populations[1].threshold[2] = -1;
  EXPECT_EQ(broken.validate(), "population 'hidden': threshold[2] = -1 must "
                               "be finite and above reset (0)");
  broken = network;
  broken.loss.population = 1;
  EXPECT_EQ(broken.validate(), "loss: max-voltage needs an LI population, "
                               "population 'hidden' is not one");
  EXPECT_EQ(runForward(broken, sample, forward, nullptr), broken.validate());
  EXPECT_EQ(network.findPopulation("hidden"), 1);
  EXPECT_EQ(network.findPopulation("missing"), -1);

  sample.label = 0;
  ASSERT_EQ(forwardError(sample), "");
  Gradients wrongShape;
  EXPECT_NE(runBackward(network, sample, forward, wrongShape, nullptr), "");
  Sample unlabelled = sample;
  unlabelled.label = -1;
  Gradients gradients = Gradients::zerosLike(network);
  EXPECT_EQ(runBackward(network, unlabelled, forward, gradients, nullptr),
            "the sample has no label to differentiate the loss for");

  std::vector<Sample> batch(3, sample);
  batch[2].spikes[0].channel = -1;
  BatchResult result = runBatch(network, batch, true, 2);
  EXPECT_EQ(result.error, "sample 2: input spike 0: channel -1 is out of "
                          "range for source 'in' of size 4");
  EXPECT_EQ(runBatch(network, batch, true, 0).error,
            "threads must be at least 1 (got 0)");
}

TEST(EventPropTest, RunawayNeuronIsAnErrorNotAHang) {
  Network network = denseNetwork(1, 1, 400.0);
  Sample sample;
  sample.spikes = {{0, 0, 0.0}};
  ForwardResult forward;
  SimulationOptions options;
  options.maxSpikesPerNeuron = 10;
  std::string error = runForward(network, sample, forward, nullptr, options);
  EXPECT_NE(error.find("population 'hidden' neuron 0 fired more than 10"),
            std::string::npos)
      << error;
}

/// A source of `channels` inputs per population, `sources` source
/// populations each densely connected to 30 LIF neurons with the same
/// weights, and 5 LIF outputs under the time-to-first-spike loss.
Network copiedSourceNetwork(int32_t sources, int32_t channels) {
  Network network;
  network.durationMs = 40;
  Rng rng(7);
  for (int32_t index = 0; index < sources; ++index) {
    Population source;
    source.name = "in" + std::to_string(index);
    source.kind = PopulationKind::Source;
    source.size = channels;
    network.populations.push_back(source);
  }
  Population hidden;
  hidden.name = "hidden";
  hidden.size = 30;
  hidden.tauMemMs = 20;
  hidden.tauSynMs = 5;
  hidden.threshold.assign(30, 1.0);
  Population out = hidden;
  out.name = "out";
  out.size = 5;
  out.threshold.assign(5, 1.0);
  network.populations.push_back(hidden);
  network.populations.push_back(out);
  std::vector<double> inputWeight(static_cast<size_t>(30) * channels);
  for (double &weight : inputWeight)
    weight = rng.uniform(-0.2, 0.8);
  for (int32_t index = 0; index < sources; ++index) {
    Projection projection;
    projection.name = "in_hidden" + std::to_string(index);
    projection.pre = index;
    projection.post = sources;
    projection.weight = inputWeight;
    network.projections.push_back(projection);
  }
  Projection readout;
  readout.name = "hidden_out";
  readout.pre = sources;
  readout.post = sources + 1;
  for (int32_t index = 0; index < 5 * 30; ++index)
    readout.weight.push_back(rng.uniform(-0.5, 1.5));
  network.projections.push_back(readout);
  network.loss.kind = LossKind::TimeToFirstSpike;
  network.loss.population = sources + 1;
  network.loss.tau0Ms = 0.5;
  network.loss.tau1Ms = 6.4;
  network.loss.alpha = 3e-3;
  return network;
}

// Crossings are not predicted for neurons that the next input of the same
// source reaches again before they could cross. Feeding the same inputs
// alternately through two copies of the source (so the next input always
// comes from the other one and every crossing is predicted in full) must
// give bit-identical spikes.
TEST(EventPropTest, SkippedPredictionsChangeNoSpike) {
  Network single = copiedSourceNetwork(1, 40);
  Network alternating = copiedSourceNetwork(2, 40);
  Rng rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    Sample one, two;
    one.label = two.label = trial % 5;
    // Strictly increasing times with a random channel each; some channels
    // fire twice.
    double timeMs = 0;
    for (int32_t spike = 0; spike < 60; ++spike) {
      timeMs += rng.uniform(0.01, 0.6);
      auto channel = static_cast<int32_t>(rng.below(40));
      one.spikes.push_back({0, channel, timeMs});
      two.spikes.push_back({spike % 2, channel, timeMs});
    }
    ForwardResult left, right;
    ASSERT_EQ(runForward(single, one, left, nullptr), "");
    ASSERT_EQ(runForward(alternating, two, right, nullptr), "");
    ASSERT_EQ(left.spikes.size() + 1, right.spikes.size());
    for (size_t population = 1; population < left.spikes.size(); ++population) {
      const std::vector<SpikeRecord> &a = left.spikes[population];
      const std::vector<SpikeRecord> &b = right.spikes[population + 1];
      ASSERT_EQ(a.size(), b.size()) << "trial " << trial;
      for (size_t index = 0; index < a.size(); ++index) {
        EXPECT_EQ(a[index].neuron, b[index].neuron);
        EXPECT_EQ(
            std::memcmp(&a[index].timeMs, &b[index].timeMs, sizeof(double)), 0);
        EXPECT_EQ(
            std::memcmp(&a[index].current, &b[index].current, sizeof(double)),
            0);
      }
    }
    EXPECT_EQ(std::memcmp(&left.loss, &right.loss, sizeof(double)), 0);
    if (trial == 0) {
      EXPECT_GT(left.spikes[1].size(), 30u);
    }
  }
}

} // namespace
