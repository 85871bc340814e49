//===- NCoreLearnTest.cpp - On-core learning against the CPU --------------===//
//
// The fixed-point adjoint of the core simulator against the CPU's exact
// gradients, in two steps that separate the two sources of disagreement:
//
// 1. Arithmetic. Given the chip's own spike record (the same spike ticks,
//    currents and quantized parameters), the CPU's float adjoint computes
//    what the chip computes in fixed point. The difference is rounding
//    only, and the test bounds it.
// 2. Quantization. Against the CPU gradients of the float network, the
//    chip's gradients differ because parameters and spike times are
//    quantized; the test checks that the difference is what the record's
//    quantization explains and that it shrinks as the formats widen.
//
//===----------------------------------------------------------------------===//

#include "../runtime/RandomNetwork.h"

#include "runtime/EventProp.h"
#include "runtime/Loss.h"
#include "runtime/NCoreImage.h"
#include "runtime/NCoreLearn.h"
#include "runtime/NCoreSim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace snnc::runtime;
using snnc::runtime::testing::makeRandomNetwork;
using snnc::runtime::testing::makeRandomSample;
using snnc::runtime::testing::RandomNetworkConfig;

namespace {

struct Format {
  double timeStepMs = 0.125;
  int64_t weightBits = 8;
  int64_t delayBits = 6;
  int64_t stateBits = 24;
  /// Core of each non-source population (sources sit on core 0).
  bool spreadOverCores = false;
};

/// An image of `network`: one block per population, scales calibrated as
/// snn-quantize calibrates them, parameters rounded by
/// requantizeNCoreImage.
NCoreImage makeImage(const Network &network, const Format &format) {
  NCoreImage image;
  bool found = ncoreTargetPreset("loihi", image.target);
  EXPECT_TRUE(found);
  image.target.timeStepMs = format.timeStepMs;
  image.target.weightBits = format.weightBits;
  image.target.delayBits = format.delayBits;
  image.target.stateBits = format.stateBits;
  image.network = network.name;
  image.durationTicks = static_cast<int32_t>(
      std::llround(network.durationMs / format.timeStepMs));
  image.readoutPopulation = network.loss.population;
  image.readout = NCoreReadout::TimeToFirstSpike;
  image.cores.push_back({0, 0, 0});
  if (format.spreadOverCores)
    image.cores.push_back({5, 5, 0});
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    image.populations.push_back(
        {population.name, population.kind, population.size});
    NCoreImageBlock block;
    block.population = static_cast<int32_t>(index);
    block.size = population.size;
    block.core =
        format.spreadOverCores && index + 1 == network.populations.size() ? 1
                                                                          : 0;
    if (population.kind == PopulationKind::LIF) {
      block.tauMemMs = population.tauMemMs;
      block.tauSynMs = population.tauSynMs;
      double reference = *std::max_element(population.threshold.begin(),
                                           population.threshold.end());
      block.stateLsb = reference / std::ldexp(1.0, format.stateBits - 8);
      block.reset =
          static_cast<int32_t>(std::llround(population.reset / block.stateLsb));
      block.threshold.assign(population.size, 1);
    }
    image.blocks.push_back(block);
  }
  const int64_t weightMax = (int64_t(1) << (format.weightBits - 1)) - 1;
  for (const Projection &projection : network.projections) {
    NCoreImageSynapses table;
    table.projection = projection.name;
    table.pre = projection.pre;
    table.post = projection.post;
    double largest = 0;
    for (double weight : projection.weight)
      largest = std::max(largest, std::fabs(weight));
    double lsb = image.blocks[projection.post].stateLsb;
    table.scale = static_cast<int32_t>(
        std::max<int64_t>(1, std::llround(largest / weightMax / lsb)));
    table.weight.assign(projection.weight.size(), 0);
    if (!projection.delayMs.empty())
      table.delayTicks.assign(projection.weight.size(), 0);
    image.synapses.push_back(table);
    int32_t hops = static_cast<int32_t>(image.target.hops(
        image.cores[image.blocks[projection.pre].core].index,
        image.cores[image.blocks[projection.post].core].index));
    image.routes.push_back({projection.pre, projection.post, hops});
  }
  computeNCoreDecayTables(image);
  NCoreParameterMap map;
  std::string error;
  EXPECT_TRUE(mapNCoreImage(image, network, map, error)) << error;
  requantizeNCoreImage(image, network, map);
  EXPECT_EQ(image.validate(), "");
  return image;
}

