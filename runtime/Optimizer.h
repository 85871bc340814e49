//===- Optimizer.h - Gradient steps on a network's parameters ---*- C++ -*-===//
//
// SGD with momentum and Adam over the learnable parameters of a Network
// (weights and delays of projections, thresholds of populations, as their
// learn flags say), learning-rate schedules, the bounds that keep a network
// simulable after each step, and a byte image of the optimizer's state for
// checkpoints that resume bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_OPTIMIZER_H
#define SNNC_RUNTIME_OPTIMIZER_H

#include "runtime/EventProp.h"
#include "runtime/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

enum class OptimizerKind : uint8_t { SGD, Adam };

enum class ScheduleKind : uint8_t {
  /// baseRate throughout.
  Constant,
  /// baseRate * decayFactor^floor(epoch / stepEpochs).
  StepDecay,
  /// Half a cosine from baseRate at epoch 0 down to minRate at totalEpochs,
  /// minRate afterwards (Loshchilov and Hutter, 2017, without restarts).
  Cosine,
};

struct LearningRateSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double baseRate = 1e-3;
  int32_t stepEpochs = 10;
  double decayFactor = 0.5;
  int32_t totalEpochs = 100;
  double minRate = 0;

  /// The learning rate during `epoch` (counted from 0).
  double rateAt(int32_t epoch) const;
};

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::Adam;
  LearningRateSchedule schedule;
  /// SGD: velocity = momentum * velocity + gradient; 0 is plain SGD.
  double momentum = 0;
  /// Adam's decay rates of the moment estimates and its denominator guard.
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  /// Multipliers of the learning rate per kind of parameter: delays in ms
  /// and thresholds often want other step sizes than weights.
  double weightRateScale = 1;
  double delayRateScale = 1;
  double thresholdRateScale = 1;
  /// When positive, gradients whose global L2 norm (over the learnable
  /// parameters) exceeds it are scaled down to it before the step.
  double maxGradientNorm = 0;
  /// Bounds applied after each step: delays never fall below minDelayMs,
  /// thresholds never below max(minThreshold, reset + minThreshold), so a
  /// neuron cannot fire at its own reset potential.
  double minDelayMs = 0;
  double minThreshold = 1e-3;
};

class Optimizer {
public:
  explicit Optimizer(const OptimizerOptions &options);

  /// Checks the options; empty when they are usable, else what is wrong.
  std::string validate() const;

  /// Sets the learning rate to the schedule's value for `epoch`.
  void setEpoch(int32_t epoch);
  int32_t epoch() const { return currentEpoch; }
  double learningRate() const { return rate; }
  /// Steps taken so far (Adam's t).
  int64_t steps() const { return stepCount; }
  const OptimizerOptions &options() const { return config; }

  /// Moves every learnable parameter of `network` against its gradient, then
  /// applies the bounds. The gradients are used as given: scale a batch's
  /// sum to a mean before. A learnable delay of a projection without delays
  /// starts from zero. The first step fixes which parameters the state
  /// covers; a later network or gradient of another shape is an error, and
  /// then nothing is changed.
  std::string step(Network &network, const Gradients &gradients);

  /// The state (step count, epoch, rate, moments) as a byte blob in a fixed
  /// little-endian layout that restores every double bit for bit.
  std::vector<uint8_t> serializeState() const;
  /// Restores a blob from serializeState. Fails, and keeps the current
  /// state, when the blob is damaged or was written by another kind of
  /// optimizer.
  std::string deserializeState(const std::vector<uint8_t> &blob);

private:
  enum class ParameterKind : uint8_t { Weight, Delay, Threshold };

  /// The running moments of one learnable tensor.
  struct Slot {
    ParameterKind kind = ParameterKind::Weight;
    /// Projection or population index in the network.
    int32_t index = 0;
    /// SGD's velocity or Adam's first moment.
    std::vector<double> first;
    /// Adam's second moment; empty for SGD.
    std::vector<double> second;
  };

  /// One learnable tensor of the network with its gradient, found for a
  /// step.
  struct Binding {
    ParameterKind kind;
    int32_t index;
    std::vector<double> *values;
    const std::vector<double> *gradient;
    double rateScale;
  };

  std::string bind(Network &network, const Gradients &gradients,
                   std::vector<Binding> &bindings) const;

  OptimizerOptions config;
  int32_t currentEpoch = 0;
  double rate = 0;
  int64_t stepCount = 0;
  /// beta1^t and beta2^t, kept as running products rather than pow() so the
  /// bias correction is reproducible across libm implementations.
  double beta1Power = 1;
  double beta2Power = 1;
  std::vector<Slot> slots;
};

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_OPTIMIZER_H
