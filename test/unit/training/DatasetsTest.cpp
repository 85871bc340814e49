//===- DatasetsTest.cpp - Data sets, encodings and splits -----------------===//

#include "runtime/Datasets.h"
#include "runtime/Random.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sys/stat.h>

using namespace snnc::runtime;

namespace {

bool exists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

/// A fresh directory under the test's temporary directory.
std::string makeTempDir() {
  std::string pattern = testing::TempDir() + "snnc-datasets-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const char *made = mkdtemp(buffer.data());
  return made ? std::string(made) : std::string();
}

void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes,
                bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr) << path;
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
    return;
  }
  FILE *file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  std::fwrite(bytes.data(), 1, bytes.size(), file);
  std::fclose(file);
}

void appendBigEndian(std::vector<uint8_t> &bytes, uint32_t word) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(word >> shift));
}

/// An IDX image file of `count` images of 2x3 pixels; pixel k of image i is
/// (i * 7 + k * 40) % 256.
std::vector<uint8_t> idxImages(uint32_t count) {
  std::vector<uint8_t> bytes;
  appendBigEndian(bytes, 0x803);
  appendBigEndian(bytes, count);
  appendBigEndian(bytes, 2);
  appendBigEndian(bytes, 3);
  for (uint32_t image = 0; image < count; ++image)
    for (uint32_t pixel = 0; pixel < 6; ++pixel)
      bytes.push_back(static_cast<uint8_t>((image * 7 + pixel * 40) % 256));
  return bytes;
}

/// An IDX label file; image i has label i % 10.
std::vector<uint8_t> idxLabels(uint32_t count) {
  std::vector<uint8_t> bytes;
  appendBigEndian(bytes, 0x801);
  appendBigEndian(bytes, count);
  for (uint32_t image = 0; image < count; ++image)
    bytes.push_back(static_cast<uint8_t>(image % 10));
  return bytes;
}

/// The spike of `channel` in `sample`, or NaN when it has none.
double spikeTime(const Sample &sample, int32_t channel) {
  for (const InputSpike &spike : sample.spikes)
    if (spike.channel == channel)
      return spike.timeMs;
  return NAN;
}

std::string publishedDir() {
  return std::string(SNNC_SHARED_DATA_DIR) + "/yinyang";
}

const char *const kFashionDir = "/usr/share/datasets/fashion-mnist";
const char *const kDigitsCsv =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

} // namespace

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

// The generator is seeded deterministically and uniform() stays in [0, 1)
// with the mean and spread of a uniform distribution.
TEST(RandomTest, UniformIsDeterministicAndUniform) {
  Rng first(7), second(7), other(8);
  EXPECT_EQ(first.next(), second.next());
  EXPECT_NE(first.next(), other.next());
  Rng rng(123);
  double sum = 0, sumSquares = 0;
  const int count = 200000;
  for (int draw = 0; draw < count; ++draw) {
    double value = rng.uniform();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
    sum += value;
    sumSquares += value * value;
  }
  EXPECT_NEAR(sum / count, 0.5, 0.005);
  EXPECT_NEAR(sumSquares / count - 0.25, 1.0 / 12, 0.002);
  std::vector<int> items = {0, 1, 2, 3, 4, 5, 6, 7};
  rng.shuffle(items);
  EXPECT_EQ(std::set<int>(items.begin(), items.end()).size(), 8u);
}

//===----------------------------------------------------------------------===//
// Yin-Yang
//===----------------------------------------------------------------------===//

