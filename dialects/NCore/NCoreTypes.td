//===- NCoreTypes.td - Types of the ncore dialect ----------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_NCORE_NCORETYPES_TD
#define SNNC_DIALECTS_NCORE_NCORETYPES_TD

include "NCoreDialect.td"
include "mlir/IR/AttrTypeBase.td"

def NCore_CoreType : TypeDef<NCore_Dialect, "Core"> {
  let mnemonic = "core";
  let summary = "a core of the chip";
  let description = [{
    The value of an `ncore.core`; neuron blocks name the core they run on.
  }];
}

def NCore_BlockType : TypeDef<NCore_Dialect, "Block"> {
  let mnemonic = "block";
  let summary = "a slice of a population placed on one core";
  let description = [{
    The value of an `ncore.neuron_block`; synapse tables and routes connect
    blocks.
  }];
}

#endif // SNNC_DIALECTS_NCORE_NCORETYPES_TD
