//===- NCoreLearn.cpp - On-core learning: the fixed-point adjoint ---------===//
//
// Integer units throughout: voltages and currents in state units of their
// population, times in ticks, weights in weight units (times the table's
// scale, state units). With aV = dL/dV and aI = dL/dI per state unit, the
// float formulas of EventProp.cpp hold unchanged in these units:
//
//   going back D ticks:  aI <- synDecay[D] aI + coupling[D] aV,
//                        aV <- memDecay[D] aV       (the transposed tables)
//   arrival of w at s:   dL/dw += scale aI(s),
//                        dL/ds  = w scale (aI dt/tau_s - aV dt/tau_m)
//   spike k of n:        aV^- = (aV^+ (I - reset) - (tau_m/dt) G) / (I -
//   theta),
//                        dL/dtheta -= aV^-
//
// where G = dL/dt_k (per tick) sums the dL/ds of the spike's deliveries and
// the loss's term. Every product is rounded half up, as the forward pass
// rounds, and every stored value saturates at its word.
//
// Within a tick, deliveries run before jumps: on the chip an arrival at
// tick t lands after the threshold test of tick t, so it sees the state
// after any spike of that tick.
//
//===----------------------------------------------------------------------===//

#include "runtime/NCoreLearn.h"

#include "runtime/Loss.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <numeric>
#include <queue>
#include <thread>

