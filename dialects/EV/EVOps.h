//===- EVOps.h - Operations of the ev dialect -------------------*- C++ -*-===//

#ifndef SNNC_DIALECTS_EV_EVOPS_H
#define SNNC_DIALECTS_EV_EVOPS_H

#include "dialects/EV/EVDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/EV/EVOps.h.inc"

#endif // SNNC_DIALECTS_EV_EVOPS_H