// Points whose class follows from the figure's geometry.
TEST(YinYangTest, ClassificationGeometry) {
  // The dots, at their centres and just inside their rims.
  EXPECT_EQ(yinYangClass(0.25, 0.5), YinYangDot);
  EXPECT_EQ(yinYangClass(0.75, 0.5), YinYangDot);
  EXPECT_EQ(yinYangClass(0.34, 0.5), YinYangDot);
  EXPECT_EQ(yinYangClass(0.75, 0.41), YinYangDot);
  // Far from the dots the halves split at y = 0.5.
  EXPECT_EQ(yinYangClass(0.5, 0.9), YinYangUpper);
  EXPECT_EQ(yinYangClass(0.5, 0.1), YinYangLower);
  // The upper half reaches below y = 0.5 around the left dot, the lower
  // half above it around the right dot.
  EXPECT_EQ(yinYangClass(0.25, 0.3), YinYangUpper);
  EXPECT_EQ(yinYangClass(0.36, 0.5), YinYangUpper);
  EXPECT_EQ(yinYangClass(0.75, 0.7), YinYangLower);
  EXPECT_EQ(yinYangClass(0.64, 0.5), YinYangLower);
  // Beyond the half-discs the middle line divides again.
  EXPECT_EQ(yinYangClass(0.05, 0.3), YinYangLower);
  EXPECT_EQ(yinYangClass(0.95, 0.7), YinYangUpper);
  // Outside the big circle.
  EXPECT_EQ(yinYangClass(0.05, 0.05), -1);
  EXPECT_EQ(yinYangClass(0.99, 0.9), -1);
}

// The generated splits have the documented sizes, balanced classes, labels
// that agree with the geometry, and the encoding of the options.
TEST(YinYangTest, GeneratedSplits) {
  DatasetOptions options;
  options.tEarlyMs = 2;
  options.tLateMs = 12;
  options.biasTimeMs = 1;
  std::string error;
  std::optional<Dataset> dataset = loadDataset("yinyang", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->train.size(), 5000u);
  EXPECT_EQ(dataset->validation.size(), 1000u);
  EXPECT_EQ(dataset->test.size(), 1000u);
  EXPECT_EQ(dataset->inputChannels, 5);
  EXPECT_EQ(dataset->classes, 3);
  EXPECT_EQ(dataset->inputEndMs, 12);

  for (const std::vector<Sample> *split :
       {&dataset->train, &dataset->validation, &dataset->test}) {
    int counts[3] = {0, 0, 0};
    for (const Sample &sample : *split) {
      ASSERT_EQ(sample.spikes.size(), 5u);
      ASSERT_GE(sample.label, 0);
      ASSERT_LE(sample.label, 2);
      ++counts[sample.label];
      for (const InputSpike &spike : sample.spikes) {
        EXPECT_EQ(spike.population, 0);
        EXPECT_GE(spike.timeMs, 1.0);
        EXPECT_LE(spike.timeMs, 12.0);
      }
      double x = (spikeTime(sample, 0) - 2) / 10;
      double y = (spikeTime(sample, 1) - 2) / 10;
      EXPECT_NEAR(spikeTime(sample, 2), 2 + (1 - x) * 10, 1e-12);
      EXPECT_NEAR(spikeTime(sample, 3), 2 + (1 - y) * 10, 1e-12);
      EXPECT_EQ(spikeTime(sample, 4), 1.0);
      EXPECT_EQ(yinYangClass(x, y), sample.label);
    }
    int low = *std::min_element(counts, counts + 3);
    int high = *std::max_element(counts, counts + 3);
    EXPECT_LE(high - low, 1);
  }

  // Points are uniform within their class: the dots' samples split evenly
  // between the two dots, and the upper half's centroid lies above y = 0.5.
  int leftDot = 0, dots = 0;
  double upperY = 0;
  int upper = 0;
  for (const Sample &sample : dataset->train) {
    double x = (spikeTime(sample, 0) - 2) / 10;
    double y = (spikeTime(sample, 1) - 2) / 10;
    if (sample.label == YinYangDot) {
      ++dots;
      leftDot += x < 0.5;
    } else if (sample.label == YinYangUpper) {
      ++upper;
      upperY += y;
    }
  }
  EXPECT_NEAR(static_cast<double>(leftDot) / dots, 0.5, 0.05);
  EXPECT_GT(upperY / upper, 0.6);
}

