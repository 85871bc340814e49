//===- NCoreImage.h - The core image: a mapped network as bytes --*- C++
//-*-===//
//
// What `snn-translate --ncore-to-image` writes and the core simulator runs:
// the chip description, the populations, and per core the neuron blocks
// with their fixed-point parameters and decay tables, the synapse tables
// and the routes. docs/ncore.md gives the byte layout; the format is
// versioned and protected by a CRC-32, and the loader rejects truncated,
// corrupt and wrong-version images with a message saying what is wrong.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_NCOREIMAGE_H
#define SNNC_RUNTIME_NCOREIMAGE_H

#include "runtime/NCoreTarget.h"
#include "runtime/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

/// The version this library writes and the only one it reads.
constexpr uint32_t kNCoreImageVersion = 1;
/// Fraction bits of the decay tables (docs/ncore.md, "Arithmetic").
constexpr int32_t kNCoreDecayFractionBits = 20;

enum class NCoreReadout : uint8_t { TimeToFirstSpike = 0, MaxVoltage = 1 };

struct NCoreImagePopulation {
  std::string name;
  PopulationKind kind = PopulationKind::Source;
  int32_t size = 0;
};

struct NCoreImageCore {
  int32_t index = 0;
  int32_t x = 0;
  int32_t y = 0;
};

struct NCoreImageBlock {
  /// Index into NCoreImage::populations, and the neurons of it this block
  /// holds: [offset, offset + size).
  int32_t population = 0;
  int32_t offset = 0;
  int32_t size = 0;
  /// Index into NCoreImage::cores.
  int32_t core = 0;
  /// LIF and LI blocks only.
  double tauMemMs = 0;
  double tauSynMs = 0;
  double stateLsb = 0;
  int32_t reset = 0;
  int32_t refractoryTicks = 0;
  /// LIF only: one per neuron, in state units.
  std::vector<int32_t> threshold;
  /// LIF and LI: entry d is the factor over d ticks, d = 0..durationTicks,
  /// with kNCoreDecayFractionBits fraction bits.
  std::vector<int32_t> memDecay;
  std::vector<int32_t> synDecay;
  std::vector<int32_t> coupling;
};

struct NCoreImageSynapses {
  std::string projection;
  /// Indices into NCoreImage::blocks.
  int32_t pre = 0;
  int32_t post = 0;
  /// State units per weight unit.
  int32_t scale = 1;
  /// Row-major [post][pre] of the two blocks.
  std::vector<int16_t> weight;
  /// Same layout, in ticks; empty when every delay is zero.
  std::vector<uint16_t> delayTicks;
};

struct NCoreImageRoute {
  int32_t pre = 0;
  int32_t post = 0;
  int32_t hops = 0;
};

struct NCoreImage {
  NCoreTarget target;
  std::string network;
  int32_t durationTicks = 0;
  int32_t readoutPopulation = 0;
  NCoreReadout readout = NCoreReadout::TimeToFirstSpike;
  std::vector<NCoreImagePopulation> populations;
  std::vector<NCoreImageCore> cores;
  std::vector<NCoreImageBlock> blocks;
  std::vector<NCoreImageSynapses> synapses;
  std::vector<NCoreImageRoute> routes;

  /// An empty string when every index and size is consistent, else what
  /// is wrong.
  std::string validate() const;
};

/// Fills the decay tables of every LIF and LI block from its time
/// constants, the target's time step and the duration.
void computeNCoreDecayTables(NCoreImage &image);

/// The image as bytes (docs/ncore.md).
std::vector<uint8_t> writeNCoreImage(const NCoreImage &image);

/// Reads an image; on failure returns false and says why in `error`.
bool readNCoreImage(const uint8_t *data, size_t size, NCoreImage &image,
                    std::string &error);

/// Reads the image file at `path`; the error names the file.
bool loadNCoreImageFile(const std::string &path, NCoreImage &image,
                        std::string &error);

/// A JSON rendering of everything in the image, for people and scripts.
std::string ncoreImageToJson(const NCoreImage &image);

/// CRC-32 (IEEE 802.3 polynomial, as zlib and PNG compute it).
uint32_t crc32(const uint8_t *data, size_t size);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_NCOREIMAGE_H
