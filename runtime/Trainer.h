//===- Trainer.h - Mini-batch training with exact gradients -----*- C++ -*-===//
//
// The training loop of snnc: epochs over a shuffled training set, mini-batches
// run forward and backward by runBatch, the mean gradient handed to an
// Optimizer, validation after every epoch, early stopping that restores the
// best parameters, and checkpoints from which a run resumes bit for bit.
//
// Determinism: the shuffle comes from the portable Rng, runBatch sums in a
// fixed order, and the optimizer avoids libm where it can, so one seed gives
// the same parameters with any thread count and across a resume.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_TRAINER_H
#define SNNC_RUNTIME_TRAINER_H

#include "runtime/EventProp.h"
#include "runtime/Network.h"
#include "runtime/Optimizer.h"
#include "runtime/Random.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace snnc::runtime {

/// Runs a mini-batch forward, and backward when `computeGradients` is set:
/// runBatch's contract (sums bit-identical whatever the thread count), so
/// that another method, such as the time-stepped baseline, can stand in.
using BatchRunner = std::function<BatchResult(
    const Network &network, const std::vector<Sample> &batch,
    bool computeGradients, int threads, const SimulationOptions &options)>;

struct TrainerOptions {
  int32_t epochs = 10;
  int32_t batchSize = 32;
  /// Threads of runBatch; the results do not depend on it.
  int32_t threads = 1;
  /// Seed of the shuffles of the training set.
  uint64_t seed = 1;
  /// Stop after this many epochs without a better validation result; 0
  /// never stops early. Needs a validation set.
  int32_t patience = 0;
  OptimizerOptions optimizer;
  SimulationOptions simulation;
  /// When not empty, a checkpoint is written there after every epoch.
  std::string checkpointPath;
  /// Runs every training and validation batch; the exact method by default.
  BatchRunner batchRunner = runBatch;
  /// Names the method of batchRunner and its settings (e.g. "bptt dt=0.5
  /// slope=10"). Checkpoints record it, and a resume refuses a checkpoint
  /// written under another method; "exact" leaves the checkpoint layout as
  /// it was before methods existed.
  std::string method = "exact";
};

/// Loss and accuracy of a network over a set of samples.
struct Evaluation {
  int32_t samples = 0;
  int32_t correct = 0;
  double meanLoss = 0;
  double accuracy = 0;
  TrafficCounters traffic;
};

struct EpochMetrics {
  /// Counted from 0.
  int32_t epoch = 0;
  double learningRate = 0;
  /// Mean loss and accuracy of the training batches as they were run, with
  /// the parameters changing between batches.
  double trainLoss = 0;
  double trainAccuracy = 0;
  /// Of the parameters at the end of the epoch; NaN without validation set.
  double validationLoss = 0;
  double validationAccuracy = 0;
  /// Wall time of the epoch, validation included. Not part of the
  /// deterministic state: a resumed run keeps the times it was given.
  double seconds = 0;
};

/// What the progress callback sees after every batch.
struct TrainProgress {
  int32_t epoch = 0;
  int32_t epochs = 0;
  int64_t samplesDone = 0;
  int64_t samplesInEpoch = 0;
  /// Running means over the batches of this epoch so far.
  double loss = 0;
  double accuracy = 0;
  /// Since the epoch began.
  double seconds = 0;
};

/// Runs `samples` forward (no gradients) in chunks through `runner`. Sets
/// `error` and returns what was done when a sample cannot be simulated.
Evaluation evaluate(const Network &network, const std::vector<Sample> &samples,
                    int32_t threads, const SimulationOptions &simulation,
                    std::string &error, const BatchRunner &runner = runBatch);

/// Overrides of the learn flags of a network, as `--learn` spells them:
/// a comma-separated list of `weights`, `delays`, `thresholds` (singular
/// forms too) or `none`. Returns false and sets `error` on an unknown word.
struct LearnSelection {
  bool weights = false;
  bool delays = false;
  bool thresholds = false;
};
bool parseLearnSelection(const std::string &text, LearnSelection &selection,
                         std::string &error);
/// Sets the flags of every projection and LIF population to `selection`.
void applyLearnSelection(Network &network, const LearnSelection &selection);

class Trainer {
public:
  using ProgressCallback = std::function<void(const TrainProgress &)>;
  using EpochCallback = std::function<void(const EpochMetrics &)>;

  /// Trains `network` in place; it must outlive the trainer.
  Trainer(Network &network, const TrainerOptions &options);

  /// Empty when the options and network are usable, else what is wrong.
  std::string validate() const;

  /// Restores parameters, optimizer state, epoch, shuffle state, best
  /// result and history from a checkpoint written by a run of the same
  /// network. The options given to this trainer stay in force.
  std::string resume(const std::string &path);

  /// Trains until options.epochs epochs are done (counting those before a
  /// resume) or early stopping ends the run. With a validation set the
  /// network ends with the parameters of its best validation epoch.
  std::string train(const std::vector<Sample> &trainSet,
                    const std::vector<Sample> &validationSet,
                    const ProgressCallback &onProgress = nullptr,
                    const EpochCallback &onEpoch = nullptr);

  /// Writes the current state to `path` through a temporary file renamed
  /// over it, so an interrupted write leaves the old checkpoint intact.
  std::string writeCheckpoint(const std::string &path) const;

  const std::vector<EpochMetrics> &history() const { return epochHistory; }
  /// The epoch whose parameters were kept, or -1 without validation.
  int32_t bestEpoch() const { return bestEpochIndex; }
  /// Epochs completed, counting those before a resume.
  int32_t epochsDone() const { return nextEpoch; }
  bool stoppedEarly() const { return earlyStop; }
  /// The epoch a resumed run started from (0 for a fresh run).
  int32_t resumedFromEpoch() const { return resumedEpoch; }

private:
  /// Whether `metrics` beats the best validation result so far.
  bool improves(const EpochMetrics &metrics) const;

  Network &network;
  TrainerOptions options;
  Optimizer optimizer;
  Rng shuffleRng;
  int32_t nextEpoch = 0;
  int32_t resumedEpoch = 0;
  int32_t bestEpochIndex = -1;
  double bestAccuracy = 0;
  double bestLoss = 0;
  int32_t epochsWithoutGain = 0;
  bool earlyStop = false;
  /// Parameters of the best epoch: weights and delays per projection,
  /// thresholds per population.
  std::vector<std::vector<double>> bestWeights;
  std::vector<std::vector<double>> bestDelays;
  std::vector<std::vector<double>> bestThresholds;
  std::vector<EpochMetrics> epochHistory;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_TRAINER_H
