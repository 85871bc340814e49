//===- TrainCommand.cpp - snnc train --------------------------------------===//
//
// Trains a model on a data set with exact event-driven gradients, or with
// the time-stepped surrogate-gradient BPTT baseline (--method bptt):
// mini-batch Adam or SGD, validation every epoch, early stopping,
// checkpoints, and a report folder. The trained model is written back as
// .mlir with its parameters in resource blobs.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "NCoreTraining.h"
#include "Training.h"

#include "snnc/Driver/Model.h"

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <thread>

using namespace snnc;
using namespace snnc::driver;
namespace cl = llvm::cl;

cl::SubCommand snnc::driver::trainCommand(
    "train", "Train a model on a data set with exact event-driven gradients "
             "(or surrogate-gradient BPTT)");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::sub(trainCommand));
static cl::opt<std::string>
    dataName("data", cl::Required,
             cl::desc("Data set: yinyang, yinyang-nobias, yinyang-published, "
                      "fashion-mnist, digits or events"),
             cl::value_desc("name"), cl::sub(trainCommand));
static cl::opt<std::string>
    dataDir("data-dir", cl::desc("Directory holding the data set's files"),
            cl::value_desc("dir"), cl::sub(trainCommand));
static cl::opt<std::string>
    networkName("network",
                cl::desc("Network to train when the model has several"),
                cl::sub(trainCommand));
static cl::opt<std::string>
    methodName("method", cl::init("exact"),
               cl::desc("Gradients: exact (event-driven, default) or bptt "
                        "(time-stepped, surrogate gradient)"),
               cl::value_desc("name"), cl::sub(trainCommand));
static cl::opt<double> stepMs("dt", cl::init(0.5),
                              cl::desc("--method bptt: time step in ms "
                                       "(default 0.5)"),
                              cl::value_desc("ms"), cl::sub(trainCommand));
static cl::opt<double>
    surrogateSlope("surrogate-slope", cl::init(10),
                   cl::desc("--method bptt: steepness of the fast-sigmoid "
                            "surrogate (default 10)"),
                   cl::sub(trainCommand));
static cl::opt<int> epochs("epochs", cl::init(20),
                           cl::desc("Epochs to train (default 20)"),
                           cl::sub(trainCommand));
static cl::opt<int> batchSize("batch-size", cl::init(32),
                              cl::desc("Samples per mini-batch (default 32)"),
                              cl::sub(trainCommand));
static cl::opt<double> learningRate("lr", cl::init(2e-3),
                                    cl::desc("Learning rate (default 2e-3)"),
                                    cl::sub(trainCommand));
static cl::opt<std::string> optimizerName("optimizer", cl::init("adam"),
                                          cl::desc("adam (default) or sgd"),
                                          cl::sub(trainCommand));
static cl::opt<double> momentum("momentum", cl::init(0),
                                cl::desc("SGD momentum (default 0)"),
                                cl::sub(trainCommand));
static cl::opt<std::string>
    scheduleName("schedule", cl::init("cosine"),
                 cl::desc("Learning-rate schedule: constant, step or cosine "
                          "(default cosine, over --epochs)"),
                 cl::sub(trainCommand));
static cl::opt<int> stepEpochs("lr-step-epochs", cl::init(10),
                               cl::desc("Step schedule: epochs per decay"),
                               cl::sub(trainCommand));
static cl::opt<double> decayFactor("lr-decay", cl::init(0.5),
                                   cl::desc("Step schedule: factor per decay"),
                                   cl::sub(trainCommand));
static cl::opt<double> minRate("min-lr", cl::init(0),
                               cl::desc("Cosine schedule: final rate"),
                               cl::sub(trainCommand));
static cl::opt<double>
    delayRateScale("delay-lr-scale", cl::init(20),
                   cl::desc("Learning-rate multiplier of delays, which are "
                            "in ms (default 20)"),
                   cl::sub(trainCommand));
