//===- Optimizer.cpp - Gradient steps on a network's parameters -----------===//

#include "runtime/Optimizer.h"

#include "runtime/ByteStream.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace snnc::runtime {

double LearningRateSchedule::rateAt(int32_t epoch) const {
  epoch = std::max(epoch, 0);
  switch (kind) {
  case ScheduleKind::Constant:
    return baseRate;
  case ScheduleKind::StepDecay: {
    int32_t decays = stepEpochs > 0 ? epoch / stepEpochs : 0;
    double rate = baseRate;
    // Repeated multiplication rather than pow(): the same bits everywhere.
    for (int32_t decay = 0; decay < decays; ++decay)
      rate *= decayFactor;
    return rate;
  }
  case ScheduleKind::Cosine: {
    if (totalEpochs <= 0 || epoch >= totalEpochs)
      return minRate;
    double progress = static_cast<double>(epoch) / totalEpochs;
    return minRate +
           0.5 * (baseRate - minRate) * (1 + std::cos(M_PI * progress));
  }
  }
  return baseRate;
}

Optimizer::Optimizer(const OptimizerOptions &options) : config(options) {
  rate = config.schedule.rateAt(0);
}

std::string Optimizer::validate() const {
  const LearningRateSchedule &schedule = config.schedule;
  if (!(schedule.baseRate >= 0) || !std::isfinite(schedule.baseRate))
    return "optimizer: schedule.baseRate must be a non-negative number";
  if (schedule.kind == ScheduleKind::StepDecay &&
      (schedule.stepEpochs <= 0 || !(schedule.decayFactor > 0)))
    return "optimizer: step decay needs stepEpochs > 0 and decayFactor > 0";
  if (schedule.kind == ScheduleKind::Cosine &&
      (schedule.totalEpochs <= 0 || !(schedule.minRate >= 0)))
    return "optimizer: cosine schedule needs totalEpochs > 0 and minRate >= 0";
  if (!(config.momentum >= 0 && config.momentum < 1))
    return "optimizer: momentum must be in [0, 1)";
  if (!(config.beta1 >= 0 && config.beta1 < 1))
    return "optimizer: beta1 must be in [0, 1)";
  if (!(config.beta2 >= 0 && config.beta2 < 1))
    return "optimizer: beta2 must be in [0, 1)";
  if (!(config.epsilon > 0))
    return "optimizer: epsilon must be positive";
  if (!(config.maxGradientNorm >= 0))
    return "optimizer: maxGradientNorm must be non-negative";
  if (!(config.minDelayMs >= 0))
    return "optimizer: minDelayMs must be non-negative";
  if (!(config.minThreshold > 0))
    return "optimizer: minThreshold must be positive";
  return "";
}

void Optimizer::setEpoch(int32_t epoch) {
  currentEpoch = epoch;
  rate = config.schedule.rateAt(epoch);
}

/// "weight", "delay" or "threshold" for messages.
static const char *fieldName(int kind) {
  static const char *const names[] = {"weight", "delay", "threshold"};
  return names[kind];
}

