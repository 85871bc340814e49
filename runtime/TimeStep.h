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
#include <memory>
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

/// The compiled kernels of `snn-lower-to-timestep` with
/// `instrument-traffic=true` (docs/kernels.md, "Time-stepped kernels"), as
/// plain C function pointers: every memref is a bare pointer to its first
/// element, `index` is int64_t, and the last argument is the kernel's
/// traffic counters (TrafficCounters' 36 byte counts). The driver fills the
/// table from the JIT; whoever fills it keeps the code alive.
namespace kernel {
using LIFStep = void (*)(double *v, double *i, uint8_t *spikes,
                         double *threshold, double *voltageTrace,
                         uint8_t *flagTrace, int64_t step, bool training,
                         uint64_t *counters);
using LIFClampStep = void (*)(double *v, double *i, uint8_t *spikes,
                              double *threshold, int32_t *clamp,
                              double *voltageTrace, uint8_t *flagTrace,
                              int64_t step, bool training, uint64_t *counters);
using LIStep = void (*)(double *v, double *i, double *maxVoltage,
                        int32_t *maxStep, int64_t step, uint64_t *counters);
using Record = void (*)(uint8_t *spikes, uint8_t *flagTrace, int64_t step,
                        uint64_t *counters);
using Deliver = void (*)(double *weight, uint8_t *spikes, double *current,
                         int64_t step, uint64_t *counters);
using LIFBackwardStep = void (*)(double *adjointV, double *adjointI,
                                 double *adjointSpikes, double *threshold,
                                 double *voltageTrace, uint8_t *flagTrace,
                                 int64_t step, uint64_t *counters);
using LIFThresholdBackwardStep =
    void (*)(double *adjointV, double *adjointI, double *adjointSpikes,
             double *threshold, double *voltageTrace, uint8_t *flagTrace,
             double *thresholdGradient, int64_t step, uint64_t *counters);
using LIBackwardStep = void (*)(double *adjointV, double *adjointI,
                                uint64_t *counters);
/// backward_deliver from a LIF population with learnable weights.
using BackwardDeliver = void (*)(double *weight, double *postAdjointI,
                                 double *preAdjointSpikes,
                                 uint8_t *preFlagTrace, double *weightGradient,
                                 int64_t step, uint64_t *counters);
/// backward_deliver from a LIF population with fixed weights.
using BackwardError = void (*)(double *weight, double *postAdjointI,
                               double *preAdjointSpikes, int64_t step,
                               uint64_t *counters);
/// backward_deliver from a source with learnable weights.
using BackwardWeight = void (*)(double *weight, double *postAdjointI,
                                uint8_t *preFlagTrace, double *weightGradient,
                                int64_t step, uint64_t *counters);
} // namespace kernel

/// The kernels of one population and what they were built for. Exactly one
/// step kernel is set for a LIF (by whether it has a refractory clamp) or
/// LI population, `record` for a source; the backward kernels exist for a
/// network with a loss.
struct TimeStepPopulationKernels {
  PopulationKind kind = PopulationKind::Source;
  int32_t size = 0;
  double tauMemMs = 0;
  double tauSynMs = 0;
  double reset = 0;
  /// Depth of the spike ring and refractory clamp, in steps.
  int32_t ringDepth = 1;
  int32_t refractorySteps = 0;
  bool learnThreshold = false;

  kernel::LIFStep lifStep = nullptr;
  kernel::LIFClampStep lifClampStep = nullptr;
  kernel::LIStep liStep = nullptr;
  kernel::Record record = nullptr;
  kernel::LIFBackwardStep lifBackwardStep = nullptr;
  kernel::LIFThresholdBackwardStep lifThresholdBackwardStep = nullptr;
  kernel::LIBackwardStep liBackwardStep = nullptr;
};

/// The kernels of one projection and what they were built for. At most one
/// backward kernel is set, by the presynaptic kind and learnWeight; none
/// for fixed weights from a source, which need no backward work.
struct TimeStepProjectionKernels {
  int32_t pre = 0;
  int32_t post = 0;
  bool learnWeight = false;
  /// The delays folded into the kernels, in steps ([post][pre]); empty when
  /// every delay rounds to zero.
  std::vector<int32_t> delaySteps;

  kernel::Deliver deliver = nullptr;
  kernel::BackwardDeliver backwardDeliver = nullptr;
  kernel::BackwardError backwardError = nullptr;
  kernel::BackwardWeight backwardWeight = nullptr;
};

/// Every time-stepped kernel of one network for one grid. The grid (step,
/// surrogate slope, step count), the time constants, resets, sizes, delays
/// and learn flags are folded into the code; weights and thresholds are
/// read through pointers, so training may change them. runTimeStep checks
/// that a table fits the network and options it is given.
struct TimeStepKernels {
  double dtMs = 0;
  double slope = 0;
  int32_t steps = 0;
  bool hasBackward = false;
  /// Indexed like Network::populations and Network::projections.
  std::vector<TimeStepPopulationKernels> populations;
  std::vector<TimeStepProjectionKernels> projections;
};

struct TimeStepOptions {
  /// Step of the time grid in milliseconds.
  double dtMs = 0.5;
  SurrogateKind surrogate = SurrogateKind::FastSigmoid;
  /// Steepness of the fast sigmoid, per unit of voltage.
  double slope = 10;
  /// Safety limit on spikes per neuron per sample, as in SimulationOptions.
  int32_t maxSpikesPerNeuron = 1000;
  /// Compiled kernels for the per-step work, or null for the executor's own
  /// loops (the same arithmetic in the same order). The host keeps input
  /// binning, the loss, the spike records and the spike limit; traffic is
  /// then counted by the kernels themselves (docs/traffic.md).
  std::shared_ptr<const TimeStepKernels> kernels;
};

/// Empty when `options` are usable with `network`, else what is wrong.
std::string validateTimeStepOptions(const Network &network,
                                    const TimeStepOptions &options);

/// Number of steps N = ceil(T / dt) of one sample.
int32_t timeStepCount(const Network &network, const TimeStepOptions &options);

/// The part of a kernel table that describes what it is built for (every
/// member but the function pointers) for `network` on the grid of
/// `options`: the driver fills it before it looks up the kernels, and
/// runTimeStep compares a table with it. Returns an error when the options
/// do not fit the network.
std::string describeTimeStepKernels(const Network &network,
                                    const TimeStepOptions &options,
                                    TimeStepKernels &kernels);

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
