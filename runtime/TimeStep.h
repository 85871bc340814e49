//===- TimeStep.h -----------------------------------------------*- C++ -*-===//
//
// The dense, time-stepped way most SNN frameworks train: the network of
// Network.h is sampled on a grid of step dt, a spike is a Heaviside step of
// the membrane voltage whose derivative is replaced by a surrogate in the
// backward pass, and backpropagation through time reads back the per-step
// state the forward pass stored. It exists to be compared with the exact
// event-driven method on the same network, data and traffic accounting
// (DESIGN.md section 4); docs/baseline.md states every choice made here.
//
// Discretisation (step n covers time t_n = n dt, n = 0 .. N-1 with
// N = ceil(T / dt)): the state decays over one step with the exact
// propagator of LIFDynamics.h, not forward Euler, so between spikes the grid
// values are the exact solution sampled at t_n:
//
//   Vpre_n = a V_{n-1} + c I_{n-1},        I_n = b I_{n-1} + inputs_n
//   S_n    = H(Vpre_n - theta)              (not during a refractory clamp)
//   V_n    = S_n ? reset : Vpre_n
//
// with a = e^{-dt/tau_m}, b = e^{-dt/tau_s} and c the coupling term. Spikes
// of step n (and input spikes binned to step round(t / dt)) reach their
// targets' currents at step n + round(d / dt).
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_TIMESTEP_H
#define SNNC_RUNTIME_TIMESTEP_H

#include "runtime/EventProp.h"
#include "runtime/Network.h"
#include "runtime/Traffic.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

enum class SurrogateKind : uint8_t {
  /// dS/dV = 1 / (1 + slope |V - theta|)^2 (Zenke and Ganguli, 2018).
  FastSigmoid,
  /// The true derivative of the step: zero wherever it is defined. Gives
  /// the exact derivative of the discrete forward pass for parameter changes
  /// that move no spike; used to check the BPTT code against finite
  /// differences.
  Heaviside,
};

struct TimeStepOptions {
  /// Step of the time grid in milliseconds.
  double dtMs = 0.5;
  SurrogateKind surrogate = SurrogateKind::FastSigmoid;
  /// Steepness of the fast sigmoid, per unit of voltage.
  double slope = 10;
  /// Safety limit on spikes per neuron per sample, as in SimulationOptions.
  int32_t maxSpikesPerNeuron = 1000;
};

/// Empty when `options` are usable with `network`, else what is wrong.
std::string validateTimeStepOptions(const Network &network,
                                    const TimeStepOptions &options);

/// Number of steps N = ceil(T / dt) of one sample.
int32_t timeStepCount(const Network &network, const TimeStepOptions &options);

/// What the time-stepped forward pass leaves for the user. Spike times are
/// step times t_n = n dt.
struct TimeStepResult {
  /// Per population, (neuron, step time) of every spike in step order
  /// (empty for sources and LI). SpikeRecord::current is the current at the
  /// step.
  std::vector<std::vector<SpikeRecord>> spikes;
  /// The loss's input per output neuron: first spike step time (durationMs
  /// when silent) or maximum voltage over the steps.
  std::vector<double> outputs;
  double loss = 0;
  /// As ForwardResult::prediction.
  int32_t prediction = -1;
};

/// Runs one sample forward on the grid; with `gradients` also backward,
/// adding dL/dweight and dL/dthreshold for sample.label into it (delays are
/// fixed in this method, their gradient stays zero). Only then does the
/// forward pass store per-step traces. `label` < 0 skips the loss.
std::string runTimeStep(const Network &network, const Sample &sample,
                        const TimeStepOptions &options, TimeStepResult &result,
                        Gradients *gradients, TrafficCounters *traffic);

/// runBatch's contract for the time-stepped method: forward (and backward)
/// over a batch on `threads` threads, with sums bit-identical whatever the
/// thread count.
BatchResult runTimeStepBatch(const Network &network,
                             const std::vector<Sample> &batch,
                             bool computeGradients, int threads,
                             const TimeStepOptions &options);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_TIMESTEP_H
