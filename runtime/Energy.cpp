//===- Energy.cpp - Energy per operation and traffic reports --------------===//

#include "runtime/Energy.h"

#include <cstdio>

namespace snnc::runtime {

std::vector<std::string> energyTableNames() { return {"loihi", "cmos45"}; }

bool energyTable(const std::string &name, EnergyTable &table,
                 std::string &error) {
  table = EnergyTable();
  table.name = name;
  // The 45 nm SRAM figure: 20 pJ for a 64-bit read of a 32 KB array.
  constexpr double kSramBytePj = 20.0 / 8.0;
  if (name == "loihi") {
    // Davies et al., "Loihi: a neuromorphic manycore processor with on-chip
    // learning", IEEE Micro 38(1), 2018, Table 1: synaptic spike operation
    // 23.6 pJ, synaptic update 120 pJ, neuron update 81 pJ (active). Each
    // includes the core's own memory accesses; bytes of other classes
    // (records, queues) are priced at the 45 nm SRAM figure, since the chip
    // has no counterpart for them.
    table.source = "Davies et al. 2018 (IEEE Micro), Table 1; other bytes: "
                   "Horowitz 2014, 32 KB SRAM";
    table.synapticOpPj = 23.6;
    table.stateUpdatePj = 81;
    table.gradUpdatePj = 120;
    table.bytePj = kSramBytePj;
    table.opCoversSynapseBytes = true;
    table.opCoversStateBytes = true;
    table.opCoversGradBytes = true;
    return true;
  }
  if (name == "cmos45") {
    // Horowitz, "Computing's energy problem (and what we can do about it)",
    // ISSCC 2014: 32-bit float multiply 3.7 pJ and add 0.9 pJ; a state
    // update is about 3 multiplies and 2 adds; memory at 32 KB SRAM.
    table.source = "Horowitz 2014 (ISSCC), 45 nm: FP32 mult 3.7 pJ, add "
                   "0.9 pJ, 32 KB SRAM 20 pJ per 64 bits";
    table.synapticOpPj = 3.7 + 0.9;
    table.stateUpdatePj = 3 * 3.7 + 2 * 0.9;
    table.gradUpdatePj = 0.9;
    table.bytePj = kSramBytePj;
    return true;
  }
  error = "unknown energy table '" + name + "' (expected loihi or cmos45)";
  return false;
}

double EnergyEstimate::totalPj() const {
  double total = 0;
  for (double value : phasePj)
    total += value;
  return total;
}

uint64_t phaseClassBytes(const TrafficCounters &traffic, Phase phase,
                         MemoryClass memoryClass) {
  int phaseIndex = static_cast<int>(phase);
  int classIndex = static_cast<int>(memoryClass);
  return traffic.bytesRead[phaseIndex][classIndex] +
         traffic.bytesWritten[phaseIndex][classIndex];
}

uint64_t phaseBytes(const TrafficCounters &traffic, Phase phase) {
  uint64_t total = 0;
  for (int memoryClass = 0; memoryClass < kNumMemoryClasses; ++memoryClass)
    total +=
        phaseClassBytes(traffic, phase, static_cast<MemoryClass>(memoryClass));
  return total;
}

EnergyEstimate estimateEnergy(const TrafficCounters &traffic,
                              const EnergyTable &table) {
  EnergyEstimate estimate;
  for (int phase = 0; phase < kNumPhases; ++phase) {
    auto bytesOf = [&](MemoryClass memoryClass) {
      return static_cast<double>(
          phaseClassBytes(traffic, static_cast<Phase>(phase), memoryClass));
    };
    double stateWritten = static_cast<double>(
        traffic.bytesWritten[phase][static_cast<int>(MemoryClass::State)]);
    double gradWritten = static_cast<double>(
        traffic.bytesWritten[phase][static_cast<int>(MemoryClass::Grad)]);
    double energy =
        static_cast<double>(traffic.synapticOps[phase]) * table.synapticOpPj +
        stateWritten / 16.0 * table.stateUpdatePj +
        gradWritten / 8.0 * table.gradUpdatePj;
    for (int memoryClass = 0; memoryClass < kNumMemoryClasses; ++memoryClass) {
      auto kind = static_cast<MemoryClass>(memoryClass);
      if ((kind == MemoryClass::Synapse && table.opCoversSynapseBytes) ||
          (kind == MemoryClass::State && table.opCoversStateBytes) ||
          (kind == MemoryClass::Grad && table.opCoversGradBytes))
        continue;
      energy += bytesOf(kind) * table.bytePj;
    }
    estimate.phasePj[phase] = energy;
  }
  return estimate;
}

std::string formatTrafficReport(const TrafficCounters &traffic, double samples,
                                const EnergyTable &table) {
  double scale = samples > 0 ? 1.0 / samples : 1.0;
  std::string text;
  char line[160];
  std::snprintf(line, sizeof(line), "%-9s %-9s %14s %14s\n", "phase", "class",
                "read B/sample", "write B/sample");
  text += line;
  for (int phase = 0; phase < kNumPhases; ++phase) {
    for (int memoryClass = 0; memoryClass < kNumMemoryClasses; ++memoryClass) {
      uint64_t read = traffic.bytesRead[phase][memoryClass];
      uint64_t written = traffic.bytesWritten[phase][memoryClass];
      if (read == 0 && written == 0)
        continue;
      std::snprintf(line, sizeof(line), "%-9s %-9s %14.1f %14.1f\n",
                    phaseName(static_cast<Phase>(phase)),
                    memoryClassName(static_cast<MemoryClass>(memoryClass)),
                    read * scale, written * scale);
      text += line;
    }
  }
  EnergyEstimate energy = estimateEnergy(traffic, table);
  for (int phase = 0; phase < kNumPhases; ++phase) {
    if (traffic.synapticOps[phase] == 0 && energy.phasePj[phase] == 0)
      continue;
    std::snprintf(line, sizeof(line),
                  "%-9s synaptic ops/sample %.1f, energy/sample %.4g nJ (%s)\n",
                  phaseName(static_cast<Phase>(phase)),
                  traffic.synapticOps[phase] * scale,
                  energy.phasePj[phase] * scale * 1e-3, table.name.c_str());
    text += line;
  }
  return text;
}

} // namespace snnc::runtime
