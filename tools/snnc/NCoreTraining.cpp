//===- NCoreTraining.cpp - snnc train --target ncore ----------------------===//

#include "NCoreTraining.h"
#include "Training.h"

#include "snnc/Driver/Model.h"
#include "snnc/InitAll.h"
#include "snnc/Target/NCore/Image.h"
#include "snnc/Target/NCore/Passes.h"

#include "dialects/SNN/SNNOps.h"

#include "runtime/Energy.h"
#include "runtime/NCoreImage.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace snnc;
using namespace snnc::runtime;

std::shared_ptr<NCoreBatchRunner>
driver::makeNCoreRunner(llvm::StringRef modelPath, llvm::StringRef targetSpec,
                        const Network &network, std::string &error) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(modelPath, context);
  if (!module) {
    error = "cannot load '" + modelPath.str() + "'";
    return nullptr;
  }
  // The loader prints every diagnostic; the mapping's remarks belong to snnc
  // compile; errors and warnings stay.
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &diag) {
    return mlir::success(diag.getSeverity() ==
                         mlir::DiagnosticSeverity::Remark);
  });
  // The learn flags as the trainer has them (--learn may change them):
  // learned delays need delay storage on the chip.
  snn::NetworkOp networkOp = findNetwork(*module, network.name);
  if (!networkOp) {
    error = "cannot find network '" + network.name + "' in '" +
            modelPath.str() + "'";
    return nullptr;
  }
  writeLearnFlags(networkOp, network);
  mlir::PassManager pm(&context);
  buildNCoreLoweringPipeline(pm, targetSpec.str());
  if (mlir::failed(pm.run(*module))) {
    error = "cannot map '" + modelPath.str() + "' onto the ncore target";
    return nullptr;
  }
  mlir::FailureOr<NCoreImage> image = ncore::buildImageOfOnlyChip(*module);
  if (mlir::failed(image)) {
    error = "cannot build the core image of '" + modelPath.str() + "'";
    return nullptr;
  }
  auto runner = std::make_shared<NCoreBatchRunner>(std::move(*image), network);
  if (!runner->error().empty()) {
    error = modelPath.str() + ": cannot learn on the core: " + runner->error();
    return nullptr;
  }
  return runner;
}

/// One line: bytes per memory class of `phase`, per sample.
static void printPhase(const char *label, const TrafficCounters &traffic,
                       Phase phase, double samples) {
  char line[200];
  auto bytes = [&](MemoryClass memoryClass) {
    return phaseClassBytes(traffic, phase, memoryClass) / samples;
  };
  std::snprintf(line, sizeof line,
                "  %-9s %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f\n", label,
                bytes(MemoryClass::Synapse), bytes(MemoryClass::State),
                bytes(MemoryClass::Record), bytes(MemoryClass::Queue),
                bytes(MemoryClass::Grad), bytes(MemoryClass::Noc));
  llvm::outs() << line;
}

