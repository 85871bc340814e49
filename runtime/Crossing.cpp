//===- Crossing.cpp - Threshold crossings of a free LIF neuron ------------===//

#include "runtime/Crossing.h"

#include <algorithm>
#include <limits>

namespace snnc::runtime {

static constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// Distance from `value` to the next larger double.
static double ulpAbove(double value) {
  return std::nextafter(value, kInfinity) - value;
}

double extremumOffset(const LIFConstants &constants, double v0, double i0) {
  // dV/dt = 0 where I(t) = V(t), i.e. e^{-t rateGap} = 1 + u with
  // u = (tau_m - tau_s)/tau_m (v0/i0 - 1). Writing t through log1p(u)/u keeps
  // it exact at tau_m == tau_s, where it becomes tau (1 - v0/i0).
  if (i0 == 0.0)
    return kInfinity;
  double ratioMinusOne = v0 / i0 - 1.0;
  double relativeGap =
      (constants.tauMemMs - constants.tauSynMs) * constants.invTauMem;
  double u = relativeGap * ratioMinusOne;
  if (!(1.0 + u > 0.0))
    return kInfinity;
  double logRatio = u == 0.0 ? 1.0 : std::log1p(u) / u;
  double offset = -constants.tauSynMs * ratioMinusOne * logRatio;
  return std::isfinite(offset) ? offset : kInfinity;
}

/// Solves V(t) = threshold on [lo, hi] where V(lo) < threshold <= V(hi) and
/// V is monotone; see thresholdCrossingOffset for the stopping rule.
static double solveBracketed(const LIFConstants &constants, double v0,
                             double i0, double threshold, double lo, double hi,
                             double valueLo, double valueHi) {
  // A regula falsi point is a good first guess and is never at the flat end
  // of the bracket, where Newton would be poor.
  double guess = lo + (threshold - valueLo) * (hi - lo) / (valueHi - valueLo);
  if (!(guess > lo && guess < hi))
    guess = 0.5 * (lo + hi);

  for (int iteration = 0; iteration < 200; ++iteration) {
    Propagator propagator = propagatorFor(constants, guess);
    double voltage = propagator.memDecay * v0 + propagator.coupling * i0;
    double residual = voltage - threshold;
    if (residual == 0.0)
      return guess;
    if (residual < 0.0)
      lo = guess;
    else
      hi = guess;
    if (hi - lo <= 4.0 * ulpAbove(hi))
      return hi;

    double slope = (propagator.synDecay * i0 - voltage) * constants.invTauMem;
    double next = guess - residual / slope;
    if (!(next > lo && next < hi)) {
      next = 0.5 * (lo + hi);
    } else if (std::fabs(next - guess) <= 2.0 * ulpAbove(guess)) {
      return next;
    }
    guess = next;
  }
  return hi;
}

double thresholdCrossingOffset(const LIFConstants &constants, double v0,
                               double i0, double threshold, double horizonMs) {
  if (constants.crossingKernel)
    return constants.crossingKernel(v0, i0, threshold, horizonMs);
  if (!(v0 < threshold))
    return 0.0;
  if (!(horizonMs > 0.0))
    return kInfinity;

  double extremum = extremumOffset(constants, v0, i0);
  double lo = 0.0;
  double hi = horizonMs;
  if (i0 > v0) {
    // Rising now: the extremum, if ahead, is the peak.
    if (extremum > 0.0)
      hi = std::min(hi, extremum);
  } else {
    // Falling or flat now: only after a minimum can V rise again, and then
    // monotonically up to the horizon.
    if (!(extremum > 0.0 && extremum < horizonMs))
      return kInfinity;
    lo = extremum;
  }

  double valueHi = freeVoltage(constants, v0, i0, hi);
  if (valueHi < threshold)
    return kInfinity;
  double valueLo = lo == 0.0 ? v0 : freeVoltage(constants, v0, i0, lo);
  if (!(valueLo < threshold))
    return lo;
  return solveBracketed(constants, v0, i0, threshold, lo, hi, valueLo, valueHi);
}

} // namespace snnc::runtime
