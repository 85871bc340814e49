//===- Noise.cpp - Perturbed parameters and jittered inputs ---------------===//

#include "runtime/Noise.h"

#include "runtime/Random.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace snnc::runtime {

/// Streams of one seed: each kind of perturbation draws from its own, so
/// switching one off leaves the draws of the others unchanged.
enum NoiseStream : uint64_t {
  kWeightStream = 1,
  kThresholdStream = 2,
  kJitterStream = 3,
};

/// Parses all of `text` as a finite double.
static bool parseNumber(const std::string &text, double &value) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() &&
         std::isfinite(value);
}

bool parseNoiseOptions(const std::string &text, NoiseOptions &options,
                       std::string &error) {
  options = NoiseOptions();
  if (text.empty()) {
    error = "--noise: empty list; expected weight=R,threshold=R,jitter=MS"
            "[,seeds=N]";
    return false;
  }
  std::stringstream stream(text);
  std::string item;
  std::vector<std::string> seen;
  while (std::getline(stream, item, ',')) {
    size_t equals = item.find('=');
    if (equals == std::string::npos) {
      error = "--noise: '" + item + "' is not KEY=VALUE";
      return false;
    }
    std::string key = item.substr(0, equals);
    std::string valueText = item.substr(equals + 1);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      error = "--noise: key '" + key + "' given twice";
      return false;
    }
    seen.push_back(key);
    double value = 0;
    if (!parseNumber(valueText, value)) {
      error = "--noise: " + key + ": '" + valueText + "' is not a number";
      return false;
    }
    if (key == "weight" || key == "threshold" || key == "jitter") {
      if (value < 0) {
        error =
            "--noise: " + key + " must be non-negative (got " + valueText + ")";
        return false;
      }
      if (key == "weight")
        options.weightStd = value;
      else if (key == "threshold")
        options.thresholdStd = value;
      else
        options.jitterMs = value;
    } else if (key == "seeds") {
      if (value != std::floor(value) || value < 1 || value > 10000) {
        error = "--noise: seeds must be an integer from 1 to 10000 (got " +
                valueText + ")";
        return false;
      }
      options.seeds = static_cast<int32_t>(value);
    } else {
      error = "--noise: unknown key '" + key +
              "'; expected weight, threshold, jitter or seeds";
      return false;
    }
  }
  if (!text.empty() && text.back() == ',') {
    error = "--noise: trailing ',' in '" + text + "'";
    return false;
  }
  return true;
}

std::string describeNoise(const NoiseOptions &options) {
  char text[160];
  std::snprintf(
      text, sizeof text, "weight=%g threshold=%g jitter=%gms seeds=%d",
      options.weightStd, options.thresholdStd, options.jitterMs, options.seeds);
  return text;
}

Network perturbNetwork(const Network &network, const NoiseOptions &options,
                       uint64_t seed) {
  Network perturbed = network;

  // Projections and populations in order, entries in layout order: the
  // draws of a weight depend only on the seed and where it sits.
  if (options.weightStd > 0) {
    Rng rng(deriveSeed(seed, kWeightStream));
    for (Projection &projection : perturbed.projections)
      for (double &weight : projection.weight)
        weight *= 1 + options.weightStd * rng.normal();
  }

  if (options.thresholdStd > 0) {
    Rng rng(deriveSeed(seed, kThresholdStream));
    for (Population &population : perturbed.populations) {
      for (double &threshold : population.threshold) {
        double original = threshold;
        threshold *= 1 + options.thresholdStd * rng.normal();
        if (original > population.reset)
          threshold = std::max(
              threshold, population.reset + kMinThresholdFraction *
                                                (original - population.reset));
      }
    }
  }
  return perturbed;
}

/// Lists of the given sizes filled with 1 + deviation n from one stream.
static std::vector<std::vector<double>>
drawFactors(const std::vector<size_t> &sizes, double deviation,
            uint64_t streamSeed) {
  std::vector<std::vector<double>> factors;
  for (size_t size : sizes)
    factors.emplace_back(size, 1.0);
  if (!(deviation > 0))
    return factors;
  Rng rng(streamSeed);
  for (std::vector<double> &list : factors)
    for (double &factor : list)
      factor = 1 + deviation * rng.normal();
  return factors;
}

std::vector<std::vector<double>>
weightNoiseFactors(const std::vector<size_t> &projectionSizes,
                   const NoiseOptions &options, uint64_t seed) {
  return drawFactors(projectionSizes, options.weightStd,
                     deriveSeed(seed, kWeightStream));
}

std::vector<std::vector<double>>
thresholdNoiseFactors(const std::vector<size_t> &thresholdCounts,
                      const NoiseOptions &options, uint64_t seed) {
  return drawFactors(thresholdCounts, options.thresholdStd,
                     deriveSeed(seed, kThresholdStream));
}

std::vector<Sample> jitterSamples(const std::vector<Sample> &samples,
                                  const NoiseOptions &options, uint64_t seed) {
  std::vector<Sample> jittered = samples;
  if (!(options.jitterMs > 0))
    return jittered;
  uint64_t streamSeed = deriveSeed(seed, kJitterStream);
  for (size_t index = 0; index < jittered.size(); ++index) {
    Rng rng(deriveSeed(streamSeed, index));
    for (InputSpike &spike : jittered[index].spikes)
      spike.timeMs =
          std::max(0.0, spike.timeMs + options.jitterMs * rng.normal());
  }
  return jittered;
}

} // namespace snnc::runtime
