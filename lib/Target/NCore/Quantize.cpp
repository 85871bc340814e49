//===- Quantize.cpp - Fixed-point weights, delays and thresholds ----------===//
//
// Every number the chip stores is an integer: thresholds and currents in
// state units of one population, weights in weight units that a
// per-projection integer scale converts to state units of the postsynaptic
// population, delays and refractory periods in ticks.
//
//===----------------------------------------------------------------------===//

#include "Mapping.h"

#include "snnc/Target/NCore/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <cstdio>

#define DEBUG_TYPE "snn-quantize"

namespace snnc {
#define GEN_PASS_DEF_SNNQUANTIZE
#include "snnc/Target/NCore/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

/// Maximum and mean absolute error of a set of roundings.
namespace {
struct ErrorStats {
  double max = 0;
  double sum = 0;
  int64_t count = 0;
  void add(double error) {
    max = std::max(max, std::fabs(error));
    sum += std::fabs(error);
    ++count;
  }
  double mean() const { return count ? sum / count : 0; }
};
} // namespace

/// `value` with six significant digits, as people read it.
static std::string show(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// The narrowest of i8, i16 and i32 that holds `bits` signed bits.
static IntegerType storageType(MLIRContext *context, int64_t bits) {
  return IntegerType::get(context, bits <= 8 ? 8 : bits <= 16 ? 16 : 32);
}

namespace {
struct QuantizePass : public snnc::impl::SNNQuantizeBase<QuantizePass> {
  using SNNQuantizeBase::SNNQuantizeBase;
  void runOnOperation() override;
};
} // namespace

void QuantizePass::runOnOperation() {
  snn::NetworkOp network = getOperation();
  MLIRContext *context = &getContext();
  Builder builder(context);
  FailureOr<TargetAttr> targetAttr = getNetworkTarget(network, "snn-quantize");
  if (failed(targetAttr))
    return signalPassFailure();
  runtime::NCoreTarget chip = targetAttr->getDescription();
  SmallVector<PopulationInfo> populations = collectPopulations(network);
  // The reference level (largest threshold) sits 7 bits below the top.
  const double referenceUnits = std::ldexp(1.0, chip.stateBits - 8);
  const int64_t stateMax = (int64_t(1) << (chip.stateBits - 1)) - 1;

  // State units per population, and the integer thresholds and reset.
  llvm::DenseMap<Value, double> stateLsb;
  for (const PopulationInfo &population : populations) {
    if (population.kind == NeuronKind::source)
      continue;
    double reference = 0;
    SmallVector<double> thresholds;
    double reset = 0;
    double refractoryMs = 0;
    if (auto lif = dyn_cast<snn::LIFOp>(population.op)) {
      thresholds = lif.getThresholdValues();
      reset = lif.getReset().convertToDouble();
      refractoryMs = lif.getRefractory().convertToDouble();
      for (double threshold : thresholds) {
        if (threshold <= 0) {
          lif.emitError("population '")
              << population.name << "': threshold " << threshold
              << " must be positive on the chip";
          return signalPassFailure();
        }
        reference = std::max(reference, threshold);
      }
    } else {
      for (snn::ProjectOp project : population.incoming) {
        SmallVector<double> weights;
        (void)snn::getF64Values(project.getWeight(), weights);
        for (double weight : weights)
          reference = std::max(reference, std::fabs(weight));
      }
      if (reference == 0)
        reference = 1;
    }
    double lsb = reference / referenceUnits;
    stateLsb[population.value] = lsb;
    population.op->setAttr(kStateLsbAttr, builder.getF64FloatAttr(lsb));
    int64_t resetUnits = std::llround(reset / lsb);
    if (std::llabs(resetUnits) > stateMax) {
      population.op->emitError("population '")
          << population.name << "': reset " << reset
          << " does not fit the state bits";
      return signalPassFailure();
    }
    population.op->setAttr(kResetAttr, builder.getI32IntegerAttr(resetUnits));
    population.op->setAttr(kRefractoryAttr,
                           builder.getI32IntegerAttr(
                               std::llround(refractoryMs / chip.timeStepMs)));
    if (thresholds.empty())
      continue;
    ErrorStats error;
    SmallVector<int32_t> units;
    for (double threshold : thresholds) {
      int64_t unit = std::max<int64_t>(1, std::llround(threshold / lsb));
      units.push_back(unit);
      error.add(threshold - unit * lsb);
    }
    population.op->setAttr(kThresholdAttr,
                           DenseI32ArrayAttr::get(context, units));
    population.op->emitRemark("population '")
        << population.name << "': state step " << show(lsb)
        << ", threshold error max " << show(error.max) << " mean "
        << show(error.mean());
  }

  // Weights: one integer scale per projection, from its largest weight.
  const int64_t weightMax = (int64_t(1) << (chip.weightBits - 1)) - 1;
  const int64_t delayMax = (int64_t(1) << chip.delayBits) - 1;
  for (auto project : network.getBody().getOps<snn::ProjectOp>()) {
    SmallVector<double> weights;
    if (failed(snn::getF64Values(project.getWeight(), weights))) {
      project.emitError("weights of projection '")
          << project.getName() << "' are not available";
      return signalPassFailure();
    }
    double lsb = stateLsb.lookup(project.getPost());
    double largest = 0;
    for (double weight : weights)
      largest = std::max(largest, std::fabs(weight));
    int64_t scale =
        std::max<int64_t>(1, std::llround(largest / weightMax / lsb));
    double step = scale * lsb;
    ErrorStats weightError;
    SmallVector<APInt> units;
    unsigned width = storageType(context, chip.weightBits).getWidth();
    for (double weight : weights) {
      int64_t unit = std::clamp<int64_t>(std::llround(weight / step),
                                         -weightMax, weightMax);
      weightError.add(weight - unit * step);
      units.push_back(APInt(width, unit, /*isSigned=*/true));
    }
    auto weightType =
        RankedTensorType::get({project.getPostSize(), project.getPreSize()},
                              storageType(context, chip.weightBits));
    project->setAttr(kWeightsAttr,
                     DenseIntElementsAttr::get(weightType, units));
    project->setAttr(kScaleAttr, builder.getI64IntegerAttr(scale));
    auto remark = project.emitRemark("projection '")
                  << project.getName() << "': " << chip.weightBits
                  << "-bit weights, step " << show(step) << " (scale " << scale
                  << "), weight error max " << show(weightError.max) << " mean "
                  << show(weightError.mean());

    // Delays: ticks, saturating at what the delay bits hold.
    if (!hasDelays(project))
      continue;
    SmallVector<double> delays(weights.size(), 0.0);
    if (std::optional<Attribute> delay = project.getDelay())
      (void)snn::getScalarOrTensorValues(*delay, weights.size(), delays);
    ErrorStats delayError;
    int64_t saturated = 0;
    SmallVector<APInt> ticks;
    IntegerType delayType = storageType(context, chip.delayBits + 1);
    for (double delay : delays) {
      int64_t tick = std::llround(delay / chip.timeStepMs);
      if (tick > delayMax) {
        tick = delayMax;
        ++saturated;
      }
      delayError.add(delay - tick * chip.timeStepMs);
      ticks.push_back(APInt(delayType.getWidth(), tick));
    }
    remark << ", delay error max " << show(delayError.max) << " ms mean "
           << show(delayError.mean()) << " ms";
    auto delayTensorType = RankedTensorType::get(
        {project.getPostSize(), project.getPreSize()}, delayType);
    project->setAttr(kDelaysAttr,
                     DenseIntElementsAttr::get(delayTensorType, ticks));
    remark.report();
    if (saturated > 0) {
      numSaturatedDelays += saturated;
      project.emitWarning("projection '")
          << project.getName() << "': " << saturated << " of " << delays.size()
          << " delays exceed " << show(delayMax * chip.timeStepMs) << " ms ("
          << chip.delayBits << " delay bits of " << show(chip.timeStepMs)
          << " ms ticks) and saturate";
    }
  }
}
