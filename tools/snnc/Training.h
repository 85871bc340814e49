//===- Training.h - What snnc train and snnc eval share ---------*- C++ -*-===//
//
// Loading a data set that fits a network, the progress display, learn flags
// written back into the IR, and the report folder (report.json and SVG
// plots) of a training or evaluation run.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_TOOLS_SNNC_TRAINING_H
#define SNNC_TOOLS_SNNC_TRAINING_H

#include "runtime/Datasets.h"
#include "runtime/Json.h"
#include "runtime/TimeStep.h"
#include "runtime/Trainer.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace snnc {
namespace snn {
class NetworkOp;
} // namespace snn

namespace driver {

/// Loads data set `name` for `network`: addresses its spikes to the
/// network's source population and checks that channels and classes match
/// the source and the loss population. Sets `error` on failure.
std::optional<runtime::Dataset> loadDatasetFor(const runtime::Network &network,
                                               const std::string &name,
                                               runtime::DatasetOptions options,
                                               std::string &error);

/// The method a command trains or evaluates with, as --method, --dt and
/// --surrogate-slope choose it.
struct MethodChoice {
  /// "exact" or "bptt".
  std::string name = "exact";
  /// The grid of the bptt method.
  runtime::TimeStepOptions timeStep;
  /// runBatch, or runTimeStepBatch on timeStep's grid.
  runtime::BatchRunner runner = runtime::runBatch;
  /// The method and its settings in one line ("bptt dt=0.5 slope=10"), as
  /// checkpoints record it.
  std::string description = "exact";
};

/// Builds the method `name` for `network`. `dtMs` and `slope` are null
/// when their flags were not given; giving one with the exact method is an
/// error. With compiled kernels (`--kernels`, the default) the bptt method
/// runs on the time-stepped kernels of `networkOp`, the op `network` was
/// built from, compiled here for its grid. Returns an error naming the
/// flag, or an empty string.
std::string chooseMethod(const std::string &name, const double *dtMs,
                         const double *slope, const runtime::Network &network,
                         snn::NetworkOp networkOp, MethodChoice &method);

/// "weights,delays" style summary of what a network learns, or "none".
std::string learnedParameters(const runtime::Network &network);

/// Training progress on stderr: a bar with throughput and ETA redrawn in
/// place on a terminal, one line per epoch otherwise, nothing when quiet.
class ProgressDisplay {
public:
  ProgressDisplay(bool quiet, int32_t epochs, int64_t trainSamples);
  void update(const runtime::TrainProgress &progress);
  void epochDone(const runtime::EpochMetrics &metrics);
  /// Erases a half-drawn bar before other output.
  void clear();

private:
  bool quiet;
  bool terminal;
  int32_t epochs;
  int64_t trainSamples;
  bool barShown = false;
  std::chrono::steady_clock::time_point lastDraw;
  std::chrono::steady_clock::time_point runStart;
  int64_t samplesBeforeEpoch = 0;
  int32_t firstEpoch = -1;
};

/// Everything a report needs beyond the run's own settings.
struct ReportInputs {
  std::string command;
  std::string modelPath;
  const runtime::Network *network = nullptr;
  const runtime::Dataset *dataset = nullptr;
  const runtime::Trainer *trainer = nullptr;
  const runtime::Evaluation *test = nullptr;
  const runtime::Evaluation *validation = nullptr;
  double wallSeconds = 0;
  int32_t threads = 1;
  const runtime::SimulationOptions *simulation = nullptr;
};

/// Writes DIR/report.json, DIR/curves.svg (with a trainer), DIR/raster.svg
/// and DIR/parameters.svg. `writeSettings` adds the command's settings as
/// members of the "settings" object. Returns an error message or empty.
std::string
writeReport(const std::string &folder, const ReportInputs &inputs,
            const std::function<void(runtime::JsonWriter &)> &writeSettings);

} // namespace driver
} // namespace snnc

#endif // SNNC_TOOLS_SNNC_TRAINING_H
