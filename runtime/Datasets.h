//===- Datasets.h - Data sets encoded as input spikes -----------*- C++ -*-===//
//
// The data sets of DESIGN.md section 5, each turned into spike trains for one
// source population and split into train, validation and test sets. Every
// encoding and split is described in docs/datasets.md; the short version is
// beside each loader below. Times are in milliseconds.
//
// Nothing here throws or asserts on bad input: loaders return false (or an
// empty optional) and leave a message naming the file and the field.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_DATASETS_H
#define SNNC_RUNTIME_DATASETS_H

#include "runtime/Network.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snnc::runtime {

/// Parameters of the procedural event-stream task (see generateEventStream).
struct EventStreamOptions {
  /// Input channels, one source neuron each.
  int32_t channels = 32;
  int32_t classes = 4;
  /// Dimension of the latent space the class curves live in.
  int32_t latentDims = 3;
  /// Highest harmonic of the random Fourier series drawing each curve.
  int32_t harmonics = 3;
  double durationMs = 100;
  /// Ceiling of every channel's firing rate; the rate is this times a
  /// logistic function of the projected latent point.
  double maxRateHz = 100;
  /// Turns along its class curve a sample makes over durationMs.
  double turns = 1;
  /// Relative spread of a sample's speed along the curve (uniform +-).
  double speedJitter = 0.1;
  /// Standard deviation of the per-sample latent offset, in latent units
  /// (a curve's coordinates are of order 1).
  double latentNoise = 0.15;
};

struct DatasetOptions {
  /// Latest and earliest spike times of latency and value codes: the
  /// largest value (or brightest pixel) fires at tEarlyMs.
  double tEarlyMs = 0;
  double tLateMs = 30;
  /// Yin-Yang: time of the bias spike on channel 4.
  double biasTimeMs = 0;
  /// Latency codes: intensities below this (on a 0..1 scale) emit no spike.
  double intensityCutoff = 0.1;
  /// Seed of everything random: generated samples and shuffles. Each split
  /// draws from its own stream derived from it.
  uint64_t seed = 2021;
  /// Number of samples to keep per split; negative keeps the data set's own
  /// size. For generated sets it is the number generated; for loaded sets
  /// the first ones are kept.
  int32_t trainSize = -1;
  int32_t validationSize = -1;
  int32_t testSize = -1;
  /// Directory holding the data set's files; empty means its default.
  std::string dataDir;
  /// Index of the source population the spikes are addressed to.
  int32_t sourcePopulation = 0;
  EventStreamOptions events;
};

struct Dataset {
  std::string name;
  /// Channels of the source population every sample addresses.
  int32_t inputChannels = 0;
  int32_t classes = 0;
  /// Every input spike lies in [0, inputEndMs]; a simulation should run at
  /// least this long plus the network's own latency.
  double inputEndMs = 0;
  std::vector<Sample> train;
  std::vector<Sample> validation;
  std::vector<Sample> test;
};

/// The names loadDataset accepts.
std::vector<std::string> datasetNames();

/// Loads or generates the data set called `name`: "yinyang",
/// "yinyang-nobias" (the same without the bias channel),
/// "yinyang-published", "fashion-mnist", "digits" or "events". On failure
/// returns nothing and sets `error`, which names a missing file together
/// with the Debian package that provides it.
std::optional<Dataset> loadDataset(const std::string &name,
                                   const DatasetOptions &options,
                                   std::string &error);

//===----------------------------------------------------------------------===//
// Yin-Yang (Kriener, Goeltz and Petrovici, 2021)
//===----------------------------------------------------------------------===//

/// Radii of the figure in the unit square: the outer circle (centred at
/// (0.5, 0.5)) and the two dots (centred at (0.25, 0.5) and (0.75, 0.5)).
constexpr double kYinYangBigRadius = 0.5;
constexpr double kYinYangSmallRadius = 0.1;
constexpr int32_t kYinYangChannels = 5;

/// Class codes as the published splits use them.
enum YinYangClass : int32_t {
  /// The lower half, bulging up around the right dot.
  YinYangLower = 0,
  /// The upper half, bulging down around the left dot.
  YinYangUpper = 1,
  /// Either dot.
  YinYangDot = 2,
};

/// Class of the point (x, y), or -1 outside the outer circle.
int32_t yinYangClass(double x, double y);

struct YinYangPoint {
  double x = 0;
  double y = 0;
  int32_t label = -1;
};

/// Draws `count` points uniformly from the unit square by rejection: point
/// i is redrawn until it falls inside the figure in class i % 3, so classes
/// are balanced (their counts differ by at most one) and in a fixed cycle.
std::vector<YinYangPoint> generateYinYangPoints(int32_t count, uint64_t seed);

/// Spikes at tEarly + v * (tLate - tEarly) for v = x, y, 1 - x, 1 - y on
/// channels 0..3, and the bias spike at biasTimeMs on channel 4.
Sample encodeYinYang(double x, double y, int32_t label,
                     const DatasetOptions &options);

/// Reads a published split (header, then rows x, y, 1-x, 1-y, label).
/// Checks every field and that columns 3 and 4 agree with 1-x and 1-y.
bool loadYinYangCsv(const std::string &path, std::vector<YinYangPoint> &points,
                    std::string &error);

//===----------------------------------------------------------------------===//
// Images: Fashion-MNIST (IDX files) and 8x8 digits (CSV)
//===----------------------------------------------------------------------===//

/// Spikes for intensities in [0, 1]: channel k fires once at
/// tEarly + (1 - p_k) * (tLate - tEarly), or not at all below the cutoff.
Sample encodeLatency(const std::vector<double> &intensities, int32_t label,
                     const DatasetOptions &options);

struct ImageSet {
  int32_t rows = 0;
  int32_t columns = 0;
  /// count * rows * columns pixels, row-major per image.
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;
};

/// Reads an IDX image file (magic 0x00000803) and its label file (magic
/// 0x00000801), plain or gzip-compressed, and checks that the counts agree.
bool readIdxImageSet(const std::string &imagePath, const std::string &labelPath,
                     ImageSet &images, std::string &error);

/// Reads the 8x8 digits CSV (plain or gzip): per line 64 pixel values in
/// 0..16 and the label 0..9.
bool readDigitsCsv(const std::string &path, ImageSet &images,
                   std::string &error);

//===----------------------------------------------------------------------===//
// Event streams from random manifolds
//===----------------------------------------------------------------------===//

/// Generates samples of the event-stream task. Class c is a smooth closed
/// curve z_c(phi) in the latent space, a random Fourier series with
/// coefficients shrinking as 1/harmonic; a fixed random matrix maps a latent
/// point to the channels' drives, and a logistic function of the drive times
/// maxRateHz is the firing rate. A sample of class c starts at a random
/// phase, runs `turns` times round the curve at a jittered speed, adds a
/// random latent offset, and draws each channel's spikes from that
/// inhomogeneous Poisson process by thinning. The class curves and the
/// projection come from `seed`; the samples from `sampleSeed`. Labels cycle
/// through the classes.
std::vector<Sample> generateEventStream(const EventStreamOptions &options,
                                        int32_t count, uint64_t seed,
                                        uint64_t sampleSeed,
                                        int32_t sourcePopulation = 0);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_DATASETS_H