/// The sample as the chip sees it: input times on the tick grid.
Sample onTicks(const Sample &sample, const NCoreImage &image) {
  Sample result = sample;
  double dt = image.target.timeStepMs;
  result.spikes.clear();
  for (const InputSpike &spike : sample.spikes) {
    int64_t tick = std::llround(std::max(0.0, spike.timeMs) / dt);
    if (tick <= image.durationTicks)
      result.spikes.push_back({spike.population, spike.channel, tick * dt});
  }
  return result;
}

/// The chip's spike record as a ForwardResult of the CPU method.
ForwardResult asForwardResult(const NCoreImage &image, const Network &network,
                              const NCoreForwardRecord &record) {
  ForwardResult result;
  size_t populations = network.populations.size();
  result.spikes.resize(populations);
  result.maxVoltage.resize(populations);
  result.maxVoltageTimeMs.resize(populations);
  result.maxVoltageSlope.resize(populations);
  int32_t outputs = network.populations[network.loss.population].size;
  result.outputs.assign(outputs, network.durationMs);
  double dt = image.target.timeStepMs;
  for (const NCoreRecordedSpike &spike : record.spikes) {
    const NCoreImageBlock &block = image.blocks[spike.block];
    if (network.populations[block.population].kind != PopulationKind::LIF)
      continue;
    double time = spike.tick * dt;
    // A spike at the very end moves nothing; the CPU records none there.
    if (!(time < network.durationMs))
      continue;
    int32_t neuron = block.offset + spike.neuron;
    result.spikes[block.population].push_back(
        {neuron, time, spike.current * block.stateLsb});
    if (block.population == network.loss.population &&
        result.outputs[neuron] >= network.durationMs)
      result.outputs[neuron] = time;
  }
  return result;
}

struct ChipRun {
  Gradients chip;
  NCoreLearningStats stats;
  std::vector<NCoreCounters> perCore;
  NCoreForwardRecord record;
  NCoreSampleResult result;
};

/// Forward and backward of `sample` on the chip, gradients in float units.
ChipRun runOnChip(const NCoreImage &image, const Network &network,
                  const Sample &sample) {
  ChipRun run;
  NCoreSimulator simulator(image);
  EXPECT_EQ(simulator.run(sample, run.result, run.perCore, &run.record), "");
  std::vector<double> outputs;
  for (int64_t tick : run.result.outputs)
    outputs.push_back(tick < 0 ? network.durationMs
                               : std::min(network.durationMs,
                                          tick * image.target.timeStepMs));
  // The host's loss: the CPU's own function on the chip's outputs.
  std::vector<double> errors;
  lossAndErrors(network, outputs, sample.label, &errors,
                SilentOutputError::Drop);
  NCoreLearner learner(image);
  EXPECT_EQ(learner.check(), "");
  NCoreGradients accumulated = NCoreGradients::zerosLike(image);
  EXPECT_EQ(
      learner.backward(run.record, errors, accumulated, run.perCore, run.stats),
      "");
  NCoreParameterMap map;
  std::string error;
  EXPECT_TRUE(mapNCoreImage(image, network, map, error)) << error;
  run.chip = Gradients::zerosLike(network);
  addNCoreGradients(image, map, accumulated, NCoreLearningFormat(), run.chip);
  return run;
}

/// Every gradient entry in one list (weights, delays, thresholds).
std::vector<double> flatten(const Gradients &gradients) {
  std::vector<double> values;
  for (const auto &group :
       {gradients.weight, gradients.delay, gradients.threshold})
    for (const std::vector<double> &part : group)
      values.insert(values.end(), part.begin(), part.end());
  return values;
}

double norm(const std::vector<double> &values) {
  double sum = 0;
  for (double value : values)
    sum += value * value;
  return std::sqrt(sum);
}

double distance(const std::vector<double> &left,
                const std::vector<double> &right) {
  double sum = 0;
  for (size_t index = 0; index < left.size(); ++index)
    sum += (left[index] - right[index]) * (left[index] - right[index]);
  return std::sqrt(sum);
}

RandomNetworkConfig smallConfig() {
  RandomNetworkConfig config;
  config.inputs = 5;
  config.hidden = {10};
  config.outputs = 3;
  config.recurrent = true;
  config.delays = true;
  config.reset = -0.3;
  return config;
}

