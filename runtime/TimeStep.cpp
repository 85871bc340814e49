//===- TimeStep.cpp - Time-stepped surrogate-gradient BPTT baseline -------===//
//
// The executor runs dense, as the frameworks it stands for do: every step
// multiplies every weight matrix by its presynaptic spike vector and, in the
// backward pass, every transposed weight matrix by the postsynaptic current
// adjoints. Where a careful hand-written loop can skip work without changing
// the result it does, and counts only what it executes: the weight gradient
// is accumulated for presynaptic spikes only, and gradients are formed only
// for learnable parameters.
//
// What the forward pass stores for BPTT, per LIF neuron and step: the
// pre-reset voltage (the surrogate's argument) and one byte of flags (spike,
// refractory clamp); per source channel and step one byte of spike count.
// The current trace is not stored: the adjoint of the linear dynamics needs
// no state values, only the spikes and the surrogate's argument. A readout
// keeps only the step of its maximum.
//
// Backward pass, with aV_n = dL/dV_n, aI_n = dL/dI_n and aS_n = dL/dS_n
// (the reset is detached from the graph, as is usual with surrogates):
//
//   aS_i(n - D_ji) += w_ji aI_j(n)              dL/dw_ji += aI_j(n) S_i(n - D)
//   aVpre_n = aV_n (1 - S_n) + aS_n s(Vpre_n - theta)
//   dL/dtheta -= aS_n s(Vpre_n - theta)         (s: surrogate derivative)
//   aV_{n-1} = a aVpre_n,  aI_{n-1} = c aVpre_n + b aI_n
//
// With a table of compiled kernels in the options (the driver's default),
// the per-step work of each population and projection runs in the kernels
// of convert-snn-to-timestep, which compute the same values in the same
// order and count their own traffic; this file then keeps the input
// binning, the spike records and limit, the loss and the order of calls.
//
//===----------------------------------------------------------------------===//

#include "runtime/TimeStep.h"

#include "runtime/LIFDynamics.h"
#include "runtime/Loss.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <memory>
#include <sstream>
#include <thread>
#include <type_traits>

namespace snnc::runtime {

// Instrumented kernels add into TrafficCounters through one pointer to 36
// counters: bytesRead[3][6], then bytesWritten[3][6].
static_assert(std::is_standard_layout_v<TrafficCounters>);
static_assert(offsetof(TrafficCounters, bytesWritten) ==
              kNumPhases * kNumMemoryClasses * sizeof(uint64_t));

static constexpr uint8_t kSpikeFlag = 1;
static constexpr uint8_t kClampFlag = 2;

std::string validateTimeStepOptions(const Network &network,
                                    const TimeStepOptions &options) {
  if (!(options.dtMs > 0) || !std::isfinite(options.dtMs)) {
    std::ostringstream message;
    message << "time step dt must be positive and finite (got " << options.dtMs
            << " ms)";
    return message.str();
  }
  if (!(options.slope > 0) || !std::isfinite(options.slope)) {
    std::ostringstream message;
    message << "surrogate slope must be positive and finite (got "
            << options.slope << ")";
    return message.str();
  }
  if (network.durationMs / options.dtMs > 1e7) {
    std::ostringstream message;
    message << "time step " << options.dtMs << " ms gives more than 1e7 steps "
            << "over " << network.durationMs << " ms";
    return message.str();
  }
  return network.validate();
}

int32_t timeStepCount(const Network &network, const TimeStepOptions &options) {
  // The small slack keeps T / dt = 120.00000000000001 at 120 steps.
  double steps = std::ceil(network.durationMs / options.dtMs - 1e-9);
  return std::max<int32_t>(1, static_cast<int32_t>(steps));
}

namespace {

/// A projection on the grid: its delays in whole steps.
struct GridProjection {
  int32_t preSize = 0;
  int32_t postSize = 0;
  /// [post][pre] like Projection::weight; empty when every delay rounds to
  /// zero steps, which is then the plain dense product.
  std::vector<int32_t> delaySteps;
  int32_t maxDelaySteps = 0;
  /// With delays: entry d is the number of synapses whose delay is at most
  /// d steps, the synapses active from step d on.
  std::vector<uint64_t> activeByStep;

