//===- SNNDialect.td - The snn dialect ---------------------*- tablegen -*-===//
//
// Network-level description of spiking neural networks.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_DIALECTS_SNN_SNNDIALECT_TD
#define SNNC_DIALECTS_SNN_SNNDIALECT_TD

include "mlir/IR/OpBase.td"

def SNN_Dialect : Dialect {
  let name = "snn";
  let cppNamespace = "::snnc::snn";
  let summary = "Spiking neural networks and their event-driven adjoint";
  let description = [{
    The `snn` dialect describes a spiking neural network at the level a
    modeller thinks in: spike sources, populations of current-based leaky
    integrate-and-fire (LIF) neurons and leaky-integrator (LI) readouts, dense
    projections between them with per-synapse weights and transmission
    delays, and the loss the network is trained on.

    Every time in the dialect is in milliseconds. Parameters are dense
    `f64` tensors (inline `dense<...>` or `dense_resource<...>` blobs, which
    keep large trained models readable and round-trip bit-exactly) and each
    op says which of its parameters are learnable.

    A network lives in an `snn.network` symbol whose body is a graph region:
    a projection may refer to a population defined after it, which is how
    recurrent networks are written.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = [];
}

class SNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<SNN_Dialect, mnemonic, traits>;

#endif // SNNC_DIALECTS_SNN_SNNDIALECT_TD
