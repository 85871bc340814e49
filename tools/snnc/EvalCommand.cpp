//===- EvalCommand.cpp - snnc eval ----------------------------------------===//
//
// Evaluates a (trained) model on the test split of a data set, and on its
// validation split when asked, with the exact forward pass or the
// time-stepped one (--method bptt). With --noise it also measures the test
// accuracy under perturbed weights, thresholds and input spike times, over
// several noise seeds (runtime/Noise.h).
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Training.h"

#include "snnc/Driver/Model.h"

#include "dialects/SNN/SNNOps.h"
#include "runtime/Noise.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

using namespace snnc;
using namespace snnc::driver;
namespace cl = llvm::cl;

cl::SubCommand snnc::driver::evalCommand(
    "eval", "Measure a model's loss and accuracy on a data set");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::sub(evalCommand));
static cl::opt<std::string>
    dataName("data", cl::Required,
             cl::desc("Data set: yinyang, yinyang-nobias, yinyang-published, "
                      "fashion-mnist, digits or events"),
             cl::value_desc("name"), cl::sub(evalCommand));
static cl::opt<std::string>
    dataDir("data-dir", cl::desc("Directory holding the data set's files"),
            cl::value_desc("dir"), cl::sub(evalCommand));
static cl::opt<std::string>
    networkName("network",
                cl::desc("Network to evaluate when the model has several"),
                cl::sub(evalCommand));
static cl::opt<unsigned long long>
    dataSeed("data-seed", cl::init(2021),
             cl::desc("Seed of generated data sets and their splits "
                      "(default 2021)"),
             cl::sub(evalCommand));
static cl::opt<int> threads("threads", cl::init(0),
                            cl::desc("Worker threads (default: all cores)"),
                            cl::sub(evalCommand));
static cl::opt<int> testSize("test-size", cl::init(-1),
                             cl::desc("Test samples to use (default all)"),
                             cl::sub(evalCommand));
static cl::opt<int>
    validationSize("validation-size", cl::init(0),
                   cl::desc("Also evaluate this many validation samples "
                            "(default 0; -1 for all)"),
                   cl::sub(evalCommand));
static cl::opt<std::string>
    methodName("method", cl::init("exact"),
               cl::desc("Forward pass: exact (event-driven, default) or bptt "
                        "(time-stepped on a grid of --dt)"),
               cl::value_desc("name"), cl::sub(evalCommand));
static cl::opt<double> stepMs("dt", cl::init(0.5),
                              cl::desc("--method bptt: time step in ms "
                                       "(default 0.5)"),
                              cl::value_desc("ms"), cl::sub(evalCommand));
static cl::opt<std::string>
    noiseText("noise",
              cl::desc("Also evaluate under noise: relative weight and "
                       "threshold noise, spike-time jitter in ms, number "
                       "of noise seeds (default 5)"),
              cl::value_desc("weight=R,threshold=R,jitter=MS[,seeds=N]"),
              cl::sub(evalCommand));
static cl::opt<std::string>
    reportDir("report",
              cl::desc("Write report.json and SVG plots into this folder"),
              cl::value_desc("dir"), cl::sub(evalCommand));