TEST(NCoreLearn, RequantizingTheDequantizedNetworkChangesNothing) {
  RandomNetworkConfig config = smallConfig();
  Network network = makeRandomNetwork(config, 3);
  NCoreImage image = makeImage(network, Format());
  NCoreParameterMap map;
  std::string error;
  ASSERT_TRUE(mapNCoreImage(image, network, map, error)) << error;
  Network chip = dequantizeNCoreImage(image, network, map);
  NCoreImage again = image;
  EXPECT_EQ(requantizeNCoreImage(again, chip, map), 0u);
  for (size_t table = 0; table < image.synapses.size(); ++table) {
    EXPECT_EQ(again.synapses[table].weight, image.synapses[table].weight);
    EXPECT_EQ(again.synapses[table].delayTicks,
              image.synapses[table].delayTicks);
  }
  for (size_t block = 0; block < image.blocks.size(); ++block)
    EXPECT_EQ(again.blocks[block].threshold, image.blocks[block].threshold);
  // And the chip's parameters lie within half a step of the float ones.
  for (size_t index = 0; index < image.synapses.size(); ++index) {
    const NCoreImageSynapses &table = image.synapses[index];
    double step = table.scale * image.blocks[table.post].stateLsb;
    const Projection &original = network.projections[map.projection[index]];
    const Projection &rounded = chip.projections[map.projection[index]];
    for (size_t synapse = 0; synapse < original.weight.size(); ++synapse)
      EXPECT_LE(std::fabs(original.weight[synapse] - rounded.weight[synapse]),
                0.5 * step + 1e-12);
  }
}

// Step 1: the same record, float against fixed point. The networks have
// delays, so the CPU, like the chip, handles every arrival as its own event
// and, at equal times, before any spike: without delays the CPU fans a spike
// out inside the spike's own event, which orders coincident spikes of two
// connected neurons differently (a choice of no consequence in continuous
// time, where such coincidences do not happen, but common on ticks). The chip's
// values carry the rounding of the decay tables (2^-20), of the adjoint words
// (2^-24 per operation) and of the accumulators (2^-16 per addition); the
// jumps divide by the crossing slope I - theta, which amplifies them. The
// bound allows 2^-9 of the largest gradient of each kind, plus one
// accumulator unit per addition in the weight's units.
TEST(NCoreLearn, FixedPointAdjointMatchesTheCpuOnTheChipsRecord) {
  RandomNetworkConfig config = smallConfig();
  int compared = 0;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    Network network = makeRandomNetwork(config, seed);
    Sample sample = makeRandomSample(config, 100 + seed);
    NCoreImage image = makeImage(network, Format());
    NCoreParameterMap map;
    std::string error;
    ASSERT_TRUE(mapNCoreImage(image, network, map, error)) << error;
    Network chipNetwork = dequantizeNCoreImage(image, network, map);
    ChipRun run = runOnChip(image, chipNetwork, sample);
    EXPECT_EQ(run.stats.saturations, 0u);
    if (run.stats.flatCrossings > 0)
      continue; // The CPU has no flat crossings to mirror.

    ForwardResult forward = asForwardResult(image, chipNetwork, run.record);
    Gradients reference = Gradients::zerosLike(chipNetwork);
    ASSERT_EQ(runBackward(chipNetwork, onTicks(sample, image), forward,
                          reference, nullptr),
              "");
    auto compare = [&](const std::vector<std::vector<double>> &chip,
                       const std::vector<std::vector<double>> &cpu,
                       const char *kind) {
      double largest = 0;
      for (const std::vector<double> &part : cpu)
        for (double value : part)
          largest = std::max(largest, std::fabs(value));
      for (size_t group = 0; group < cpu.size(); ++group)
        for (size_t entry = 0; entry < cpu[group].size(); ++entry)
          EXPECT_NEAR(chip[group][entry], cpu[group][entry],
                      std::ldexp(largest, -9) + 1e-9)
              << kind << " " << group << "/" << entry << " seed " << seed;
    };
    compare(run.chip.weight, reference.weight, "weight");
    compare(run.chip.delay, reference.delay, "delay");
    compare(run.chip.threshold, reference.threshold, "threshold");
    EXPECT_GT(norm(flatten(reference)), 0) << "seed " << seed;
    ++compared;
  }
  EXPECT_GE(compared, 6);
}

