//===- snn-translate.cpp - Translations into and out of snnc IR -----------===//
//
// `--import-nir` reads a NIR file (HDF5) into an `snn.network`;
// `--export-nir` writes an `snn.network` as a NIR file. The NIR options
// below decide what NIR leaves open; docs/nir.md documents them.
//
//===----------------------------------------------------------------------===//

#include "snnc/InitAll.h"
#include "snnc/NIR/NIR.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace snnc;

static llvm::cl::OptionCategory nirCategory("NIR options");

static llvm::cl::opt<double>
    nirDt("nir-dt",
          llvm::cl::desc("Step (ms) of a discrete-time exporter: a spike is an "
                         "impulse of that area. 0 (default): NIR's continuous "
                         "time, a spike is an impulse of unit area"),
          llvm::cl::init(0.0), llvm::cl::cat(nirCategory));

static llvm::cl::opt<double> nirDuration(
    "nir-duration",
    llvm::cl::desc("Simulated interval of each sample in ms (default 100)"),
    llvm::cl::init(100.0), llvm::cl::cat(nirCategory));

static llvm::cl::opt<NIRResetMode> nirReset(
    "nir-reset", llvm::cl::desc("Voltage after a spike"),
    llvm::cl::values(clEnumValN(NIRResetMode::Node, "node",
                                "the node's v_reset, 0 without one "
                                "(default)"),
                     clEnumValN(NIRResetMode::Zero, "zero", "always 0")),
    llvm::cl::init(NIRResetMode::Node), llvm::cl::cat(nirCategory));

static llvm::cl::opt<NIRBiasMode>
    nirBias("nir-bias", llvm::cl::desc("A nonzero Affine bias (snn has none)"),
            llvm::cl::values(clEnumValN(NIRBiasMode::Error, "error",
                                        "refuse the file (default)"),
                             clEnumValN(NIRBiasMode::Drop, "drop",
                                        "drop the bias and warn")),
            llvm::cl::init(NIRBiasMode::Error), llvm::cl::cat(nirCategory));

static llvm::cl::opt<NIRLossKind> nirLoss(
    "nir-loss",
    llvm::cl::desc("Loss added on the population read by the Output node; "
                   "it also makes every weight learnable"),
    llvm::cl::values(
        clEnumValN(NIRLossKind::None, "none", "no loss (default)"),
        clEnumValN(NIRLossKind::TTFS, "ttfs",
                   "time-to-first-spike, tau0 0.5 tau1 6.4 alpha 0.003"),
        clEnumValN(NIRLossKind::MaxVoltage, "max-voltage",
                   "max-voltage cross-entropy on an LI readout")),
    llvm::cl::init(NIRLossKind::None), llvm::cl::cat(nirCategory));

static llvm::cl::opt<double> nirApproxTauSyn(
    "nir-approx-tau-syn",
    llvm::cl::desc("Synaptic time constant (ms) approximating LIF, LI, IF "
                   "and I nodes, which have no synaptic current; 0 "
                   "(default) refuses them"),
    llvm::cl::init(0.0), llvm::cl::cat(nirCategory));

static llvm::cl::opt<double> nirApproxTauMem(
    "nir-approx-tau-mem",
    llvm::cl::desc("Membrane time constant (ms) approximating IF and I "
                   "nodes, which do not leak; 0 (default) refuses them"),
    llvm::cl::init(0.0), llvm::cl::cat(nirCategory));

static llvm::cl::opt<bool> nirRepairEdges(
    "nir-repair-edges",
    llvm::cl::desc("Take an edge naming a missing node to mean the one node "
                   "of its graph that no edge names"),
    llvm::cl::init(false), llvm::cl::cat(nirCategory));

static llvm::cl::opt<std::string> nirNetwork(
    "nir-network",
    llvm::cl::desc("Import: name of the network (default: the file's "
                   "stem). Export: the network to write (default: the only "
                   "one)"),
    llvm::cl::init(""), llvm::cl::cat(nirCategory));

/// Checks the numeric options, which the importer takes as given.
static LogicalResult checkOptions(MLIRContext *context) {
  Location loc = UnknownLoc::get(context);
  if (!(nirDt >= 0))
    return emitError(loc) << "--nir-dt must be non-negative, got " << nirDt;
  if (!(nirDuration > 0))
    return emitError(loc) << "--nir-duration must be positive, got "
                          << nirDuration;
  if (!(nirApproxTauSyn >= 0) || !(nirApproxTauMem >= 0))
    return emitError(loc) << "--nir-approx-tau-syn and --nir-approx-tau-mem "
                             "must be non-negative";
  return success();
}

static void registerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
}

static OwningOpRef<Operation *> importFromSource(llvm::SourceMgr &sourceMgr,
                                                 MLIRContext *context) {
  if (failed(checkOptions(context)))
    return nullptr;
  NIRImportOptions options;
  options.networkName = nirNetwork;
  options.durationMs = nirDuration;
  options.stepMs = nirDt;
  options.reset = nirReset;
  options.bias = nirBias;
  options.loss = nirLoss;
  options.approxTauSynMs = nirApproxTauSyn;
  options.approxTauMemMs = nirApproxTauMem;
  options.repairEdges = nirRepairEdges;
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  OwningOpRef<ModuleOp> module =
      importNIR(buffer->getMemBufferRef(), context, options);
  if (!module)
    return nullptr;
  return OwningOpRef<Operation *>(module.release());
}

static LogicalResult exportToStream(Operation *op, llvm::raw_ostream &os) {
  llvm::SmallVector<snn::NetworkOp> networks;
  op->walk([&](snn::NetworkOp network) {
    if (nirNetwork.empty() || network.getSymName() == nirNetwork)
      networks.push_back(network);
  });
  if (networks.size() == 1)
    return exportNIR(networks.front(), os);
  if (networks.empty())
    return op->emitError() << "no snn.network"
                           << (nirNetwork.empty() ? "" : " named @")
                           << nirNetwork << " to export";
  return op->emitError() << networks.size()
                         << " snn.network ops; name the one to export with "
                            "--nir-network";
}

int main(int argc, char **argv) {
  TranslateToMLIRRegistration importRegistration(
      "import-nir", "read a NIR file (HDF5) into the snn dialect",
      importFromSource, registerDialects);
  TranslateFromMLIRRegistration exportRegistration(
      "export-nir", "write an snn network as a NIR file (HDF5)", exportToStream,
      registerDialects);
  return failed(mlirTranslateMain(argc, argv, "snnc translation driver\n"));
}
