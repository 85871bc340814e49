//===- RunCommand.cpp - snnc run ------------------------------------------===//
//
// Runs a core image (written by `snnc compile --target ncore`) on the
// bit-accurate core simulator over the test split of a data set, and
// reports the accuracy and what the chip did per inference: traffic per
// memory class, spike messages, mesh hops, synaptic operations, neuron
// updates and energy, in total and per core. With --noise it also runs
// the test split on perturbed copies of the image, as a chip programmed
// with imprecise weights and thresholds and fed jittered spikes would run
// it, over several noise seeds (runtime/Noise.h, docs/ncore.md).
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Training.h"

#include "runtime/Energy.h"
#include "runtime/NCoreImage.h"
#include "runtime/NCoreSim.h"
#include "runtime/Noise.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

using namespace snnc;
using namespace snnc::driver;
using namespace snnc::runtime;
namespace cl = llvm::cl;

cl::SubCommand snnc::driver::runCommand(
    "run", "Run a core image on the core simulator over a data set");

static cl::opt<std::string> imagePath(cl::Positional, cl::Required,
                                      cl::desc("<model.img>"),
                                      cl::sub(runCommand));
static cl::opt<std::string>
    dataName("data", cl::Required,
             cl::desc("Data set: yinyang, yinyang-nobias, yinyang-published, "
                      "fashion-mnist, digits or events"),
             cl::value_desc("name"), cl::sub(runCommand));
static cl::opt<std::string>
    dataDir("data-dir", cl::desc("Directory holding the data set's files"),
            cl::value_desc("dir"), cl::sub(runCommand));
static cl::opt<unsigned long long>
    dataSeed("data-seed", cl::init(2021),
             cl::desc("Seed of generated data sets and their splits "
                      "(default 2021)"),
             cl::sub(runCommand));
static cl::opt<int> testSize("test-size", cl::init(-1),
                             cl::desc("Test samples to use (default all)"),
                             cl::sub(runCommand));
static cl::opt<bool> perCore("per-core",
                             cl::desc("Also print the counters of each core"),
                             cl::sub(runCommand));

static cl::opt<std::string>
    noiseText("noise",
              cl::desc("Also run under noise: relative weight and threshold "
                       "noise, spike-time jitter in ms, number of noise "
                       "seeds (default 5), as snnc eval --noise"),
              cl::value_desc("weight=R,threshold=R,jitter=MS[,seeds=N]"),
              cl::sub(runCommand));

/// A network with the image's populations and readout, which is all the
/// data set loader needs to check and address the inputs.
static Network describeImage(const NCoreImage &image) {
  Network network;
  network.name = image.network;
  network.durationMs = image.durationTicks * image.target.timeStepMs;
  for (const NCoreImagePopulation &imagePopulation : image.populations) {
    Population population;
    population.name = imagePopulation.name;
    population.kind = imagePopulation.kind;
    population.size = imagePopulation.size;
    network.populations.push_back(population);
  }
  network.loss.kind = image.readout == NCoreReadout::TimeToFirstSpike
                          ? LossKind::TimeToFirstSpike
                          : LossKind::MaxVoltage;
  network.loss.population = image.readoutPopulation;
  return network;
}

/// Perturbed parameters that left the number formats and were saturated.
struct NoiseSaturation {
  int64_t weights = 0;
  int64_t thresholds = 0;
};

