//===- InitAll.cpp - Register every snnc dialect and pass -----------------===//

#include "snnc/InitAll.h"

#include "dialects/SNN/SNNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void snnc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<snn::SNNDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect>();
}

void snnc::registerAllPasses() {
  // The generic passes users combine with ours: canonicalize, cse, inline.
  mlir::registerTransformsPasses();
}
