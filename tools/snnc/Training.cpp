//===- Training.cpp - What snnc train and snnc eval share -----------------===//

#include "Training.h"

#include "snnc/Driver/CompiledKernels.h"

#include "dialects/SNN/SNNOps.h"

#include "runtime/Svg.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace snnc;
using namespace snnc::driver;
using namespace snnc::runtime;

std::optional<Dataset> driver::loadDatasetFor(const Network &network,
                                              const std::string &name,
                                              DatasetOptions options,
                                              std::string &error) {
  int32_t source = -1;
  for (size_t index = 0; index < network.populations.size(); ++index)
    if (network.populations[index].kind == PopulationKind::Source) {
      source = static_cast<int32_t>(index);
      break;
    }
  if (source < 0) {
    error = "network @" + network.name + " has no source population";
    return std::nullopt;
  }
  if (network.loss.kind == LossKind::None) {
    error = "network @" + network.name + " has no loss";
    return std::nullopt;
  }
  options.sourcePopulation = source;
  std::optional<Dataset> dataset = loadDataset(name, options, error);
  if (!dataset) {
    // The runtime names its field; on the command line it is an option.
    size_t field = error.find("set dataDir");
    if (field != std::string::npos)
      error.replace(field, 11, "pass --data-dir");
    return std::nullopt;
  }

  const Population &input = network.populations[source];
  if (dataset->inputChannels != input.size) {
    error = "data set '" + name + "' has " +
            std::to_string(dataset->inputChannels) +
            " input channels, but source population '" + input.name + "' of @" +
            network.name + " has " + std::to_string(input.size);
    return std::nullopt;
  }
  const Population &output = network.populations[network.loss.population];
  if (dataset->classes != output.size) {
    error = "data set '" + name + "' has " + std::to_string(dataset->classes) +
            " classes, but loss population '" + output.name + "' of @" +
            network.name + " has " + std::to_string(output.size) + " neurons";
    return std::nullopt;
  }
  return dataset;
}

std::string driver::chooseMethod(const std::string &name, const double *dtMs,
                                 const double *slope, const Network &network,
                                 snn::NetworkOp networkOp,
                                 MethodChoice &method) {
  method = MethodChoice();
  if (name == "exact") {
    if (dtMs)
      return "--dt applies only to --method bptt";
    if (slope)
      return "--surrogate-slope applies only to --method bptt";
    return "";
  }
  if (name != "bptt")
    return "--method: unknown method '" + name + "'; expected exact or bptt";
  method.name = name;
  if (dtMs)
    method.timeStep.dtMs = *dtMs;
  if (slope)
    method.timeStep.slope = *slope;
  char text[64];
  if (!(method.timeStep.dtMs > 0) || !std::isfinite(method.timeStep.dtMs)) {
    std::snprintf(text, sizeof text, "%g", method.timeStep.dtMs);
    return std::string("--dt must be a positive number of milliseconds "
                       "(got ") +
           text + ")";
  }
  if (!(method.timeStep.slope > 0) || !std::isfinite(method.timeStep.slope)) {
    std::snprintf(text, sizeof text, "%g", method.timeStep.slope);
    return std::string("--surrogate-slope must be positive (got ") + text + ")";
  }
  if (std::string error = validateTimeStepOptions(network, method.timeStep);
      !error.empty())
    return "--method bptt: " + error;
  if (getDefaultKernelSource() == KernelSource::Compiled) {
    auto kernels = compileTimeStepKernels(networkOp, network, method.timeStep);
    if (mlir::failed(kernels))
      return "--method bptt: the time-stepped kernels could not be compiled "
             "(use --kernels=builtin to run without them)";
    method.timeStep.kernels = *kernels;
  }

  // The grid's spike-count limit follows the simulation options of the
  // caller, as the exact method's does.
  TimeStepOptions timeStep = method.timeStep;
  method.runner = [timeStep](const Network &network,
                             const std::vector<Sample> &batch,
                             bool computeGradients, int threads,
                             const SimulationOptions &simulation) {
    TimeStepOptions options = timeStep;
    options.maxSpikesPerNeuron = simulation.maxSpikesPerNeuron;
    return runTimeStepBatch(network, batch, computeGradients, threads, options);
  };
  char description[96];
  std::snprintf(description, sizeof description, "bptt dt=%g slope=%g",
                timeStep.dtMs, timeStep.slope);
  method.description = description;
  return "";
}

