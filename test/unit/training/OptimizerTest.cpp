//===- OptimizerTest.cpp - SGD, Adam, schedules, bounds, state ------------===//

#include "runtime/Optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace snnc::runtime;

namespace {

/// A source of two channels into two LIF neurons: weights and delays of the
/// projection and the thresholds learnable, as the flags ask.
Network makeNetwork(bool learnWeight, bool learnDelay, bool learnThreshold) {
  Network network;
  network.name = "tiny";
  network.durationMs = 10;
  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = 2;
  Population hidden;
  hidden.name = "hidden";
  hidden.size = 2;
  hidden.tauMemMs = 20;
  hidden.tauSynMs = 5;
  hidden.threshold = {1.0, 1.0};
  hidden.learnThreshold = learnThreshold;
  network.populations = {source, hidden};
  Projection projection;
  projection.name = "in_hidden";
  projection.pre = 0;
  projection.post = 1;
  projection.weight = {0.5, -0.25, 1.0, 2.0};
  projection.delayMs = {1.0, 2.0, 3.0, 4.0};
  projection.learnWeight = learnWeight;
  projection.learnDelay = learnDelay;
  network.projections = {projection};
  return network;
}

/// Gradients shaped like makeNetwork's parameters, every entry `value`.
Gradients makeGradients(double value) {
  Gradients gradients;
  gradients.weight = {std::vector<double>(4, value)};
  gradients.delay = {std::vector<double>(4, value)};
  gradients.threshold = {{}, std::vector<double>(2, value)};
  return gradients;
}

/// Bit-for-bit equality of two vectors of doubles.
bool sameBits(const std::vector<double> &left,
              const std::vector<double> &right) {
  return left.size() == right.size() &&
         std::memcmp(left.data(), right.data(), left.size() * sizeof(double)) ==
             0;
}

} // namespace

// Adam's first three steps on one weight match the update written out by
// hand (in 50-digit decimal arithmetic) for gradients 0.2, -0.1, 0.05.
TEST(OptimizerTest, AdamMatchesHandComputedSteps) {
  OptimizerOptions options;
  options.kind = OptimizerKind::Adam;
  options.schedule.baseRate = 0.1;
  Optimizer optimizer(options);
  ASSERT_EQ(optimizer.validate(), "");
  Network network = makeNetwork(true, false, false);

  const double gradients[] = {0.2, -0.1, 0.05};
  const double expected[] = {0.40000000499999975, 0.37336630271867558,
                             0.33932339047207667};
  for (int step = 0; step < 3; ++step) {
    Gradients gradient = makeGradients(0);
    gradient.weight[0][0] = gradients[step];
    ASSERT_EQ(optimizer.step(network, gradient), "");
    EXPECT_NEAR(network.projections[0].weight[0], expected[step], 1e-15)
        << "after step " << step + 1;
  }
  EXPECT_EQ(optimizer.steps(), 3);
  // A zero gradient from the start leaves the other weights where they were.
  EXPECT_EQ(network.projections[0].weight[1], -0.25);
  // Delays and thresholds are not learnable here.
  EXPECT_EQ(network.projections[0].delayMs[0], 1.0);
  EXPECT_EQ(network.populations[1].threshold[0], 1.0);
}

// SGD with momentum 0.9: the velocity accumulates, 1 then 1.9 times the
// gradient.
TEST(OptimizerTest, SgdMomentumAccumulates) {
  OptimizerOptions options;
  options.kind = OptimizerKind::SGD;
  options.schedule.baseRate = 0.5;
  options.momentum = 0.9;
  Optimizer optimizer(options);
  Network network = makeNetwork(true, false, false);
  ASSERT_EQ(optimizer.step(network, makeGradients(1.0)), "");
  EXPECT_DOUBLE_EQ(network.projections[0].weight[0], 0.0);
  ASSERT_EQ(optimizer.step(network, makeGradients(1.0)), "");
  EXPECT_DOUBLE_EQ(network.projections[0].weight[0], -0.95);
  EXPECT_DOUBLE_EQ(network.projections[0].weight[3], 2.0 - 0.5 - 0.95);
}