// The same seed gives the same samples; another seed and another split give
// different ones; subset sizes cut the generated splits.
TEST(YinYangTest, Determinism) {
  DatasetOptions options;
  options.trainSize = 40;
  options.validationSize = 10;
  options.testSize = 0;
  std::string error;
  std::optional<Dataset> first = loadDataset("yinyang", options, error);
  std::optional<Dataset> second = loadDataset("yinyang", options, error);
  options.seed = 99;
  std::optional<Dataset> reseeded = loadDataset("yinyang", options, error);
  ASSERT_TRUE(first && second && reseeded) << error;
  ASSERT_EQ(first->train.size(), 40u);
  ASSERT_EQ(first->validation.size(), 10u);
  ASSERT_TRUE(first->test.empty());
  for (size_t index = 0; index < 40; ++index)
    for (int32_t channel = 0; channel < 5; ++channel)
      ASSERT_EQ(spikeTime(first->train[index], channel),
                spikeTime(second->train[index], channel));
  EXPECT_NE(spikeTime(first->train[0], 0), spikeTime(reseeded->train[0], 0));
  EXPECT_NE(spikeTime(first->train[0], 0), spikeTime(first->validation[0], 0));
}

TEST(YinYangTest, WithoutBiasKeepsTheCoordinates) {
  DatasetOptions options;
  options.trainSize = 20;
  options.validationSize = 0;
  options.testSize = 0;
  std::string error;
  std::optional<Dataset> full = loadDataset("yinyang", options, error);
  std::optional<Dataset> noBias = loadDataset("yinyang-nobias", options, error);
  ASSERT_TRUE(full && noBias) << error;
  EXPECT_EQ(noBias->inputChannels, 4);
  ASSERT_EQ(noBias->train.size(), full->train.size());
  for (size_t index = 0; index < full->train.size(); ++index) {
    const Sample &sample = noBias->train[index];
    ASSERT_EQ(sample.spikes.size(), 4u);
    EXPECT_EQ(sample.label, full->train[index].label);
    for (int32_t channel = 0; channel < 4; ++channel)
      EXPECT_EQ(spikeTime(sample, channel),
                spikeTime(full->train[index], channel));
  }
}

TEST(YinYangTest, EncodingTimes) {
  DatasetOptions options;
  options.tEarlyMs = 2;
  options.tLateMs = 12;
  options.biasTimeMs = 0.5;
  options.sourcePopulation = 3;
  Sample sample = encodeYinYang(0.25, 0.8, YinYangUpper, options);
  EXPECT_EQ(sample.label, YinYangUpper);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 0), 4.5);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 1), 10.0);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 2), 9.5);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 3), 4.0);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 4), 0.5);
  EXPECT_EQ(sample.spikes[0].population, 3);

  options.tLateMs = 1;
  std::string error;
  EXPECT_FALSE(loadDataset("yinyang", options, error));
  EXPECT_NE(error.find("tLateMs"), std::string::npos);
}

// The published splits parse with the right first row, and every published
// label agrees with the geometry of yinYangClass.
TEST(YinYangTest, PublishedSplits) {
  if (!exists(publishedDir() + "/train.csv"))
    GTEST_SKIP() << publishedDir() << " not present";
  std::vector<YinYangPoint> points;
  std::string error;
  ASSERT_TRUE(loadYinYangCsv(publishedDir() + "/train.csv", points, error))
      << error;
  ASSERT_EQ(points.size(), 5000u);
  EXPECT_EQ(points[0].x, 0.6803075385877797);
  EXPECT_EQ(points[0].y, 0.45049925196954299);
  EXPECT_EQ(points[0].label, 2);
  EXPECT_EQ(points[1].x, 0.09767211400638387);
  EXPECT_EQ(points[1].label, 1);

  DatasetOptions options;
  std::optional<Dataset> dataset =
      loadDataset("yinyang-published", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->train.size(), 5000u);
  EXPECT_EQ(dataset->validation.size(), 1000u);
  EXPECT_EQ(dataset->test.size(), 1000u);
  EXPECT_DOUBLE_EQ(spikeTime(dataset->train[0], 0), 0.6803075385877797 * 30);
  for (const std::vector<Sample> *split :
       {&dataset->train, &dataset->validation, &dataset->test}) {
    for (const Sample &sample : *split) {
      double x = spikeTime(sample, 0) / 30, y = spikeTime(sample, 1) / 30;
      ASSERT_EQ(yinYangClass(x, y), sample.label) << x << ", " << y;
    }
  }
}

