//===- CrossingTest.cpp - Threshold crossings against closed forms --------===//
//
// A single LIF neuron driven by known input spikes, whose first crossing has
// a closed form (Lambert W for tau_m == tau_s, a quadratic for
// tau_m == 2 tau_s) or a long double reference found by bisection.
//
//===----------------------------------------------------------------------===//

#include "runtime/Crossing.h"
#include "runtime/EventProp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

using namespace snnc::runtime;

namespace {

constexpr double kTimeTolerance = 1e-9;

/// One source channel per input driving one LIF neuron with threshold 1.
Network singleNeuron(double tauMemMs, double tauSynMs,
                     const std::vector<double> &weights,
                     double durationMs = 200) {
  Network network;
  network.durationMs = durationMs;
  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = static_cast<int32_t>(weights.size());
  Population neuron;
  neuron.name = "lif";
  neuron.size = 1;
  neuron.tauMemMs = tauMemMs;
  neuron.tauSynMs = tauSynMs;
  neuron.threshold = {1.0};
  network.populations = {source, neuron};
  Projection projection;
  projection.name = "in_lif";
  projection.pre = 0;
  projection.post = 1;
  projection.weight = weights;
  network.projections = {projection};
  return network;
}

std::vector<SpikeRecord> simulate(const Network &network,
                                  const std::vector<double> &inputTimes) {
  Sample sample;
  for (size_t channel = 0; channel < inputTimes.size(); ++channel)
    sample.spikes.push_back(
        {0, static_cast<int32_t>(channel), inputTimes[channel]});
  ForwardResult result;
  EXPECT_EQ(runForward(network, sample, result, nullptr), "");
  return result.spikes[1];
}

/// The principal branch W0(z) for z in (-1/e, 0) by Halley's iteration.
long double lambertW0(long double z) {
  long double w = -0.5L;
  for (int iteration = 0; iteration < 100; ++iteration) {
    long double expW = std::exp(w);
    long double residual = w * expW - z;
    long double step =
        residual / (expW * (w + 1) - (w + 2) * residual / (2 * w + 2));
    w -= step;
    if (std::fabs(step) < 1e-19L)
      break;
  }
  return w;
}

/// The first root of `voltageMinusThreshold` after `from`, found by a fine
/// scan and long double bisection.
long double referenceCrossing(
    const std::function<long double(long double)> &voltageMinusThreshold,
    long double from, long double to) {
  long double step = (to - from) / 20000;
  long double lo = from;
  while (lo < to && voltageMinusThreshold(lo + step) < 0)
    lo += step;
  long double hi = lo + step;
  for (int iteration = 0; iteration < 200; ++iteration) {
    long double middle = 0.5L * (lo + hi);
    if (voltageMinusThreshold(middle) < 0)
      lo = middle;
    else
      hi = middle;
  }
  return hi;
}

TEST(CrossingTest, EqualTimeConstantsMatchLambertW) {
  // V(t) = w (t/tau) e^{-t/tau} = 1  gives  t = -tau W0(-1/w).
  const double tau = 10;
  for (double weight : {2.8, 3.0, 4.0, 10.0, 50.0}) {
    std::vector<SpikeRecord> spikes =
        simulate(singleNeuron(tau, tau, {weight}), {0.0});
    // Strong inputs fire again after the reset; the first spike is the one
    // with a closed form.
    ASSERT_GE(spikes.size(), 1u) << "weight " << weight;
    long double expected = -tau * lambertW0(-1.0L / weight);
    EXPECT_NEAR(spikes[0].timeMs, static_cast<double>(expected), kTimeTolerance)
        << "weight " << weight;
    // The record holds the synaptic current at the crossing.
    EXPECT_NEAR(spikes[0].current, weight * std::exp(-spikes[0].timeMs / tau),
                1e-12 * weight);
  }
}

TEST(CrossingTest, DoubleMembraneConstantMatchesQuadratic) {
  // tau_m = 2 tau_s: V = w (x - x^2) with x = e^{-t/tau_m}; the first
  // crossing is the larger root of x^2 - x + 1/w = 0.
  const double tauSyn = 5;
  const double tauMem = 2 * tauSyn;
  for (double weight : {4.1, 5.0, 8.0, 100.0}) {
    std::vector<SpikeRecord> spikes =
        simulate(singleNeuron(tauMem, tauSyn, {weight}), {1.5});
    ASSERT_GE(spikes.size(), 1u) << "weight " << weight;
    long double root = (1 + std::sqrt(1 - 4.0L / weight)) / 2;
    long double expected = 1.5L - tauMem * std::log(root);
    EXPECT_NEAR(spikes[0].timeMs, static_cast<double>(expected), kTimeTolerance)
        << "weight " << weight;
  }
}

TEST(CrossingTest, SubthresholdInputDoesNotFire) {
  // The peaks are w/e (equal constants) and w/4 (tau_m = 2 tau_s).
  EXPECT_TRUE(simulate(singleNeuron(10, 10, {2.7}), {0.0}).empty());
  EXPECT_TRUE(simulate(singleNeuron(10, 5, {3.99}), {0.0}).empty());
  EXPECT_TRUE(simulate(singleNeuron(10, 5, {-5.0}), {0.0}).empty());
}

TEST(CrossingTest, GrazingPeakIsFoundOrRejected) {
  // The peak of w (t/tau) e^{-t/tau} is w/e at t = tau: just above the
  // threshold the neuron fires shortly before tau, just below it never does.
  const double tau = 10;
  double above = std::exp(1.0) * (1 + 1e-8);
  std::vector<SpikeRecord> spikes =
      simulate(singleNeuron(tau, tau, {above}), {0.0});
  ASSERT_EQ(spikes.size(), 1u);
  long double expected = -tau * lambertW0(-1.0L / above);
  EXPECT_NEAR(spikes[0].timeMs, static_cast<double>(expected), 1e-6);
  EXPECT_LT(spikes[0].timeMs, tau);
  EXPECT_GT(spikes[0].timeMs, tau - 0.01);

  double below = std::exp(1.0) * (1 - 1e-8);
  EXPECT_TRUE(simulate(singleNeuron(tau, tau, {below}), {0.0}).empty());
}

TEST(CrossingTest, MultipleInputsMatchBisection) {
  // Two inputs, neither enough alone: the crossing follows the second.
  const double tauMem = 12;
  const double tauSyn = 4;
  // Alone, each input peaks at 0.192 w = 0.67.
  const double weights[2] = {3.5, 3.5};
  const double times[2] = {0.0, 3.0};
  std::vector<SpikeRecord> spikes =
      simulate(singleNeuron(tauMem, tauSyn, {weights[0], weights[1]}),
               {times[0], times[1]});
  ASSERT_EQ(spikes.size(), 1u);
  auto voltage = [&](long double t) {
    long double total = 0;
    for (int input = 0; input < 2; ++input) {
      long double elapsed = t - times[input];
      if (elapsed <= 0)
        continue;
      total += weights[input] * tauSyn / (tauMem - tauSyn) *
               (std::exp(-elapsed / tauMem) - std::exp(-elapsed / tauSyn));
    }
    return total - 1.0L;
  };
  long double expected = referenceCrossing(voltage, times[1], 60);
  EXPECT_NEAR(spikes[0].timeMs, static_cast<double>(expected), kTimeTolerance);
  EXPECT_GT(spikes[0].timeMs, times[1]);
}

TEST(CrossingTest, SolverMatchesBisectionFromArbitraryStates) {
  // Direct calls, including a falling start that turns around (negative
  // voltage, positive current) and nearly equal time constants.
  struct Case {
    double tauMem, tauSyn, v0, i0;
  };
  const Case cases[] = {{10, 5, 0.2, 4.0},
                        {10, 5, -0.5, 5.0},
                        {5, 10, 0.9, 1.5},
                        {8, 8, -0.2, 3.5},
                        {8 * (1 + 1e-12), 8, 0.3, 3.5},
                        {20, 5, 0.99, 1.6}};
  for (const Case &testCase : cases) {
    LIFConstants constants =
        LIFConstants::make(testCase.tauMem, testCase.tauSyn);
    double offset = thresholdCrossingOffset(constants, testCase.v0, testCase.i0,
                                            1.0, 100.0);
    ASSERT_TRUE(std::isfinite(offset))
        << "tau_m " << testCase.tauMem << " v0 " << testCase.v0;
    // The long double difference of exponentials is itself imprecise for
    // nearly equal constants; there the tau_m == tau_s form, off by about
    // 1e-12 relative, is the reference.
    bool nearlyEqual =
        std::fabs(testCase.tauMem - testCase.tauSyn) < 1e-6 * testCase.tauMem;
    auto voltage = [&](long double t) {
      long double synDecay = std::exp(-t / testCase.tauSyn);
      long double memDecay = std::exp(-t / testCase.tauMem);
      long double coupling = nearlyEqual
                                 ? t / testCase.tauMem * memDecay
                                 : (long double)testCase.tauSyn /
                                       (testCase.tauMem - testCase.tauSyn) *
                                       (memDecay - synDecay);
      return memDecay * testCase.v0 + coupling * testCase.i0 - 1.0L;
    };
    long double expected = referenceCrossing(voltage, 0, 100);
    EXPECT_NEAR(offset, static_cast<double>(expected), kTimeTolerance)
        << "tau_m " << testCase.tauMem << " v0 " << testCase.v0;
  }
}

TEST(CrossingTest, NearlyEqualTimeConstantsKeepPrecision) {
  // As tau_s -> tau_m the coupling tends to (D/tau) e^{-D/tau}; the
  // deviation is about D |1/tau_s - 1/tau_m| / 2 relative. The naive
  // difference of exponentials would lose about 1e-6 relative here.
  const double tau = 10;
  const double elapsed = 7;
  double exact = elapsed / tau * std::exp(-elapsed / tau);
  for (double relativeGap : {1e-15, 1e-12, 1e-10, 1e-8}) {
    LIFConstants constants = LIFConstants::make(tau, tau * (1 - relativeGap));
    double coupling = propagatorFor(constants, elapsed).coupling;
    double expectedDeviation = -elapsed * relativeGap / tau / 2;
    EXPECT_NEAR(coupling / exact - 1, expectedDeviation,
                1e-15 + 1e-3 * std::fabs(expectedDeviation))
        << "relative gap " << relativeGap;
  }
  LIFConstants equal = LIFConstants::make(tau, tau);
  EXPECT_DOUBLE_EQ(propagatorFor(equal, elapsed).coupling, exact);
}

} // namespace