// Per-kind rate multipliers scale each kind's step.
TEST(OptimizerTest, RateScalesPerParameterKind) {
  OptimizerOptions options;
  options.kind = OptimizerKind::SGD;
  options.schedule.baseRate = 0.1;
  options.delayRateScale = 10;
  options.thresholdRateScale = 0.5;
  Optimizer optimizer(options);
  Network network = makeNetwork(true, true, true);
  ASSERT_EQ(optimizer.step(network, makeGradients(-1.0)), "");
  EXPECT_DOUBLE_EQ(network.projections[0].weight[0], 0.6);
  EXPECT_DOUBLE_EQ(network.projections[0].delayMs[0], 2.0);
  EXPECT_DOUBLE_EQ(network.populations[1].threshold[0], 1.05);
}

// Delays stop at zero and thresholds at the reset plus the minimum margin.
TEST(OptimizerTest, BoundsAreAppliedAfterTheStep) {
  OptimizerOptions options;
  options.kind = OptimizerKind::SGD;
  options.schedule.baseRate = 1;
  options.minThreshold = 1e-3;
  Optimizer optimizer(options);
  Network network = makeNetwork(false, true, true);
  network.populations[1].reset = 0.5;
  // Steps of -2.5: delays 1..4 become -1.5, -0.5, 0.5, 1.5 before the bound;
  // thresholds 1 would become -1.5.
  ASSERT_EQ(optimizer.step(network, makeGradients(2.5)), "");
  EXPECT_EQ(network.projections[0].delayMs,
            (std::vector<double>{0.0, 0.0, 0.5, 1.5}));
  EXPECT_EQ(network.populations[1].threshold[0], 0.5 + 1e-3);

  // A negative reset: the positive minimum holds on its own.
  Network negativeReset = makeNetwork(false, false, true);
  negativeReset.populations[1].reset = -2;
  Optimizer other(options);
  ASSERT_EQ(other.step(negativeReset, makeGradients(10)), "");
  EXPECT_EQ(negativeReset.populations[1].threshold[1], 1e-3);
}

// A learnable delay on a projection stored without delays starts at zero.
TEST(OptimizerTest, MissingDelaysStartAtZero) {
  OptimizerOptions options;
  options.kind = OptimizerKind::SGD;
  options.schedule.baseRate = 1;
  Optimizer optimizer(options);
  Network network = makeNetwork(false, true, false);
  network.projections[0].delayMs.clear();
  ASSERT_EQ(optimizer.step(network, makeGradients(-0.5)), "");
  EXPECT_EQ(network.projections[0].delayMs,
            (std::vector<double>{0.5, 0.5, 0.5, 0.5}));
}

// Gradients of the wrong shape are reported and change nothing.
TEST(OptimizerTest, ShapeMismatchIsAnError) {
  Optimizer optimizer(OptimizerOptions{});
  Network network = makeNetwork(true, true, true);
  Network before = network;
  Gradients gradients = makeGradients(1);
  gradients.threshold[1].pop_back();
  std::string error = optimizer.step(network, gradients);
  EXPECT_NE(error.find("hidden"), std::string::npos) << error;
  EXPECT_NE(error.find("threshold"), std::string::npos) << error;
  EXPECT_EQ(network.projections[0].weight, before.projections[0].weight);
  EXPECT_EQ(optimizer.steps(), 0);

  // After a first step the state is tied to the network's learnable set.
  ASSERT_EQ(optimizer.step(network, makeGradients(1)), "");
  network.projections[0].learnDelay = false;
  EXPECT_NE(optimizer.step(network, makeGradients(1)), "");
}

// A gradient above the norm limit is scaled down to it: under SGD with rate
// 1, four weight gradients of 2 (norm 4) move each weight by 0.5. Only the
// learnable tensors count towards the norm.
TEST(OptimizerTest, GradientNormIsClipped) {
  OptimizerOptions options;
  options.kind = OptimizerKind::SGD;
  options.schedule.baseRate = 1;
  options.maxGradientNorm = 1;
  Optimizer optimizer(options);
  Network network = makeNetwork(true, false, false);
  ASSERT_EQ(optimizer.step(network, makeGradients(2)), "");
  EXPECT_DOUBLE_EQ(network.projections[0].weight[0], 0.0);
  EXPECT_DOUBLE_EQ(network.projections[0].weight[3], 1.5);
}

