//===- GradientTest.cpp - Exact gradients against finite differences ------===//
//
// Every weight, delay and threshold gradient of seeded random networks is
// compared with a fourth-order central difference of the forward loss.
// A difference is only meaningful while the perturbed runs keep every
// neuron's spike count, so other parameters are skipped, and the tests
// assert that enough were compared to mean something.
//
//===----------------------------------------------------------------------===//

#include "RandomNetwork.h"

#include "runtime/EventProp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

using namespace snnc::runtime;
using snnc::runtime::testing::makeRandomNetwork;
using snnc::runtime::testing::makeRandomSample;
using snnc::runtime::testing::RandomNetworkConfig;

namespace {

/// The options of every run of a check (the silent-label test sets them).
SimulationOptions checkOptions;

struct CheckStats {
  int64_t parameters = 0;
  int64_t compared = 0;
  /// Compared parameters whose gradient is not negligibly small.
  int64_t nonZero = 0;
  /// Skipped because the differences at two step sizes disagree.
  int64_t notSmooth = 0;
  double maxRelativeError = 0;
  std::string worst;
};

/// What must not change for the loss to be differentiable at a point: the
/// spike count of every neuron and, for a max-voltage readout, which local
/// maximum is the largest (two near-equal peaks can swap, which moves the
/// time of the maximum by a jump instead of continuously).
struct Structure {
  std::vector<int32_t> spikeCounts;
  std::vector<double> maxTimes;