static cl::opt<double>
    thresholdRateScale("threshold-lr-scale", cl::init(1),
                       cl::desc("Learning-rate multiplier of thresholds"),
                       cl::sub(trainCommand));
static cl::opt<double>
    maxGradientNorm("max-grad-norm", cl::init(1),
                    cl::desc("Clip the gradient's L2 norm (default 1; 0: "
                             "never)"),
                    cl::sub(trainCommand));
static cl::opt<double> silentLabelPenalty(
    "silent-label-penalty", cl::init(0),
    cl::desc("Time-to-first-spike loss: add B * (threshold - max voltage) "
             "when the label neuron never fires (default 0: off)"),
    cl::value_desc("B"), cl::sub(trainCommand));
static cl::opt<std::string>
    learnList("learn",
              cl::desc("Parameters to learn: a comma-separated list of "
                       "weights, delays, thresholds, or none (default: as "
                       "the model says)"),
              cl::value_desc("list"), cl::sub(trainCommand));
static cl::opt<unsigned long long>
    seed("seed", cl::init(1), cl::desc("Seed of the shuffles (default 1)"),
         cl::sub(trainCommand));
static cl::opt<unsigned long long>
    dataSeed("data-seed", cl::init(2021),
             cl::desc("Seed of generated data sets and their splits "
                      "(default 2021)"),
             cl::sub(trainCommand));
static cl::opt<int> threads("threads", cl::init(0),
                            cl::desc("Worker threads (default: all cores)"),
                            cl::sub(trainCommand));
static cl::opt<int> trainSize("train-size", cl::init(-1),
                              cl::desc("Training samples to use (default all)"),
                              cl::sub(trainCommand));
static cl::opt<int>
    validationSize("validation-size", cl::init(-1),
                   cl::desc("Validation samples to use (default all)"),
                   cl::sub(trainCommand));
static cl::opt<int> testSize("test-size", cl::init(-1),
                             cl::desc("Test samples to use (default all)"),
                             cl::sub(trainCommand));
static cl::opt<int>
    patience("patience", cl::init(0),
             cl::desc("Stop after this many epochs without a better "
                      "validation accuracy (0: never)"),
             cl::sub(trainCommand));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Trained model (default: MODEL-trained.mlir in "
                        "the current folder)"),
               cl::value_desc("file"), cl::sub(trainCommand));
static cl::opt<std::string>
    checkpointPath("checkpoint",
                   cl::desc("Write a checkpoint here after every epoch"),
                   cl::value_desc("file"), cl::sub(trainCommand));
static cl::opt<std::string> resumePath("resume",
                                       cl::desc("Resume from this checkpoint"),
                                       cl::value_desc("file"),
                                       cl::sub(trainCommand));
static cl::opt<std::string>
    reportDir("report",
              cl::desc("Write report.json and SVG plots into this folder"),
              cl::value_desc("dir"), cl::sub(trainCommand));
static cl::opt<bool> quiet("quiet", cl::desc("Print only the final result"),
                           cl::sub(trainCommand));

