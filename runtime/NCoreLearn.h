//===- NCoreLearn.h - On-core learning: the fixed-point adjoint --*- C++
//-*-===//
//
// The exact event-driven adjoint of DESIGN.md section 3 as the chip runs
// it: integer adjoint state per neuron, decayed backward in closed form by
// the image's own decay tables (the adjoint propagator is the transpose of
// the forward one), jumps at the recorded spikes by integer division, and
// gradients summed into fixed-point accumulators beside the synapse
// tables. It reads the spike record of the forward pass (neuron, tick,
// current), never a voltage trace, and counts every byte per core and
// phase. docs/ncore.md ("On-core learning") states the arithmetic.
//
// The chip computes and accumulates the gradients; the parameter update
// (the optimizer) runs on the host, which reads the accumulators and writes
// the re-quantized parameters back, as in chip-in-the-loop training.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_NCORELEARN_H
#define SNNC_RUNTIME_NCORELEARN_H

#include "runtime/EventProp.h"
#include "runtime/NCoreImage.h"
#include "runtime/NCoreSim.h"
#include "runtime/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

/// Number formats of the learning engine.
struct NCoreLearningFormat {
  /// Adjoint state (dL/dV, dL/dI per neuron) and the spike-time gradient
  /// of each spike record: signed words of this many bits, with this many
  /// fraction bits, in loss units per state unit (per tick for times).
  /// With 24 state bits a state unit is about 2^-16 of the threshold, so
  /// dL/dV per unit is small (1e-8 to 1e-1 in the examples): 36 fraction
  /// bits resolve the small end, 3 integer bits hold the large one.
  int32_t adjointBits = 40;
  int32_t adjointFractionBits = 36;
  /// Gradient accumulators of weights, delays and thresholds: per weight
  /// unit, per tick and per state unit. 32 fraction bits for the small
  /// threshold gradients, 15 integer bits for a batch's sum of weight
  /// gradients.
  int32_t gradientBits = 48;
  int32_t gradientFractionBits = 32;

  /// Empty when usable, else what is wrong.
  std::string validate() const;
};

/// The accumulators, laid out like the image: per synapse table as its
/// weights (delay accumulators only for tables with delays), per LIF block
/// one threshold accumulator per neuron.
struct NCoreGradients {
  std::vector<std::vector<int64_t>> weight;
  std::vector<std::vector<int64_t>> delay;
  std::vector<std::vector<int64_t>> threshold;

  static NCoreGradients zerosLike(const NCoreImage &image);
};

/// What happened to the numbers during learning; none of it is an error,
/// but a large count says the formats are too narrow for the network.
struct NCoreLearningStats {
  /// Values clipped to their word (adjoint, spike-time gradient or
  /// accumulator).
  uint64_t saturations = 0;
  /// Jumps whose crossing slope I - theta was below theta / 64 on the tick
  /// grid (a grazing crossing recorded past its top), computed with
  /// theta / 64 instead.
  uint64_t flatCrossings = 0;

  NCoreLearningStats &operator+=(const NCoreLearningStats &other) {
    saturations += other.saturations;
    flatCrossings += other.flatCrossings;
    return *this;
  }
};

/// The backward pass of one image. Keep one per thread.
class NCoreLearner {
public:
  /// `image` must be valid and outlive this; check() says whether it can
  /// learn.
  NCoreLearner(const NCoreImage &image, const NCoreLearningFormat &format = {});

  /// Empty when the image and format are supported, else what is not: the
  /// readout must be time-to-first-spike, every non-source population LIF
  /// and no refractory period.
  std::string check() const;

  /// Integrates the adjoint of one sample backward from its `record`
  /// (NCoreSimulator::run) and adds the gradients into `gradients`.
  /// `outputTimeErrors` holds dL/dt (per millisecond) of each readout
  /// neuron's first spike, 0 for a silent one: the loss is the host's.
  /// Counts the backward phase into `perCore`.
  std::string backward(const NCoreForwardRecord &record,
                       const std::vector<double> &outputTimeErrors,
                       NCoreGradients &gradients,
                       std::vector<NCoreCounters> &perCore,
                       NCoreLearningStats &stats);

private:
  const NCoreImage &image;
  NCoreLearningFormat format;
  /// Per block, the tables its spikes go into.
  std::vector<std::vector<int32_t>> tablesFrom;
  /// Per table with delays, per presynaptic neuron: its rows by ascending
  /// delay, then row.
  std::vector<std::vector<int32_t>> rowsByDelay;
  /// Per block, fixed-point dt / tau_syn and dt / tau_mem (20 fraction
  /// bits) and tau_mem / dt (16 fraction bits).
  std::vector<int64_t> invTauSyn;
  std::vector<int64_t> invTauMem;
  std::vector<int64_t> tauMemTicks;
};

