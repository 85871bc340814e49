//===- snnc.cpp - The snnc driver -----------------------------------------===//
//
// The user-facing tool: `snnc grad`, and the commands that train, evaluate
// and compile models. Each command lives in its own file.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace snnc::driver;

int snnc::driver::fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "snnc") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "snnc: exact event-driven training and compilation of spiking "
      "networks\n\n"
      "  snnc grad MODEL.mlir --spikes INPUT.json [--label N]\n"
      "  snnc train MODEL.mlir --data NAME [-o OUT.mlir] [--report DIR]\n"
      "  snnc eval MODEL.mlir --data NAME\n"
      "  snnc compile MODEL.mlir --emit=mlir|llvm|obj [-o FILE]\n"
      "  snnc compare MODEL.mlir --data NAME [--dt 1,0.5,0.25]\n");

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
  return fail("no command given; see 'snnc --help'");
}