/// The settings of the run, checked before anything is loaded.
static int buildOptions(runtime::TrainerOptions &options,
                        std::optional<runtime::LearnSelection> &learn) {
  if (epochs < 1)
    return fail("--epochs must be at least 1 (got " +
                llvm::Twine(epochs.getValue()) + ")");
  if (batchSize < 1)
    return fail("--batch-size must be at least 1 (got " +
                llvm::Twine(batchSize.getValue()) + ")");
  if (threads < 0)
    return fail("--threads must be positive (got " +
                llvm::Twine(threads.getValue()) + ")");
  if (patience < 0)
    return fail("--patience must be non-negative (got " +
                llvm::Twine(patience.getValue()) + ")");
  if (!(learningRate > 0))
    return fail("--lr must be positive (got " +
                std::to_string(learningRate.getValue()) + ")");
  options.epochs = epochs;
  options.batchSize = batchSize;
  options.threads =
      threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  options.seed = seed;
  options.patience = patience;
  options.checkpointPath = checkpointPath;
  if (!(silentLabelPenalty >= 0))
    return fail("--silent-label-penalty: must be at least 0");
  options.simulation.silentLabelPenalty = silentLabelPenalty;

  runtime::OptimizerOptions &optimizer = options.optimizer;
  if (optimizerName == "adam")
    optimizer.kind = runtime::OptimizerKind::Adam;
  else if (optimizerName == "sgd")
    optimizer.kind = runtime::OptimizerKind::SGD;
  else
    return fail("--optimizer: unknown optimizer '" + optimizerName +
                "'; expected adam or sgd");
  optimizer.momentum = momentum;
  runtime::LearningRateSchedule &schedule = optimizer.schedule;
  schedule.baseRate = learningRate;
  schedule.stepEpochs = stepEpochs;
  schedule.decayFactor = decayFactor;
  schedule.totalEpochs = epochs;
  schedule.minRate = minRate;
  if (scheduleName == "constant")
    schedule.kind = runtime::ScheduleKind::Constant;
  else if (scheduleName == "step")
    schedule.kind = runtime::ScheduleKind::StepDecay;
  else if (scheduleName == "cosine")
    schedule.kind = runtime::ScheduleKind::Cosine;
  else
    return fail("--schedule: unknown schedule '" + scheduleName +
                "'; expected constant, step or cosine");
  optimizer.delayRateScale = delayRateScale;
  optimizer.thresholdRateScale = thresholdRateScale;
  optimizer.maxGradientNorm = maxGradientNorm;
  runtime::Optimizer check(optimizer);
  if (std::string error = check.validate(); !error.empty())
    return fail(error);

  if (learnList.getNumOccurrences()) {
    runtime::LearnSelection selection;
    std::string error;
    if (!runtime::parseLearnSelection(learnList, selection, error))
      return fail(error);
    learn = selection;
  }
  return 0;
}

/// MODEL-trained.mlir in the current folder.
static std::string defaultOutputPath() {
  llvm::StringRef stem = llvm::sys::path::stem(modelPath);
  if (stem.empty() || modelPath == "-")
    stem = "model";
  return (stem + "-trained.mlir").str();
}

static cl::opt<std::string>
    trainTarget("target", cl::init("cpu"),
                cl::desc("Where to train: cpu (default) or ncore (on-core "
                         "learning on the core simulator)"),
                cl::value_desc("cpu|ncore"), cl::sub(trainCommand));
static cl::opt<std::string> trainNCoreTarget(
    "ncore-target", cl::init("loihi"),
    cl::desc("The chip for --target ncore: a preset (loihi, small) or a "
             "#ncore.target<...> attribute (default loihi)"),
    cl::value_desc("chip"), cl::sub(trainCommand));
static cl::opt<std::string>
    trainImagePath("image",
                   cl::desc("With --target ncore, also write the trained "
                            "core image here (for snnc run)"),
                   cl::value_desc("file"), cl::sub(trainCommand));

