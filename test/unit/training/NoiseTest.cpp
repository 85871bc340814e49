//===- NoiseTest.cpp - Perturbed parameters and jittered inputs -----------===//

#include "runtime/Noise.h"
#include "runtime/Random.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace snnc::runtime;

namespace {

/// 4 -> 50 -> 40 with weights 0.5 and thresholds 1 (reset 0), enough
/// entries for the statistics below.
Network makeNetwork() {
  Network network;
  network.name = "noise";
  network.durationMs = 50;
  Population input;
  input.name = "in";
  input.kind = PopulationKind::Source;
  input.size = 4;
  Population hidden;
  hidden.name = "hidden";
  hidden.size = 50;
  hidden.tauMemMs = 20;
  hidden.tauSynMs = 5;
  hidden.threshold.assign(50, 1.0);
  Population output = hidden;
  output.name = "out";
  output.size = 40;
  output.threshold.assign(40, 1.0);
  network.populations = {input, hidden, output};
  Projection inHidden;
  inHidden.name = "in_hidden";
  inHidden.pre = 0;
  inHidden.post = 1;
  inHidden.weight.assign(4 * 50, 0.5);
  Projection hiddenOut;
  hiddenOut.name = "hidden_out";
  hiddenOut.pre = 1;
  hiddenOut.post = 2;
  hiddenOut.weight.assign(50 * 40, -0.25);
  hiddenOut.delayMs.assign(50 * 40, 1.5);
  network.projections = {inHidden, hiddenOut};
  return network;
}

std::vector<Sample> makeSamples() {
  std::vector<Sample> samples(40);
  for (size_t index = 0; index < samples.size(); ++index) {
    samples[index].label = static_cast<int32_t>(index % 3);
    for (int32_t channel = 0; channel < 4; ++channel)
      samples[index].spikes.push_back({0, channel, 0.05 + 10.0 * channel});
  }
  return samples;
}

bool sameBits(double left, double right) {
  return std::memcmp(&left, &right, sizeof left) == 0;
}

/// Mean and standard deviation of `values`.
void moments(const std::vector<double> &values, double &mean, double &std) {
  mean = 0;
  for (double value : values)
    mean += value;
  mean /= values.size();
  std = 0;
  for (double value : values)
    std += (value - mean) * (value - mean);
  std = std::sqrt(std / (values.size() - 1));
}

TEST(NoiseTest, ParsesKeysAndNamesBadOnes) {
  NoiseOptions options;
  std::string error;
  ASSERT_TRUE(parseNoiseOptions("weight=0.05,threshold=0.02,jitter=0.1",
                                options, error))
      << error;
  EXPECT_EQ(options.weightStd, 0.05);
  EXPECT_EQ(options.thresholdStd, 0.02);
  EXPECT_EQ(options.jitterMs, 0.1);
  EXPECT_EQ(options.seeds, 5);
  ASSERT_TRUE(parseNoiseOptions("seeds=3,jitter=1", options, error));
  EXPECT_EQ(options.seeds, 3);
  EXPECT_EQ(options.weightStd, 0.0);
  EXPECT_EQ(options.jitterMs, 1.0);

  struct Case {
    const char *text;
    const char *message;
  };
  for (const Case &bad : {
           Case{"weigth=0.1", "unknown key 'weigth'"},
           Case{"weight=abc", "weight: 'abc' is not a number"},
           Case{"weight=0.1x", "weight: '0.1x' is not a number"},
           Case{"jitter=-1", "jitter must be non-negative (got -1)"},
           Case{"seeds=0", "seeds must be an integer"},
           Case{"seeds=2.5", "seeds must be an integer"},
           Case{"weight", "'weight' is not KEY=VALUE"},
           Case{"weight=0.1,weight=0.2", "key 'weight' given twice"},
           Case{"threshold=", "threshold: '' is not a number"},
           Case{"", "empty list"},
           Case{"weight=inf", "weight: 'inf' is not a number"},
       }) {
    EXPECT_FALSE(parseNoiseOptions(bad.text, options, error)) << bad.text;
    EXPECT_NE(error.find(bad.message), std::string::npos)
        << bad.text << ": " << error;
    EXPECT_EQ(error.rfind("--noise: ", 0), 0u) << error;
  }
}

TEST(NoiseTest, ZeroNoiseIsTheIdentity) {
  Network network = makeNetwork();
  NoiseOptions options;
  Network copy = perturbNetwork(network, options, 3);
  for (size_t index = 0; index < network.projections.size(); ++index) {
    EXPECT_EQ(copy.projections[index].weight,
              network.projections[index].weight);
    EXPECT_EQ(copy.projections[index].delayMs,
              network.projections[index].delayMs);
  }
  for (size_t index = 0; index < network.populations.size(); ++index)
    EXPECT_EQ(copy.populations[index].threshold,
              network.populations[index].threshold);

  std::vector<Sample> samples = makeSamples();
  std::vector<Sample> jittered = jitterSamples(samples, options, 3);
  ASSERT_EQ(jittered.size(), samples.size());
  for (size_t index = 0; index < samples.size(); ++index) {
    EXPECT_EQ(jittered[index].label, samples[index].label);
    for (size_t spike = 0; spike < samples[index].spikes.size(); ++spike)
      EXPECT_TRUE(sameBits(jittered[index].spikes[spike].timeMs,
                           samples[index].spikes[spike].timeMs));
  }
}

TEST(NoiseTest, DeterministicPerSeed) {
  Network network = makeNetwork();
  NoiseOptions options;
  options.weightStd = 0.1;
  options.thresholdStd = 0.05;
  options.jitterMs = 0.5;
  Network first = perturbNetwork(network, options, 1);
  Network again = perturbNetwork(network, options, 1);
  Network other = perturbNetwork(network, options, 2);
  for (size_t entry = 0; entry < first.projections[1].weight.size(); ++entry)
    ASSERT_TRUE(sameBits(first.projections[1].weight[entry],
                         again.projections[1].weight[entry]));
  EXPECT_NE(first.projections[1].weight, other.projections[1].weight);
  EXPECT_NE(first.populations[2].threshold, other.populations[2].threshold);

  // A sample's jitter depends on the seed and its index alone.
  std::vector<Sample> samples = makeSamples();
  std::vector<Sample> all = jitterSamples(samples, options, 1);
  std::vector<Sample> prefix(samples.begin(), samples.begin() + 10);
  std::vector<Sample> part = jitterSamples(prefix, options, 1);
  for (size_t index = 0; index < part.size(); ++index)
    for (size_t spike = 0; spike < part[index].spikes.size(); ++spike)
      ASSERT_TRUE(sameBits(part[index].spikes[spike].timeMs,
                           all[index].spikes[spike].timeMs));
  EXPECT_NE(jitterSamples(samples, options, 2)[0].spikes[1].timeMs,
            all[0].spikes[1].timeMs);

  // Switching weight noise off leaves the threshold draws as they were.
  NoiseOptions thresholdsOnly = options;
  thresholdsOnly.weightStd = 0;
  Network thresholds = perturbNetwork(network, thresholdsOnly, 1);
  EXPECT_EQ(thresholds.populations[2].threshold,
            first.populations[2].threshold);
  EXPECT_EQ(thresholds.projections[1].weight, network.projections[1].weight);
}

TEST(NoiseTest, PerturbationsHaveTheRequestedStatistics) {
  Network network = makeNetwork();
  NoiseOptions options;
  options.weightStd = 0.1;
  options.thresholdStd = 0.2;
  options.jitterMs = 2;

  // 2000 relative weight changes: mean 0, std 0.1. The delays stay.
  Network perturbed = perturbNetwork(network, options, 0);
  std::vector<double> relative;
  for (double weight : perturbed.projections[1].weight)
    relative.push_back(weight / -0.25 - 1);
  double mean, std;
  moments(relative, mean, std);
  EXPECT_NEAR(mean, 0, 0.01);
  EXPECT_NEAR(std, 0.1, 0.01);
  EXPECT_EQ(perturbed.projections[1].delayMs, network.projections[1].delayMs);

  // 90 thresholds: relative std 0.2 within sampling error.
  std::vector<double> thresholds = perturbed.populations[1].threshold;
  thresholds.insert(thresholds.end(),
                    perturbed.populations[2].threshold.begin(),
                    perturbed.populations[2].threshold.end());
  moments(thresholds, mean, std);
  EXPECT_NEAR(mean, 1, 0.06);
  EXPECT_NEAR(std, 0.2, 0.05);

  // Spikes at 10, 20 and 30 ms move by N(0, 2 ms); those at 0.05 ms are
  // clamped at 0 about half of the time.
  std::vector<Sample> samples = makeSamples();
  std::vector<Sample> jittered = jitterSamples(samples, options, 0);
  std::vector<double> shifts;
  int32_t clamped = 0;
  for (size_t index = 0; index < samples.size(); ++index) {
    for (size_t spike = 0; spike < samples[index].spikes.size(); ++spike) {
      double time = jittered[index].spikes[spike].timeMs;
      EXPECT_GE(time, 0.0);
      if (spike == 0)
        clamped += time == 0;
      else
        shifts.push_back(time - samples[index].spikes[spike].timeMs);
    }
  }
  moments(shifts, mean, std);
  EXPECT_NEAR(mean, 0, 0.4);
  EXPECT_NEAR(std, 2, 0.3);
  EXPECT_GT(clamped, 10);
  EXPECT_LT(clamped, 30);
}

TEST(NoiseTest, ThresholdsStayAboveReset) {
  Network network = makeNetwork();
  network.populations[1].reset = 0.5;
  NoiseOptions options;
  options.thresholdStd = 3;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Network perturbed = perturbNetwork(network, options, seed);
    for (double threshold : perturbed.populations[1].threshold)
      EXPECT_GE(threshold, 0.5 + kMinThresholdFraction * 0.5);
    for (double threshold : perturbed.populations[2].threshold)
      EXPECT_GE(threshold, kMinThresholdFraction * 1.0);
  }
}

