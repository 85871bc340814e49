//===- Noise.h - Perturbed parameters and jittered inputs -------*- C++ -*-===//
//
// The perturbations of `snnc eval --noise`, which measure how robust a
// trained network is to what analog or mixed-signal hardware does to it:
// every weight multiplied by (1 + weightStd n), every LIF threshold by
// (1 + thresholdStd n), every input spike moved by jitterMs n, with n
// standard normal. The draws come from the portable Rng, so one seed gives
// the same perturbation on every machine, whatever the thread count, and
// networks trained by different methods meet the same perturbations.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_NOISE_H
#define SNNC_RUNTIME_NOISE_H

#include "runtime/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

struct NoiseOptions {
  /// Standard deviation of the multiplicative weight noise (relative).
  double weightStd = 0;
  /// Standard deviation of the multiplicative threshold noise (relative).
  double thresholdStd = 0;
  /// Standard deviation of the spike-time jitter, in milliseconds.
  double jitterMs = 0;
  /// Perturbations are drawn with seeds 0 .. seeds - 1.
  int32_t seeds = 5;
};

/// Parses `weight=R,threshold=R,jitter=MS,seeds=N` (any subset, any order;
/// absent keys keep their defaults). Returns false and sets `error`, naming
/// the bad key or value, when the text is malformed.
bool parseNoiseOptions(const std::string &text, NoiseOptions &options,
                       std::string &error);

/// "weight=0.05 threshold=0.02 jitter=0.1ms seeds=5".
std::string describeNoise(const NoiseOptions &options);

/// A copy of `network` with its weights and thresholds perturbed by the
/// draws of `seed`. Zero deviations give an identical copy. A threshold
/// above reset stays above it: the perturbed value is clamped to at least
/// reset + kMinThresholdFraction (threshold - reset), so no neuron turns
/// into one that fires on every input. Delays are left as they are.
Network perturbNetwork(const Network &network, const NoiseOptions &options,
                       uint64_t seed);

/// The factors perturbNetwork multiplies weights by under `seed`
/// (1 + weightStd n): one list per projection, of the given sizes, drawn in
/// the same order as perturbNetwork draws them, so that a copy of the
/// network in another form (a core image) meets the same perturbation.
/// All factors are 1 when weightStd is zero.
std::vector<std::vector<double>>
weightNoiseFactors(const std::vector<size_t> &projectionSizes,
                   const NoiseOptions &options, uint64_t seed);

/// The factors perturbNetwork multiplies thresholds by under `seed`
/// (1 + thresholdStd n), before its clamp above reset: one list per
/// population with that many thresholds (zero for populations without),
/// in network order. All factors are 1 when thresholdStd is zero.
std::vector<std::vector<double>>
thresholdNoiseFactors(const std::vector<size_t> &thresholdCounts,
                      const NoiseOptions &options, uint64_t seed);

/// How close to reset a perturbed threshold may come, as a fraction of its
/// unperturbed distance above reset.
inline constexpr double kMinThresholdFraction = 0.05;

/// Copies of `samples` whose input spikes are moved by Gaussian jitter of
/// standard deviation options.jitterMs, clamped at 0 ms. Sample i draws from
/// its own stream of `seed`, so a sample's jitter does not depend on which
/// other samples are jittered with it.
std::vector<Sample> jitterSamples(const std::vector<Sample> &samples,
                                  const NoiseOptions &options, uint64_t seed);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_NOISE_H
