//===- TrafficModel.cpp - Analytic memory traffic of both methods ---------===//

#include "runtime/TrafficModel.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace snnc::runtime {

namespace {

/// Shorthands that keep the formulas below readable.
struct Tally {
  TrafficCounters counters;
  void read(Phase phase, MemoryClass memoryClass, double bytes) {
    counters.read(phase, memoryClass, static_cast<uint64_t>(bytes));
  }
  void write(Phase phase, MemoryClass memoryClass, double bytes) {
    counters.write(phase, memoryClass, static_cast<uint64_t>(bytes));
  }
  void ops(Phase phase, double count) {
    counters.synapticOps[static_cast<int>(phase)] +=
        static_cast<uint64_t>(count);
  }
};

} // namespace

TrafficCounters timeStepTrafficModel(const Network &network,
                                     const TimeStepOptions &options,
                                     const Sample &sample,
                                     const TimeStepResult &result,
                                     bool training) {
  constexpr Phase kForward = Phase::Forward;
  constexpr Phase kBackward = Phase::Backward;
  Tally tally;
  double steps = timeStepCount(network, options);
  int32_t numSteps = static_cast<int32_t>(steps);

  // The (neuron, step) pairs whose spike flag is non-zero, per population:
  // LIF spikes, and input spikes binned to their steps (several in one bin
  // are one entry).
  std::vector<std::set<std::pair<int32_t, int32_t>>> active(
      network.populations.size());
  for (size_t index = 0; index < network.populations.size(); ++index) {
    for (const SpikeRecord &record : result.spikes[index])
      active[index].insert({record.neuron, static_cast<int32_t>(std::llround(
                                               record.timeMs / options.dtMs))});
  }
  for (const InputSpike &spike : sample.spikes) {
    if (!(spike.timeMs < network.durationMs))
      continue;
    auto step = static_cast<int32_t>(std::llround(spike.timeMs / options.dtMs));
    if (step < numSteps)
      active[spike.population].insert({spike.channel, step});
  }

  // Training with a first-spike loss scans the stored trace of every
  // silent output neuron for its closest approach to the threshold.
  if (training && network.loss.kind == LossKind::TimeToFirstSpike) {
    for (double output : result.outputs) {
      if (!(output < network.durationMs))
        tally.read(kBackward, MemoryClass::Record, 8 * steps);
    }
  }

  for (const Population &population : network.populations) {
    double size = population.size;
    if (population.kind == PopulationKind::Source) {
      tally.write(kForward, MemoryClass::Queue, size * steps);
      if (training)
        tally.write(kForward, MemoryClass::Record, size * steps);
      continue;
    }
    // The decay of (V, I), then the readout's maximum or the spike check.
    tally.read(kForward, MemoryClass::State, 16 * size * steps);
    tally.write(kForward, MemoryClass::State, 16 * size * steps);
    if (training) {
      tally.read(kBackward, MemoryClass::State, 16 * size * steps);
      tally.write(kBackward, MemoryClass::State, 16 * size * steps);
    }
    if (population.kind == PopulationKind::LI) {
      tally.read(kForward, MemoryClass::State, 8 * size * steps);
      tally.write(kForward, MemoryClass::State, 12 * size * steps);
      continue;
    }
    tally.read(kForward, MemoryClass::State, 8 * size * steps);
    if (std::llround(population.refractoryMs / options.dtMs) > 0) {
      tally.read(kForward, MemoryClass::State, 4 * size * steps);
      tally.write(kForward, MemoryClass::State, 4 * size * steps);
    }
    tally.write(kForward, MemoryClass::Queue, size * steps);
    if (!training)
      continue;
    tally.write(kForward, MemoryClass::Record, 9 * size * steps);
    tally.read(kBackward, MemoryClass::Record, 9 * size * steps);
    tally.read(kBackward, MemoryClass::State, 16 * size * steps);
    tally.write(kBackward, MemoryClass::State, 8 * size * steps);
    if (population.learnThreshold) {
      tally.read(kBackward, MemoryClass::Grad, 8 * size * steps);
      tally.write(kBackward, MemoryClass::Grad, 8 * size * steps);
    }
  }

  for (const Projection &projection : network.projections) {
    double preSize = network.populations[projection.pre].size;
    double postSize = network.populations[projection.post].size;
    double synapses = preSize * postSize;
    bool preIsLIF =
        network.populations[projection.pre].kind == PopulationKind::LIF;
    std::vector<int32_t> delays;
    int32_t maxDelay = 0;
    for (double delay : projection.delayMs) {
      delays.push_back(
          static_cast<int32_t>(std::llround(delay / options.dtMs)));
      maxDelay = std::max(maxDelay, delays.back());
    }
    tally.read(kForward, MemoryClass::State, 8 * postSize * steps);
    tally.write(kForward, MemoryClass::State, 8 * postSize * steps);
    if (training)
      tally.read(kBackward, MemoryClass::State, 8 * postSize * steps);

    if (maxDelay == 0) {
      double macs = synapses * steps;
      tally.ops(kForward, macs);
      tally.read(kForward, MemoryClass::Synapse, 8 * macs);
      tally.read(kForward, MemoryClass::Queue, preSize * steps);
      if (!training)
        continue;
      if (preIsLIF) {
        tally.ops(kBackward, macs);
        tally.read(kBackward, MemoryClass::Synapse, 8 * macs);
        tally.read(kBackward, MemoryClass::State, 8 * preSize * steps);
        tally.write(kBackward, MemoryClass::State, 8 * preSize * steps);
      }
      if (projection.learnWeight) {
        double bins = static_cast<double>(active[projection.pre].size());
        tally.read(kBackward, MemoryClass::Record, preSize * steps);
        tally.read(kBackward, MemoryClass::Grad, 8 * postSize * bins);
        tally.write(kBackward, MemoryClass::Grad, 8 * postSize * bins);
      }
      continue;
    }

    // With delays a synapse is idle until its delay has passed, and its
    // gradient is touched once per presynaptic spike that arrives in time.
    double macs = 0;
    for (int32_t delay : delays)
      macs += std::max(0, numSteps - delay);
    double arrivals = 0;
    for (const auto &[pre, step] : active[projection.pre]) {
      for (int32_t post = 0; post < static_cast<int32_t>(postSize); ++post) {
        int32_t delay =
            delays[static_cast<size_t>(post) * static_cast<size_t>(preSize) +
                   pre];
        arrivals += step + delay < numSteps;
      }
    }
    tally.ops(kForward, macs);
    tally.read(kForward, MemoryClass::Synapse, 4 * synapses * steps + 8 * macs);
    tally.read(kForward, MemoryClass::Queue, macs);
    if (!training)
      continue;
    tally.read(kBackward, MemoryClass::Synapse, 4 * synapses * steps);
    if (preIsLIF) {
      tally.ops(kBackward, macs);
      tally.read(kBackward, MemoryClass::Synapse, 8 * macs);
      tally.read(kBackward, MemoryClass::State, 8 * macs);
      tally.write(kBackward, MemoryClass::State, 8 * macs);
    }
    if (projection.learnWeight) {
      tally.read(kBackward, MemoryClass::Record, macs);
      tally.read(kBackward, MemoryClass::Grad, 8 * arrivals);
      tally.write(kBackward, MemoryClass::Grad, 8 * arrivals);
    }
  }
  return tally.counters;
}

