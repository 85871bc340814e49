//===- EventProp.cpp - Exact event-driven forward pass and adjoint --------===//
//
// The forward pass keeps every neuron's state lazily: a neuron is advanced in
// closed form only when something reaches it, and a threshold crossing is
// predicted (and queued) only for neurons that could possibly cross. The
// backward pass replays the recorded spikes in reverse order and carries the
// adjoint state (dL/dV, dL/dI) through the transposed propagators.
//
// Adjoint convention. This file works with aV = dL/dV(t) and aI = dL/dI(t),
// the sensitivities of the loss to the state at time t. They relate to the
// lambda_V, lambda_I of DESIGN.md section 3 by lambda_V = -aV / tau_m and
// lambda_I = -aI / tau_s, under which the formulas there become
//
//   delivery of w at s = t_k + d to j:  dL/dw += aI_j(s),
//                                       dL/ds  = w (aI_j/tau_s - aV_j/tau_m)
//   spike k of n (V' = dV/dt, G = dL/dt_k through everything it causes):
//     aV^- = (aV^+ V'^+ - G) / V'^-,  dL/dtheta_n += -aV^-,
//   with V'^- = (I - theta)/tau_m and V'^+ = (I - reset)/tau_m.
//
//===----------------------------------------------------------------------===//

#include "runtime/EventProp.h"

#include "runtime/Crossing.h"
#include "runtime/LIFDynamics.h"
#include "runtime/Loss.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <queue>
#include <sstream>
#include <thread>

namespace snnc::runtime {

static constexpr double kInfinity = std::numeric_limits<double>::infinity();

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

Gradients Gradients::zerosLike(const Network &network) {
  Gradients gradients;
  for (const Projection &projection : network.projections) {
    gradients.weight.emplace_back(projection.weight.size(), 0.0);
    gradients.delay.emplace_back(projection.weight.size(), 0.0);
  }
  for (const Population &population : network.populations) {
    size_t size = population.kind == PopulationKind::LIF
                      ? static_cast<size_t>(std::max(population.size, 0))
                      : 0;
    gradients.threshold.emplace_back(size, 0.0);
  }
  return gradients;
}

/// Adds `from` into `into` element by element; shapes must match.
static void addInto(std::vector<std::vector<double>> &into,
                    const std::vector<std::vector<double>> &from) {
  for (size_t row = 0; row < into.size() && row < from.size(); ++row) {
    size_t count = std::min(into[row].size(), from[row].size());
    for (size_t index = 0; index < count; ++index)
      into[row][index] += from[row][index];
  }
}

Gradients &Gradients::operator+=(const Gradients &other) {
  addInto(weight, other.weight);
  addInto(delay, other.delay);
  addInto(threshold, other.threshold);
  return *this;
}

void Gradients::scale(double factor) {
  for (auto *group : {&weight, &delay, &threshold}) {
    for (std::vector<double> &values : *group) {
      for (double &value : values)
        value *= factor;
    }
  }
}

//===----------------------------------------------------------------------===//
// Prepared tables
//===----------------------------------------------------------------------===//

std::string prepareNetwork(const Network &network, PreparedNetwork &prepared) {
  if (std::string error = network.validate(); !error.empty())
    return error;
  prepared = PreparedNetwork();
  prepared.network = &network;
  prepared.outgoing.resize(network.populations.size());

  std::vector<int32_t> order;
  for (size_t index = 0; index < network.projections.size(); ++index) {
    const Projection &projection = network.projections[index];
    PreparedProjection table;
    table.preSize = network.populations[projection.pre].size;
    table.postSize = network.populations[projection.post].size;
    table.hasDelays = !projection.delayMs.empty();
    size_t count = projection.weight.size();
    table.weight.resize(count);
    if (table.hasDelays) {
      table.delayMs.resize(count);
      table.target.resize(count);
    }

    // Transpose [post][pre] into rows per presynaptic neuron; with delays,
    // order each row by arrival so a spike walks it with one cursor.
    order.resize(table.postSize);
    for (int32_t pre = 0; pre < table.preSize; ++pre) {
      std::iota(order.begin(), order.end(), 0);
      if (table.hasDelays) {
        std::stable_sort(
            order.begin(), order.end(), [&](int32_t left, int32_t right) {
              return projection.delayMs[left * table.preSize + pre] <
                     projection.delayMs[right * table.preSize + pre];
            });
      }
      size_t rowStart = static_cast<size_t>(pre) * table.postSize;
      for (int32_t position = 0; position < table.postSize; ++position) {
        int32_t post = order[position];
        size_t synapse = static_cast<size_t>(post) * table.preSize + pre;
        table.weight[rowStart + position] = projection.weight[synapse];
        if (table.hasDelays) {
          table.delayMs[rowStart + position] = projection.delayMs[synapse];
          table.target[rowStart + position] = post;
        }
      }
    }
    prepared.projections.push_back(std::move(table));
    prepared.outgoing[projection.pre].push_back(static_cast<int32_t>(index));
  }
  return "";
}

namespace {

//===----------------------------------------------------------------------===//
// Events and their order
//===----------------------------------------------------------------------===//

/// At equal times, events run in this order in the forward pass and in the
/// reverse order in the backward pass. A voltage maximum that sits at an
/// input's arrival belongs before that input; the deliveries of a spike
/// without delay happen inside the spike's own event.
enum EventKind : uint32_t {
  kMaxVoltage = 0,
  kSpike = 1,
  kRelease = 2,
  kDelivery = 3,
};

struct Event {
  double timeMs = 0;
  uint32_t kind = 0;
  /// Population of a spike, release or maximum; projection of a delivery.
  int32_t group = 0;
  /// Neuron, input channel, or presynaptic neuron of a delivery.
  int32_t index = 0;
  /// Forward spikes: the prediction's version. Otherwise the index of the
  /// spike record or sorted input that caused the event.
  int32_t ref = 0;
  /// Deliveries: position in the presynaptic row.
  int32_t cursor = 0;
};

/// The deterministic total order of events: time first, then fixed fields.
static bool precedes(const Event &left, const Event &right) {
  if (left.timeMs != right.timeMs)
    return left.timeMs < right.timeMs;
  if (left.kind != right.kind)
    return left.kind < right.kind;
  if (left.group != right.group)
    return left.group < right.group;
  if (left.index != right.index)
    return left.index < right.index;
  if (left.ref != right.ref)
    return left.ref < right.ref;
  return left.cursor < right.cursor;
}

struct EarliestOnTop {
  bool operator()(const Event &left, const Event &right) const {
    return precedes(right, left);
  }
};

struct LatestOnTop {
  bool operator()(const Event &left, const Event &right) const {
    return precedes(left, right);
  }
};

constexpr uint64_t kEventBytes = sizeof(Event);
constexpr uint64_t kNeuronStateBytes = 3 * sizeof(double);

struct SortedInput {
  double timeMs = 0;
  int32_t population = 0;
  int32_t channel = 0;
};

/// Checks the sample's input spikes against `network` and sorts them by
/// (time, population, channel, original position).
static std::string sortInputs(const Network &network, const Sample &sample,
                              std::vector<SortedInput> &inputs) {
  inputs.clear();
  inputs.reserve(sample.spikes.size());
  for (size_t index = 0; index < sample.spikes.size(); ++index) {
    const InputSpike &spike = sample.spikes[index];
    if (std::string problem = checkInputSpike(network, spike, index);
        !problem.empty())
      return problem;
    inputs.push_back({spike.timeMs, spike.population, spike.channel});
  }
  std::stable_sort(inputs.begin(), inputs.end(),
                   [](const SortedInput &left, const SortedInput &right) {
                     if (left.timeMs != right.timeMs)
                       return left.timeMs < right.timeMs;
                     if (left.population != right.population)
                       return left.population < right.population;
                     return left.channel < right.channel;
                   });
  return "";
}

static std::string checkLabel(const Network &network, int32_t label) {
  if (label < 0 || network.loss.kind == LossKind::None)
    return "";
  int32_t size = network.populations[network.loss.population].size;
  if (label >= size)
    return "sample label " + std::to_string(label) +
           " is out of range for loss population '" +
           network.populations[network.loss.population].name + "' of size " +
           std::to_string(size);
  return "";
}

//===----------------------------------------------------------------------===//
// Forward pass
//===----------------------------------------------------------------------===//

/// The forward state of one LIF or LI population, one array per field.
struct NeuronStates {
  bool isLIF = false;
  bool hasRefractory = false;
  /// LIF neurons whose maximum voltage is recorded until their first spike
  /// (the label population under the silent-label penalty).
  bool trackMax = false;
  LIFConstants constants;
  double reset = 0;
  double refractoryMs = 0;
  const double *threshold = nullptr;
  std::vector<double> voltage;
  std::vector<double> current;
  /// The time the neuron's state refers to.
  std::vector<double> updatedAt;
  /// The membrane is clamped at reset while updatedAt < refractoryEnd.
  std::vector<double> refractoryEnd;
  /// Time of the queued predicted crossing, +infinity when none is queued.
  std::vector<double> pendingSpike;
  /// Below this current a neuron under its threshold cannot cross without
  /// further input (see predictCrossing); -infinity where no such bound
  /// exists.
  std::vector<double> crossingFloor;
  /// The largest value of the coupling term over all intervals: a unit
  /// current step raises V by at most this much (see predictCrossing).
  double peakCoupling = kInfinity;
  /// Bumped whenever a queued prediction becomes stale.
  std::vector<uint32_t> version;
  std::vector<int32_t> spikeCount;
  std::vector<double> maxVoltage;
  std::vector<double> maxTime;
  std::vector<double> maxSlope;
  PropagatorCache cache;
};

class ForwardPass {
public:
  ForwardPass(const PreparedNetwork &prepared, const SimulationOptions &options,
              ForwardResult &result, TrafficCounters &traffic)
      : prepared(prepared), network(*prepared.network), options(options),
        result(result), traffic(traffic) {}