std::string Optimizer::bind(Network &network, const Gradients &gradients,
                            std::vector<Binding> &bindings) const {
  bindings.clear();
  size_t projectionCount = network.projections.size();
  size_t populationCount = network.populations.size();
  for (size_t index = 0; index < projectionCount; ++index) {
    Projection &projection = network.projections[index];
    const std::string where = "projection '" + projection.name + "': ";
    if (projection.learnWeight) {
      if (index >= gradients.weight.size() ||
          gradients.weight[index].size() != projection.weight.size())
        return where + "weight gradient does not match its " +
               std::to_string(projection.weight.size()) + " weights";
      bindings.push_back({ParameterKind::Weight, static_cast<int32_t>(index),
                          &projection.weight, &gradients.weight[index],
                          config.weightRateScale});
    }
    if (projection.learnDelay) {
      if (index >= gradients.delay.size() ||
          gradients.delay[index].size() != projection.weight.size())
        return where + "delay gradient does not match its " +
               std::to_string(projection.weight.size()) + " synapses";
      if (!projection.delayMs.empty() &&
          projection.delayMs.size() != projection.weight.size())
        return where + "has " + std::to_string(projection.delayMs.size()) +
               " delays for " + std::to_string(projection.weight.size()) +
               " weights";
      bindings.push_back({ParameterKind::Delay, static_cast<int32_t>(index),
                          &projection.delayMs, &gradients.delay[index],
                          config.delayRateScale});
    }
  }
  for (size_t index = 0; index < populationCount; ++index) {
    Population &population = network.populations[index];
    if (!population.learnThreshold)
      continue;
    if (index >= gradients.threshold.size() ||
        gradients.threshold[index].size() != population.threshold.size())
      return "population '" + population.name +
             "': threshold gradient does not match its " +
             std::to_string(population.threshold.size()) + " thresholds";
    bindings.push_back({ParameterKind::Threshold, static_cast<int32_t>(index),
                        &population.threshold, &gradients.threshold[index],
                        config.thresholdRateScale});
  }

  // After the first step the state is tied to these tensors.
  if (slots.empty())
    return "";
  if (slots.size() != bindings.size())
    return "optimizer: the network has " + std::to_string(bindings.size()) +
           " learnable tensors, but the optimizer state covers " +
           std::to_string(slots.size());
  for (size_t index = 0; index < slots.size(); ++index) {
    const Slot &slot = slots[index];
    const Binding &binding = bindings[index];
    if (slot.kind != binding.kind || slot.index != binding.index ||
        slot.first.size() != binding.gradient->size())
      return "optimizer: learnable " +
             std::string(fieldName(static_cast<int>(binding.kind))) +
             " tensor " + std::to_string(index) +
             " differs from the one the optimizer state was made for";
  }
  return "";
}