namespace snnc::runtime {

std::string NCoreLearningFormat::validate() const {
  if (adjointBits < 8 || adjointBits > 56)
    return "adjoint bits must lie in [8, 56] (got " +
           std::to_string(adjointBits) + ")";
  if (gradientBits < 8 || gradientBits > 56)
    return "gradient bits must lie in [8, 56] (got " +
           std::to_string(gradientBits) + ")";
  if (adjointFractionBits < 0 || adjointFractionBits >= adjointBits)
    return "adjoint fraction bits must lie in [0, adjoint bits)";
  if (gradientFractionBits < 0 || gradientFractionBits > adjointFractionBits)
    return "gradient fraction bits must lie in [0, adjoint fraction bits]";
  return "";
}

NCoreGradients NCoreGradients::zerosLike(const NCoreImage &image) {
  NCoreGradients gradients;
  for (const NCoreImageSynapses &table : image.synapses) {
    gradients.weight.emplace_back(table.weight.size(), 0);
    gradients.delay.emplace_back(table.delayTicks.size(), 0);
  }
  for (const NCoreImageBlock &block : image.blocks)
    gradients.threshold.emplace_back(block.threshold.size(), 0);
  return gradients;
}

namespace {

/// Products are formed at double width, as a multiplier's full product, and
/// rounded back to a word.
using Wide = __int128;

/// (value + 2^(shift-1)) >> shift: rounds half up, like the forward pass.
Wide roundShift(Wide value, int shift) {
  if (shift == 0)
    return value;
  return (value + (Wide(1) << (shift - 1))) >> shift;
}

/// numerator / denominator rounded to nearest, halves away from zero;
/// denominator > 0.
Wide roundDivide(Wide numerator, Wide denominator) {
  Wide half = denominator / 2;
  return numerator >= 0 ? (numerator + half) / denominator
                        : -((-numerator + half) / denominator);
}

/// Clips to a signed word of `bits` bits, counting clips in `count`.
struct Saturate {
  int64_t limit;
  uint64_t &count;
  int64_t operator()(Wide value) const {
    if (value > limit) {
      ++count;
      return limit;
    }
    if (value < -limit) {
      ++count;
      return -limit;
    }
    return static_cast<int64_t>(value);
  }
};

enum BackwardKind : uint8_t { kJump = 0, kDelivery = 1 };

struct BackwardEvent {
  int32_t tick = 0;
  uint8_t kind = kJump;
  uint64_t sequence = 0;
  /// Index of the spike record.
  int32_t ref = 0;
  /// Deliveries: the table, and the position in the row by delay (-1:
  /// every row, no delays).
  int32_t table = 0;
  int32_t position = -1;
};

/// Later ticks first; within a tick deliveries before jumps, then the
/// order of pushing.
struct LaterFirst {
  bool operator()(const BackwardEvent &left, const BackwardEvent &right) const {
    if (left.tick != right.tick)
      return left.tick < right.tick;
    if (left.kind != right.kind)
      return left.kind < right.kind;
    return left.sequence > right.sequence;
  }
};

} // namespace

NCoreLearner::NCoreLearner(const NCoreImage &image,
                           const NCoreLearningFormat &format)
    : image(image), format(format) {
  tablesFrom.resize(image.blocks.size());
  rowsByDelay.resize(image.synapses.size());
  for (size_t index = 0; index < image.synapses.size(); ++index) {
    const NCoreImageSynapses &table = image.synapses[index];
    tablesFrom[table.pre].push_back(static_cast<int32_t>(index));
    if (table.delayTicks.empty())
      continue;
    int32_t preSize = image.blocks[table.pre].size;
    int32_t postSize = image.blocks[table.post].size;
    std::vector<int32_t> &order = rowsByDelay[index];
    order.resize(static_cast<size_t>(preSize) * postSize);
    for (int32_t pre = 0; pre < preSize; ++pre) {
      int32_t *rows = order.data() + static_cast<size_t>(pre) * postSize;
      std::iota(rows, rows + postSize, 0);
      std::stable_sort(rows, rows + postSize, [&](int32_t left, int32_t right) {
        return table.delayTicks[size_t(left) * preSize + pre] <
               table.delayTicks[size_t(right) * preSize + pre];
      });
    }
  }
  const double dt = image.target.timeStepMs;
  for (const NCoreImageBlock &block : image.blocks) {
    bool neuron = block.tauMemMs > 0 && block.tauSynMs > 0;
    invTauSyn.push_back(
        neuron ? std::llround(std::ldexp(dt / block.tauSynMs, 20)) : 0);
    invTauMem.push_back(
        neuron ? std::llround(std::ldexp(dt / block.tauMemMs, 20)) : 0);
    tauMemTicks.push_back(
        neuron ? std::llround(std::ldexp(block.tauMemMs / dt, 16)) : 0);
  }
}

std::string NCoreLearner::check() const {
  if (std::string problem = format.validate(); !problem.empty())
    return problem;
  if (image.readout != NCoreReadout::TimeToFirstSpike)
    return "on-core learning needs the time-to-first-spike readout; this "
           "image reads maximum voltages";
  for (const NCoreImageBlock &block : image.blocks) {
    const NCoreImagePopulation &population =
        image.populations[block.population];
    if (population.kind == PopulationKind::LI)
      return "on-core learning needs LIF populations; '" + population.name +
             "' is LI";
    if (population.kind == PopulationKind::LIF && block.refractoryTicks > 0)
      return "on-core learning does not support refractory periods; '" +
             population.name + "' has " +
             std::to_string(block.refractoryTicks) + " ticks";
  }
  return "";
}

std::string NCoreLearner::backward(const NCoreForwardRecord &record,
                                   const std::vector<double> &outputTimeErrors,
                                   NCoreGradients &gradients,
                                   std::vector<NCoreCounters> &perCore,
                                   NCoreLearningStats &stats) {
  const NCoreTarget &chip = image.target;
  const int32_t duration = image.durationTicks;
  const int fraction = kNCoreDecayFractionBits;
  const int gradientShift =
      format.adjointFractionBits - format.gradientFractionBits;
  perCore.resize(image.cores.size());
  if (gradients.weight.size() != image.synapses.size() ||
      gradients.threshold.size() != image.blocks.size())
    return "the gradient accumulators are not shaped for this image";
  if (outputTimeErrors.size() !=
      static_cast<size_t>(image.populations[image.readoutPopulation].size))
    return "expected one output error per readout neuron";

  Saturate adjoint{(int64_t(1) << (format.adjointBits - 1)) - 1,
                   stats.saturations};
  Saturate accumulator{(int64_t(1) << (format.gradientBits - 1)) - 1,
                       stats.saturations};

  // Widths of what is moved, in whole bytes.
  const uint64_t stateBytes = (chip.stateBits + 7) / 8;
  const uint64_t timeBytes = (chip.timeBits + 7) / 8;
  const uint64_t adjointBytes = (format.adjointBits + 7) / 8;
  const uint64_t gradientBytes = (format.gradientBits + 7) / 8;
  const uint64_t adjointRecordBytes = 2 * adjointBytes + timeBytes;
  const uint64_t inputRecordBytes = 2 + timeBytes;
  const uint64_t spikeRecordBytes = inputRecordBytes + stateBytes;
  const uint64_t queueEntryBytes = timeBytes + 2 + adjointBytes;
  const uint64_t messageBytes = timeBytes + 2 + adjointBytes;
  constexpr Phase backwardPhase = Phase::Backward;

  // Adjoint state per block and neuron, and the tick it refers to.
  std::vector<std::vector<int64_t>> adjointV(image.blocks.size());
  std::vector<std::vector<int64_t>> adjointI(image.blocks.size());
  std::vector<std::vector<int32_t>> adjointAt(image.blocks.size());
  for (size_t index = 0; index < image.blocks.size(); ++index) {
    adjointV[index].assign(image.blocks[index].size, 0);
    adjointI[index].assign(image.blocks[index].size, 0);
    adjointAt[index].assign(image.blocks[index].size, duration);
  }
  // dL/dt_k per spike record: the loss's part first.
  std::vector<int64_t> timeGradient(record.spikes.size(), 0);
  {
    const double toTicks =
        chip.timeStepMs * std::ldexp(1.0, format.adjointFractionBits);
    std::vector<bool> seen(outputTimeErrors.size(), false);
    for (size_t ref = 0; ref < record.spikes.size(); ++ref) {
      const NCoreRecordedSpike &spike = record.spikes[ref];
      const NCoreImageBlock &block = image.blocks[spike.block];
      if (block.population != image.readoutPopulation)
        continue;
      int32_t output = block.offset + spike.neuron;
      if (seen[output])
        continue;
      seen[output] = true;
      timeGradient[ref] =
          adjoint(std::llround(outputTimeErrors[output] * toTicks));
    }
  }

  auto isLIF = [&](int32_t block) {
    return image.populations[image.blocks[block].population].kind ==
           PopulationKind::LIF;
  };
  auto advance = [&](int32_t block, int32_t neuron, int32_t tick) {
    int32_t ticks = adjointAt[block][neuron] - tick;
    if (ticks <= 0)
      return;
    const NCoreImageBlock &entry = image.blocks[block];
    NCoreCounters &core = perCore[entry.core];
    Wide v = adjointV[block][neuron];
    Wide i = adjointI[block][neuron];
    adjointI[block][neuron] = adjoint(roundShift(
        i * entry.synDecay[ticks] + v * entry.coupling[ticks], fraction));
    adjointV[block][neuron] =
        adjoint(roundShift(v * entry.memDecay[ticks], fraction));
    adjointAt[block][neuron] = tick;
    ++core.neuronUpdates;
    core.traffic.read(backwardPhase, MemoryClass::State, adjointRecordBytes);
    core.traffic.write(backwardPhase, MemoryClass::State, adjointRecordBytes);
  };

  std::priority_queue<BackwardEvent, std::vector<BackwardEvent>, LaterFirst>
      queue;
  uint64_t sequence = 0;
  auto push = [&](BackwardEvent event, int32_t core) {
    event.sequence = sequence++;
    queue.push(event);
    perCore[core].traffic.write(backwardPhase, MemoryClass::Queue,
                                queueEntryBytes);
  };
  // The latest group of arrivals of spike `ref` through `table` at or
  // before the end, walking down the row by delay from `position`.
  auto pushDeliveries = [&](int32_t ref, int32_t table, int32_t position) {
    const NCoreRecordedSpike &spike = record.spikes[ref];
    const NCoreImageSynapses &synapses = image.synapses[table];
    int32_t core = image.blocks[synapses.post].core;
    if (synapses.delayTicks.empty()) {
      push({spike.tick, kDelivery, 0, ref, table, -1}, core);
      return;
    }
    int32_t preSize = image.blocks[synapses.pre].size;
    int32_t postSize = image.blocks[synapses.post].size;
    const int32_t *rows =
        rowsByDelay[table].data() + size_t(spike.neuron) * postSize;
    for (; position >= 0; --position) {
      int32_t delay =
          synapses.delayTicks[size_t(rows[position]) * preSize + spike.neuron];
      if (spike.tick + delay <= duration) {
        push({spike.tick + delay, kDelivery, 0, ref, table, position}, core);
        return;
      }
    }
  };

  for (size_t ref = 0; ref < record.spikes.size(); ++ref) {
    const NCoreRecordedSpike &spike = record.spikes[ref];
    const NCoreImageBlock &block = image.blocks[spike.block];
    bool lif = isLIF(spike.block);
    perCore[block.core].traffic.read(backwardPhase, MemoryClass::Record,
                                     lif ? spikeRecordBytes : inputRecordBytes);
    if (spike.tick > duration || spike.neuron < 0 || spike.neuron >= block.size)
      return "the spike record does not belong to this image";
    if (lif)
      push({spike.tick, kJump, 0, static_cast<int32_t>(ref), 0, -1},
           block.core);
    for (int32_t table : tablesFrom[spike.block]) {
      int32_t postSize = image.blocks[image.synapses[table].post].size;
      pushDeliveries(static_cast<int32_t>(ref), table, postSize - 1);
    }
  }

  // One synapse of an arrival at `tick`: the weight and delay gradients,
  // and the synapse's share of dL/dt of the spike.
  auto deliver = [&](int32_t table, int32_t row, int32_t pre, int32_t tick,
                     NCoreCounters &core) -> Wide {
    const NCoreImageSynapses &synapses = image.synapses[table];
    int32_t post = synapses.post;
    size_t entry = size_t(row) * image.blocks[synapses.pre].size + pre;
    advance(post, row, tick);
    Wide i = adjointI[post][row];
    Wide v = adjointV[post][row];
    int64_t &weightGradient = gradients.weight[table][entry];
    weightGradient = accumulator(Wide(weightGradient) +
                                 roundShift(i * synapses.scale, gradientShift));
    // dL/ds = w scale (aI dt/tau_s - aV dt/tau_m), one rounding at the end.
    Wide timeShare = roundShift(Wide(synapses.weight[entry]) * synapses.scale *
                                    (i * invTauSyn[post] - v * invTauMem[post]),
                                20);
    ++core.traffic.synapticOps[static_cast<int>(backwardPhase)];
    core.traffic.read(backwardPhase, MemoryClass::Synapse,
                      chip.synapseEntryBytes(!synapses.delayTicks.empty()));
    core.traffic.read(backwardPhase, MemoryClass::Grad, gradientBytes);
    core.traffic.write(backwardPhase, MemoryClass::Grad, gradientBytes);
    if (!synapses.delayTicks.empty()) {
      int64_t &delayGradient = gradients.delay[table][entry];
      delayGradient = accumulator(Wide(delayGradient) +
                                  roundShift(timeShare, gradientShift));
      core.traffic.read(backwardPhase, MemoryClass::Grad, gradientBytes);
      core.traffic.write(backwardPhase, MemoryClass::Grad, gradientBytes);
    }
    return timeShare;
  };

  while (!queue.empty()) {
    BackwardEvent event = queue.top();
    queue.pop();
    const NCoreRecordedSpike &spike = record.spikes[event.ref];
    const NCoreImageBlock &source = image.blocks[spike.block];

    if (event.kind == kDelivery) {
      const NCoreImageSynapses &synapses = image.synapses[event.table];
      NCoreCounters &core = perCore[image.blocks[synapses.post].core];
      core.traffic.read(backwardPhase, MemoryClass::Queue, queueEntryBytes);
      int32_t postSize = image.blocks[synapses.post].size;
      Wide timeSum = 0;
      if (event.position < 0) {
        for (int32_t row = 0; row < postSize; ++row)
          timeSum += deliver(event.table, row, spike.neuron, event.tick, core);
      } else {
        int32_t preSize = source.size;
        const int32_t *rows =
            rowsByDelay[event.table].data() + size_t(spike.neuron) * postSize;
        int32_t position = event.position;
        auto arrival = [&](int32_t at) {
          return spike.tick +
                 synapses.delayTicks[size_t(rows[at]) * preSize + spike.neuron];
        };
        do {
          timeSum += deliver(event.table, rows[position], spike.neuron,
                             event.tick, core);
          --position;
        } while (position >= 0 && arrival(position) == event.tick);
        if (position >= 0)
          pushDeliveries(event.ref, event.table, position);
      }
      if (isLIF(spike.block)) {
        timeGradient[event.ref] =
            adjoint(Wide(timeGradient[event.ref]) + timeSum);
        // The partial sum travels back to the spike's core.
        if (image.blocks[synapses.post].core != source.core) {
          int32_t hops = static_cast<int32_t>(
              chip.hops(image.blocks[synapses.post].core, source.core));
          ++core.spikeMessages;
          core.meshHops += hops;
          core.traffic.write(backwardPhase, MemoryClass::Noc,
                             messageBytes * hops);
          perCore[source.core].traffic.read(backwardPhase, MemoryClass::Noc,
                                            messageBytes);
        }
        perCore[source.core].traffic.read(backwardPhase, MemoryClass::Record,
                                          adjointBytes);
        perCore[source.core].traffic.write(backwardPhase, MemoryClass::Record,
                                           adjointBytes);
      }
      continue;
    }

    // The jump at the spike.
    NCoreCounters &core = perCore[source.core];
    core.traffic.read(backwardPhase, MemoryClass::Queue, queueEntryBytes);
    int32_t block = spike.block;
    int32_t neuron = spike.neuron;
    advance(block, neuron, spike.tick);
    Wide timeTerm =
        roundShift(Wide(tauMemTicks[block]) * timeGradient[event.ref], 16);
    Wide numerator =
        Wide(adjointV[block][neuron]) * (spike.current - source.reset) -
        timeTerm;
    // On the tick grid a neuron can be recorded past the top of a grazing
    // crossing, where I - theta is tiny or negative and the division would
    // blow the adjoint up; the slope is kept at least theta / 64.
    int64_t slope = spike.current - source.threshold[neuron];
    int64_t flattest = std::max<int64_t>(1, source.threshold[neuron] >> 6);
    if (slope < flattest) {
      slope = flattest;
      ++stats.flatCrossings;
    }
    int64_t before = adjoint(roundDivide(numerator, slope));
    adjointV[block][neuron] = before;
    int64_t &thresholdGradient = gradients.threshold[block][neuron];
    thresholdGradient = accumulator(Wide(thresholdGradient) -
                                    roundShift(before, gradientShift));
    core.traffic.read(backwardPhase, MemoryClass::Record, adjointBytes);
    core.traffic.read(backwardPhase, MemoryClass::Grad, gradientBytes);
    core.traffic.write(backwardPhase, MemoryClass::Grad, gradientBytes);
    core.traffic.write(backwardPhase, MemoryClass::State, adjointBytes);
  }
  return "";
}

//===----------------------------------------------------------------------===//
// The host's side: parameters in and gradients out
//===----------------------------------------------------------------------===//

bool mapNCoreImage(const NCoreImage &image, const Network &network,
                   NCoreParameterMap &map, std::string &error) {
  map = NCoreParameterMap();
  for (const NCoreImagePopulation &population : image.populations) {
    int32_t index = network.findPopulation(population.name);
    if (index < 0 || network.populations[index].size != population.size ||
        network.populations[index].kind != population.kind) {
      error = "the image's population '" + population.name +
              "' has no match of the same kind and size in network '" +
              network.name + "'";
      return false;
    }
    map.population.push_back(index);
  }
  for (const NCoreImageSynapses &table : image.synapses) {
    auto found =
        std::find_if(network.projections.begin(), network.projections.end(),
                     [&](const Projection &projection) {
                       return projection.name == table.projection;
                     });
    if (found == network.projections.end()) {
      error = "the image's synapses of projection '" + table.projection +
              "' have no match in network '" + network.name + "'";
      return false;
    }
    const Projection &projection = *found;
    int32_t pre = image.blocks[table.pre].population;
    int32_t post = image.blocks[table.post].population;
    if (map.population[pre] != projection.pre ||
        map.population[post] != projection.post) {
      error = "projection '" + table.projection +
              "' connects other populations in the image than in the network";
      return false;
    }
    if (table.delayTicks.empty() && projection.learnDelay) {
      error = "projection '" + table.projection +
              "' learns delays, but the image has no delay table for it";
      return false;
    }
    map.projection.push_back(
        static_cast<int32_t>(found - network.projections.begin()));
  }
  return true;
}

/// Calls `visit(entry, index)` for every entry of `table` with the index of
/// the same synapse in its network projection ([post][pre] of the whole
/// populations).
template <typename Visit>
static void forEachSynapse(const NCoreImage &image,
                           const NCoreImageSynapses &table, Visit visit) {
  const NCoreImageBlock &pre = image.blocks[table.pre];
  const NCoreImageBlock &post = image.blocks[table.post];
  size_t preSize = image.populations[pre.population].size;
  for (int32_t row = 0; row < post.size; ++row)
    for (int32_t column = 0; column < pre.size; ++column)
      visit(size_t(row) * pre.size + column,
            size_t(post.offset + row) * preSize + pre.offset + column);
}

uint64_t requantizeNCoreImage(NCoreImage &image, const Network &network,
                              const NCoreParameterMap &map) {
  const NCoreTarget &chip = image.target;
  const int64_t weightMax = (int64_t(1) << (chip.weightBits - 1)) - 1;
  const int64_t delayMax = (int64_t(1) << chip.delayBits) - 1;
  const int64_t stateMax = (int64_t(1) << (chip.stateBits - 1)) - 1;
  uint64_t saturated = 0;
  for (size_t index = 0; index < image.synapses.size(); ++index) {
    NCoreImageSynapses &table = image.synapses[index];
    const Projection &projection = network.projections[map.projection[index]];
    double step = table.scale * image.blocks[table.post].stateLsb;
    forEachSynapse(image, table, [&](size_t entry, size_t synapse) {
      int64_t unit = std::llround(projection.weight[synapse] / step);
      if (std::llabs(unit) > weightMax) {
        unit = std::clamp(unit, -weightMax, weightMax);
        ++saturated;
      }
      table.weight[entry] = static_cast<int16_t>(unit);
      if (table.delayTicks.empty())
        return;
      double delay =
          projection.delayMs.empty() ? 0.0 : projection.delayMs[synapse];
      int64_t tick = std::llround(std::max(0.0, delay) / chip.timeStepMs);
      if (tick > delayMax) {
        tick = delayMax;
        ++saturated;
      }
      table.delayTicks[entry] = static_cast<uint16_t>(tick);
    });
  }
  for (NCoreImageBlock &block : image.blocks) {
    const Population &population =
        network.populations[map.population[block.population]];
    for (int32_t neuron = 0;
         neuron < static_cast<int32_t>(block.threshold.size()); ++neuron) {
      int64_t unit = std::max<int64_t>(
          1, std::llround(population.threshold[block.offset + neuron] /
                          block.stateLsb));
      if (unit > stateMax) {
        unit = stateMax;
        ++saturated;
      }
      block.threshold[neuron] = static_cast<int32_t>(unit);
    }
  }
  return saturated;
}

Network dequantizeNCoreImage(const NCoreImage &image, const Network &network,
                             const NCoreParameterMap &map) {
  Network result = network;
  result.durationMs = image.durationTicks * image.target.timeStepMs;
  for (size_t index = 0; index < image.synapses.size(); ++index) {
    const NCoreImageSynapses &table = image.synapses[index];
    Projection &projection = result.projections[map.projection[index]];
    double step = table.scale * image.blocks[table.post].stateLsb;
    if (!table.delayTicks.empty() && projection.delayMs.empty())
      projection.delayMs.assign(projection.weight.size(), 0.0);
    forEachSynapse(image, table, [&](size_t entry, size_t synapse) {
      projection.weight[synapse] = table.weight[entry] * step;
      if (!table.delayTicks.empty())
        projection.delayMs[synapse] =
            table.delayTicks[entry] * image.target.timeStepMs;
    });
  }
  for (const NCoreImageBlock &block : image.blocks) {
    Population &population =
        result.populations[map.population[block.population]];
    if (population.kind == PopulationKind::Source)
      continue;
    population.reset = block.reset * block.stateLsb;
    for (size_t neuron = 0; neuron < block.threshold.size(); ++neuron)
      population.threshold[block.offset + neuron] =
          block.threshold[neuron] * block.stateLsb;
  }
  return result;
}

void addNCoreGradients(const NCoreImage &image, const NCoreParameterMap &map,
                       const NCoreGradients &accumulated,
                       const NCoreLearningFormat &format,
                       Gradients &gradients) {
  const double unit = std::ldexp(1.0, -format.gradientFractionBits);
  const double dt = image.target.timeStepMs;
  for (size_t index = 0; index < image.synapses.size(); ++index) {
    const NCoreImageSynapses &table = image.synapses[index];
    int32_t projection = map.projection[index];
    // dL/dw = dL/dunit / (scale lsb); dL/dd = dL/dtick / dt.
    double perWeight = unit / (table.scale * image.blocks[table.post].stateLsb);
    double perDelay = unit / dt;
    std::vector<double> &weight = gradients.weight[projection];
    std::vector<double> &delay = gradients.delay[projection];
    forEachSynapse(image, table, [&](size_t entry, size_t synapse) {
      weight[synapse] += accumulated.weight[index][entry] * perWeight;
      if (!table.delayTicks.empty())
        delay[synapse] += accumulated.delay[index][entry] * perDelay;
    });
  }
  for (size_t index = 0; index < image.blocks.size(); ++index) {
    const NCoreImageBlock &block = image.blocks[index];
    if (block.threshold.empty())
      continue;
    std::vector<double> &threshold =
        gradients.threshold[map.population[block.population]];
    double perThreshold = unit / block.stateLsb;
    for (size_t neuron = 0; neuron < block.threshold.size(); ++neuron)
      threshold[block.offset + neuron] +=
          accumulated.threshold[index][neuron] * perThreshold;
  }
}

//===----------------------------------------------------------------------===//
// Time-stepped BPTT on the same chip
//===----------------------------------------------------------------------===//

void addNCoreTimeStepTraining(const NCoreImage &image,
                              const NCoreForwardRecord &record,
                              const std::vector<NCoreCounters> &forward,
                              const Network &network,
                              const NCoreParameterMap &map,
                              const NCoreLearningFormat &format,
                              std::vector<NCoreCounters> &perCore) {
  const NCoreTarget &chip = image.target;
  const uint64_t stateBytes = (chip.stateBits + 7) / 8;
  const uint64_t timeBytes = (chip.timeBits + 7) / 8;
  const uint64_t adjointBytes = (format.adjointBits + 7) / 8;
  const uint64_t gradientBytes = (format.gradientBits + 7) / 8;
  const uint64_t messageBytes = timeBytes + 2 + adjointBytes;
  const uint64_t ticks = uint64_t(image.durationTicks) + 1;
  constexpr Phase forwardPhase = Phase::Forward;
  constexpr Phase backwardPhase = Phase::Backward;
  perCore.resize(image.cores.size());

  // Forward: the chip's deliveries, messages and queue as counted; the
  // neuron state and the stored traces per tick instead of per event.
  for (size_t core = 0; core < forward.size(); ++core) {
    NCoreCounters &into = perCore[core];
    const NCoreCounters &from = forward[core];
    const int phase = static_cast<int>(forwardPhase);
    for (MemoryClass memoryClass :
         {MemoryClass::Synapse, MemoryClass::Queue, MemoryClass::Noc}) {
      int klass = static_cast<int>(memoryClass);
      into.traffic.bytesRead[phase][klass] +=
          from.traffic.bytesRead[phase][klass];
      into.traffic.bytesWritten[phase][klass] +=
          from.traffic.bytesWritten[phase][klass];
    }
    into.traffic.synapticOps[phase] += from.traffic.synapticOps[phase];
    into.spikeMessages += from.spikeMessages;
    into.meshHops += from.meshHops;
  }
  std::vector<uint64_t> spikesOf(image.blocks.size(), 0);
  for (const NCoreRecordedSpike &spike : record.spikes)
    ++spikesOf[spike.block];

  for (size_t index = 0; index < image.blocks.size(); ++index) {
    const NCoreImageBlock &block = image.blocks[index];
    const Population &population =
        network.populations[map.population[block.population]];
    if (population.kind != PopulationKind::LIF)
      continue;
    NCoreCounters &core = perCore[block.core];
    uint64_t updates = uint64_t(block.size) * ticks;
    // Forward: (V, I) read and written, V before the spike check and the
    // spike flag stored, every tick.
    core.neuronUpdates += 2 * updates;
    core.traffic.read(forwardPhase, MemoryClass::State,
                      updates * 2 * stateBytes);
    core.traffic.write(forwardPhase, MemoryClass::State,
                       updates * 2 * stateBytes);
    core.traffic.write(forwardPhase, MemoryClass::Record,
                       updates * (stateBytes + 1));
    // Backward: the trace read back, (aV, aI) read and written, the
    // surrogate's threshold gradient, every tick.
    core.traffic.read(backwardPhase, MemoryClass::Record,
                      updates * (stateBytes + 1));
    core.traffic.read(backwardPhase, MemoryClass::State,
                      updates * 2 * adjointBytes);
    core.traffic.write(backwardPhase, MemoryClass::State,
                       updates * 2 * adjointBytes);
    if (population.learnThreshold) {
      core.traffic.read(backwardPhase, MemoryClass::Grad,
                        updates * gradientBytes);
      core.traffic.write(backwardPhase, MemoryClass::Grad,
                         updates * gradientBytes);
    }
  }

  for (size_t index = 0; index < image.synapses.size(); ++index) {
    const NCoreImageSynapses &table = image.synapses[index];
    const NCoreImageBlock &pre = image.blocks[table.pre];
    const NCoreImageBlock &post = image.blocks[table.post];
    const Projection &projection = network.projections[map.projection[index]];
    NCoreCounters &core = perCore[post.core];
    uint64_t entries = table.weight.size();
    bool preIsLIF =
        image.populations[pre.population].kind == PopulationKind::LIF;
    if (preIsLIF) {
      // The transposed delivery W^T aI for every presynaptic neuron, every
      // tick, and its sum sent to the presynaptic core.
      uint64_t macs = entries * ticks;
      core.traffic.synapticOps[static_cast<int>(backwardPhase)] += macs;
      core.traffic.read(backwardPhase, MemoryClass::Synapse,
                        macs *
                            chip.synapseEntryBytes(!table.delayTicks.empty()));
      uint64_t sums = uint64_t(pre.size) * ticks;
      perCore[pre.core].traffic.read(backwardPhase, MemoryClass::State,
                                     sums * adjointBytes);
      perCore[pre.core].traffic.write(backwardPhase, MemoryClass::State,
                                      sums * adjointBytes);
      int64_t hops =
          chip.hops(image.cores[post.core].index, image.cores[pre.core].index);
      if (hops > 0) {
        core.spikeMessages += sums;
        core.meshHops += sums * hops;
        core.traffic.write(backwardPhase, MemoryClass::Noc,
                           sums * messageBytes * hops);
        perCore[pre.core].traffic.read(backwardPhase, MemoryClass::Noc,
                                       sums * messageBytes);
      }
    }
    // dL/dw += aI S: once per presynaptic spike and target.
    if (projection.learnWeight) {
      uint64_t arrivals = spikesOf[table.pre] * uint64_t(post.size);
      core.traffic.read(backwardPhase, MemoryClass::Grad,
                        arrivals * gradientBytes);
      core.traffic.write(backwardPhase, MemoryClass::Grad,
                         arrivals * gradientBytes);
    }
  }
}

//===----------------------------------------------------------------------===//
// The chip as a batch runner
//===----------------------------------------------------------------------===//

NCoreBatchRunner::NCoreBatchRunner(NCoreImage image, const Network &network,
                                   const NCoreLearningFormat &format)
    : image(std::move(image)), format(format) {
  if (std::string problem = this->image.validate(); !problem.empty()) {
    setupError = "the core image is not valid: " + problem;
    return;
  }
  if (!mapNCoreImage(this->image, network, map, setupError))
    return;
  NCoreLearner learner(this->image, format);
  setupError = learner.check();
}

namespace {
/// What one fixed block of consecutive samples adds to a batch.
struct ChipBlock {
  double lossSum = 0;
  int32_t correct = 0;
  NCoreGradients gradients;
  std::vector<NCoreCounters> perCore;
  /// What time-stepped BPTT would have done for the same samples.
  std::vector<NCoreCounters> timeStep;
  NCoreLearningStats stats;
  std::string error;
  bool done = false;
};
} // namespace

BatchResult NCoreBatchRunner::operator()(const Network &network,
                                         const std::vector<Sample> &batch,
                                         bool computeGradients, int threads,
                                         const SimulationOptions &options) {
  BatchResult result;
  if (!setupError.empty()) {
    result.error = setupError;
    return result;
  }
  if (threads < 1) {
    result.error =
        "threads must be at least 1 (got " + std::to_string(threads) + ")";
    return result;
  }
  requantized = requantizeNCoreImage(image, network, map);
  const double dt = image.target.timeStepMs;

  // Samples in fixed blocks of four, reduced in block order: the same sums
  // whatever the thread count.
  constexpr size_t kBlockSize = 4;
  size_t numBlocks = (batch.size() + kBlockSize - 1) / kBlockSize;
  std::vector<ChipBlock> blocks(numBlocks);
  std::mutex mutex;
  size_t nextBlock = 0;
  auto worker = [&]() {
    NCoreSimulator simulator(image);
    simulator.maxSpikesPerNeuron = options.maxSpikesPerNeuron;
    NCoreLearner learner(image, format);
    NCoreForwardRecord record;
    NCoreSampleResult sampleResult;
    std::vector<NCoreCounters> sampleForward;
    std::vector<double> outputs;
    std::vector<double> errors;
    while (true) {
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (nextBlock >= numBlocks)
          return;
        index = nextBlock++;
      }
      ChipBlock &block = blocks[index];
      block.perCore.resize(image.cores.size());
      if (computeGradients) {
        block.gradients = NCoreGradients::zerosLike(image);
        block.timeStep.resize(image.cores.size());
      }
      size_t end = std::min(batch.size(), (index + 1) * kBlockSize);
      for (size_t sample = index * kBlockSize; sample < end; ++sample) {
        sampleForward.assign(image.cores.size(), NCoreCounters());
        std::string error =
            simulator.run(batch[sample], sampleResult, sampleForward,
                          computeGradients ? &record : nullptr);
        for (size_t core = 0; core < sampleForward.size(); ++core)
          block.perCore[core] += sampleForward[core];
        if (error.empty()) {
          outputs.clear();
          for (int64_t tick : sampleResult.outputs)
            outputs.push_back(tick < 0
                                  ? network.durationMs
                                  : std::min(network.durationMs, tick * dt));
          block.lossSum += lossAndErrors(network, outputs, batch[sample].label,
                                         &errors, SilentOutputError::Drop);
          if (batch[sample].label >= 0 &&
              sampleResult.prediction == batch[sample].label)
            ++block.correct;
          if (computeGradients) {
            error = learner.backward(record, errors, block.gradients,
                                     block.perCore, block.stats);
            addNCoreTimeStepTraining(image, record, sampleForward, network, map,
                                     format, block.timeStep);
          }
        }
        if (!error.empty()) {
          block.error = "sample " + std::to_string(sample) + ": " + error;
          break;
        }
      }
    }
  };
  std::vector<std::thread> workers;
  size_t numWorkers = std::min<size_t>(static_cast<size_t>(threads),
                                       std::max<size_t>(numBlocks, 1));
  for (size_t index = 1; index < numWorkers; ++index)
    workers.emplace_back(worker);
  worker();
  for (std::thread &thread : workers)
    thread.join();

