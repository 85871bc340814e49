//===- EVDialect.td - The ev dialect -----------------------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_EV_EVDIALECT_TD
#define SNNC_DIALECTS_EV_EVDIALECT_TD

include "mlir/IR/OpBase.td"

def EV_Dialect : Dialect {
  let name = "ev";
  let cppNamespace = "::snnc::ev";
  let summary = "Event kernels of the exact event-driven method";
  let description = [{
    The `ev` dialect holds the scalar building blocks of exact event-driven
    simulation and its adjoint, with the neuron time constants folded in as
    attributes: the closed-form propagator of a LIF neuron over an interval,
    the threshold-crossing solve, the adjoint jump at a recorded spike, the
    fan-out of a spike to a row of synapses and the accumulation of
    gradients. `convert-snn-to-ev` builds one `func.func` kernel per
    population and projection out of these ops, specialised to the sizes
    and constants of one network; `convert-ev-to-llvm` lowers them through
    `scf`, `arith`, `math`, `memref` and `func` to the LLVM dialect.

    Times are in milliseconds.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

class EV_Op<string mnemonic, list<Trait> traits = []>
    : Op<EV_Dialect, mnemonic, traits>;

#endif // SNNC_DIALECTS_EV_EVDIALECT_TD
