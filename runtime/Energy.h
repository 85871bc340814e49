//===- Energy.h - Energy per operation and traffic reports ------*- C++ -*-===//
//
// Turns the traffic counters of any executor into the figures a comparison
// reports: bytes read and written per memory class and phase per sample,
// synaptic operations, and an energy estimate from a selectable table of
// per-operation energies. The tables and their sources are in
// docs/traffic.md.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_ENERGY_H
#define SNNC_RUNTIME_ENERGY_H

#include "runtime/Traffic.h"

#include <string>
#include <vector>

namespace snnc::runtime {

/// Energies in picojoules. An operation energy that already includes the
/// memory it touches makes that class's bytes free (the `covers` flags).
struct EnergyTable {
  std::string name;
  /// Where the numbers come from.
  std::string source;
  /// One delivered synaptic event or one dense multiply-accumulate.
  double synapticOpPj = 0;
  /// One neuron (or adjoint) state update: counted as one per 16 bytes of
  /// state written, the size of a (V, I) pair of doubles.
  double stateUpdatePj = 0;
  /// One gradient accumulator update: one per 8 bytes of grad written.
  double gradUpdatePj = 0;
  /// Every byte of memory traffic not covered by the operations above.
  double bytePj = 0;
  bool opCoversSynapseBytes = false;
  bool opCoversStateBytes = false;
  bool opCoversGradBytes = false;
};

/// The names energyTable accepts: "loihi" and "cmos45".
std::vector<std::string> energyTableNames();

/// The table called `name`; false and a message in `error` when unknown.
bool energyTable(const std::string &name, EnergyTable &table,
                 std::string &error);

/// Energy of `traffic` under `table`, in picojoules, per phase.
struct EnergyEstimate {
  double phasePj[kNumPhases] = {};
  double totalPj() const;
};
EnergyEstimate estimateEnergy(const TrafficCounters &traffic,
                              const EnergyTable &table);

/// Bytes (read + written) of one class in one phase.
uint64_t phaseClassBytes(const TrafficCounters &traffic, Phase phase,
                         MemoryClass memoryClass);
/// Bytes (read + written) of all classes in one phase.
uint64_t phaseBytes(const TrafficCounters &traffic, Phase phase);

/// A fixed-width text table of `traffic` divided by `samples`: bytes read
/// and written per class and phase, synaptic operations and energy.
std::string formatTrafficReport(const TrafficCounters &traffic, double samples,
                                const EnergyTable &table);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_ENERGY_H