TEST(NoiseTest, FactorsAreTheDrawsOfPerturbNetwork) {
  // The factors a core image is perturbed with are the ones perturbNetwork
  // applies to the float network: same seed, same order, same values.
  Network network = makeNetwork();
  network.populations[1].threshold[7] = 2.5;
  NoiseOptions options;
  options.weightStd = 0.2;
  options.thresholdStd = 0.1;
  std::vector<size_t> projectionSizes;
  for (const Projection &projection : network.projections)
    projectionSizes.push_back(projection.weight.size());
  std::vector<size_t> thresholdCounts;
  for (const Population &population : network.populations)
    thresholdCounts.push_back(population.threshold.size());
  for (uint64_t seed = 0; seed < 3; ++seed) {
    Network perturbed = perturbNetwork(network, options, seed);
    auto weights = weightNoiseFactors(projectionSizes, options, seed);
    auto thresholds = thresholdNoiseFactors(thresholdCounts, options, seed);
    ASSERT_EQ(weights.size(), 2u);
    ASSERT_EQ(thresholds.size(), 3u);
    EXPECT_TRUE(thresholds[0].empty());
    for (size_t p = 0; p < network.projections.size(); ++p) {
      ASSERT_EQ(weights[p].size(), projectionSizes[p]);
      for (size_t i = 0; i < projectionSizes[p]; ++i)
        EXPECT_EQ(perturbed.projections[p].weight[i],
                  network.projections[p].weight[i] * weights[p][i]);
    }
    for (size_t p = 1; p < network.populations.size(); ++p)
      for (size_t i = 0; i < thresholdCounts[p]; ++i)
        EXPECT_EQ(
            perturbed.populations[p].threshold[i],
            std::max(network.populations[p].threshold[i] * thresholds[p][i],
                     kMinThresholdFraction *
                         network.populations[p].threshold[i]));
  }

  // Without noise every factor is 1.
  auto ones = weightNoiseFactors({3, 2}, NoiseOptions(), 4);
  EXPECT_EQ(ones, (std::vector<std::vector<double>>{{1, 1, 1}, {1, 1}}));
}

} // namespace
