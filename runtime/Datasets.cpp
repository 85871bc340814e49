//===- Datasets.cpp - Data sets encoded as input spikes -------------------===//

#include "runtime/Datasets.h"

#include "runtime/Random.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sys/stat.h>

#ifndef SNNC_SHARED_DATA_DIR
#define SNNC_SHARED_DATA_DIR "../shared/data"
#endif

namespace snnc::runtime {

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

/// True when `path` names an existing regular file.
static bool fileExists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

/// Reads a whole file into `bytes`, inflating it when it is gzip-compressed
/// (zlib passes other files through unchanged).
static bool readMaybeGzipped(const std::string &path,
                             std::vector<uint8_t> &bytes, std::string &error) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) {
    error = path + ": cannot open";
    return false;
  }
  bytes.clear();
  std::vector<uint8_t> chunk(1 << 20);
  while (true) {
    int got = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (got < 0) {
      int code = 0;
      error = path + ": read failed: " + gzerror(file, &code);
      gzclose(file);
      return false;
    }
    if (got == 0)
      break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
  }
  gzclose(file);
  return true;
}

/// Picks `path` or, when only the compressed copy exists, `path`.gz. Returns
/// an empty string when neither exists.
static std::string findPlainOrGzipped(const std::string &path) {
  if (fileExists(path))
    return path;
  if (fileExists(path + ".gz"))
    return path + ".gz";
  return "";
}

/// Splits `text` into lines without their line ends (LF or CRLF).
static std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

