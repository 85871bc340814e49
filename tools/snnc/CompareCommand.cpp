//===- CompareCommand.cpp - snnc compare ----------------------------------===//
//
// Trains one model twice from the same initial parameters, on the same data
// and in the same sample order: with the exact event-driven method and with
// the time-stepped surrogate-gradient BPTT baseline at each requested step
// dt. Prints one table of test accuracy, spike-time error against the exact
// solution, bytes moved per training sample per phase, their ratio, energy
// and wall time; writes compare.json and compare.svg with --report.
//
// Spike-time error of a BPTT-trained network: its parameters are simulated
// on the grid and exactly; over the test set and the output neurons that
// fire in both, the mean |t_grid - t_exact| of the first output spike.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "snnc/Driver/Model.h"

#include "dialects/SNN/SNNOps.h"
#include "runtime/Datasets.h"
#include "runtime/Energy.h"
#include "runtime/EventProp.h"
#include "runtime/Json.h"
#include "runtime/Optimizer.h"
#include "runtime/Random.h"
#include "runtime/Svg.h"
#include "runtime/TimeStep.h"
#include "runtime/Trainer.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <thread>

using namespace snnc;
using namespace snnc::driver;
namespace cl = llvm::cl;

cl::SubCommand snnc::driver::compareCommand(
    "compare", "Train with the exact method and with surrogate-gradient BPTT "
               "and compare accuracy, spike timing and memory traffic");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::sub(compareCommand));
static cl::opt<std::string> dataName("data", cl::Required,
                                     cl::desc("Data set (yinyang, events, "
                                              "digits, fashion-mnist, ...)"),
                                     cl::sub(compareCommand));
static cl::list<double>
    stepSizes("dt", cl::CommaSeparated,
              cl::desc("Time steps of the BPTT baseline in ms (a list "
                       "sweeps them; default 0.5)"),
              cl::sub(compareCommand));
static cl::opt<int> epochs("epochs", cl::init(3),
                           cl::desc("Training epochs of each method"),
                           cl::sub(compareCommand));
static cl::opt<int> batchSize("batch-size", cl::init(32),
                              cl::desc("Samples per mini-batch"),
                              cl::sub(compareCommand));
static cl::opt<double> learningRate("lr", cl::init(5e-3),
                                    cl::desc("Adam learning rate of both "
                                             "methods"),
                                    cl::sub(compareCommand));
static cl::opt<double> slope("slope", cl::init(10),
                             cl::desc("Steepness of the fast-sigmoid "
                                      "surrogate, per unit of voltage"),
                             cl::sub(compareCommand));
static cl::opt<int> trainSize("train-size", cl::init(-1),
                              cl::desc("Training samples to use (default: "
                                       "the data set's)"),
                              cl::sub(compareCommand));
static cl::opt<int> testSize("test-size", cl::init(-1),
                             cl::desc("Test samples to use"),
                             cl::sub(compareCommand));
static cl::opt<unsigned long long>
    seed("seed", cl::init(1),
         cl::desc("Seed of the shuffles (the same for both methods)"),
         cl::sub(compareCommand));
static cl::opt<int>
    seedCount("seeds", cl::init(1),
              cl::desc("Train every configuration this many times, with "
                       "shuffle seeds --seed, --seed + 1, ...; the table "
                       "gives the mean and standard deviation over them"),
              cl::sub(compareCommand));
static cl::opt<bool> redrawWeights(
    "redraw-weights",
    cl::desc("Give every seed its own initial weights, drawn per "
             "projection from a normal distribution with the mean and "
             "standard deviation of the model's (both methods get the "
             "same draw)"),
    cl::sub(compareCommand));
static cl::opt<int>
    validationSize("validation-size", cl::init(0),
                   cl::desc("Validation samples; with them every run keeps "
                            "the parameters of its best validation epoch "
                            "(default 0: the last epoch)"),
                   cl::sub(compareCommand));
static cl::opt<int>
    patience("patience", cl::init(0),
             cl::desc("Stop after this many epochs without a better "
                      "validation accuracy (0: never)"),
             cl::sub(compareCommand));
static cl::opt<std::string>
    scheduleName("schedule", cl::init("constant"),
                 cl::desc("Learning-rate schedule: constant (default) or "
                          "cosine"),
                 cl::sub(compareCommand));