  /// Synapses that deliver at step `step` (zero-delay ones: all of them).
  uint64_t activeSynapses(int32_t step) const {
    if (delaySteps.empty())
      return static_cast<uint64_t>(preSize) * postSize;
    return activeByStep[std::min(step, maxDelaySteps)];
  }
};

/// Everything a sample shares: built once per batch.
struct Grid {
  const Network *network = nullptr;
  TimeStepOptions options;
  int32_t steps = 0;
  std::vector<GridProjection> projections;
  /// Per population: the step propagator (non-sources), the spike ring's
  /// depth (one more than the largest delay leaving it) and the refractory
  /// clamp in steps.
  std::vector<Propagator> propagators;
  std::vector<int32_t> ringDepth;
  std::vector<int32_t> refractorySteps;
  /// Compiled kernels for the per-step work, checked against the grid.
  const TimeStepKernels *kernels = nullptr;
};

static std::string checkKernels(const Grid &grid,
                                const TimeStepKernels &kernels);

static std::string buildGrid(const Network &network,
                             const TimeStepOptions &options, Grid &grid) {
  if (std::string error = validateTimeStepOptions(network, options);
      !error.empty())
    return error;
  grid = Grid();
  grid.network = &network;
  grid.options = options;
  grid.steps = timeStepCount(network, options);
  size_t numPopulations = network.populations.size();
  grid.propagators.resize(numPopulations);
  grid.ringDepth.assign(numPopulations, 1);
  grid.refractorySteps.assign(numPopulations, 0);
  for (size_t index = 0; index < numPopulations; ++index) {
    const Population &population = network.populations[index];
    if (population.kind == PopulationKind::Source)
      continue;
    grid.propagators[index] = propagatorFor(
        LIFConstants::make(population.tauMemMs, population.tauSynMs),
        options.dtMs);
    grid.refractorySteps[index] = static_cast<int32_t>(
        std::llround(population.refractoryMs / options.dtMs));
  }
  for (const Projection &projection : network.projections) {
    GridProjection table;
    table.preSize = network.populations[projection.pre].size;
    table.postSize = network.populations[projection.post].size;
    if (!projection.delayMs.empty()) {
      table.delaySteps.resize(projection.delayMs.size());
      for (size_t synapse = 0; synapse < projection.delayMs.size(); ++synapse) {
        int32_t delay = static_cast<int32_t>(
            std::llround(projection.delayMs[synapse] / options.dtMs));
        table.delaySteps[synapse] = delay;
        table.maxDelaySteps = std::max(table.maxDelaySteps, delay);
      }
      if (table.maxDelaySteps == 0) {
        table.delaySteps.clear();
      } else {
        table.activeByStep.assign(table.maxDelaySteps + 1, 0);
        for (int32_t delay : table.delaySteps)
          ++table.activeByStep[delay];
        for (int32_t delay = 1; delay <= table.maxDelaySteps; ++delay)
          table.activeByStep[delay] += table.activeByStep[delay - 1];
      }
    }
    grid.ringDepth[projection.pre] =
        std::max(grid.ringDepth[projection.pre], table.maxDelaySteps + 1);
    grid.projections.push_back(std::move(table));
  }
  if (options.kernels) {
    if (std::string error = checkKernels(grid, *options.kernels);
        !error.empty())
      return error;
    grid.kernels = options.kernels.get();
  }
  return "";
}

/// What a kernel table for `grid` must say it was built for.
static void describeGrid(const Grid &grid, TimeStepKernels &kernels) {
  const Network &network = *grid.network;
  kernels = TimeStepKernels();
  kernels.dtMs = grid.options.dtMs;
  kernels.slope = grid.options.slope;
  kernels.steps = grid.steps;
  kernels.hasBackward = network.loss.kind != LossKind::None;
  kernels.populations.resize(network.populations.size());
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    TimeStepPopulationKernels &entry = kernels.populations[index];
    entry.kind = population.kind;
    entry.size = population.size;
    entry.ringDepth = grid.ringDepth[index];
    if (population.kind == PopulationKind::Source)
      continue;
    entry.tauMemMs = population.tauMemMs;
    entry.tauSynMs = population.tauSynMs;
    if (population.kind != PopulationKind::LIF)
      continue;
    entry.reset = population.reset;
    entry.refractorySteps = grid.refractorySteps[index];
    entry.learnThreshold = population.learnThreshold;
  }
  kernels.projections.resize(network.projections.size());
  for (size_t index = 0; index < network.projections.size(); ++index) {
    const Projection &projection = network.projections[index];
    TimeStepProjectionKernels &entry = kernels.projections[index];
    entry.pre = projection.pre;
    entry.post = projection.post;
    entry.learnWeight = projection.learnWeight;
    entry.delaySteps = grid.projections[index].delaySteps;
  }
}

/// Empty when `kernels` were built for `grid` and hold every kernel it
/// runs, else what does not fit.
static std::string checkKernels(const Grid &grid,
                                const TimeStepKernels &kernels) {
  const Network &network = *grid.network;
  if (grid.options.surrogate != SurrogateKind::FastSigmoid)
    return "the compiled time-stepped kernels implement the fast-sigmoid "
           "surrogate only";
  TimeStepKernels expected;
  describeGrid(grid, expected);
  if (kernels.dtMs != expected.dtMs || kernels.slope != expected.slope ||
      kernels.steps != expected.steps ||
      kernels.hasBackward != expected.hasBackward) {
    std::ostringstream message;
    message << "the compiled time-stepped kernels were built for dt "
            << kernels.dtMs << " ms and slope " << kernels.slope << ", not dt "
            << expected.dtMs << " ms and slope " << expected.slope;
    return message.str();
  }
  if (kernels.populations.size() != expected.populations.size() ||
      kernels.projections.size() != expected.projections.size())
    return "the compiled time-stepped kernels were built for another network";
  auto missing = [&](const std::string &member, const char *kind) {
    return "the compiled time-stepped kernels have no " + std::string(kind) +
           " kernel for '" + member + "'";
  };
  for (size_t index = 0; index < expected.populations.size(); ++index) {
    const TimeStepPopulationKernels &have = kernels.populations[index];
    const TimeStepPopulationKernels &want = expected.populations[index];
    const std::string &name = network.populations[index].name;
    if (have.kind != want.kind || have.size != want.size ||
        have.tauMemMs != want.tauMemMs || have.tauSynMs != want.tauSynMs ||
        have.reset != want.reset || have.ringDepth != want.ringDepth ||
        have.refractorySteps != want.refractorySteps ||
        have.learnThreshold != want.learnThreshold)
      return "population '" + name +
             "' differs from the one the compiled time-stepped kernels were "
             "built for";
    switch (want.kind) {
    case PopulationKind::Source:
      if (!have.record)
        return missing(name, "record");
      break;
    case PopulationKind::LI:
      if (!have.liStep)
        return missing(name, "step");
      if (expected.hasBackward && !have.liBackwardStep)
        return missing(name, "backward_step");
      break;
    case PopulationKind::LIF:
      if (want.refractorySteps > 0 ? !have.lifClampStep : !have.lifStep)
        return missing(name, "step");
      if (expected.hasBackward &&
          (want.learnThreshold ? !have.lifThresholdBackwardStep
                               : !have.lifBackwardStep))
        return missing(name, "backward_step");
      break;
    }
  }
  for (size_t index = 0; index < expected.projections.size(); ++index) {
    const TimeStepProjectionKernels &have = kernels.projections[index];
    const TimeStepProjectionKernels &want = expected.projections[index];
    const std::string &name = network.projections[index].name;
    if (have.pre != want.pre || have.post != want.post ||
        have.learnWeight != want.learnWeight ||
        have.delaySteps != want.delaySteps)
      return "projection '" + name +
             "' differs from the one the compiled time-stepped kernels were "
             "built for";
    if (!have.deliver)
      return missing(name, "deliver");
    if (!expected.hasBackward)
      continue;
    bool preIsLIF = network.populations[want.pre].kind == PopulationKind::LIF;
    bool absent = preIsLIF && want.learnWeight ? !have.backwardDeliver
                  : preIsLIF                   ? !have.backwardError
                  : want.learnWeight           ? !have.backwardWeight
                                               : false;
    if (absent)
      return missing(name, "backward_deliver");
  }
  return "";
}

} // namespace