// Step 2: against the float network's exact CPU gradients. Quantizing
// parameters and spike times moves the gradient; the chip's difference
// from the CPU must be the one the quantized record explains (step 1 is
// the rest), and it must shrink as the formats widen.
TEST(NCoreLearn, ChipGradientsApproachTheCpuAsFormatsWiden) {
  RandomNetworkConfig config = smallConfig();
  Format coarse;
  Format fine;
  fine.timeStepMs = 0.01;
  fine.weightBits = 16;
  fine.delayBits = 12;
  fine.stateBits = 32;
  std::vector<double> coarseError;
  std::vector<double> fineError;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    Network network = makeRandomNetwork(config, seed);
    Sample sample = makeRandomSample(config, 100 + seed);
    Gradients cpu = Gradients::zerosLike(network);
    ForwardResult forward;
    ASSERT_EQ(runForward(network, sample, forward, nullptr), "");
    ASSERT_EQ(runBackward(network, sample, forward, cpu, nullptr), "");
    std::vector<double> exact = flatten(cpu);
    ASSERT_GT(norm(exact), 0);
    bool skip = false;
    std::vector<double> relatives;
    for (const Format *format : {&coarse, &fine}) {
      NCoreImage image = makeImage(network, *format);
      ChipRun run = runOnChip(image, network, sample);
      double relative = distance(flatten(run.chip), exact) / norm(exact);
      // A grazing crossing is computed with a floor on its slope (see
      // NCoreLearner::backward), which the CPU does not have.
      if (run.stats.flatCrossings > 0)
        skip = true;
      relatives.push_back(relative);
    }
    if (skip)
      continue;
    coarseError.push_back(relatives[0]);
    fineError.push_back(relatives[1]);
  }
  ASSERT_GE(coarseError.size(), 6u);
  double coarseMean = 0;
  double fineMean = 0;
  for (size_t index = 0; index < coarseError.size(); ++index) {
    coarseMean += coarseError[index] / coarseError.size();
    fineMean += fineError[index] / fineError.size();
  }
  std::printf("relative gradient error: loihi format %.4f, fine %.4f\n",
              coarseMean, fineMean);
  EXPECT_LT(fineMean, coarseMean);
  EXPECT_LT(fineMean, 0.05);
}

} // namespace

namespace {

TEST(NCoreLearn, LearnerRefusesWhatItCannotLearn) {
  RandomNetworkConfig config = smallConfig();
  Network network = makeRandomNetwork(config, 1);
  NCoreImage image = makeImage(network, Format());
  EXPECT_EQ(NCoreLearner(image).check(), "");
  NCoreImage refractory = image;
  refractory.blocks[1].refractoryTicks = 4;
  EXPECT_NE(NCoreLearner(refractory).check().find("refractory"),
            std::string::npos);
  NCoreImage maxVoltage = image;
  maxVoltage.readout = NCoreReadout::MaxVoltage;
  EXPECT_NE(NCoreLearner(maxVoltage).check().find("time-to-first-spike"),
            std::string::npos);
  NCoreLearningFormat narrow;
  narrow.gradientFractionBits = 40;
  EXPECT_NE(NCoreLearner(image, narrow).check(), "");
}

// The backward pass reads back every record the forward pass wrote and
// visits every synapse of every recorded spike whose arrival falls within
// the sample, zero weights included (a zero weight still learns).
TEST(NCoreLearn, BackwardVisitsEverySynapseOfEveryRecordedSpike) {
  RandomNetworkConfig config = smallConfig();
  Format format;
  format.spreadOverCores = true;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    Network network = makeRandomNetwork(config, seed);
    Sample sample = makeRandomSample(config, 100 + seed);
    NCoreImage image = makeImage(network, format);
    ChipRun run = runOnChip(image, network, sample);
    uint64_t expectedOps = 0;
    for (const NCoreRecordedSpike &spike : run.record.spikes) {
      for (const NCoreImageSynapses &table : image.synapses) {
        if (table.pre != spike.block)
          continue;
        int32_t preSize = image.blocks[table.pre].size;
        for (int32_t row = 0; row < image.blocks[table.post].size; ++row) {
          int32_t delay =
              table.delayTicks.empty()
                  ? 0
                  : table.delayTicks[size_t(row) * preSize + spike.neuron];
          if (spike.tick + delay <= image.durationTicks)
            ++expectedOps;
        }
      }
    }
    NCoreCounters total;
    for (const NCoreCounters &core : run.perCore)
      total += core;
    EXPECT_EQ(total.traffic.synapticOps[static_cast<int>(Phase::Backward)],
              expectedOps);
    // Forward writes one record per spike; backward reads each once, plus
    // the spike-time gradient words it keeps beside the LIF records.
    uint64_t written =
        total.traffic.bytesWritten[static_cast<int>(Phase::Forward)]
                                  [static_cast<int>(MemoryClass::Record)];
    EXPECT_GT(written, 0u);
    EXPECT_GE(total.traffic.bytesRead[static_cast<int>(Phase::Backward)]
                                     [static_cast<int>(MemoryClass::Record)],
              written);
    // Two cores: the output's spike-time shares travel back over the mesh.
    EXPECT_GT(total.traffic.bytesWritten[static_cast<int>(Phase::Backward)]
                                        [static_cast<int>(MemoryClass::Noc)],
              0u);
  }
}

