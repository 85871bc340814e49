//===- EventProp.h - Exact event-driven forward pass and adjoint --*- C++ -*-===//
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
  /// The loss's input per output neuron: first-spike time (durationMs for a
  /// neuron that never fires) or maximum voltage.
  std::vector<double> outputs;
  double loss = 0;
  /// Index of the winning output neuron (earliest spike or largest voltage).
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
};

/// Runs the exact forward pass of one sample. `label` < 0 skips the loss.
/// Returns an empty string on success, else a message saying what is wrong.
std::string runForward(const Network &network, const Sample &sample,
                       ForwardResult &result, TrafficCounters *traffic,
                       const SimulationOptions &options = {});

/// Integrates the adjoint backward from the records of `forward` and adds
/// dL/dparameter for sample.label into `gradients`.
std::string runBackward(const Network &network, const Sample &sample,
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