static cl::opt<double>
    maxGradientNorm("max-grad-norm", cl::init(0),
                    cl::desc("Clip the gradient's L2 norm (default 0: "
                             "never)"),
                    cl::sub(compareCommand));
static cl::opt<std::string>
    learnList("learn",
              cl::desc("Parameters to learn: weights, delays, thresholds "
                       "(default: as the model says); the baseline keeps "
                       "delays fixed and learns the rest"),
              cl::value_desc("list"), cl::sub(compareCommand));
static cl::opt<double>
    delayRateScale("delay-lr-scale", cl::init(20),
                   cl::desc("Learning-rate multiplier of delays"),
                   cl::sub(compareCommand));
static cl::opt<double>
    thresholdRateScale("threshold-lr-scale", cl::init(1),
                       cl::desc("Learning-rate multiplier of thresholds"),
                       cl::sub(compareCommand));
static cl::opt<int> threads("threads", cl::init(0),
                            cl::desc("Worker threads (default: all cores)"),
                            cl::sub(compareCommand));
static cl::opt<std::string>
    energyName("energy", cl::init("cmos45"),
               cl::desc("Energy table: loihi or cmos45"),
               cl::sub(compareCommand));
static cl::opt<std::string>
    reportDir("report", cl::desc("Folder for compare.json and compare.svg"),
              cl::value_desc("dir"), cl::sub(compareCommand));
static cl::opt<std::string>
    networkName("network",
                cl::desc("Network to run when the model has several"),
                cl::sub(compareCommand));
static cl::opt<bool> quiet("quiet", cl::desc("Print only the table"),
                           cl::sub(compareCommand));

namespace {

/// One trained network and what it was measured at.
struct MethodResult {
  std::string method;
  /// 0 for the exact method.
  double dtMs = 0;
  double testAccuracy = 0;
  /// Accuracy of the same parameters simulated exactly (for BPTT: how the
  /// network would do on event-driven hardware).
  double exactAccuracy = 0;
  /// Mean |t_grid - t_exact| of first output spikes, and how many output
  /// neurons fired in one simulation but not the other.
  double spikeTimeErrorMs = 0;
  int64_t firingMismatches = 0;
  /// Summed over every training sample of every epoch.
  runtime::TrafficCounters traffic;
  int64_t trainSamples = 0;
  /// Wall time of the training epochs, validation passes excluded.
  double trainSeconds = 0;
  uint64_t seed = 0;
  /// The epoch (from 0) whose parameters were tested: the best validation
  /// epoch, or the last one without validation.
  int32_t keptEpoch = 0;
};

using BatchRunner = std::function<runtime::BatchResult(
    const runtime::Network &, const std::vector<runtime::Sample> &, bool)>;

/// Trains `network` through the trainer of `snnc train`: both methods get
/// the same shuffles, optimizer, schedule and best-epoch selection; only the
/// batch runner differs. Traffic and wall time count the training batches,
/// not the validation passes.
std::string train(runtime::Network &network, const runtime::Dataset &dataset,
                  const runtime::OptimizerOptions &optimizerOptions,
                  const BatchRunner &runBatch, MethodResult &result) {
  runtime::TrainerOptions options;
  options.epochs = epochs;
  options.batchSize = batchSize;
  options.seed = result.seed;
  options.patience = patience;
  options.optimizer = optimizerOptions;
  double validationSeconds = 0;
  options.batchRunner = [&](const runtime::Network &net,
                            const std::vector<runtime::Sample> &batch,
                            bool gradients, int,
                            const runtime::SimulationOptions &) {
    auto batchStart = std::chrono::steady_clock::now();
    runtime::BatchResult step = runBatch(net, batch, gradients);
    if (gradients) {
      result.traffic += step.traffic;
      result.trainSamples += static_cast<int64_t>(batch.size());
    } else {
      validationSeconds += std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - batchStart)
                               .count();
    }
    return step;
  };
  runtime::Trainer trainer(network, options);
  auto onEpoch = [&](const runtime::EpochMetrics &metrics) {
    if (quiet)
      return;
    char line[200];
    std::snprintf(line, sizeof(line),
                  "  %s seed %llu epoch %d/%d: loss %.4f, train accuracy "
                  "%.3f",
                  result.method.c_str(),
                  static_cast<unsigned long long>(result.seed),
                  metrics.epoch + 1, epochs.getValue(), metrics.trainLoss,
                  metrics.trainAccuracy);
    llvm::errs() << line;
    if (!dataset.validation.empty()) {
      std::snprintf(line, sizeof(line), ", validation accuracy %.3f",
                    metrics.validationAccuracy);
      llvm::errs() << line;
    }
    llvm::errs() << "\n";
  };
  auto start = std::chrono::steady_clock::now();
  if (std::string error =
          trainer.train(dataset.train, dataset.validation, nullptr, onEpoch);
      !error.empty())
    return error;
  result.trainSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count() -
      validationSeconds;
  result.keptEpoch =
      trainer.bestEpoch() >= 0 ? trainer.bestEpoch() : trainer.epochsDone() - 1;
  return "";
}

