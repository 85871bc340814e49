//===- SNNAttrs.td - Attributes of the snn dialect ---------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_SNN_SNNATTRS_TD
#define SNNC_DIALECTS_SNN_SNNATTRS_TD

include "SNNDialect.td"
include "mlir/IR/EnumAttr.td"

def SNN_LearnWeight : I32BitEnumAttrCaseBit<"weight", 0>;
def SNN_LearnDelay : I32BitEnumAttrCaseBit<"delay", 1>;
def SNN_LearnThreshold : I32BitEnumAttrCaseBit<"threshold", 2>;

def SNN_LearnFlags : I32BitEnumAttr<"LearnFlags",
    "which parameters of an op are learnable",
    [SNN_LearnWeight, SNN_LearnDelay, SNN_LearnThreshold]> {
  let cppNamespace = "::snnc::snn";
  let separator = ", ";
  let genSpecializedAttr = 0;
}

def SNN_LearnAttr : EnumAttr<SNN_Dialect, SNN_LearnFlags, "learn"> {
  let summary = "the learnable parameters of a population or projection";
  let assemblyFormat = "`<` $value `>`";
}

#endif // SNNC_DIALECTS_SNN_SNNATTRS_TD
