//===- snnc.cpp - The snnc driver -----------------------------------------===//
//
// The user-facing tool: `snnc grad`, and the commands that train, evaluate
// and compile models. Each command lives in its own file.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "snnc/Driver/CompiledKernels.h"
#include "snnc/NIR/NIROptions.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace snnc::driver;

int snnc::driver::fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "snnc") << message << "\n";
  return 1;
}

/// Runs the command the command line selected.
static int dispatch() {
  if (gradCommand)
    return runGrad();
  if (trainCommand)
    return runTrain();
  if (evalCommand)
    return runEval();
  if (compileCommand)
    return runCompile();
  if (compareCommand)
    return runCompare();
  if (runCommand)
    return runRun();
  return fail("no command given; see 'snnc --help'");
}

/// Which code runs the per-population steps: for every command.
static llvm::cl::opt<snnc::KernelSource> kernels(
    "kernels",
    llvm::cl::desc("Code that executes the propagator, crossing solve and "
                   "adjoint jump of each population, and the steps of "
                   "--method bptt"),
    llvm::cl::values(
        clEnumValN(snnc::KernelSource::Compiled, "compiled",
                   "kernels compiled from the network and JIT-compiled "
                   "at -O3 (default)"),
        clEnumValN(snnc::KernelSource::Builtin, "builtin",
                   "the runtime's own closed forms and loops")),
    llvm::cl::init(snnc::KernelSource::Compiled),
    llvm::cl::sub(llvm::cl::SubCommand::getAll()));

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  snnc::registerNIRCommandLineOptions();
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "snnc: exact event-driven training and compilation of spiking "
      "networks\n\n"
      "  snnc grad MODEL.mlir --spikes INPUT.json [--label N]\n"
      "  snnc train MODEL.mlir --data NAME [-o OUT.mlir] [--report DIR]\n"
      "  snnc eval MODEL.mlir --data NAME\n"
      "  snnc compile MODEL.mlir --emit=mlir|llvm|obj [-o FILE]\n"
      "  snnc compile MODEL.mlir --target ncore -o MODEL.img\n"
      "  snnc run MODEL.img --data NAME\n"
      "  snnc compare MODEL.mlir --data NAME [--dt 1,0.5,0.25]\n\n"
      "MODEL is an .mlir file in the snn dialect or a .nir file (see the "
      "--nir-* options).\n");
  snnc::setDefaultKernelSource(kernels);

  int status = dispatch();
  // The JIT'd kernels must go while LLVM is still up: InitLLVM shuts it
  // down when main returns.
  snnc::releaseCompiledKernels();
  return status;
}
