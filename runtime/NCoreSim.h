//===- NCoreSim.h - Bit-accurate simulator of a core image -------*- C++
//-*-===//
//
// Runs a core image the way the chip would: integer state, timestamped
// spike messages between cores, closed-form decay by table lookup and
// fixed-point multiplication, and counters of every byte each core reads
// and writes per memory class, of spike messages, mesh hops and energy.
// docs/ncore.md states the arithmetic exactly; the result of a sample
// depends only on the image and the sample.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_NCORESIM_H
#define SNNC_RUNTIME_NCORESIM_H

#include "runtime/NCoreImage.h"
#include "runtime/Network.h"
#include "runtime/Traffic.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

/// What one core did.
struct NCoreCounters {
  /// Bytes per memory class and phase: forward for inference; backward and
  /// update as well when the chip learns (NCoreLearn.h).
  TrafficCounters traffic;
  uint64_t neuronUpdates = 0;
  /// Spike messages the core sent (one per spike and destination core,
  /// local deliveries included) and the mesh hops they took.
  uint64_t spikeMessages = 0;
  uint64_t meshHops = 0;

  NCoreCounters &operator+=(const NCoreCounters &other);
  /// Synaptic weight updates of the learning phase.
  uint64_t learningUpdates = 0;

  /// Synaptic operations of every phase (deliveries forward, fan-ins of
  /// the adjoint backward).
  uint64_t synapticOps() const {
    return traffic.synapticOps[static_cast<int>(Phase::Forward)] +
           traffic.synapticOps[static_cast<int>(Phase::Backward)];
  }
};

/// The energy of `counters` under the target's table, in picojoules.
struct NCoreEnergy {
  double synapticOpsPj = 0;
  double neuronUpdatesPj = 0;
  double spikeMessagesPj = 0;
  double meshHopsPj = 0;
  double learningUpdatesPj = 0;
  double totalPj() const {
    return synapticOpsPj + neuronUpdatesPj + spikeMessagesPj + meshHopsPj +
           learningUpdatesPj;
  }
};
NCoreEnergy ncoreEnergy(const NCoreCounters &counters,
                        const NCoreTarget &target);

/// One spike the forward pass keeps for on-core learning: the chip's spike
/// record holds its neuron, its tick and, for a LIF neuron, the synaptic
/// current at that tick (all the adjoint jump needs), never a voltage trace.
struct NCoreRecordedSpike {
  /// Index into NCoreImage::blocks, and the neuron within the block.
  int32_t block = 0;
  int32_t neuron = 0;
  int32_t tick = 0;
  /// State units; 0 for an input spike of a source block.
  int64_t current = 0;
};

/// The spikes of one sample in the order they happened, inputs included.
struct NCoreForwardRecord {
  std::vector<NCoreRecordedSpike> spikes;
};

/// The outcome of one sample.
struct NCoreSampleResult {
  /// Per neuron of the readout population: the tick of its first spike
  /// (-1 when silent) or, for an LI readout, its largest voltage in state
  /// units.
  std::vector<int64_t> outputs;
  /// The predicted class, -1 when no readout neuron fired (ttfs).
  int32_t prediction = -1;
  /// Spikes of all neurons.
  uint64_t spikes = 0;
};

class NCoreSimulator {
public:
  /// `image` must be valid (as the loader returns it) and outlive this.
  explicit NCoreSimulator(const NCoreImage &image);

  /// Runs one sample, adding what each core did to `perCore` (resized to
  /// the image's cores). With `record`, also keeps the spike record that
  /// on-core learning reads back (NCoreLearn.h) and counts its writes.
  /// Returns an empty string or what went wrong.
  std::string run(const Sample &sample, NCoreSampleResult &result,
                  std::vector<NCoreCounters> &perCore,
                  NCoreForwardRecord *record = nullptr);

  /// Spikes per neuron beyond which a sample is abandoned as runaway.
  int32_t maxSpikesPerNeuron = 1000;

private:
  const NCoreImage &image;
  /// Per block: its synapse tables out, and the distinct destination
  /// cores of its routes with their hops.
  std::vector<std::vector<int32_t>> tablesFrom;
  std::vector<std::vector<std::pair<int32_t, int32_t>>> destinations;
  /// Per population: its blocks in neuron order.
  std::vector<std::vector<int32_t>> blocksOf;
  /// Per block: the largest entry of its coupling table, which bounds how
  /// far a current can still raise the voltage.
  std::vector<int64_t> peakCoupling;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_NCORESIM_H