std::string describeTimeStepKernels(const Network &network,
                                    const TimeStepOptions &options,
                                    TimeStepKernels &kernels) {
  TimeStepOptions plain = options;
  plain.kernels = nullptr;
  Grid grid;
  if (std::string error = buildGrid(network, plain, grid); !error.empty())
    return error;
  describeGrid(grid, kernels);
  return "";
}

namespace {

/// The surrogate derivative of the spike at pre-reset voltage `voltage`.
static double surrogateSlope(const TimeStepOptions &options, double voltage,
                             double threshold) {
  if (options.surrogate == SurrogateKind::Heaviside)
    return 0;
  double scaled = 1.0 + options.slope * std::fabs(voltage - threshold);
  return 1.0 / (scaled * scaled);
}

/// The slot of step `step` in a ring of `depth` slots of `width` entries.
static size_t ringSlot(int32_t step, int32_t depth, int32_t width) {
  return static_cast<size_t>(step % depth) * static_cast<size_t>(width);
}

/// One sample's forward and backward pass on the grid. Reused across the
/// samples of a block so its buffers are allocated once.
class Stepper {
public:
  explicit Stepper(const Grid &grid)
      : grid(grid), network(*grid.network), options(grid.options) {}

  std::string run(const Sample &sample, TimeStepResult &result,
                  Gradients *gradients, TrafficCounters &traffic);

private:
  std::string binInputs(const Sample &sample);
  void initialise(bool training);
  std::string forwardStep(int32_t step, bool training, TimeStepResult &result);
  /// Records a spike of `neuron` of LIF population `index` at `step`, or
  /// says that it went past the spike limit.
  std::string recordSpike(int32_t index, int32_t neuron, int32_t step,
                          double current, TimeStepResult &result);
  void fillSourceSlots(int32_t step);
  void deliver(int32_t projectionIndex, int32_t step);
  /// One step on the compiled kernels, forward and backward.
  std::string kernelForwardStep(int32_t step, bool training,
                                TimeStepResult &result);
  void kernelBackwardStep(int32_t step, Gradients &gradients);
  void finishForward(const Sample &sample, TimeStepResult &result);
  void backward(int32_t label, const TimeStepResult &result,
                Gradients &gradients);
  void backwardProjection(int32_t projectionIndex, int32_t step,
                          Gradients &gradients);

  const Grid &grid;
  const Network &network;
  const TimeStepOptions &options;
  TrafficCounters *traffic = nullptr;

  /// Input spikes as (step, population, channel), sorted by step.
  struct BinnedInput {
    int32_t step;
    int32_t population;
    int32_t channel;
  };
  std::vector<BinnedInput> inputs;
  size_t nextInput = 0;

  /// Per population: state (non-sources), spike ring, and, when training,
  /// the per-step record.
  std::vector<std::vector<double>> voltage;
  std::vector<std::vector<double>> current;
  std::vector<std::vector<int32_t>> clampLeft;
  std::vector<std::vector<uint8_t>> spikeRing;
  std::vector<std::vector<double>> voltageRecord;
  std::vector<std::vector<uint8_t>> flagRecord;
  std::vector<std::vector<int32_t>> spikeCount;
  /// LI readouts: running maximum and its step.
  std::vector<std::vector<double>> maxVoltage;
  std::vector<std::vector<int32_t>> maxStep;
  /// TTFS: first spike step per output neuron, -1 when silent.
  std::vector<int32_t> firstStep;

