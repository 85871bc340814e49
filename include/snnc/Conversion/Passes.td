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

#endif // SNNC_CONVERSION_PASSES_TD