  std::vector<NCoreCounters> &counters =
      computeGradients ? training : evaluation;
  counters.resize(image.cores.size());
  timeStepTraining.resize(image.cores.size());
  NCoreGradients total;
  if (computeGradients)
    total = NCoreGradients::zerosLike(image);
  Saturate accumulator{(int64_t(1) << (format.gradientBits - 1)) - 1,
                       learningStats.saturations};
  auto addInto = [&](std::vector<std::vector<int64_t>> &into,
                     const std::vector<std::vector<int64_t>> &from) {
    for (size_t table = 0; table < into.size(); ++table)
      for (size_t entry = 0; entry < into[table].size(); ++entry)
        into[table][entry] =
            accumulator(Wide(into[table][entry]) + from[table][entry]);
  };
  for (ChipBlock &block : blocks) {
    if (result.error.empty() && !block.error.empty())
      result.error = block.error;
    result.lossSum += block.lossSum;
    result.correct += block.correct;
    learningStats += block.stats;
    for (size_t core = 0; core < block.perCore.size(); ++core) {
      counters[core] += block.perCore[core];
      result.traffic += block.perCore[core].traffic;
    }
    for (size_t core = 0; core < block.timeStep.size(); ++core)
      timeStepTraining[core] += block.timeStep[core];
    if (computeGradients) {
      addInto(total.weight, block.gradients.weight);
      addInto(total.delay, block.gradients.delay);
      addInto(total.threshold, block.gradients.threshold);
    }
  }
  if (!computeGradients) {
    evaluatedSamples += batch.size();
    return result;
  }
  trainedSamples += batch.size();