  /// Backward: adjoints of V and I per population, and of the spikes in a
  /// ring as deep as the spike ring.
  std::vector<std::vector<double>> adjointV;
  std::vector<std::vector<double>> adjointI;
  std::vector<std::vector<double>> adjointSpikeRing;
};

std::string Stepper::binInputs(const Sample &sample) {
  inputs.clear();
  inputs.reserve(sample.spikes.size());
  for (size_t index = 0; index < sample.spikes.size(); ++index) {
    const InputSpike &spike = sample.spikes[index];
    if (std::string problem = checkInputSpike(network, spike, index);
        !problem.empty())
      return problem;
    // The exact method ignores inputs at or after the end; so does the grid.
    if (!(spike.timeMs < network.durationMs))
      continue;
    int32_t step =
        static_cast<int32_t>(std::llround(spike.timeMs / options.dtMs));
    if (step >= grid.steps)
      continue;
    inputs.push_back({step, spike.population, spike.channel});
  }
  std::stable_sort(inputs.begin(), inputs.end(),
                   [](const BinnedInput &left, const BinnedInput &right) {
                     return left.step < right.step;
                   });
  return "";
}

void Stepper::initialise(bool training) {
  size_t numPopulations = network.populations.size();
  voltage.resize(numPopulations);
  current.resize(numPopulations);
  clampLeft.resize(numPopulations);
  spikeRing.resize(numPopulations);
  voltageRecord.resize(numPopulations);
  flagRecord.resize(numPopulations);
  spikeCount.resize(numPopulations);
  maxVoltage.resize(numPopulations);
  maxStep.resize(numPopulations);
  for (size_t index = 0; index < numPopulations; ++index) {
    const Population &population = network.populations[index];
    size_t size = population.size;
    spikeRing[index].assign(size * grid.ringDepth[index], 0);
    size_t recordSize = training ? size * grid.steps : 0;
    bool isLIF = population.kind == PopulationKind::LIF;
    flagRecord[index].assign(
        population.kind == PopulationKind::LI ? 0 : recordSize, 0);
    voltageRecord[index].assign(isLIF ? recordSize : 0, 0.0);
    if (population.kind == PopulationKind::Source)
      continue;
    voltage[index].assign(size, 0.0);
    current[index].assign(size, 0.0);
    clampLeft[index].assign(size, 0);
    spikeCount[index].assign(size, 0);
    if (population.kind == PopulationKind::LI) {
      maxVoltage[index].assign(size, 0.0);
      maxStep[index].assign(size, 0);
    }
  }
  if (network.loss.kind == LossKind::TimeToFirstSpike)
    firstStep.assign(network.populations[network.loss.population].size, -1);
}

std::string Stepper::recordSpike(int32_t index, int32_t neuron, int32_t step,
                                 double current, TimeStepResult &result) {
  if (++spikeCount[index][neuron] > options.maxSpikesPerNeuron) {
    std::ostringstream message;
    message << "population '" << network.populations[index].name << "' neuron "
            << neuron << " fired more than " << options.maxSpikesPerNeuron
            << " spikes (at step " << step
            << "); raise the spike limit or check the weights";
    return message.str();
  }
  result.spikes[index].push_back({neuron, step * options.dtMs, current});
  return "";
}

std::string Stepper::forwardStep(int32_t step, bool training,
                                 TimeStepResult &result) {
  if (grid.kernels)
    return kernelForwardStep(step, training, result);

  // Decay every neuron over the step and fire; the spikes of this step are
  // all known before any of them is delivered.
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    if (population.kind == PopulationKind::Source)
      continue;
    const Propagator &propagator = grid.propagators[index];
    int32_t size = population.size;
    double *v = voltage[index].data();
    double *i = current[index].data();
    for (int32_t neuron = 0; neuron < size; ++neuron) {
      double oldCurrent = i[neuron];
      v[neuron] =
          propagator.memDecay * v[neuron] + propagator.coupling * oldCurrent;
      i[neuron] = propagator.synDecay * oldCurrent;
    }
    traffic->read(Phase::Forward, MemoryClass::State, size * 16);
    traffic->write(Phase::Forward, MemoryClass::State, size * 16);

    if (population.kind == PopulationKind::LI) {
      double *best = maxVoltage[index].data();
      int32_t *bestStep = maxStep[index].data();
      for (int32_t neuron = 0; neuron < size; ++neuron) {
        bool higher = v[neuron] > best[neuron];
        best[neuron] = higher ? v[neuron] : best[neuron];
        bestStep[neuron] = higher ? step : bestStep[neuron];
      }
      traffic->read(Phase::Forward, MemoryClass::State, size * 8);
      traffic->write(Phase::Forward, MemoryClass::State, size * 12);
      continue;
    }

    const double *threshold = population.threshold.data();
    uint8_t *ring =
        spikeRing[index].data() + ringSlot(step, grid.ringDepth[index], size);
    bool hasClamp = grid.refractorySteps[index] > 0;
    int32_t *clamp = clampLeft[index].data();
    for (int32_t neuron = 0; neuron < size; ++neuron) {
      uint8_t flags = 0;
      double preReset = v[neuron];
      if (hasClamp && clamp[neuron] > 0) {
        --clamp[neuron];
        v[neuron] = population.reset;
        flags = kClampFlag;
      } else if (preReset >= threshold[neuron]) {
        flags = kSpikeFlag;
        v[neuron] = population.reset;
        if (hasClamp)
          clamp[neuron] = grid.refractorySteps[index];
        if (std::string problem =
                recordSpike(index, neuron, step, i[neuron], result);
            !problem.empty())
          return problem;
      }
      ring[neuron] = flags & kSpikeFlag;
      if (training) {
        size_t slot = static_cast<size_t>(step) * size + neuron;
        voltageRecord[index][slot] = preReset;
        flagRecord[index][slot] = flags;
      }
    }
    traffic->read(Phase::Forward, MemoryClass::State, size * 8);
    if (hasClamp) {
      traffic->read(Phase::Forward, MemoryClass::State, size * 4);
      traffic->write(Phase::Forward, MemoryClass::State, size * 4);
    }
    traffic->write(Phase::Forward, MemoryClass::Queue, size);
    if (training)
      traffic->write(Phase::Forward, MemoryClass::Record, size * 9);
  }

  fillSourceSlots(step);
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    if (population.kind != PopulationKind::Source || !training)
      continue;
    const uint8_t *ring =
        spikeRing[index].data() +
        ringSlot(step, grid.ringDepth[index], population.size);
    std::copy(ring, ring + population.size,
              flagRecord[index].data() +
                  static_cast<size_t>(step) * population.size);
    traffic->write(Phase::Forward, MemoryClass::Record, population.size);
  }

  for (size_t index = 0; index < network.projections.size(); ++index)
    deliver(static_cast<int32_t>(index), step);
  return "";
}

void Stepper::fillSourceSlots(int32_t step) {
  // Sources: this step's binned input spikes, counted per channel.
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    if (population.kind != PopulationKind::Source)
      continue;
    uint8_t *ring = spikeRing[index].data() +
                    ringSlot(step, grid.ringDepth[index], population.size);
    std::fill(ring, ring + population.size, 0);
    traffic->write(Phase::Forward, MemoryClass::Queue, population.size);
  }
  while (nextInput < inputs.size() && inputs[nextInput].step == step) {
    const BinnedInput &input = inputs[nextInput++];
    const Population &population = network.populations[input.population];
    uint8_t &count = spikeRing[input.population]
                              [ringSlot(step, grid.ringDepth[input.population],
                                        population.size) +
                               input.channel];
    if (count < 255)
      ++count;
  }
}

