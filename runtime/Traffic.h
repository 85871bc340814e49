//===- Traffic.h - Memory-traffic counters ----------------------*- C++ -*-===//
//
// Bytes read and written per memory class and phase, incremented by the code
// that does the access (see DESIGN.md section 4), never estimated afterwards.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_TRAFFIC_H
#define SNNC_RUNTIME_TRAFFIC_H

#include <array>
#include <cstdint>

namespace snnc::runtime {

enum class MemoryClass : uint8_t { Synapse, State, Record, Queue, Grad, Noc };
enum class Phase : uint8_t { Forward, Backward, Update };

constexpr int kNumMemoryClasses = 6;
constexpr int kNumPhases = 3;

const char *memoryClassName(MemoryClass memoryClass);
const char *phaseName(Phase phase);

struct TrafficCounters {
  std::array<std::array<uint64_t, kNumMemoryClasses>, kNumPhases> bytesRead{};
  std::array<std::array<uint64_t, kNumMemoryClasses>, kNumPhases>
      bytesWritten{};
  /// Delivered synaptic events (one weight applied to one target).
  std::array<uint64_t, kNumPhases> synapticOps{};

  void read(Phase phase, MemoryClass memoryClass, uint64_t bytes) {
    bytesRead[static_cast<int>(phase)][static_cast<int>(memoryClass)] += bytes;
  }
  void write(Phase phase, MemoryClass memoryClass, uint64_t bytes) {
    bytesWritten[static_cast<int>(phase)][static_cast<int>(memoryClass)] +=
        bytes;
  }
  uint64_t totalBytes() const;
  TrafficCounters &operator+=(const TrafficCounters &other);
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_TRAFFIC_H
