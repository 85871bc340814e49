//===- NCoreTarget.cpp - Presets of the ncore target ----------------------===//
//
// docs/ncore.md gives the source of every number below.
//
//===----------------------------------------------------------------------===//

#include "runtime/NCoreTarget.h"

#include <cstdlib>

namespace snnc::runtime {

int64_t NCoreTarget::hops(int64_t from, int64_t to) const {
  return std::llabs(coreX(from) - coreX(to)) +
         std::llabs(coreY(from) - coreY(to));
}

std::string NCoreTarget::validate() const {
  auto positive = [](int64_t value, const char *field) -> std::string {
    if (value > 0)
      return "";
    return std::string(field) + " must be positive, got " +
           std::to_string(value);
  };
  for (auto [value, field] : {std::pair<int64_t, const char *>{cores, "cores"},
                              {meshX, "mesh_x"},
                              {meshY, "mesh_y"},
                              {neuronsPerCore, "neurons_per_core"},
                              {synapseBytesPerCore, "synapse_bytes"},
                              {fanIn, "fan_in"},
                              {fanOut, "fan_out"}}) {
    std::string error = positive(value, field);
    if (!error.empty())
      return error;
  }
  if (meshX * meshY < cores)
    return "mesh " + std::to_string(meshX) + "x" + std::to_string(meshY) +
           " has fewer than " + std::to_string(cores) + " cores";
  if (weightBits < 2 || weightBits > 16)
    return "weight_bits must be 2 to 16, got " + std::to_string(weightBits);
  if (delayBits < 0 || delayBits > 16)
    return "delay_bits must be 0 to 16, got " + std::to_string(delayBits);
  if (stateBits < 12 || stateBits > 32)
    return "state_bits must be 12 to 32, got " + std::to_string(stateBits);
  if (timeBits < 8 || timeBits > 31)
    return "time_bits must be 8 to 31, got " + std::to_string(timeBits);
  if (!(timeStepMs > 0))
    return "time_step must be positive";
  for (double energy :
       {synapticOpPj, neuronUpdatePj, spikeMessagePj, hopPj, learningUpdatePj})
    if (!(energy >= 0))
      return "energies must be non-negative";
  return "";
}

bool NCoreTarget::operator==(const NCoreTarget &other) const {
  return preset == other.preset && cores == other.cores &&
         meshX == other.meshX && meshY == other.meshY &&
         neuronsPerCore == other.neuronsPerCore &&
         synapseBytesPerCore == other.synapseBytesPerCore &&
         fanIn == other.fanIn && fanOut == other.fanOut &&
         weightBits == other.weightBits && delayBits == other.delayBits &&
         stateBits == other.stateBits && timeBits == other.timeBits &&
         timeStepMs == other.timeStepMs && synapticOpPj == other.synapticOpPj &&
         neuronUpdatePj == other.neuronUpdatePj &&
         spikeMessagePj == other.spikeMessagePj && hopPj == other.hopPj &&
         learningUpdatePj == other.learningUpdatePj;
}

std::vector<std::string> ncoreTargetPresetNames() { return {"loihi", "small"}; }

/// Loihi (Davies et al., IEEE Micro 2018): per-core resources and energies.
static NCoreTarget loihiPreset() {
  NCoreTarget target;
  target.preset = "loihi";
  target.cores = 128;
  target.meshX = 16;
  target.meshY = 8;
  target.neuronsPerCore = 1024;
  target.synapseBytesPerCore = 128 * 1024;
  target.fanIn = 4096;
  target.fanOut = 4096;
  target.weightBits = 8;
  target.delayBits = 6;
  target.stateBits = 24;
  target.timeBits = 16;
  target.timeStepMs = 0.125;
  target.synapticOpPj = 23.6;
  target.neuronUpdatePj = 81.0;
  target.spikeMessagePj = 1.7;
  target.hopPj = 3.5;
  target.learningUpdatePj = 120.0;
  return target;
}

bool ncoreTargetPreset(const std::string &name, NCoreTarget &target) {
  if (name == "loihi") {
    target = loihiPreset();
    return true;
  }
  if (name == "small") {
    // A toy chip for tests: Loihi's number formats and energies on four
    // cores small enough that test networks need several of them.
    target = loihiPreset();
    target.preset = "small";
    target.cores = 4;
    target.meshX = 2;
    target.meshY = 2;
    target.neuronsPerCore = 64;
    target.synapseBytesPerCore = 4096;
    target.fanIn = 256;
    target.fanOut = 256;
    return true;
  }
  return false;
}

} // namespace snnc::runtime