/// How an image's populations and tables correspond to a network's.
struct NCoreParameterMap {
  /// Per image population, the network population of the same name.
  std::vector<int32_t> population;
  /// Per synapse table, the network projection of the same name.
  std::vector<int32_t> projection;
};

/// Matches `image` to `network` by names and sizes; false with a message
/// when they do not belong together.
bool mapNCoreImage(const NCoreImage &image, const Network &network,
                   NCoreParameterMap &map, std::string &error);

/// Writes the network's current weights, delays and thresholds into the
/// image's integer tables, rounded as snn-quantize rounds them with the
/// image's own (calibrated, fixed) scales and saturating at the formats'
/// limits. Returns the number of values that saturated.
uint64_t requantizeNCoreImage(NCoreImage &image, const Network &network,
                              const NCoreParameterMap &map);

/// The network whose float parameters are exactly the image's integers
/// times their steps: what the chip computes with, in CPU terms.
Network dequantizeNCoreImage(const NCoreImage &image, const Network &network,
                             const NCoreParameterMap &map);

/// Adds the accumulators, converted to gradients of the network's float
/// parameters, into `gradients` (shaped by Gradients::zerosLike).
void addNCoreGradients(const NCoreImage &image, const NCoreParameterMap &map,
                       const NCoreGradients &accumulated,
                       const NCoreLearningFormat &format, Gradients &gradients);

/// What time-stepped BPTT with a surrogate gradient would do on the same
/// chip, on the chip's own grid (dt = one tick), for the sample whose
/// forward pass left `record`; added to `perCore` (docs/ncore.md, "BPTT on
/// the core model"). The forward spikes are the chip's: BPTT on the tick
/// grid with exact per-step decay fires the same ones. Spike deliveries
/// cost what the chip's event-driven forward pass counted (given in
/// `forward`, one sample's forward counters per core); every neuron is
/// updated and its trace stored at every tick; the backward pass reads
/// the traces back, updates every adjoint at every tick and, since the
/// surrogate passes gradient through neurons that did not fire, reads
/// every synapse at every tick for the transposed delivery.
void addNCoreTimeStepTraining(const NCoreImage &image,
                              const NCoreForwardRecord &record,
                              const std::vector<NCoreCounters> &forward,
                              const Network &network,
                              const NCoreParameterMap &map,
                              const NCoreLearningFormat &format,
                              std::vector<NCoreCounters> &perCore);

/// runBatch's contract on the chip, for the Trainer: requantizes its image
/// from the network, runs every sample on the simulator and, for
/// gradients, the on-core adjoint, and counts what the chip did.
class NCoreBatchRunner {
public:
  /// `image` is this runner's copy; `network` gives the map.
  NCoreBatchRunner(NCoreImage image, const Network &network,
                   const NCoreLearningFormat &format = {});

  /// Empty when the image can learn and matches the network.
  const std::string &error() const { return setupError; }

  BatchResult operator()(const Network &network,
                         const std::vector<Sample> &batch,
                         bool computeGradients, int threads,
                         const SimulationOptions &options);

  /// The image with the parameters of the last batch.
  const NCoreImage &currentImage() const { return image; }

  /// Per core, what the chip did in training batches (forward, backward,
  /// update) and in evaluation batches (forward only), and how many
  /// samples each saw.
  const std::vector<NCoreCounters> &trainingCounters() const {
    return training;
  }
  const std::vector<NCoreCounters> &evaluationCounters() const {
    return evaluation;
  }
  /// What time-stepped BPTT would have done on the same chip for the same
  /// training samples (addNCoreTimeStepTraining), update included.
  const std::vector<NCoreCounters> &timeStepTrainingCounters() const {
    return timeStepTraining;
  }
  int64_t trainingSamples() const { return trainedSamples; }
  int64_t evaluationSamples() const { return evaluatedSamples; }
  const NCoreLearningStats &stats() const { return learningStats; }
  /// Parameters that saturated when last written to the image.
  uint64_t lastRequantizeSaturations() const { return requantized; }

private:
  NCoreImage image;
  NCoreLearningFormat format;
  NCoreParameterMap map;
  std::string setupError;
  std::vector<NCoreCounters> training;
  std::vector<NCoreCounters> evaluation;
  std::vector<NCoreCounters> timeStepTraining;
  int64_t trainedSamples = 0;
  int64_t evaluatedSamples = 0;
  NCoreLearningStats learningStats;
  uint64_t requantized = 0;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_NCORELEARN_H
