//===- Network.h - Runtime description of a spiking network -----*- C++ -*-===//
//
// The runtime's view of an `snn.network`: plain data, no MLIR. The compiler
// driver builds it from the dialect; the NIR importer, the trainer and the
// tests build it directly. Times are in milliseconds throughout.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_NETWORK_H
#define SNNC_RUNTIME_NETWORK_H

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

enum class PopulationKind : uint8_t {
  /// Emits the spikes given in a sample; has no state.
  Source,
  /// Current-based leaky integrate-and-fire neurons.
  LIF,
  /// Leaky integrator readout: LIF dynamics without a threshold.
  LI,
};

/// Kernels the compiler specialised to one population (docs/kernels.md):
/// plain C functions with its time constants and reset folded in, built by
/// `snn-lower-to-cpu` and JIT-compiled by the driver. A null member leaves
/// that step to the runtime's own closed forms, which compute the same
/// values. Whoever sets them keeps the code they point to alive.
struct PopulationKernels {
  /// Writes (mem_decay, syn_decay, coupling) over `elapsedMs`.
  void (*propagator)(double elapsedMs, double *coefficients) = nullptr;
  /// First threshold crossing within the horizon, or +inf.
  double (*crossing)(double voltage, double current, double threshold,
                     double horizonMs) = nullptr;
  /// lambda_V before a recorded spike (DESIGN.md section 3).
  double (*adjointJump)(double after, double current, double threshold,
                        double fanout, double timeError) = nullptr;
};

struct Population {
  std::string name;
  PopulationKind kind = PopulationKind::LIF;
  int32_t size = 0;
  double tauMemMs = 0;
  double tauSynMs = 0;
  /// One threshold per neuron (LIF only); a shared threshold is repeated.
  std::vector<double> threshold;
  /// Membrane potential after a spike.
  double reset = 0;
  /// Time after a spike during which the membrane is held at `reset`.
  double refractoryMs = 0;
  bool learnThreshold = false;
  PopulationKernels kernels;
};

struct Projection {
  std::string name;
  /// Indices into Network::populations. pre == post for a recurrent one.
  int32_t pre = 0;
  int32_t post = 0;
  /// Row-major [post][pre]: weight[j * preSize + i] connects i to j.
  std::vector<double> weight;
  /// Same layout as weight; empty means every delay is zero.
  std::vector<double> delayMs;
  bool learnWeight = false;
  bool learnDelay = false;
};

enum class LossKind : uint8_t {
  None,
  /// Time-to-first-spike cross-entropy on a LIF population:
  /// -log softmax(-t / tau0)[label] + alpha * (exp(t[label] / tau1) - 1).
  TimeToFirstSpike,
  /// Cross-entropy of softmax over the maximum voltage of an LI population.
  MaxVoltage,
};

struct Loss {
  LossKind kind = LossKind::None;
  int32_t population = -1;
  double tau0Ms = 0;
  double tau1Ms = 0;
  double alpha = 0;
};

struct Network {
  std::string name;
  /// Simulated interval [0, durationMs] of every sample.
  double durationMs = 0;
  std::vector<Population> populations;
  std::vector<Projection> projections;
  Loss loss;

  /// Index of the population called `name`, or -1.
  int32_t findPopulation(const std::string &name) const;
  /// An empty string when the network is well formed, else what is wrong.
  std::string validate() const;
};

/// One input spike: `channel` of source population `population` fires at
/// `timeMs`.
struct InputSpike {
  int32_t population = 0;
  int32_t channel = 0;
  double timeMs = 0;
};

/// Empty when `spike` (number `index` of its sample) names a channel of a
/// source population of `network` at a finite time of at least 0 ms, else
/// what is wrong.
std::string checkInputSpike(const Network &network, const InputSpike &spike,
                            size_t index);

/// One example: its input spikes (any order) and its class label.
struct Sample {
  std::vector<InputSpike> spikes;
  int32_t label = -1;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_NETWORK_H
