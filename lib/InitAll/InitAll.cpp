//===- InitAll.cpp - Register every snnc dialect and pass -----------------===//

#include "snnc/InitAll.h"

#include "snnc/Conversion/Passes.h"
#include "snnc/Target/NCore/Passes.h"
#include "snnc/Transforms/Passes.h"

#include "dialects/EV/EVDialect.h"
#include "dialects/NCore/NCoreDialect.h"
#include "dialects/SNN/SNNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void snnc::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<snn::SNNDialect, ev::EVDialect, ncore::NCoreDialect>();
  // What the lowerings produce on the way to LLVM.
  registry.insert<mlir::arith::ArithDialect, mlir::cf::ControlFlowDialect,
                  mlir::func::FuncDialect, mlir::LLVM::LLVMDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect>();
}

void snnc::registerAllPasses() {
  // The generic passes users combine with ours: canonicalize, cse, inline.
  mlir::registerTransformsPasses();
  snnc::registerConversionPasses();
  registerSNNTransformsPasses();
  snnc::registerNCorePasses();
}