  bool sameAs(const Structure &other) const {
    if (spikeCounts != other.spikeCounts ||
        maxTimes.size() != other.maxTimes.size())
      return false;
    for (size_t index = 0; index < maxTimes.size(); ++index) {
      if (std::fabs(maxTimes[index] - other.maxTimes[index]) > 1e-3)
        return false;
    }
    return true;
  }
};

/// The loss and structure of one forward run; false when the run failed
/// (for example a perturbed delay went negative).
bool evaluate(const Network &network, const Sample &sample, double &loss,
              Structure &structure) {
  ForwardResult result;
  if (!runForward(network, sample, result, nullptr, checkOptions).empty())
    return false;
  loss = result.loss;
  structure = Structure();
  for (size_t population = 0; population < network.populations.size();
       ++population) {
    std::vector<int32_t> counts(network.populations[population].size, 0);
    for (const SpikeRecord &record : result.spikes[population])
      ++counts[record.neuron];
    structure.spikeCounts.insert(structure.spikeCounts.end(), counts.begin(),
                                 counts.end());
    const std::vector<double> &maxTimes = result.maxVoltageTimeMs[population];
    structure.maxTimes.insert(structure.maxTimes.end(), maxTimes.begin(),
                              maxTimes.end());
  }
  return true;
}

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-6;
constexpr double kFloor = 1e-3;

/// The central difference (-L(2h) + 8 L(h) - 8 L(-h) + L(-2h)) / 12h with
/// `parameter` perturbed; false when a perturbed run failed or changed the
/// structure.
bool centralDifference(Network &network, const Sample &sample,
                       double &parameter, double step,
                       const Structure &baseStructure, double &difference) {
  double original = parameter;
  double losses[4];
  const double offsets[4] = {-2, -1, 1, 2};
  bool usable = true;
  Structure structure;
  for (int index = 0; index < 4 && usable; ++index) {
    parameter = original + offsets[index] * step;
    usable = evaluate(network, sample, losses[index], structure) &&
             structure.sameAs(baseStructure);
  }
  parameter = original;
  difference =
      (losses[0] - 8 * losses[1] + 8 * losses[2] - losses[3]) / (12 * step);
  return usable;
}

double relativeDifference(double left, double right) {
  return std::fabs(left - right) /
         std::max({std::fabs(left), std::fabs(right), kFloor});
}

/// Compares the analytic gradient of one parameter with central
/// differences. A spike that nearly grazes its threshold, or two events
/// that nearly coincide, make the loss smooth only on scales below the step;
/// a second difference with a quarter of the step tells such points apart
/// (the two differences disagree) from a wrong gradient (they agree with
/// each other, not with the analytic value).
void checkParameter(Network &network, const Sample &sample, double &parameter,
                    double analytic, const Structure &baseStructure,
                    const std::string &name, CheckStats &stats) {
  ++stats.parameters;
  double numeric;
  if (!centralDifference(network, sample, parameter, kStep, baseStructure,
                         numeric))
    return;
  double relativeError = relativeDifference(analytic, numeric);
  if (relativeError > kTolerance) {
    double finer;
    if (!centralDifference(network, sample, parameter, kStep / 4, baseStructure,
                           finer))
      return;
    if (relativeDifference(numeric, finer) > kTolerance) {
      ++stats.notSmooth;
      return;
    }
  }

  ++stats.compared;
  if (std::max(std::fabs(analytic), std::fabs(numeric)) > 1e-6)
    ++stats.nonZero;
  if (relativeError > stats.maxRelativeError) {
    stats.maxRelativeError = relativeError;
    stats.worst = name;
  }
  EXPECT_LE(relativeError, kTolerance)
      << name << ": analytic " << analytic << ", numeric " << numeric;
}

void checkNetwork(Network network, const Sample &sample,
                  const std::string &label, CheckStats &stats) {
  ForwardResult forward;
  ASSERT_EQ(runForward(network, sample, forward, nullptr, checkOptions), "")
      << label;
  Gradients gradients = Gradients::zerosLike(network);
  ASSERT_EQ(
      runBackward(network, sample, forward, gradients, nullptr, checkOptions),
      "")
      << label;
  double baseLoss;
  Structure baseCounts;
  ASSERT_TRUE(evaluate(network, sample, baseLoss, baseCounts));

  for (size_t index = 0; index < network.projections.size(); ++index) {
    Projection &projection = network.projections[index];
    for (size_t synapse = 0; synapse < projection.weight.size(); ++synapse)
      checkParameter(network, sample, projection.weight[synapse],
                     gradients.weight[index][synapse], baseCounts,
                     label + " " + projection.name + ".weight[" +
                         std::to_string(synapse) + "]",
                     stats);
    for (size_t synapse = 0; synapse < projection.delayMs.size(); ++synapse)
      checkParameter(network, sample, projection.delayMs[synapse],
                     gradients.delay[index][synapse], baseCounts,
                     label + " " + projection.name + ".delay[" +
                         std::to_string(synapse) + "]",
                     stats);
  }
  for (size_t index = 0; index < network.populations.size(); ++index) {
    Population &population = network.populations[index];
    if (!population.learnThreshold)
      continue;
    for (size_t neuron = 0; neuron < population.threshold.size(); ++neuron)
      checkParameter(network, sample, population.threshold[neuron],
                     gradients.threshold[index][neuron], baseCounts,
                     label + " " + population.name + ".threshold[" +
                         std::to_string(neuron) + "]",
                     stats);
  }
}

struct GradientCase {
  const char *name;
  RandomNetworkConfig config;
};

RandomNetworkConfig withLoss(RandomNetworkConfig config, LossKind loss) {
  config.loss = loss;
  return config;
}

RandomNetworkConfig withEqualTaus(RandomNetworkConfig config) {
  config.tauMemMs = 8;
  config.tauSynMs = 8;
  // The longer synaptic current makes each input count for more.
  config.weightScale = 0.2;
  return config;
}

RandomNetworkConfig withoutDelays(RandomNetworkConfig config) {
  config.delays = false;
  return config;
}

RandomNetworkConfig withRefractory(RandomNetworkConfig config) {
  config.refractoryMs = 2;
  return config;
}

RandomNetworkConfig withNearlyEqualTaus(RandomNetworkConfig config) {
  config.tauMemMs = 6 * (1 + 1e-9);
  config.tauSynMs = 6;
  config.weightScale = 0.2;
  return config;
}

class GradientTest : public ::testing::TestWithParam<GradientCase> {};

TEST_P(GradientTest, MatchesFiniteDifferences) {
  const GradientCase &gradientCase = GetParam();
  CheckStats stats;
  constexpr int kSeeds = 20;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    Network network = makeRandomNetwork(gradientCase.config, seed);
    Sample sample = makeRandomSample(gradientCase.config, seed);
    checkNetwork(network, sample,
                 std::string(gradientCase.name) + " seed " +
                     std::to_string(seed),
                 stats);
  }
  std::printf("[ %s ] %lld parameters, %lld compared (%lld non-zero, %lld "
              "skipped as not smooth at the step), max relative error %.3g "
              "(%s)\n",
              gradientCase.name, static_cast<long long>(stats.parameters),
              static_cast<long long>(stats.compared),
              static_cast<long long>(stats.nonZero),
              static_cast<long long>(stats.notSmooth), stats.maxRelativeError,
              stats.worst.c_str());
  // Without this a network that never spikes would pass trivially.
  EXPECT_GE(stats.compared, stats.parameters / 2);
  EXPECT_GE(stats.nonZero, stats.parameters / 5);
}