TEST(YinYangTest, BadCsvNamesLineAndField) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  std::string path = dir + "/bad.csv";
  std::string text =
      "x,y,1-x,1-y,label\n0.5,0.5,0.5,0.5,1\n0.5,oops,0.5,0.5,1\n";
  writeBytes(path, std::vector<uint8_t>(text.begin(), text.end()), false);
  std::vector<YinYangPoint> points;
  std::string error;
  EXPECT_FALSE(loadYinYangCsv(path, points, error));
  EXPECT_NE(error.find(path + ":3"), std::string::npos) << error;
  EXPECT_NE(error.find("field y"), std::string::npos) << error;

  DatasetOptions options;
  options.dataDir = dir;
  EXPECT_FALSE(loadDataset("yinyang-published", options, error));
  EXPECT_NE(error.find(dir + "/train.csv not found"), std::string::npos)
      << error;
}

//===----------------------------------------------------------------------===//
// Latency-coded images
//===----------------------------------------------------------------------===//

TEST(LatencyTest, Encoding) {
  DatasetOptions options;
  options.tEarlyMs = 1;
  options.tLateMs = 21;
  options.intensityCutoff = 0.1;
  Sample sample = encodeLatency({1.0, 0.0, 0.5, 0.09, 0.1, 0.75}, 4, options);
  EXPECT_EQ(sample.label, 4);
  ASSERT_EQ(sample.spikes.size(), 4u);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 0), 1.0);
  EXPECT_TRUE(std::isnan(spikeTime(sample, 1)));
  EXPECT_DOUBLE_EQ(spikeTime(sample, 2), 11.0);
  EXPECT_TRUE(std::isnan(spikeTime(sample, 3)));
  EXPECT_DOUBLE_EQ(spikeTime(sample, 4), 19.0);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 5), 6.0);
}

// The Fashion-MNIST loader on small IDX files, one pair gzipped and one
// plain: the split, the channels and the spike times follow the pixels.
TEST(FashionMnistTest, SmallIdxFiles) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  writeBytes(dir + "/train-images-idx3-ubyte.gz", idxImages(12), true);
  writeBytes(dir + "/train-labels-idx1-ubyte.gz", idxLabels(12), true);
  writeBytes(dir + "/t10k-images-idx3-ubyte", idxImages(3), false);
  writeBytes(dir + "/t10k-labels-idx1-ubyte", idxLabels(3), false);

  DatasetOptions options;
  options.dataDir = dir;
  options.intensityCutoff = 0.1;
  std::string error;
  std::optional<Dataset> dataset = loadDataset("fashion-mnist", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->inputChannels, 6);
  EXPECT_EQ(dataset->classes, 10);
  // A tenth of 12 rounded up for validation, the last ones.
  ASSERT_EQ(dataset->train.size(), 10u);
  ASSERT_EQ(dataset->validation.size(), 2u);
  ASSERT_EQ(dataset->test.size(), 3u);
  EXPECT_EQ(dataset->validation[0].label, 0);
  EXPECT_EQ(dataset->validation[1].label, 1);

  // Image 3: pixels 21, 61, 101, 141, 181, 221; 21/255 is below the cutoff.
  const Sample &sample = dataset->train[3];
  EXPECT_EQ(sample.label, 3);
  EXPECT_TRUE(std::isnan(spikeTime(sample, 0)));
  EXPECT_DOUBLE_EQ(spikeTime(sample, 1), (1 - 61 / 255.0) * 30);
  EXPECT_DOUBLE_EQ(spikeTime(sample, 5), (1 - 221 / 255.0) * 30);
  EXPECT_EQ(sample.spikes.size(), 5u);

  options.trainSize = 4;
  options.testSize = 1;
  dataset = loadDataset("fashion-mnist", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->train.size(), 4u);
  EXPECT_EQ(dataset->validation.size(), 2u);
  EXPECT_EQ(dataset->test.size(), 1u);
}

