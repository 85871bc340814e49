//===- SpikeInput.h - Spike files and gradient reports ----------*- C++ -*-===//
//
// The JSON formats of `snnc grad` (documented in docs/grad.md): input spikes
// as an object from source name to a list of [channel, time_ms] pairs, and a
// report of the loss, every spike and every gradient.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_DRIVER_SPIKEINPUT_H
#define SNNC_DRIVER_SPIKEINPUT_H

#include "runtime/EventProp.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace snnc {

/// Parses spikes for `network` from JSON `text`. On failure returns false
/// and sets `error` to a message naming the source, the entry and the field.
bool parseSpikeInput(llvm::StringRef text, const runtime::Network &network,
                     runtime::Sample &sample, std::string &error);

/// The `snnc grad` report: loss, prediction, spikes and gradients.
llvm::json::Value gradientReport(const runtime::Network &network,
                                 const runtime::Sample &sample,
                                 const runtime::ForwardResult &forward,
                                 const runtime::Gradients *gradients);

} // namespace snnc

#endif // SNNC_DRIVER_SPIKEINPUT_H
