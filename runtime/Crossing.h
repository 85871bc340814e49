//===- Crossing.h - Threshold crossings of a free LIF neuron ----*- C++ -*-===//
//
// Between events V(t) = A e^{-t/tau_m} + B e^{-t/tau_s} (or (A + B t)
// e^{-t/tau} when the time constants are equal), so dV/dt has at most one
// zero and the first crossing of a threshold can always be bracketed.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_CROSSING_H
#define SNNC_RUNTIME_CROSSING_H

#include "runtime/LIFDynamics.h"

namespace snnc::runtime {

/// Offset from now of the one zero of dV/dt of a neuron left without input
/// from state (v0, i0). +infinity when there is none; a value <= 0 means it
/// lies in the past.
double extremumOffset(const LIFConstants &constants, double v0, double i0);

/// Offset in [0, horizonMs] at which V, starting from (v0, i0) and receiving
/// no input, first reaches `threshold` from below; +infinity when it does not
/// within the horizon. A state already at or above the threshold crosses at
/// offset 0.
///
/// Method: the extremum splits [0, horizon] into monotone pieces, which gives
/// a bracket [lo, hi] with V(lo) < threshold <= V(hi) around the first
/// crossing. Newton's method runs inside it, falling back to bisection when a
/// step would leave the bracket. It stops when f = V - threshold is exactly
/// zero, when the bracket is at most 4 ulp of its upper end wide, or when a
/// Newton correction is at most 2 ulp of the time: Newton converges
/// quadratically there, so the returned time is within a few ulp of the root
/// of the computed V(t).
double thresholdCrossingOffset(const LIFConstants &constants, double v0,
                               double i0, double threshold, double horizonMs);

/// V after `elapsedMs` without input, starting from (v0, i0).
inline double freeVoltage(const LIFConstants &constants, double v0, double i0,
                          double elapsedMs) {
  Propagator propagator = propagatorFor(constants, elapsedMs);
  return propagator.memDecay * v0 + propagator.coupling * i0;
}

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_CROSSING_H