TEST(FashionMnistTest, DamagedFilesNameTheFile) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  std::vector<uint8_t> badMagic = idxImages(2);
  badMagic[3] = 0x01;
  writeBytes(dir + "/images", badMagic, false);
  writeBytes(dir + "/labels", idxLabels(2), false);
  writeBytes(dir + "/short-labels", idxLabels(1), false);
  writeBytes(dir + "/good-images", idxImages(2), false);
  ImageSet images;
  std::string error;
  EXPECT_FALSE(
      readIdxImageSet(dir + "/images", dir + "/labels", images, error));
  EXPECT_NE(error.find(dir + "/images"), std::string::npos) << error;
  EXPECT_NE(error.find("magic"), std::string::npos) << error;
  EXPECT_FALSE(readIdxImageSet(dir + "/good-images", dir + "/short-labels",
                               images, error));
  EXPECT_NE(error.find("1 labels for the 2 images"), std::string::npos)
      << error;
}

TEST(FashionMnistTest, MissingFileNamesThePackage) {
  DatasetOptions options;
  options.dataDir = "/nonexistent/fashion";
  std::string error;
  EXPECT_FALSE(loadDataset("fashion-mnist", options, error));
  EXPECT_NE(error.find("/nonexistent/fashion/train-images-idx3-ubyte.gz"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("dataset-fashion-mnist"), std::string::npos) << error;
}

// The real files, when the package is installed: 60000 training and 10000
// test images of 28x28, 6000 per class; encoding a few works.
TEST(FashionMnistTest, RealFiles) {
  std::string images = std::string(kFashionDir) + "/train-images-idx3-ubyte.gz";
  if (!exists(images))
    GTEST_SKIP() << images << " not present (package dataset-fashion-mnist)";
  ImageSet train, test;
  std::string error;
  ASSERT_TRUE(readIdxImageSet(
      images, std::string(kFashionDir) + "/train-labels-idx1-ubyte.gz", train,
      error))
      << error;
  ASSERT_TRUE(readIdxImageSet(
      std::string(kFashionDir) + "/t10k-images-idx3-ubyte.gz",
      std::string(kFashionDir) + "/t10k-labels-idx1-ubyte.gz", test, error))
      << error;
  EXPECT_EQ(train.labels.size(), 60000u);
  EXPECT_EQ(test.labels.size(), 10000u);
  EXPECT_EQ(train.rows, 28);
  EXPECT_EQ(train.columns, 28);
  EXPECT_EQ(std::count(train.labels.begin(), train.labels.end(), 7), 6000);

  DatasetOptions options;
  options.trainSize = 100;
  options.validationSize = 10;
  options.testSize = 10;
  std::optional<Dataset> dataset = loadDataset("fashion-mnist", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->inputChannels, 784);
  EXPECT_EQ(dataset->train.size(), 100u);
  EXPECT_EQ(dataset->validation[0].label, train.labels[55000]);
  for (const Sample &sample : dataset->train) {
    EXPECT_GT(sample.spikes.size(), 20u);
    for (const InputSpike &spike : sample.spikes) {
      ASSERT_GE(spike.timeMs, 0.0);
      ASSERT_LE(spike.timeMs, 30.0);
      ASSERT_LT(spike.channel, 784);
    }
  }
}

//===----------------------------------------------------------------------===//
// Digits
//===----------------------------------------------------------------------===//

// A small digits CSV: every row lands in exactly one split with its own
// label and pixels, and the shuffle follows the seed.
TEST(DigitsTest, SmallCsv) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  // Row r: pixel 0 is 16 (always a spike at tEarly), pixel 1 is r (the
  // row's signature), label r % 10.
  std::string text;
  const int rows = 17;
  for (int row = 0; row < rows; ++row) {
    for (int pixel = 0; pixel < 64; ++pixel)
      text += std::to_string(pixel == 0 ? 16 : pixel == 1 ? row : 0) + ",";
    text += std::to_string(row % 10) + "\n";
  }
  writeBytes(dir + "/digits.csv.gz",
             std::vector<uint8_t>(text.begin(), text.end()), true);

  DatasetOptions options;
  options.dataDir = dir;
  options.intensityCutoff = 0;
  std::string error;
  std::optional<Dataset> dataset = loadDataset("digits", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->inputChannels, 64);
  // 250/1797 of 17 rounds down to 2 for validation and for test.
  ASSERT_EQ(dataset->train.size(), 13u);
  ASSERT_EQ(dataset->validation.size(), 2u);
  ASSERT_EQ(dataset->test.size(), 2u);

  std::set<int> seen;
  std::vector<int> order;
  for (const std::vector<Sample> *split :
       {&dataset->train, &dataset->validation, &dataset->test}) {
    for (const Sample &sample : *split) {
      EXPECT_DOUBLE_EQ(spikeTime(sample, 0), 0.0);
      double time = spikeTime(sample, 1);
      int row = std::isnan(time)
                    ? 0
                    : static_cast<int>(std::lround(16 * (1 - time / 30)));
      EXPECT_EQ(sample.label, row % 10);
      seen.insert(row);
      order.push_back(row);
    }
  }
  EXPECT_EQ(seen.size(), 17u);
  std::vector<int> sorted(order);
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(order, sorted) << "the rows should be shuffled";

  options.seed = 5;
  std::optional<Dataset> reseeded = loadDataset("digits", options, error);
  ASSERT_TRUE(reseeded) << error;
  bool differs = false;
  for (size_t index = 0; index < 13; ++index)
    differs |= spikeTime(reseeded->train[index], 1) !=
               spikeTime(dataset->train[index], 1);
  EXPECT_TRUE(differs);
}

