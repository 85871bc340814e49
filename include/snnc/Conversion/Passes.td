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

def ConvertSNNToTimeStep : Pass<"convert-snn-to-timestep", "mlir::ModuleOp"> {
  let summary = "Build time-stepped surrogate-gradient BPTT kernels";
  let description = [{
    Replaces every `snn.network` by `func.func` kernels in `scf`, `arith`,
    `math` and `memref` that run it on a time grid of step `dt`
    milliseconds and train it by backpropagation through time with a
    surrogate gradient: the baseline of `docs/baseline.md`, from the same
    IR as the exact method. The discretisation is that of the runtime's
    executor (`runtime/TimeStep.cpp`), so the two agree step for step:

    - N = ceil(T / dt) steps, t_n = n dt. Each step decays the state with
      the *exact* propagator over dt (not forward Euler):
      `Vpre = a V + c I`, `I = b I`, with `a = e^{-dt/tau_mem}`,
      `b = e^{-dt/tau_syn}` and `c` the coupling term, computed at compile
      time by the runtime's own `propagatorFor` and folded in as constants.
    - The spike is the Heaviside step `S = Vpre >= theta`; `V` is reset
      to `reset` and, with a refractory period, clamped there for
      round(t_ref / dt) steps. The synaptic input of step n is added to
      `I` after the threshold test, by the projections' `deliver` kernels.
    - A delay d becomes round(d / dt) whole steps: the presynaptic spike of
      step n - D is read from a ring of the last `depth` steps' spikes,
      `depth` = 1 + the largest delay leaving the population, at slot
      `(n - D) mod depth`. Delays are not learnable on the grid.
    - The backward pass replaces dS/dV by the fast sigmoid
      `1 / (1 + slope |Vpre - theta|)^2` and detaches the reset. It reads
      back, per LIF neuron and step, the pre-reset voltage and a byte of
      flags (spike 1, refractory clamp 2) that the forward step stored
      at its step index, and accumulates the weight and threshold
      gradients of learnable parameters.

    For a network `@N` with LIF population `P` (n neurons, ring depth D),
    LI readout `Q`, source `S` (m channels) and projection `R` (m -> n):

    | kernel | kind | arguments |
    |---|---|---|
    | `@N_P_step` | `step` | `v, i: memref<nxf64>, spikes: memref<Dxnxi8>, threshold: memref<nxf64>, [clamp: memref<nxi32>], voltage_trace: memref<Nxnxf64>, flag_trace: memref<Nxnxi8>, step: index, training: i1` |
    | `@N_Q_step` | `step` | `v, i, max_v: memref<nxf64>, max_step: memref<nxi32>, step: index` |
    | `@N_S_record` | `record` | `spikes: memref<Dxmxi8>, flag_trace: memref<Nxmxi8>, step: index` |
    | `@N_R_deliver` | `deliver` | `w: memref<nxmxf64>, spikes: memref<Dxmxi8>, current: memref<nxf64>, step: index` |
    | `@N_P_backward_step` | `backward_step` | `av, ai: memref<nxf64>, adjoint_spikes: memref<Dxnxf64>, threshold, voltage_trace, flag_trace, [threshold_grad: memref<nxf64>], step` |
    | `@N_Q_backward_step` | `backward_step` | `av, ai: memref<nxf64>` |
    | `@N_R_backward_deliver` | `backward_deliver` | `w, ai_post, [adjoint_spikes_pre], [flag_trace_pre, weight_grad], step` |

    Every kernel carries `snn.kernel` (its kind) and every memref argument
    `snn.memory` (the memory class of DESIGN.md section 4 its accesses
    count under), which `snn-instrument-traffic` reads.

    What stays with the host, as in the runtime: binning input spikes into
    the sources' rings, the loss and its errors (written into the adjoint
    spike ring at the first-spike step, or into `av` of a readout at the
    step of its maximum), the spike limit per neuron, and the call order:
    forward, per step, every `step`, then every `record` and `deliver`;
    backward, per step from N - 1 down, every `backward_deliver` in
    reverse, then every `backward_step`. Backward kernels are built only
    for networks with a loss.

    ```mlir
    snn.network @net duration(10.0) {
      %in = snn.source "in" : !snn.source<2>
      %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
          : !snn.lif<3>
      snn.project "in_out" %in -> %out weight(...) learn <weight> : ...
      snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<3>
    }
    ```

    becomes, with `dt=0.5` (20 steps), `@net_out_step`,
    `@net_in_record`, `@net_in_out_deliver`, `@net_out_backward_step` and
    `@net_in_out_backward_deliver`, e.g.

    ```mlir
    func.func @net_out_step(%v: memref<3xf64> {snn.memory = "state"}, ...,
        %step: index, %training: i1) attributes {snn.kernel = "step"} {
      %a = arith.constant 0.97530991202833262 : f64
      ...
      scf.for %j = %c0 to %c3 step %c1 {
        %vpre = ... a v + c i ...
        %spike = arith.cmpf oge, %vpre, %theta : f64
        ...
        memref.store %vpre, %voltage_trace[%step, %j] : memref<20x3xf64>
      }
    }
    ```

    With `keep-network` the networks stay beside their kernels.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect"
  ];
  let options = [
    Option<"dtMs", "dt", "double", /*default=*/"0.5",
           "Step of the time grid in milliseconds">,
    Option<"surrogateSlope", "surrogate-slope", "double", /*default=*/"10.0",
           "Steepness of the fast-sigmoid surrogate, per unit of voltage">,
    Option<"keepNetwork", "keep-network", "bool", /*default=*/"false",
           "Leave the snn.network ops in the module beside their kernels">
  ];
  let statistics = [
    Statistic<"numKernels", "kernels", "Number of kernels built">
  ];
}

#endif // SNNC_CONVERSION_PASSES_TD
