//===- Traffic.cpp - Memory-traffic counters ------------------------------===//

#include "runtime/Traffic.h"

namespace snnc::runtime {

const char *memoryClassName(MemoryClass memoryClass) {
  switch (memoryClass) {
  case MemoryClass::Synapse:
    return "synapse";
  case MemoryClass::State:
    return "state";
  case MemoryClass::Record:
    return "record";
  case MemoryClass::Queue:
    return "queue";
  case MemoryClass::Grad:
    return "grad";
  case MemoryClass::Noc:
    return "noc";
  }
  return "unknown";
}

const char *phaseName(Phase phase) {
  switch (phase) {
  case Phase::Forward:
    return "forward";
  case Phase::Backward:
    return "backward";
  case Phase::Update:
    return "update";
  }
  return "unknown";
}

uint64_t TrafficCounters::totalBytes() const {
  uint64_t total = 0;
  for (int phase = 0; phase < kNumPhases; ++phase) {
    for (int memoryClass = 0; memoryClass < kNumMemoryClasses; ++memoryClass)
      total += bytesRead[phase][memoryClass] + bytesWritten[phase][memoryClass];
  }
  return total;
}

TrafficCounters &TrafficCounters::operator+=(const TrafficCounters &other) {
  for (int phase = 0; phase < kNumPhases; ++phase) {
    for (int memoryClass = 0; memoryClass < kNumMemoryClasses; ++memoryClass) {
      bytesRead[phase][memoryClass] += other.bytesRead[phase][memoryClass];
      bytesWritten[phase][memoryClass] +=
          other.bytesWritten[phase][memoryClass];
    }
    synapticOps[phase] += other.synapticOps[phase];
  }
  return *this;
}

} // namespace snnc::runtime
