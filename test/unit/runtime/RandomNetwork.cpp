//===- RandomNetwork.cpp - Seeded random networks for runtime tests -------===//

#include "RandomNetwork.h"

#include <random>
#include <string>

namespace snnc::runtime::testing {

/// A dense projection pre -> post with weights mean + spread * N(0, 1).
static Projection makeProjection(const std::string &name,
                                 const Network &network, int32_t pre,
                                 int32_t post, double mean, double spread,
                                 const RandomNetworkConfig &config,
                                 std::mt19937_64 &random) {
  Projection projection;
  projection.name = name;
  projection.pre = pre;
  projection.post = post;
  size_t count = static_cast<size_t>(network.populations[pre].size) *
                 network.populations[post].size;
  std::normal_distribution<double> weight(mean, spread);
  std::uniform_real_distribution<double> delay(0.0, config.maxDelayMs);
  for (size_t synapse = 0; synapse < count; ++synapse)
    projection.weight.push_back(config.weightScale * weight(random));
  if (config.delays) {
    for (size_t synapse = 0; synapse < count; ++synapse)
      projection.delayMs.push_back(delay(random));
  }
  projection.learnWeight = true;
  projection.learnDelay = config.delays;
  return projection;
}

Network makeRandomNetwork(const RandomNetworkConfig &config, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> threshold(0.8, 1.2);
  Network network;
  network.name = "random";
  network.durationMs = config.durationMs;

  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = config.inputs;
  network.populations.push_back(source);

  auto addLayer = [&](const std::string &name, PopulationKind kind,
                      int32_t size) {
    Population population;
    population.name = name;
    population.kind = kind;
    population.size = size;
    population.tauMemMs = config.tauMemMs;
    population.tauSynMs = config.tauSynMs;
    if (kind == PopulationKind::LIF) {
      for (int32_t neuron = 0; neuron < size; ++neuron)
        population.threshold.push_back(threshold(random));
      population.reset = config.reset;
      population.refractoryMs = config.refractoryMs;
      population.learnThreshold = config.learnThreshold;
    }
    network.populations.push_back(population);
    return static_cast<int32_t>(network.populations.size() - 1);
  };

  // Fan-in decides how strong each weight must be for neurons to fire a few
  // times per sample.
  int32_t previous = 0;
  for (size_t layer = 0; layer < config.hidden.size(); ++layer) {
    int32_t current = addLayer("hidden" + std::to_string(layer),
                               PopulationKind::LIF, config.hidden[layer]);
    double fanIn = network.populations[previous].size;
    double mean = (layer == 0 ? 9.0 : 10.0) / fanIn;
    network.projections.push_back(
        makeProjection("proj" + std::to_string(layer), network, previous,
                       current, mean, 2.0 * mean, config, random));
    if (layer == 0 && config.recurrent)
      network.projections.push_back(makeProjection(
          "recurrent", network, current, current, 0.0,
          2.0 / network.populations[current].size, config, random));
    previous = current;
  }

  bool maxVoltage = config.loss == LossKind::MaxVoltage;
  int32_t output =
      addLayer("out", maxVoltage ? PopulationKind::LI : PopulationKind::LIF,
               config.outputs);
  double fanIn = network.populations[previous].size;
  double mean = (maxVoltage ? 2.0 : 10.0) / fanIn;
  network.projections.push_back(makeProjection(
      "readout", network, previous, output, mean, 2.0 * mean, config, random));

  network.loss.kind = config.loss;
  network.loss.population = output;
  network.loss.tau0Ms = 2.0;
  network.loss.tau1Ms = 10.0;
  network.loss.alpha = 0.01;
  return network;
}

Sample makeRandomSample(const RandomNetworkConfig &config, uint64_t seed) {
  std::mt19937_64 random(seed ^ 0x5eed5eed5eedULL);
  std::uniform_int_distribution<int32_t> channel(0, config.inputs - 1);
  std::uniform_real_distribution<double> time(0.0, config.inputWindowMs);
  std::uniform_int_distribution<int32_t> label(0, config.outputs - 1);
  Sample sample;
  for (int32_t spike = 0; spike < config.inputSpikes; ++spike)
    sample.spikes.push_back({0, channel(random), time(random)});
  sample.label = label(random);
  return sample;
}

} // namespace snnc::runtime::testing
