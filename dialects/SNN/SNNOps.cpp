//===- SNNOps.cpp - Operations of the snn dialect -------------------------===//

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace snnc::snn;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A number as diagnostics print it: shortest form, `nan` and `inf` spelled.
static std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", value);
  return text;
}

/// An index into a tensor of `shape`, printed as `[j, i]`.
static std::string formatIndex(ArrayRef<int64_t> shape, int64_t flat) {
  SmallVector<int64_t> index(shape.size());
  for (int64_t dim = shape.size() - 1; dim >= 0; --dim) {
    index[dim] = flat % shape[dim];
    flat /= shape[dim];
  }
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(index, os);
  os << "]";
  return text;
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

LogicalResult snnc::snn::getF64Values(ElementsAttr attr,
                                      SmallVectorImpl<double> &values) {
  values.clear();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto range = dense.getValues<double>();
    values.append(range.begin(), range.end());
    return success();
  }
  if (auto resource = dyn_cast<DenseF64ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<double>> data = resource.tryGetAsArrayRef();
    if (!data)
      return failure();
    if (static_cast<int64_t>(data->size()) != resource.getNumElements())
      return failure();
    values.append(data->begin(), data->end());
    return success();
  }
  return failure();
}

LogicalResult
snnc::snn::getScalarOrTensorValues(Attribute attr, int64_t count,
                                   SmallVectorImpl<double> &values) {
  if (auto scalar = dyn_cast<FloatAttr>(attr)) {
    values.assign(count, scalar.getValueAsDouble());
    return success();
  }
  if (auto tensor = dyn_cast<ElementsAttr>(attr))
    return getF64Values(tensor, values);
  return failure();
}

/// Checks that a time constant or duration is positive and finite.
static LogicalResult verifyPositive(Operation *op, StringRef field,
                                    double value) {
  if (!std::isfinite(value) || value <= 0)
    return op->emitOpError() << field << " must be positive and finite, got "
                             << formatNumber(value);
  return success();
}

/// Checks that a scalar is finite and not negative.
static LogicalResult verifyNonNegative(Operation *op, StringRef field,
                                       double value) {
  if (!std::isfinite(value) || value < 0)
    return op->emitOpError()
           << field << " must be non-negative and finite, got "
           << formatNumber(value);
  return success();
}

/// Reads a parameter tensor, reporting a missing resource blob.
static LogicalResult readTensor(Operation *op, StringRef field,
                                ElementsAttr attr,
                                SmallVectorImpl<double> &values) {
  if (succeeded(getF64Values(attr, values)))
    return success();
  return op->emitOpError() << field
                           << " has no readable data (missing or truncated "
                              "resource blob?)";
}

/// Checks every element of a parameter tensor with `isValid`, naming the
/// first offending element.
static LogicalResult verifyElements(Operation *op, StringRef field,
                                    ArrayRef<int64_t> shape,
                                    ArrayRef<double> values,
                                    StringRef requirement,
                                    llvm::function_ref<bool(double)> isValid) {
  for (auto [flat, value] : llvm::enumerate(values)) {
    if (isValid(value))
      continue;
    InFlightDiagnostic diag = op->emitOpError() << field;
    if (!shape.empty())
      diag << formatIndex(shape, flat);
    return diag << " must be " << requirement << ", got "
                << formatNumber(value);
  }
  return success();
}

static bool isFinite(double value) { return std::isfinite(value); }

/// Rejects learn flags that name a parameter `op` does not have.
static LogicalResult verifyLearnFlags(Operation *op,
                                      std::optional<LearnFlags> flags,
                                      LearnFlags allowed, StringRef kind) {
  if (!flags)
    return success();
  LearnFlags extra = *flags & ~allowed;
  if (static_cast<uint32_t>(extra) == 0)
    return success();
  return op->emitOpError() << "cannot learn '" << stringifyLearnFlags(extra)
                           << "': a " << kind << " learns only '"
                           << stringifyLearnFlags(allowed) << "'";
}

/// The user-visible name of a network member, or an empty string.
static StringRef getMemberName(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("name"))
    return name.getValue();
  return {};
}

static int64_t getPopulationSize(Type type) {
  if (auto source = dyn_cast<SourceType>(type))
    return source.getSize();
  if (auto lif = dyn_cast<LIFType>(type))
    return lif.getSize();
  return cast<LIType>(type).getSize();
}

