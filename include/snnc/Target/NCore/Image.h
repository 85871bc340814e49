//===- Image.h - An ncore.chip as a core image ---------------------*- C++
//-*-===//
//
// The bridge from the ncore dialect to the runtime's core image: the chip's
// cores, blocks, synapse tables and routes in the plain structs the image
// writer and the simulator use, with the decay tables computed.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_TARGET_NCORE_IMAGE_H
#define SNNC_TARGET_NCORE_IMAGE_H

#include "dialects/NCore/NCoreOps.h"

#include "runtime/NCoreImage.h"

#include "mlir/Support/LogicalResult.h"

namespace mlir {
class Operation;
} // namespace mlir

namespace snnc::ncore {

/// The image of `chip`; emits an error on the chip and fails when it
/// cannot be represented.
mlir::FailureOr<runtime::NCoreImage> buildImage(ChipOp chip);

/// The image of the only ncore.chip in `op` (an error when there is none
/// or several).
mlir::FailureOr<runtime::NCoreImage> buildImageOfOnlyChip(mlir::Operation *op);

} // namespace snnc::ncore

#endif // SNNC_TARGET_NCORE_IMAGE_H
