//===- NCoreDialect.h - The ncore dialect -----------------------*- C++ -*-===//

#ifndef SNNC_DIALECTS_NCORE_NCOREDIALECT_H
#define SNNC_DIALECTS_NCORE_NCOREDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/NCore/NCoreDialect.h.inc"

#endif // SNNC_DIALECTS_NCORE_NCOREDIALECT_H
