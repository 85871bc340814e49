//===- Commands.h - The subcommands of snnc ---------------------*- C++ -*-===//

#ifndef SNNC_TOOLS_SNNC_COMMANDS_H
#define SNNC_TOOLS_SNNC_COMMANDS_H

#include "llvm/Support/CommandLine.h"

namespace snnc::driver {

/// Each command is an llvm::cl subcommand with its own options; `run*`
/// returns the process exit code.
extern llvm::cl::SubCommand gradCommand;
int runGrad();
extern llvm::cl::SubCommand trainCommand;
int runTrain();
extern llvm::cl::SubCommand evalCommand;
int runEval();
extern llvm::cl::SubCommand compileCommand;
int runCompile();
extern llvm::cl::SubCommand compareCommand;
int runCompare();
extern llvm::cl::SubCommand runCommand;
int runRun();

/// Prints "snnc: error: <message>" to stderr and returns 1.
int fail(const llvm::Twine &message);

} // namespace snnc::driver

#endif // SNNC_TOOLS_SNNC_COMMANDS_H