/// The starting point of the run with seed `runSeed`: the model's
/// parameters or, with --redraw-weights, weights drawn anew from a normal
/// distribution with the mean and standard deviation of each projection's.
runtime::Network startingNetwork(const runtime::Network &initial,
                                 uint64_t runSeed) {
  runtime::Network network = initial;
  if (!redrawWeights)
    return network;
  runtime::Rng rng(runtime::deriveSeed(runSeed, 1));
  for (runtime::Projection &projection : network.projections) {
    std::vector<double> &weights = projection.weight;
    if (weights.empty())
      continue;
    double mean = 0;
    for (double weight : weights)
      mean += weight;
    mean /= static_cast<double>(weights.size());
    double variance = 0;
    for (double weight : weights)
      variance += (weight - mean) * (weight - mean);
    double deviation =
        std::sqrt(variance / static_cast<double>(weights.size()));
    for (double &weight : weights)
      weight = mean + deviation * rng.normal();
  }
  return network;
}

/// Test accuracy of `network` through `runBatch`, in chunks.
std::string accuracyOf(const runtime::Network &network,
                       const std::vector<runtime::Sample> &samples,
                       const BatchRunner &runBatch, double &accuracy) {
  constexpr size_t kChunk = 256;
  int64_t correct = 0;
  for (size_t begin = 0; begin < samples.size(); begin += kChunk) {
    std::vector<runtime::Sample> chunk(
        samples.begin() + begin,
        samples.begin() + std::min(samples.size(), begin + kChunk));
    runtime::BatchResult result = runBatch(network, chunk, false);
    if (!result.error.empty())
      return result.error;
    correct += result.correct;
  }
  accuracy =
      samples.empty() ? 0 : static_cast<double>(correct) / samples.size();
  return "";
}

/// The spike-time error of the grid against the exact simulation of the
/// same parameters (see the file comment).
std::string spikeTimeError(const runtime::Network &network,
                           const std::vector<runtime::Sample> &samples,
                           const runtime::TimeStepOptions &options,
                           MethodResult &result) {
  double errorSum = 0;
  int64_t matched = 0;
  for (const runtime::Sample &sample : samples) {
    runtime::ForwardResult exact;
    if (std::string error =
            runtime::runForward(network, sample, exact, nullptr);
        !error.empty())
      return error;
    runtime::TimeStepResult stepped;
    if (std::string error = runtime::runTimeStep(network, sample, options,
                                                 stepped, nullptr, nullptr);
        !error.empty())
      return error;
    for (size_t neuron = 0; neuron < exact.outputs.size(); ++neuron) {
      bool exactFired = exact.outputs[neuron] < network.durationMs;
      bool steppedFired = stepped.outputs[neuron] < network.durationMs;
      if (exactFired && steppedFired) {
        errorSum += std::fabs(stepped.outputs[neuron] - exact.outputs[neuron]);
        ++matched;
      } else if (exactFired != steppedFired) {
        ++result.firingMismatches;
      }
    }
  }
  result.spikeTimeErrorMs =
      matched ? errorSum / matched : std::numeric_limits<double>::quiet_NaN();
  return "";
}

double perSample(uint64_t bytes, int64_t samples) {
  return samples > 0 ? static_cast<double>(bytes) / samples : 0;
}

/// One configuration (the exact method, or BPTT at one step) over its
/// seeds: means, and sample standard deviations of the accuracies (zero for
/// one seed).
struct Summary {
  std::string method;
  double dtMs = 0;
  std::vector<const MethodResult *> runs;
  double testMean = 0, testStd = 0;
  double exactMean = 0, exactStd = 0;
  /// Mean over the seeds whose outputs fired in both simulations; NaN
  /// when none did.
  double timingErrorMs = 0;
  double forwardBytes = 0, backwardBytes = 0, totalBytes = 0;
  double energyNj = 0;
  double trainSeconds = 0;
};

