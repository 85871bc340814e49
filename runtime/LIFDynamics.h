//===- LIFDynamics.h - Closed-form LIF state between events -----*- C++ -*-===//
//
// Between two events a current-based LIF neuron (tau_m dV/dt = -V + I,
// tau_s dI/dt = -I) evolves linearly, so the state after an interval D is a
// fixed 2x2 matrix applied to the state before it. The adjoint runs backward
// through the transpose of the same matrix, so both passes share it.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_LIFDYNAMICS_H
#define SNNC_RUNTIME_LIFDYNAMICS_H

#include <cmath>

namespace snnc::runtime {

/// The time constants of one population and what every advance derives from
/// them.
struct LIFConstants {
  double tauMemMs = 1;
  double tauSynMs = 1;
  double invTauMem = 1;
  double invTauSyn = 1;
  /// 1/tau_s - 1/tau_m: the rate at which the two exponentials drift apart.
  /// Zero exactly when the time constants are equal.
  double rateGap = 0;
  /// Compiled kernels specialised to these constants, or null (see
  /// PopulationKernels in Network.h); they compute the same values.
  void (*propagatorKernel)(double, double *) = nullptr;
  double (*crossingKernel)(double, double, double, double) = nullptr;

  static LIFConstants make(double tauMemMs, double tauSynMs) {
    LIFConstants constants;
    constants.tauMemMs = tauMemMs;
    constants.tauSynMs = tauSynMs;
    constants.invTauMem = 1.0 / tauMemMs;
    constants.invTauSyn = 1.0 / tauSynMs;
    constants.rateGap = (tauMemMs - tauSynMs) / (tauMemMs * tauSynMs);
    return constants;
  }
};

/// The propagator over an interval D:
///   V(D) = memDecay * V0 + coupling * I0,   I(D) = synDecay * I0.
/// Its transpose carries the adjoint (dL/dV, dL/dI) from D back to 0.
struct Propagator {
  double memDecay = 1;
  double synDecay = 1;
  double coupling = 0;
};

/// The coupling term tau_s/(tau_m - tau_s) (e^{-D/tau_m} - e^{-D/tau_s}) is
/// rewritten as (D/tau_m) e^{-D/tau_m} (1 - e^{-x})/x with x = D * rateGap.
/// That form is exact at tau_m == tau_s (x = 0 gives the (D/tau) e^{-D/tau}
/// limit) and, through expm1, keeps full precision when the time constants
/// nearly coincide. Once |x| >= 1 the two exponentials differ by a factor of
/// at least e, the difference no longer cancels, and the direct form avoids
/// the overflow of e^{|x|}.
inline Propagator propagatorFor(const LIFConstants &constants,
                                double elapsedMs) {
  Propagator propagator;
  if (constants.propagatorKernel) {
    double coefficients[3];
    constants.propagatorKernel(elapsedMs, coefficients);
    propagator.memDecay = coefficients[0];
    propagator.synDecay = coefficients[1];
    propagator.coupling = coefficients[2];
    return propagator;
  }
  propagator.memDecay = std::exp(-elapsedMs * constants.invTauMem);
  propagator.synDecay = std::exp(-elapsedMs * constants.invTauSyn);
  double gap = elapsedMs * constants.rateGap;
  if (std::fabs(gap) < 1.0) {
    double relaxation = gap == 0.0 ? 1.0 : -std::expm1(-gap) / gap;
    propagator.coupling =
        elapsedMs * constants.invTauMem * propagator.memDecay * relaxation;
  } else {
    propagator.coupling = constants.tauSynMs /
                          (constants.tauMemMs - constants.tauSynMs) *
                          (propagator.memDecay - propagator.synDecay);
  }
  return propagator;
}

/// Remembers the last propagator computed for one population. When a spike
/// reaches every neuron of a population at the same time, the neurons were
/// mostly last updated at one common time too, so one entry turns the
/// per-synapse exponentials into a per-event cost.
struct PropagatorCache {
  double fromMs = std::nan("");
  double toMs = std::nan("");
  Propagator propagator;

  const Propagator &get(const LIFConstants &constants, double fromMs,
                        double toMs) {
    if (fromMs != this->fromMs || toMs != this->toMs) {
      propagator = propagatorFor(constants, std::fabs(toMs - fromMs));
      this->fromMs = fromMs;
      this->toMs = toMs;
    }
    return propagator;
  }
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_LIFDYNAMICS_H
