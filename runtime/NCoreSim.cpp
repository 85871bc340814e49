//===- NCoreSim.cpp - Bit-accurate simulator of a core image --------------===//
//
// Event-driven: the only events are input spikes, synaptic arrivals
// (timestamped spike messages, after their delay) and predicted threshold
// crossings. A neuron's state is touched only at its events; between them
// it decays in closed form, one table lookup and one multiplication per
// variable, whatever the interval (docs/ncore.md, "Arithmetic").
//
//===----------------------------------------------------------------------===//

#include "runtime/NCoreSim.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace snnc::runtime {

NCoreCounters &NCoreCounters::operator+=(const NCoreCounters &other) {
  traffic += other.traffic;
  neuronUpdates += other.neuronUpdates;
  spikeMessages += other.spikeMessages;
  meshHops += other.meshHops;
  learningUpdates += other.learningUpdates;
  return *this;
}

NCoreEnergy ncoreEnergy(const NCoreCounters &counters,
                        const NCoreTarget &target) {
  NCoreEnergy energy;
  energy.synapticOpsPj = counters.synapticOps() * target.synapticOpPj;
  energy.neuronUpdatesPj = counters.neuronUpdates * target.neuronUpdatePj;
  energy.spikeMessagesPj = counters.spikeMessages * target.spikeMessagePj;
  energy.meshHopsPj = counters.meshHops * target.hopPj;
  energy.learningUpdatesPj = counters.learningUpdates * target.learningUpdatePj;
  return energy;
}

NCoreSimulator::NCoreSimulator(const NCoreImage &image) : image(image) {
  tablesFrom.resize(image.blocks.size());
  destinations.resize(image.blocks.size());
  blocksOf.resize(image.populations.size());
  for (size_t index = 0; index < image.synapses.size(); ++index)
    tablesFrom[image.synapses[index].pre].push_back(index);
  for (const NCoreImageRoute &route : image.routes) {
    int32_t core = image.blocks[route.post].core;
    auto &list = destinations[route.pre];
    if (std::none_of(list.begin(), list.end(),
                     [&](const auto &entry) { return entry.first == core; }))
      list.push_back({core, route.hops});
  }
  for (size_t index = 0; index < image.blocks.size(); ++index)
    blocksOf[image.blocks[index].population].push_back(index);
  for (const NCoreImageBlock &block : image.blocks)
    peakCoupling.push_back(
        block.coupling.empty()
            ? 0
            : *std::max_element(block.coupling.begin(), block.coupling.end()));
}

namespace {
struct NeuronState {
  int64_t voltage = 0;
  int64_t current = 0;
  /// Tick the state above belongs to.
  int32_t last = 0;
  int32_t refractoryUntil = 0;
  /// Bumped whenever a pending crossing prediction becomes stale.
  uint32_t version = 0;
  int32_t spikes = 0;
  int32_t firstSpike = -1;
  int64_t maxVoltage = 0;
};

enum class EventKind : uint8_t { Input, Arrival, Crossing };

struct Event {
  int32_t tick = 0;
  uint64_t sequence = 0;
  EventKind kind = EventKind::Input;
  int32_t block = 0;
  int32_t neuron = 0;
  int64_t value = 0;
  uint32_t version = 0;
  bool operator>(const Event &other) const {
    return tick != other.tick ? tick > other.tick : sequence > other.sequence;
  }
};
} // namespace

