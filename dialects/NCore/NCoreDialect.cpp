//===- NCoreDialect.cpp - The ncore dialect and its target attribute ------===//

#include "dialects/NCore/NCoreDialect.h"
#include "dialects/NCore/NCoreOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

#include "dialects/NCore/NCoreDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/NCore/NCoreAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/NCore/NCoreTypes.cpp.inc"

#include "dialects/NCore/NCoreEnums.cpp.inc"

void NCoreDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/NCore/NCoreOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/NCore/NCoreTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/NCore/NCoreAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

namespace {
/// A field of the target as it is spelled in the attribute.
struct IntegerField {
  const char *key;
  int64_t runtime::NCoreTarget::*member;
};
struct RealField {
  const char *key;
  double runtime::NCoreTarget::*member;
};
} // namespace

static const IntegerField integerFields[] = {
    {"cores", &runtime::NCoreTarget::cores},
    {"mesh_x", &runtime::NCoreTarget::meshX},
    {"mesh_y", &runtime::NCoreTarget::meshY},
    {"neurons_per_core", &runtime::NCoreTarget::neuronsPerCore},
    {"synapse_bytes", &runtime::NCoreTarget::synapseBytesPerCore},
    {"fan_in", &runtime::NCoreTarget::fanIn},
    {"fan_out", &runtime::NCoreTarget::fanOut},
    {"weight_bits", &runtime::NCoreTarget::weightBits},
    {"delay_bits", &runtime::NCoreTarget::delayBits},
    {"state_bits", &runtime::NCoreTarget::stateBits},
    {"time_bits", &runtime::NCoreTarget::timeBits},
};

static const RealField realFields[] = {
    {"time_step", &runtime::NCoreTarget::timeStepMs},
    {"synaptic_op_pj", &runtime::NCoreTarget::synapticOpPj},
    {"neuron_update_pj", &runtime::NCoreTarget::neuronUpdatePj},
    {"spike_message_pj", &runtime::NCoreTarget::spikeMessagePj},
    {"hop_pj", &runtime::NCoreTarget::hopPj},
    {"learning_update_pj", &runtime::NCoreTarget::learningUpdatePj},
};

runtime::NCoreTarget TargetAttr::getDescription() const {
  runtime::NCoreTarget target;
  target.preset = getPreset().str();
  target.cores = getCores();
  target.meshX = getMeshX();
  target.meshY = getMeshY();
  target.neuronsPerCore = getNeuronsPerCore();
  target.synapseBytesPerCore = getSynapseBytes();
  target.fanIn = getFanIn();
  target.fanOut = getFanOut();
  target.weightBits = getWeightBits();
  target.delayBits = getDelayBits();
  target.stateBits = getStateBits();
  target.timeBits = getTimeBits();
  target.timeStepMs = getTimeStepMs().convertToDouble();
  target.synapticOpPj = getSynapticOpPj().convertToDouble();
  target.neuronUpdatePj = getNeuronUpdatePj().convertToDouble();
  target.spikeMessagePj = getSpikeMessagePj().convertToDouble();
  target.hopPj = getHopPj().convertToDouble();
  target.learningUpdatePj = getLearningUpdatePj().convertToDouble();
  return target;
}

TargetAttr TargetAttr::get(MLIRContext *context,
                           const runtime::NCoreTarget &target) {
  return get(context, target.preset, target.cores, target.meshX, target.meshY,
             target.neuronsPerCore, target.synapseBytesPerCore, target.fanIn,
             target.fanOut, target.weightBits, target.delayBits,
             target.stateBits, target.timeBits, APFloat(target.timeStepMs),
             APFloat(target.synapticOpPj), APFloat(target.neuronUpdatePj),
             APFloat(target.spikeMessagePj), APFloat(target.hopPj),
             APFloat(target.learningUpdatePj));
}

TargetAttr TargetAttr::getPreset(MLIRContext *context, StringRef name) {
  runtime::NCoreTarget target;
  if (!runtime::ncoreTargetPreset(name.str(), target))
    return nullptr;
  return get(context, target);
}