void driver::printNCoreTrainingReport(const NCoreBatchRunner &runner) {
  const NCoreImage &image = runner.currentImage();
  const NCoreTarget &chip = image.target;
  auto sum = [](const std::vector<NCoreCounters> &perCore) {
    NCoreCounters total;
    for (const NCoreCounters &core : perCore)
      total += core;
    return total;
  };
  char line[256];
  std::snprintf(line, sizeof line,
                "chip: %s preset, %zu cores, %d ticks of %g ms per sample\n",
                chip.preset.c_str(), image.cores.size(), image.durationTicks,
                chip.timeStepMs);
  llvm::outs() << line;
  if (runner.trainingSamples() > 0) {
    double samples = static_cast<double>(runner.trainingSamples());
    NCoreCounters total = sum(runner.trainingCounters());
    NCoreEnergy energy = ncoreEnergy(total, chip);
    std::snprintf(line, sizeof line,
                  "per training sample (%lld samples): bytes read + written\n"
                  "  %-9s %10s %10s %10s %10s %10s %10s\n",
                  static_cast<long long>(runner.trainingSamples()), "phase",
                  "synapse", "state", "record", "queue", "grad", "noc");
    llvm::outs() << line;
    printPhase("forward", total.traffic, Phase::Forward, samples);
    printPhase("backward", total.traffic, Phase::Backward, samples);
    printPhase("update", total.traffic, Phase::Update, samples);
    std::snprintf(
        line, sizeof line,
        "  synaptic ops %.1f (forward %.1f, backward %.1f), neuron updates "
        "%.1f, spike messages %.1f, mesh hops %.1f, learning updates %.1f\n",
        total.synapticOps() / samples,
        total.traffic.synapticOps[static_cast<int>(Phase::Forward)] / samples,
        total.traffic.synapticOps[static_cast<int>(Phase::Backward)] / samples,
        total.neuronUpdates / samples, total.spikeMessages / samples,
        total.meshHops / samples, total.learningUpdates / samples);
    llvm::outs() << line;
    std::snprintf(line, sizeof line,
                  "  energy per training sample: %.2f nJ (synaptic ops %.2f, "
                  "neuron updates %.2f, messages and hops %.2f, learning "
                  "updates %.2f)\n",
                  energy.totalPj() / samples / 1000,
                  energy.synapticOpsPj / samples / 1000,
                  energy.neuronUpdatesPj / samples / 1000,
                  (energy.spikeMessagesPj + energy.meshHopsPj) / samples / 1000,
                  energy.learningUpdatesPj / samples / 1000);
    llvm::outs() << line;

    // The same samples with time-stepped BPTT on the same chip and grid.
    NCoreCounters grid = sum(runner.timeStepTrainingCounters());
    NCoreEnergy gridEnergy = ncoreEnergy(grid, chip);
    llvm::outs() << "time-stepped BPTT on the same chip, one step per tick "
                    "(model, docs/ncore.md), per training sample:\n";
    printPhase("forward", grid.traffic, Phase::Forward, samples);
    printPhase("backward", grid.traffic, Phase::Backward, samples);
    printPhase("update", grid.traffic, Phase::Update, samples);
    std::snprintf(line, sizeof line,
                  "  energy per training sample: %.2f nJ; BPTT / exact: %.1fx "
                  "the bytes, %.1fx the energy\n",
                  gridEnergy.totalPj() / samples / 1000,
                  double(grid.traffic.totalBytes()) /
                      double(total.traffic.totalBytes()),
                  gridEnergy.totalPj() / energy.totalPj());
    llvm::outs() << line;
  }
  if (runner.evaluationSamples() > 0) {
    double samples = static_cast<double>(runner.evaluationSamples());
    NCoreCounters total = sum(runner.evaluationCounters());
    std::snprintf(line, sizeof line,
                  "per inference (%lld validation and test samples): %.2f nJ, "
                  "%.0f bytes\n",
                  static_cast<long long>(runner.evaluationSamples()),
                  ncoreEnergy(total, chip).totalPj() / samples / 1000,
                  total.traffic.totalBytes() / samples);
    llvm::outs() << line;
  }
  const NCoreLearningStats &stats = runner.stats();
  std::snprintf(
      line, sizeof line,
      "fixed point: %llu saturated values, %llu flat crossings, "
      "%llu parameters saturated in the last image\n",
      static_cast<unsigned long long>(stats.saturations),
      static_cast<unsigned long long>(stats.flatCrossings),
      static_cast<unsigned long long>(runner.lastRequantizeSaturations()));
  llvm::outs() << line;
}

bool driver::writeNCoreImageFile(const NCoreImage &image,
                                 const std::string &path, std::string &error) {
  std::vector<uint8_t> bytes = writeNCoreImage(image);
  std::error_code code;
  llvm::raw_fd_ostream out(path, code, llvm::sys::fs::OF_None);
  if (code) {
    error = "cannot write '" + path + "': " + code.message();
    return false;
  }
  out.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  out.close();
  if (out.has_error()) {
    error = "cannot write '" + path + "': " + out.error().message();
    out.clear_error();
    return false;
  }
  return true;
}
