//===- SNNTypes.cpp - Types of the snn dialect ----------------------------===//

#include "dialects/SNN/SNNOps.h"

using namespace mlir;
using namespace snnc::snn;

// The generated type definitions live in SNNDialect.cpp, which registers
// them; this file holds the hand-written parts.

/// Every population type holds at least one neuron or channel.
static LogicalResult verifySize(function_ref<InFlightDiagnostic()> emitError,
                                StringRef what, int64_t size) {
  if (size <= 0)
    return emitError() << what << " size must be positive, got " << size;
  return success();
}

LogicalResult SourceType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t size) {
  return verifySize(emitError, "source", size);
}

LogicalResult LIFType::verify(function_ref<InFlightDiagnostic()> emitError,
                              int64_t size) {
  return verifySize(emitError, "lif", size);
}

LogicalResult LIType::verify(function_ref<InFlightDiagnostic()> emitError,
                             int64_t size) {
  return verifySize(emitError, "li", size);
}

LogicalResult AdjointType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t size) {
  return verifySize(emitError, "adjoint", size);
}