LogicalResult TargetAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef preset,
    int64_t cores, int64_t meshX, int64_t meshY, int64_t neuronsPerCore,
    int64_t synapseBytes, int64_t fanIn, int64_t fanOut, int64_t weightBits,
    int64_t delayBits, int64_t stateBits, int64_t timeBits, APFloat timeStepMs,
    APFloat synapticOpPj, APFloat neuronUpdatePj, APFloat spikeMessagePj,
    APFloat hopPj, APFloat learningUpdatePj) {
  runtime::NCoreTarget known;
  if (!runtime::ncoreTargetPreset(preset.str(), known))
    return emitError() << "unknown ncore target preset '" << preset
                       << "'; expected one of: "
                       << llvm::join(runtime::ncoreTargetPresetNames(), ", ");
  runtime::NCoreTarget target{preset.str(),
                              cores,
                              meshX,
                              meshY,
                              neuronsPerCore,
                              synapseBytes,
                              fanIn,
                              fanOut,
                              weightBits,
                              delayBits,
                              stateBits,
                              timeBits,
                              timeStepMs.convertToDouble(),
                              synapticOpPj.convertToDouble(),
                              neuronUpdatePj.convertToDouble(),
                              spikeMessagePj.convertToDouble(),
                              hopPj.convertToDouble(),
                              learningUpdatePj.convertToDouble()};
  std::string error = target.validate();
  if (!error.empty())
    return emitError() << "ncore target: " << error;
  return success();
}

Attribute TargetAttr::parse(AsmParser &parser, Type) {
  std::string preset;
  if (parser.parseLess() || parser.parseString(&preset))
    return nullptr;
  runtime::NCoreTarget target;
  if (!runtime::ncoreTargetPreset(preset, target)) {
    parser.emitError(parser.getCurrentLocation())
        << "unknown ncore target preset '" << preset << "'; expected one of: "
        << llvm::join(runtime::ncoreTargetPresetNames(), ", ");
    return nullptr;
  }

  // Every override is `key = value`; a key names one field of the target.
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    std::string key;
    if (parser.parseKeywordOrString(&key) || parser.parseEqual())
      return nullptr;
    bool known = false;
    for (const IntegerField &field : integerFields) {
      if (key != field.key)
        continue;
      if (parser.parseInteger(target.*field.member))
        return nullptr;
      known = true;
    }
    for (const RealField &field : realFields) {
      if (key != field.key)
        continue;
      if (parser.parseFloat(target.*field.member))
        return nullptr;
      known = true;
    }
    if (!known) {
      parser.emitError(keyLoc) << "unknown ncore target field '" << key << "'";
      return nullptr;
    }
  }
  if (parser.parseGreater())
    return nullptr;
  return getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), target.preset, target.cores, target.meshX,
      target.meshY, target.neuronsPerCore, target.synapseBytesPerCore,
      target.fanIn, target.fanOut, target.weightBits, target.delayBits,
      target.stateBits, target.timeBits, APFloat(target.timeStepMs),
      APFloat(target.synapticOpPj), APFloat(target.neuronUpdatePj),
      APFloat(target.spikeMessagePj), APFloat(target.hopPj),
      APFloat(target.learningUpdatePj));
}

void TargetAttr::print(AsmPrinter &printer) const {
  // Only what differs from the preset, so a plain preset reads as its name.
  runtime::NCoreTarget target = getDescription();
  runtime::NCoreTarget preset;
  runtime::ncoreTargetPreset(target.preset, preset);
  printer << "<\"" << target.preset << "\"";
  for (const IntegerField &field : integerFields)
    if (target.*field.member != preset.*field.member)
      printer << ", " << field.key << " = " << target.*field.member;
  for (const RealField &field : realFields)
    if (target.*field.member != preset.*field.member) {
      printer << ", " << field.key << " = ";
      printer.printFloat(llvm::APFloat(target.*field.member));
    }
  printer << ">";
}