const RandomNetworkConfig kBase;

INSTANTIATE_TEST_SUITE_P(
    Networks, GradientTest,
    ::testing::Values(
        GradientCase{"ttfs", kBase},
        GradientCase{"ttfs_equal_taus", withEqualTaus(kBase)},
        GradientCase{"ttfs_nearly_equal_taus", withNearlyEqualTaus(kBase)},
        GradientCase{"ttfs_no_delays", withoutDelays(kBase)},
        GradientCase{"ttfs_refractory", withRefractory(kBase)},
        GradientCase{"maxv", withLoss(kBase, LossKind::MaxVoltage)},
        GradientCase{"maxv_equal_taus",
                     withEqualTaus(withLoss(kBase, LossKind::MaxVoltage))},
        GradientCase{"maxv_no_delays",
                     withoutDelays(withLoss(kBase, LossKind::MaxVoltage))},
        GradientCase{"maxv_refractory",
                     withRefractory(withLoss(kBase, LossKind::MaxVoltage))}),
    [](const ::testing::TestParamInfo<GradientCase> &info) {
      return std::string(info.param.name);
    });

// The silent-label penalty b (theta - Vmax) of a label neuron that never
// fires: its gradient flows through the neuron's voltage maximum, so it must
// match finite differences like the rest of the loss.
TEST(GradientTest, SilentLabelPenaltyMatchesFiniteDifferences) {
  CheckStats stats;
  int32_t silentCases = 0;
  checkOptions.silentLabelPenalty = 0.7;
  for (RandomNetworkConfig config : {kBase, withoutDelays(kBase)}) {
    for (int seed = 1; seed <= 10; ++seed) {
      Network network = makeRandomNetwork(config, seed);
      Sample sample = makeRandomSample(config, seed);
      // Make output 0 the label and keep it silent.
      int32_t output = network.loss.population;
      network.populations[output].threshold[0] *= 20;
      sample.label = 0;
      ForwardResult forward;
      ASSERT_EQ(runForward(network, sample, forward, nullptr, checkOptions),
                "");
      ASSERT_FALSE(forward.outputs[0] < network.durationMs);
      ForwardResult plain;
      ASSERT_EQ(runForward(network, sample, plain, nullptr), "");
      // The penalty adds b (theta - Vmax) and changes no spike.
      EXPECT_NEAR(forward.loss - plain.loss,
                  0.7 * (network.populations[output].threshold[0] -
                         forward.maxVoltage[output][0]),
                  1e-12);
      EXPECT_EQ(forward.spikes[output].size(), plain.spikes[output].size());
      if (forward.maxVoltage[output][0] > 0)
        ++silentCases;
      checkNetwork(network, sample, "silent seed " + std::to_string(seed),
                   stats);
    }
  }
  checkOptions = SimulationOptions();
  std::printf("[ silent_label ] %lld parameters, %lld compared (%lld "
              "non-zero), max relative error %.3g (%s)\n",
              static_cast<long long>(stats.parameters),
              static_cast<long long>(stats.compared),
              static_cast<long long>(stats.nonZero), stats.maxRelativeError,
              stats.worst.c_str());
  EXPECT_GE(silentCases, 10);
  EXPECT_GE(stats.compared, stats.parameters / 2);
  EXPECT_GE(stats.nonZero, stats.parameters / 5);
}

} // namespace