TEST(OptimizerTest, Schedules) {
  LearningRateSchedule step;
  step.kind = ScheduleKind::StepDecay;
  step.baseRate = 1;
  step.stepEpochs = 3;
  step.decayFactor = 0.5;
  EXPECT_EQ(step.rateAt(0), 1);
  EXPECT_EQ(step.rateAt(2), 1);
  EXPECT_EQ(step.rateAt(3), 0.5);
  EXPECT_EQ(step.rateAt(7), 0.25);

  LearningRateSchedule cosine;
  cosine.kind = ScheduleKind::Cosine;
  cosine.baseRate = 1;
  cosine.minRate = 0.1;
  cosine.totalEpochs = 10;
  EXPECT_DOUBLE_EQ(cosine.rateAt(0), 1);
  EXPECT_DOUBLE_EQ(cosine.rateAt(5), 0.55);
  EXPECT_NEAR(cosine.rateAt(9), 0.1 + 0.45 * (1 + std::cos(0.9 * M_PI)), 1e-15);
  EXPECT_DOUBLE_EQ(cosine.rateAt(10), 0.1);
  EXPECT_DOUBLE_EQ(cosine.rateAt(25), 0.1);

  OptimizerOptions options;
  options.schedule = step;
  Optimizer optimizer(options);
  optimizer.setEpoch(6);
  EXPECT_EQ(optimizer.learningRate(), 0.25);
}

// Saving after some steps and restoring into a fresh optimizer continues
// exactly as the original does.
TEST(OptimizerTest, StateRoundTripIsBitExact) {
  for (OptimizerKind kind : {OptimizerKind::Adam, OptimizerKind::SGD}) {
    OptimizerOptions options;
    options.kind = kind;
    options.momentum = 0.9;
    options.schedule.kind = ScheduleKind::Cosine;
    options.schedule.baseRate = 0.01;
    options.schedule.totalEpochs = 7;
    Optimizer original(options);
    Network network = makeNetwork(true, true, true);
    for (int step = 0; step < 3; ++step) {
      original.setEpoch(step);
      ASSERT_EQ(original.step(network, makeGradients(0.1 * (step + 1) / 3)),
                "");
    }
    std::vector<uint8_t> blob = original.serializeState();

    Optimizer restored(options);
    ASSERT_EQ(restored.deserializeState(blob), "");
    EXPECT_EQ(restored.serializeState(), blob);
    EXPECT_EQ(restored.steps(), 3);
    EXPECT_EQ(restored.epoch(), 2);
    EXPECT_EQ(restored.learningRate(), original.learningRate());

    Network copy = network;
    Gradients next = makeGradients(1.0 / 7);
    ASSERT_EQ(original.step(network, next), "");
    ASSERT_EQ(restored.step(copy, next), "");
    EXPECT_TRUE(
        sameBits(network.projections[0].weight, copy.projections[0].weight));
    EXPECT_TRUE(
        sameBits(network.projections[0].delayMs, copy.projections[0].delayMs));
    EXPECT_TRUE(sameBits(network.populations[1].threshold,
                         copy.populations[1].threshold));
    EXPECT_EQ(original.serializeState(), restored.serializeState());
  }
}

// Damaged or foreign blobs are refused and leave the state alone.
TEST(OptimizerTest, BadStateIsRefused) {
  OptimizerOptions options;
  Optimizer adam(options);
  Network network = makeNetwork(true, false, false);
  ASSERT_EQ(adam.step(network, makeGradients(1)), "");
  std::vector<uint8_t> blob = adam.serializeState();

  Optimizer fresh(options);
  std::vector<uint8_t> truncated(blob.begin(), blob.end() - 3);
  EXPECT_NE(fresh.deserializeState(truncated).find("truncated"),
            std::string::npos);
  EXPECT_NE(fresh.deserializeState({1, 2, 3}).find("header"),
            std::string::npos);
  std::vector<uint8_t> longer = blob;
  longer.push_back(0);
  EXPECT_NE(fresh.deserializeState(longer).find("trailing"), std::string::npos);
  EXPECT_EQ(fresh.steps(), 0);

  OptimizerOptions sgdOptions;
  sgdOptions.kind = OptimizerKind::SGD;
  Optimizer sgd(sgdOptions);
  EXPECT_NE(sgd.deserializeState(blob).find("another kind"), std::string::npos);
}
