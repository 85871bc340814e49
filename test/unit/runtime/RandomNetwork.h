//===- RandomNetwork.h - Seeded random networks for tests -------*- C++ -*-===//
//
// Layered networks (source -> LIF hidden layers -> readout) drawn from a
// seed, with the features the exact method must handle switched on or off.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_TEST_UNIT_RUNTIME_RANDOMNETWORK_H
#define SNNC_TEST_UNIT_RUNTIME_RANDOMNETWORK_H

#include "runtime/Network.h"

#include <cstdint>
#include <vector>

namespace snnc::runtime::testing {

struct RandomNetworkConfig {
  int32_t inputs = 5;
  std::vector<int32_t> hidden = {8, 6};
  int32_t outputs = 3;
  /// Adds a recurrent projection on the first hidden layer.
  bool recurrent = true;
  /// Gives every projection per-synapse delays in [0, maxDelayMs].
  bool delays = true;
  double maxDelayMs = 4;
  bool learnThreshold = true;
  double reset = -0.3;
  double refractoryMs = 0;
  LossKind loss = LossKind::TimeToFirstSpike;
  double tauMemMs = 10;
  double tauSynMs = 5;
  double durationMs = 40;
  /// Input spikes per sample, spread over [0, inputWindowMs].
  int32_t inputSpikes = 18;
  double inputWindowMs = 20;
  /// Scales every drawn weight; the default gives two to four spikes per
  /// hidden neuron and sample.
  double weightScale = 0.35;
};

Network makeRandomNetwork(const RandomNetworkConfig &config, uint64_t seed);
Sample makeRandomSample(const RandomNetworkConfig &config, uint64_t seed);

} // namespace snnc::runtime::testing

#endif // SNNC_TEST_UNIT_RUNTIME_RANDOMNETWORK_H