/// Prints a population type with its dialect prefix (`!snn.lif<3>`), which
/// the declarative format would otherwise strip to a bare `<3>`.
static void printFullType(OpAsmPrinter &printer, Operation *, Type type) {
  printer.printType(type);
}

template <typename PopulationType>
static ParseResult parseFullType(OpAsmParser &parser, PopulationType &type) {
  return parser.parseType(type);
}

//===----------------------------------------------------------------------===//
// NetworkOp
//===----------------------------------------------------------------------===//

void NetworkOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                      double durationMs) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getDurationAttrName(state.name),
                     builder.getF64FloatAttr(durationMs));
  Region *body = state.addRegion();
  body->push_back(new Block());
}

RegionKind NetworkOp::getRegionKind(unsigned index) {
  return RegionKind::Graph;
}

Operation *NetworkOp::getLoss() {
  for (Operation &op : getBody().front())
    if (isa<TTFSLossOp, MaxVoltageLossOp>(op))
      return &op;
  return nullptr;
}

LogicalResult NetworkOp::verify() {
  return verifyPositive(*this, "duration", getDuration().convertToDouble());
}

LogicalResult NetworkOp::verifyRegions() {
  // Only snn ops describe a network; anything else has no meaning here.
  Block &body = getBody().front();
  for (Operation &op : body)
    if (!isa<SNNDialect>(op.getDialect()))
      return op.emitOpError("is not part of an snn network");

  // Names identify populations and projections in gradients, reports and
  // NIR files, so they must be unique within the network.
  llvm::StringMap<Operation *> firstUse;
  for (Operation &op : body) {
    StringRef name = getMemberName(&op);
    if (name.empty() && op.hasAttr("name"))
      return op.emitOpError("name must not be empty");
    if (name.empty())
      continue;
    auto [it, inserted] = firstUse.try_emplace(name, &op);
    if (!inserted) {
      InFlightDiagnostic diag = op.emitOpError()
                                << "duplicate name '" << name
                                << "' in network @" << getSymName();
      diag.attachNote(it->second->getLoc()) << "first used here";
      return diag;
    }
  }

  // One loss at most: the trainer and the adjoint need one objective.
  Operation *loss = nullptr;
  for (Operation &op : body) {
    if (!isa<TTFSLossOp, MaxVoltageLossOp>(op))
      continue;
    if (loss)
      return op.emitOpError() << "second loss in network @" << getSymName()
                              << "; a network has at most one";
    loss = &op;
  }

  // Learnable parameters are learned from a loss.
  if (loss)
    return success();
  for (Operation &op : body) {
    auto learn = op.getAttrOfType<LearnFlagsAttr>("learn");
    if (!learn || static_cast<uint32_t>(learn.getValue()) == 0)
      continue;
    return emitOpError() << "has learnable parameters ('"
                         << stringifyLearnFlags(learn.getValue()) << "' of '"
                         << getMemberName(&op) << "') but no loss";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Populations
//===----------------------------------------------------------------------===//

void SourceOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getOutput(), getName());
}

void LIFOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getOutput(), getName());
}

SmallVector<double> LIFOp::getThresholdValues() {
  SmallVector<double> values;
  (void)getScalarOrTensorValues(getThreshold(), getSize(), values);
  return values;
}

bool LIFOp::learnsThreshold() {
  return getLearn() && bitEnumContainsAll(*getLearn(), LearnFlags::threshold);
}

