//===- Loss.cpp - Classification losses on output times or voltages -------===//

#include "runtime/Loss.h"

#include <algorithm>
#include <cmath>

namespace snnc::runtime {

double lossAndErrors(const Network &network, const std::vector<double> &outputs,
                     int32_t label, std::vector<double> *errors,
                     SilentOutputError silent) {
  const Loss &loss = network.loss;
  size_t count = outputs.size();
  std::vector<double> logits(count);
  for (size_t neuron = 0; neuron < count; ++neuron)
    logits[neuron] = loss.kind == LossKind::TimeToFirstSpike
                         ? -outputs[neuron] / loss.tau0Ms
                         : outputs[neuron];
  double largest = *std::max_element(logits.begin(), logits.end());
  double normaliser = 0;
  for (double logit : logits)
    normaliser += std::exp(logit - largest);
  double logNormaliser = largest + std::log(normaliser);
  double value = logNormaliser - logits[label];
  double penalty = 0;
  if (loss.kind == LossKind::TimeToFirstSpike) {
    penalty = std::exp(outputs[label] / loss.tau1Ms);
    value += loss.alpha * (penalty - 1.0);
  }
  if (!errors)
    return value;

  errors->assign(count, 0.0);
  for (size_t neuron = 0; neuron < count; ++neuron) {
    bool isLabel = static_cast<int32_t>(neuron) == label;
    double logitError =
        std::exp(logits[neuron] - logNormaliser) - (isLabel ? 1.0 : 0.0);
    if (loss.kind == LossKind::MaxVoltage) {
      (*errors)[neuron] = logitError;
      continue;
    }
    if (silent == SilentOutputError::Drop &&
        !(outputs[neuron] < network.durationMs))
      continue;
    double timeError = -logitError / loss.tau0Ms;
    if (isLabel)
      timeError += loss.alpha * penalty / loss.tau1Ms;
    (*errors)[neuron] = timeError;
  }
  return value;
}

} // namespace snnc::runtime
