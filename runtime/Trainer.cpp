//===- Trainer.cpp - Mini-batch training with exact gradients -------------===//

#include "runtime/Trainer.h"

#include "runtime/ByteStream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <numeric>
#include <sstream>

namespace snnc::runtime {

//===----------------------------------------------------------------------===//
// Evaluation and learn flags
//===----------------------------------------------------------------------===//

Evaluation evaluate(const Network &network, const std::vector<Sample> &samples,
                    int32_t threads, const SimulationOptions &simulation,
                    std::string &error, const BatchRunner &runner) {
  // Chunks bound the memory a batch holds; the sums stay in sample order.
  constexpr size_t kChunk = 512;
  Evaluation result;
  double lossSum = 0;
  for (size_t begin = 0; begin < samples.size(); begin += kChunk) {
    size_t end = std::min(samples.size(), begin + kChunk);
    std::vector<Sample> chunk(samples.begin() + begin, samples.begin() + end);
    BatchResult batch =
        runner(network, chunk, /*computeGradients=*/false, threads, simulation);
    if (!batch.error.empty()) {
      error = batch.error;
      break;
    }
    lossSum += batch.lossSum;
    result.correct += batch.correct;
    result.samples += static_cast<int32_t>(chunk.size());
    result.traffic += batch.traffic;
  }
  if (result.samples > 0) {
    result.meanLoss = lossSum / result.samples;
    result.accuracy = static_cast<double>(result.correct) / result.samples;
  }
  return result;
}

bool parseLearnSelection(const std::string &text, LearnSelection &selection,
                         std::string &error) {
  selection = LearnSelection();
  std::stringstream stream(text);
  std::string word;
  bool any = false;
  while (std::getline(stream, word, ',')) {
    any = true;
    if (word == "weights" || word == "weight")
      selection.weights = true;
    else if (word == "delays" || word == "delay")
      selection.delays = true;
    else if (word == "thresholds" || word == "threshold")
      selection.thresholds = true;
    else if (word == "none")
      continue;
    else {
      error = "--learn: unknown parameter '" + word +
              "'; expected a comma-separated list of weights, delays, "
              "thresholds or none";
      return false;
    }
  }
  if (!any) {
    error = "--learn: empty list; expected weights, delays, thresholds or none";
    return false;
  }
  return true;
}

void applyLearnSelection(Network &network, const LearnSelection &selection) {
  for (Projection &projection : network.projections) {
    projection.learnWeight = selection.weights;
    projection.learnDelay = selection.delays;
  }
  for (Population &population : network.populations)
    population.learnThreshold =
        selection.thresholds && population.kind == PopulationKind::LIF;
}

//===----------------------------------------------------------------------===//
// Trainer
//===----------------------------------------------------------------------===//

Trainer::Trainer(Network &network, const TrainerOptions &options)
    : network(network), options(options), optimizer(options.optimizer),
      shuffleRng(deriveSeed(options.seed, 0)) {}

std::string Trainer::validate() const {
  if (options.epochs < 1)
    return "epochs must be at least 1 (got " + std::to_string(options.epochs) +
           ")";
  if (options.batchSize < 1)
    return "batch size must be at least 1 (got " +
           std::to_string(options.batchSize) + ")";
  if (options.threads < 1)
    return "threads must be at least 1 (got " +
           std::to_string(options.threads) + ")";
  if (options.patience < 0)
    return "patience must be non-negative (got " +
           std::to_string(options.patience) + ")";
  if (network.loss.kind == LossKind::None)
    return "network @" + network.name + " has no loss to train";
  if (!options.batchRunner)
    return "no batch runner given";
  if (options.method.empty())
    return "the training method has no name";
  if (std::string error = optimizer.validate(); !error.empty())
    return error;
  return network.validate();
}

bool Trainer::improves(const EpochMetrics &metrics) const {
  if (bestEpochIndex < 0)
    return true;
  if (metrics.validationAccuracy != bestAccuracy)
    return metrics.validationAccuracy > bestAccuracy;
  return metrics.validationLoss < bestLoss;
}

using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Trainer::train(const std::vector<Sample> &trainSet,
                           const std::vector<Sample> &validationSet,
                           const ProgressCallback &onProgress,
                           const EpochCallback &onEpoch) {
  if (std::string error = validate(); !error.empty())
    return error;
  if (trainSet.empty())
    return "the training set is empty";
  bool validating = !validationSet.empty();

  std::vector<uint32_t> order(trainSet.size());
  std::vector<Sample> batch;
  while (nextEpoch < options.epochs && !earlyStop) {
    int32_t epoch = nextEpoch;
    Clock::time_point start = Clock::now();
    optimizer.setEpoch(epoch);
    EpochMetrics metrics;
    metrics.epoch = epoch;
    metrics.learningRate = optimizer.learningRate();

    // A fresh identity order shuffled by the persistent stream: the order
    // of an epoch depends only on the seed and the epochs before it.
    std::iota(order.begin(), order.end(), 0u);
    shuffleRng.shuffle(order);

    double lossSum = 0;
    int64_t correct = 0;
    int64_t done = 0;
    int64_t batchIndex = 0;
    for (size_t begin = 0; begin < order.size();
         begin += options.batchSize, ++batchIndex) {
      size_t end = std::min(order.size(), begin + options.batchSize);
      batch.clear();
      for (size_t index = begin; index < end; ++index)
        batch.push_back(trainSet[order[index]]);
      BatchResult result =
          options.batchRunner(network, batch, /*computeGradients=*/true,
                              options.threads, options.simulation);
      if (!result.error.empty())
        return "epoch " + std::to_string(epoch + 1) + ", batch " +
               std::to_string(batchIndex + 1) + ": " + result.error;
      result.gradients.scale(1.0 / static_cast<double>(batch.size()));
      if (std::string error = optimizer.step(network, result.gradients);
          !error.empty())
        return "epoch " + std::to_string(epoch + 1) + ", batch " +
               std::to_string(batchIndex + 1) + ": " + error;
      lossSum += result.lossSum;
      correct += result.correct;
      done += static_cast<int64_t>(batch.size());
      if (onProgress) {
        TrainProgress progress;
        progress.epoch = epoch;
        progress.epochs = options.epochs;
        progress.samplesDone = done;
        progress.samplesInEpoch = static_cast<int64_t>(order.size());
        progress.loss = lossSum / done;
        progress.accuracy = static_cast<double>(correct) / done;
        progress.seconds = secondsSince(start);
        onProgress(progress);
      }
    }
    metrics.trainLoss = lossSum / done;
    metrics.trainAccuracy = static_cast<double>(correct) / done;

    metrics.validationLoss = std::numeric_limits<double>::quiet_NaN();
    metrics.validationAccuracy = std::numeric_limits<double>::quiet_NaN();
    if (validating) {
      std::string error;
      Evaluation validation =
          evaluate(network, validationSet, options.threads, options.simulation,
                   error, options.batchRunner);
      if (!error.empty())
        return "epoch " + std::to_string(epoch + 1) + ", validation: " + error;
      metrics.validationLoss = validation.meanLoss;
      metrics.validationAccuracy = validation.accuracy;
      if (improves(metrics)) {
        bestEpochIndex = epoch;
        bestAccuracy = metrics.validationAccuracy;
        bestLoss = metrics.validationLoss;
        epochsWithoutGain = 0;
        bestWeights.clear();
        bestDelays.clear();
        bestThresholds.clear();
        for (const Projection &projection : network.projections) {
          bestWeights.push_back(projection.weight);
          bestDelays.push_back(projection.delayMs);
        }
        for (const Population &population : network.populations)
          bestThresholds.push_back(population.threshold);
      } else {
        ++epochsWithoutGain;
        if (options.patience > 0 && epochsWithoutGain >= options.patience)
          earlyStop = true;
      }
    }
    metrics.seconds = secondsSince(start);
    epochHistory.push_back(metrics);
    nextEpoch = epoch + 1;

    if (!options.checkpointPath.empty())
      if (std::string error = writeCheckpoint(options.checkpointPath);
          !error.empty())
        return error;
    if (onEpoch)
      onEpoch(metrics);
  }

  // End with the best validated parameters rather than the last ones.
  if (bestEpochIndex >= 0 && bestWeights.size() == network.projections.size() &&
      bestThresholds.size() == network.populations.size()) {
    for (size_t index = 0; index < network.projections.size(); ++index) {
      network.projections[index].weight = bestWeights[index];
      network.projections[index].delayMs = bestDelays[index];
    }
    for (size_t index = 0; index < network.populations.size(); ++index)
      network.populations[index].threshold = bestThresholds[index];
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Checkpoints
//===----------------------------------------------------------------------===//
//
// Layout, integers and doubles little-endian, doubles as IEEE-754 bits:
//
//   "SNNCCKP1"
//   u32 projections, per projection: u64 weights, u64 delays (the shape)
//   u32 populations, per population: u64 thresholds
//   i32 nextEpoch  u8 earlyStop  i32 bestEpoch  f64 bestAccuracy
//   f64 bestLoss  i32 epochsWithoutGain  4 x u64 shuffle state
//   current parameters: per projection u8 learnWeight u8 learnDelay,
//     u64 n + n x f64 weights, u64 n + n x f64 delays; per population
//     u8 learnThreshold, u64 n + n x f64 thresholds
//   u8 hasBest [best parameters, same layout without the flags]
//   u32 epochs, per epoch: i32 epoch, 7 x f64 (rate, train loss and
//     accuracy, validation loss and accuracy, seconds, reserved)
//   u64 n + n bytes of Optimizer::serializeState
//   [u64 n + n bytes of TrainerOptions::method, absent for "exact", so the
//     checkpoints of the exact method keep the layout they always had]
//   u64 FNV-1a hash of every byte before it

static const char kCheckpointMagic[8] = {'S', 'N', 'N', 'C',
                                         'C', 'K', 'P', '1'};

static uint64_t fnv1a(const uint8_t *data, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t index = 0; index < size; ++index) {
    hash ^= data[index];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string Trainer::writeCheckpoint(const std::string &path) const {
  ByteWriter writer;
  writer.bytes.assign(kCheckpointMagic,
                      kCheckpointMagic + sizeof kCheckpointMagic);
  writer.word(network.projections.size(), 4);
  for (const Projection &projection : network.projections) {
    writer.word(projection.weight.size(), 8);
    writer.word(projection.delayMs.size(), 8);
  }
  writer.word(network.populations.size(), 4);
  for (const Population &population : network.populations)
    writer.word(population.threshold.size(), 8);

  writer.word(static_cast<uint32_t>(nextEpoch), 4);
  writer.word(earlyStop ? 1 : 0, 1);
  writer.word(static_cast<uint32_t>(bestEpochIndex), 4);
  writer.real(bestAccuracy);
  writer.real(bestLoss);
  writer.word(static_cast<uint32_t>(epochsWithoutGain), 4);
  for (uint64_t word : shuffleRng.state())
    writer.word(word, 8);

  for (const Projection &projection : network.projections) {
    writer.word(projection.learnWeight ? 1 : 0, 1);
    writer.word(projection.learnDelay ? 1 : 0, 1);
    writer.reals(projection.weight);
    writer.reals(projection.delayMs);
  }
  for (const Population &population : network.populations) {
    writer.word(population.learnThreshold ? 1 : 0, 1);
    writer.reals(population.threshold);
  }
  bool hasBest = bestEpochIndex >= 0;
  writer.word(hasBest ? 1 : 0, 1);
  if (hasBest) {
    for (size_t index = 0; index < bestWeights.size(); ++index) {
      writer.reals(bestWeights[index]);
      writer.reals(bestDelays[index]);
    }
    for (const std::vector<double> &thresholds : bestThresholds)
      writer.reals(thresholds);
  }

  writer.word(epochHistory.size(), 4);
  for (const EpochMetrics &metrics : epochHistory) {
    writer.word(static_cast<uint32_t>(metrics.epoch), 4);
    writer.real(metrics.learningRate);
    writer.real(metrics.trainLoss);
    writer.real(metrics.trainAccuracy);
    writer.real(metrics.validationLoss);
    writer.real(metrics.validationAccuracy);
    writer.real(metrics.seconds);
    writer.real(0);
  }
  std::vector<uint8_t> optimizerState = optimizer.serializeState();
  writer.word(optimizerState.size(), 8);
  writer.bytes.insert(writer.bytes.end(), optimizerState.begin(),
                      optimizerState.end());
  if (options.method != "exact") {
    writer.word(options.method.size(), 8);
    writer.bytes.insert(writer.bytes.end(), options.method.begin(),
                        options.method.end());
  }
  writer.word(fnv1a(writer.bytes.data(), writer.bytes.size()), 8);

  // Write beside the target, then rename over it: rename is atomic, so a
  // reader sees the old checkpoint or the new one, never half of one.
  std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file)
      return "cannot write checkpoint '" + temporary + "'";
    file.write(reinterpret_cast<const char *>(writer.bytes.data()),
               static_cast<std::streamsize>(writer.bytes.size()));
    file.flush();
    if (!file) {
      std::remove(temporary.c_str());
      return "cannot write checkpoint '" + temporary + "'";
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return "cannot move the checkpoint into '" + path + "'";
  }
  return "";
}

std::string Trainer::resume(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return "cannot read checkpoint '" + path + "'";
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  std::string where = "checkpoint '" + path + "': ";
  if (bytes.size() < sizeof kCheckpointMagic + 8 ||
      std::memcmp(bytes.data(), kCheckpointMagic, sizeof kCheckpointMagic))
    return where + "not an snnc checkpoint (no SNNCCKP1 header)";
  size_t bodySize = bytes.size() - 8;
  ByteReader hashReader(bytes.data() + bodySize, 8);
  if (hashReader.word(8) != fnv1a(bytes.data(), bodySize))
    return where + "damaged (its checksum does not match)";

  ByteReader reader(bytes.data() + sizeof kCheckpointMagic,
                    bodySize - sizeof kCheckpointMagic);
  const std::string truncated = where + "truncated";
  const std::string mismatch =
      where + "written for another network than @" + network.name;
  if (reader.word(4) != network.projections.size())
    return mismatch;
  std::vector<uint64_t> delayCounts;
  for (const Projection &projection : network.projections) {
    if (reader.word(8) != projection.weight.size())
      return mismatch + " (projection '" + projection.name + "')";
    delayCounts.push_back(reader.word(8));
  }
  if (reader.word(4) != network.populations.size())
    return mismatch;
  for (const Population &population : network.populations)
    if (reader.word(8) != population.threshold.size())
      return mismatch + " (population '" + population.name + "')";

  int32_t savedEpoch = static_cast<int32_t>(reader.word(4));
  bool savedEarlyStop = reader.word(1) != 0;
  int32_t savedBestEpoch = static_cast<int32_t>(reader.word(4));
  double savedBestAccuracy = reader.real();
  double savedBestLoss = reader.real();
  int32_t savedWithoutGain = static_cast<int32_t>(reader.word(4));
  std::array<uint64_t, 4> rngState;
  for (uint64_t &word : rngState)
    word = reader.word(8);
  if (reader.failed())
    return truncated;

  // Read everything into copies first: a damaged file changes nothing.
  Network restored = network;
  for (Projection &projection : restored.projections) {
    projection.learnWeight = reader.word(1) != 0;
    projection.learnDelay = reader.word(1) != 0;
    projection.weight = reader.reals();
    projection.delayMs = reader.reals();
  }
  for (Population &population : restored.populations) {
    population.learnThreshold = reader.word(1) != 0;
    population.threshold = reader.reals();
  }
  std::vector<std::vector<double>> savedWeights, savedDelays, savedThresholds;
  bool hasBest = reader.word(1) != 0;
  if (hasBest) {
    for (size_t index = 0; index < restored.projections.size(); ++index) {
      savedWeights.push_back(reader.reals());
      savedDelays.push_back(reader.reals());
    }
    for (size_t index = 0; index < restored.populations.size(); ++index)
      savedThresholds.push_back(reader.reals());
  }
  std::vector<EpochMetrics> savedHistory(reader.word(4));
  if (reader.failed() || savedHistory.size() > reader.remaining() / 60)
    return truncated;
  for (EpochMetrics &metrics : savedHistory) {
    metrics.epoch = static_cast<int32_t>(reader.word(4));
    metrics.learningRate = reader.real();
    metrics.trainLoss = reader.real();
    metrics.trainAccuracy = reader.real();
    metrics.validationLoss = reader.real();
    metrics.validationAccuracy = reader.real();
    metrics.seconds = reader.real();
    reader.real();
  }
  uint64_t stateSize = reader.word(8);
  if (reader.failed() || stateSize > reader.remaining())
    return truncated;
  size_t stateBegin = sizeof kCheckpointMagic + reader.position();
  std::vector<uint8_t> optimizerState(bytes.begin() + stateBegin,
                                      bytes.begin() + stateBegin + stateSize);

  // The method section follows the optimizer state unless it is "exact".
  std::string savedMethod = "exact";
  size_t methodBegin = stateBegin + stateSize;
  if (methodBegin < bodySize) {
    ByteReader methodReader(bytes.data() + methodBegin, bodySize - methodBegin);
    uint64_t methodSize = methodReader.word(8);
    if (methodReader.failed() || methodSize != methodReader.remaining())
      return truncated;
    savedMethod.assign(bytes.begin() + methodBegin + 8,
                       bytes.begin() + bodySize);
  }
  if (savedMethod != options.method)
    return where + "written by training with method '" + savedMethod +
           "', not '" + options.method + "'";
  for (size_t index = 0; index < restored.projections.size(); ++index)
    if (restored.projections[index].delayMs.size() != delayCounts[index])
      return truncated;
  if (std::string problem = restored.validate(); !problem.empty())
    return where + problem;
  Optimizer restoredOptimizer(options.optimizer);
  if (std::string error = restoredOptimizer.deserializeState(optimizerState);
      !error.empty())
    return where + error;

  network = std::move(restored);
  optimizer = std::move(restoredOptimizer);
  shuffleRng.setState(rngState);
  nextEpoch = savedEpoch;
  resumedEpoch = savedEpoch;
  earlyStop = savedEarlyStop;
  bestEpochIndex = savedBestEpoch;
  bestAccuracy = savedBestAccuracy;
  bestLoss = savedBestLoss;
  epochsWithoutGain = savedWithoutGain;
  bestWeights = std::move(savedWeights);
  bestDelays = std::move(savedDelays);
  bestThresholds = std::move(savedThresholds);
  epochHistory = std::move(savedHistory);
  return "";
}

} // namespace snnc::runtime