  std::string run(const Sample &sample);

private:
  void initialise();
  void processInput(int32_t inputIndex);
  std::string processSpike(const Event &event);
  void processDelivery(const Event &event);
  void fanOut(int32_t population, int32_t neuron, double timeMs, int32_t ref);
  void deliverRow(int32_t projection, int32_t pre, double timeMs);
  void deliverOne(NeuronStates &states, int32_t population, int32_t neuron,
                  double weight, double timeMs);
  void advanceLIF(NeuronStates &states, int32_t neuron, double timeMs,
                  bool atEnd = false);
  void advanceLI(NeuronStates &states, int32_t neuron, double timeMs,
                 bool atEnd);
  void predictCrossing(NeuronStates &states, int32_t population, int32_t neuron,
                       double timeMs);
  void push(const Event &event) {
    queue.push(event);
    traffic.write(Phase::Forward, MemoryClass::Queue, kEventBytes);
  }
  double spikeTimeOf(int32_t population, int32_t ref) const {
    if (network.populations[population].kind == PopulationKind::Source)
      return inputs[ref].timeMs;
    return result.spikes[population][ref].timeMs;
  }
  void finish(int32_t label);

  const PreparedNetwork &prepared;
  const Network &network;
  const SimulationOptions &options;
  ForwardResult &result;
  TrafficCounters &traffic;
  std::vector<SortedInput> inputs;
  std::vector<NeuronStates> states;
  std::priority_queue<Event, std::vector<Event>, EarliestOnTop> queue;
  std::vector<int32_t> candidates;
  /// While an input is fanned out: the time of the next input of the same
  /// source when it falls within the sample, else +infinity. That input
  /// touches every neuron this one does, and re-predicts their crossings.
  double nextTouchMs = kInfinity;
  std::string error;
};

void ForwardPass::initialise() {
  size_t numPopulations = network.populations.size();
  states.resize(numPopulations);
  result = ForwardResult();
  result.spikes.resize(numPopulations);
  result.maxVoltage.resize(numPopulations);
  result.maxVoltageTimeMs.resize(numPopulations);
  result.maxVoltageSlope.resize(numPopulations);
  for (size_t index = 0; index < numPopulations; ++index) {
    const Population &population = network.populations[index];
    if (population.kind == PopulationKind::Source)
      continue;
    NeuronStates &state = states[index];
    size_t size = population.size;
    state.isLIF = population.kind == PopulationKind::LIF;
    state.constants =
        LIFConstants::make(population.tauMemMs, population.tauSynMs);
    state.constants.propagatorKernel = population.kernels.propagator;
    state.constants.crossingKernel = population.kernels.crossing;
    state.voltage.assign(size, 0.0);
    state.current.assign(size, 0.0);
    state.updatedAt.assign(size, 0.0);
    if (!state.isLIF) {
      // V(0) = 0 is the first candidate for the maximum.
      state.maxVoltage.assign(size, 0.0);
      state.maxTime.assign(size, 0.0);
      state.maxSlope.assign(size, 0.0);
      continue;
    }
    state.reset = population.reset;
    state.refractoryMs = population.refractoryMs;
    state.hasRefractory = population.refractoryMs > 0;
    state.threshold = population.threshold.data();
    state.refractoryEnd.assign(size, -kInfinity);
    state.pendingSpike.assign(size, kInfinity);
    state.version.assign(size, 0);
    state.spikeCount.assign(size, 0);
    state.crossingFloor.resize(size);
    state.trackMax = options.silentLabelPenalty > 0 &&
                     network.loss.kind == LossKind::TimeToFirstSpike &&
                     static_cast<int32_t>(index) == network.loss.population;
    if (state.trackMax) {
      state.maxVoltage.assign(size, 0.0);
      state.maxTime.assign(size, 0.0);
      state.maxSlope.assign(size, 0.0);
    }
    double peakTime = extremumOffset(state.constants, 0.0, 1.0);
    state.peakCoupling = std::isfinite(peakTime)
                             ? propagatorFor(state.constants, peakTime).coupling
                             : kInfinity;
    for (size_t neuron = 0; neuron < size; ++neuron) {
      double threshold = population.threshold[neuron];
      state.crossingFloor[neuron] = threshold > 0 ? threshold : -kInfinity;
    }
  }
}

std::string ForwardPass::run(const Sample &sample) {
  if (std::string problem = sortInputs(network, sample, inputs);
      !problem.empty())
    return problem;
  if (std::string problem = checkLabel(network, sample.label); !problem.empty())
    return problem;
  initialise();

  // Inputs arrive sorted, so they stream beside the queue instead of
  // passing through it; the same event order decides between the two.
  size_t nextInput = 0;
  double durationMs = network.durationMs;
  while (error.empty()) {
    bool haveInput =
        nextInput < inputs.size() && inputs[nextInput].timeMs < durationMs;
    bool haveEvent = !queue.empty() && queue.top().timeMs < durationMs;
    if (!haveInput && !haveEvent)
      break;
    if (haveInput) {
      const SortedInput &input = inputs[nextInput];
      Event inputEvent{input.timeMs,
                       kSpike,
                       input.population,
                       input.channel,
                       static_cast<int32_t>(nextInput),
                       0};
      if (!haveEvent || precedes(inputEvent, queue.top())) {
        processInput(static_cast<int32_t>(nextInput++));
        continue;
      }
    }
    Event event = queue.top();
    queue.pop();
    traffic.read(Phase::Forward, MemoryClass::Queue, kEventBytes);
    if (event.kind == kSpike)
      error = processSpike(event);
    else
      processDelivery(event);
  }
  if (!error.empty())
    return error;
  finish(sample.label);
  return "";
}

void ForwardPass::processInput(int32_t inputIndex) {
  const SortedInput &input = inputs[inputIndex];
  size_t next = static_cast<size_t>(inputIndex) + 1;
  nextTouchMs = next < inputs.size() &&
                        inputs[next].population == input.population &&
                        inputs[next].timeMs < network.durationMs
                    ? inputs[next].timeMs
                    : kInfinity;
  fanOut(input.population, input.channel, input.timeMs, inputIndex);
  nextTouchMs = kInfinity;
}

std::string ForwardPass::processSpike(const Event &event) {
  NeuronStates &state = states[event.group];
  int32_t neuron = event.index;
  if (static_cast<uint32_t>(event.ref) != state.version[neuron])
    return "";

  double timeMs = event.timeMs;
  advanceLIF(state, neuron, timeMs);
  std::vector<SpikeRecord> &records = result.spikes[event.group];
  records.push_back({neuron, timeMs, state.current[neuron]});
  traffic.write(Phase::Forward, MemoryClass::Record, sizeof(SpikeRecord));
  if (++state.spikeCount[neuron] > options.maxSpikesPerNeuron) {
    std::ostringstream message;
    message << "population '" << network.populations[event.group].name
            << "' neuron " << neuron << " fired more than "
            << options.maxSpikesPerNeuron << " spikes (at " << timeMs
            << " ms); raise SimulationOptions::maxSpikesPerNeuron or check "
               "the weights";
    return message.str();
  }

  state.voltage[neuron] = state.reset;
  state.pendingSpike[neuron] = kInfinity;
  ++state.version[neuron];
  if (state.hasRefractory)
    state.refractoryEnd[neuron] = timeMs + state.refractoryMs;
  traffic.write(Phase::Forward, MemoryClass::State, sizeof(double));

  // A strong current may carry the neuron across again without new input.
  predictCrossing(state, event.group, neuron, timeMs);
  fanOut(event.group, neuron, timeMs, static_cast<int32_t>(records.size() - 1));
  return "";
}

void ForwardPass::fanOut(int32_t population, int32_t neuron, double timeMs,
                         int32_t ref) {
  for (int32_t projection : prepared.outgoing[population]) {
    const PreparedProjection &table = prepared.projections[projection];
    if (!table.hasDelays) {
      deliverRow(projection, neuron, timeMs);
      continue;
    }
    size_t rowStart = static_cast<size_t>(neuron) * table.postSize;
    double arrival = timeMs + table.delayMs[rowStart];
    traffic.read(Phase::Forward, MemoryClass::Synapse, sizeof(double));
    if (arrival < network.durationMs)
      push({arrival, kDelivery, projection, neuron, ref, 0});
  }
}

void ForwardPass::processDelivery(const Event &event) {
  const PreparedProjection &table = prepared.projections[event.group];
  const Projection &projection = network.projections[event.group];
  NeuronStates &post = states[projection.post];
  double spikeTime = spikeTimeOf(projection.pre, event.ref);
  size_t rowStart = static_cast<size_t>(event.index) * table.postSize;

  // Deliver every synapse of the row that arrives at this same time.
  int32_t position = event.cursor;
  do {
    size_t synapse = rowStart + position;
    deliverOne(post, projection.post, table.target[synapse],
               table.weight[synapse], event.timeMs);
    ++position;
  } while (position < table.postSize &&
           spikeTime + table.delayMs[rowStart + position] == event.timeMs);
  int32_t delivered = position - event.cursor;
  traffic.synapticOps[static_cast<int>(Phase::Forward)] += delivered;
  traffic.read(Phase::Forward, MemoryClass::Synapse,
               delivered * (2 * sizeof(double) + sizeof(int32_t)));

  if (position < table.postSize) {
    double arrival = spikeTime + table.delayMs[rowStart + position];
    if (arrival < network.durationMs)
      push({arrival, kDelivery, event.group, event.index, event.ref, position});
  }
}

void ForwardPass::deliverRow(int32_t projection, int32_t pre, double timeMs) {
  const PreparedProjection &table = prepared.projections[projection];
  int32_t postIndex = network.projections[projection].post;
  NeuronStates &post = states[postIndex];
  const double *weight =
      table.weight.data() + static_cast<size_t>(pre) * table.postSize;
  int32_t count = table.postSize;
  traffic.synapticOps[static_cast<int>(Phase::Forward)] += count;
  traffic.read(Phase::Forward, MemoryClass::Synapse, count * sizeof(double));

  if (!post.isLIF || post.hasRefractory || post.trackMax) {
    for (int32_t neuron = 0; neuron < count; ++neuron)
      deliverOne(post, postIndex, neuron, weight[neuron], timeMs);
    return;
  }

  // The hot loop: every neuron was usually last touched at one shared time,
  // so the propagator comes from the population's cache, and the crossing
  // floor rules out most neurons without any exponential.
  double *voltage = post.voltage.data();
  double *current = post.current.data();
  double *updatedAt = post.updatedAt.data();
  const double *floor = post.crossingFloor.data();
  const double *pending = post.pendingSpike.data();
  candidates.clear();
  uint64_t updates = 0;
  for (int32_t neuron = 0; neuron < count; ++neuron) {
    double from = updatedAt[neuron];
    double newCurrent;
    if (from != timeMs) {
      const Propagator &step = post.cache.get(post.constants, from, timeMs);
      double oldCurrent = current[neuron];
      voltage[neuron] =
          step.memDecay * voltage[neuron] + step.coupling * oldCurrent;
      newCurrent = step.synDecay * oldCurrent + weight[neuron];
      updatedAt[neuron] = timeMs;
      ++updates;
    } else {
      newCurrent = current[neuron] + weight[neuron];
    }
    current[neuron] = newCurrent;
    if (newCurrent >= floor[neuron] || pending[neuron] != kInfinity)
      candidates.push_back(neuron);
  }
  traffic.read(Phase::Forward, MemoryClass::State,
               updates * kNeuronStateBytes +
                   (count - updates) * sizeof(double) +
                   count * 2 * sizeof(double));
  traffic.write(Phase::Forward, MemoryClass::State,
                updates * kNeuronStateBytes +
                    (count - updates) * sizeof(double));
  if (candidates.empty())
    return;
  if (!(nextTouchMs < kInfinity)) {
    for (int32_t neuron : candidates)
      predictCrossing(post, postIndex, neuron, timeMs);
    return;
  }

  // The next input reaches every neuron of this row again at nextTouchMs
  // and re-predicts from there. A neuron below theta that is still rising
  // at nextTouchMs rises monotonically until then (V has one extremum at
  // most) and so cannot cross before it; it needs no prediction now. The
  // propagator is the one the next advance will use, so V(nextTouchMs) is
  // the value it will compute; the margins keep rounding out of the test.
  Propagator ahead = propagatorFor(post.constants, nextTouchMs - timeMs);
  const double *threshold = post.threshold;
  uint32_t *version = post.version.data();
  double *pendingSpike = post.pendingSpike.data();
  for (int32_t neuron : candidates) {
    double v0 = voltage[neuron];
    double i0 = current[neuron];
    double v1 = ahead.memDecay * v0 + ahead.coupling * i0;
    double i1 = ahead.synDecay * i0;
    double margin =
        1e-9 * (std::fabs(threshold[neuron]) + std::fabs(v1) + std::fabs(i1));
    if (v0 < threshold[neuron] && v1 + margin < threshold[neuron] &&
        i1 > v1 + margin) {
      ++version[neuron];
      pendingSpike[neuron] = kInfinity;
      continue;
    }
    predictCrossing(post, postIndex, neuron, timeMs);
  }
}

void ForwardPass::deliverOne(NeuronStates &states, int32_t population,
                             int32_t neuron, double weight, double timeMs) {
  if (states.isLIF) {
    advanceLIF(states, neuron, timeMs);
    states.current[neuron] += weight;
    if (states.current[neuron] >= states.crossingFloor[neuron] ||
        states.pendingSpike[neuron] != kInfinity)
      predictCrossing(states, population, neuron, timeMs);
    return;
  }
  advanceLI(states, neuron, timeMs, /*atEnd=*/false);
  states.current[neuron] += weight;
}

void ForwardPass::advanceLIF(NeuronStates &states, int32_t neuron,
                             double timeMs, bool atEnd) {
  double from = states.updatedAt[neuron];
  if (from == timeMs)
    return;
  traffic.read(Phase::Forward, MemoryClass::State, kNeuronStateBytes);
  traffic.write(Phase::Forward, MemoryClass::State, kNeuronStateBytes);
  double oldCurrent = states.current[neuron];
  states.updatedAt[neuron] = timeMs;
  double release =
      states.hasRefractory ? states.refractoryEnd[neuron] : -kInfinity;
  if (release > from) {
    // Clamped at reset until the release, then free.
    const LIFConstants &constants = states.constants;
    if (timeMs <= release) {
      states.current[neuron] =
          oldCurrent * std::exp(-(timeMs - from) * constants.invTauSyn);
      states.voltage[neuron] = states.reset;
      return;
    }
    double releaseCurrent =
        oldCurrent * std::exp(-(release - from) * constants.invTauSyn);
    Propagator step = propagatorFor(constants, timeMs - release);
    states.voltage[neuron] =
        step.memDecay * states.reset + step.coupling * releaseCurrent;
    states.current[neuron] = step.synDecay * releaseCurrent;
    return;
  }
  if (states.trackMax && states.spikeCount[neuron] == 0) {
    // Not fired yet: the free trajectory of an LI neuron, maximum included.
    states.updatedAt[neuron] = from;
    advanceLI(states, neuron, timeMs, atEnd);
    return;
  }
  const Propagator &step = states.cache.get(states.constants, from, timeMs);
  states.voltage[neuron] =
      step.memDecay * states.voltage[neuron] + step.coupling * oldCurrent;
  states.current[neuron] = step.synDecay * oldCurrent;
}

void ForwardPass::advanceLI(NeuronStates &states, int32_t neuron, double timeMs,
                            bool atEnd) {
  double from = states.updatedAt[neuron];
  double elapsed = timeMs - from;
  if (!(elapsed > 0))
    return;
  traffic.read(Phase::Forward, MemoryClass::State, kNeuronStateBytes);
  traffic.write(Phase::Forward, MemoryClass::State, kNeuronStateBytes);
  const LIFConstants &constants = states.constants;
  double v0 = states.voltage[neuron];
  double i0 = states.current[neuron];

  // An interior maximum has dV/dt = 0, so its time does not matter to the
  // gradient.
  if (i0 > v0) {
    double peak = extremumOffset(constants, v0, i0);
    if (peak > 0 && peak < elapsed) {
      double peakVoltage = freeVoltage(constants, v0, i0, peak);
      if (peakVoltage > states.maxVoltage[neuron]) {
        states.maxVoltage[neuron] = peakVoltage;
        states.maxTime[neuron] = from + peak;
        states.maxSlope[neuron] = 0;
      }
    }
  }

  const Propagator &step = states.cache.get(constants, from, timeMs);
  double v1 = step.memDecay * v0 + step.coupling * i0;
  double i1 = step.synDecay * i0;
  // Still rising at the end: the maximum so far is here. If the input that
  // arrives now turns V downward, it stays a kink whose time is the input's.
  if (i1 > v1 && v1 > states.maxVoltage[neuron]) {
    states.maxVoltage[neuron] = v1;
    states.maxTime[neuron] = timeMs;
    states.maxSlope[neuron] = atEnd ? 0 : (i1 - v1) * constants.invTauMem;
  }
  states.voltage[neuron] = v1;
  states.current[neuron] = i1;
  states.updatedAt[neuron] = timeMs;
}

void ForwardPass::predictCrossing(NeuronStates &states, int32_t population,
                                  int32_t neuron, double timeMs) {
  ++states.version[neuron];
  states.pendingSpike[neuron] = kInfinity;

  double start = timeMs;
  double v0 = states.voltage[neuron];
  double i0 = states.current[neuron];
  if (states.hasRefractory && states.refractoryEnd[neuron] > timeMs) {
    start = states.refractoryEnd[neuron];
    v0 = states.reset;
    i0 *= std::exp(-(start - timeMs) * states.constants.invTauSyn);
  }
  double threshold = states.threshold[neuron];
  // With theta > 0, V can only rise to theta while I > theta, and |I| only
  // decays; so V < theta and I < theta rule out a crossing.
  if (v0 < threshold && i0 < states.crossingFloor[neuron])
    return;
  // V(t) = v0 e^{-t/tau_m} + i0 c(t) with 0 <= c(t) <= peakCoupling, so
  // max(v0, 0) + max(i0, 0) peakCoupling bounds V from above; far enough
  // below theta (the margin dwarfs any rounding of the solver) no crossing
  // exists, which spares the exponentials of the full solve.
  if ((std::max(v0, 0.0) + std::max(i0, 0.0) * states.peakCoupling) *
          (1.0 + 1e-9) <
      threshold)
    return;
  double horizon = network.durationMs - start;
  double offset =
      thresholdCrossingOffset(states.constants, v0, i0, threshold, horizon);
  double crossing = start + offset;
  if (!(crossing < network.durationMs))
    return;
  states.pendingSpike[neuron] = crossing;
  push({crossing, kSpike, population, neuron,
        static_cast<int32_t>(states.version[neuron]), 0});
}

void ForwardPass::finish(int32_t label) {
  for (size_t index = 0; index < states.size(); ++index) {
    NeuronStates &state = states[index];
    if (state.trackMax) {
      for (size_t neuron = 0; neuron < state.voltage.size(); ++neuron) {
        if (state.spikeCount[neuron] == 0)
          advanceLIF(state, static_cast<int32_t>(neuron), network.durationMs,
                     /*atEnd=*/true);
      }
      result.maxVoltage[index] = state.maxVoltage;
      result.maxVoltageTimeMs[index] = state.maxTime;
      result.maxVoltageSlope[index] = state.maxSlope;
      continue;
    }
    if (network.populations[index].kind != PopulationKind::LI)
      continue;
    for (size_t neuron = 0; neuron < state.voltage.size(); ++neuron)
      advanceLI(state, static_cast<int32_t>(neuron), network.durationMs,
                /*atEnd=*/true);
    result.maxVoltage[index] = state.maxVoltage;
    result.maxVoltageTimeMs[index] = state.maxTime;
    result.maxVoltageSlope[index] = state.maxSlope;
  }

  const Loss &loss = network.loss;
  if (loss.kind == LossKind::None)
    return;
  int32_t size = network.populations[loss.population].size;
  if (loss.kind == LossKind::TimeToFirstSpike) {
    result.outputs.assign(size, network.durationMs);
    std::vector<bool> fired(size, false);
    for (const SpikeRecord &record : result.spikes[loss.population]) {
      if (!fired[record.neuron]) {
        fired[record.neuron] = true;
        result.outputs[record.neuron] = record.timeMs;
      }
    }
    for (int32_t neuron = 0; neuron < size; ++neuron) {
      if (fired[neuron] &&
          (result.prediction < 0 ||
           result.outputs[neuron] < result.outputs[result.prediction]))
        result.prediction = neuron;
    }
  } else {
    result.outputs = result.maxVoltage[loss.population];
    result.prediction = static_cast<int32_t>(
        std::max_element(result.outputs.begin(), result.outputs.end()) -
        result.outputs.begin());
  }
  if (label < 0)
    return;
  result.loss = lossAndErrors(network, result.outputs, label, nullptr,
                              SilentOutputError::Drop);
  if (states[loss.population].trackMax &&
      !(result.outputs[label] < network.durationMs))
    result.loss += options.silentLabelPenalty *
                   (network.populations[loss.population].threshold[label] -
                    result.maxVoltage[loss.population][label]);
}

//===----------------------------------------------------------------------===//
// Backward pass
//===----------------------------------------------------------------------===//

/// The adjoint state of one LIF or LI population.
struct AdjointStates {
  bool isLIF = false;
  bool hasRefractory = false;
  /// The LI population the max-voltage loss reads.
  bool isMaxReadout = false;
  LIFConstants constants;
  /// The compiled jump of PopulationKernels, or null for the closed form.
  double (*adjointJumpKernel)(double, double, double, double, double) = nullptr;
  double reset = 0;
  double refractoryMs = 0;
  const double *threshold = nullptr;
  std::vector<double> adjointV;
  std::vector<double> adjointI;
  /// The time the adjoint refers to; it only moves backward.
  std::vector<double> adjointAt;
  /// Between a refractory release and its spike (walking backward) the
  /// membrane is clamped; releaseWeight = dL/dV(release^+) / tau_m, and
  /// releaseSum collects -releaseWeight times the current that inputs during
  /// the clamp add to I(release).
  std::vector<uint8_t> clamped;
  std::vector<double> releaseWeight;
  std::vector<double> releaseSum;
  std::vector<double> releaseTime;
  /// dL/dt_k per spike record, gathered from the spike's deliveries.
  std::vector<double> spikeTimeGrad;
  /// Max-voltage readout: dL/dVmax per neuron.
  std::vector<double> maxError;
  PropagatorCache cache;
};

class BackwardPass {
public:
  BackwardPass(const PreparedNetwork &prepared, const ForwardResult &forward,
               Gradients &gradients, TrafficCounters &traffic,
               const SimulationOptions &options)
      : prepared(prepared), network(*prepared.network), forward(forward),
        gradients(gradients), traffic(traffic), options(options) {}

