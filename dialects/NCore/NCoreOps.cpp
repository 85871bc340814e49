//===- NCoreOps.cpp - Operations of the ncore dialect ---------------------===//

#include "dialects/NCore/NCoreOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

/// The target of the chip that holds `op`.
static runtime::NCoreTarget targetOf(Operation *op) {
  return op->getParentOfType<ChipOp>().getTarget().getDescription();
}

//===----------------------------------------------------------------------===//
// ChipOp
//===----------------------------------------------------------------------===//

RegionKind ChipOp::getRegionKind(unsigned) { return RegionKind::Graph; }

LogicalResult ChipOp::verify() {
  if (static_cast<int64_t>(getDuration()) <= 0)
    return emitOpError("duration must be positive, got ") << getDuration();
  int64_t maxTicks = (int64_t(1) << getTarget().getTimeBits()) - 1;
  if (static_cast<int64_t>(getDuration()) > maxTicks)
    return emitOpError("duration of ")
           << getDuration() << " ticks does not fit "
           << getTarget().getTimeBits() << " time bits (at most " << maxTicks
           << ")";
  return success();
}

LogicalResult ChipOp::verifyRegions() {
  llvm::DenseMap<int64_t, CoreOp> cores;
  bool hasReadout = false;
  for (Operation &op : getBody().front()) {
    if (auto core = dyn_cast<CoreOp>(op)) {
      auto [it, inserted] = cores.try_emplace(core.getIndex(), core);
      if (!inserted)
        return core.emitOpError("core ")
               << core.getIndex() << " is defined twice";
    }
    if (auto block = dyn_cast<NeuronBlockOp>(op))
      hasReadout |= block.getPopulation() == getReadout();
  }
  if (!hasReadout)
    return emitOpError("readout population '")
           << getReadout() << "' has no neuron block";
  return success();
}

//===----------------------------------------------------------------------===//
// CoreOp
//===----------------------------------------------------------------------===//

