//===- RunCommand.cpp - snnc run ------------------------------------------===//
//
// Runs a core image (written by `snnc compile --target ncore`) on the
// bit-accurate core simulator over the test split of a data set, and
// reports the accuracy and what the chip did per inference: traffic per
// memory class, spike messages, mesh hops, synaptic operations, neuron
// updates and energy, in total and per core.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Training.h"

#include "runtime/Energy.h"
#include "runtime/NCoreImage.h"
#include "runtime/NCoreSim.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdio>

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
  NCoreSimulator simulator(image);
  std::vector<NCoreCounters> cores;
  int32_t correct = 0;
  uint64_t spikes = 0;
  for (const Sample &sample : dataset->test) {
    NCoreSampleResult result;
    error = simulator.run(sample, result, cores);
    if (!error.empty())
      return fail(imagePath + ": " + error);
    correct += result.prediction == sample.label;
    spikes += result.spikes;
  }
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
  return 0;
}
