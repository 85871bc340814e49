//===- EventProp.h - Exact event-driven forward pass and adjoint *- C++ -*-===//
//
// The exact method of DESIGN.md section 3: closed-form integration between
// events, threshold crossings solved to machine precision, and the adjoint
// integrated backward from the spike records alone (spike time and current
// at the crossing), never from per-step traces.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_EVENTPROP_H
#define SNNC_RUNTIME_EVENTPROP_H

#include "runtime/Network.h"
#include "runtime/Traffic.h"

#include <cstdint>
#include <vector>

namespace snnc::runtime {

/// One recorded spike of a LIF neuron.
struct SpikeRecord {
  int32_t neuron = 0;
  double timeMs = 0;
  /// Synaptic current at the crossing: all the adjoint jump needs.
  double current = 0;
};

/// What the forward pass leaves for the backward pass and for the user.
struct ForwardResult {
  /// Per population, its spikes in time order (empty for sources and LI).
  std::vector<std::vector<SpikeRecord>> spikes;
  /// For an LI readout: per neuron, its maximum voltage and when it occurs.
  std::vector<std::vector<double>> maxVoltage;
  std::vector<std::vector<double>> maxVoltageTimeMs;
  /// dV/dt just before the maximum when it sits at the arrival of an input
  /// that turns V downward (a kink, whose time moves with that input's
  /// delay); 0 when the maximum is interior (dV/dt = 0), at t = 0 or at the
  /// end of the sample.
  std::vector<std::vector<double>> maxVoltageSlope;
  /// The loss's input per output neuron: first-spike time or maximum voltage.
  ///
  /// A neuron that never fires reports durationMs. Its softmax term then is
  /// a constant: it enters the loss value but contributes no gradient, since
  /// no spike time exists that a parameter could move. Training relies on the
  /// other terms (and on the late-spike penalty of the label neuron) to bring
  /// silent neurons back.
  std::vector<double> outputs;
  double loss = 0;
  /// Index of the winning output neuron (earliest spike, lowest index on a
  /// tie, or largest voltage); -1 when no output neuron fired under the
  /// time-to-first-spike loss.
  int32_t prediction = -1;
};

/// Gradients of the loss, laid out like the parameters they belong to.
struct Gradients {
  /// Per projection, same layout as Projection::weight and ::delayMs (the
  /// delay gradient is filled even when the projection has no delays).
  std::vector<std::vector<double>> weight;
  std::vector<std::vector<double>> delay;
  /// Per population, one entry per neuron (empty for sources and LI).
  std::vector<std::vector<double>> threshold;

  /// Zero-filled gradients shaped for `network`.
  static Gradients zerosLike(const Network &network);
  Gradients &operator+=(const Gradients &other);
  void scale(double factor);
};

struct SimulationOptions {
  /// Safety limit on spikes per neuron per sample; exceeding it is an error
  /// reported in the result, not a crash.
  int32_t maxSpikesPerNeuron = 1000;
  /// Silent-label penalty of the time-to-first-spike loss. When the label
  /// neuron never fires in a sample, its spike time is the duration and
  /// carries no gradient; with this weight b > 0 the loss gains
  /// b * (theta - Vmax), Vmax the label neuron's largest membrane voltage
  /// over the sample, whose exact gradient raises the neuron towards its
  /// threshold. 0 (the default) leaves the loss as it is.
  double silentLabelPenalty = 0;
};

/// The synapses of one projection regrouped by presynaptic neuron in the
/// order a spike delivers them, so that a fan-out reads memory contiguously.
struct PreparedProjection {
  int32_t preSize = 0;
  int32_t postSize = 0;
  bool hasDelays = false;
  /// Row i, entries [i * postSize, (i + 1) * postSize), lists the synapses
  /// leaving presynaptic neuron i: by target without delays, by ascending
  /// delay (then target) with them.
  std::vector<double> weight;
  /// Both empty unless hasDelays.
  std::vector<double> delayMs;
  std::vector<int32_t> target;
};

/// What every sample of one parameter set shares. Refers to `network`,
/// which must outlive it and stay unchanged while it is used.
struct PreparedNetwork {
  const Network *network = nullptr;
  std::vector<PreparedProjection> projections;
  /// Per population, the projections its spikes go into.
  std::vector<std::vector<int32_t>> outgoing;
};

/// Validates `network` and builds its tables into `prepared`. Returns an
/// empty string on success, else what is wrong.
std::string prepareNetwork(const Network &network, PreparedNetwork &prepared);

/// Runs the exact forward pass of one sample. `label` < 0 skips the loss.
/// Returns an empty string on success, else a message saying what is wrong.
std::string runForward(const Network &network, const Sample &sample,
                       ForwardResult &result, TrafficCounters *traffic,
                       const SimulationOptions &options = {});

/// Integrates the adjoint backward from the records of `forward` and adds
/// dL/dparameter for sample.label into `gradients`.
///
/// With a refractory period the membrane is clamped at reset until
/// t_k + refractoryMs; the release then moves with the spike time, which
/// adds -dL/dV(release) (I(release) - reset) / tau_m to dL/dt_k, and the
/// clamped membrane passes no adjoint through.
std::string runBackward(const Network &network, const Sample &sample,
                        const ForwardResult &forward, Gradients &gradients,
                        TrafficCounters *traffic,
                        const SimulationOptions &options = {});

/// The same two passes on tables built once by prepareNetwork.
std::string runForward(const PreparedNetwork &prepared, const Sample &sample,
                       ForwardResult &result, TrafficCounters *traffic,
                       const SimulationOptions &options = {});
std::string runBackward(const PreparedNetwork &prepared, const Sample &sample,
                        const ForwardResult &forward, Gradients &gradients,
                        TrafficCounters *traffic,
                        const SimulationOptions &options = {});

/// Forward and backward over a batch on `threads` threads. The summed
/// gradients and losses are bit-identical whatever the thread count.
struct BatchResult {
  double lossSum = 0;
  int32_t correct = 0;
  Gradients gradients;
  TrafficCounters traffic;
  std::string error;
};
BatchResult runBatch(const Network &network, const std::vector<Sample> &batch,
                     bool computeGradients, int threads,
                     const SimulationOptions &options = {});

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_EVENTPROP_H
