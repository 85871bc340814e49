//===- GradCommand.cpp - snnc grad ----------------------------------------===//
//
// Runs one sample forward and backward through the exact method and prints
// the loss, every spike and every gradient as JSON: how users debug a model
// and how anyone can check the gradients independently.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "snnc/Driver/Model.h"
#include "snnc/Driver/SpikeInput.h"

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace snnc;
using namespace snnc::driver;
namespace cl = llvm::cl;

cl::SubCommand snnc::driver::gradCommand(
    "grad", "Print the loss, spikes and exact gradients of one sample");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::sub(gradCommand));
static cl::opt<std::string>
    spikesPath("spikes", cl::Required,
               cl::desc("JSON file: source name -> [[channel, time_ms], ...]"),
               cl::value_desc("file"), cl::sub(gradCommand));
static cl::opt<int> label("label", cl::init(-1),
                          cl::desc("Target class; without it no loss or "
                                   "gradient is computed"),
                          cl::sub(gradCommand));
static cl::opt<std::string>
    networkName("network",
                cl::desc("Network to run when the model has several"),
                cl::sub(gradCommand));
static cl::opt<std::string>
    outputPath("o", cl::init("-"), cl::desc("Output file (default: stdout)"),
               cl::value_desc("file"), cl::sub(gradCommand));

int snnc::driver::runGrad() {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(modelPath, context);
  if (!module)
    return 1;
  snn::NetworkOp networkOp = findNetwork(*module, networkName);
  if (!networkOp)
    return 1;
  mlir::FailureOr<runtime::Network> network = toRuntimeNetwork(networkOp);
  if (mlir::failed(network))
    return 1;

  auto spikesFile = llvm::MemoryBuffer::getFileOrSTDIN(spikesPath);
  if (!spikesFile)
    return fail("cannot read '" + spikesPath +
                "': " + spikesFile.getError().message());
  runtime::Sample sample;
  std::string error;
  if (!parseSpikeInput((*spikesFile)->getBuffer(), *network, sample, error))
    return fail(spikesPath + ": " + error);

  // A label selects an output neuron of the loss population.
  if (label >= 0) {
    if (network->loss.kind == runtime::LossKind::None)
      return fail("--label given, but network @" + network->name +
                  " has no loss");
    int32_t outputs = network->populations[network->loss.population].size;
    if (label >= outputs)
      return fail("--label " + llvm::Twine(label.getValue()) +
                  " is out of range: the loss population has " +
                  llvm::Twine(outputs) + " neurons");
    sample.label = label;
  }

  runtime::ForwardResult forward;
  error = runtime::runForward(*network, sample, forward, nullptr);
  if (!error.empty())
    return fail(error);
  std::optional<runtime::Gradients> gradients;
  if (sample.label >= 0) {
    gradients = runtime::Gradients::zerosLike(*network);
    error =
        runtime::runBackward(*network, sample, forward, *gradients, nullptr);
    if (!error.empty())
      return fail(error);
  }

  std::error_code ec;
  llvm::ToolOutputFile output(outputPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + outputPath + "': " + ec.message());
  output.os() << llvm::formatv(
      "{0:2}\n", gradientReport(*network, sample, forward,
                                gradients ? &*gradients : nullptr));
  output.keep();
  return 0;
}
