//===- SNNOps.h - Types, attributes and ops of the snn dialect --*- C++ -*-===//

#ifndef SNNC_DIALECTS_SNN_SNNOPS_H
#define SNNC_DIALECTS_SNN_SNNOPS_H

#include "dialects/SNN/SNNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/SNN/SNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/SNN/SNNAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/SNN/SNNTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/SNN/SNNOps.h.inc"

namespace snnc::snn {

/// The values of an f64 tensor attribute, inline or a resource blob, in
/// row-major order. Fails for a resource whose blob is missing.
mlir::LogicalResult getF64Values(mlir::ElementsAttr attr,
                                 llvm::SmallVectorImpl<double> &values);

/// Values of an attribute that is one f64 or an f64 tensor; a single f64 is
/// repeated `count` times.
mlir::LogicalResult
getScalarOrTensorValues(mlir::Attribute attr, int64_t count,
                        llvm::SmallVectorImpl<double> &values);

} // namespace snnc::snn

#endif // SNNC_DIALECTS_SNN_SNNOPS_H