void meanAndDeviation(const std::vector<double> &values, double &mean,
                      double &deviation) {
  mean = 0;
  for (double value : values)
    mean += value;
  mean /= static_cast<double>(values.size());
  deviation = 0;
  for (double value : values)
    deviation += (value - mean) * (value - mean);
  deviation =
      values.size() > 1
          ? std::sqrt(deviation / static_cast<double>(values.size() - 1))
          : 0;
}

/// The summary of results[begin, begin + count).
Summary summarize(const std::vector<MethodResult> &results, size_t begin,
                  int count, const runtime::EnergyTable &energy) {
  Summary summary;
  summary.method = results[begin].method;
  summary.dtMs = results[begin].dtMs;
  std::vector<double> tests, exacts;
  double timingSum = 0;
  int timed = 0;
  for (size_t index = begin; index < begin + count; ++index) {
    const MethodResult &run = results[index];
    summary.runs.push_back(&run);
    tests.push_back(run.testAccuracy);
    exacts.push_back(run.exactAccuracy);
    if (!std::isnan(run.spikeTimeErrorMs)) {
      timingSum += run.spikeTimeErrorMs;
      ++timed;
    }
    summary.forwardBytes +=
        perSample(runtime::phaseBytes(run.traffic, runtime::Phase::Forward),
                  run.trainSamples) /
        count;
    summary.backwardBytes +=
        perSample(runtime::phaseBytes(run.traffic, runtime::Phase::Backward),
                  run.trainSamples) /
        count;
    summary.totalBytes +=
        perSample(run.traffic.totalBytes(), run.trainSamples) / count;
    summary.energyNj += runtime::estimateEnergy(run.traffic, energy).totalPj() *
                        1e-3 / std::max<int64_t>(run.trainSamples, 1) / count;
    summary.trainSeconds += run.trainSeconds / count;
  }
  meanAndDeviation(tests, summary.testMean, summary.testStd);
  meanAndDeviation(exacts, summary.exactMean, summary.exactStd);
  summary.timingErrorMs =
      timed ? timingSum / timed : std::numeric_limits<double>::quiet_NaN();
  return summary;
}

} // namespace

