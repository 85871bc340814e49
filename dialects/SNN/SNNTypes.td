//===- SNNTypes.td - Types of the snn dialect --------------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_SNN_SNNTYPES_TD
#define SNNC_DIALECTS_SNN_SNNTYPES_TD

include "SNNDialect.td"
include "mlir/IR/AttrTypeBase.td"

class SNN_PopulationType<string name, string typeMnemonic, string what>
    : TypeDef<SNN_Dialect, name> {
  let mnemonic = typeMnemonic;
  let summary = what # " of a given size";
  let parameters = (ins "int64_t":$size);
  let assemblyFormat = "`<` $size `>`";
  let genVerifyDecl = 1;
}

def SNN_SourceType : SNN_PopulationType<"Source", "source",
                                        "spike source channels"> {
  let description = [{
    The value of an `snn.source`: `size` input channels whose spikes are
    supplied by the runtime for each sample.
  }];
}

def SNN_LIFType : SNN_PopulationType<"LIF", "lif",
                                     "population of LIF neurons"> {
  let description = [{
    The value of an `snn.lif`: `size` current-based leaky integrate-and-fire
    neurons.
  }];
}

def SNN_LIType : SNN_PopulationType<"LI", "li",
                                    "population of LI readout neurons"> {
  let description = [{
    The value of an `snn.li`: `size` leaky-integrator readout neurons, which
    integrate like LIF neurons but never spike.
  }];
}

def SNN_AdjointType : SNN_PopulationType<"Adjoint", "adjoint",
                                         "adjoint state of a population"> {
  let description = [{
    The value of an adjoint population: for each of `size` neurons the
    adjoint variables (lambda_V, lambda_I), integrated backward in time from
    the end of the simulated interval.
  }];
}

/// Anything that emits spikes: the presynaptic end of a projection.
def SNN_SpikingType : AnyTypeOf<[SNN_SourceType, SNN_LIFType],
                                "spike source or lif population">;
/// Anything that integrates input: the postsynaptic end of a projection.
def SNN_IntegratingType : AnyTypeOf<[SNN_LIFType, SNN_LIType],
                                    "lif or li population">;

#endif // SNNC_DIALECTS_SNN_SNNTYPES_TD