int snnc::driver::runTrain() {
  if (trainTarget != "cpu" && trainTarget != "ncore")
    return fail("unknown --target '" + trainTarget +
                "'; expected cpu or ncore");
  if (trainTarget != "ncore" && (trainImagePath.getNumOccurrences() ||
                                 trainNCoreTarget.getNumOccurrences()))
    return fail("--image and --ncore-target need --target ncore");
  auto wallStart = std::chrono::steady_clock::now();
  runtime::TrainerOptions options;
  std::optional<runtime::LearnSelection> learn;
  if (int status = buildOptions(options, learn))
    return status;

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
  runtime::Network network = std::move(*loaded);
  if (learn)
    runtime::applyLearnSelection(network, *learn);

  MethodChoice method;
  double dtValue = stepMs, slopeValue = surrogateSlope;
  if (std::string problem = chooseMethod(
          methodName, stepMs.getNumOccurrences() ? &dtValue : nullptr,
          surrogateSlope.getNumOccurrences() ? &slopeValue : nullptr, network,
          networkOp, method);
      !problem.empty())
    return fail(problem);
  if (method.name == "bptt")
    for (const runtime::Projection &projection : network.projections)
      if (projection.learnDelay)
        return fail(modelPath + ": projection '" + projection.name +
                    "' learns delays, which --method bptt keeps fixed; "
                    "choose the parameters with --learn");
  options.batchRunner = method.runner;
  options.method = method.description;

  // On-core learning: every batch runs on the core simulator.
  std::shared_ptr<runtime::NCoreBatchRunner> chip;
  if (trainTarget == "ncore") {
    if (method.name != "exact")
      return fail("--target ncore learns with the exact event-driven "
                  "adjoint; --method " +
                  method.name + " runs on the CPU only");
    if (options.simulation.silentLabelPenalty > 0)
      return fail("--silent-label-penalty is not available with --target "
                  "ncore");
    std::string problem;
    chip = makeNCoreRunner(modelPath, trainNCoreTarget, network, problem);
    if (!chip)
      return fail(problem);
    method.runner = [chip](const runtime::Network &net,
                           const std::vector<runtime::Sample> &batch,
                           bool gradients, int threads,
                           const runtime::SimulationOptions &simulation) {
      return (*chip)(net, batch, gradients, threads, simulation);
    };
    method.name = "ncore";
    method.description = "exact gradients on the ncore chip (" +
                         trainNCoreTarget + ", fixed point)";
    options.batchRunner = method.runner;
    options.method = method.description;
  }

  runtime::DatasetOptions dataOptions;
  dataOptions.seed = dataSeed;
  dataOptions.dataDir = dataDir;
  dataOptions.trainSize = trainSize;
  dataOptions.validationSize = validationSize;
  dataOptions.testSize = testSize;
  std::string error;
  std::optional<runtime::Dataset> dataset =
      loadDatasetFor(network, dataName, dataOptions, error);
  if (!dataset)
    return fail(error);
  if (dataset->train.empty())
    return fail("data set '" + dataName + "' has no training samples");

  runtime::Trainer trainer(network, options);
  if (std::string problem = trainer.validate(); !problem.empty())
    return fail(modelPath + ": " + problem);
  if (!resumePath.empty()) {
    if (std::string problem = trainer.resume(resumePath); !problem.empty())
      return fail(problem);
  }

  if (!quiet) {
    llvm::errs() << "training @" << network.name << " on " << dataName << " ("
                 << dataset->train.size() << " train, "
                 << dataset->validation.size() << " validation, "
                 << dataset->test.size() << " test samples), learning "
                 << learnedParameters(network) << " with "
                 << (method.name == "exact" ? std::string("exact gradients")
                                            : method.description)
                 << ", " << optimizerName << " lr "
                 << llvm::format("%g", learningRate.getValue()) << " "
                 << scheduleName << ", batch " << options.batchSize << ", "
                 << options.threads << " threads\n";
    if (trainer.epochsDone() > 0)
      llvm::errs() << "resuming after epoch " << trainer.epochsDone()
                   << " from " << resumePath << "\n";
  }
  ProgressDisplay display(quiet, options.epochs,
                          static_cast<int64_t>(dataset->train.size()));
  error = trainer.train(
      dataset->train, dataset->validation,
      [&](const runtime::TrainProgress &progress) { display.update(progress); },
      [&](const runtime::EpochMetrics &metrics) {
        display.epochDone(metrics);
      });
  display.clear();
  if (!error.empty())
    return fail(error);
  if (!quiet && trainer.stoppedEarly())
    llvm::errs() << "stopped early: no better validation accuracy for "
                 << options.patience << " epochs\n";
  if (!quiet && trainer.bestEpoch() >= 0)
    llvm::errs() << "keeping the parameters of epoch "
                 << trainer.bestEpoch() + 1 << " (best validation accuracy)\n";

  // The model first: the result of a long run must not hang on the test.
  writeLearnFlags(networkOp, network);
  if (mlir::failed(updateParameters(networkOp, network)))
    return 1;
  std::string output =
      outputPath.empty() ? defaultOutputPath() : std::string(outputPath);
  if (mlir::failed(writeModelAtomically(*module, output, error)))
    return fail(error);

  std::optional<runtime::Evaluation> test;
  if (!dataset->test.empty()) {
    test = runtime::evaluate(network, dataset->test, options.threads,
                             options.simulation, error, method.runner);
    if (!error.empty())
      return fail("test set: " + error);
  }
  double wallSeconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - wallStart)
                           .count();

  if (!quiet)
    llvm::errs() << "trained model written to " << output << "\n";
  if (chip) {
    // The image of the kept parameters, as the test set ran on it.
    if (!trainImagePath.empty()) {
      if (!writeNCoreImageFile(chip->currentImage(), trainImagePath, error))
        return fail(error);
      if (!quiet)
        llvm::errs() << "core image written to " << trainImagePath << "\n";
    }
    printNCoreTrainingReport(*chip);
  }
  if (test) {
    char line[160];
    std::snprintf(
        line, sizeof line, "test accuracy: %.2f%% (%d/%d), test loss %.4f\n",
        100 * test->accuracy, test->correct, test->samples, test->meanLoss);
    llvm::outs() << line;
    llvm::outs().flush();
  }

  if (!reportDir.empty()) {
    ReportInputs inputs;
    inputs.command = "train";
    inputs.modelPath = modelPath;
    inputs.network = &network;
    inputs.dataset = &*dataset;
    inputs.trainer = &trainer;
    inputs.test = test ? &*test : nullptr;
    inputs.wallSeconds = wallSeconds;
    inputs.threads = options.threads;
    inputs.simulation = &options.simulation;
    error = writeReport(reportDir, inputs, [&](runtime::JsonWriter &json) {
      json.member("data", std::string(dataName));
      json.member("data_dir", std::string(dataDir));
      json.member("data_seed", static_cast<uint64_t>(dataSeed));
      json.member("train_size", static_cast<int32_t>(trainSize));
      json.member("validation_size", static_cast<int32_t>(validationSize));
      json.member("test_size", static_cast<int32_t>(testSize));
      json.member("method", method.name);
      if (method.name == "bptt") {
        json.member("dt_ms", method.timeStep.dtMs);
        json.member("surrogate_slope", method.timeStep.slope);
      }
      json.member("epochs", options.epochs);
      json.member("batch_size", options.batchSize);
      json.member("optimizer", std::string(optimizerName));
      json.member("lr", static_cast<double>(learningRate));
      json.member("momentum", static_cast<double>(momentum));
      json.member("schedule", std::string(scheduleName));
      json.member("lr_step_epochs", static_cast<int32_t>(stepEpochs));
      json.member("lr_decay", static_cast<double>(decayFactor));
      json.member("min_lr", static_cast<double>(minRate));
      json.member("delay_lr_scale", static_cast<double>(delayRateScale));
      json.member("threshold_lr_scale",
                  static_cast<double>(thresholdRateScale));
      json.member("max_grad_norm", static_cast<double>(maxGradientNorm));
      json.member("silent_label_penalty",
                  static_cast<double>(silentLabelPenalty));
      json.member("learn", learnedParameters(network));
      json.member("seed", static_cast<uint64_t>(seed));
      json.member("threads", options.threads);
      json.member("patience", options.patience);
      json.member("output", output);
      json.member("checkpoint", std::string(checkpointPath));
      json.member("resume", std::string(resumePath));
    });
    if (!error.empty())
      return fail(error);
    if (!quiet)
      llvm::errs() << "report written to " << reportDir << "/\n";
  }
  return 0;
}
