//===- Passes.td - Conversion passes of snnc ---------------*- tablegen -*-===//

#ifndef SNNC_CONVERSION_PASSES_TD
#define SNNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEVToLLVM : Pass<"convert-ev-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower ev kernels through scf, arith and math to LLVM";
  let description = [{
    Lowers the event kernels of one network to the LLVM dialect in two
    stages.

    First every `ev` op is rewritten into `arith`, `math`, `scf` and
    `memref` (`populateEVToStandardPatterns`). The time constants of an op
    become `arith.constant`s, together with every quantity derived from them
    alone (`1/tau_mem`, `1/tau_syn`, the rate gap and the coupling ratio).
    Whether `tau_mem == tau_syn` is decided at compile time, so only the
    branch of the propagator and of the extremum that applies is emitted.
    The crossing solve becomes an `scf.while` loop of safeguarded Newton
    steps inside a bracket, with the stopping rule of the runtime's
    `thresholdCrossingOffset`; fan-out and gradient accumulation become
    `scf.for` loops over the targets.

    Then the module is converted to the LLVM dialect with the upstream
    patterns (`scf` to `cf`; `arith`, `math`, `memref`, `func` and `cf` to
    `llvm`) and unrealized casts are reconciled. `math.expm1` and
    `math.log1p` become calls to libm, whose results are exact to an ulp,
    rather than `exp(x) - 1` and `log(1 + x)`.

    With the bare-pointer calling convention (the default) a kernel such as

    ```mlir
    func.func @net_hidden_propagator(%dt: f64, %out: memref<3xf64>) {
      %m, %s, %c = ev.propagator %dt tau_mem(20.0) tau_syn(5.0) : f64
      ...
    }
    ```

    becomes the C function `void net_hidden_propagator(double, double *)`.
    With `std-only` the pass stops after the first stage, which is how the
    tests read the structure of the lowered kernels.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::cf::ControlFlowDialect",
    "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect"
  ];
  let options = [
    Option<"barePtrMemrefCallConv", "bare-ptr-memref-call-conv", "bool",
           /*default=*/"true",
           "Pass a statically shaped memref argument as a plain pointer to "
           "its first element instead of a memref descriptor">,
    Option<"stdOnly", "std-only", "bool", /*default=*/"false",
           "Stop after rewriting ev ops into arith, math, scf and memref">
  ];
  let statistics = [
    Statistic<"numPropagators", "propagators",
              "Number of ev.propagator ops lowered">,
    Statistic<"numCrossings", "crossings",
              "Number of ev.crossing ops lowered">,
    Statistic<"numLoops", "loops",
              "Number of ev.fanout and ev.accumulate ops lowered">
  ];
}

def ConvertSNNToEV : Pass<"convert-snn-to-ev", "mlir::ModuleOp"> {
  let summary = "Build per-network event kernels from snn networks";
  let description = [{
    Replaces every `snn.network` of the module by `func.func` kernels built
    from `ev` ops and specialised to that network: its sizes become memref
    shapes and its time constants, reset values and synaptic time constants
    become attributes that `convert-ev-to-llvm` folds into constants. For a
    network `@N`, with populations and projections named as in the network:

    | kernel | signature (bare pointers) |
    |---|---|
    | `@N_P_propagator` | `(f64 dt, memref<3xf64> out)` |
    | `@N_P_advance` | `(memref<nxf64> v, memref<nxf64> i, f64 dt)` |
    | `@N_P_crossing` (LIF) | `(f64 v, f64 i, f64 theta, f64 horizon) -> f64` |
    | `@N_P_adjoint_jump` (LIF) | `(f64 after, f64 current, f64 theta, f64 fanout, f64 dldt) -> f64` |
    | `@N_R_fanout` | `(memref<nxmxf64> w, index pre, memref<nxf64> current)` |
    | `@N_R_weight_grad` | `(memref<nxf64> lambda_i, memref<nxmxf64> grad, index pre)` |

    The adjoint kernels are built only for what `snn-derive-adjoint` made
    explicit: a jump kernel per adjoint LIF population and a weight-gradient
    kernel per adjoint projection that accumulates `weight`. Parameters
    (weights, thresholds) stay arguments, since training changes them.

    With `keep-network` the networks stay in the module beside their
    kernels, for reading; the LLVM lowering needs them gone.
  }];
  let dependentDialects = [
    "snnc::ev::EVDialect",
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect"
  ];
  let options = [
    Option<"keepNetwork", "keep-network", "bool", /*default=*/"false",
           "Leave the snn.network ops in the module beside their kernels">
  ];
  let statistics = [
    Statistic<"numKernels", "kernels", "Number of kernels built">
  ];
}

#endif // SNNC_CONVERSION_PASSES_TD