std::string Stepper::kernelForwardStep(int32_t step, bool training,
                                       TimeStepResult &result) {
  const TimeStepKernels &kernels = *grid.kernels;
  uint64_t *counters = &traffic->bytesRead[0][0];

  // Every population's step; the host then reads the spikes the kernel
  // put in the ring for the user's records and the spike limit.
  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    const TimeStepPopulationKernels &entry = kernels.populations[index];
    double *v = voltage[index].data();
    double *i = current[index].data();
    if (population.kind == PopulationKind::Source)
      continue;
    if (population.kind == PopulationKind::LI) {
      entry.liStep(v, i, maxVoltage[index].data(), maxStep[index].data(), step,
                   counters);
      continue;
    }
    int32_t size = population.size;
    uint8_t *ring = spikeRing[index].data();
    // Kernels take every memref as a mutable pointer; the step kernel only
    // reads the thresholds.
    double *threshold = const_cast<double *>(population.threshold.data());
    double *voltageTrace = training ? voltageRecord[index].data() : nullptr;
    uint8_t *flagTrace = training ? flagRecord[index].data() : nullptr;
    if (entry.lifClampStep)
      entry.lifClampStep(v, i, ring, threshold, clampLeft[index].data(),
                         voltageTrace, flagTrace, step, training, counters);
    else
      entry.lifStep(v, i, ring, threshold, voltageTrace, flagTrace, step,
                    training, counters);
    const uint8_t *fired = ring + ringSlot(step, grid.ringDepth[index], size);
    for (int32_t neuron = 0; neuron < size; ++neuron) {
      if (!fired[neuron])
        continue;
      if (std::string problem =
              recordSpike(index, neuron, step, i[neuron], result);
          !problem.empty())
        return problem;
    }
  }

  // Sources: the host bins, the record kernel keeps the counts.
  fillSourceSlots(step);
  for (size_t index = 0; index < network.populations.size(); ++index) {
    if (network.populations[index].kind != PopulationKind::Source || !training)
      continue;
    kernels.populations[index].record(spikeRing[index].data(),
                                      flagRecord[index].data(), step, counters);
  }

  for (size_t index = 0; index < network.projections.size(); ++index) {
    const Projection &projection = network.projections[index];
    kernels.projections[index].deliver(
        const_cast<double *>(projection.weight.data()),
        spikeRing[projection.pre].data(), current[projection.post].data(), step,
        counters);
    traffic->synapticOps[static_cast<int>(Phase::Forward)] +=
        grid.projections[index].activeSynapses(step);
  }
  return "";
}

void Stepper::kernelBackwardStep(int32_t step, Gradients &gradients) {
  const TimeStepKernels &kernels = *grid.kernels;
  uint64_t *counters = &traffic->bytesRead[0][0];

  // Deliveries in reverse, as the executor does them.
  for (size_t index = network.projections.size(); index-- > 0;) {
    const Projection &projection = network.projections[index];
    const TimeStepProjectionKernels &entry = kernels.projections[index];
    double *weight = const_cast<double *>(projection.weight.data());
    double *postAdjointI = adjointI[projection.post].data();
    double *preAdjointSpikes = adjointSpikeRing[projection.pre].data();
    uint8_t *preFlags = flagRecord[projection.pre].data();
    double *weightGradient =
        projection.learnWeight ? gradients.weight[index].data() : nullptr;
    uint64_t macs = grid.projections[index].activeSynapses(step);
    if (entry.backwardDeliver) {
      entry.backwardDeliver(weight, postAdjointI, preAdjointSpikes, preFlags,
                            weightGradient, step, counters);
    } else if (entry.backwardError) {
      entry.backwardError(weight, postAdjointI, preAdjointSpikes, step,
                          counters);
    } else if (entry.backwardWeight) {
      entry.backwardWeight(weight, postAdjointI, preFlags, weightGradient, step,
                           counters);
      macs = 0;
    } else {
      macs = 0;
    }
    traffic->synapticOps[static_cast<int>(Phase::Backward)] += macs;
  }

  for (size_t index = 0; index < network.populations.size(); ++index) {
    const Population &population = network.populations[index];
    const TimeStepPopulationKernels &entry = kernels.populations[index];
    double *aV = adjointV[index].data();
    double *aI = adjointI[index].data();
    if (population.kind == PopulationKind::LI) {
      entry.liBackwardStep(aV, aI, counters);
      continue;
    }
    if (population.kind != PopulationKind::LIF)
      continue;
    double *threshold = const_cast<double *>(population.threshold.data());
    if (entry.lifThresholdBackwardStep)
      entry.lifThresholdBackwardStep(
          aV, aI, adjointSpikeRing[index].data(), threshold,
          voltageRecord[index].data(), flagRecord[index].data(),
          gradients.threshold[index].data(), step, counters);
    else
      entry.lifBackwardStep(aV, aI, adjointSpikeRing[index].data(), threshold,
                            voltageRecord[index].data(),
                            flagRecord[index].data(), step, counters);
  }
}