LogicalResult LIFOp::verify() {
  Operation *op = *this;
  if (failed(verifyPositive(op, "tau_mem", getTauMem().convertToDouble())) ||
      failed(verifyPositive(op, "tau_syn", getTauSyn().convertToDouble())))
    return failure();
  double reset = getReset().convertToDouble();
  if (!std::isfinite(reset))
    return emitOpError() << "reset must be finite, got " << formatNumber(reset);
  if (failed(verifyNonNegative(op, "refractory",
                               getRefractory().convertToDouble())))
    return failure();

  // A threshold is shared or per neuron, and lies above the reset value so
  // that a neuron cannot spike again the instant it was reset.
  SmallVector<double> thresholds;
  SmallVector<int64_t> shape;
  if (auto tensor = dyn_cast<ElementsAttr>(getThreshold())) {
    ArrayRef<int64_t> tensorShape = tensor.getShapedType().getShape();
    if (tensorShape.size() != 1 || tensorShape[0] != getSize())
      return emitOpError() << "threshold shape " << formatShape(tensorShape)
                           << " does not match the population size ["
                           << getSize() << "]";
    if (failed(readTensor(op, "threshold", tensor, thresholds)))
      return failure();
    shape.assign(tensorShape.begin(), tensorShape.end());
  } else {
    thresholds.push_back(cast<FloatAttr>(getThreshold()).getValueAsDouble());
  }
  std::string requirement = "finite and above reset " + formatNumber(reset);
  if (failed(verifyElements(
          op, "threshold", shape, thresholds, requirement,
          [&](double value) { return std::isfinite(value) && value > reset; })))
    return failure();

  return verifyLearnFlags(op, getLearn(), LearnFlags::threshold,
                          "lif population");
}

void LIOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getOutput(), getName());
}

LogicalResult LIOp::verify() {
  if (failed(verifyPositive(*this, "tau_mem", getTauMem().convertToDouble())))
    return failure();
  return verifyPositive(*this, "tau_syn", getTauSyn().convertToDouble());
}

//===----------------------------------------------------------------------===//
// ProjectOp
//===----------------------------------------------------------------------===//

int64_t ProjectOp::getPreSize() {
  return getPopulationSize(getPre().getType());
}

int64_t ProjectOp::getPostSize() {
  return getPopulationSize(getPost().getType());
}

bool ProjectOp::learnsWeight() {
  return getLearn() && bitEnumContainsAll(*getLearn(), LearnFlags::weight);
}

bool ProjectOp::learnsDelay() {
  return getLearn() && bitEnumContainsAll(*getLearn(), LearnFlags::delay);
}

LogicalResult ProjectOp::verify() {
  Operation *op = *this;
  SmallVector<int64_t> expected = {getPostSize(), getPreSize()};

  // Weights: one per (post, pre) pair, all finite.
  ArrayRef<int64_t> weightShape = getWeight().getShapedType().getShape();
  if (weightShape != ArrayRef<int64_t>(expected))
    return emitOpError() << "weight shape " << formatShape(weightShape)
                         << " does not match [post, pre] = "
                         << formatShape(expected);
  SmallVector<double> weights;
  if (failed(readTensor(op, "weight", getWeight(), weights)) ||
      failed(verifyElements(op, "weight", weightShape, weights, "finite",
                            isFinite)))
    return failure();

  // Delays: shared or per synapse, never negative.
  if (std::optional<Attribute> delay = getDelay()) {
    SmallVector<double> delays;
    SmallVector<int64_t> shape;
    if (auto tensor = dyn_cast<ElementsAttr>(*delay)) {
      ArrayRef<int64_t> delayShape = tensor.getShapedType().getShape();
      if (delayShape != ArrayRef<int64_t>(expected))
        return emitOpError()
               << "delay shape " << formatShape(delayShape)
               << " does not match [post, pre] = " << formatShape(expected);
      if (failed(readTensor(op, "delay", tensor, delays)))
        return failure();
      shape = expected;
    } else {
      delays.push_back(cast<FloatAttr>(*delay).getValueAsDouble());
    }
    if (failed(verifyElements(
            op, "delay", shape, delays, "non-negative and finite",
            [](double value) { return std::isfinite(value) && value >= 0; })))
      return failure();
  }

  return verifyLearnFlags(op, getLearn(),
                          LearnFlags::weight | LearnFlags::delay, "projection");
}

//===----------------------------------------------------------------------===//
// Adjoint ops
//===----------------------------------------------------------------------===//

/// Checks that the adjoint has one entry per neuron of its population.
static LogicalResult verifyAdjointSize(Operation *op, int64_t forwardSize,
                                       AdjointType adjoint) {
  if (adjoint.getSize() != forwardSize)
    return op->emitOpError()
           << "adjoint size " << adjoint.getSize()
           << " does not match the population size " << forwardSize;
  return success();
}

