//===- SNNDialect.h - The snn dialect ---------------------------*- C++ -*-===//

#ifndef SNNC_DIALECTS_SNN_SNNDIALECT_H
#define SNNC_DIALECTS_SNN_SNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/SNN/SNNDialect.h.inc"

#endif // SNNC_DIALECTS_SNN_SNNDIALECT_H