TEST(DigitsTest, BadRowNamesLine) {
  std::string dir = makeTempDir();
  ASSERT_FALSE(dir.empty());
  std::string text;
  for (int pixel = 0; pixel < 64; ++pixel)
    text += pixel == 5 ? "17," : "0,";
  text += "3\n";
  writeBytes(dir + "/digits.csv",
             std::vector<uint8_t>(text.begin(), text.end()), false);
  ImageSet images;
  std::string error;
  EXPECT_FALSE(readDigitsCsv(dir + "/digits.csv", images, error));
  EXPECT_NE(error.find("digits.csv:1: pixel 5"), std::string::npos) << error;
}

TEST(DigitsTest, MissingFileNamesThePackage) {
  DatasetOptions options;
  options.dataDir = "/nonexistent/digits";
  std::string error;
  EXPECT_FALSE(loadDataset("digits", options, error));
  EXPECT_NE(error.find("/nonexistent/digits/digits.csv.gz"), std::string::npos)
      << error;
  EXPECT_NE(error.find("python3-sklearn"), std::string::npos) << error;
}

TEST(DigitsTest, RealFile) {
  if (!exists(kDigitsCsv))
    GTEST_SKIP() << kDigitsCsv << " not present (package python3-sklearn)";
  ImageSet images;
  std::string error;
  ASSERT_TRUE(readDigitsCsv(kDigitsCsv, images, error)) << error;
  EXPECT_EQ(images.labels.size(), 1797u);
  EXPECT_EQ(images.pixels.size(), 1797u * 64);
  // The first row of the file is a 0 whose third pixel is 5.
  EXPECT_EQ(images.labels[0], 0);
  EXPECT_EQ(images.pixels[2], 5);

  DatasetOptions options;
  std::optional<Dataset> dataset = loadDataset("digits", options, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->train.size(), 1297u);
  EXPECT_EQ(dataset->validation.size(), 250u);
  EXPECT_EQ(dataset->test.size(), 250u);
}

//===----------------------------------------------------------------------===//
// Event streams
//===----------------------------------------------------------------------===//

