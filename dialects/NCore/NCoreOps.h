//===- NCoreOps.h - Types, attributes and ops of ncore ----------*- C++ -*-===//

#ifndef SNNC_DIALECTS_NCORE_NCOREOPS_H
#define SNNC_DIALECTS_NCORE_NCOREOPS_H

#include "dialects/NCore/NCoreDialect.h"

#include "runtime/NCoreTarget.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/NCore/NCoreEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/NCore/NCoreAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/NCore/NCoreTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/NCore/NCoreOps.h.inc"

#endif // SNNC_DIALECTS_NCORE_NCOREOPS_H