std::string driver::learnedParameters(const Network &network) {
  bool weights = false, delays = false, thresholds = false;
  for (const Projection &projection : network.projections) {
    weights |= projection.learnWeight;
    delays |= projection.learnDelay;
  }
  for (const Population &population : network.populations)
    thresholds |= population.learnThreshold;
  std::string text;
  auto add = [&](bool flag, const char *name) {
    if (!flag)
      return;
    if (!text.empty())
      text += ",";
    text += name;
  };
  add(weights, "weights");
  add(delays, "delays");
  add(thresholds, "thresholds");
  return text.empty() ? "none" : text;
}

//===----------------------------------------------------------------------===//
// Progress
//===----------------------------------------------------------------------===//

ProgressDisplay::ProgressDisplay(bool quiet, int32_t epochs,
                                 int64_t trainSamples)
    : quiet(quiet), terminal(llvm::sys::Process::StandardErrIsDisplayed()),
      epochs(epochs), trainSamples(trainSamples),
      runStart(std::chrono::steady_clock::now()) {}

/// "1:05" or "1:02:03".
static std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  auto total = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld",
                  static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60),
                  static_cast<long long>(total % 60));
  else
    std::snprintf(text, sizeof text, "%lld:%02lld",
                  static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  return text;
}

void ProgressDisplay::update(const TrainProgress &progress) {
  if (quiet || !terminal)
    return;
  auto now = std::chrono::steady_clock::now();
  if (firstEpoch < 0) {
    firstEpoch = progress.epoch;
    runStart =
        now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(progress.seconds));
  }
  bool last = progress.samplesDone == progress.samplesInEpoch;
  if (barShown && !last &&
      std::chrono::duration<double>(now - lastDraw).count() < 0.1)
    return;
  lastDraw = now;

  // Throughput over the whole run so far; the ETA covers the epochs left.
  double elapsed = std::chrono::duration<double>(now - runStart).count();
  int64_t done = samplesBeforeEpoch + progress.samplesDone;
  double rate = elapsed > 0 ? done / elapsed : 0;
  int64_t left = (static_cast<int64_t>(epochs - progress.epoch) *
                  progress.samplesInEpoch) -
                 progress.samplesDone;
  double eta = rate > 0 ? left / rate : NAN;

  constexpr int kWidth = 24;
  double fraction =
      progress.samplesInEpoch > 0
          ? static_cast<double>(progress.samplesDone) / progress.samplesInEpoch
          : 0;
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar += std::string(kWidth - filled, '.');
  char line[256];
  std::snprintf(line, sizeof line,
                "\repoch %d/%d [%s] %lld/%lld  %.0f samples/s  ETA %s  "
                "loss %.4f  acc %.2f%%\x1b[K",
                progress.epoch + 1, progress.epochs, bar.c_str(),
                static_cast<long long>(progress.samplesDone),
                static_cast<long long>(progress.samplesInEpoch), rate,
                formatDuration(eta).c_str(), progress.loss,
                100 * progress.accuracy);
  llvm::errs() << line;
  llvm::errs().flush();
  barShown = true;
  if (last)
    samplesBeforeEpoch += progress.samplesInEpoch;
}

void ProgressDisplay::clear() {
  if (!barShown)
    return;
  llvm::errs() << "\r\x1b[K";
  barShown = false;
}

