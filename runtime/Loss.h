//===- Loss.h - Classification losses ---------------------------*- C++ -*-===//
//
// The losses of DESIGN.md section 3, shared by the exact method and the
// time-stepped baseline so that both optimise the same objective.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_LOSS_H
#define SNNC_RUNTIME_LOSS_H

#include "runtime/Network.h"

#include <cstdint>
#include <vector>

namespace snnc::runtime {

/// What a loss does with an output neuron that never fired (its
/// time-to-first-spike output equals the duration).
enum class SilentOutputError : uint8_t {
  /// No error: there is no spike whose time could move (the exact method).
  Drop,
  /// The error as if it had fired at the end: a surrogate gradient can pass
  /// it on (the time-stepped baseline).
  Keep,
};

/// The loss of one sample from its outputs (first spike times or maximum
/// voltages, by the network's loss kind) and, when `errors` is given,
/// dL/d(output) per output neuron.
double lossAndErrors(const Network &network, const std::vector<double> &outputs,
                     int32_t label, std::vector<double> *errors,
                     SilentOutputError silent);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_LOSS_H