std::string NCoreSimulator::run(const Sample &sample, NCoreSampleResult &result,
                                std::vector<NCoreCounters> &perCore,
                                NCoreForwardRecord *record) {
  const NCoreTarget &chip = image.target;
  perCore.resize(image.cores.size());
  result = NCoreSampleResult();

  // Widths of what is moved, in whole bytes.
  const uint64_t stateBytes = (chip.stateBits + 7) / 8;
  const uint64_t timeBytes = (chip.timeBits + 7) / 8;
  const uint64_t neuronRecordBytes = 2 * stateBytes + timeBytes;
  const uint64_t queueEntryBytes = timeBytes + 2 + stateBytes;
  const uint64_t messageBytes = timeBytes + 2;
  // A spike record: neuron, tick and (LIF) current.
  const uint64_t inputRecordBytes = 2 + timeBytes;
  const uint64_t spikeRecordBytes = inputRecordBytes + stateBytes;
  if (record)
    record->spikes.clear();
  const int64_t stateMax = (int64_t(1) << (chip.stateBits - 1)) - 1;
  const int fraction = kNCoreDecayFractionBits;
  const int64_t half = int64_t(1) << (fraction - 1);
  const int32_t duration = image.durationTicks;
  constexpr Phase forward = Phase::Forward;

  auto saturate = [&](int64_t value) {
    return std::clamp<int64_t>(value, -stateMax, stateMax);
  };
  // Fixed-point product with round-half-up: (x * f + 2^(F-1)) >> F.
  auto scaled = [&](int64_t value, int32_t factor) {
    return (value * factor + half) >> fraction;
  };
  auto voltageAfter = [&](const NCoreImageBlock &block, int64_t voltage,
                          int64_t current, int32_t ticks) {
    return saturate((voltage * block.memDecay[ticks] +
                     current * block.coupling[ticks] + half) >>
                    fraction);
  };

  std::vector<std::vector<NeuronState>> state(image.blocks.size());
  for (size_t index = 0; index < image.blocks.size(); ++index)
    state[index].resize(image.blocks[index].size);
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue;
  uint64_t sequence = 0;
  auto push = [&](Event event) {
    event.sequence = sequence++;
    queue.push(event);
  };
  auto isLIF = [&](int32_t block) {
    return image.populations[image.blocks[block].population].kind ==
           PopulationKind::LIF;
  };
  auto isLI = [&](int32_t block) {
    return image.populations[image.blocks[block].population].kind ==
           PopulationKind::LI;
  };

  // Closed-form advance to `tick`: first the refractory part, where the
  // voltage is held at reset and only the current decays, then both.
  auto advance = [&](int32_t blockIndex, int32_t neuron, int32_t tick) {
    const NCoreImageBlock &block = image.blocks[blockIndex];
    NeuronState &s = state[blockIndex][neuron];
    if (tick <= s.last)
      return;
    if (s.refractoryUntil > s.last) {
      int32_t release = std::min(tick, s.refractoryUntil);
      s.current = saturate(scaled(s.current, block.synDecay[release - s.last]));
      s.voltage = block.reset;
      s.last = release;
      if (tick == release)
        return;
    }
    int32_t ticks = tick - s.last;
    // A readout's maximum lies inside the interval only while it rises.
    if (isLI(blockIndex) && s.current > s.voltage)
      for (int32_t step = 1; step < ticks; ++step)
        s.maxVoltage = std::max(
            s.maxVoltage, voltageAfter(block, s.voltage, s.current, step));
    int64_t voltage = voltageAfter(block, s.voltage, s.current, ticks);
    s.current = saturate(scaled(s.current, block.synDecay[ticks]));
    s.voltage = voltage;
    s.last = tick;
    s.maxVoltage = std::max(s.maxVoltage, s.voltage);
  };

  // The first tick after `tick` at which V reaches the threshold, searched
  // while V rises; nothing is scheduled when it cannot rise (I <= V or
  // I <= 0 with V below a positive threshold) or turns down first.
  auto predict = [&](int32_t blockIndex, int32_t neuron, int32_t tick) {
    const NCoreImageBlock &block = image.blocks[blockIndex];
    NeuronState &s = state[blockIndex][neuron];
    int64_t threshold = block.threshold[neuron];
    int32_t start = std::max(tick, s.refractoryUntil);
    if (start >= duration)
      return;
    int64_t voltage = s.voltage;
    int64_t current = s.current;
    if (start > tick) {
      current = saturate(scaled(current, block.synDecay[start - tick]));
      voltage = block.reset;
    }
    if ((current <= voltage || current <= 0) && voltage < threshold)
      return;
    // Every later voltage is (V mem[d] + I cpl[d] + 2^(F-1)) >> F with
    // mem[d] <= 2^F and cpl[d] <= the table's peak: when even that bound
    // stays below the threshold no tick can reach it, and the search
    // below, which would find none, is skipped.
    if (voltage < threshold &&
        ((std::max<int64_t>(voltage, 0) << fraction) +
         std::max<int64_t>(current, 0) * peakCoupling[blockIndex] + half) >>
            fraction < threshold)
      return;
    int64_t previous = voltage;
    for (int32_t step = 1; start + step <= duration; ++step) {
      int64_t next = voltageAfter(block, voltage, current, step);
      if (next >= threshold) {
        Event event;
        event.tick = start + step;
        event.kind = EventKind::Crossing;
        event.block = blockIndex;
        event.neuron = neuron;
        event.version = s.version;
        push(event);
        return;
      }
      if (next < previous)
        return;
      previous = next;
    }
  };

  // A spike leaves its core once per destination core, and every synapse
  // of it is read and queued at the core of its target.
  auto emit = [&](int32_t blockIndex, int32_t neuron, int32_t tick) {
    const NCoreImageBlock &block = image.blocks[blockIndex];
    NCoreCounters &source = perCore[block.core];
    for (auto [core, hops] : destinations[blockIndex]) {
      ++source.spikeMessages;
      source.meshHops += hops;
      if (hops > 0) {
        source.traffic.write(forward, MemoryClass::Noc, messageBytes * hops);
        perCore[core].traffic.read(forward, MemoryClass::Noc, messageBytes);
      }
    }
    for (int32_t tableIndex : tablesFrom[blockIndex]) {
      const NCoreImageSynapses &table = image.synapses[tableIndex];
      const NCoreImageBlock &post = image.blocks[table.post];
      NCoreCounters &target = perCore[post.core];
      uint64_t entryBytes = chip.synapseEntryBytes(!table.delayTicks.empty());
      for (int32_t row = 0; row < post.size; ++row) {
        size_t entry = size_t(row) * block.size + neuron;
        target.traffic.read(forward, MemoryClass::Synapse, entryBytes);
        int16_t weight = table.weight[entry];
        if (weight == 0)
          continue;
        ++target.traffic.synapticOps[static_cast<int>(forward)];
        int32_t delay = table.delayTicks.empty() ? 0 : table.delayTicks[entry];
        if (tick + delay > duration)
          continue;
        target.traffic.write(forward, MemoryClass::Queue, queueEntryBytes);
        Event event;
        event.tick = tick + delay;
        event.kind = EventKind::Arrival;
        event.block = table.post;
        event.neuron = row;
        event.value = int64_t(weight) * table.scale;
        push(event);
      }
    }
  };

  std::string error;
  auto fire = [&](int32_t blockIndex, int32_t neuron, int32_t tick) {
    const NCoreImageBlock &block = image.blocks[blockIndex];
    NeuronState &s = state[blockIndex][neuron];
    if (++s.spikes > maxSpikesPerNeuron) {
      error = "neuron " + std::to_string(block.offset + neuron) + " of '" +
              image.populations[block.population].name + "' fired more than " +
              std::to_string(maxSpikesPerNeuron) + " times";
      return;
    }
    if (s.firstSpike < 0)
      s.firstSpike = tick;
    ++result.spikes;
    if (record) {
      record->spikes.push_back({blockIndex, neuron, tick, s.current});
      perCore[block.core].traffic.write(forward, MemoryClass::Record,
                                        spikeRecordBytes);
    }
    s.voltage = block.reset;
    s.refractoryUntil = tick + block.refractoryTicks;
    ++s.version;
    emit(blockIndex, neuron, tick);
    predict(blockIndex, neuron, tick);
  };
  auto update = [&](int32_t blockIndex) {
    NCoreCounters &core = perCore[image.blocks[blockIndex].core];
    ++core.neuronUpdates;
    core.traffic.read(forward, MemoryClass::State, neuronRecordBytes);
    core.traffic.write(forward, MemoryClass::State, neuronRecordBytes);
  };

  // Input spikes enter at the relay neuron of their source block.
  for (const InputSpike &spike : sample.spikes) {
    if (spike.population < 0 ||
        spike.population >= static_cast<int32_t>(image.populations.size()) ||
        image.populations[spike.population].kind != PopulationKind::Source)
      return "input spike for population " + std::to_string(spike.population) +
             ", which is not a source of the image";
    int32_t tick = static_cast<int32_t>(
        std::llround(std::max(0.0, spike.timeMs) / chip.timeStepMs));
    if (tick > duration)
      continue;
    for (int32_t blockIndex : blocksOf[spike.population]) {
      const NCoreImageBlock &block = image.blocks[blockIndex];
      if (spike.channel < block.offset ||
          spike.channel >= block.offset + block.size)
        continue;
      Event event;
      event.tick = tick;
      event.kind = EventKind::Input;
      event.block = blockIndex;
      event.neuron = spike.channel - block.offset;
      push(event);
    }
  }

  while (!queue.empty() && error.empty()) {
    Event event = queue.top();
    queue.pop();
    NeuronState &s = state[event.block][event.neuron];
    switch (event.kind) {
    case EventKind::Input:
      ++result.spikes;
      if (record) {
        record->spikes.push_back({event.block, event.neuron, event.tick, 0});
        perCore[image.blocks[event.block].core].traffic.write(
            forward, MemoryClass::Record, inputRecordBytes);
      }
      emit(event.block, event.neuron, event.tick);
      break;
    case EventKind::Arrival: {
      const NCoreImageBlock &block = image.blocks[event.block];
      perCore[block.core].traffic.read(forward, MemoryClass::Queue,
                                       queueEntryBytes);
      advance(event.block, event.neuron, event.tick);
      s.current = saturate(s.current + event.value);
      update(event.block);
      if (!isLIF(event.block))
        break;
      ++s.version;
      if (event.tick >= s.refractoryUntil &&
          s.voltage >= block.threshold[event.neuron])
        fire(event.block, event.neuron, event.tick);
      else
        predict(event.block, event.neuron, event.tick);
      break;
    }
    case EventKind::Crossing:
      if (event.version != s.version)
        break;
      advance(event.block, event.neuron, event.tick);
      update(event.block);
      fire(event.block, event.neuron, event.tick);
      break;
    }
  }
  if (!error.empty())
    return error;

  // The readout.
  for (int32_t blockIndex : blocksOf[image.readoutPopulation]) {
    const NCoreImageBlock &block = image.blocks[blockIndex];
    for (int32_t neuron = 0; neuron < block.size; ++neuron) {
      if (image.readout == NCoreReadout::MaxVoltage) {
        advance(blockIndex, neuron, duration);
        result.outputs.push_back(state[blockIndex][neuron].maxVoltage);
      } else {
        result.outputs.push_back(state[blockIndex][neuron].firstSpike);
      }
    }
  }
  for (size_t neuron = 0; neuron < result.outputs.size(); ++neuron) {
    int64_t value = result.outputs[neuron];
    if (image.readout == NCoreReadout::TimeToFirstSpike) {
      if (value >= 0 &&
          (result.prediction < 0 || value < result.outputs[result.prediction]))
        result.prediction = neuron;
    } else if (result.prediction < 0 ||
               value > result.outputs[result.prediction]) {
      result.prediction = neuron;
    }
  }
  return "";
}

} // namespace snnc::runtime