void Stepper::deliver(int32_t projectionIndex, int32_t step) {
  const Projection &projection = network.projections[projectionIndex];
  const GridProjection &table = grid.projections[projectionIndex];
  int32_t preSize = table.preSize;
  int32_t postSize = table.postSize;
  int32_t depth = grid.ringDepth[projection.pre];
  const std::vector<uint8_t> &ring = spikeRing[projection.pre];
  double *targetCurrent = current[projection.post].data();
  const double *weight = projection.weight.data();

  if (table.delaySteps.empty()) {
    // The dense matrix-vector product of one step; the spike vector is read
    // once and stays in cache.
    const uint8_t *spikes = ring.data() + ringSlot(step, depth, preSize);
    for (int32_t post = 0; post < postSize; ++post) {
      const double *row = weight + static_cast<size_t>(post) * preSize;
      double sum = 0;
      for (int32_t pre = 0; pre < preSize; ++pre)
        sum += row[pre] * spikes[pre];
      targetCurrent[post] += sum;
    }
    uint64_t macs = static_cast<uint64_t>(preSize) * postSize;
    traffic->synapticOps[static_cast<int>(Phase::Forward)] += macs;
    traffic->read(Phase::Forward, MemoryClass::Synapse, macs * 8);
    traffic->read(Phase::Forward, MemoryClass::Queue, preSize);
    traffic->read(Phase::Forward, MemoryClass::State, postSize * 8);
    traffic->write(Phase::Forward, MemoryClass::State, postSize * 8);
    return;
  }

  // With delays every synapse reads the presynaptic spike of its own past
  // step from the ring; synapses whose delay reaches before step 0 are idle.
  uint64_t macs = 0;
  for (int32_t post = 0; post < postSize; ++post) {
    size_t rowStart = static_cast<size_t>(post) * preSize;
    double sum = 0;
    for (int32_t pre = 0; pre < preSize; ++pre) {
      int32_t source = step - table.delaySteps[rowStart + pre];
      if (source < 0)
        continue;
      sum +=
          weight[rowStart + pre] * ring[ringSlot(source, depth, preSize) + pre];
      ++macs;
    }
    targetCurrent[post] += sum;
  }
  traffic->synapticOps[static_cast<int>(Phase::Forward)] += macs;
  traffic->read(Phase::Forward, MemoryClass::Synapse,
                static_cast<uint64_t>(preSize) * postSize * 4 + macs * 8);
  traffic->read(Phase::Forward, MemoryClass::Queue, macs);
  traffic->read(Phase::Forward, MemoryClass::State, postSize * 8);
  traffic->write(Phase::Forward, MemoryClass::State, postSize * 8);
}

void Stepper::finishForward(const Sample &sample, TimeStepResult &result) {
  const Loss &loss = network.loss;
  if (loss.kind == LossKind::None)
    return;
  int32_t size = network.populations[loss.population].size;
  if (loss.kind == LossKind::TimeToFirstSpike) {
    result.outputs.assign(size, network.durationMs);
    for (const SpikeRecord &record : result.spikes[loss.population]) {
      if (firstStep[record.neuron] < 0) {
        firstStep[record.neuron] =
            static_cast<int32_t>(std::llround(record.timeMs / options.dtMs));
        result.outputs[record.neuron] = record.timeMs;
      }
    }
    for (int32_t neuron = 0; neuron < size; ++neuron) {
      if (firstStep[neuron] >= 0 &&
          (result.prediction < 0 ||
           result.outputs[neuron] < result.outputs[result.prediction]))
        result.prediction = neuron;
    }
  } else {
    result.outputs = maxVoltage[loss.population];
    result.prediction = static_cast<int32_t>(
        std::max_element(result.outputs.begin(), result.outputs.end()) -
        result.outputs.begin());
  }
  if (sample.label >= 0)
    result.loss = lossAndErrors(network, result.outputs, sample.label, nullptr,
                                SilentOutputError::Keep);
}

void Stepper::backwardProjection(int32_t projectionIndex, int32_t step,
                                 Gradients &gradients) {
  const Projection &projection = network.projections[projectionIndex];
  const GridProjection &table = grid.projections[projectionIndex];
  int32_t preSize = table.preSize;
  int32_t postSize = table.postSize;
  const double *weight = projection.weight.data();
  const double *postAdjointI = adjointI[projection.post].data();
  bool preIsLIF =
      network.populations[projection.pre].kind == PopulationKind::LIF;
  const uint8_t *preFlags = flagRecord[projection.pre].data();
  traffic->read(Phase::Backward, MemoryClass::State, postSize * 8);

  if (table.delaySteps.empty()) {
    // The error sent back: the dense transposed product W^T aI. Inputs
    // need none.
    if (preIsLIF) {
      double *adjointSpike =
          adjointSpikeRing[projection.pre].data() +
          ringSlot(step, grid.ringDepth[projection.pre], preSize);
      for (int32_t post = 0; post < postSize; ++post) {
        const double *row = weight + static_cast<size_t>(post) * preSize;
        double error = postAdjointI[post];
        for (int32_t pre = 0; pre < preSize; ++pre)
          adjointSpike[pre] += row[pre] * error;
      }
      uint64_t macs = static_cast<uint64_t>(preSize) * postSize;
      traffic->synapticOps[static_cast<int>(Phase::Backward)] += macs;
      traffic->read(Phase::Backward, MemoryClass::Synapse, macs * 8);
      traffic->read(Phase::Backward, MemoryClass::State, preSize * 8);
      traffic->write(Phase::Backward, MemoryClass::State, preSize * 8);
    }
    if (!projection.learnWeight)
      return;
    // dL/dw += aI S^T, only for the presynaptic neurons that spiked.
    const uint8_t *spikes = preFlags + static_cast<size_t>(step) * preSize;
    traffic->read(Phase::Backward, MemoryClass::Record, preSize);
    std::vector<double> &weightGradient = gradients.weight[projectionIndex];
    for (int32_t pre = 0; pre < preSize; ++pre) {
      double count = spikes[pre] & (preIsLIF ? kSpikeFlag : 0xff);
      if (count == 0)
        continue;
      for (int32_t post = 0; post < postSize; ++post)
        weightGradient[static_cast<size_t>(post) * preSize + pre] +=
            postAdjointI[post] * count;
      traffic->read(Phase::Backward, MemoryClass::Grad, postSize * 8);
      traffic->write(Phase::Backward, MemoryClass::Grad, postSize * 8);
    }
    return;
  }

  int32_t depth = grid.ringDepth[projection.pre];
  uint64_t macs = 0;
  uint64_t flagReads = 0;
  uint64_t gradientUpdates = 0;
  std::vector<double> *weightGradient =
      projection.learnWeight ? &gradients.weight[projectionIndex] : nullptr;
  for (int32_t post = 0; post < postSize; ++post) {
    size_t rowStart = static_cast<size_t>(post) * preSize;
    double error = postAdjointI[post];
    for (int32_t pre = 0; pre < preSize; ++pre) {
      int32_t source = step - table.delaySteps[rowStart + pre];
      if (source < 0)
        continue;
      if (preIsLIF) {
        adjointSpikeRing[projection.pre][ringSlot(source, depth, preSize) +
                                         pre] += weight[rowStart + pre] * error;
        ++macs;
      }
      if (!weightGradient)
        continue;
      ++flagReads;
      uint8_t flags = preFlags[static_cast<size_t>(source) * preSize + pre];
      double count = flags & (preIsLIF ? kSpikeFlag : 0xff);
      if (count != 0) {
        (*weightGradient)[rowStart + pre] += error * count;
        ++gradientUpdates;
      }
    }
  }
  uint64_t synapses = static_cast<uint64_t>(preSize) * postSize;
  traffic->read(Phase::Backward, MemoryClass::Synapse, synapses * 4);
  traffic->synapticOps[static_cast<int>(Phase::Backward)] += macs;
  traffic->read(Phase::Backward, MemoryClass::Synapse, macs * 8);
  traffic->read(Phase::Backward, MemoryClass::State, macs * 8);
  traffic->write(Phase::Backward, MemoryClass::State, macs * 8);
  if (weightGradient) {
    traffic->read(Phase::Backward, MemoryClass::Record, flagReads);
    traffic->read(Phase::Backward, MemoryClass::Grad, gradientUpdates * 8);
    traffic->write(Phase::Backward, MemoryClass::Grad, gradientUpdates * 8);
  }
}