/// A copy of `image` as a chip would hold it when programmed with the
/// weights and thresholds `snnc eval --noise` perturbs, under `seed`: each
/// nonzero integer weight times its factor, rounded to the nearest integer
/// and saturated to the weight bits; each integer threshold times its
/// factor, kept above reset as perturbNetwork keeps it, rounded and held
/// within 1 .. the state maximum (and above reset). The factors are those
/// of the float network: the tables are cut from the projections in
/// network order, so each entry finds its place in its projection.
static NCoreImage perturbImage(const NCoreImage &image,
                               const NoiseOptions &options, uint64_t seed,
                               NoiseSaturation &saturated) {
  NCoreImage perturbed = image;

  // Projections in the order of their first table, and their sizes.
  std::vector<std::string> projections;
  std::vector<size_t> projectionSizes;
  std::vector<size_t> projectionOf;
  for (const NCoreImageSynapses &table : image.synapses) {
    auto found =
        std::find(projections.begin(), projections.end(), table.projection);
    if (found == projections.end()) {
      int32_t pre = image.blocks[table.pre].population;
      int32_t post = image.blocks[table.post].population;
      projections.push_back(table.projection);
      projectionSizes.push_back(size_t(image.populations[pre].size) *
                                image.populations[post].size);
      found = projections.end() - 1;
    }
    projectionOf.push_back(found - projections.begin());
  }

  // Weights: entry [j][i] of a table is entry [post.offset + j][pre.offset
  // + i] of its projection.
  std::vector<std::vector<double>> weightFactors =
      weightNoiseFactors(projectionSizes, options, seed);
  const int64_t weightMax = (int64_t(1) << (image.target.weightBits - 1)) - 1;
  for (size_t index = 0; index < perturbed.synapses.size(); ++index) {
    NCoreImageSynapses &table = perturbed.synapses[index];
    const NCoreImageBlock &pre = image.blocks[table.pre];
    const NCoreImageBlock &post = image.blocks[table.post];
    const std::vector<double> &factors = weightFactors[projectionOf[index]];
    size_t preSize = image.populations[pre.population].size;
    for (int32_t j = 0; j < post.size; ++j) {
      for (int32_t i = 0; i < pre.size; ++i) {
        int16_t &weight = table.weight[size_t(j) * pre.size + i];
        if (weight == 0)
          continue;
        double factor =
            factors[size_t(post.offset + j) * preSize + pre.offset + i];
        int64_t value = std::llround(weight * factor);
        if (value > weightMax || value < -weightMax)
          ++saturated.weights;
        weight = static_cast<int16_t>(
            std::clamp<int64_t>(value, -weightMax, weightMax));
      }
    }
  }

  // Thresholds: one list per population, LIF neurons only.
  std::vector<size_t> thresholdCounts;
  for (const NCoreImagePopulation &population : image.populations)
    thresholdCounts.push_back(
        population.kind == PopulationKind::LIF ? population.size : 0);
  std::vector<std::vector<double>> thresholdFactors =
      thresholdNoiseFactors(thresholdCounts, options, seed);
  const int64_t stateMax = (int64_t(1) << (image.target.stateBits - 1)) - 1;
  for (NCoreImageBlock &block : perturbed.blocks) {
    const std::vector<double> &factors = thresholdFactors[block.population];
    for (size_t i = 0; i < block.threshold.size(); ++i) {
      int32_t &threshold = block.threshold[i];
      double value = threshold * factors[block.offset + i];
      bool aboveReset = threshold > block.reset;
      if (aboveReset)
        value = std::max(value, block.reset + kMinThresholdFraction *
                                                  (threshold - block.reset));
      int64_t rounded = std::llround(value);
      if (aboveReset)
        rounded = std::max<int64_t>(rounded, int64_t(block.reset) + 1);
      if (rounded > stateMax || rounded < 1)
        ++saturated.thresholds;
      threshold =
          static_cast<int32_t>(std::clamp<int64_t>(rounded, 1, stateMax));
    }
  }
  return perturbed;
}

/// Runs `samples` through `image`, counting correct predictions and
/// adding what each core did to `cores`. Returns an error or "".
static std::string runSamples(const NCoreImage &image,
                              const std::vector<Sample> &samples,
                              int32_t &correct, uint64_t &spikes,
                              std::vector<NCoreCounters> &cores) {
  NCoreSimulator simulator(image);
  correct = 0;
  spikes = 0;
  for (const Sample &sample : samples) {
    NCoreSampleResult result;
    std::string error = simulator.run(sample, result, cores);
    if (!error.empty())
      return error;
    correct += result.prediction == sample.label;
    spikes += result.spikes;
  }
  return "";
}

/// One line of per-inference figures.
static void printCounters(const char *label, const NCoreCounters &counters,
                          const NCoreTarget &target, double samples) {
  char line[256];
  auto bytes = [&](MemoryClass memoryClass) {
    return phaseClassBytes(counters.traffic, Phase::Forward, memoryClass) /
           samples;
  };
  NCoreEnergy energy = ncoreEnergy(counters, target);
  std::snprintf(line, sizeof line,
                "%-8s %10.1f %10.1f %10.1f %10.1f %9.1f %9.1f %9.1f %9.1f "
                "%10.2f\n",
                label, bytes(MemoryClass::Synapse), bytes(MemoryClass::State),
                bytes(MemoryClass::Queue), bytes(MemoryClass::Noc),
                counters.spikeMessages / samples, counters.meshHops / samples,
                counters.synapticOps() / samples,
                counters.neuronUpdates / samples,
                energy.totalPj() / samples / 1000.0);
  llvm::outs() << line;
}

