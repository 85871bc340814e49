//===- ByteStream.h - Little-endian binary fields ---------------*- C++ -*-===//
//
// The byte layout of the runtime's binary blobs (optimizer state,
// checkpoints): fixed-width little-endian integers and doubles stored bit
// for bit, so a resumed run continues exactly where it stopped.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_BYTESTREAM_H
#define SNNC_RUNTIME_BYTESTREAM_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace snnc::runtime {

/// Appends little-endian fields to `bytes`.
class ByteWriter {
public:
  void word(uint64_t value, int size) {
    for (int byte = 0; byte < size; ++byte)
      bytes.push_back(static_cast<uint8_t>(value >> (8 * byte)));
  }
  void real(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    word(bits, 8);
  }
  /// A length-prefixed array of doubles.
  void reals(const std::vector<double> &values) {
    word(values.size(), 8);
    for (double value : values)
      real(value);
  }

  std::vector<uint8_t> bytes;
};

/// Reads little-endian fields, remembering the first read past the end
/// (which returns zeros) instead of failing at each one.
class ByteReader {
public:
  ByteReader(const uint8_t *data, size_t size) : data(data), size(size) {}
  uint64_t word(int count) {
    if (offset + count > size) {
      overrun = true;
      return 0;
    }
    uint64_t value = 0;
    for (int byte = 0; byte < count; ++byte)
      value |= static_cast<uint64_t>(data[offset + byte]) << (8 * byte);
    offset += count;
    return value;
  }
  double real() {
    uint64_t bits = word(8);
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  /// A length-prefixed array; refuses a length larger than what is left.
  std::vector<double> reals() {
    uint64_t count = word(8);
    if (overrun || count > (size - offset) / 8) {
      overrun = true;
      return {};
    }
    std::vector<double> values(count);
    for (double &value : values)
      value = real();
    return values;
  }
  bool failed() const { return overrun; }
  size_t remaining() const { return size - offset; }
  size_t position() const { return offset; }

private:
  const uint8_t *data;
  size_t size;
  size_t offset = 0;
  bool overrun = false;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_BYTESTREAM_H
