//===- gen/rng.h - The generator's random numbers -------------------------===//
//
// Our own generator rather than <random>'s distributions: the standard fixes the engines'
// sequences but not uniform_int_distribution's, so a seed would give another model with another
// standard library. splitmix64 is small, fast and fully specified.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_GEN_RNG_H_
#define CONVCHECK_GEN_RNG_H_

#include <cstdint>
#include <vector>

namespace convcheck::gen {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi] (inclusive).
  int64_t Int(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  /// Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T>
  const T& Choice(const std::vector<T>& items) {
    return items[static_cast<size_t>(Int(0, static_cast<int64_t>(items.size()) - 1))];
  }

 private:
  uint64_t state_;
};

}  // namespace convcheck::gen

#endif  // CONVCHECK_GEN_RNG_H_