/// Splits a CSV line at commas; the files read here quote nothing.
static std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(',', start);
    if (end == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

/// Parses a whole field as a double, independently of the C locale.
static bool parseDouble(std::string_view field, double &value) {
  while (!field.empty() && field.front() == ' ')
    field.remove_prefix(1);
  while (!field.empty() && field.back() == ' ')
    field.remove_suffix(1);
  const char *end = field.data() + field.size();
  auto [next, status] = std::from_chars(field.data(), end, value);
  return status == std::errc() && next == end && std::isfinite(value);
}

/// Parses a whole field as an integer.
static bool parseInt(std::string_view field, int32_t &value) {
  double asDouble = 0;
  if (!parseDouble(field, asDouble) || asDouble != std::floor(asDouble) ||
      std::fabs(asDouble) > 1e9)
    return false;
  value = static_cast<int32_t>(asDouble);
  return true;
}

/// "path:line: " for messages about one line of a file.
static std::string at(const std::string &path, size_t lineIndex) {
  return path + ":" + std::to_string(lineIndex + 1) + ": ";
}

//===----------------------------------------------------------------------===//
// Encodings
//===----------------------------------------------------------------------===//

Sample encodeYinYang(double x, double y, int32_t label,
                     const DatasetOptions &options) {
  Sample sample;
  sample.label = label;
  double values[4] = {x, y, 1 - x, 1 - y};
  double span = options.tLateMs - options.tEarlyMs;
  for (int32_t channel = 0; channel < 4; ++channel)
    sample.spikes.push_back({options.sourcePopulation, channel,
                             options.tEarlyMs + values[channel] * span});
  sample.spikes.push_back({options.sourcePopulation, 4, options.biasTimeMs});
  return sample;
}

Sample encodeLatency(const std::vector<double> &intensities, int32_t label,
                     const DatasetOptions &options) {
  Sample sample;
  sample.label = label;
  double span = options.tLateMs - options.tEarlyMs;
  for (size_t channel = 0; channel < intensities.size(); ++channel) {
    double intensity = std::clamp(intensities[channel], 0.0, 1.0);
    if (intensity < options.intensityCutoff || intensity <= 0)
      continue;
    sample.spikes.push_back({options.sourcePopulation,
                             static_cast<int32_t>(channel),
                             options.tEarlyMs + (1 - intensity) * span});
  }
  return sample;
}

/// Latency-codes images [begin, end) of `images`, whose pixels run from 0 to
/// `maxPixel`.
static std::vector<Sample> encodeImages(const ImageSet &images,
                                        const std::vector<size_t> &order,
                                        size_t begin, size_t end,
                                        double maxPixel,
                                        const DatasetOptions &options) {
  size_t pixelsPerImage = static_cast<size_t>(images.rows) * images.columns;
  std::vector<Sample> samples;
  samples.reserve(end - begin);
  std::vector<double> intensities(pixelsPerImage);
  for (size_t position = begin; position < end; ++position) {
    size_t image = order[position];
    const uint8_t *pixels = images.pixels.data() + image * pixelsPerImage;
    for (size_t pixel = 0; pixel < pixelsPerImage; ++pixel)
      intensities[pixel] = pixels[pixel] / maxPixel;
    samples.push_back(
        encodeLatency(intensities, images.labels[image], options));
  }
  return samples;
}

/// The indices 0..count-1 in order.
static std::vector<size_t> identityOrder(size_t count) {
  std::vector<size_t> order(count);
  for (size_t index = 0; index < count; ++index)
    order[index] = index;
  return order;
}

/// Checks the encoding times every loader shares.
static bool checkTimes(const std::string &name, const DatasetOptions &options,
                       std::string &error) {
  if (!std::isfinite(options.tEarlyMs) || !std::isfinite(options.tLateMs) ||
      options.tEarlyMs < 0 || options.tLateMs < options.tEarlyMs) {
    error = name + ": tEarlyMs and tLateMs must satisfy 0 <= tEarlyMs <= "
                   "tLateMs";
    return false;
  }
  if (!std::isfinite(options.biasTimeMs) || options.biasTimeMs < 0) {
    error = name + ": biasTimeMs must be non-negative";
    return false;
  }
  if (options.sourcePopulation < 0) {
    error = name + ": sourcePopulation must be non-negative";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Yin-Yang
//===----------------------------------------------------------------------===//

int32_t yinYangClass(double x, double y) {
  const double center = 0.5;
  if (std::hypot(x - center, y - center) > kYinYangBigRadius)
    return -1;

  // The dots sit at the centres of the two half-discs of radius R/2 whose
  // arcs form the S-shaped border between the halves.
  double distanceLeft = std::hypot(x - 0.25, y - center);
  double distanceRight = std::hypot(x - 0.75, y - center);
  if (distanceLeft < kYinYangSmallRadius || distanceRight < kYinYangSmallRadius)
    return YinYangDot;
  if (distanceLeft <= kYinYangBigRadius / 2)
    return YinYangUpper;
  if (distanceRight <= kYinYangBigRadius / 2)
    return YinYangLower;
  return y > center ? YinYangUpper : YinYangLower;
}

std::vector<YinYangPoint> generateYinYangPoints(int32_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<YinYangPoint> points;
  points.reserve(std::max(count, 0));
  for (int32_t index = 0; index < count; ++index) {
    YinYangPoint point;
    point.label = index % 3;
    // The dots cover 8% of the disc, so about 16 draws make one dot sample.
    while (true) {
      point.x = rng.uniform();
      point.y = rng.uniform();
      if (yinYangClass(point.x, point.y) == point.label)
        break;
    }
    points.push_back(point);
  }
  return points;
}

bool loadYinYangCsv(const std::string &path, std::vector<YinYangPoint> &points,
                    std::string &error) {
  std::vector<uint8_t> bytes;
  if (!readMaybeGzipped(path, bytes, error))
    return false;
  std::string_view text(reinterpret_cast<const char *>(bytes.data()),
                        bytes.size());
  std::vector<std::string_view> lines = splitLines(text);
  if (lines.empty() || lines[0].substr(0, 1) != "x") {
    error = path + ": expected the header x,y,1-x,1-y,label";
    return false;
  }

  points.clear();
  static const char *const columnNames[] = {"x", "y", "1-x", "1-y", "label"};
  for (size_t lineIndex = 1; lineIndex < lines.size(); ++lineIndex) {
    if (lines[lineIndex].empty())
      continue;
    std::vector<std::string_view> fields = splitFields(lines[lineIndex]);
    if (fields.size() != 5) {
      error = at(path, lineIndex) + "expected 5 fields, found " +
              std::to_string(fields.size());
      return false;
    }
    double values[4];
    for (int column = 0; column < 4; ++column) {
      if (!parseDouble(fields[column], values[column]) || values[column] < 0 ||
          values[column] > 1) {
        error = at(path, lineIndex) + "field " + columnNames[column] +
                " is not a number in [0, 1]";
        return false;
      }
    }
    YinYangPoint point{values[0], values[1], -1};
    if (!parseInt(fields[4], point.label) || point.label < 0 ||
        point.label > 2) {
      error = at(path, lineIndex) + "field label is not 0, 1 or 2";
      return false;
    }
    // The redundant columns are a cheap check that the file is what it
    // claims to be.
    if (std::fabs(values[2] - (1 - values[0])) > 1e-9 ||
        std::fabs(values[3] - (1 - values[1])) > 1e-9) {
      error = at(path, lineIndex) + "fields 1-x and 1-y disagree with x and y";
      return false;
    }
    points.push_back(point);
  }
  return true;
}

/// Turns points into samples, keeping the first `size` when not negative.
static std::vector<Sample>
encodeYinYangPoints(const std::vector<YinYangPoint> &points, int32_t size,
                    const DatasetOptions &options) {
  std::vector<Sample> samples;
  for (const YinYangPoint &point : points) {
    if (size >= 0 && samples.size() >= static_cast<size_t>(size))
      break;
    samples.push_back(encodeYinYang(point.x, point.y, point.label, options));
  }
  return samples;
}

/// The generated Yin-Yang set: 5000 / 1000 / 1000 samples by default.
static std::optional<Dataset> makeYinYang(const DatasetOptions &options,
                                          std::string &error) {
  if (!checkTimes("yinyang", options, error))
    return std::nullopt;
  Dataset dataset;
  dataset.name = "yinyang";
  dataset.inputChannels = kYinYangChannels;
  dataset.classes = 3;
  dataset.inputEndMs = std::max(options.tLateMs, options.biasTimeMs);
  auto sizeOr = [](int32_t size, int32_t fallback) {
    return size >= 0 ? size : fallback;
  };
  auto generate = [&](int32_t size, uint64_t stream) {
    return encodeYinYangPoints(
        generateYinYangPoints(size, deriveSeed(options.seed, stream)), -1,
        options);
  };
  dataset.train = generate(sizeOr(options.trainSize, 5000), 0);
  dataset.validation = generate(sizeOr(options.validationSize, 1000), 1);
  dataset.test = generate(sizeOr(options.testSize, 1000), 2);
  return dataset;
}

/// The generated set without the bias channel: the four coordinate channels
/// alone, for networks (such as those imported from other frameworks) whose
/// input has four channels.
static std::optional<Dataset>
makeYinYangWithoutBias(const DatasetOptions &options, std::string &error) {
  std::optional<Dataset> dataset = makeYinYang(options, error);
  if (!dataset)
    return std::nullopt;
  dataset->name = "yinyang-nobias";
  dataset->inputChannels = kYinYangChannels - 1;
  dataset->inputEndMs = options.tLateMs;
  for (std::vector<Sample> *split :
       {&dataset->train, &dataset->validation, &dataset->test})
    for (Sample &sample : *split)
      sample.spikes.erase(
          std::remove_if(sample.spikes.begin(), sample.spikes.end(),
                         [](const InputSpike &spike) {
                           return spike.channel == kYinYangChannels - 1;
                         }),
          sample.spikes.end());
  return dataset;
}

/// The published splits, read from <dataDir>/{train,validation,test}.csv.
static std::optional<Dataset>
loadPublishedYinYang(const DatasetOptions &options, std::string &error) {
  const std::string name = "yinyang-published";
  if (!checkTimes(name, options, error))
    return std::nullopt;
  std::string directory = options.dataDir.empty()
                              ? std::string(SNNC_SHARED_DATA_DIR) + "/yinyang"
                              : options.dataDir;
  Dataset dataset;
  dataset.name = name;
  dataset.inputChannels = kYinYangChannels;
  dataset.classes = 3;
  dataset.inputEndMs = std::max(options.tLateMs, options.biasTimeMs);
  struct Part {
    const char *file;
    int32_t size;
    std::vector<Sample> *samples;
  } parts[] = {{"train.csv", options.trainSize, &dataset.train},
               {"validation.csv", options.validationSize, &dataset.validation},
               {"test.csv", options.testSize, &dataset.test}};
  for (const Part &part : parts) {
    std::string path = directory + "/" + part.file;
    if (!fileExists(path)) {
      error = name + ": " + path +
              " not found; the published splits live in shared/data/yinyang "
              "(set dataDir to their directory)";
      return std::nullopt;
    }
    std::vector<YinYangPoint> points;
    if (!loadYinYangCsv(path, points, error))
      return std::nullopt;
    *part.samples = encodeYinYangPoints(points, part.size, options);
  }
  return dataset;
}

//===----------------------------------------------------------------------===//
// Images
//===----------------------------------------------------------------------===//

/// Big-endian 32-bit word at `offset`, the byte order of IDX headers.
static uint32_t readBigEndian32(const std::vector<uint8_t> &bytes,
                                size_t offset) {
  return (uint32_t(bytes[offset]) << 24) | (uint32_t(bytes[offset + 1]) << 16) |
         (uint32_t(bytes[offset + 2]) << 8) | uint32_t(bytes[offset + 3]);
}

bool readIdxImageSet(const std::string &imagePath, const std::string &labelPath,
                     ImageSet &images, std::string &error) {
  std::vector<uint8_t> imageBytes, labelBytes;
  if (!readMaybeGzipped(imagePath, imageBytes, error) ||
      !readMaybeGzipped(labelPath, labelBytes, error))
    return false;

  // Images: magic 0x803 (unsigned bytes, 3 dimensions), count, rows, columns.
  if (imageBytes.size() < 16 || readBigEndian32(imageBytes, 0) != 0x803) {
    error = imagePath + ": not an IDX image file (magic must be 0x00000803)";
    return false;
  }
  uint64_t count = readBigEndian32(imageBytes, 4);
  uint64_t rows = readBigEndian32(imageBytes, 8);
  uint64_t columns = readBigEndian32(imageBytes, 12);
  if (rows == 0 || columns == 0 || rows > 4096 || columns > 4096) {
    error = imagePath + ": implausible image size " + std::to_string(rows) +
            "x" + std::to_string(columns);
    return false;
  }
  if (imageBytes.size() != 16 + count * rows * columns) {
    error = imagePath + ": holds " + std::to_string(imageBytes.size() - 16) +
            " pixel bytes, but its header promises " + std::to_string(count) +
            " images of " + std::to_string(rows) + "x" +
            std::to_string(columns);
    return false;
  }

  // Labels: magic 0x801 (unsigned bytes, 1 dimension), count.
  if (labelBytes.size() < 8 || readBigEndian32(labelBytes, 0) != 0x801) {
    error = labelPath + ": not an IDX label file (magic must be 0x00000801)";
    return false;
  }
  uint64_t labelCount = readBigEndian32(labelBytes, 4);
  if (labelBytes.size() != 8 + labelCount) {
    error = labelPath + ": holds " + std::to_string(labelBytes.size() - 8) +
            " labels, but its header promises " + std::to_string(labelCount);
    return false;
  }
  if (labelCount != count) {
    error = labelPath + ": has " + std::to_string(labelCount) +
            " labels for the " + std::to_string(count) + " images of " +
            imagePath;
    return false;
  }

  images.rows = static_cast<int32_t>(rows);
  images.columns = static_cast<int32_t>(columns);
  images.pixels.assign(imageBytes.begin() + 16, imageBytes.end());
  images.labels.assign(labelBytes.begin() + 8, labelBytes.end());
  return true;
}

bool readDigitsCsv(const std::string &path, ImageSet &images,
                   std::string &error) {
  std::vector<uint8_t> bytes;
  if (!readMaybeGzipped(path, bytes, error))
    return false;
  std::string_view text(reinterpret_cast<const char *>(bytes.data()),
                        bytes.size());
  images.rows = 8;
  images.columns = 8;
  images.pixels.clear();
  images.labels.clear();
  std::vector<std::string_view> lines = splitLines(text);
  for (size_t lineIndex = 0; lineIndex < lines.size(); ++lineIndex) {
    if (lines[lineIndex].empty())
      continue;
    std::vector<std::string_view> fields = splitFields(lines[lineIndex]);
    if (fields.size() != 65) {
      error = at(path, lineIndex) + "expected 64 pixels and a label, found " +
              std::to_string(fields.size()) + " fields";
      return false;
    }
    for (int pixel = 0; pixel < 64; ++pixel) {
      int32_t value = 0;
      if (!parseInt(fields[pixel], value) || value < 0 || value > 16) {
        error = at(path, lineIndex) + "pixel " + std::to_string(pixel) +
                " is not an integer in 0..16";
        return false;
      }
      images.pixels.push_back(static_cast<uint8_t>(value));
    }
    int32_t label = 0;
    if (!parseInt(fields[64], label) || label < 0 || label > 9) {
      error = at(path, lineIndex) + "label is not an integer in 0..9";
      return false;
    }
    images.labels.push_back(label);
  }
  if (images.labels.empty()) {
    error = path + ": holds no samples";
    return false;
  }
  return true;
}

/// Message for a data file that is not there, naming its Debian package.
static std::string missingFile(const std::string &name, const std::string &path,
                               const std::string &package) {
  return name + ": " + path + " not found; install the Debian package " +
         package + " (or set dataDir to a directory holding the file)";
}

/// Fashion-MNIST: the official 60000 training images split into the first
/// 55000 for training and the last 5000 for validation; the official 10000
/// test images for testing.
static std::optional<Dataset> loadFashionMnist(const DatasetOptions &options,
                                               std::string &error) {
  const std::string name = "fashion-mnist";
  const std::string package = "dataset-fashion-mnist";
  if (!checkTimes(name, options, error))
    return std::nullopt;
  std::string directory = options.dataDir.empty()
                              ? "/usr/share/datasets/fashion-mnist"
                              : options.dataDir;

  ImageSet sets[2];
  const char *stems[2][2] = {
      {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
      {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}};
  for (int set = 0; set < 2; ++set) {
    std::string paths[2];
    for (int file = 0; file < 2; ++file) {
      std::string stem = directory + "/" + stems[set][file];
      paths[file] = findPlainOrGzipped(stem);
      if (paths[file].empty()) {
        error = missingFile(name, stem + ".gz", package);
        return std::nullopt;
      }
    }
    if (!readIdxImageSet(paths[0], paths[1], sets[set], error))
      return std::nullopt;
    for (int32_t label : sets[set].labels) {
      if (label > 9) {
        error =
            paths[1] + ": label " + std::to_string(label) + " is outside 0..9";
        return std::nullopt;
      }
    }
  }

  Dataset dataset;
  dataset.name = name;
  dataset.inputChannels = sets[0].rows * sets[0].columns;
  dataset.classes = 10;
  dataset.inputEndMs = options.tLateMs;
  // Sets smaller than the official one (test files) keep a tenth for
  // validation, at least one sample.
  size_t trainTotal = sets[0].labels.size();
  size_t validationCount = trainTotal >= 10000 ? 5000 : (trainTotal + 9) / 10;
  size_t trainCount = trainTotal - validationCount;
  auto limit = [](size_t available, int32_t size) {
    return size >= 0 ? std::min(available, static_cast<size_t>(size))
                     : available;
  };
  std::vector<size_t> trainOrder = identityOrder(trainTotal);
  dataset.train =
      encodeImages(sets[0], trainOrder, 0, limit(trainCount, options.trainSize),
                   255.0, options);
  dataset.validation =
      encodeImages(sets[0], trainOrder, trainCount,
                   trainCount + limit(validationCount, options.validationSize),
                   255.0, options);
  dataset.test = encodeImages(sets[1], identityOrder(sets[1].labels.size()), 0,
                              limit(sets[1].labels.size(), options.testSize),
                              255.0, options);
  return dataset;
}

/// The 8x8 digits: 1797 images shuffled with the seed, then the first 1297
/// for training, the next 250 for validation and the last 250 for testing.
static std::optional<Dataset> loadDigits(const DatasetOptions &options,
                                         std::string &error) {
  const std::string name = "digits";
  if (!checkTimes(name, options, error))
    return std::nullopt;
  std::string directory = options.dataDir.empty()
                              ? "/usr/lib/python3/dist-packages/sklearn/"
                                "datasets/data"
                              : options.dataDir;
  std::string stem = directory + "/digits.csv";
  std::string path = findPlainOrGzipped(stem);
  if (path.empty()) {
    error = missingFile(name, stem + ".gz", "python3-sklearn");
    return std::nullopt;
  }
  ImageSet images;
  if (!readDigitsCsv(path, images, error))
    return std::nullopt;

  size_t total = images.labels.size();
  std::vector<size_t> order = identityOrder(total);
  Rng rng(deriveSeed(options.seed, 0));
  rng.shuffle(order);
  // Fixed shares of the whole, so that a smaller file still splits sensibly.
  size_t testCount = total * 250 / 1797;
  size_t validationCount = total * 250 / 1797;
  size_t trainCount = total - testCount - validationCount;
  auto limit = [](size_t available, int32_t size) {
    return size >= 0 ? std::min(available, static_cast<size_t>(size))
                     : available;
  };

  Dataset dataset;
  dataset.name = name;
  dataset.inputChannels = 64;
  dataset.classes = 10;
  dataset.inputEndMs = options.tLateMs;
  dataset.train = encodeImages(
      images, order, 0, limit(trainCount, options.trainSize), 16.0, options);
  dataset.validation =
      encodeImages(images, order, trainCount,
                   trainCount + limit(validationCount, options.validationSize),
                   16.0, options);
  size_t testBegin = trainCount + validationCount;
  dataset.test = encodeImages(images, order, testBegin,
                              testBegin + limit(testCount, options.testSize),
                              16.0, options);
  return dataset;
}

//===----------------------------------------------------------------------===//
// Event streams
//===----------------------------------------------------------------------===//

namespace {
/// The fixed part of the event-stream task: class curves and projection.
struct EventStreamModel {
  int32_t latentDims = 0;
  int32_t harmonics = 0;
  /// [class][latent][harmonic - 1] cosine and sine coefficients.
  std::vector<double> cosine;
  std::vector<double> sine;
  /// [channel][latent] projection and per-channel offset of the drive.
  std::vector<double> projection;
  std::vector<double> offset;

  EventStreamModel(const EventStreamOptions &options, uint64_t seed)
      : latentDims(options.latentDims), harmonics(options.harmonics) {
    Rng rng(seed);
    size_t coefficients =
        static_cast<size_t>(options.classes) * latentDims * harmonics;
    // Coefficients shrink as 1/h so curves are smooth: most of their length
    // is in the low harmonics.
    for (size_t index = 0; index < coefficients; ++index) {
      int32_t harmonic = static_cast<int32_t>(index % harmonics) + 1;
      cosine.push_back(rng.uniform(-1, 1) / harmonic);
      sine.push_back(rng.uniform(-1, 1) / harmonic);
    }
    double scale = 1.0 / std::sqrt(static_cast<double>(latentDims));
    for (int32_t index = 0; index < options.channels * latentDims; ++index)
      projection.push_back(rng.normal() * 3 * scale);
    // A negative mean offset keeps channels mostly quiet, so that a spike
    // carries information rather than every channel firing near its ceiling.
    for (int32_t channel = 0; channel < options.channels; ++channel)
      offset.push_back(rng.uniform(-1.0, 0.0));
  }

  /// Latent point of class `label` at phase `phase` (radians).
  void latent(int32_t label, double phase, std::vector<double> &point) const {
    for (int32_t dim = 0; dim < latentDims; ++dim) {
      size_t base = (static_cast<size_t>(label) * latentDims + dim) * harmonics;
      double value = 0;
      for (int32_t harmonic = 1; harmonic <= harmonics; ++harmonic)
        value += cosine[base + harmonic - 1] * std::cos(harmonic * phase) +
                 sine[base + harmonic - 1] * std::sin(harmonic * phase);
      point[dim] = value;
    }
  }
};
} // namespace

std::vector<Sample> generateEventStream(const EventStreamOptions &options,
                                        int32_t count, uint64_t seed,
                                        uint64_t sampleSeed,
                                        int32_t sourcePopulation) {
  std::vector<Sample> samples;
  if (count <= 0 || options.classes <= 0 || options.channels <= 0 ||
      options.latentDims <= 0 || options.harmonics <= 0 ||
      !(options.maxRateHz > 0) || !(options.durationMs > 0))
    return samples;
  EventStreamModel model(options, seed);
  Rng rng(sampleSeed);
  double maxRatePerMs = options.maxRateHz / 1000;
  std::vector<double> point(options.latentDims);
  std::vector<double> noise(options.latentDims);

  samples.reserve(count);
  for (int32_t index = 0; index < count; ++index) {
    Sample sample;
    sample.label = index % options.classes;
    double startPhase = rng.uniform(0, 2 * M_PI);
    double speed = 1 + options.speedJitter * rng.uniform(-1, 1);
    double radiansPerMs = 2 * M_PI * options.turns * speed / options.durationMs;
    for (double &value : noise)
      value = options.latentNoise * rng.normal();

    // Thinning (Lewis and Shedler, 1979): candidates from a homogeneous
    // process at the ceiling rate, each kept with probability rate/ceiling.
    for (int32_t channel = 0; channel < options.channels; ++channel) {
      double timeMs = 0;
      while (true) {
        timeMs += rng.exponential(maxRatePerMs);
        if (timeMs >= options.durationMs)
          break;
        model.latent(sample.label, startPhase + radiansPerMs * timeMs, point);
        double drive = model.offset[channel];
        for (int32_t dim = 0; dim < options.latentDims; ++dim)
          drive += model.projection[channel * options.latentDims + dim] *
                   (point[dim] + noise[dim]);
        double keep = 1 / (1 + std::exp(-drive));
        if (rng.uniform() < keep)
          sample.spikes.push_back({sourcePopulation, channel, timeMs});
      }
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

/// The event-stream task: 2000 / 500 / 500 samples by default.
static std::optional<Dataset> makeEvents(const DatasetOptions &options,
                                         std::string &error) {
  const EventStreamOptions &events = options.events;
  auto fail = [&](const std::string &field, const char *rule) {
    error = "events: " + field + " " + rule;
    return std::nullopt;
  };
  if (events.channels <= 0)
    return fail("channels", "must be positive");
  if (events.classes <= 0)
    return fail("classes", "must be positive");
  if (events.latentDims <= 0)
    return fail("latentDims", "must be positive");
  if (events.harmonics <= 0)
    return fail("harmonics", "must be positive");
  if (!(events.durationMs > 0) || !std::isfinite(events.durationMs))
    return fail("durationMs", "must be positive");
  if (!(events.maxRateHz > 0) || !std::isfinite(events.maxRateHz))
    return fail("maxRateHz", "must be positive");
  if (!(events.speedJitter >= 0 && events.speedJitter < 1))
    return fail("speedJitter", "must be in [0, 1)");
  if (!(events.turns > 0) || !std::isfinite(events.turns))
    return fail("turns", "must be positive");
  if (!(events.latentNoise >= 0) || !std::isfinite(events.latentNoise))
    return fail("latentNoise", "must be non-negative");
  if (options.sourcePopulation < 0)
    return fail("sourcePopulation", "must be non-negative");

  Dataset dataset;
  dataset.name = "events";
  dataset.inputChannels = events.channels;
  dataset.classes = events.classes;
  dataset.inputEndMs = events.durationMs;
  uint64_t modelSeed = deriveSeed(options.seed, 0);
  auto generate = [&](int32_t size, int32_t fallback, uint64_t stream) {
    return generateEventStream(events, size >= 0 ? size : fallback, modelSeed,
                               deriveSeed(options.seed, stream),
                               options.sourcePopulation);
  };
  dataset.train = generate(options.trainSize, 2000, 1);
  dataset.validation = generate(options.validationSize, 500, 2);
  dataset.test = generate(options.testSize, 500, 3);
  return dataset;
}

//===----------------------------------------------------------------------===//
// Lookup
//===----------------------------------------------------------------------===//

std::vector<std::string> datasetNames() {
  return {"yinyang",       "yinyang-nobias", "yinyang-published",
          "fashion-mnist", "digits",         "events"};
}

std::optional<Dataset> loadDataset(const std::string &name,
                                   const DatasetOptions &options,
                                   std::string &error) {
  error.clear();
  if (name == "yinyang")
    return makeYinYang(options, error);
  if (name == "yinyang-nobias")
    return makeYinYangWithoutBias(options, error);
  if (name == "yinyang-published")
    return loadPublishedYinYang(options, error);
  if (name == "fashion-mnist")
    return loadFashionMnist(options, error);
  if (name == "digits")
    return loadDigits(options, error);
  if (name == "events")
    return makeEvents(options, error);
  error = "unknown data set '" + name + "'; known: ";
  std::vector<std::string> names = datasetNames();
  for (size_t index = 0; index < names.size(); ++index)
    error += (index ? ", " : "") + names[index];
  return std::nullopt;
}

} // namespace snnc::runtime