LogicalResult CoreOp::verify() {
  runtime::NCoreTarget target = targetOf(*this);
  int64_t index = static_cast<int64_t>(getIndex());
  if (index < 0 || index >= target.cores)
    return emitOpError("core index ") << getIndex() << " is outside the chip's "
                                      << target.cores << " cores";
  if (static_cast<int64_t>(getX()) != target.coreX(index) ||
      static_cast<int64_t>(getY()) != target.coreY(index))
    return emitOpError("core ")
           << getIndex() << " sits at (" << target.coreX(getIndex()) << ", "
           << target.coreY(getIndex()) << ") on a " << target.meshX << "x"
           << target.meshY << " mesh, not (" << getX() << ", " << getY() << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// NeuronBlockOp
//===----------------------------------------------------------------------===//

CoreOp NeuronBlockOp::getCoreOp() { return getCore().getDefiningOp<CoreOp>(); }

LogicalResult NeuronBlockOp::verify() {
  if (static_cast<int64_t>(getOffset()) < 0)
    return emitOpError("offset must be non-negative, got ") << getOffset();
  if (static_cast<int64_t>(getSize()) <= 0)
    return emitOpError("size must be positive, got ") << getSize();
  if (!getCoreOp())
    return emitOpError("core must be defined by an ncore.core");

  bool isSource = getKind() == NeuronKind::source;
  bool hasDynamics = getTauMem() || getTauSyn() || getThreshold() ||
                     getReset() || getRefractory() || getStateLsb();
  if (isSource) {
    if (hasDynamics)
      return emitOpError("a source block has no neuron parameters");
    return success();
  }
  if (!getTauMem() || !getTauSyn() || !getStateLsb() || !getReset() ||
      !getRefractory())
    return emitOpError("a ")
           << stringifyNeuronKind(getKind())
           << " block needs tau_mem, tau_syn, reset, refractory and state_lsb";
  if (getTauMem()->convertToDouble() <= 0 ||
      getTauSyn()->convertToDouble() <= 0)
    return emitOpError("time constants must be positive");
  if (getStateLsb()->convertToDouble() <= 0)
    return emitOpError("state_lsb must be positive, got ")
           << getStateLsb()->convertToDouble();
  if (static_cast<int32_t>(*getRefractory()) < 0)
    return emitOpError("refractory must be non-negative, got ")
           << *getRefractory();

  bool isLIF = getKind() == NeuronKind::lif;
  if (isLIF != getThreshold().has_value())
    return emitOpError(isLIF ? "a lif block needs thresholds"
                             : "an li block has no thresholds");
  if (!isLIF)
    return success();
  ArrayRef<int32_t> thresholds = *getThreshold();
  if (static_cast<int64_t>(thresholds.size()) != getSize())
    return emitOpError("threshold has ")
           << thresholds.size() << " values for " << getSize() << " neurons";
  int64_t stateMax = (int64_t(1) << (targetOf(*this).stateBits - 1)) - 1;
  for (int32_t threshold : thresholds)
    if (threshold <= 0 || threshold > stateMax)
      return emitOpError("threshold ")
             << threshold << " is outside (0, " << stateMax << "]";
  return success();
}

//===----------------------------------------------------------------------===//
// SynapseTableOp
//===----------------------------------------------------------------------===//

NeuronBlockOp SynapseTableOp::getPreBlock() {
  return getPre().getDefiningOp<NeuronBlockOp>();
}

NeuronBlockOp SynapseTableOp::getPostBlock() {
  return getPost().getDefiningOp<NeuronBlockOp>();
}

/// Checks that `values` has shape [rows, columns] and lies in [low, high].
static LogicalResult checkTable(Operation *op, StringRef what,
                                DenseIntElementsAttr values, int64_t rows,
                                int64_t columns, int64_t low, int64_t high) {
  auto type = cast<ShapedType>(values.getType());
  if (type.getRank() != 2 || type.getDimSize(0) != rows ||
      type.getDimSize(1) != columns)
    return op->emitOpError(what) << " must be a " << rows << "x" << columns
                                 << " tensor, got " << type;
  for (const APInt &value : values.getValues<APInt>()) {
    int64_t number = value.getSExtValue();
    if (number < low || number > high)
      return op->emitOpError(what) << " value " << number << " is outside ["
                                   << low << ", " << high << "]";
  }
  return success();
}

LogicalResult SynapseTableOp::verify() {
  NeuronBlockOp pre = getPreBlock();
  NeuronBlockOp post = getPostBlock();
  if (!pre || !post)
    return emitOpError("pre and post must be defined by ncore.neuron_block");
  if (pre.getKind() == NeuronKind::li)
    return emitOpError("an li block never spikes, so it has no synapses");
  if (post.getKind() == NeuronKind::source)
    return emitOpError("a source block receives no synapses");
  if (static_cast<int64_t>(getScale()) <= 0)
    return emitOpError("scale must be positive, got ") << getScale();

  runtime::NCoreTarget target = targetOf(*this);
  int64_t weightMax = (int64_t(1) << (target.weightBits - 1)) - 1;
  if (failed(checkTable(*this, "weights",
                        cast<DenseIntElementsAttr>(getWeights()),
                        post.getSize(), pre.getSize(), -weightMax, weightMax)))
    return failure();
  if (!getDelays())
    return success();
  int64_t delayMax = (int64_t(1) << target.delayBits) - 1;
  return checkTable(*this, "delays", cast<DenseIntElementsAttr>(*getDelays()),
                    post.getSize(), pre.getSize(), 0, delayMax);
}

//===----------------------------------------------------------------------===//
// RouteOp
//===----------------------------------------------------------------------===//

LogicalResult RouteOp::verify() {
  auto pre = getPre().getDefiningOp<NeuronBlockOp>();
  auto post = getPost().getDefiningOp<NeuronBlockOp>();
  if (!pre || !post)
    return emitOpError("pre and post must be defined by ncore.neuron_block");
  CoreOp from = pre.getCoreOp();
  CoreOp to = post.getCoreOp();
  if (!from || !to)
    return success();
  int64_t hops = std::abs(static_cast<int64_t>(from.getX() - to.getX())) +
                 std::abs(static_cast<int64_t>(from.getY() - to.getY()));
  if (static_cast<int64_t>(getHops()) != hops)
    return emitOpError("route from core ")
           << from.getIndex() << " to core " << to.getIndex() << " takes "
           << hops << " hops, not " << getHops();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/NCore/NCoreOps.cpp.inc"