int snnc::driver::runEval() {
  auto wallStart = std::chrono::steady_clock::now();
  if (threads < 0)
    return fail("--threads must be positive (got " +
                llvm::Twine(threads.getValue()) + ")");
  int32_t threadCount =
      threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(modelPath, context);
  if (!module)
    return 1;
  snn::NetworkOp networkOp = findNetwork(*module, networkName);
  if (!networkOp)
    return 1;
  mlir::FailureOr<runtime::Network> network = toRuntimeNetwork(networkOp);
  if (mlir::failed(network))
    return 1;

  MethodChoice method;
  double dtValue = stepMs;
  if (std::string problem = chooseMethod(
          methodName, stepMs.getNumOccurrences() ? &dtValue : nullptr, nullptr,
          *network, networkOp, method);
      !problem.empty())
    return fail(problem);
  std::optional<runtime::NoiseOptions> noise;
  if (noiseText.getNumOccurrences()) {
    runtime::NoiseOptions parsed;
    std::string problem;
    if (!runtime::parseNoiseOptions(noiseText, parsed, problem))
      return fail(problem);
    noise = parsed;
  }

  // Only the splits evaluated are generated or kept.
  runtime::DatasetOptions dataOptions;
  dataOptions.seed = dataSeed;
  dataOptions.dataDir = dataDir;
  dataOptions.trainSize = 0;
  dataOptions.validationSize = validationSize;
  dataOptions.testSize = testSize;
  std::string error;
  std::optional<runtime::Dataset> dataset =
      loadDatasetFor(*network, dataName, dataOptions, error);
  if (!dataset)
    return fail(error);
  if (dataset->test.empty())
    return fail("data set '" + dataName + "' has no test samples");

  runtime::SimulationOptions simulation;
  std::optional<runtime::Evaluation> validation;
  if (!dataset->validation.empty()) {
    validation = runtime::evaluate(*network, dataset->validation, threadCount,
                                   simulation, error, method.runner);
    if (!error.empty())
      return fail("validation set: " + error);
  }
  runtime::Evaluation test = runtime::evaluate(
      *network, dataset->test, threadCount, simulation, error, method.runner);
  if (!error.empty())
    return fail("test set: " + error);

  // Seed s perturbs a copy of the network and of the test set; models
  // trained by either method meet the same draws.
  std::vector<double> noisyAccuracies;
  double noisyMean = 0, noisyStd = 0;
  if (noise) {
    for (int32_t seed = 0; seed < noise->seeds; ++seed) {
      runtime::Network perturbed =
          runtime::perturbNetwork(*network, *noise, seed);
      std::vector<runtime::Sample> jittered =
          runtime::jitterSamples(dataset->test, *noise, seed);
      runtime::Evaluation noisy = runtime::evaluate(
          perturbed, jittered, threadCount, simulation, error, method.runner);
      if (!error.empty())
        return fail("test set under noise seed " + llvm::Twine(seed) + ": " +
                    error);
      noisyAccuracies.push_back(noisy.accuracy);
      noisyMean += noisy.accuracy;
    }
    noisyMean /= noisyAccuracies.size();
    // The sample standard deviation over seeds; zero with one seed.
    for (double accuracy : noisyAccuracies)
      noisyStd += (accuracy - noisyMean) * (accuracy - noisyMean);
    if (noisyAccuracies.size() > 1)
      noisyStd = std::sqrt(noisyStd / (noisyAccuracies.size() - 1));
  }
  double wallSeconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - wallStart)
                           .count();

  char line[160];
  if (validation) {
    std::snprintf(line, sizeof line,
                  "validation accuracy: %.2f%% (%d/%d), validation loss "
                  "%.4f\n",
                  100 * validation->accuracy, validation->correct,
                  validation->samples, validation->meanLoss);
    llvm::outs() << line;
  }
  std::snprintf(line, sizeof line,
                "test accuracy: %.2f%% (%d/%d), test loss %.4f\n",
                100 * test.accuracy, test.correct, test.samples, test.meanLoss);
  llvm::outs() << line;
  if (noise) {
    std::snprintf(line, sizeof line,
                  "noisy test accuracy: %.2f%% +- %.2f%% over %d seeds "
                  "(noiseless %.2f%%; %s)\n",
                  100 * noisyMean, 100 * noisyStd, noise->seeds,
                  100 * test.accuracy, runtime::describeNoise(*noise).c_str());
    llvm::outs() << line;
    for (size_t seed = 0; seed < noisyAccuracies.size(); ++seed) {
      std::snprintf(line, sizeof line, "  noise seed %zu: %.2f%%\n", seed,
                    100 * noisyAccuracies[seed]);
      llvm::outs() << line;
    }
  }
  llvm::outs().flush();

  if (!reportDir.empty()) {
    ReportInputs inputs;
    inputs.command = "eval";
    inputs.modelPath = modelPath;
    inputs.network = &*network;
    inputs.dataset = &*dataset;
    inputs.test = &test;
    inputs.validation = validation ? &*validation : nullptr;
    inputs.wallSeconds = wallSeconds;
    inputs.threads = threadCount;
    inputs.simulation = &simulation;
    error = writeReport(reportDir, inputs, [&](runtime::JsonWriter &json) {
      json.member("data", std::string(dataName));
      json.member("data_dir", std::string(dataDir));
      json.member("data_seed", static_cast<uint64_t>(dataSeed));
      json.member("validation_size", static_cast<int32_t>(validationSize));
      json.member("test_size", static_cast<int32_t>(testSize));
      json.member("threads", threadCount);
      json.member("method", method.name);
      if (method.name == "bptt")
        json.member("dt_ms", method.timeStep.dtMs);
      if (noise) {
        json.key("noise").beginObject();
        json.member("weight", noise->weightStd);
        json.member("threshold", noise->thresholdStd);
        json.member("jitter_ms", noise->jitterMs);
        json.member("seeds", noise->seeds);
        json.member("noiseless_test_accuracy", test.accuracy);
        json.member("mean_test_accuracy", noisyMean);
        json.member("std_test_accuracy", noisyStd);
        json.member("test_accuracy_per_seed", noisyAccuracies);
        json.endObject();
      }
    });
    if (!error.empty())
      return fail(error);
  }
  return 0;
}