/// Gradients are only accumulated for parameters the forward op learns.
static LogicalResult verifyGradFlags(Operation *op,
                                     std::optional<LearnFlags> grad,
                                     std::optional<LearnFlags> learn,
                                     StringRef forwardName) {
  if (!grad)
    return success();
  LearnFlags learned = learn ? *learn : static_cast<LearnFlags>(0);
  LearnFlags extra = *grad & ~learned;
  if (static_cast<uint32_t>(extra) == 0)
    return success();
  return op->emitOpError() << "accumulates the gradient of '"
                           << stringifyLearnFlags(extra) << "' but '"
                           << forwardName << "' does not learn it";
}

LogicalResult AdjointLIFOp::verify() {
  auto forward = getPopulation().getDefiningOp<LIFOp>();
  if (!forward)
    return emitOpError("population must be defined by snn.lif");
  if (failed(
          verifyAdjointSize(*this, forward.getSize(), getAdjoint().getType())))
    return failure();
  return verifyGradFlags(*this, getGrad(), forward.getLearn(),
                         forward.getName());
}

LogicalResult AdjointLIOp::verify() {
  auto forward = getPopulation().getDefiningOp<LIOp>();
  if (!forward)
    return emitOpError("population must be defined by snn.li");
  return verifyAdjointSize(*this, forward.getSize(), getAdjoint().getType());
}

/// Names an adjoint after its forward population: `%hidden_adj`.
static void nameAdjoint(Value adjoint, Value population,
                        OpAsmSetValueNameFn setNameFn) {
  if (auto name = population.getDefiningOp()->getAttrOfType<StringAttr>("name"))
    setNameFn(adjoint, (name.getValue() + "_adj").str());
}

void AdjointLIFOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  nameAdjoint(getAdjoint(), getPopulation(), setNameFn);
}

void AdjointLIOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  nameAdjoint(getAdjoint(), getPopulation(), setNameFn);
}

ProjectOp AdjointProjectOp::getForward() {
  auto network = (*this)->getParentOfType<NetworkOp>();
  for (auto project : network.getBody().getOps<ProjectOp>())
    if (project.getName() == getProjection())
      return project;
  return nullptr;
}

LogicalResult AdjointProjectOp::verify() {
  ProjectOp forward = getForward();
  if (!forward)
    return emitOpError() << "no projection named '" << getProjection()
                         << "' in the network";
  if (failed(
          verifyAdjointSize(*this, forward.getPostSize(), getPost().getType())))
    return failure();
  if (Value pre = getPre()) {
    if (!isa<LIFType>(forward.getPre().getType()))
      return emitOpError() << "sends errors to the presynaptic end of '"
                           << getProjection()
                           << "', which is a source and has no adjoint";
    if (failed(verifyAdjointSize(*this, forward.getPreSize(),
                                 cast<AdjointType>(pre.getType()))))
      return failure();
  }
  return verifyGradFlags(*this, getGrad(), forward.getLearn(),
                         forward.getName());
}

LogicalResult AdjointLossOp::verify() {
  auto network = (*this)->getParentOfType<NetworkOp>();
  Operation *loss = network.getLoss();
  if (!loss)
    return emitOpError("the network has no loss");
  Value lossPopulation = loss->getOperand(0);
  Operation *adjointOf = getAdjoint().getDefiningOp();
  if (!adjointOf || !isa<AdjointLIFOp, AdjointLIOp>(adjointOf) ||
      adjointOf->getOperand(0) != lossPopulation)
    return emitOpError("adjoint must be the adjoint of the loss population");
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult TTFSLossOp::verify() {
  if (!isa<LIFType>(getPopulation().getType()))
    return emitOpError() << "population must be a lif population (it needs "
                            "spike times), got "
                         << getPopulation().getType();
  Operation *op = *this;
  if (failed(verifyPositive(op, "tau0", getTau0().convertToDouble())) ||
      failed(verifyPositive(op, "tau1", getTau1().convertToDouble())))
    return failure();
  return verifyNonNegative(op, "alpha", getAlpha().convertToDouble());
}

LogicalResult MaxVoltageLossOp::verify() {
  if (!isa<LIType>(getPopulation().getType()))
    return emitOpError() << "population must be an li readout (it needs a "
                            "voltage that does not reset), got "
                         << getPopulation().getType();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/SNN/SNNOps.cpp.inc"