void ProgressDisplay::epochDone(const EpochMetrics &metrics) {
  if (quiet)
    return;
  clear();
  char line[256];
  int length = std::snprintf(
      line, sizeof line, "epoch %3d/%d  lr %.3g  train loss %.4f acc %6.2f%%",
      metrics.epoch + 1, epochs, metrics.learningRate, metrics.trainLoss,
      100 * metrics.trainAccuracy);
  if (std::isfinite(metrics.validationAccuracy))
    length +=
        std::snprintf(line + length, sizeof line - length,
                      "  validation loss %.4f acc %6.2f%%",
                      metrics.validationLoss, 100 * metrics.validationAccuracy);
  double rate = metrics.seconds > 0 ? trainSamples / metrics.seconds : 0;
  std::snprintf(line + length, sizeof line - length,
                "  %.1f s (%.0f samples/s)", metrics.seconds, rate);
  llvm::errs() << line << "\n";
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

static const char *kindName(PopulationKind kind) {
  switch (kind) {
  case PopulationKind::Source:
    return "source";
  case PopulationKind::LIF:
    return "lif";
  case PopulationKind::LI:
    return "li";
  }
  return "unknown";
}

static void writeStatistics(JsonWriter &json,
                            const std::vector<double> &values) {
  json.beginObject();
  json.member("count", static_cast<int64_t>(values.size()));
  if (!values.empty()) {
    double sum = 0, sumSquares = 0;
    double low = values.front(), high = values.front();
    for (double value : values) {
      sum += value;
      sumSquares += value * value;
      low = std::min(low, value);
      high = std::max(high, value);
    }
    double mean = sum / values.size();
    json.member("mean", mean);
    json.member("std", std::sqrt(std::max(
                           sumSquares / values.size() - mean * mean, 0.0)));
    json.member("min", low);
    json.member("max", high);
  }
  json.endObject();
}

static void writeEvaluation(JsonWriter &json, const Evaluation &evaluation) {
  json.beginObject();
  json.member("samples", evaluation.samples);
  json.member("correct", evaluation.correct);
  json.member("accuracy", evaluation.accuracy);
  json.member("loss", evaluation.meanLoss);
  json.member("synaptic_events",
              evaluation.traffic.synapticOps[static_cast<int>(Phase::Forward)]);
  json.member("traffic_bytes", evaluation.traffic.totalBytes());
  json.endObject();
}

/// Places complete SVG documents in a grid inside one document, each as a
/// nested <svg> element.
static std::string gridOfDocuments(const std::vector<std::string> &documents,
                                   double cellWidth, double cellHeight,
                                   int columns) {
  size_t rows = (documents.size() + columns - 1) / columns;
  double width = cellWidth * std::min<size_t>(columns, documents.size());
  double height = cellHeight * rows;
  std::string text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                     "version=\"1.1\" width=\"" +
                     std::to_string(static_cast<int>(width)) + "\" height=\"" +
                     std::to_string(static_cast<int>(height)) + "\">\n";
  for (size_t index = 0; index < documents.size(); ++index) {
    std::string document = documents[index];
    // Drop the XML declaration; a nested <svg> takes x and y.
    if (document.rfind("<?xml", 0) == 0)
      document = document.substr(document.find('\n') + 1);
    std::string position =
        "<svg x=\"" +
        std::to_string(static_cast<int>((index % columns) * cellWidth)) +
        "\" y=\"" +
        std::to_string(static_cast<int>((index / columns) * cellHeight)) + "\"";
    document.replace(0, 4, position);
    text += document;
  }
  text += "</svg>\n";
  return text;
}

static std::string renderCurves(const std::vector<EpochMetrics> &history) {
  LinePlot loss, accuracy;
  loss.title = "Loss";
  loss.xLabel = accuracy.xLabel = "epoch";
  loss.yLabel = "mean loss";
  accuracy.title = "Accuracy";
  accuracy.yLabel = "accuracy";
  accuracy.fixedYRange = true;
  PlotSeries trainLoss{"train", {}, {}, "", false, true};
  PlotSeries validationLoss{"validation", {}, {}, "", true, true};
  PlotSeries trainAccuracy = trainLoss, validationAccuracy = validationLoss;
  double lowest = 1;
  for (const EpochMetrics &metrics : history) {
    double epoch = metrics.epoch + 1;
    trainLoss.x.push_back(epoch);
    trainLoss.y.push_back(metrics.trainLoss);
    validationLoss.x.push_back(epoch);
    validationLoss.y.push_back(metrics.validationLoss);
    trainAccuracy.x.push_back(epoch);
    trainAccuracy.y.push_back(metrics.trainAccuracy);
    validationAccuracy.x.push_back(epoch);
    validationAccuracy.y.push_back(metrics.validationAccuracy);
    lowest = std::min(lowest, metrics.trainAccuracy);
    if (std::isfinite(metrics.validationAccuracy))
      lowest = std::min(lowest, metrics.validationAccuracy);
  }
  // Zoom in on the interesting part of the accuracy axis.
  accuracy.yMin = std::max(0.0, std::floor(lowest * 10) / 10);
  accuracy.yMax = 1;
  loss.series = {trainLoss, validationLoss};
  accuracy.series = {trainAccuracy, validationAccuracy};
  return renderLinePlots({loss, accuracy}, 2);
}

std::string
driver::writeReport(const std::string &folder, const ReportInputs &inputs,
                    const std::function<void(JsonWriter &)> &writeSettings) {
  if (std::error_code ec = llvm::sys::fs::create_directories(folder))
    return "cannot create report folder '" + folder + "': " + ec.message();
  auto pathOf = [&](const char *name) {
    llvm::SmallString<256> path(folder);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };
  const Network &network = *inputs.network;
  const Dataset &dataset = *inputs.dataset;
  SimulationOptions simulation =
      inputs.simulation ? *inputs.simulation : SimulationOptions();

  // Spikes per sample over (at most) the first 1000 test samples, and the
  // first test sample's spikes for the raster.
  size_t spikeSamples = std::min<size_t>(dataset.test.size(), 1000);
  std::vector<double> spikeSums(network.populations.size(), 0);
  std::vector<std::vector<bool>> fired(network.populations.size());
  for (size_t index = 0; index < network.populations.size(); ++index)
    fired[index].assign(network.populations[index].size, false);
  ForwardResult rasterForward;
  for (size_t sampleIndex = 0; sampleIndex < spikeSamples; ++sampleIndex) {
    const Sample &sample = dataset.test[sampleIndex];
    ForwardResult forward;
    std::string error =
        runForward(network, sample, forward, nullptr, simulation);
    if (!error.empty())
      return "report: test sample " + std::to_string(sampleIndex) + ": " +
             error;
    for (const InputSpike &spike : sample.spikes)
      if (spike.population >= 0 &&
          spike.population < static_cast<int32_t>(spikeSums.size())) {
        spikeSums[spike.population] += 1;
        if (spike.channel >= 0 &&
            spike.channel < network.populations[spike.population].size)
          fired[spike.population][spike.channel] = true;
      }
    for (size_t population = 0; population < forward.spikes.size();
         ++population) {
      spikeSums[population] += forward.spikes[population].size();
      for (const SpikeRecord &spike : forward.spikes[population])
        fired[population][spike.neuron] = true;
    }
    if (sampleIndex == 0)
      rasterForward = std::move(forward);
  }

  JsonWriter json;
  json.beginObject();
  json.member("snnc_report", 1);
  json.member("command", inputs.command);
  json.member("model", inputs.modelPath);
  json.member("network", network.name);
  json.member("wall_time_s", inputs.wallSeconds);
  json.member("threads", inputs.threads);
  json.key("settings").beginObject();
  if (writeSettings)
    writeSettings(json);
  json.endObject();

  json.key("dataset").beginObject();
  json.member("name", dataset.name);
  json.member("channels", dataset.inputChannels);
  json.member("classes", dataset.classes);
  json.member("train_samples", static_cast<int64_t>(dataset.train.size()));
  json.member("validation_samples",
              static_cast<int64_t>(dataset.validation.size()));
  json.member("test_samples", static_cast<int64_t>(dataset.test.size()));
  json.endObject();

  json.key("architecture").beginObject();
  json.member("duration_ms", network.durationMs);
  json.key("populations").beginArray();
  for (const Population &population : network.populations) {
    json.beginObject();
    json.member("name", population.name);
    json.member("kind", kindName(population.kind));
    json.member("size", population.size);
    if (population.kind != PopulationKind::Source) {
      json.member("tau_mem_ms", population.tauMemMs);
      json.member("tau_syn_ms", population.tauSynMs);
    }
    if (population.kind == PopulationKind::LIF) {
      json.member("learn_threshold", population.learnThreshold);
      json.key("threshold");
      writeStatistics(json, population.threshold);
    }
    json.endObject();
  }
  json.endArray();
  json.key("projections").beginArray();
  for (const Projection &projection : network.projections) {
    json.beginObject();
    json.member("name", projection.name);
    json.member("pre", network.populations[projection.pre].name);
    json.member("post", network.populations[projection.post].name);
    json.member("synapses", static_cast<int64_t>(projection.weight.size()));
    json.member("learn_weight", projection.learnWeight);
    json.member("learn_delay", projection.learnDelay);
    json.key("weight");
    writeStatistics(json, projection.weight);
    json.key("delay_ms");
    writeStatistics(json, projection.delayMs);
    json.endObject();
  }
  json.endArray();
  json.endObject();

  if (const Trainer *trainer = inputs.trainer) {
    json.key("epochs").beginArray();
    for (const EpochMetrics &metrics : trainer->history()) {
      json.beginObject();
      json.member("epoch", metrics.epoch + 1);
      json.member("learning_rate", metrics.learningRate);
      json.member("train_loss", metrics.trainLoss);
      json.member("train_accuracy", metrics.trainAccuracy);
      json.member("validation_loss", metrics.validationLoss);
      json.member("validation_accuracy", metrics.validationAccuracy);
      json.member("seconds", metrics.seconds);
      json.endObject();
    }
    json.endArray();
    json.member("best_epoch", trainer->bestEpoch() + 1);
    json.member("stopped_early", trainer->stoppedEarly());
    json.member("resumed_from_epoch", trainer->resumedFromEpoch());
  }
  if (inputs.validation) {
    json.key("validation");
    writeEvaluation(json, *inputs.validation);
  }
  if (inputs.test) {
    json.key("test");
    writeEvaluation(json, *inputs.test);
  }

  json.key("spikes").beginObject();
  json.member("samples", static_cast<int64_t>(spikeSamples));
  json.key("per_sample").beginObject();
  for (size_t index = 0; index < network.populations.size(); ++index)
    json.member(network.populations[index].name,
                spikeSamples ? spikeSums[index] / spikeSamples : 0.0);
  json.endObject();
  json.key("silent_neurons").beginObject();
  for (size_t index = 0; index < network.populations.size(); ++index)
    if (network.populations[index].kind == PopulationKind::LIF)
      json.member(network.populations[index].name,
                  static_cast<int64_t>(std::count(fired[index].begin(),
                                                  fired[index].end(), false)));
  json.endObject();
  json.endObject();
  json.endObject();
  if (!json.complete())
    return "report: " + json.error();

  std::string error;
  if (!writeTextFile(pathOf("report.json"), json.str(), error))
    return error;

  if (inputs.trainer && !inputs.trainer->history().empty())
    if (!writeTextFile(pathOf("curves.svg"),
                       renderCurves(inputs.trainer->history()), error))
      return error;

  // Raster of the first test sample, input included.
  if (spikeSamples > 0) {
    RasterPlot raster;
    const Sample &sample = dataset.test.front();
    raster.title = "Test sample 0 (label " + std::to_string(sample.label) +
                   ", predicted " + std::to_string(rasterForward.prediction) +
                   ")";
    raster.durationMs = network.durationMs;
    for (size_t index = 0; index < network.populations.size(); ++index) {
      const Population &population = network.populations[index];
      RasterGroup group;
      group.name = population.name;
      group.size = population.size;
      if (population.kind == PopulationKind::Source) {
        for (const InputSpike &spike : sample.spikes)
          if (spike.population == static_cast<int32_t>(index))
            group.spikes.push_back({spike.channel, spike.timeMs});
      } else if (index < rasterForward.spikes.size()) {
        for (const SpikeRecord &spike : rasterForward.spikes[index])
          group.spikes.push_back({spike.neuron, spike.timeMs});
      }
      raster.groups.push_back(std::move(group));
    }
    if (!writeTextFile(pathOf("raster.svg"), renderRaster(raster), error))
      return error;
  }

  // Histograms of every weight, delay and threshold tensor.
  std::vector<std::string> histograms;
  for (const Projection &projection : network.projections) {
    HistogramPlot weights;
    weights.title = "Weights of " + projection.name +
                    (projection.learnWeight ? " (learned)" : " (fixed)");
    weights.xLabel = "weight";
    weights.values = projection.weight;
    histograms.push_back(renderHistogram(weights));
    if (!projection.delayMs.empty()) {
      HistogramPlot delays;
      delays.title = "Delays of " + projection.name +
                     (projection.learnDelay ? " (learned)" : " (fixed)");
      delays.xLabel = "delay (ms)";
      delays.values = projection.delayMs;
      delays.color = "#D55E00";
      histograms.push_back(renderHistogram(delays));
    }
  }
  for (const Population &population : network.populations) {
    if (population.kind != PopulationKind::LIF)
      continue;
    HistogramPlot thresholds;
    thresholds.title = "Thresholds of " + population.name +
                       (population.learnThreshold ? " (learned)" : " (fixed)");
    thresholds.xLabel = "threshold";
    thresholds.values = population.threshold;
    thresholds.color = "#009E73";
    histograms.push_back(renderHistogram(thresholds));
  }
  if (!histograms.empty() &&
      !writeTextFile(pathOf("parameters.svg"),
                     gridOfDocuments(histograms, 640, 400, 2), error))
    return error;
  return "";
}
