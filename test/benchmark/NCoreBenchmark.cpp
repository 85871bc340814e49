//===- NCoreBenchmark.cpp - The core simulator, inference and learning ----===//
//
// The Yin-Yang example network (examples/yinyang.mlir) mapped onto the
// `loihi` preset by the snn-lower-to-ncore pipeline, then one sample on
// the bit-accurate simulator: forward only (inference), and forward plus
// the fixed-point adjoint (one on-core training sample). Counters give the
// chip's synaptic operations and energy per sample.
//
//===----------------------------------------------------------------------===//

#include "snnc/Driver/Model.h"
#include "snnc/InitAll.h"
#include "snnc/Target/NCore/Image.h"
#include "snnc/Target/NCore/Passes.h"

#include "runtime/Datasets.h"
#include "runtime/Loss.h"
#include "runtime/NCoreLearn.h"
#include "runtime/NCoreSim.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <benchmark/benchmark.h>

using namespace snnc;
using namespace snnc::runtime;

namespace {

/// The mapped example and a few generated samples, built once.
struct Chip {
  NCoreImage image;
  Network network;
  std::vector<Sample> samples;
  std::string error;

  Chip() {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    mlir::MLIRContext context(registry);
    mlir::OwningOpRef<mlir::ModuleOp> module =
        loadModel(SNNC_SOURCE_DIR "/examples/yinyang.mlir", context);
    if (!module) {
      error = "cannot load examples/yinyang.mlir";
      return;
    }
    // The mapping's remarks are not what is measured.
    context.printOpOnDiagnostic(false);
    mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &diag) {
      return mlir::success(diag.getSeverity() ==
                           mlir::DiagnosticSeverity::Remark);
    });
    mlir::FailureOr<Network> built =
        toRuntimeNetwork(findNetwork(*module, ""), KernelSource::Builtin);
    mlir::PassManager pm(&context);
    buildNCoreLoweringPipeline(pm, "loihi");
    if (mlir::failed(built) || mlir::failed(pm.run(*module))) {
      error = "cannot map examples/yinyang.mlir";
      return;
    }
    network = std::move(*built);
    mlir::FailureOr<NCoreImage> mapped = ncore::buildImageOfOnlyChip(*module);
    if (mlir::failed(mapped)) {
      error = "cannot build the core image";
      return;
    }
    image = std::move(*mapped);
    DatasetOptions options;
    options.trainSize = 64;
    options.validationSize = 0;
    options.testSize = 0;
    std::optional<Dataset> dataset = loadDataset("yinyang", options, error);
    if (dataset)
      samples = std::move(dataset->train);
  }
};

Chip &chip() {
  static Chip instance;
  return instance;
}

void reportCounters(benchmark::State &state,
                    const std::vector<NCoreCounters> &perCore,
                    const NCoreTarget &target) {
  NCoreCounters total;
  for (const NCoreCounters &core : perCore)
    total += core;
  double samples = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["synops/sample"] = total.synapticOps() / samples;
  state.counters["nJ/sample"] =
      ncoreEnergy(total, target).totalPj() / samples / 1000;
}

void BM_NCoreInference(benchmark::State &state) {
  Chip &setup = chip();
  if (!setup.error.empty() || setup.samples.empty()) {
    state.SkipWithError(setup.error.c_str());
    return;
  }
  NCoreSimulator simulator(setup.image);
  NCoreSampleResult result;
  std::vector<NCoreCounters> perCore;
  size_t index = 0;
  for (auto _ : state) {
    const Sample &sample = setup.samples[index++ % setup.samples.size()];
    if (!simulator.run(sample, result, perCore).empty()) {
      state.SkipWithError("the simulator failed");
      return;
    }
  }
  reportCounters(state, perCore, setup.image.target);
}
BENCHMARK(BM_NCoreInference)->Unit(benchmark::kMicrosecond);

void BM_NCoreTrainingSample(benchmark::State &state) {
  Chip &setup = chip();
  if (!setup.error.empty() || setup.samples.empty()) {
    state.SkipWithError(setup.error.c_str());
    return;
  }
  NCoreSimulator simulator(setup.image);
  NCoreLearner learner(setup.image);
  NCoreGradients gradients = NCoreGradients::zerosLike(setup.image);
  NCoreLearningStats stats;
  NCoreForwardRecord record;
  NCoreSampleResult result;
  std::vector<NCoreCounters> perCore;
  std::vector<double> outputs, errors;
  const double dt = setup.image.target.timeStepMs;
  size_t index = 0;
  for (auto _ : state) {
    const Sample &sample = setup.samples[index++ % setup.samples.size()];
    if (!simulator.run(sample, result, perCore, &record).empty()) {
      state.SkipWithError("the simulator failed");
      return;
    }
    outputs.clear();
    for (int64_t tick : result.outputs)
      outputs.push_back(tick < 0 ? setup.network.durationMs : tick * dt);
    lossAndErrors(setup.network, outputs, sample.label, &errors,
                  SilentOutputError::Drop);
    if (!learner.backward(record, errors, gradients, perCore, stats).empty()) {
      state.SkipWithError("the adjoint failed");
      return;
    }
  }
  reportCounters(state, perCore, setup.image.target);
}
BENCHMARK(BM_NCoreTrainingSample)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
