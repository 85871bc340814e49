//===- NCoreTarget.h - Description of a neuromorphic core chip ---*- C++
//-*-===//
//
// What the ncore target knows about a chip: its cores and mesh, the memory
// of each core, the widths of its fixed-point numbers, its time resolution
// and the energy of its operations. The compiler's `#ncore.target`
// attribute, the core image and the simulator share this plain struct. The
// numbers of every preset and their sources are in docs/ncore.md.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_NCORETARGET_H
#define SNNC_RUNTIME_NCORETARGET_H

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

struct NCoreTarget {
  /// The preset this description started from ("loihi", "small").
  std::string preset;
  int64_t cores = 0;
  /// Cores sit on a meshX x meshY grid, core k at (k % meshX, k / meshX).
  int64_t meshX = 0;
  int64_t meshY = 0;
  int64_t neuronsPerCore = 0;
  int64_t synapseBytesPerCore = 0;
  /// Input axons per core: presynaptic neurons whose spikes reach it.
  int64_t fanIn = 0;
  /// Output axons per core: (neuron, destination core) routes leaving it.
  int64_t fanOut = 0;
  int64_t weightBits = 0;
  int64_t delayBits = 0;
  int64_t stateBits = 0;
  int64_t timeBits = 0;
  /// One tick of the chip's clock in model milliseconds.
  double timeStepMs = 0;
  /// Energies in picojoules.
  double synapticOpPj = 0;
  double neuronUpdatePj = 0;
  double spikeMessagePj = 0;
  double hopPj = 0;
  double learningUpdatePj = 0;

  /// Bytes of one synapse entry: weight and, when present, delay, packed.
  int64_t synapseEntryBytes(bool withDelay) const {
    return (weightBits + (withDelay ? delayBits : 0) + 7) / 8;
  }
  int64_t coreX(int64_t core) const { return core % meshX; }
  int64_t coreY(int64_t core) const { return core / meshX; }
  /// Mesh hops between two cores (dimension-order routing).
  int64_t hops(int64_t from, int64_t to) const;
  /// An empty string when every field is in range, else what is wrong.
  std::string validate() const;
  bool operator==(const NCoreTarget &other) const;
};

/// The preset names, in the order the docs list them.
std::vector<std::string> ncoreTargetPresetNames();

/// The preset called `name`; false when there is none.
bool ncoreTargetPreset(const std::string &name, NCoreTarget &target);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_NCORETARGET_H
