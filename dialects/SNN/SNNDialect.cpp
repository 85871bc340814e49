//===- SNNDialect.cpp - The snn dialect -----------------------------------===//

#include "dialects/SNN/SNNDialect.h"
#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace snnc::snn;

#include "dialects/SNN/SNNDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/SNN/SNNAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/SNN/SNNTypes.cpp.inc"

#include "dialects/SNN/SNNEnums.cpp.inc"

void SNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/SNN/SNNOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/SNN/SNNTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/SNN/SNNAttrs.cpp.inc"
      >();
}
