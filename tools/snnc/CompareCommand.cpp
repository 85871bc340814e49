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
  double trainSeconds = 0;
};

using BatchRunner = std::function<runtime::BatchResult(
    const runtime::Network &, const std::vector<runtime::Sample> &, bool)>;

/// The mini-batch loop both methods share: the same shuffles, the same
/// optimizer, only the batch runner differs.
std::string train(runtime::Network &network,
                  const std::vector<runtime::Sample> &trainSet,
                  const BatchRunner &runBatch, MethodResult &result) {
  runtime::OptimizerOptions optimizerOptions;
  optimizerOptions.schedule.baseRate = learningRate;
  runtime::Optimizer optimizer(optimizerOptions);
  if (std::string error = optimizer.validate(); !error.empty())
    return error;
  runtime::Rng shuffleRng(seed);
  std::vector<uint32_t> order(trainSet.size());
  std::vector<runtime::Sample> batch;
  auto start = std::chrono::steady_clock::now();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.setEpoch(epoch);
    std::iota(order.begin(), order.end(), 0u);
    shuffleRng.shuffle(order);
    double lossSum = 0;
    int64_t correct = 0;
    for (size_t begin = 0; begin < order.size(); begin += batchSize) {
      size_t end = std::min(order.size(), begin + batchSize);
      batch.clear();
      for (size_t index = begin; index < end; ++index)
        batch.push_back(trainSet[order[index]]);
      runtime::BatchResult step = runBatch(network, batch, true);
      if (!step.error.empty())
        return "epoch " + std::to_string(epoch + 1) + ": " + step.error;
      step.gradients.scale(1.0 / static_cast<double>(batch.size()));
      if (std::string error = optimizer.step(network, step.gradients);
          !error.empty())
        return "epoch " + std::to_string(epoch + 1) + ": " + error;
      result.traffic += step.traffic;
      result.trainSamples += static_cast<int64_t>(batch.size());
      lossSum += step.lossSum;
      correct += step.correct;
    }
    if (!quiet) {
      char line[160];
      std::snprintf(line, sizeof(line),
                    "  %s epoch %d/%d: loss %.4f, train accuracy %.3f\n",
                    result.method.c_str(), epoch + 1, epochs.getValue(),
                    lossSum / std::max<size_t>(order.size(), 1),
                    static_cast<double>(correct) /
                        std::max<size_t>(order.size(), 1));
      llvm::errs() << line;
    }
  }
  result.trainSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return "";
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
  const runtime::Network &initial = *loaded;
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
  runtime::EnergyTable energy;
  std::string error;
  if (!runtime::energyTable(energyName, energy, error))
    return fail("--energy: " + error);

  // The data set, addressed to the network's source population.
  runtime::DatasetOptions dataOptions;
  dataOptions.trainSize = trainSize;
  dataOptions.validationSize = 0;
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

  // The exact method first: it is the reference of every ratio.
  {
    MethodResult result;
    result.method = "eventprop";
    runtime::Network network = initial;
    BatchRunner runner = [&](const runtime::Network &net,
                             const std::vector<runtime::Sample> &batch,
                             bool gradients) {
      return runtime::runBatch(net, batch, gradients, workerThreads);
    };
    if (!quiet)
      llvm::errs() << "training with the exact method\n";
    if (std::string problem = train(network, dataset->train, runner, result);
        !problem.empty())
      return fail("eventprop: " + problem);
    if (std::string problem =
            accuracyOf(network, dataset->test, runner, result.testAccuracy);
        !problem.empty())
      return fail("eventprop test: " + problem);
    result.exactAccuracy = result.testAccuracy;
    results.push_back(result);
  }

  for (double dt : dts) {
    MethodResult result;
    result.method = "bptt";
    result.dtMs = dt;
    runtime::TimeStepOptions options;
    options.dtMs = dt;
    options.slope = slope;
    if (getDefaultKernelSource() == KernelSource::Compiled) {
      auto kernels = compileTimeStepKernels(networkOp, initial, options);
      if (mlir::failed(kernels))
        return 1;
      options.kernels = *kernels;
    }
    runtime::Network network = initial;
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
    if (std::string problem = train(network, dataset->train, runner, result);
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

  // The table. Bytes are per training sample (forward and backward pass).
  const MethodResult &exact = results.front();
  double exactTotal = perSample(exact.traffic.totalBytes(), exact.trainSamples);
  char line[256];
  std::snprintf(line, sizeof(line),
                "%-9s %6s %8s %9s %10s %12s %12s %12s %8s %12s %8s\n", "method",
                "dt_ms", "test_acc", "exact_acc", "t_err_ms", "fwd_B/samp",
                "bwd_B/samp", "total_B/samp", "ratio", "energy_nJ", "wall_s");
  llvm::outs() << line;
  const MethodResult *bestBptt = nullptr;
  for (const MethodResult &result : results) {
    double forward =
        perSample(runtime::phaseBytes(result.traffic, runtime::Phase::Forward),
                  result.trainSamples);
    double backward =
        perSample(runtime::phaseBytes(result.traffic, runtime::Phase::Backward),
                  result.trainSamples);
    double total = perSample(result.traffic.totalBytes(), result.trainSamples);
    double energyNj =
        runtime::estimateEnergy(result.traffic, energy).totalPj() * 1e-3 /
        std::max<int64_t>(result.trainSamples, 1);
    bool isExact = result.method == "eventprop";
    std::string dtText = "-";
    if (!isExact) {
      char text[32];
      std::snprintf(text, sizeof(text), "%g", result.dtMs);
      dtText = text;
    }
    std::snprintf(line, sizeof(line),
                  "%-9s %6s %8.4f %9.4f %10.4f %12.0f %12.0f %12.0f %8.2f "
                  "%12.2f %8.1f\n",
                  result.method.c_str(), dtText.c_str(), result.testAccuracy,
                  result.exactAccuracy, result.spikeTimeErrorMs, forward,
                  backward, total, total / exactTotal, energyNj,
                  result.trainSeconds);
    llvm::outs() << line;
    if (!isExact && (!bestBptt || result.testAccuracy > bestBptt->testAccuracy))
      bestBptt = &result;
  }
  double bestRatio =
      perSample(bestBptt->traffic.totalBytes(), bestBptt->trainSamples) /
      exactTotal;
  std::snprintf(line, sizeof(line),
                "best bptt dt %g ms: accuracy %.4f vs exact %.4f (gap "
                "%+.4f), traffic ratio %.1fx\n",
                bestBptt->dtMs, bestBptt->testAccuracy, exact.testAccuracy,
                exact.testAccuracy - bestBptt->testAccuracy, bestRatio);
  llvm::outs() << line;
  llvm::outs() << "(bytes and energy per training sample, forward + "
                  "backward; energy table "
               << energy.name << "; spike-time error over first output "
               << "spikes on the test set)\n";

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
  json.key("slope").value(static_cast<double>(slope));
  json.key("train_samples").value(static_cast<int64_t>(dataset->train.size()));
  json.key("test_samples").value(static_cast<int64_t>(dataset->test.size()));
  json.key("energy_table").value(energy.name);
  json.key("energy_source").value(energy.source);
  json.key("runs").beginArray();
  for (const MethodResult &result : results) {
    json.beginObject();
    json.key("method").value(result.method);
    if (result.method != "eventprop")
      json.key("dt_ms").value(result.dtMs);
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
               exactTotal);
    json.endObject();
  }
  json.endArray();
  json.endObject();
  if (!runtime::writeTextFile(reportDir + "/compare.json", json.str() + "\n",
                              error))
    return fail(error);

  // Accuracy, traffic ratio and spike-time error against dt.
  runtime::LinePlot accuracyPlot, ratioPlot, timingPlot;
  accuracyPlot.title = "test accuracy";
  accuracyPlot.xLabel = ratioPlot.xLabel = timingPlot.xLabel = "dt (ms)";
  accuracyPlot.yLabel = "accuracy";
  ratioPlot.title = "memory traffic, BPTT / exact";
  ratioPlot.yLabel = "ratio";
  timingPlot.title = "spike-time error of BPTT";
  timingPlot.yLabel = "mean |t_grid - t_exact| (ms)";
  runtime::PlotSeries bpttAccuracy{"bptt", {}, {}, "", false, true};
  runtime::PlotSeries exactLine{"eventprop", {}, {}, "", true, false};
  runtime::PlotSeries ratio{"bptt / eventprop", {}, {}, "", false, true};
  runtime::PlotSeries timing{"bptt", {}, {}, "", false, true};
  double lowest = std::numeric_limits<double>::infinity(), highest = 0;
  for (const MethodResult &result : results) {
    if (result.method == "eventprop")
      continue;
    bpttAccuracy.x.push_back(result.dtMs);
    bpttAccuracy.y.push_back(result.testAccuracy);
    ratio.x.push_back(result.dtMs);
    ratio.y.push_back(
        perSample(result.traffic.totalBytes(), result.trainSamples) /
        exactTotal);
    timing.x.push_back(result.dtMs);
    timing.y.push_back(result.spikeTimeErrorMs);
    lowest = std::min(lowest, result.dtMs);
    highest = std::max(highest, result.dtMs);
  }
  exactLine.x = {lowest, highest};
  exactLine.y = {exact.testAccuracy, exact.testAccuracy};
  accuracyPlot.series = {bpttAccuracy, exactLine};
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
