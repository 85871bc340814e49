//===- TrainerTest.cpp - The training loop, checkpoints, determinism ------===//

#include "runtime/Trainer.h"
#include "runtime/Datasets.h"
#include "runtime/TimeStep.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace snnc::runtime;

namespace {

/// A small Yin-Yang network, 5 -> hiddenSize -> 3, with Gaussian weights
/// from a fixed seed.
Network makeNetwork(int32_t hiddenSize = 16) {
  Network network;
  network.name = "tiny";
  network.durationMs = 60;
  Population input;
  input.name = "in";
  input.kind = PopulationKind::Source;
  input.size = 5;
  Population hidden;
  hidden.name = "hidden";
  hidden.size = hiddenSize;
  hidden.tauMemMs = 20;
  hidden.tauSynMs = 5;
  hidden.threshold.assign(hiddenSize, 1.0);
  Population output = hidden;
  output.name = "out";
  output.size = 3;
  output.threshold.assign(3, 1.0);
  network.populations = {input, hidden, output};

  Rng rng(7);
  Projection inHidden;
  inHidden.name = "in_hidden";
  inHidden.pre = 0;
  inHidden.post = 1;
  inHidden.learnWeight = true;
  for (int32_t index = 0; index < 5 * hiddenSize; ++index)
    inHidden.weight.push_back(1.5 + 0.9 * rng.normal());
  Projection hiddenOut;
  hiddenOut.name = "hidden_out";
  hiddenOut.pre = 1;
  hiddenOut.post = 2;
  hiddenOut.learnWeight = true;
  for (int32_t index = 0; index < 3 * hiddenSize; ++index)
    hiddenOut.weight.push_back(1.2 + 0.3 * rng.normal());
  network.projections = {inHidden, hiddenOut};

  network.loss.kind = LossKind::TimeToFirstSpike;
  network.loss.population = 2;
  network.loss.tau0Ms = 0.5;
  network.loss.tau1Ms = 6.4;
  network.loss.alpha = 3e-3;
  return network;
}

Dataset makeData(int32_t trainSize = 96, int32_t validationSize = 48) {
  DatasetOptions options;
  options.trainSize = trainSize;
  options.validationSize = validationSize;
  options.testSize = 0;
  std::string error;
  std::optional<Dataset> dataset = loadDataset("yinyang", options, error);
  EXPECT_TRUE(dataset) << error;
  return dataset ? *dataset : Dataset();
}

TrainerOptions makeOptions(int32_t epochs) {
  TrainerOptions options;
  options.epochs = epochs;
  options.batchSize = 16;
  options.threads = 1;
  options.seed = 3;
  options.optimizer.schedule.baseRate = 2e-3;
  options.optimizer.schedule.kind = ScheduleKind::Cosine;
  options.optimizer.schedule.totalEpochs = 4;
  return options;
}

/// Every parameter of `network` in one vector, for exact comparisons.
std::vector<double> parameters(const Network &network) {
  std::vector<double> values;
  for (const Projection &projection : network.projections) {
    values.insert(values.end(), projection.weight.begin(),
                  projection.weight.end());
    values.insert(values.end(), projection.delayMs.begin(),
                  projection.delayMs.end());
  }
  for (const Population &population : network.populations)
    values.insert(values.end(), population.threshold.begin(),
                  population.threshold.end());
  return values;
}

/// A file name in the temporary folder, unique to this process.
std::string temporaryPath(const std::string &name) {
  return ::testing::TempDir() + "snnc-trainer-" + std::to_string(getpid()) +
         "-" + name;
}

void expectBitIdentical(const std::vector<double> &left,
                        const std::vector<double> &right) {
  ASSERT_EQ(left.size(), right.size());
  for (size_t index = 0; index < left.size(); ++index)
    ASSERT_EQ(std::memcmp(&left[index], &right[index], sizeof(double)), 0)
        << "parameter " << index << ": " << left[index]
        << " != " << right[index];
}

TEST(TrainerTest, LossFalls) {
  Network network = makeNetwork();
  Dataset data = makeData(128, 0);
  std::string error;
  Evaluation before = evaluate(network, data.train, 1, {}, error);
  ASSERT_EQ(error, "");

  TrainerOptions options = makeOptions(6);
  options.optimizer.schedule.kind = ScheduleKind::Constant;
  Trainer trainer(network, options);
  ASSERT_EQ(trainer.train(data.train, {}), "");
  Evaluation after = evaluate(network, data.train, 1, {}, error);
  ASSERT_EQ(error, "");

  EXPECT_EQ(trainer.history().size(), 6u);
  EXPECT_EQ(trainer.bestEpoch(), -1);
  EXPECT_LT(after.meanLoss, 0.7 * before.meanLoss)
      << before.meanLoss << " " << before.accuracy << " " << after.accuracy;
  EXPECT_GT(after.accuracy, before.accuracy);
}

TEST(TrainerTest, ThreadCountDoesNotChangeResults) {
  Dataset data = makeData();
  std::vector<std::vector<double>> results;
  std::vector<double> validationLosses;
  for (int32_t threads : {1, 2, 3}) {
    Network network = makeNetwork();
    TrainerOptions options = makeOptions(2);
    options.threads = threads;
    Trainer trainer(network, options);
    ASSERT_EQ(trainer.train(data.train, data.validation), "");
    results.push_back(parameters(network));
    validationLosses.push_back(trainer.history().back().validationLoss);
  }
  expectBitIdentical(results[0], results[1]);
  expectBitIdentical(results[0], results[2]);
  EXPECT_EQ(validationLosses[0], validationLosses[1]);
  EXPECT_EQ(validationLosses[0], validationLosses[2]);
}

TEST(TrainerTest, ResumeContinuesExactly) {
  Dataset data = makeData();

  // Uninterrupted: four epochs, learning weights, delays and thresholds.
  LearnSelection all{true, true, true};
  Network straight = makeNetwork();
  applyLearnSelection(straight, all);
  Trainer straightTrainer(straight, makeOptions(4));
  ASSERT_EQ(straightTrainer.train(data.train, data.validation), "");

  // Two epochs with a checkpoint, then a new trainer resumes to four.
  std::string checkpoint = temporaryPath("resume.ckpt");
  Network first = makeNetwork();
  applyLearnSelection(first, all);
  TrainerOptions firstOptions = makeOptions(2);
  firstOptions.checkpointPath = checkpoint;
  Trainer firstTrainer(first, firstOptions);
  ASSERT_EQ(firstTrainer.train(data.train, data.validation), "");

  Network resumed = makeNetwork();
  Trainer resumedTrainer(resumed, makeOptions(4));
  ASSERT_EQ(resumedTrainer.resume(checkpoint), "");
  EXPECT_EQ(resumedTrainer.epochsDone(), 2);
  EXPECT_TRUE(resumed.projections[0].learnDelay);
  EXPECT_TRUE(resumed.populations[1].learnThreshold);
  ASSERT_EQ(resumedTrainer.train(data.train, data.validation), "");

  expectBitIdentical(parameters(straight), parameters(resumed));
  EXPECT_EQ(straightTrainer.bestEpoch(), resumedTrainer.bestEpoch());
  ASSERT_EQ(resumedTrainer.history().size(), 4u);
  for (size_t epoch = 0; epoch < 4; ++epoch) {
    EXPECT_EQ(straightTrainer.history()[epoch].trainLoss,
              resumedTrainer.history()[epoch].trainLoss);
    EXPECT_EQ(straightTrainer.history()[epoch].validationAccuracy,
              resumedTrainer.history()[epoch].validationAccuracy);
  }
  // Delays were learned from zero and stay non-negative.
  ASSERT_EQ(resumed.projections[0].delayMs.size(),
            resumed.projections[0].weight.size());
  for (double delay : resumed.projections[0].delayMs)
    EXPECT_GE(delay, 0.0);
  for (double threshold : resumed.populations[1].threshold)
    EXPECT_GT(threshold, 0.0);
  std::remove(checkpoint.c_str());
}

TEST(TrainerTest, BestValidationParametersAreKept) {
  Dataset data = makeData();
  Network network = makeNetwork();
  TrainerOptions options = makeOptions(4);
  options.optimizer.schedule.baseRate = 2e-2;
  Trainer trainer(network, options);
  ASSERT_EQ(trainer.train(data.train, data.validation), "");
  ASSERT_GE(trainer.bestEpoch(), 0);
  double best = trainer.history()[trainer.bestEpoch()].validationAccuracy;
  for (const EpochMetrics &metrics : trainer.history())
    EXPECT_LE(metrics.validationAccuracy, best);
  std::string error;
  Evaluation final = evaluate(network, data.validation, 1, {}, error);
  EXPECT_EQ(final.accuracy, best);
}

TEST(TrainerTest, DamagedOrForeignCheckpointsAreRejected) {
  Dataset data = makeData(32, 16);
  std::string checkpoint = temporaryPath("damaged.ckpt");
  Network network = makeNetwork();
  TrainerOptions options = makeOptions(1);
  options.checkpointPath = checkpoint;
  Trainer trainer(network, options);
  ASSERT_EQ(trainer.train(data.train, data.validation), "");

  // Another hidden size: the shapes differ.
  Network other = makeNetwork(8);
  Trainer otherTrainer(other, makeOptions(2));
  std::string error = otherTrainer.resume(checkpoint);
  EXPECT_NE(error.find("another network"), std::string::npos) << error;

  // One flipped byte: the checksum catches it, and nothing changes.
  {
    std::fstream file(checkpoint,
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40);
    char byte = 0x5a;
    file.write(&byte, 1);
  }
  Network fresh = makeNetwork();
  std::vector<double> before = parameters(fresh);
  Trainer freshTrainer(fresh, makeOptions(2));
  error = freshTrainer.resume(checkpoint);
  EXPECT_NE(error.find("damaged"), std::string::npos) << error;
  expectBitIdentical(before, parameters(fresh));

  error = freshTrainer.resume(temporaryPath("missing.ckpt"));
  EXPECT_NE(error.find("cannot read checkpoint"), std::string::npos) << error;
  std::remove(checkpoint.c_str());
}

/// A batch runner of the time-stepped method on a 0.5 ms grid.
BatchRunner timeStepRunner() {
  return [](const Network &network, const std::vector<Sample> &batch,
            bool computeGradients, int threads, const SimulationOptions &) {
    TimeStepOptions options;
    options.dtMs = 0.5;
    return runTimeStepBatch(network, batch, computeGradients, threads, options);
  };
}

TEST(TrainerTest, BatchRunnerReplacesTheMethod) {
  Dataset data = makeData(64, 32);

  // Every training and validation batch goes through the hook.
  int64_t gradientSamples = 0, forwardSamples = 0;
  Network counted = makeNetwork();
  TrainerOptions options = makeOptions(2);
  options.batchRunner = [&](const Network &network,
                            const std::vector<Sample> &batch,
                            bool computeGradients, int threads,
                            const SimulationOptions &simulation) {
    (computeGradients ? gradientSamples : forwardSamples) +=
        static_cast<int64_t>(batch.size());
    return runBatch(network, batch, computeGradients, threads, simulation);
  };
  Trainer countedTrainer(counted, options);
  ASSERT_EQ(countedTrainer.train(data.train, data.validation), "");
  EXPECT_EQ(gradientSamples, 2 * 64);
  EXPECT_EQ(forwardSamples, 2 * 32);

  // Wrapping runBatch changes nothing; the time-stepped method trains
  // other parameters, the same ones on any thread count.
  Network exact = makeNetwork();
  Trainer exactTrainer(exact, makeOptions(2));
  ASSERT_EQ(exactTrainer.train(data.train, data.validation), "");
  expectBitIdentical(parameters(exact), parameters(counted));

  std::vector<std::vector<double>> stepped;
  for (int32_t threads : {1, 2}) {
    Network network = makeNetwork();
    TrainerOptions steppedOptions = makeOptions(2);
    steppedOptions.threads = threads;
    steppedOptions.batchRunner = timeStepRunner();
    steppedOptions.method = "bptt dt=0.5 slope=10";
    Trainer trainer(network, steppedOptions);
    ASSERT_EQ(trainer.train(data.train, data.validation), "");
    stepped.push_back(parameters(network));
  }
  expectBitIdentical(stepped[0], stepped[1]);
  EXPECT_NE(stepped[0], parameters(exact));
}

TEST(TrainerTest, CheckpointsRecordTheMethod) {
  Dataset data = makeData(32, 16);
  std::string exactPath = temporaryPath("exact.ckpt");
  std::string steppedPath = temporaryPath("stepped.ckpt");

  Network exact = makeNetwork();
  TrainerOptions exactOptions = makeOptions(1);
  exactOptions.checkpointPath = exactPath;
  Trainer exactTrainer(exact, exactOptions);
  ASSERT_EQ(exactTrainer.train(data.train, data.validation), "");

  Network stepped = makeNetwork();
  TrainerOptions steppedOptions = makeOptions(1);
  steppedOptions.checkpointPath = steppedPath;
  steppedOptions.batchRunner = timeStepRunner();
  steppedOptions.method = "bptt dt=0.5 slope=10";
  Trainer steppedTrainer(stepped, steppedOptions);
  ASSERT_EQ(steppedTrainer.train(data.train, data.validation), "");

  // The exact method's checkpoint ends right after the optimizer state;
  // the other one carries its method after it.
  std::ifstream exactFile(exactPath, std::ios::binary | std::ios::ate);
  std::ifstream steppedFile(steppedPath, std::ios::binary | std::ios::ate);
  EXPECT_EQ(static_cast<int64_t>(steppedFile.tellg()) -
                static_cast<int64_t>(exactFile.tellg()),
            8 + static_cast<int64_t>(steppedOptions.method.size()));

  // A resume under another method is refused and changes nothing.
  Network fresh = makeNetwork();
  std::vector<double> before = parameters(fresh);
  Trainer exactResume(fresh, makeOptions(2));
  std::string error = exactResume.resume(steppedPath);
  EXPECT_NE(error.find("method 'bptt dt=0.5 slope=10', not 'exact'"),
            std::string::npos)
      << error;
  expectBitIdentical(before, parameters(fresh));

  TrainerOptions otherGrid = makeOptions(2);
  otherGrid.batchRunner = timeStepRunner();
  otherGrid.method = "bptt dt=0.25 slope=10";
  Trainer otherResume(fresh, otherGrid);
  error = otherResume.resume(steppedPath);
  EXPECT_NE(error.find("not 'bptt dt=0.25 slope=10'"), std::string::npos)
      << error;
  error = otherResume.resume(exactPath);
  EXPECT_NE(error.find("method 'exact'"), std::string::npos) << error;

  // The same method resumes.
  Network again = makeNetwork();
  TrainerOptions sameOptions = makeOptions(2);
  sameOptions.batchRunner = timeStepRunner();
  sameOptions.method = steppedOptions.method;
  Trainer sameResume(again, sameOptions);
  ASSERT_EQ(sameResume.resume(steppedPath), "");
  EXPECT_EQ(sameResume.epochsDone(), 1);
  expectBitIdentical(parameters(stepped), parameters(again));
  std::remove(exactPath.c_str());
  std::remove(steppedPath.c_str());
}

TEST(TrainerTest, OptionsAreChecked) {
  Network network = makeNetwork();
  TrainerOptions options = makeOptions(1);
  options.batchSize = 0;
  EXPECT_NE(Trainer(network, options).validate().find("batch size"),
            std::string::npos);
  options = makeOptions(1);
  options.threads = 0;
  EXPECT_NE(Trainer(network, options).validate().find("threads"),
            std::string::npos);
  options = makeOptions(0);
  EXPECT_NE(Trainer(network, options).validate().find("epochs"),
            std::string::npos);
}

TEST(TrainerTest, LearnSelectionParses) {
  LearnSelection selection;
  std::string error;
  ASSERT_TRUE(
      parseLearnSelection("weights,delay,thresholds", selection, error));
  EXPECT_TRUE(selection.weights);
  EXPECT_TRUE(selection.delays);
  EXPECT_TRUE(selection.thresholds);
  ASSERT_TRUE(parseLearnSelection("none", selection, error));
  EXPECT_FALSE(selection.weights || selection.delays || selection.thresholds);
  EXPECT_FALSE(parseLearnSelection("weights,biases", selection, error));
  EXPECT_NE(error.find("'biases'"), std::string::npos) << error;

  Network network = makeNetwork();
  applyLearnSelection(network, {false, true, true});
  EXPECT_FALSE(network.projections[0].learnWeight);
  EXPECT_TRUE(network.projections[1].learnDelay);
  EXPECT_FALSE(network.populations[0].learnThreshold);
  EXPECT_TRUE(network.populations[2].learnThreshold);
}

} // namespace