// Sizes, ranges and several spikes per channel on average.
TEST(EventsTest, Shape) {
  DatasetOptions options;
  options.trainSize = 200;
  options.validationSize = 20;
  options.testSize = 20;
  std::string error;
  std::optional<Dataset> dataset = loadDataset("events", options, error);
  ASSERT_TRUE(dataset) << error;
  const EventStreamOptions &events = options.events;
  EXPECT_EQ(dataset->inputChannels, events.channels);
  EXPECT_EQ(dataset->classes, events.classes);
  ASSERT_EQ(dataset->train.size(), 200u);
  size_t spikes = 0;
  for (size_t index = 0; index < dataset->train.size(); ++index) {
    const Sample &sample = dataset->train[index];
    EXPECT_EQ(sample.label, static_cast<int32_t>(index % events.classes));
    for (const InputSpike &spike : sample.spikes) {
      ASSERT_GE(spike.timeMs, 0.0);
      ASSERT_LT(spike.timeMs, events.durationMs);
      ASSERT_GE(spike.channel, 0);
      ASSERT_LT(spike.channel, events.channels);
    }
    spikes += sample.spikes.size();
  }
  double perChannel = static_cast<double>(spikes) / (200.0 * events.channels);
  // Below the ceiling of maxRateHz * durationMs = 10 spikes, but several.
  EXPECT_GT(perChannel, 1.5);
  EXPECT_LT(perChannel, 8.0);
  EXPECT_EQ(events.maxRateHz * events.durationMs / 1000, 10);

  std::optional<Dataset> again = loadDataset("events", options, error);
  ASSERT_TRUE(again) << error;
  ASSERT_EQ(again->train[7].spikes.size(), dataset->train[7].spikes.size());
  for (size_t index = 0; index < again->train[7].spikes.size(); ++index)
    EXPECT_EQ(again->train[7].spikes[index].timeMs,
              dataset->train[7].spikes[index].timeMs);

  options.events.channels = 0;
  EXPECT_FALSE(loadDataset("events", options, error));
  EXPECT_NE(error.find("channels"), std::string::npos);
}

// The classes are learnable from the order of events, though not from spike
// counts alone (every class curve has zero mean): a nearest-neighbour rule
// on binned counts, aligned over circular shifts because each sample starts
// at a random phase, beats chance by far.
TEST(EventsTest, ClassesAreSeparable) {
  DatasetOptions options;
  options.trainSize = 400;
  options.validationSize = 0;
  options.testSize = 200;
  std::string error;
  std::optional<Dataset> dataset = loadDataset("events", options, error);
  ASSERT_TRUE(dataset) << error;
  const int32_t channels = dataset->inputChannels;
  const int32_t bins = 10;
  const double binMs = options.events.durationMs / bins;
  auto binned = [&](const Sample &sample) {
    std::vector<double> counts(channels * bins, 0);
    for (const InputSpike &spike : sample.spikes)
      counts[spike.channel * bins +
             std::min(static_cast<int32_t>(spike.timeMs / binMs), bins - 1)] +=
          1;
    return counts;
  };
  std::vector<std::vector<double>> train;
  for (const Sample &sample : dataset->train)
    train.push_back(binned(sample));

  int correct = 0;
  for (const Sample &sample : dataset->test) {
    std::vector<double> counts = binned(sample);
    double bestDistance = INFINITY;
    int32_t best = -1;
    for (size_t index = 0; index < train.size(); ++index) {
      for (int32_t shift = 0; shift < bins; ++shift) {
        double distance = 0;
        for (int32_t channel = 0; channel < channels; ++channel)
          for (int32_t bin = 0; bin < bins; ++bin) {
            double difference =
                counts[channel * bins + bin] -
                train[index][channel * bins + (bin + shift) % bins];
            distance += difference * difference;
          }
        if (distance < bestDistance) {
          bestDistance = distance;
          best = dataset->train[index].label;
        }
      }
    }
    correct += best == sample.label;
  }
  double accuracy = static_cast<double>(correct) / dataset->test.size();
  EXPECT_GT(accuracy, 0.5) << "chance is " << 1.0 / dataset->classes;
}

TEST(DatasetsTest, UnknownNameListsTheKnownOnes) {
  std::string error;
  EXPECT_FALSE(loadDataset("mnist", DatasetOptions(), error));
  EXPECT_NE(error.find("'mnist'"), std::string::npos);
  EXPECT_NE(error.find("fashion-mnist"), std::string::npos);
  EXPECT_NE(error.find("yinyang-nobias"), std::string::npos);
  EXPECT_EQ(datasetNames().size(), 6u);
}
