//===- EVDialect.h - The ev dialect -----------------------------*- C++ -*-===//

#ifndef SNNC_DIALECTS_EV_EVDIALECT_H
#define SNNC_DIALECTS_EV_EVDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Dialect.h"

#include "dialects/EV/EVDialect.h.inc"

#endif // SNNC_DIALECTS_EV_EVDIALECT_H
