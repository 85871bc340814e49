//===- Random.h - Portable, seedable random numbers -------------*- C++ -*-===//
//
// A random number generator whose output is the same on every platform and
// standard library, so that a data set drawn from a seed, a shuffle of the
// training set and an initialisation are reproducible bit for bit. The
// distributions of <random> are not: their algorithms are left to the
// implementation. The generator is xoshiro256** (Blackman and Vigna, 2018),
// seeded through splitmix64 as its authors recommend.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_RANDOM_H
#define SNNC_RUNTIME_RANDOM_H

#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace snnc::runtime {

/// One step of splitmix64: advances `state` and returns a well-mixed word.
/// Also useful on its own to derive independent seeds from one seed.
inline uint64_t splitMix64(uint64_t &state) {
  state += 0x9e3779b97f4a7c15ULL;
  uint64_t mixed = state;
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return mixed ^ (mixed >> 31);
}

/// A seed for stream `streamIndex` of a family started from `seed`; distinct
/// streams of one seed are statistically independent.
inline uint64_t deriveSeed(uint64_t seed, uint64_t streamIndex) {
  uint64_t state = seed ^ (streamIndex * 0xd1342543de82ef95ULL);
  splitMix64(state);
  return splitMix64(state);
}

class Rng {
public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t &word : words)
      word = splitMix64(state);
  }

  uint64_t next() {
    uint64_t result = rotateLeft(words[1] * 5, 7) * 9;
    uint64_t shifted = words[1] << 17;
    words[2] ^= words[0];
    words[3] ^= words[1];
    words[1] ^= words[2];
    words[0] ^= words[3];
    words[2] ^= shifted;
    words[3] = rotateLeft(words[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits: exactly representable values.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [low, high).
  double uniform(double low, double high) {
    return low + (high - low) * uniform();
  }

  /// Uniform integer in [0, bound) without modulo bias (Lemire's method
  /// would be faster; rejection keeps it obviously correct). bound > 0.
  uint64_t below(uint64_t bound) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t draw;
    do
      draw = next();
    while (draw >= limit);
    return draw % bound;
  }

  /// Standard normal by the Box-Muller transform. It goes through libm's log,
  /// sqrt and cos, so it is reproducible wherever those are correctly
  /// rounded (glibc's are for these inputs in practice), unlike uniform().
  double normal() {
    double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(2.0 * M_PI * uniform());
  }

  /// Exponentially distributed with the given rate (mean 1 / rate).
  double exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }

  /// Fisher-Yates shuffle, the same permutation on every platform.
  template <typename T> void shuffle(std::vector<T> &items) {
    for (size_t index = items.size(); index > 1; --index) {
      size_t other = static_cast<size_t>(below(index));
      std::swap(items[index - 1], items[other]);
    }
  }

  /// The generator's whole state, for checkpoints that resume a run with
  /// the same draws; setState(state()) changes nothing.
  std::array<uint64_t, 4> state() const {
    return {words[0], words[1], words[2], words[3]};
  }
  void setState(const std::array<uint64_t, 4> &state) {
    for (int index = 0; index < 4; ++index)
      words[index] = state[index];
  }

private:
  static uint64_t rotateLeft(uint64_t word, int bits) {
    return (word << bits) | (word >> (64 - bits));
  }

  uint64_t words[4];
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_RANDOM_H