  // The update: the host reads every learned accumulator, clears it and
  // writes the new parameter back.
  const NCoreTarget &chip = image.target;
  const uint64_t gradientBytes = (format.gradientBits + 7) / 8;
  const uint64_t stateBytes = (chip.stateBits + 7) / 8;
  constexpr Phase update = Phase::Update;
  // Both methods update the same parameters the same way.
  for (std::vector<NCoreCounters> *into : {&counters, &timeStepTraining}) {
    for (size_t index = 0; index < image.synapses.size(); ++index) {
      const NCoreImageSynapses &table = image.synapses[index];
      const Projection &projection = network.projections[map.projection[index]];
      bool delays = projection.learnDelay && !table.delayTicks.empty();
      if (!projection.learnWeight && !delays)
        continue;
      uint64_t entries = table.weight.size();
      uint64_t accumulators =
          (projection.learnWeight ? 1 : 0) + (delays ? 1 : 0);
      NCoreCounters &core = (*into)[image.blocks[table.post].core];
      core.learningUpdates += entries;
      core.traffic.read(update, MemoryClass::Grad,
                        entries * accumulators * gradientBytes);
      core.traffic.write(update, MemoryClass::Grad,
                         entries * accumulators * gradientBytes);
      core.traffic.write(update, MemoryClass::Synapse,
                         entries *
                             chip.synapseEntryBytes(!table.delayTicks.empty()));
    }
    for (const NCoreImageBlock &block : image.blocks) {
      const Population &population =
          network.populations[map.population[block.population]];
      if (block.threshold.empty() || !population.learnThreshold)
        continue;
      NCoreCounters &core = (*into)[block.core];
      core.learningUpdates += block.size;
      core.traffic.read(update, MemoryClass::Grad, block.size * gradientBytes);
      core.traffic.write(update, MemoryClass::Grad, block.size * gradientBytes);
      core.traffic.write(update, MemoryClass::State, block.size * stateBytes);
    }
  }
  result.gradients = Gradients::zerosLike(network);
  addNCoreGradients(image, map, total, format, result.gradients);
  return result;
}

} // namespace snnc::runtime
