//===- TimeStepBenchmark.cpp - BPTT on compiled and builtin kernels -------===//
//
// One training sample (forward and backward) of the Yin-Yang example
// network (examples/yinyang.mlir: 5 -> 120 -> 3 LIF, first-spike loss) on
// the time grid, run by the runtime's own executor (builtin) and by the
// JIT-compiled, traffic-instrumented kernels of snn-lower-to-timestep
// (compiled). The argument is dt in microseconds.
//
//===----------------------------------------------------------------------===//

#include "snnc/Driver/CompiledKernels.h"
#include "snnc/Driver/Model.h"

#include "dialects/SNN/SNNOps.h"
#include "runtime/Datasets.h"
#include "runtime/TimeStep.h"

#include "mlir/IR/MLIRContext.h"

#include <benchmark/benchmark.h>

using namespace snnc;

namespace {

/// The example network and a few generated Yin-Yang samples, loaded once.
struct YinYang {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  snn::NetworkOp op;
  runtime::Network network;
  std::vector<runtime::Sample> samples;
  std::string error;

  YinYang() {
    module = loadModel(SNNC_SOURCE_DIR "/examples/yinyang.mlir", context);
    if (!module) {
      error = "cannot load examples/yinyang.mlir";
      return;
    }
    op = findNetwork(*module, "");
    mlir::FailureOr<runtime::Network> built =
        toRuntimeNetwork(op, KernelSource::Builtin);
    if (mlir::failed(built)) {
      error = "cannot build the runtime network";
      return;
    }
    network = std::move(*built);
    runtime::DatasetOptions options;
    options.trainSize = 64;
    options.validationSize = 0;
    options.testSize = 0;
    std::optional<runtime::Dataset> dataset =
        runtime::loadDataset("yinyang", options, error);
    if (dataset)
      samples = std::move(dataset->train);
  }
};

YinYang &yinYang() {
  static YinYang data;
  return data;
}

void runSamples(benchmark::State &state, bool compiled) {
  YinYang &data = yinYang();
  if (!data.error.empty()) {
    state.SkipWithError(data.error.c_str());
    return;
  }
  runtime::TimeStepOptions options;
  options.dtMs = static_cast<double>(state.range(0)) / 1000;
  if (compiled) {
    auto kernels = compileTimeStepKernels(data.op, data.network, options);
    if (mlir::failed(kernels)) {
      state.SkipWithError("compiling the time-stepped kernels failed");
      return;
    }
    options.kernels = *kernels;
  }
  runtime::Gradients gradients = runtime::Gradients::zerosLike(data.network);
  runtime::TimeStepResult result;
  uint64_t bytes = 0;
  size_t index = 0;
  for (auto _ : state) {
    runtime::TrafficCounters traffic;
    std::string error = runtime::runTimeStep(
        data.network, data.samples[index++ % data.samples.size()], options,
        result, &gradients, &traffic);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    bytes += traffic.totalBytes();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["steps"] = runtime::timeStepCount(data.network, options);
  state.counters["bytes/sample"] = benchmark::Counter(
      static_cast<double>(bytes) / static_cast<double>(state.iterations()));
}

void BM_BPTTYinYangBuiltin(benchmark::State &state) {
  runSamples(state, false);
}
void BM_BPTTYinYangCompiled(benchmark::State &state) {
  runSamples(state, true);
}
BENCHMARK(BM_BPTTYinYangBuiltin)
    ->Arg(500)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BPTTYinYangCompiled)
    ->Arg(500)
    ->Arg(100)
    ->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // The JIT'd kernels must go while LLVM is still up.
  releaseCompiledKernels();
  return 0;
}
