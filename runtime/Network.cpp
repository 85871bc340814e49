//===- Network.cpp - Runtime description of a spiking network -------------===//

#include "runtime/Network.h"

#include <cmath>
#include <set>
#include <sstream>

namespace snnc::runtime {

int32_t Network::findPopulation(const std::string &name) const {
  for (size_t index = 0; index < populations.size(); ++index) {
    if (populations[index].name == name)
      return static_cast<int32_t>(index);
  }
  return -1;
}

/// Names a population in messages; its index when it has no name.
static std::string describePopulation(const Population &population,
                                      size_t index) {
  if (population.name.empty())
    return "population #" + std::to_string(index);
  return "population '" + population.name + "'";
}

static std::string describeProjection(const Projection &projection,
                                      size_t index) {
  if (projection.name.empty())
    return "projection #" + std::to_string(index);
  return "projection '" + projection.name + "'";
}

/// A message for field `field` of `owner` that must be a positive finite
/// number, or "" when `value` is one.
static std::string checkPositive(const std::string &owner, const char *field,
                                 double value) {
  if (std::isfinite(value) && value > 0)
    return "";
  std::ostringstream message;
  message << owner << ": " << field << " must be positive and finite (got "
          << value << ")";
  return message.str();
}

static std::string validatePopulation(const Population &population,
                                      size_t index) {
  std::string owner = describePopulation(population, index);
  if (population.size <= 0)
    return owner + ": size must be positive (got " +
           std::to_string(population.size) + ")";
  if (population.kind == PopulationKind::Source) {
    if (population.learnThreshold)
      return owner + ": a source has no threshold to learn";
    return "";
  }

  if (std::string error = checkPositive(owner, "tauMemMs", population.tauMemMs);
      !error.empty())
    return error;
  if (std::string error = checkPositive(owner, "tauSynMs", population.tauSynMs);
      !error.empty())
    return error;
  if (population.kind == PopulationKind::LI) {
    if (population.learnThreshold)
      return owner + ": an LI readout has no threshold to learn";
    return "";
  }

  if (!std::isfinite(population.reset))
    return owner + ": reset must be finite";
  if (!std::isfinite(population.refractoryMs) || population.refractoryMs < 0)
    return owner + ": refractoryMs must be non-negative and finite";
  if (population.threshold.size() != static_cast<size_t>(population.size))
    return owner + ": threshold has " +
           std::to_string(population.threshold.size()) +
           " entries, expected one per neuron (" +
           std::to_string(population.size) + ")";
  for (size_t neuron = 0; neuron < population.threshold.size(); ++neuron) {
    double threshold = population.threshold[neuron];
    // A neuron reset at or above its threshold would have no crossing from
    // below to detect.
    if (!std::isfinite(threshold) || !(threshold > population.reset)) {
      std::ostringstream message;
      message << owner << ": threshold[" << neuron << "] = " << threshold
              << " must be finite and above reset (" << population.reset << ")";
      return message.str();
    }
  }
  return "";
}

static std::string validateProjection(const Network &network,
                                      const Projection &projection,
                                      size_t index) {
  std::string owner = describeProjection(projection, index);
  int32_t numPopulations = static_cast<int32_t>(network.populations.size());
  if (projection.pre < 0 || projection.pre >= numPopulations)
    return owner + ": pre population index " + std::to_string(projection.pre) +
           " is out of range";
  if (projection.post < 0 || projection.post >= numPopulations)
    return owner + ": post population index " +
           std::to_string(projection.post) + " is out of range";
  const Population &pre = network.populations[projection.pre];
  const Population &post = network.populations[projection.post];
  if (pre.kind == PopulationKind::LI)
    return owner + ": pre " + describePopulation(pre, projection.pre) +
           " is an LI readout, which never spikes";
  if (post.kind == PopulationKind::Source)
    return owner + ": post " + describePopulation(post, projection.post) +
           " is a source, which takes no input";

  size_t expected =
      static_cast<size_t>(pre.size) * static_cast<size_t>(post.size);
  if (projection.weight.size() != expected)
    return owner + ": weight has " + std::to_string(projection.weight.size()) +
           " entries, expected post size x pre size = " +
           std::to_string(expected);
  for (size_t synapse = 0; synapse < expected; ++synapse) {
    if (!std::isfinite(projection.weight[synapse]))
      return owner + ": weight[" + std::to_string(synapse) + "] is not finite";
  }
  if (projection.delayMs.empty())
    return "";
  if (projection.delayMs.size() != expected)
    return owner + ": delayMs has " +
           std::to_string(projection.delayMs.size()) +
           " entries, expected none or " + std::to_string(expected);
  for (size_t synapse = 0; synapse < expected; ++synapse) {
    double delay = projection.delayMs[synapse];
    if (!std::isfinite(delay) || delay < 0) {
      std::ostringstream message;
      message << owner << ": delayMs[" << synapse << "] = " << delay
              << " must be non-negative and finite";
      return message.str();
    }
  }
  return "";
}

static std::string validateLoss(const Network &network) {
  const Loss &loss = network.loss;
  if (loss.kind == LossKind::None)
    return "";
  if (loss.population < 0 ||
      loss.population >= static_cast<int32_t>(network.populations.size()))
    return "loss: population index " + std::to_string(loss.population) +
           " is out of range";
  const Population &population = network.populations[loss.population];
  std::string owner = describePopulation(population, loss.population);
  if (loss.kind == LossKind::TimeToFirstSpike) {
    if (population.kind != PopulationKind::LIF)
      return "loss: time-to-first-spike needs a LIF population, " + owner +
             " is not one";
    if (std::string error = checkPositive("loss", "tau0Ms", loss.tau0Ms);
        !error.empty())
      return error;
    if (std::string error = checkPositive("loss", "tau1Ms", loss.tau1Ms);
        !error.empty())
      return error;
    if (!std::isfinite(loss.alpha) || loss.alpha < 0)
      return "loss: alpha must be non-negative and finite";
    return "";
  }
  if (population.kind != PopulationKind::LI)
    return "loss: max-voltage needs an LI population, " + owner + " is not one";
  return "";
}

std::string Network::validate() const {
  if (!std::isfinite(durationMs) || durationMs <= 0)
    return "network: durationMs must be positive and finite";
  std::set<std::string> names;
  for (size_t index = 0; index < populations.size(); ++index) {
    const Population &population = populations[index];
    if (!population.name.empty() && !names.insert(population.name).second)
      return describePopulation(population, index) + ": name is not unique";
    if (std::string error = validatePopulation(population, index);
        !error.empty())
      return error;
  }
  for (size_t index = 0; index < projections.size(); ++index) {
    if (std::string error =
            validateProjection(*this, projections[index], index);
        !error.empty())
      return error;
  }
  return validateLoss(*this);
}

std::string checkInputSpike(const Network &network, const InputSpike &spike,
                            size_t index) {
  // Built only on failure: this runs for every input spike of every sample.
  auto where = [&] { return "input spike " + std::to_string(index) + ": "; };
  if (spike.population < 0 ||
      spike.population >= static_cast<int32_t>(network.populations.size()))
    return where() + "population index " + std::to_string(spike.population) +
           " is out of range";
  const Population &population = network.populations[spike.population];
  if (population.kind != PopulationKind::Source)
    return where() + "population '" + population.name + "' is not a source";
  if (spike.channel < 0 || spike.channel >= population.size)
    return where() + "channel " + std::to_string(spike.channel) +
           " is out of range for source '" + population.name + "' of size " +
           std::to_string(population.size);
  if (!std::isfinite(spike.timeMs) || spike.timeMs < 0) {
    std::ostringstream message;
    message << where() << "time " << spike.timeMs
            << " ms must be finite and non-negative";
    return message.str();
  }
  return "";
}

} // namespace snnc::runtime
