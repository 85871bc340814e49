//===- NCoreTraining.h - snnc train --target ncore --------------*- C++ -*-===//
//
// On-core learning from the driver: the model is mapped onto the chip once
// (the snn-lower-to-ncore pipeline and its core image), and the trainer's
// batches then run on the core simulator with the fixed-point adjoint of
// runtime/NCoreLearn.h. The optimizer stays on the host.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_TOOLS_SNNC_NCORETRAINING_H
#define SNNC_TOOLS_SNNC_NCORETRAINING_H

#include "runtime/NCoreLearn.h"

#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace snnc::driver {

/// Maps the model at `modelPath` onto the chip `targetSpec` (a preset or an
/// `#ncore.target<...>` attribute) and builds the runner that trains
/// `network` (the model's network, as the trainer holds it) on it. Null
/// with `error` set when the model does not map or cannot learn on-core.
std::shared_ptr<runtime::NCoreBatchRunner>
makeNCoreRunner(llvm::StringRef modelPath, llvm::StringRef targetSpec,
                const runtime::Network &network, std::string &error);

/// Prints what the chip did per training sample (forward, backward and
/// update) and per inference, traffic per memory class and energy.
void printNCoreTrainingReport(const runtime::NCoreBatchRunner &runner);

/// Writes the runner's current image to `path`; false with `error` set on
/// failure.
bool writeNCoreImageFile(const runtime::NCoreImage &image,
                         const std::string &path, std::string &error);

} // namespace snnc::driver

#endif // SNNC_TOOLS_SNNC_NCORETRAINING_H