  std::string run(const Sample &sample);

private:
  std::string initialise(const Sample &sample);
  void advance(AdjointStates &states, int32_t neuron, double timeMs);
  double fanIn(int32_t projection, int32_t pre, double timeMs);
  double deliverOne(int32_t projection, AdjointStates &post, int32_t target,
                    int32_t synapse, double weight, double timeMs);
  void processSpike(const Event &event);
  void processDelivery(const Event &event);
  void processRelease(const Event &event);
  void pushLastDelivery(int32_t projection, int32_t pre, double spikeTime,
                        int32_t ref);
  void push(const Event &event) {
    queue.push(event);
    traffic.write(Phase::Backward, MemoryClass::Queue, kEventBytes);
  }
  double spikeTimeOf(int32_t population, int32_t ref) const {
    if (network.populations[population].kind == PopulationKind::Source)
      return inputs[ref].timeMs;
    return forward.spikes[population][ref].timeMs;
  }

  const PreparedNetwork &prepared;
  const Network &network;
  const ForwardResult &forward;
  Gradients &gradients;
  TrafficCounters &traffic;
  const SimulationOptions &options;
  std::vector<SortedInput> inputs;
  std::vector<AdjointStates> states;
  std::priority_queue<Event, std::vector<Event>, LatestOnTop> queue;
};

/// A message when `gradients` is not shaped like Gradients::zerosLike.
static std::string checkGradientShape(const Network &network,
                                      const Gradients &gradients) {
  size_t numProjections = network.projections.size();
  if (gradients.weight.size() != numProjections ||
      gradients.delay.size() != numProjections ||
      gradients.threshold.size() != network.populations.size())
    return "gradients are not shaped for this network; start from "
           "Gradients::zerosLike";
  for (size_t index = 0; index < numProjections; ++index) {
    size_t count = network.projections[index].weight.size();
    if (gradients.weight[index].size() != count ||
        gradients.delay[index].size() != count)
      return "gradients of projection '" + network.projections[index].name +
             "' have the wrong size";
  }
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    size_t expected =
        population.kind == PopulationKind::LIF ? population.size : 0;
    if (gradients.threshold[index].size() != expected)
      return "threshold gradients of population '" + population.name +
             "' have the wrong size";
  }
  return "";
}

std::string BackwardPass::initialise(const Sample &sample) {
  if (std::string problem = sortInputs(network, sample, inputs);
      !problem.empty())
    return problem;
  if (network.loss.kind == LossKind::None)
    return "the network has no loss to differentiate";
  if (sample.label < 0)
    return "the sample has no label to differentiate the loss for";
  if (std::string problem = checkLabel(network, sample.label); !problem.empty())
    return problem;
  if (std::string problem = checkGradientShape(network, gradients);
      !problem.empty())
    return problem;
  size_t numPopulations = network.populations.size();
  int32_t lossPopulation = network.loss.population;
  if (forward.spikes.size() != numPopulations ||
      forward.maxVoltage.size() != numPopulations ||
      forward.outputs.size() !=
          static_cast<size_t>(network.populations[lossPopulation].size))
    return "the forward result does not belong to this network";

  states.resize(numPopulations);
  for (size_t index = 0; index < numPopulations; ++index) {
    const Population &population = network.populations[index];
    if (population.kind == PopulationKind::Source)
      continue;
    AdjointStates &state = states[index];
    size_t size = population.size;
    state.isLIF = population.kind == PopulationKind::LIF;
    state.constants =
        LIFConstants::make(population.tauMemMs, population.tauSynMs);
    state.constants.propagatorKernel = population.kernels.propagator;
    state.constants.crossingKernel = population.kernels.crossing;
    state.adjointJumpKernel = population.kernels.adjointJump;
    state.adjointV.assign(size, 0.0);
    state.adjointI.assign(size, 0.0);
    state.adjointAt.assign(size, network.durationMs);
    if (!state.isLIF)
      continue;
    state.reset = population.reset;
    state.refractoryMs = population.refractoryMs;
    state.hasRefractory = population.refractoryMs > 0;
    state.threshold = population.threshold.data();
    state.spikeTimeGrad.assign(forward.spikes[index].size(), 0.0);
    if (state.hasRefractory) {
      state.clamped.assign(size, 0);
      state.releaseWeight.assign(size, 0.0);
      state.releaseSum.assign(size, 0.0);
      state.releaseTime.assign(size, 0.0);
    }
    for (const SpikeRecord &record : forward.spikes[index]) {
      if (record.neuron < 0 || record.neuron >= population.size ||
          !(record.timeMs < network.durationMs))
        return "the forward result does not belong to this network";
    }
  }

  // The loss enters as dL/dt of first spikes or as jumps of dL/dV at the
  // times of the voltage maxima.
  std::vector<double> errors;
  lossAndErrors(network, forward.outputs, sample.label, &errors,
                SilentOutputError::Drop);
  AdjointStates &output = states[lossPopulation];
  if (network.loss.kind == LossKind::TimeToFirstSpike) {
    std::vector<bool> seen(errors.size(), false);
    const std::vector<SpikeRecord> &records = forward.spikes[lossPopulation];
    for (size_t ref = 0; ref < records.size(); ++ref) {
      int32_t neuron = records[ref].neuron;
      if (seen[neuron])
        continue;
      seen[neuron] = true;
      output.spikeTimeGrad[ref] += errors[neuron];
    }
    // The silent-label penalty b (theta - Vmax): a jump of -b in dL/dV at
    // the maximum, which moves with its input when it is a kink (the path
    // of the max-voltage readout), and dL/dtheta = b.
    int32_t label = sample.label;
    double penalty = options.silentLabelPenalty;
    if (penalty > 0 && !(forward.outputs[label] < network.durationMs)) {
      const std::vector<double> &maxTime =
          forward.maxVoltageTimeMs[lossPopulation];
      if (maxTime.size() != errors.size() ||
          forward.maxVoltageSlope[lossPopulation].size() != errors.size())
        return "the forward result does not belong to this network";
      output.isMaxReadout = true;
      output.maxError.assign(errors.size(), 0.0);
      output.maxError[label] = -penalty;
      push({maxTime[label], kMaxVoltage, lossPopulation, label, 0, 0});
      gradients.threshold[lossPopulation][label] += penalty;
    }
  } else {
    output.isMaxReadout = true;
    output.maxError = errors;
    const std::vector<double> &maxTime =
        forward.maxVoltageTimeMs[lossPopulation];
    if (maxTime.size() != errors.size() ||
        forward.maxVoltageSlope[lossPopulation].size() != errors.size())
      return "the forward result does not belong to this network";
    for (size_t neuron = 0; neuron < errors.size(); ++neuron)
      push({maxTime[neuron], kMaxVoltage, lossPopulation,
            static_cast<int32_t>(neuron), 0, 0});
  }

  // Every spike, release and first delayed delivery the forward pass saw.
  for (size_t index = 0; index < numPopulations; ++index) {
    if (network.populations[index].kind != PopulationKind::LIF)
      continue;
    const std::vector<SpikeRecord> &records = forward.spikes[index];
    traffic.read(Phase::Backward, MemoryClass::Record,
                 records.size() * sizeof(SpikeRecord));
    for (size_t ref = 0; ref < records.size(); ++ref) {
      const SpikeRecord &record = records[ref];
      int32_t population = static_cast<int32_t>(index);
      push({record.timeMs, kSpike, population, record.neuron,
            static_cast<int32_t>(ref), 0});
      double release = record.timeMs + states[index].refractoryMs;
      if (states[index].hasRefractory && release < network.durationMs)
        push({release, kRelease, population, record.neuron,
              static_cast<int32_t>(ref), 0});
      for (int32_t projection : prepared.outgoing[index])
        pushLastDelivery(projection, record.neuron, record.timeMs,
                         static_cast<int32_t>(ref));
    }
  }
  for (size_t ref = 0; ref < inputs.size(); ++ref) {
    const SortedInput &input = inputs[ref];
    if (!(input.timeMs < network.durationMs) ||
        prepared.outgoing[input.population].empty())
      continue;
    push({input.timeMs, kSpike, input.population, input.channel,
          static_cast<int32_t>(ref), 0});
    for (int32_t projection : prepared.outgoing[input.population])
      pushLastDelivery(projection, input.channel, input.timeMs,
                       static_cast<int32_t>(ref));
  }
  return "";
}

void BackwardPass::pushLastDelivery(int32_t projection, int32_t pre,
                                    double spikeTime, int32_t ref) {
  const PreparedProjection &table = prepared.projections[projection];
  if (!table.hasDelays)
    return;
  // Walk back from the longest delay to the last arrival before the end.
  size_t rowStart = static_cast<size_t>(pre) * table.postSize;
  for (int32_t position = table.postSize - 1; position >= 0; --position) {
    double arrival = spikeTime + table.delayMs[rowStart + position];
    if (arrival < network.durationMs) {
      push({arrival, kDelivery, projection, pre, ref, position});
      return;
    }
  }
}

std::string BackwardPass::run(const Sample &sample) {
  if (std::string problem = initialise(sample); !problem.empty())
    return problem;
  while (!queue.empty()) {
    Event event = queue.top();
    queue.pop();
    traffic.read(Phase::Backward, MemoryClass::Queue, kEventBytes);
    switch (event.kind) {
    case kMaxVoltage: {
      AdjointStates &state = states[event.group];
      advance(state, event.index, event.timeMs);
      state.adjointV[event.index] += state.maxError[event.index];
      break;
    }
    case kSpike:
      processSpike(event);
      break;
    case kRelease:
      processRelease(event);
      break;
    case kDelivery:
      processDelivery(event);
      break;
    }
  }
  return "";
}

void BackwardPass::advance(AdjointStates &states, int32_t neuron,
                           double timeMs) {
  double from = states.adjointAt[neuron];
  if (from == timeMs)
    return;
  traffic.read(Phase::Backward, MemoryClass::State, kNeuronStateBytes);
  traffic.write(Phase::Backward, MemoryClass::State, kNeuronStateBytes);
  const Propagator &step = states.cache.get(states.constants, from, timeMs);
  double adjointV = states.adjointV[neuron];
  states.adjointI[neuron] =
      step.synDecay * states.adjointI[neuron] + step.coupling * adjointV;
  states.adjointV[neuron] = step.memDecay * adjointV;
  states.adjointAt[neuron] = timeMs;
}

double BackwardPass::deliverOne(int32_t projection, AdjointStates &post,
                                int32_t target, int32_t synapse, double weight,
                                double timeMs) {
  advance(post, target, timeMs);
  double adjointI = post.adjointI[target];
  double timeGrad = weight * (adjointI * post.constants.invTauSyn -
                              post.adjointV[target] * post.constants.invTauMem);
  // A voltage maximum at this arrival moves with it.
  if (post.isMaxReadout && post.maxError[target] != 0) {
    int32_t population = network.projections[projection].post;
    if (forward.maxVoltageTimeMs[population][target] == timeMs)
      timeGrad +=
          post.maxError[target] * forward.maxVoltageSlope[population][target];
  }
  // An input during a refractory clamp raises the current at the release.
  if (post.hasRefractory && post.clamped[target]) {
    post.releaseSum[target] -= post.releaseWeight[target] * weight *
                               std::exp(-(post.releaseTime[target] - timeMs) *
                                        post.constants.invTauSyn);
  }
  gradients.weight[projection][synapse] += adjointI;
  gradients.delay[projection][synapse] += timeGrad;
  traffic.read(Phase::Backward, MemoryClass::Grad, 2 * sizeof(double));
  traffic.write(Phase::Backward, MemoryClass::Grad, 2 * sizeof(double));
  return timeGrad;
}

double BackwardPass::fanIn(int32_t projection, int32_t pre, double timeMs) {
  const PreparedProjection &table = prepared.projections[projection];
  AdjointStates &post = states[network.projections[projection].post];
  const double *weight =
      table.weight.data() + static_cast<size_t>(pre) * table.postSize;
  int32_t count = table.postSize;
  int32_t stride = table.preSize;
  traffic.synapticOps[static_cast<int>(Phase::Backward)] += count;
  traffic.read(Phase::Backward, MemoryClass::Synapse, count * sizeof(double));

  double timeGradSum = 0;
  if (post.hasRefractory || post.isMaxReadout) {
    for (int32_t neuron = 0; neuron < count; ++neuron)
      timeGradSum += deliverOne(projection, post, neuron, neuron * stride + pre,
                                weight[neuron], timeMs);
    return timeGradSum;
  }

  // The hot loop of the backward pass, the mirror of deliverRow.
  double *adjointV = post.adjointV.data();
  double *adjointI = post.adjointI.data();
  double *adjointAt = post.adjointAt.data();
  double *weightGrad = gradients.weight[projection].data() + pre;
  double *delayGrad = gradients.delay[projection].data() + pre;
  double invTauSyn = post.constants.invTauSyn;
  double invTauMem = post.constants.invTauMem;
  uint64_t updates = 0;
  for (int32_t neuron = 0; neuron < count; ++neuron) {
    double from = adjointAt[neuron];
    if (from != timeMs) {
      const Propagator &step = post.cache.get(post.constants, from, timeMs);
      double oldV = adjointV[neuron];
      adjointI[neuron] =
          step.synDecay * adjointI[neuron] + step.coupling * oldV;
      adjointV[neuron] = step.memDecay * oldV;
      adjointAt[neuron] = timeMs;
      ++updates;
    }
    double sensitivityI = adjointI[neuron];
    double timeGrad = weight[neuron] *
                      (sensitivityI * invTauSyn - adjointV[neuron] * invTauMem);
    size_t synapse = static_cast<size_t>(neuron) * stride;
    weightGrad[synapse] += sensitivityI;
    delayGrad[synapse] += timeGrad;
    timeGradSum += timeGrad;
  }
  traffic.read(Phase::Backward, MemoryClass::State,
               updates * kNeuronStateBytes +
                   (count - updates) * 2 * sizeof(double));
  traffic.write(Phase::Backward, MemoryClass::State,
                updates * kNeuronStateBytes);
  traffic.read(Phase::Backward, MemoryClass::Grad, count * 2 * sizeof(double));
  traffic.write(Phase::Backward, MemoryClass::Grad, count * 2 * sizeof(double));
  return timeGradSum;
}

void BackwardPass::processSpike(const Event &event) {
  int32_t population = event.group;
  double timeMs = event.timeMs;
  double timeGrad = 0;
  for (int32_t projection : prepared.outgoing[population]) {
    if (!prepared.projections[projection].hasDelays)
      timeGrad += fanIn(projection, event.index, timeMs);
  }
  if (network.populations[population].kind == PopulationKind::Source)
    return;

  // The jump at spike k: the spike time is a function of the state just
  // before it through V(t_k) = theta.
  AdjointStates &state = states[population];
  int32_t neuron = event.index;
  const SpikeRecord &record = forward.spikes[population][event.ref];
  advance(state, neuron, timeMs);
  timeGrad += state.spikeTimeGrad[event.ref];
  double current = record.current;
  double threshold = state.threshold[neuron];
  double adjointBefore;
  if (state.hasRefractory) {
    // The clamp keeps dV/dt = 0 after the spike; the release time moves
    // with t_k and V leaves reset with slope (I(release) - reset)/tau_m.
    if (state.clamped[neuron]) {
      double releaseCurrent =
          current * std::exp(-state.refractoryMs * state.constants.invTauSyn);
      timeGrad += state.releaseSum[neuron] -
                  state.releaseWeight[neuron] * (releaseCurrent - state.reset);
      state.clamped[neuron] = 0;
    }
    adjointBefore =
        -state.constants.tauMemMs * timeGrad / (current - threshold);
  } else if (state.adjointJumpKernel) {
    adjointBefore = state.adjointJumpKernel(
        state.adjointV[neuron], current, threshold, /*fanout=*/0.0,
        -state.constants.tauMemMs * timeGrad);
  } else {
    adjointBefore = (state.adjointV[neuron] * (current - state.reset) -
                     state.constants.tauMemMs * timeGrad) /
                    (current - threshold);
  }
  state.adjointV[neuron] = adjointBefore;
  gradients.threshold[population][neuron] -= adjointBefore;
  traffic.read(Phase::Backward, MemoryClass::Grad, sizeof(double));
  traffic.write(Phase::Backward, MemoryClass::Grad, sizeof(double));
  traffic.write(Phase::Backward, MemoryClass::State, sizeof(double));
}

void BackwardPass::processRelease(const Event &event) {
  AdjointStates &state = states[event.group];
  int32_t neuron = event.index;
  advance(state, neuron, event.timeMs);
  state.releaseWeight[neuron] =
      state.adjointV[neuron] * state.constants.invTauMem;
  state.releaseSum[neuron] = 0;
  state.releaseTime[neuron] = event.timeMs;
  state.clamped[neuron] = 1;
  // V just before the release is the clamped reset: nothing flows through.
  state.adjointV[neuron] = 0;
}

void BackwardPass::processDelivery(const Event &event) {
  const PreparedProjection &table = prepared.projections[event.group];
  const Projection &projection = network.projections[event.group];
  AdjointStates &post = states[projection.post];
  double spikeTime = spikeTimeOf(projection.pre, event.ref);
  size_t rowStart = static_cast<size_t>(event.index) * table.postSize;

  // The same groups of equal arrival times as the forward pass, walked down.
  double timeGrad = 0;
  int32_t position = event.cursor;
  int32_t delivered = 0;
  do {
    size_t entry = rowStart + position;
    int32_t target = table.target[entry];
    timeGrad += deliverOne(event.group, post, target,
                           target * table.preSize + event.index,
                           table.weight[entry], event.timeMs);
    ++delivered;
    --position;
  } while (position >= 0 &&
           spikeTime + table.delayMs[rowStart + position] == event.timeMs);
  traffic.synapticOps[static_cast<int>(Phase::Backward)] += delivered;
  traffic.read(Phase::Backward, MemoryClass::Synapse,
               delivered * (2 * sizeof(double) + sizeof(int32_t)));

  if (network.populations[projection.pre].kind == PopulationKind::LIF)
    states[projection.pre].spikeTimeGrad[event.ref] += timeGrad;
  if (position >= 0)
    push({spikeTime + table.delayMs[rowStart + position], kDelivery,
          event.group, event.index, event.ref, position});
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::string runForward(const PreparedNetwork &prepared, const Sample &sample,
                       ForwardResult &result, TrafficCounters *traffic,
                       const SimulationOptions &options) {
  if (!prepared.network)
    return "the prepared network is empty; call prepareNetwork first";
  TrafficCounters counters;
  ForwardPass pass(prepared, options, result, counters);
  std::string error = pass.run(sample);
  if (traffic)
    *traffic += counters;
  return error;
}

std::string runBackward(const PreparedNetwork &prepared, const Sample &sample,
                        const ForwardResult &forward, Gradients &gradients,
                        TrafficCounters *traffic,
                        const SimulationOptions &options) {
  if (!prepared.network)
    return "the prepared network is empty; call prepareNetwork first";
  TrafficCounters counters;
  BackwardPass pass(prepared, forward, gradients, counters, options);
  std::string error = pass.run(sample);
  if (traffic)
    *traffic += counters;
  return error;
}

std::string runForward(const Network &network, const Sample &sample,
                       ForwardResult &result, TrafficCounters *traffic,
                       const SimulationOptions &options) {
  PreparedNetwork prepared;
  if (std::string error = prepareNetwork(network, prepared); !error.empty())
    return error;
  return runForward(prepared, sample, result, traffic, options);
}

std::string runBackward(const Network &network, const Sample &sample,
                        const ForwardResult &forward, Gradients &gradients,
                        TrafficCounters *traffic,
                        const SimulationOptions &options) {
  PreparedNetwork prepared;
  if (std::string error = prepareNetwork(network, prepared); !error.empty())
    return error;
  return runBackward(prepared, sample, forward, gradients, traffic, options);
}

namespace {

/// What one fixed block of consecutive samples adds to a batch.
struct BlockResult {
  double lossSum = 0;
  int32_t correct = 0;
  Gradients gradients;
  TrafficCounters traffic;
  std::string error;
  bool done = false;
};

} // namespace

/// Runs samples [begin, end) in order into `block`.
static void runBlock(const PreparedNetwork &prepared,
                     const std::vector<Sample> &batch, size_t begin, size_t end,
                     bool computeGradients, const SimulationOptions &options,
                     BlockResult &block) {
  if (computeGradients)
    block.gradients = Gradients::zerosLike(*prepared.network);
  ForwardResult forward;
  for (size_t index = begin; index < end; ++index) {
    const Sample &sample = batch[index];
    std::string error =
        runForward(prepared, sample, forward, &block.traffic, options);
    if (error.empty() && computeGradients)
      error = runBackward(prepared, sample, forward, block.gradients,
                          &block.traffic, options);
    if (!error.empty()) {
      block.error = "sample " + std::to_string(index) + ": " + error;
      return;
    }
    block.lossSum += forward.loss;
    if (sample.label >= 0 && forward.prediction == sample.label)
      ++block.correct;
  }
}

BatchResult runBatch(const Network &network, const std::vector<Sample> &batch,
                     bool computeGradients, int threads,
                     const SimulationOptions &options) {
  BatchResult result;
  if (threads < 1) {
    result.error =
        "threads must be at least 1 (got " + std::to_string(threads) + ")";
    return result;
  }
  PreparedNetwork prepared;
  if (std::string error = prepareNetwork(network, prepared); !error.empty()) {
    result.error = error;
    return result;
  }
  result.gradients = Gradients::zerosLike(network);

  // Samples are summed in fixed blocks, and blocks in order, so the floating
  // point sums do not depend on which thread ran what. Workers stay at most
  // `window` blocks ahead of the reduction to bound memory.
  constexpr size_t kBlockSize = 4;
  size_t numBlocks = (batch.size() + kBlockSize - 1) / kBlockSize;
  size_t window = 2 * static_cast<size_t>(threads);
  std::vector<std::unique_ptr<BlockResult>> blocks(numBlocks);
  for (std::unique_ptr<BlockResult> &block : blocks)
    block = std::make_unique<BlockResult>();
  std::mutex mutex;
  std::condition_variable changed;
  size_t nextBlock = 0;
  size_t reduced = 0;

  auto worker = [&]() {
    while (true) {
      size_t index;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] {
          return nextBlock >= numBlocks || nextBlock < reduced + window;
        });
        if (nextBlock >= numBlocks)
          return;
        index = nextBlock++;
      }
      BlockResult &block = *blocks[index];
      size_t begin = index * kBlockSize;
      size_t end = std::min(batch.size(), begin + kBlockSize);
      runBlock(prepared, batch, begin, end, computeGradients, options, block);
      std::lock_guard<std::mutex> lock(mutex);
      block.done = true;
      changed.notify_all();
    }
  };
  std::vector<std::thread> workers;
  int numWorkers = static_cast<int>(std::min<size_t>(
      static_cast<size_t>(threads), std::max<size_t>(numBlocks, 1)));
  for (int index = 0; index < numWorkers; ++index)
    workers.emplace_back(worker);

  for (size_t index = 0; index < numBlocks; ++index) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return blocks[index]->done; });
    }
    BlockResult &block = *blocks[index];
    if (result.error.empty() && !block.error.empty())
      result.error = block.error;
    result.lossSum += block.lossSum;
    result.correct += block.correct;
    result.traffic += block.traffic;
    if (computeGradients && block.error.empty())
      result.gradients += block.gradients;
    blocks[index].reset();
    std::lock_guard<std::mutex> lock(mutex);
    reduced = index + 1;
    changed.notify_all();
  }
  for (std::thread &thread : workers)
    thread.join();
  return result;
}

} // namespace snnc::runtime
