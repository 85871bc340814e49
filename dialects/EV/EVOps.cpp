//===- EVOps.cpp - The ev dialect and its operations ----------------------===//

#include "dialects/EV/EVOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace snnc::ev;

#include "dialects/EV/EVDialect.cpp.inc"

void EVDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/EV/EVOps.cpp.inc"
      >();
}

/// Time constants are folded into kernels; a non-positive one has no
/// closed form.
static LogicalResult verifyTimeConstants(Operation *op, APFloat tauMem,
                                         APFloat tauSyn) {
  double mem = tauMem.convertToDouble();
  double syn = tauSyn.convertToDouble();
  if (!(mem > 0) || !std::isfinite(mem))
    return op->emitOpError()
           << "tau_mem must be positive and finite, got " << mem;
  if (!(syn > 0) || !std::isfinite(syn))
    return op->emitOpError()
           << "tau_syn must be positive and finite, got " << syn;
  return success();
}

LogicalResult PropagatorOp::verify() {
  return verifyTimeConstants(*this, getTauMem(), getTauSyn());
}

LogicalResult CrossingOp::verify() {
  return verifyTimeConstants(*this, getTauMem(), getTauSyn());
}

LogicalResult FanoutOp::verify() {
  int64_t rows = getWeight().getType().getDimSize(0);
  int64_t targets = getCurrent().getType().getDimSize(0);
  if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(targets) &&
      rows != targets)
    return emitOpError() << "weight has " << rows << " rows but there are "
                         << targets << " targets";
  return success();
}

LogicalResult AccumulateOp::verify() {
  int64_t rows = getGradient().getType().getDimSize(0);
  int64_t targets = getAdjoint().getType().getDimSize(0);
  if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(targets) &&
      rows != targets)
    return emitOpError() << "gradient has " << rows
                         << " rows but the adjoint has " << targets
                         << " values";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/EV/EVOps.cpp.inc"
