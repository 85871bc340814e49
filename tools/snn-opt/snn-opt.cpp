//===- snn-opt.cpp - The snnc optimizer driver ----------------------------===//
//
// Parses, verifies, transforms and prints IR in the snnc dialects, with every
// snnc pass and the upstream dialects the lowerings produce.
//
//===----------------------------------------------------------------------===//

#include "snnc/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  snnc::registerAllDialects(registry);
  snnc::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "snnc optimizer driver\n", registry));
}