int snnc::driver::runCompare() {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(modelPath, context);
  if (!module)
    return 1;
  snn::NetworkOp networkOp = findNetwork(*module, networkName);
  if (!networkOp)
    return 1;
  mlir::FailureOr<runtime::Network> loaded = toRuntimeNetwork(networkOp);
  if (mlir::failed(loaded))
    return 1;
  runtime::Network &initial = *loaded;
  if (initial.loss.kind == runtime::LossKind::None)
    return fail(modelPath + ": network @" + initial.name +
                " has no loss to train");

  std::vector<double> dts(stepSizes.begin(), stepSizes.end());
  if (dts.empty())
    dts.push_back(0.5);
  for (double dt : dts) {
    runtime::TimeStepOptions options;
    options.dtMs = dt;
    options.slope = slope;
    if (std::string error = runtime::validateTimeStepOptions(initial, options);
        !error.empty())
      return fail("--dt/--slope: " + error);
  }
  if (epochs < 1)
    return fail("--epochs must be at least 1");
  if (batchSize < 1)
    return fail("--batch-size must be at least 1");
  if (seedCount < 1)
    return fail("--seeds must be at least 1 (got " +
                std::to_string(seedCount.getValue()) + ")");
  if (validationSize < 0)
    return fail("--validation-size must be non-negative (got " +
                std::to_string(validationSize.getValue()) + ")");
  if (patience < 0)
    return fail("--patience must be non-negative (got " +
                std::to_string(patience.getValue()) + ")");
  if (patience > 0 && validationSize == 0)
    return fail("--patience needs a validation set (--validation-size)");
  runtime::OptimizerOptions optimizerOptions;
  optimizerOptions.schedule.baseRate = learningRate;
  optimizerOptions.schedule.totalEpochs = epochs;
  if (scheduleName == "constant")
    optimizerOptions.schedule.kind = runtime::ScheduleKind::Constant;
  else if (scheduleName == "cosine")
    optimizerOptions.schedule.kind = runtime::ScheduleKind::Cosine;
  else
    return fail("--schedule: unknown schedule '" + scheduleName +
                "'; expected constant or cosine");
  optimizerOptions.maxGradientNorm = maxGradientNorm;
  optimizerOptions.delayRateScale = delayRateScale;
  optimizerOptions.thresholdRateScale = thresholdRateScale;
  if (std::string problem = runtime::Optimizer(optimizerOptions).validate();
      !problem.empty())
    return fail(problem);
  if (learnList.getNumOccurrences()) {
    runtime::LearnSelection selection;
    std::string problem;
    if (!runtime::parseLearnSelection(learnList, selection, problem))
      return fail("--learn: " + problem);
    runtime::applyLearnSelection(initial, selection);
  }
  // The baseline learns what the exact method learns except delays, which
  // it rounds to whole steps and keeps.
  runtime::Network bpttInitial = initial;
  for (runtime::Projection &projection : bpttInitial.projections)
    projection.learnDelay = false;
  runtime::EnergyTable energy;
  std::string error;
  if (!runtime::energyTable(energyName, energy, error))
    return fail("--energy: " + error);

  // The data set, addressed to the network's source population.
  runtime::DatasetOptions dataOptions;
  dataOptions.trainSize = trainSize;
  dataOptions.validationSize = validationSize;
  dataOptions.testSize = testSize;
  dataOptions.sourcePopulation = -1;
  for (size_t index = 0; index < initial.populations.size(); ++index) {
    if (initial.populations[index].kind == runtime::PopulationKind::Source) {
      dataOptions.sourcePopulation = static_cast<int32_t>(index);
      break;
    }
  }
  if (dataOptions.sourcePopulation < 0)
    return fail(modelPath + ": network @" + initial.name + " has no source");
  std::optional<runtime::Dataset> dataset =
      runtime::loadDataset(dataName, dataOptions, error);
  if (!dataset)
    return fail("--data " + dataName + ": " + error);
  const runtime::Population &source =
      initial.populations[dataOptions.sourcePopulation];
  if (dataset->inputChannels != source.size)
    return fail("--data " + dataName + " has " +
                std::to_string(dataset->inputChannels) +
                " input channels, but source '" + source.name + "' has " +
                std::to_string(source.size));
  int32_t outputs = initial.populations[initial.loss.population].size;
  if (dataset->classes > outputs)
    return fail("--data " + dataName + " has " +
                std::to_string(dataset->classes) +
                " classes, but the loss "
                "population has " +
                std::to_string(outputs) + " neurons");
  if (dataset->train.empty() || dataset->test.empty())
    return fail("--data " + dataName + ": empty training or test set");

  int workerThreads =
      threads > 0
          ? threads.getValue()
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<MethodResult> results;

  // The exact method first: it is the reference of every ratio. Seeds
  // follow one another within each configuration.
  {
    BatchRunner runner = [&](const runtime::Network &net,
                             const std::vector<runtime::Sample> &batch,
                             bool gradients) {
      return runtime::runBatch(net, batch, gradients, workerThreads);
    };
    if (!quiet)
      llvm::errs() << "training with the exact method\n";
    for (int seedIndex = 0; seedIndex < seedCount; ++seedIndex) {
      MethodResult result;
      result.method = "eventprop";
      result.seed = seed + seedIndex;
      runtime::Network network = startingNetwork(initial, result.seed);
      if (std::string problem =
              train(network, *dataset, optimizerOptions, runner, result);
          !problem.empty())
        return fail("eventprop: " + problem);
      if (std::string problem =
              accuracyOf(network, dataset->test, runner, result.testAccuracy);
          !problem.empty())
        return fail("eventprop test: " + problem);
      result.exactAccuracy = result.testAccuracy;
      results.push_back(result);
    }
  }

  for (double dt : dts) {
    runtime::TimeStepOptions options;
    options.dtMs = dt;
    options.slope = slope;
    if (getDefaultKernelSource() == KernelSource::Compiled) {
      auto kernels = compileTimeStepKernels(networkOp, initial, options);
      if (mlir::failed(kernels))
        return 1;
      options.kernels = *kernels;
    }
    BatchRunner runner = [&](const runtime::Network &net,
                             const std::vector<runtime::Sample> &batch,
                             bool gradients) {
      return runtime::runTimeStepBatch(net, batch, gradients, workerThreads,
                                       options);
    };
    BatchRunner exactRunner = [&](const runtime::Network &net,
                                  const std::vector<runtime::Sample> &batch,
                                  bool gradients) {
      return runtime::runBatch(net, batch, gradients, workerThreads);
    };
    if (!quiet)
      llvm::errs() << "training with BPTT at dt " << dt << " ms\n";
    for (int seedIndex = 0; seedIndex < seedCount; ++seedIndex) {
      MethodResult result;
      result.method = "bptt";
      result.dtMs = dt;
      result.seed = seed + seedIndex;
      runtime::Network network = startingNetwork(bpttInitial, result.seed);
      if (std::string problem =
              train(network, *dataset, optimizerOptions, runner, result);
          !problem.empty())
        return fail("bptt: " + problem);
      if (std::string problem =
              accuracyOf(network, dataset->test, runner, result.testAccuracy);
          !problem.empty())
        return fail("bptt test: " + problem);
      if (std::string problem = accuracyOf(network, dataset->test, exactRunner,
                                           result.exactAccuracy);
          !problem.empty())
        return fail("bptt test (exact simulation): " + problem);
      if (std::string problem =
              spikeTimeError(network, dataset->test, options, result);
          !problem.empty())
        return fail("bptt spike times: " + problem);
      results.push_back(result);
    }
  }

  // One summary per configuration; results hold seedCount runs of each in
  // turn, and the exact method's runs come first, seed by seed.
  std::vector<Summary> summaries;
  for (size_t begin = 0; begin < results.size(); begin += seedCount)
    summaries.push_back(summarize(results, begin, seedCount, energy));
  const Summary &exact = summaries.front();
  auto exactTotalOf = [&](size_t seedIndex) {
    const MethodResult &run = results[seedIndex];
    return perSample(run.traffic.totalBytes(), run.trainSamples);
  };
  auto dtText = [](const MethodResult &run) {
    if (run.method == "eventprop")
      return std::string("-");
    char text[32];
    std::snprintf(text, sizeof(text), "%g", run.dtMs);
    return std::string(text);
  };

  // The table: means over seeds, with the standard deviation of the
  // accuracies. Bytes are per training sample (forward and backward pass).
  char line[320];
  std::snprintf(line, sizeof(line),
                "%-9s %6s %5s %8s %8s %9s %9s %10s %12s %12s %12s %8s %12s "
                "%8s\n",
                "method", "dt_ms", "seeds", "test_acc", "test_std", "exact_acc",
                "exact_std", "t_err_ms", "fwd_B/samp", "bwd_B/samp",
                "total_B/samp", "ratio", "energy_nJ", "wall_s");
  llvm::outs() << line;
  const Summary *bestBptt = nullptr;
  for (const Summary &summary : summaries) {
    std::snprintf(line, sizeof(line),
                  "%-9s %6s %5d %8.4f %8.4f %9.4f %9.4f %10.4f %12.0f %12.0f "
                  "%12.0f %8.2f %12.2f %8.1f\n",
                  summary.method.c_str(), dtText(*summary.runs.front()).c_str(),
                  seedCount.getValue(), summary.testMean, summary.testStd,
                  summary.exactMean, summary.exactStd, summary.timingErrorMs,
                  summary.forwardBytes, summary.backwardBytes,
                  summary.totalBytes, summary.totalBytes / exact.totalBytes,
                  summary.energyNj, summary.trainSeconds);
    llvm::outs() << line;
    if (summary.method != "eventprop" &&
        (!bestBptt || summary.testMean > bestBptt->testMean))
      bestBptt = &summary;
  }
  std::snprintf(line, sizeof(line),
                "best bptt dt %g ms: accuracy %.4f +- %.4f vs exact %.4f +- "
                "%.4f (gap %+.4f), traffic ratio %.1fx\n",
                bestBptt->dtMs, bestBptt->testMean, bestBptt->testStd,
                exact.testMean, exact.testStd,
                exact.testMean - bestBptt->testMean,
                bestBptt->totalBytes / exact.totalBytes);
  llvm::outs() << line;

  // Every run: the epoch it kept, and its traffic against the exact run of
  // the same seed.
  llvm::outs() << "per seed:\n";
  std::snprintf(line, sizeof(line), "%-9s %6s %6s %6s %8s %9s %10s %12s %8s\n",
                "method", "dt_ms", "seed", "epoch", "test_acc", "exact_acc",
                "t_err_ms", "total_B/samp", "ratio");
  llvm::outs() << line;
  for (size_t index = 0; index < results.size(); ++index) {
    const MethodResult &run = results[index];
    double total = perSample(run.traffic.totalBytes(), run.trainSamples);
    std::snprintf(line, sizeof(line),
                  "%-9s %6s %6llu %6d %8.4f %9.4f %10.4f %12.0f %8.2f\n",
                  run.method.c_str(), dtText(run).c_str(),
                  static_cast<unsigned long long>(run.seed), run.keptEpoch + 1,
                  run.testAccuracy, run.exactAccuracy, run.spikeTimeErrorMs,
                  total, total / exactTotalOf(index % seedCount));
    llvm::outs() << line;
  }
  llvm::outs() << "(mean and sample standard deviation over " << seedCount
               << (seedCount == 1 ? " seed" : " seeds")
               << "; bytes and energy per training sample, forward + "
                  "backward; energy table "
               << energy.name << "; spike-time error over first output "
               << "spikes on the test set; epoch: the one tested, "
               << (dataset->validation.empty() ? "the last"
                                               : "the best on validation")
               << ")\n";

  if (reportDir.empty())
    return 0;
  if (std::error_code ec = llvm::sys::fs::create_directories(reportDir))
    return fail("cannot create report folder '" + reportDir +
                "': " + ec.message());

  runtime::JsonWriter json;
  json.beginObject();
  json.key("model").value(std::string(modelPath));
  json.key("data").value(std::string(dataName));
  json.key("epochs").value(static_cast<int64_t>(epochs));
  json.key("batch_size").value(static_cast<int64_t>(batchSize));
  json.key("lr").value(static_cast<double>(learningRate));
  json.key("schedule").value(std::string(scheduleName));
  json.key("max_grad_norm").value(static_cast<double>(maxGradientNorm));
  json.key("slope").value(static_cast<double>(slope));
  json.key("seeds").value(static_cast<int64_t>(seedCount));
  json.key("redraw_weights").value(static_cast<bool>(redrawWeights));
  json.key("train_samples").value(static_cast<int64_t>(dataset->train.size()));
  json.key("validation_samples")
      .value(static_cast<int64_t>(dataset->validation.size()));
  json.key("test_samples").value(static_cast<int64_t>(dataset->test.size()));
  json.key("energy_table").value(energy.name);
  json.key("energy_source").value(energy.source);
  json.key("runs").beginArray();
  for (size_t index = 0; index < results.size(); ++index) {
    const MethodResult &result = results[index];
    json.beginObject();
    json.key("method").value(result.method);
    if (result.method != "eventprop")
      json.key("dt_ms").value(result.dtMs);
    json.key("seed").value(static_cast<int64_t>(result.seed));
    json.key("kept_epoch").value(static_cast<int64_t>(result.keptEpoch + 1));
    json.key("test_accuracy").value(result.testAccuracy);
    json.key("exact_simulation_accuracy").value(result.exactAccuracy);
    json.key("spike_time_error_ms").value(result.spikeTimeErrorMs);
    json.key("firing_mismatches").value(result.firingMismatches);
    json.key("train_seconds").value(result.trainSeconds);
    json.key("bytes_per_sample").beginObject();
    for (int phase = 0; phase < runtime::kNumPhases; ++phase) {
      json.key(runtime::phaseName(static_cast<runtime::Phase>(phase)))
          .beginObject();
      for (int memoryClass = 0; memoryClass < runtime::kNumMemoryClasses;
           ++memoryClass) {
        json.key(runtime::memoryClassName(
                     static_cast<runtime::MemoryClass>(memoryClass)))
            .value(perSample(
                runtime::phaseClassBytes(
                    result.traffic, static_cast<runtime::Phase>(phase),
                    static_cast<runtime::MemoryClass>(memoryClass)),
                result.trainSamples));
      }
      json.endObject();
    }
    json.endObject();
    json.key("synaptic_ops_per_sample")
        .value(perSample(result.traffic.synapticOps[0] +
                             result.traffic.synapticOps[1],
                         result.trainSamples));
    json.key("energy_nj_per_sample")
        .value(runtime::estimateEnergy(result.traffic, energy).totalPj() *
               1e-3 / std::max<int64_t>(result.trainSamples, 1));
    json.key("traffic_ratio")
        .value(perSample(result.traffic.totalBytes(), result.trainSamples) /
               exactTotalOf(index % seedCount));
    json.endObject();
  }
  json.endArray();
  json.key("summary").beginArray();
  for (const Summary &summary : summaries) {
    json.beginObject();
    json.key("method").value(summary.method);
    if (summary.method != "eventprop")
      json.key("dt_ms").value(summary.dtMs);
    json.key("test_accuracy_mean").value(summary.testMean);
    json.key("test_accuracy_std").value(summary.testStd);
    json.key("exact_simulation_accuracy_mean").value(summary.exactMean);
    json.key("exact_simulation_accuracy_std").value(summary.exactStd);
    json.key("spike_time_error_ms").value(summary.timingErrorMs);
    json.key("total_bytes_per_sample").value(summary.totalBytes);
    json.key("traffic_ratio").value(summary.totalBytes / exact.totalBytes);
    json.key("energy_nj_per_sample").value(summary.energyNj);
    json.key("train_seconds").value(summary.trainSeconds);
    json.endObject();
  }
  json.endArray();
  json.endObject();
  if (!runtime::writeTextFile(reportDir + "/compare.json", json.str() + "\n",
                              error))
    return fail(error);

  // Accuracy (mean, and mean +- one standard deviation when there are
  // several seeds), traffic ratio and spike-time error against dt.
  runtime::LinePlot accuracyPlot, ratioPlot, timingPlot;
  accuracyPlot.title = "test accuracy";
  accuracyPlot.xLabel = ratioPlot.xLabel = timingPlot.xLabel = "dt (ms)";
  accuracyPlot.yLabel = "accuracy";
  ratioPlot.title = "memory traffic, BPTT / exact";
  ratioPlot.yLabel = "ratio";
  timingPlot.title = "spike-time error of BPTT";
  timingPlot.yLabel = "mean |t_grid - t_exact| (ms)";
  runtime::PlotSeries bpttAccuracy{"bptt", {}, {}, "", false, true};
  runtime::PlotSeries bpttLow{"bptt - std", {}, {}, "", true, false};
  runtime::PlotSeries bpttHigh{"bptt + std", {}, {}, "", true, false};
  runtime::PlotSeries exactLine{"eventprop", {}, {}, "", true, false};
  runtime::PlotSeries exactLow{"eventprop - std", {}, {}, "", true, false};
  runtime::PlotSeries exactHigh{"eventprop + std", {}, {}, "", true, false};
  runtime::PlotSeries ratio{"bptt / eventprop", {}, {}, "", false, true};
  runtime::PlotSeries timing{"bptt", {}, {}, "", false, true};
  double lowest = std::numeric_limits<double>::infinity(), highest = 0;
  for (const Summary &summary : summaries) {
    if (summary.method == "eventprop")
      continue;
    bpttAccuracy.x.push_back(summary.dtMs);
    bpttAccuracy.y.push_back(summary.testMean);
    bpttLow.x.push_back(summary.dtMs);
    bpttLow.y.push_back(summary.testMean - summary.testStd);
    bpttHigh.x.push_back(summary.dtMs);
    bpttHigh.y.push_back(summary.testMean + summary.testStd);
    ratio.x.push_back(summary.dtMs);
    ratio.y.push_back(summary.totalBytes / exact.totalBytes);
    timing.x.push_back(summary.dtMs);
    timing.y.push_back(summary.timingErrorMs);
    lowest = std::min(lowest, summary.dtMs);
    highest = std::max(highest, summary.dtMs);
  }
  exactLine.x = exactLow.x = exactHigh.x = {lowest, highest};
  exactLine.y = {exact.testMean, exact.testMean};
  exactLow.y = {exact.testMean - exact.testStd, exact.testMean - exact.testStd};
  exactHigh.y = {exact.testMean + exact.testStd,
                 exact.testMean + exact.testStd};
  accuracyPlot.series = {bpttAccuracy, exactLine};
  if (seedCount > 1)
    accuracyPlot.series.insert(accuracyPlot.series.end(),
                               {bpttLow, bpttHigh, exactLow, exactHigh});
  accuracyPlot.fixedYRange = true;
  ratioPlot.series = {ratio};
  timingPlot.series = {timing};
  if (!runtime::writeTextFile(
          reportDir + "/compare.svg",
          runtime::renderLinePlots({accuracyPlot, ratioPlot, timingPlot}, 3),
          error))
    return fail(error);
  if (!quiet)
    llvm::errs() << "report written to " << reportDir << "\n";
  return 0;
}
