//===- NCoreAttrs.td - Attributes of the ncore dialect -----*- tablegen -*-===//

#ifndef SNNC_DIALECTS_NCORE_NCOREATTRS_TD
#define SNNC_DIALECTS_NCORE_NCOREATTRS_TD

include "NCoreDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NCore_TargetAttr : AttrDef<NCore_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "a neuromorphic chip: a named preset with overrides";
  let description = [{
    Describes the chip a network is mapped onto. It names a preset and
    overrides any of its fields:

    ```mlir
    #ncore.target<"loihi">
    #ncore.target<"loihi", cores = 16, mesh_x = 4, mesh_y = 4>
    ```

    | field | meaning |
    |---|---|
    | `cores`, `mesh_x`, `mesh_y` | number of cores; core k sits at (k mod mesh_x, k div mesh_x) |
    | `neurons_per_core` | neurons (including input relays) one core simulates |
    | `synapse_bytes` | synapse memory of one core, in bytes |
    | `fan_in`, `fan_out` | input and output axons of one core |
    | `weight_bits`, `delay_bits`, `state_bits`, `time_bits` | widths of the fixed-point numbers |
    | `time_step` | one tick in milliseconds |
    | `synaptic_op_pj`, `neuron_update_pj`, `spike_message_pj`, `hop_pj`, `learning_update_pj` | energy per operation, picojoules |

    The printer lists only the fields that differ from the preset. The
    presets and the sources of their numbers are in docs/ncore.md.
  }];
  let parameters = (ins
    StringRefParameter<"the preset the description starts from">:$preset,
    "int64_t":$cores, "int64_t":$meshX, "int64_t":$meshY,
    "int64_t":$neuronsPerCore, "int64_t":$synapseBytes,
    "int64_t":$fanIn, "int64_t":$fanOut,
    "int64_t":$weightBits, "int64_t":$delayBits, "int64_t":$stateBits,
    "int64_t":$timeBits, APFloatParameter<"">:$timeStepMs,
    APFloatParameter<"">:$synapticOpPj, APFloatParameter<"">:$neuronUpdatePj,
    APFloatParameter<"">:$spikeMessagePj, APFloatParameter<"">:$hopPj,
    APFloatParameter<"">:$learningUpdatePj);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The plain description the runtime and the image use.
    ::snnc::runtime::NCoreTarget getDescription() const;
    static TargetAttr get(::mlir::MLIRContext *context,
                          const ::snnc::runtime::NCoreTarget &target);
    /// The attribute of preset `name` without overrides, or null.
    static TargetAttr getPreset(::mlir::MLIRContext *context,
                                ::llvm::StringRef name);
  }];
}

def NCore_NeuronKindSource : I32EnumAttrCase<"source", 0>;
def NCore_NeuronKindLIF : I32EnumAttrCase<"lif", 1>;
def NCore_NeuronKindLI : I32EnumAttrCase<"li", 2>;
def NCore_NeuronKind : I32EnumAttr<"NeuronKind",
    "what the neurons of a block are",
    [NCore_NeuronKindSource, NCore_NeuronKindLIF, NCore_NeuronKindLI]> {
  let cppNamespace = "::snnc::ncore";
}

def NCore_ReadoutTTFS : I32EnumAttrCase<"ttfs", 0>;
def NCore_ReadoutMaxVoltage : I32EnumAttrCase<"max_voltage", 1>;
def NCore_ReadoutKind : I32EnumAttr<"ReadoutKind",
    "how the class of a sample is read from the output population",
    [NCore_ReadoutTTFS, NCore_ReadoutMaxVoltage]> {
  let cppNamespace = "::snnc::ncore";
}

#endif // SNNC_DIALECTS_NCORE_NCOREATTRS_TD