std::string Optimizer::step(Network &network, const Gradients &gradients) {
  std::vector<Binding> bindings;
  if (std::string error = bind(network, gradients, bindings); !error.empty())
    return error;

  // Check every gradient before changing anything, so a bad one leaves the
  // network and the state as they were.
  double squaredNorm = 0;
  for (const Binding &binding : bindings) {
    for (double value : *binding.gradient) {
      if (!std::isfinite(value))
        return "optimizer: a " +
               std::string(fieldName(static_cast<int>(binding.kind))) +
               " gradient is not finite";
      squaredNorm += value * value;
    }
  }
  double gradientScale = 1;
  double norm = std::sqrt(squaredNorm);
  if (config.maxGradientNorm > 0 && norm > config.maxGradientNorm)
    gradientScale = config.maxGradientNorm / norm;

  bool adam = config.kind == OptimizerKind::Adam;
  if (slots.empty()) {
    for (const Binding &binding : bindings) {
      Slot slot;
      slot.kind = binding.kind;
      slot.index = binding.index;
      slot.first.assign(binding.gradient->size(), 0.0);
      if (adam)
        slot.second.assign(binding.gradient->size(), 0.0);
      slots.push_back(std::move(slot));
    }
  }

  ++stepCount;
  beta1Power *= config.beta1;
  beta2Power *= config.beta2;
  double firstCorrection = 1 - beta1Power;
  double secondCorrection = 1 - beta2Power;
  for (size_t slotIndex = 0; slotIndex < slots.size(); ++slotIndex) {
    Slot &slot = slots[slotIndex];
    const Binding &binding = bindings[slotIndex];
    std::vector<double> &values = *binding.values;
    if (values.empty())
      values.assign(binding.gradient->size(), 0.0);
    double stepRate = rate * binding.rateScale;
    for (size_t index = 0; index < values.size(); ++index) {
      double gradient = (*binding.gradient)[index] * gradientScale;
      if (adam) {
        double &first = slot.first[index];
        double &second = slot.second[index];
        first = config.beta1 * first + (1 - config.beta1) * gradient;
        second =
            config.beta2 * second + (1 - config.beta2) * gradient * gradient;
        double firstHat = first / firstCorrection;
        double secondHat = second / secondCorrection;
        values[index] -=
            stepRate * firstHat / (std::sqrt(secondHat) + config.epsilon);
      } else {
        double &velocity = slot.first[index];
        velocity = config.momentum * velocity + gradient;
        values[index] -= stepRate * velocity;
      }
    }

    // Bounds: a negative delay would deliver a spike before it was sent,
    // and a threshold at or below the reset would fire again at once.
    if (binding.kind == ParameterKind::Delay) {
      for (double &delay : values)
        delay = std::max(delay, config.minDelayMs);
    } else if (binding.kind == ParameterKind::Threshold) {
      double reset = network.populations[binding.index].reset;
      double lowest =
          std::max(config.minThreshold, reset + config.minThreshold);
      for (double &threshold : values)
        threshold = std::max(threshold, lowest);
    }
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Serialization
//===----------------------------------------------------------------------===//
//
// Layout, all integers and doubles little-endian, doubles as their IEEE-754
// bit patterns:
//
//   "SNNCOPT1"  u8 kind  i32 epoch  i64 steps  f64 rate
//   f64 beta1Power  f64 beta2Power  u32 slotCount
//   per slot: u8 parameterKind  i32 index  u64 size
//             size x f64 first  u8 hasSecond  [size x f64 second]

static const char kMagic[8] = {'S', 'N', 'N', 'C', 'O', 'P', 'T', '1'};

std::vector<uint8_t> Optimizer::serializeState() const {
  ByteWriter writer;
  writer.bytes.assign(kMagic, kMagic + sizeof kMagic);
  writer.word(static_cast<uint8_t>(config.kind), 1);
  writer.word(static_cast<uint32_t>(currentEpoch), 4);
  writer.word(static_cast<uint64_t>(stepCount), 8);
  writer.real(rate);
  writer.real(beta1Power);
  writer.real(beta2Power);
  writer.word(slots.size(), 4);
  for (const Slot &slot : slots) {
    writer.word(static_cast<uint8_t>(slot.kind), 1);
    writer.word(static_cast<uint32_t>(slot.index), 4);
    writer.word(slot.first.size(), 8);
    for (double value : slot.first)
      writer.real(value);
    writer.word(slot.second.empty() ? 0 : 1, 1);
    for (double value : slot.second)
      writer.real(value);
  }
  return writer.bytes;
}

std::string Optimizer::deserializeState(const std::vector<uint8_t> &blob) {
  if (blob.size() < sizeof kMagic ||
      std::memcmp(blob.data(), kMagic, sizeof kMagic) != 0)
    return "optimizer state: missing the SNNCOPT1 header";
  ByteReader reader(blob.data() + sizeof kMagic, blob.size() - sizeof kMagic);
  const char *truncated = "optimizer state: the blob is truncated";

  auto kind = static_cast<OptimizerKind>(reader.word(1));
  if (reader.failed())
    return truncated;
  if (kind != config.kind)
    return "optimizer state: written by another kind of optimizer";
  int32_t epoch = static_cast<int32_t>(reader.word(4));
  int64_t steps = static_cast<int64_t>(reader.word(8));
  double savedRate = reader.real();
  double savedBeta1Power = reader.real();
  double savedBeta2Power = reader.real();
  uint64_t slotCount = reader.word(4);
  if (reader.failed())
    return truncated;

  std::vector<Slot> savedSlots;
  for (uint64_t slotIndex = 0; slotIndex < slotCount; ++slotIndex) {
    Slot slot;
    uint64_t parameterKind = reader.word(1);
    slot.index = static_cast<int32_t>(reader.word(4));
    uint64_t size = reader.word(8);
    if (reader.failed())
      return truncated;
    if (parameterKind > static_cast<uint64_t>(ParameterKind::Threshold))
      return "optimizer state: slot " + std::to_string(slotIndex) +
             " has an unknown parameter kind";
    slot.kind = static_cast<ParameterKind>(parameterKind);
    // Compare against what is left before allocating, so a damaged size
    // cannot ask for an absurd amount of memory.
    if (size > reader.remaining() / 8)
      return truncated;
    slot.first.resize(size);
    for (double &value : slot.first)
      value = reader.real();
    uint64_t hasSecond = reader.word(1);
    if (reader.failed())
      return truncated;
    if (hasSecond != (kind == OptimizerKind::Adam ? 1u : 0u))
      return "optimizer state: slot " + std::to_string(slotIndex) +
             " has the wrong number of moments";
    if (hasSecond) {
      if (size > reader.remaining() / 8)
        return truncated;
      slot.second.resize(size);
      for (double &value : slot.second)
        value = reader.real();
    }
    savedSlots.push_back(std::move(slot));
  }
  if (reader.failed())
    return truncated;
  if (reader.remaining() != 0)
    return "optimizer state: trailing bytes after the last slot";

  currentEpoch = epoch;
  stepCount = steps;
  rate = savedRate;
  beta1Power = savedBeta1Power;
  beta2Power = savedBeta2Power;
  slots = std::move(savedSlots);
  return "";
}

} // namespace snnc::runtime