TEST(NCoreLearn, BatchRunnerGivesTheSameSumsOnAnyThreadCount) {
  RandomNetworkConfig config = smallConfig();
  Network network = makeRandomNetwork(config, 1);
  NCoreImage image = makeImage(network, Format());
  std::vector<Sample> batch;
  for (uint64_t seed = 0; seed < 10; ++seed)
    batch.push_back(makeRandomSample(config, 100 + seed));
  NCoreBatchRunner one(image, network);
  NCoreBatchRunner three(image, network);
  ASSERT_EQ(one.error(), "");
  BatchResult a = one(network, batch, true, 1, SimulationOptions());
  BatchResult b = three(network, batch, true, 3, SimulationOptions());
  ASSERT_EQ(a.error, "");
  ASSERT_EQ(b.error, "");
  EXPECT_EQ(a.lossSum, b.lossSum);
  EXPECT_EQ(a.correct, b.correct);
  EXPECT_EQ(flatten(a.gradients), flatten(b.gradients));
  EXPECT_GT(norm(flatten(a.gradients)), 0) << a.lossSum << " " << a.correct;
  EXPECT_EQ(one.trainingSamples(), 10);
  // The update phase counts one learning update per learned parameter.
  uint64_t updates = 0;
  for (const NCoreCounters &core : one.trainingCounters())
    updates += core.learningUpdates;
  uint64_t learned = 0;
  for (const Projection &projection : network.projections)
    learned += projection.learnWeight ? projection.weight.size() : 0;
  for (const Population &population : network.populations)
    learned += population.learnThreshold ? population.threshold.size() : 0;
  EXPECT_EQ(updates, learned);
}

} // namespace

namespace {

// The BPTT model on the chip: every LIF neuron updated and traced at every
// tick, and the transposed delivery reading every synapse from a LIF
// population at every tick, independently of how many spikes there were.
TEST(NCoreLearn, TimeStepModelCountsEveryTick) {
  RandomNetworkConfig config = smallConfig();
  Network network = makeRandomNetwork(config, 1);
  NCoreImage image = makeImage(network, Format());
  std::vector<Sample> batch;
  for (uint64_t seed = 0; seed < 3; ++seed)
    batch.push_back(makeRandomSample(config, 100 + seed));
  NCoreBatchRunner runner(image, network);
  ASSERT_EQ(runner(network, batch, true, 1, SimulationOptions()).error, "");
  NCoreCounters exact, grid;
  for (const NCoreCounters &core : runner.trainingCounters())
    exact += core;
  for (const NCoreCounters &core : runner.timeStepTrainingCounters())
    grid += core;
  uint64_t ticks = image.durationTicks + 1;
  uint64_t stateBytes = (image.target.stateBits + 7) / 8;
  uint64_t lifNeurons = 0, denseSynapses = 0;
  for (const NCoreImageBlock &block : image.blocks)
    if (!block.threshold.empty())
      lifNeurons += block.size;
  for (const NCoreImageSynapses &table : image.synapses)
    if (!image.blocks[table.pre].threshold.empty())
      denseSynapses += table.weight.size();
  uint64_t samples = batch.size();
  int forward = static_cast<int>(Phase::Forward);
  int backward = static_cast<int>(Phase::Backward);
  int state = static_cast<int>(MemoryClass::State);
  EXPECT_EQ(grid.traffic.bytesRead[forward][state],
            samples * lifNeurons * ticks * 2 * stateBytes);
  EXPECT_EQ(grid.traffic.synapticOps[backward],
            samples * denseSynapses * ticks);
  // The deliveries of the forward pass are the chip's own.
  EXPECT_EQ(grid.traffic.synapticOps[forward],
            exact.traffic.synapticOps[forward]);
  EXPECT_GT(grid.traffic.totalBytes(), exact.traffic.totalBytes());
}

} // namespace