TrafficCounters exactTrafficModel(const Network &network, const Sample &sample,
                                  const ForwardResult &forward, bool training) {
  constexpr Phase kForward = Phase::Forward;
  constexpr Phase kBackward = Phase::Backward;
  // The size of one queued event (time, kind, group, index, ref, cursor).
  constexpr double kEventBytes = 32;
  constexpr double kStateBytes = 24;
  Tally tally;

  // Spikes per population: LIF records, inputs before the end.
  std::vector<double> spikes(network.populations.size(), 0);
  for (size_t index = 0; index < network.populations.size(); ++index)
    spikes[index] = static_cast<double>(forward.spikes[index].size());
  for (const InputSpike &spike : sample.spikes) {
    if (spike.timeMs < network.durationMs)
      spikes[spike.population] += 1;
  }

  for (size_t index = 0; index < network.populations.size(); ++index) {
    if (network.populations[index].kind != PopulationKind::LIF)
      continue;
    double recordBytes = sizeof(SpikeRecord) * spikes[index];
    tally.write(kForward, MemoryClass::Record, recordBytes);
    // A spike: its crossing queued and popped, the reset written.
    tally.write(kForward, MemoryClass::Queue, kEventBytes * spikes[index]);
    tally.read(kForward, MemoryClass::Queue, kEventBytes * spikes[index]);
    tally.write(kForward, MemoryClass::State, 8 * spikes[index]);
    if (!training)
      continue;
    tally.read(kBackward, MemoryClass::Record, recordBytes);
    tally.write(kBackward, MemoryClass::Queue, kEventBytes * spikes[index]);
    tally.read(kBackward, MemoryClass::Queue, kEventBytes * spikes[index]);
    tally.read(kBackward, MemoryClass::Grad, 8 * spikes[index]);
    tally.write(kBackward, MemoryClass::Grad, 8 * spikes[index]);
  }

  // Every spike is delivered along every synapse leaving its neuron: the
  // weight read, the target's state advanced and its current raised; the
  // backward pass reads the same weight and updates two gradients.
  for (const Projection &projection : network.projections) {
    double postSize = network.populations[projection.post].size;
    double events = spikes[projection.pre] * postSize;
    tally.ops(kForward, events);
    tally.read(kForward, MemoryClass::Synapse, 8 * events);
    tally.read(kForward, MemoryClass::State, (kStateBytes + 16) * events);
    tally.write(kForward, MemoryClass::State, kStateBytes * events);
    if (!training)
      continue;
    tally.ops(kBackward, events);
    tally.read(kBackward, MemoryClass::Synapse, 8 * events);
    tally.read(kBackward, MemoryClass::State, kStateBytes * events);
    tally.write(kBackward, MemoryClass::State, kStateBytes * events);
    tally.read(kBackward, MemoryClass::Grad, 16 * events);
    tally.write(kBackward, MemoryClass::Grad, 16 * events);
  }
  return tally.counters;
}

} // namespace snnc::runtime