void Stepper::backward(int32_t label, const TimeStepResult &result,
                       Gradients &gradients) {
  size_t numPopulations = network.populations.size();
  adjointV.resize(numPopulations);
  adjointI.resize(numPopulations);
  adjointSpikeRing.resize(numPopulations);
  for (size_t index = 0; index < numPopulations; ++index) {
    const Population &population = network.populations[index];
    bool hasState = population.kind != PopulationKind::Source;
    adjointV[index].assign(hasState ? population.size : 0, 0.0);
    adjointI[index].assign(hasState ? population.size : 0, 0.0);
    adjointSpikeRing[index].assign(population.kind == PopulationKind::LIF
                                       ? static_cast<size_t>(population.size) *
                                             grid.ringDepth[index]
                                       : 0,
                                   0.0);
  }

  const Loss &loss = network.loss;
  std::vector<double> errors;
  lossAndErrors(network, result.outputs, label, &errors,
                SilentOutputError::Keep);
  int32_t lossPopulation = loss.population;

  // A silent output has no spike step to take its error. Unlike the exact
  // method, the surrogate has a gradient to offer: the error goes to the
  // step where the neuron came closest to its threshold (highest pre-reset
  // voltage), as if it had fired there. This is what revives outputs that
  // training silenced; found from the stored trace.
  std::vector<int32_t> silentStep;
  if (loss.kind == LossKind::TimeToFirstSpike) {
    int32_t size = network.populations[lossPopulation].size;
    silentStep.assign(size, -1);
    const std::vector<double> &trace = voltageRecord[lossPopulation];
    for (int32_t neuron = 0; neuron < size; ++neuron) {
      if (firstStep[neuron] >= 0)
        continue;
      int32_t best = 0;
      for (int32_t step = 1; step < grid.steps; ++step) {
        if (trace[static_cast<size_t>(step) * size + neuron] >
            trace[static_cast<size_t>(best) * size + neuron])
          best = step;
      }
      silentStep[neuron] = best;
      traffic->read(Phase::Backward, MemoryClass::Record,
                    static_cast<uint64_t>(grid.steps) * 8);
    }
  }

  for (int32_t step = grid.steps - 1; step >= 0; --step) {
    // The loss's own entries at this step: dt/dS = -dt at a first spike
    // (the first spike's step time moves one step earlier per unit of S)
    // or a silent neuron's closest approach, dL/dVmax at the maximum's step.
    if (loss.kind == LossKind::TimeToFirstSpike) {
      int32_t size = network.populations[lossPopulation].size;
      double *adjointSpike =
          adjointSpikeRing[lossPopulation].data() +
          ringSlot(step, grid.ringDepth[lossPopulation], size);
      for (int32_t neuron = 0; neuron < size; ++neuron) {
        if (firstStep[neuron] == step || silentStep[neuron] == step)
          adjointSpike[neuron] -= options.dtMs * errors[neuron];
      }
    } else if (loss.kind == LossKind::MaxVoltage) {
      const std::vector<int32_t> &bestStep = maxStep[lossPopulation];
      for (size_t neuron = 0; neuron < bestStep.size(); ++neuron) {
        if (bestStep[neuron] == step)
          adjointV[lossPopulation][neuron] += errors[neuron];
      }
    }

    if (grid.kernels) {
      kernelBackwardStep(step, gradients);
      continue;
    }

    // Deliveries of this step, in reverse: they need aI of this step, which
    // is complete, and feed the spike adjoints of this or earlier steps.
    for (size_t index = network.projections.size(); index-- > 0;)
      backwardProjection(static_cast<int32_t>(index), step, gradients);

    // The spike and reset of this step, then the decay back to step - 1.
    for (size_t index = 0; index < numPopulations; ++index) {
      const Population &population = network.populations[index];
      if (population.kind == PopulationKind::Source)
        continue;
      const Propagator &propagator = grid.propagators[index];
      int32_t size = population.size;
      double *aV = adjointV[index].data();
      double *aI = adjointI[index].data();
      if (population.kind == PopulationKind::LIF) {
        double *adjointSpike = adjointSpikeRing[index].data() +
                               ringSlot(step, grid.ringDepth[index], size);
        const double *preReset =
            voltageRecord[index].data() + static_cast<size_t>(step) * size;
        const uint8_t *flags =
            flagRecord[index].data() + static_cast<size_t>(step) * size;
        double *thresholdGradient = population.learnThreshold
                                        ? gradients.threshold[index].data()
                                        : nullptr;
        for (int32_t neuron = 0; neuron < size; ++neuron) {
          double spikeError = adjointSpike[neuron];
          adjointSpike[neuron] = 0;
          if (flags[neuron] & kClampFlag) {
            // V was held at reset: nothing flows back through it.
            aV[neuron] = 0;
            continue;
          }
          double pass =
              spikeError * surrogateSlope(options, preReset[neuron],
                                          population.threshold[neuron]);
          if (flags[neuron] & kSpikeFlag)
            aV[neuron] = 0;
          aV[neuron] += pass;
          if (thresholdGradient)
            thresholdGradient[neuron] -= pass;
        }
        traffic->read(Phase::Backward, MemoryClass::Record, size * 9);
        traffic->read(Phase::Backward, MemoryClass::State, size * 16);
        traffic->write(Phase::Backward, MemoryClass::State, size * 8);
        if (thresholdGradient) {
          traffic->read(Phase::Backward, MemoryClass::Grad, size * 8);
          traffic->write(Phase::Backward, MemoryClass::Grad, size * 8);
        }
      }
      for (int32_t neuron = 0; neuron < size; ++neuron) {
        double voltageError = aV[neuron];
        aV[neuron] = propagator.memDecay * voltageError;
        aI[neuron] = propagator.coupling * voltageError +
                     propagator.synDecay * aI[neuron];
      }
      traffic->read(Phase::Backward, MemoryClass::State, size * 16);
      traffic->write(Phase::Backward, MemoryClass::State, size * 16);
    }
  }
}

