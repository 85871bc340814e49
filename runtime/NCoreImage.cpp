//===- NCoreImage.cpp - Writing, reading and dumping core images ----------===//

#include "runtime/NCoreImage.h"

#include "runtime/Json.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace snnc::runtime {

namespace {
/// Section identifiers (docs/ncore.md).
enum SectionId : uint32_t {
  kTargetSection = 1,
  kNetworkSection = 2,
  kCoreSection = 3,
  kBlockSection = 4,
  kSynapseSection = 5,
  kRouteSection = 6,
};
constexpr char kMagic[8] = {'S', 'N', 'N', 'C', 'C', 'O', 'R', 'E'};
constexpr size_t kHeaderBytes = 32;
constexpr size_t kSectionHeaderBytes = 16;
constexpr int kNumSections = 6;

/// Little-endian encoder.
class Writer {
public:
  void u8(uint8_t value) { bytes.push_back(value); }
  void u16(uint16_t value) { fixed(value, 2); }
  void u32(uint32_t value) { fixed(value, 4); }
  void u64(uint64_t value) { fixed(value, 8); }
  void i32(int32_t value) { u32(static_cast<uint32_t>(value)); }
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void f64(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    u64(bits);
  }
  void string(const std::string &text) {
    u32(text.size());
    bytes.insert(bytes.end(), text.begin(), text.end());
  }
  void i32s(const std::vector<int32_t> &values) {
    u32(values.size());
    for (int32_t value : values)
      i32(value);
  }
  std::vector<uint8_t> bytes;

private:
  void fixed(uint64_t value, int width) {
    for (int byte = 0; byte < width; ++byte)
      bytes.push_back(static_cast<uint8_t>(value >> (8 * byte)));
  }
};

/// Little-endian decoder of one section; the first overrun is an error.
class Reader {
public:
  Reader(const uint8_t *data, size_t size, std::string section)
      : data(data), size(size), section(std::move(section)) {}
  uint8_t u8() { return static_cast<uint8_t>(fixed(1)); }
  uint16_t u16() { return static_cast<uint16_t>(fixed(2)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  double f64() {
    uint64_t bits = u64();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  std::string string() {
    uint32_t length = u32();
    if (!has(length))
      return "";
    std::string text(reinterpret_cast<const char *>(data + offset), length);
    offset += length;
    return text;
  }
  std::vector<int32_t> i32s() {
    uint32_t count = u32();
    std::vector<int32_t> values;
    if (!has(uint64_t(count) * 4))
      return values;
    values.reserve(count);
    for (uint32_t index = 0; index < count; ++index)
      values.push_back(i32());
    return values;
  }
  /// A count of items of at least `itemBytes` each, checked against what
  /// is left so that a corrupt count cannot make the reader allocate.
  uint32_t count(uint64_t itemBytes) {
    uint32_t value = u32();
    if (!has(value * itemBytes))
      return 0;
    return value;
  }
  bool ok() const { return error.empty(); }
  bool finished() const { return offset == size; }
  std::string error;

private:
  bool has(uint64_t bytes) {
    if (!error.empty())
      return false;
    if (bytes > size - offset) {
      error = section + " section ends early at byte " +
              std::to_string(offset) + " of " + std::to_string(size);
      return false;
    }
    return true;
  }
  uint64_t fixed(int width) {
    if (!has(width))
      return 0;
    uint64_t value = 0;
    for (int byte = 0; byte < width; ++byte)
      value |= uint64_t(data[offset + byte]) << (8 * byte);
    offset += width;
    return value;
  }
  const uint8_t *data;
  size_t size;
  size_t offset = 0;
  std::string section;
};

const char *sectionName(uint32_t id) {
  switch (id) {
  case kTargetSection:
    return "target";
  case kNetworkSection:
    return "network";
  case kCoreSection:
    return "core";
  case kBlockSection:
    return "block";
  case kSynapseSection:
    return "synapse";
  case kRouteSection:
    return "route";
  }
  return "unknown";
}

bool isNeuron(PopulationKind kind) { return kind != PopulationKind::Source; }
} // namespace

uint32_t crc32(const uint8_t *data, size_t size) {
  static uint32_t table[256] = {};
  static bool ready = false;
  if (!ready) {
    for (uint32_t entry = 0; entry < 256; ++entry) {
      uint32_t value = entry;
      for (int bit = 0; bit < 8; ++bit)
        value = (value & 1) ? 0xEDB88320u ^ (value >> 1) : value >> 1;
      table[entry] = value;
    }
    ready = true;
  }
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t index = 0; index < size; ++index)
    crc = table[(crc ^ data[index]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string NCoreImage::validate() const {
  std::string error = target.validate();
  if (!error.empty())
    return "target: " + error;
  int64_t maxTicks = (int64_t(1) << target.timeBits) - 1;
  if (durationTicks <= 0 || durationTicks > maxTicks)
    return "duration of " + std::to_string(durationTicks) +
           " ticks is outside 1.." + std::to_string(maxTicks);
  if (readoutPopulation < 0 ||
      readoutPopulation >= static_cast<int32_t>(populations.size()))
    return "readout population " + std::to_string(readoutPopulation) +
           " does not exist";
  for (const NCoreImageCore &core : cores)
    if (core.index < 0 || core.index >= target.cores)
      return "core " + std::to_string(core.index) + " is outside the chip";
  int64_t stateMax = (int64_t(1) << (target.stateBits - 1)) - 1;
  for (size_t index = 0; index < blocks.size(); ++index) {
    const NCoreImageBlock &block = blocks[index];
    std::string name = "block " + std::to_string(index);
    if (block.population < 0 ||
        block.population >= static_cast<int32_t>(populations.size()))
      return name + " names population " + std::to_string(block.population);
    if (block.core < 0 || block.core >= static_cast<int32_t>(cores.size()))
      return name + " names core " + std::to_string(block.core);
    const NCoreImagePopulation &population = populations[block.population];
    if (block.size <= 0 || block.offset < 0 ||
        block.offset + block.size > population.size)
      return name + " does not lie within population '" + population.name + "'";
    if (!isNeuron(population.kind))
      continue;
    size_t tableSize = durationTicks + 1;
    if (block.memDecay.size() != tableSize ||
        block.synDecay.size() != tableSize ||
        block.coupling.size() != tableSize)
      return name + " has decay tables of the wrong length";
    bool isLIF = population.kind == PopulationKind::LIF;
    if (block.threshold.size() != (isLIF ? size_t(block.size) : 0))
      return name + " has " + std::to_string(block.threshold.size()) +
             " thresholds for " + std::to_string(block.size) + " neurons";
    for (int32_t threshold : block.threshold)
      if (threshold <= 0 || threshold > stateMax)
        return name + " has threshold " + std::to_string(threshold) +
               " outside the state range";
    if (block.refractoryTicks < 0)
      return name + " has a negative refractory period";
  }
  int64_t weightMax = (int64_t(1) << (target.weightBits - 1)) - 1;
  int64_t delayMax = (int64_t(1) << target.delayBits) - 1;
  for (size_t index = 0; index < synapses.size(); ++index) {
    const NCoreImageSynapses &table = synapses[index];
    std::string name = "synapse table " + std::to_string(index);
    if (table.pre < 0 || table.pre >= static_cast<int32_t>(blocks.size()) ||
        table.post < 0 || table.post >= static_cast<int32_t>(blocks.size()))
      return name + " names a block that does not exist";
    if (!isNeuron(populations[blocks[table.post].population].kind))
      return name + " ends at a source block";
    size_t entries = size_t(blocks[table.pre].size) * blocks[table.post].size;
    if (table.weight.size() != entries)
      return name + " has " + std::to_string(table.weight.size()) +
             " weights for " + std::to_string(entries) + " synapses";
    if (!table.delayTicks.empty() && table.delayTicks.size() != entries)
      return name + " has delays of the wrong length";
    for (int16_t weight : table.weight)
      if (weight < -weightMax || weight > weightMax)
        return name + " has weight " + std::to_string(weight) +
               " outside the weight bits";
    for (uint16_t delay : table.delayTicks)
      if (delay > delayMax)
        return name + " has delay " + std::to_string(delay) +
               " outside the delay bits";
    if (table.scale <= 0)
      return name + " has a non-positive scale";
  }
  for (const NCoreImageRoute &route : routes)
    if (route.pre < 0 || route.pre >= static_cast<int32_t>(blocks.size()) ||
        route.post < 0 || route.post >= static_cast<int32_t>(blocks.size()) ||
        route.hops < 0)
      return "a route names a block that does not exist";
  return "";
}

void computeNCoreDecayTables(NCoreImage &image) {
  const double one = std::ldexp(1.0, kNCoreDecayFractionBits);
  for (NCoreImageBlock &block : image.blocks) {
    if (!isNeuron(image.populations[block.population].kind))
      continue;
    block.memDecay.clear();
    block.synDecay.clear();
    block.coupling.clear();
    double tauMem = block.tauMemMs;
    double tauSyn = block.tauSynMs;
    for (int32_t ticks = 0; ticks <= image.durationTicks; ++ticks) {
      double elapsed = ticks * image.target.timeStepMs;
      double mem = std::exp(-elapsed / tauMem);
      double syn = std::exp(-elapsed / tauSyn);
      // V gains I0 * coupling over the interval (DESIGN.md section 3).
      double coupling = tauMem == tauSyn
                            ? elapsed / tauMem * mem
                            : tauSyn / (tauMem - tauSyn) * (mem - syn);
      block.memDecay.push_back(static_cast<int32_t>(std::lround(mem * one)));
      block.synDecay.push_back(static_cast<int32_t>(std::lround(syn * one)));
      block.coupling.push_back(
          static_cast<int32_t>(std::lround(coupling * one)));
    }
  }
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static void writeSections(const NCoreImage &image,
                          std::vector<Writer> &sections) {
  Writer target;
  const NCoreTarget &chip = image.target;
  target.string(chip.preset);
  for (int64_t value :
       {chip.cores, chip.meshX, chip.meshY, chip.neuronsPerCore,
        chip.synapseBytesPerCore, chip.fanIn, chip.fanOut, chip.weightBits,
        chip.delayBits, chip.stateBits, chip.timeBits})
    target.i64(value);
  for (double value : {chip.timeStepMs, chip.synapticOpPj, chip.neuronUpdatePj,
                       chip.spikeMessagePj, chip.hopPj, chip.learningUpdatePj})
    target.f64(value);

  Writer network;
  network.string(image.network);
  network.i32(image.durationTicks);
  network.i32(image.readoutPopulation);
  network.u8(static_cast<uint8_t>(image.readout));
  network.i32(kNCoreDecayFractionBits);
  network.u32(image.populations.size());
  for (const NCoreImagePopulation &population : image.populations) {
    network.string(population.name);
    network.u8(static_cast<uint8_t>(population.kind));
    network.i32(population.size);
  }

  Writer cores;
  cores.u32(image.cores.size());
  for (const NCoreImageCore &core : image.cores) {
    cores.i32(core.index);
    cores.i32(core.x);
    cores.i32(core.y);
  }

  Writer blocks;
  blocks.u32(image.blocks.size());
  for (const NCoreImageBlock &block : image.blocks) {
    blocks.i32(block.population);
    blocks.i32(block.offset);
    blocks.i32(block.size);
    blocks.i32(block.core);
    if (!isNeuron(image.populations[block.population].kind))
      continue;
    blocks.f64(block.tauMemMs);
    blocks.f64(block.tauSynMs);
    blocks.f64(block.stateLsb);
    blocks.i32(block.reset);
    blocks.i32(block.refractoryTicks);
    blocks.i32s(block.threshold);
    blocks.i32s(block.memDecay);
    blocks.i32s(block.synDecay);
    blocks.i32s(block.coupling);
  }

  Writer synapses;
  synapses.u32(image.synapses.size());
  for (const NCoreImageSynapses &table : image.synapses) {
    synapses.string(table.projection);
    synapses.i32(table.pre);
    synapses.i32(table.post);
    synapses.i32(table.scale);
    synapses.u8(table.delayTicks.empty() ? 0 : 1);
    synapses.u32(table.weight.size());
    for (int16_t weight : table.weight)
      synapses.u16(static_cast<uint16_t>(weight));
    for (uint16_t delay : table.delayTicks)
      synapses.u16(delay);
  }

  Writer routes;
  routes.u32(image.routes.size());
  for (const NCoreImageRoute &route : image.routes) {
    routes.i32(route.pre);
    routes.i32(route.post);
    routes.i32(route.hops);
  }

  sections = {target, network, cores, blocks, synapses, routes};
}

std::vector<uint8_t> writeNCoreImage(const NCoreImage &image) {
  std::vector<Writer> sections;
  writeSections(image, sections);

  Writer body;
  for (size_t index = 0; index < sections.size(); ++index) {
    body.u32(index + 1);
    body.u32(0);
    body.u64(sections[index].bytes.size());
    body.bytes.insert(body.bytes.end(), sections[index].bytes.begin(),
                      sections[index].bytes.end());
  }

  Writer file;
  file.bytes.assign(std::begin(kMagic), std::end(kMagic));
  file.u32(kNCoreImageVersion);
  file.u32(sections.size());
  file.u64(kHeaderBytes + body.bytes.size());
  file.u32(crc32(body.bytes.data(), body.bytes.size()));
  file.u32(0);
  file.bytes.insert(file.bytes.end(), body.bytes.begin(), body.bytes.end());
  return file.bytes;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static void readTarget(Reader &in, NCoreTarget &chip) {
  chip.preset = in.string();
  for (int64_t *field :
       {&chip.cores, &chip.meshX, &chip.meshY, &chip.neuronsPerCore,
        &chip.synapseBytesPerCore, &chip.fanIn, &chip.fanOut, &chip.weightBits,
        &chip.delayBits, &chip.stateBits, &chip.timeBits})
    *field = in.i64();
  for (double *field :
       {&chip.timeStepMs, &chip.synapticOpPj, &chip.neuronUpdatePj,
        &chip.spikeMessagePj, &chip.hopPj, &chip.learningUpdatePj})
    *field = in.f64();
}

static void readNetwork(Reader &in, NCoreImage &image) {
  image.network = in.string();
  image.durationTicks = in.i32();
  image.readoutPopulation = in.i32();
  uint8_t readout = in.u8();
  if (readout > 1 && in.ok())
    in.error =
        "network section: unknown readout kind " + std::to_string(readout);
  image.readout = static_cast<NCoreReadout>(readout);
  int32_t fractionBits = in.i32();
  if (fractionBits != kNCoreDecayFractionBits && in.ok())
    in.error = "network section: decay tables have " +
               std::to_string(fractionBits) + " fraction bits, expected " +
               std::to_string(kNCoreDecayFractionBits);
  uint32_t count = in.count(9);
  for (uint32_t index = 0; index < count && in.ok(); ++index) {
    NCoreImagePopulation population;
    population.name = in.string();
    uint8_t kind = in.u8();
    if (kind > 2 && in.ok())
      in.error =
          "network section: unknown population kind " + std::to_string(kind);
    population.kind = static_cast<PopulationKind>(kind);
    population.size = in.i32();
    image.populations.push_back(population);
  }
}

static void readBlocks(Reader &in, NCoreImage &image) {
  uint32_t count = in.count(16);
  for (uint32_t index = 0; index < count && in.ok(); ++index) {
    NCoreImageBlock block;
    block.population = in.i32();
    block.offset = in.i32();
    block.size = in.i32();
    block.core = in.i32();
    if (block.population < 0 ||
        block.population >= static_cast<int32_t>(image.populations.size())) {
      if (in.ok())
        in.error = "block section: block " + std::to_string(index) +
                   " names population " + std::to_string(block.population);
      return;
    }
    if (isNeuron(image.populations[block.population].kind)) {
      block.tauMemMs = in.f64();
      block.tauSynMs = in.f64();
      block.stateLsb = in.f64();
      block.reset = in.i32();
      block.refractoryTicks = in.i32();
      block.threshold = in.i32s();
      block.memDecay = in.i32s();
      block.synDecay = in.i32s();
      block.coupling = in.i32s();
    }
    image.blocks.push_back(std::move(block));
  }
}

static void readSynapses(Reader &in, NCoreImage &image) {
  uint32_t count = in.count(21);
  for (uint32_t index = 0; index < count && in.ok(); ++index) {
    NCoreImageSynapses table;
    table.projection = in.string();
    table.pre = in.i32();
    table.post = in.i32();
    table.scale = in.i32();
    bool hasDelays = in.u8() != 0;
    uint32_t entries = in.count(hasDelays ? 4 : 2);
    table.weight.reserve(entries);
    for (uint32_t entry = 0; entry < entries; ++entry)
      table.weight.push_back(static_cast<int16_t>(in.u16()));
    if (hasDelays)
      for (uint32_t entry = 0; entry < entries; ++entry)
        table.delayTicks.push_back(in.u16());
    image.synapses.push_back(std::move(table));
  }
}

bool readNCoreImage(const uint8_t *data, size_t size, NCoreImage &image,
                    std::string &error) {
  image = NCoreImage();

  // Header: magic, version, then the size and checksum of the body.
  if (size < kHeaderBytes) {
    error = "truncated image: " + std::to_string(size) +
            " bytes, shorter than the " + std::to_string(kHeaderBytes) +
            "-byte header";
    return false;
  }
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0) {
    error = "not an ncore image: the file does not start with \"SNNCCORE\"";
    return false;
  }
  Reader header(data + 8, kHeaderBytes - 8, "header");
  uint32_t version = header.u32();
  uint32_t sectionCount = header.u32();
  uint64_t totalBytes = header.u64();
  uint32_t checksum = header.u32();
  if (version != kNCoreImageVersion) {
    error = "unsupported image version " + std::to_string(version) +
            "; this build reads version " + std::to_string(kNCoreImageVersion);
    return false;
  }
  if (totalBytes > size) {
    error = "truncated image: the header gives " + std::to_string(totalBytes) +
            " bytes, the file has " + std::to_string(size);
    return false;
  }
  if (totalBytes < size) {
    error = "corrupt image: " + std::to_string(size - totalBytes) +
            " bytes after the end the header gives";
    return false;
  }
  uint32_t computed = crc32(data + kHeaderBytes, size - kHeaderBytes);
  if (computed != checksum) {
    char message[128];
    std::snprintf(message, sizeof message,
                  "corrupt image: checksum 0x%08x, the header says 0x%08x",
                  computed, checksum);
    error = message;
    return false;
  }

  // Sections, each exactly once.
  bool seen[kNumSections + 1] = {};
  size_t offset = kHeaderBytes;
  for (uint32_t section = 0; section < sectionCount; ++section) {
    Reader sectionHeader(data + offset, size - offset, "section header");
    uint32_t id = sectionHeader.u32();
    sectionHeader.u32();
    uint64_t length = sectionHeader.u64();
    if (!sectionHeader.ok() || length > size - offset - kSectionHeaderBytes) {
      error = "corrupt image: section " + std::to_string(section) +
              " runs past the end of the file";
      return false;
    }
    if (id < 1 || id > kNumSections || seen[id]) {
      error =
          "corrupt image: " +
          std::string(id < 1 || id > kNumSections ? "unknown" : "repeated") +
          " section " + std::to_string(id);
      return false;
    }
    seen[id] = true;
    Reader in(data + offset + kSectionHeaderBytes, length, sectionName(id));
    switch (id) {
    case kTargetSection:
      readTarget(in, image.target);
      break;
    case kNetworkSection:
      readNetwork(in, image);
      break;
    case kCoreSection: {
      uint32_t count = in.count(12);
      for (uint32_t index = 0; index < count && in.ok(); ++index) {
        NCoreImageCore core;
        core.index = in.i32();
        core.x = in.i32();
        core.y = in.i32();
        image.cores.push_back(core);
      }
      break;
    }
    case kBlockSection:
      if (!seen[kNetworkSection]) {
        error = "corrupt image: the block section precedes the network one";
        return false;
      }
      readBlocks(in, image);
      break;
    case kSynapseSection:
      readSynapses(in, image);
      break;
    case kRouteSection: {
      uint32_t count = in.count(12);
      for (uint32_t index = 0; index < count && in.ok(); ++index) {
        NCoreImageRoute route;
        route.pre = in.i32();
        route.post = in.i32();
        route.hops = in.i32();
        image.routes.push_back(route);
      }
      break;
    }
    }
    if (in.ok() && !in.finished())
      in.error = std::string(sectionName(id)) + " section has bytes left over";
    if (!in.ok()) {
      error = "corrupt image: " + in.error;
      return false;
    }
    offset += kSectionHeaderBytes + length;
  }
  for (int id = 1; id <= kNumSections; ++id)
    if (!seen[id]) {
      error = std::string("corrupt image: no ") + sectionName(id) + " section";
      return false;
    }
  if (offset != size) {
    error = "corrupt image: bytes after the last section";
    return false;
  }

  std::string invalid = image.validate();
  if (!invalid.empty()) {
    error = "corrupt image: " + invalid;
    return false;
  }
  return true;
}

bool loadNCoreImageFile(const std::string &path, NCoreImage &image,
                        std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open image '" + path + "'";
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  if (readNCoreImage(bytes.data(), bytes.size(), image, error))
    return true;
  error = path + ": " + error;
  return false;
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

static std::vector<double> asDoubles(const std::vector<int32_t> &values) {
  return std::vector<double>(values.begin(), values.end());
}

std::string ncoreImageToJson(const NCoreImage &image) {
  JsonWriter json;
  json.beginObject();
  json.member("version", static_cast<int64_t>(kNCoreImageVersion));
  json.member("network", image.network);
  json.key("target").beginObject();
  const NCoreTarget &chip = image.target;
  json.member("preset", chip.preset);
  json.member("cores", chip.cores);
  json.member("mesh_x", chip.meshX);
  json.member("mesh_y", chip.meshY);
  json.member("neurons_per_core", chip.neuronsPerCore);
  json.member("synapse_bytes", chip.synapseBytesPerCore);
  json.member("fan_in", chip.fanIn);
  json.member("fan_out", chip.fanOut);
  json.member("weight_bits", chip.weightBits);
  json.member("delay_bits", chip.delayBits);
  json.member("state_bits", chip.stateBits);
  json.member("time_bits", chip.timeBits);
  json.member("time_step_ms", chip.timeStepMs);
  json.member("synaptic_op_pj", chip.synapticOpPj);
  json.member("neuron_update_pj", chip.neuronUpdatePj);
  json.member("spike_message_pj", chip.spikeMessagePj);
  json.member("hop_pj", chip.hopPj);
  json.member("learning_update_pj", chip.learningUpdatePj);
  json.endObject();
  json.member("duration_ticks", image.durationTicks);
  json.member("readout_population",
              image.populations[image.readoutPopulation].name);
  json.member("readout", image.readout == NCoreReadout::TimeToFirstSpike
                             ? "ttfs"
                             : "max_voltage");
  json.member("decay_fraction_bits", kNCoreDecayFractionBits);
  json.key("populations").beginArray();
  for (const NCoreImagePopulation &population : image.populations) {
    json.beginObject();
    json.member("name", population.name);
    json.member("kind", population.kind == PopulationKind::Source ? "source"
                        : population.kind == PopulationKind::LIF  ? "lif"
                                                                  : "li");
    json.member("size", population.size);
    json.endObject();
  }
  json.endArray();
  json.key("cores").beginArray();
  for (const NCoreImageCore &core : image.cores) {
    json.beginObject();
    json.member("index", core.index);
    json.member("x", core.x);
    json.member("y", core.y);
    json.endObject();
  }
  json.endArray();
  json.key("blocks").beginArray();
  for (const NCoreImageBlock &block : image.blocks) {
    json.beginObject();
    json.member("population", image.populations[block.population].name);
    json.member("offset", block.offset);
    json.member("size", block.size);
    json.member("core", image.cores[block.core].index);
    if (isNeuron(image.populations[block.population].kind)) {
      json.member("tau_mem_ms", block.tauMemMs);
      json.member("tau_syn_ms", block.tauSynMs);
      json.member("state_lsb", block.stateLsb);
      json.member("reset", block.reset);
      json.member("refractory_ticks", block.refractoryTicks);
      json.member("threshold", asDoubles(block.threshold));
      json.member("mem_decay", asDoubles(block.memDecay));
      json.member("syn_decay", asDoubles(block.synDecay));
      json.member("coupling", asDoubles(block.coupling));
    }
    json.endObject();
  }
  json.endArray();
  json.key("synapses").beginArray();
  for (const NCoreImageSynapses &table : image.synapses) {
    json.beginObject();
    json.member("projection", table.projection);
    json.member("pre", table.pre);
    json.member("post", table.post);
    json.member("scale", table.scale);
    json.member("weight",
                std::vector<double>(table.weight.begin(), table.weight.end()));
    if (!table.delayTicks.empty())
      json.member("delay_ticks", std::vector<double>(table.delayTicks.begin(),
                                                     table.delayTicks.end()));
    json.endObject();
  }
  json.endArray();
  json.key("routes").beginArray();
  for (const NCoreImageRoute &route : image.routes) {
    json.beginObject();
    json.member("pre", route.pre);
    json.member("post", route.post);
    json.member("hops", route.hops);
    json.endObject();
  }
  json.endArray();
  json.endObject();
  return json.str();
}

} // namespace snnc::runtime