int snnc::driver::runRun() {
  NCoreImage image;
  std::string error;
  if (!loadNCoreImageFile(imagePath, image, error))
    return fail(error);
  Network network = describeImage(image);
  std::optional<NoiseOptions> noise;
  if (noiseText.getNumOccurrences()) {
    NoiseOptions parsed;
    if (!parseNoiseOptions(noiseText, parsed, error))
      return fail(error);
    noise = parsed;
  }

  DatasetOptions dataOptions;
  dataOptions.seed = dataSeed;
  dataOptions.dataDir = dataDir;
  dataOptions.trainSize = 0;
  dataOptions.validationSize = 0;
  dataOptions.testSize = testSize;
  std::optional<Dataset> dataset =
      loadDatasetFor(network, dataName, dataOptions, error);
  if (!dataset)
    return fail(error);
  if (dataset->test.empty())
    return fail("data set '" + dataName + "' has no test samples");

  // Every test sample through the simulator.
  std::vector<NCoreCounters> cores;
  int32_t correct = 0;
  uint64_t spikes = 0;
  error = runSamples(image, dataset->test, correct, spikes, cores);
  if (!error.empty())
    return fail(imagePath + ": " + error);
  double samples = dataset->test.size();
  NCoreCounters total;
  for (const NCoreCounters &core : cores)
    total += core;

  int64_t neurons = 0;
  for (const NCoreImageBlock &block : image.blocks)
    neurons += block.size;
  char line[256];
  std::snprintf(line, sizeof line,
                "image: @%s on '%s' (%lld of %lld cores, %lld neurons, "
                "%lld-bit weights, %g ms ticks)\n",
                image.network.c_str(), image.target.preset.c_str(),
                static_cast<long long>(image.cores.size()),
                static_cast<long long>(image.target.cores),
                static_cast<long long>(neurons),
                static_cast<long long>(image.target.weightBits),
                image.target.timeStepMs);
  llvm::outs() << line;
  std::snprintf(line, sizeof line,
                "test accuracy: %.2f%% (%d/%d), %.1f spikes per inference\n",
                100.0 * correct / samples, correct,
                static_cast<int>(dataset->test.size()), spikes / samples);
  llvm::outs() << line;

  NCoreEnergy energy = ncoreEnergy(total, image.target);
  std::snprintf(line, sizeof line,
                "energy per inference: %.2f nJ (synaptic ops %.2f, neuron "
                "updates %.2f, spike messages %.2f, mesh hops %.2f)\n",
                energy.totalPj() / samples / 1000,
                energy.synapticOpsPj / samples / 1000,
                energy.neuronUpdatesPj / samples / 1000,
                energy.spikeMessagesPj / samples / 1000,
                energy.meshHopsPj / samples / 1000);
  llvm::outs() << line;
  llvm::outs() << "per inference: bytes (read + written) per memory class, "
                  "messages, hops, synaptic ops, neuron updates, energy\n";
  std::snprintf(line, sizeof line,
                "%-8s %10s %10s %10s %10s %9s %9s %9s %9s %10s\n", "core",
                "synapse", "state", "queue", "noc", "messages", "hops",
                "syn-ops", "updates", "energy-nJ");
  llvm::outs() << line;
  printCounters("all", total, image.target, samples);
  if (perCore)
    for (size_t index = 0; index < cores.size(); ++index)
      printCounters(std::to_string(image.cores[index].index).c_str(),
                    cores[index], image.target, samples);
  if (!noise)
    return 0;

  // Seed s perturbs a copy of the image and of the test set with the draws
  // snnc eval --noise uses for seed s.
  std::vector<double> accuracies, energies;
  std::vector<NoiseSaturation> saturations;
  for (int32_t seed = 0; seed < noise->seeds; ++seed) {
    NoiseSaturation saturated;
    NCoreImage perturbed = perturbImage(image, *noise, seed, saturated);
    if (std::string problem = perturbed.validate(); !problem.empty())
      return fail("noise seed " + std::to_string(seed) +
                  ": perturbed image: " + problem);
    std::vector<Sample> jittered = jitterSamples(dataset->test, *noise, seed);
    std::vector<NCoreCounters> noisyCores;
    int32_t noisyCorrect = 0;
    uint64_t noisySpikes = 0;
    error =
        runSamples(perturbed, jittered, noisyCorrect, noisySpikes, noisyCores);
    if (!error.empty())
      return fail(imagePath + ": noise seed " + std::to_string(seed) + ": " +
                  error);
    NCoreCounters noisyTotal;
    for (const NCoreCounters &core : noisyCores)
      noisyTotal += core;
    accuracies.push_back(noisyCorrect / samples);
    energies.push_back(ncoreEnergy(noisyTotal, image.target).totalPj() /
                       samples / 1000);
    saturations.push_back(saturated);
  }
  double mean = 0, deviation = 0;
  for (double accuracy : accuracies)
    mean += accuracy;
  mean /= accuracies.size();
  // The sample standard deviation over seeds; zero with one seed.
  for (double accuracy : accuracies)
    deviation += (accuracy - mean) * (accuracy - mean);
  if (accuracies.size() > 1)
    deviation = std::sqrt(deviation / (accuracies.size() - 1));
  std::snprintf(line, sizeof line,
                "noisy test accuracy: %.2f%% +- %.2f%% over %d seeds "
                "(noiseless %.2f%%; %s)\n",
                100 * mean, 100 * deviation, noise->seeds,
                100.0 * correct / samples, describeNoise(*noise).c_str());
  llvm::outs() << line;
  for (size_t seed = 0; seed < accuracies.size(); ++seed) {
    std::snprintf(line, sizeof line,
                  "  noise seed %zu: %.2f%%, %.2f nJ per inference, "
                  "%lld weights and %lld thresholds saturated\n",
                  seed, 100 * accuracies[seed], energies[seed],
                  static_cast<long long>(saturations[seed].weights),
                  static_cast<long long>(saturations[seed].thresholds));
    llvm::outs() << line;
  }
  return 0;
}
