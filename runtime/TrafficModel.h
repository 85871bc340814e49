//===- TrafficModel.h - Analytic memory traffic of both methods -*- C++ -*-===//
//
// Formulas for the bytes each executor moves per sample, kept beside the
// counters as a cross-check (DESIGN.md section 4) and as the closed form
// docs/traffic.md derives the traffic ratio from. The counters are the
// measurement; a disagreement with these formulas is a bug in one of them.
//
// Time-stepped BPTT: every class is a closed function of the step count N,
// the population and projection sizes, the rounded delays and the set of
// (neuron, step) pairs that carry a spike; the model is exact.
//
// Exact event-driven method: the synapse and record classes and the
// synaptic operations are exact functions of the spike counts and fan-outs
// (for projections without delays). State, queue and grad traffic depend on
// how often a neuron is touched at a new time and on stale crossing
// predictions, which only the simulation knows; the model gives the
// per-event upper estimate documented in docs/traffic.md.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_TRAFFICMODEL_H
#define SNNC_RUNTIME_TRAFFICMODEL_H

#include "runtime/EventProp.h"
#include "runtime/Network.h"
#include "runtime/TimeStep.h"
#include "runtime/Traffic.h"

namespace snnc::runtime {

/// Traffic of runTimeStep on `sample`, whose forward pass gave `result`;
/// `training` adds the stored traces and the backward pass.
TrafficCounters timeStepTrafficModel(const Network &network,
                                     const TimeStepOptions &options,
                                     const Sample &sample,
                                     const TimeStepResult &result,
                                     bool training);

/// Traffic of runForward (and runBackward when `training`) of the exact
/// method on `sample`, whose forward pass gave `forward`. Exact for the
/// synapse and record classes and synaptic operations of projections
/// without delays; an estimate for the other classes.
TrafficCounters exactTrafficModel(const Network &network, const Sample &sample,
                                  const ForwardResult &forward, bool training);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_TRAFFICMODEL_H
