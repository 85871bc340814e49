//===- EventPropBenchmark.cpp - Throughput of the exact method ------------===//
//
// Delivered synaptic events per second in the forward and backward passes
// of dense layers, the cost of one threshold-crossing solve, and whole
// forward + backward samples of a Yin-Yang-shaped network.
//
//===----------------------------------------------------------------------===//

#include "runtime/Crossing.h"
#include "runtime/EventProp.h"

#include <benchmark/benchmark.h>

#include <random>

using namespace snnc::runtime;

namespace {

Population lifPopulation(const char *name, int32_t size, double tauMemMs,
                         double tauSynMs) {
  Population population;
  population.name = name;
  population.size = size;
  population.tauMemMs = tauMemMs;
  population.tauSynMs = tauSynMs;
  population.threshold.assign(size, 1.0);
  return population;
}

/// `inputs` source channels densely connected to `neurons` LIF neurons with
/// small random weights, so that most deliveries leave neurons below
/// threshold (the common case the crossing filter serves), and a sample
/// where every channel fires `spikesPerChannel` times over 50 ms.
void makeDenseLayer(int32_t inputs, int32_t neurons, int32_t spikesPerChannel,
                    Network &network, Sample &sample) {
  network = Network();
  network.durationMs = 60;
  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = inputs;
  network.populations = {source, lifPopulation("hidden", neurons, 20, 5)};
  Projection projection;
  projection.name = "in_hidden";
  projection.pre = 0;
  projection.post = 1;
  std::mt19937_64 random(1);
  std::normal_distribution<double> weight(0.0, 0.02);
  for (size_t synapse = 0; synapse < static_cast<size_t>(inputs) * neurons;
       ++synapse)
    projection.weight.push_back(weight(random));
  network.projections = {projection};
  network.loss.kind = LossKind::TimeToFirstSpike;
  network.loss.population = 1;
  network.loss.tau0Ms = 0.5;
  network.loss.tau1Ms = 6.4;
  network.loss.alpha = 3e-3;

  std::uniform_real_distribution<double> time(0.0, 50.0);
  sample = Sample();
  for (int32_t channel = 0; channel < inputs; ++channel) {
    for (int32_t spike = 0; spike < spikesPerChannel; ++spike)
      sample.spikes.push_back({0, channel, time(random)});
  }
  sample.label = 0;
}

void BM_ForwardDenseEvents(benchmark::State &state) {
  Network network;
  Sample sample;
  makeDenseLayer(1000, 1000, 2, network, sample);
  PreparedNetwork prepared;
  if (!prepareNetwork(network, prepared).empty()) {
    state.SkipWithError("invalid network");
    return;
  }
  ForwardResult result;
  uint64_t events = 0;
  for (auto _ : state) {
    TrafficCounters traffic;
    runForward(prepared, sample, result, &traffic);
    events += traffic.synapticOps[static_cast<int>(Phase::Forward)];
    benchmark::DoNotOptimize(result.loss);
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ForwardDenseEvents)->Unit(benchmark::kMillisecond);

void BM_BackwardDenseEvents(benchmark::State &state) {
  Network network;
  Sample sample;
  makeDenseLayer(1000, 1000, 2, network, sample);
  PreparedNetwork prepared;
  ForwardResult forward;
  if (!prepareNetwork(network, prepared).empty() ||
      !runForward(prepared, sample, forward, nullptr).empty()) {
    state.SkipWithError("forward pass failed");
    return;
  }
  Gradients gradients = Gradients::zerosLike(network);
  uint64_t events = 0;
  for (auto _ : state) {
    TrafficCounters traffic;
    runBackward(prepared, sample, forward, gradients, &traffic);
    events += traffic.synapticOps[static_cast<int>(Phase::Backward)];
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BackwardDenseEvents)->Unit(benchmark::kMillisecond);

void BM_CrossingSolve(benchmark::State &state) {
  LIFConstants constants = LIFConstants::make(20, 5);
  std::mt19937_64 random(2);
  std::uniform_real_distribution<double> current(1.5, 6.0);
  std::vector<double> currents(1024);
  for (double &value : currents)
    value = current(random);
  size_t index = 0;
  for (auto _ : state) {
    double offset = thresholdCrossingOffset(
        constants, 0.1, currents[index++ & 1023], 1.0, 100.0);
    benchmark::DoNotOptimize(offset);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CrossingSolve);

/// 5 inputs -> 120 LIF -> 3 LIF with the time-to-first-spike loss, inputs
/// (x, y, 1 - x, 1 - y and a bias) at times in [0, 30] ms.
void makeYinYang(Network &network, std::vector<Sample> &samples) {
  network = Network();
  network.durationMs = 60;
  Population source;
  source.name = "in";
  source.kind = PopulationKind::Source;
  source.size = 5;
  network.populations = {source, lifPopulation("hidden", 120, 20, 5),
                         lifPopulation("out", 3, 20, 5)};
  std::mt19937_64 random(3);
  std::normal_distribution<double> hiddenWeight(1.5, 1.0);
  std::normal_distribution<double> outputWeight(0.3, 0.4);
  Projection first;
  first.name = "in_hidden";
  first.pre = 0;
  first.post = 1;
  for (int synapse = 0; synapse < 120 * 5; ++synapse)
    first.weight.push_back(hiddenWeight(random));
  Projection second;
  second.name = "hidden_out";
  second.pre = 1;
  second.post = 2;
  for (int synapse = 0; synapse < 3 * 120; ++synapse)
    second.weight.push_back(outputWeight(random));
  network.projections = {first, second};
  network.loss.kind = LossKind::TimeToFirstSpike;
  network.loss.population = 2;
  network.loss.tau0Ms = 0.5;
  network.loss.tau1Ms = 6.4;
  network.loss.alpha = 3e-3;

  std::uniform_real_distribution<double> coordinate(0.0, 1.0);
  samples.clear();
  for (int index = 0; index < 64; ++index) {
    double x = coordinate(random);
    double y = coordinate(random);
    Sample sample;
    const double values[4] = {x, y, 1 - x, 1 - y};
    for (int32_t channel = 0; channel < 4; ++channel)
      sample.spikes.push_back({0, channel, 30.0 * values[channel]});
    sample.spikes.push_back({0, 4, 0.0});
    sample.label = index % 3;
    samples.push_back(sample);
  }
}

void BM_YinYangSample(benchmark::State &state) {
  Network network;
  std::vector<Sample> samples;
  makeYinYang(network, samples);
  PreparedNetwork prepared;
  if (!prepareNetwork(network, prepared).empty()) {
    state.SkipWithError("invalid network");
    return;
  }
  Gradients gradients = Gradients::zerosLike(network);
  ForwardResult forward;
  uint64_t events = 0;
  uint64_t spikes = 0;
  size_t index = 0;
  for (auto _ : state) {
    const Sample &sample = samples[index++ % samples.size()];
    TrafficCounters traffic;
    runForward(prepared, sample, forward, &traffic);
    runBackward(prepared, sample, forward, gradients, &traffic);
    events += traffic.synapticOps[static_cast<int>(Phase::Forward)] +
              traffic.synapticOps[static_cast<int>(Phase::Backward)];
    spikes += forward.spikes[1].size() + forward.spikes[2].size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events/sample"] = benchmark::Counter(
      static_cast<double>(events) / static_cast<double>(state.iterations()));
  state.counters["spikes/sample"] = benchmark::Counter(
      static_cast<double>(spikes) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_YinYangSample)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
