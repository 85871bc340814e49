//===- NIROptions.cpp - Command-line options of the NIR importer ----------===//

#include "snnc/NIR/NIROptions.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"

using namespace mlir;
using namespace snnc;
namespace cl = llvm::cl;

namespace {
/// The flags, created on registration so that a tool that never reads NIR
/// does not show them.
struct NIRCommandLineOptions {
  cl::OptionCategory category{"NIR import options"};

  cl::opt<double> stepMs{
      "nir-dt",
      cl::desc("Step (ms) of a discrete-time exporter: a spike is an "
               "impulse of that area. 0 (default): NIR's continuous time, a "
               "spike is an impulse of unit area"),
      cl::init(0.0), cl::cat(category), cl::sub(cl::SubCommand::getAll())};

  cl::opt<double> durationMs{
      "nir-duration",
      cl::desc("Simulated interval of each sample in ms (default 100)"),
      cl::init(100.0), cl::cat(category), cl::sub(cl::SubCommand::getAll())};

  cl::opt<NIRResetMode> reset{
      "nir-reset",
      cl::desc("Voltage after a spike"),
      cl::values(clEnumValN(NIRResetMode::Node, "node",
                            "the node's v_reset, 0 without one (default)"),
                 clEnumValN(NIRResetMode::Zero, "zero", "always 0")),
      cl::init(NIRResetMode::Node),
      cl::cat(category),
      cl::sub(cl::SubCommand::getAll())};

  cl::opt<NIRBiasMode> bias{
      "nir-bias",
      cl::desc("A nonzero Affine bias (snn has none)"),
      cl::values(
          clEnumValN(NIRBiasMode::Error, "error", "refuse the file (default)"),
          clEnumValN(NIRBiasMode::Drop, "drop", "drop the bias and warn")),
      cl::init(NIRBiasMode::Error),
      cl::cat(category),
      cl::sub(cl::SubCommand::getAll())};

  cl::opt<NIRLossKind> loss{
      "nir-loss",
      cl::desc("Loss added on the population read by the Output node; it "
               "also makes every weight learnable"),
      cl::values(
          clEnumValN(NIRLossKind::None, "none", "no loss (default)"),
          clEnumValN(NIRLossKind::TTFS, "ttfs",
                     "time-to-first-spike, tau0 0.5 tau1 6.4 alpha 0.003"),
          clEnumValN(NIRLossKind::MaxVoltage, "max-voltage",
                     "max-voltage cross-entropy on an LI readout")),
      cl::init(NIRLossKind::None),
      cl::cat(category),
      cl::sub(cl::SubCommand::getAll())};

  cl::opt<double> approxTauSynMs{
      "nir-approx-tau-syn",
      cl::desc("Synaptic time constant (ms) approximating LIF, LI, IF and I "
               "nodes, which have no synaptic current; 0 (default) refuses "
               "them"),
      cl::init(0.0), cl::cat(category), cl::sub(cl::SubCommand::getAll())};

  cl::opt<double> approxTauMemMs{
      "nir-approx-tau-mem",
      cl::desc("Membrane time constant (ms) approximating IF and I nodes, "
               "which do not leak; 0 (default) refuses them"),
      cl::init(0.0), cl::cat(category), cl::sub(cl::SubCommand::getAll())};

  cl::opt<bool> repairEdges{
      "nir-repair-edges",
      cl::desc("Take an edge naming a missing node to mean the one node of "
               "its graph that no edge names"),
      cl::init(false), cl::cat(category), cl::sub(cl::SubCommand::getAll())};
};
} // namespace

static llvm::ManagedStatic<NIRCommandLineOptions> commandLineOptions;

void snnc::registerNIRCommandLineOptions() { *commandLineOptions; }

FailureOr<NIRImportOptions>
snnc::getNIRImportOptionsFromCommandLine(MLIRContext *context) {
  NIRImportOptions options;
  if (!commandLineOptions.isConstructed())
    return options;
  const NIRCommandLineOptions &flags = *commandLineOptions;
  Location loc = UnknownLoc::get(context);
  if (!(flags.stepMs >= 0))
    return emitError(loc) << "--nir-dt must be non-negative, got "
                          << flags.stepMs;
  if (!(flags.durationMs > 0))
    return emitError(loc) << "--nir-duration must be positive, got "
                          << flags.durationMs;
  if (!(flags.approxTauSynMs >= 0) || !(flags.approxTauMemMs >= 0))
    return emitError(loc) << "--nir-approx-tau-syn and --nir-approx-tau-mem "
                             "must be non-negative";
  options.durationMs = flags.durationMs;
  options.stepMs = flags.stepMs;
  options.reset = flags.reset;
  options.bias = flags.bias;
  options.loss = flags.loss;
  options.approxTauSynMs = flags.approxTauSynMs;
  options.approxTauMemMs = flags.approxTauMemMs;
  options.repairEdges = flags.repairEdges;
  return options;
}