std::string Stepper::run(const Sample &sample, TimeStepResult &result,
                         Gradients *gradients, TrafficCounters &counters) {
  traffic = &counters;
  if (std::string error = binInputs(sample); !error.empty())
    return error;
  if (sample.label >= 0 && network.loss.kind != LossKind::None &&
      sample.label >= network.populations[network.loss.population].size)
    return "sample label " + std::to_string(sample.label) +
           " is out of range for loss population '" +
           network.populations[network.loss.population].name + "' of size " +
           std::to_string(network.populations[network.loss.population].size);
  bool training =
      gradients && sample.label >= 0 && network.loss.kind != LossKind::None;
  initialise(training);
  result = TimeStepResult();
  result.spikes.resize(network.populations.size());

  nextInput = 0;
  for (int32_t step = 0; step < grid.steps; ++step) {
    if (std::string error = forwardStep(step, training, result); !error.empty())
      return error;
  }
  finishForward(sample, result);
  if (training)
    backward(sample.label, result, *gradients);
  return "";
}

/// What one fixed block of consecutive samples adds to a batch.
struct BlockResult {
  double lossSum = 0;
  int32_t correct = 0;
  Gradients gradients;
  TrafficCounters traffic;
  std::string error;
};

} // namespace

std::string runTimeStep(const Network &network, const Sample &sample,
                        const TimeStepOptions &options, TimeStepResult &result,
                        Gradients *gradients, TrafficCounters *traffic) {
  Grid grid;
  if (std::string error = buildGrid(network, options, grid); !error.empty())
    return error;
  Stepper stepper(grid);
  TrafficCounters counters;
  std::string error = stepper.run(sample, result, gradients, counters);
  if (traffic)
    *traffic += counters;
  return error;
}

BatchResult runTimeStepBatch(const Network &network,
                             const std::vector<Sample> &batch,
                             bool computeGradients, int threads,
                             const TimeStepOptions &options) {
  BatchResult result;
  if (threads < 1) {
    result.error =
        "threads must be at least 1 (got " + std::to_string(threads) + ")";
    return result;
  }
  Grid grid;
  if (std::string error = buildGrid(network, options, grid); !error.empty()) {
    result.error = error;
    return result;
  }
  result.gradients = Gradients::zerosLike(network);

  // Fixed blocks summed in block order make the floating-point sums
  // independent of which thread ran which block.
  constexpr size_t kBlockSize = 4;
  size_t numBlocks = (batch.size() + kBlockSize - 1) / kBlockSize;
  std::vector<BlockResult> blocks(numBlocks);
  std::atomic<size_t> nextBlock{0};
  auto worker = [&]() {
    Stepper stepper(grid);
    TimeStepResult forward;
    for (size_t index = nextBlock++; index < numBlocks; index = nextBlock++) {
      BlockResult &block = blocks[index];
      if (computeGradients)
        block.gradients = Gradients::zerosLike(network);
      size_t begin = index * kBlockSize;
      size_t end = std::min(batch.size(), begin + kBlockSize);
      for (size_t sample = begin; sample < end; ++sample) {
        std::string error = stepper.run(
            batch[sample], forward,
            computeGradients ? &block.gradients : nullptr, block.traffic);
        if (!error.empty()) {
          block.error = "sample " + std::to_string(sample) + ": " + error;
          break;
        }
        block.lossSum += forward.loss;
        if (batch[sample].label >= 0 &&
            forward.prediction == batch[sample].label)
          ++block.correct;
      }
    }
  };
  int numWorkers = static_cast<int>(std::min<size_t>(
      static_cast<size_t>(threads), std::max<size_t>(numBlocks, 1)));
  std::vector<std::thread> workers;
  for (int index = 1; index < numWorkers; ++index)
    workers.emplace_back(worker);
  worker();
  for (std::thread &thread : workers)
    thread.join();

  for (BlockResult &block : blocks) {
    if (result.error.empty() && !block.error.empty())
      result.error = block.error;
    result.lossSum += block.lossSum;
    result.correct += block.correct;
    result.traffic += block.traffic;
    if (computeGradients && block.error.empty())
      result.gradients += block.gradients;
  }
  return result;
}

} // namespace snnc::runtime
