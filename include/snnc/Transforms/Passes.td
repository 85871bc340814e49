//===- Passes.td - snnc transformations --------------------*- tablegen -*-===//

#ifndef SNNC_TRANSFORMS_PASSES_TD
#define SNNC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SNNDeriveAdjoint : Pass<"snn-derive-adjoint", "snnc::snn::NetworkOp"> {
  let summary = "make the event-driven backward pass explicit in IR";
  let description = [{
    Adds to each `snn.network` the adjoint of the parts the gradients need:
    an `snn.adjoint_lif` or `snn.adjoint_li` per population whose adjoint
    state carries an error toward a learnable parameter, an
    `snn.adjoint_project` per projection that accumulates a gradient or
    passes an error on to its presynaptic population, and the
    `snn.adjoint_loss` that injects the loss's errors.

    A population gets an adjoint when it reaches the loss population
    through projections and a learnable parameter lies at it or upstream of
    it; everything else is pruned, so a network learning only its last
    layer propagates no error through the earlier ones.

    Before:

    ```mlir
    %in = snn.source "in" : !snn.source<5>
    %hid = snn.lif "hid" ... learn <threshold> : !snn.lif<120>
    %out = snn.lif "out" ... : !snn.lif<3>
    snn.project "in_hid" %in -> %hid weight(...) learn <weight> : ...
    snn.project "hid_out" %hid -> %out weight(...) learn <weight> : ...
    snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<3>
    ```

    After, appended to the same network:

    ```mlir
    %hid_adj = snn.adjoint_lif %hid grad <threshold>
        : !snn.lif<120> -> !snn.adjoint<120>
    %out_adj = snn.adjoint_lif %out : !snn.lif<3> -> !snn.adjoint<3>
    snn.adjoint_project "in_hid" %hid_adj grad <weight>
        : !snn.adjoint<120>
    snn.adjoint_project "hid_out" %out_adj -> %hid_adj grad <weight>
        : !snn.adjoint<3> -> !snn.adjoint<120>
    snn.adjoint_loss %out_adj : !snn.adjoint<3>
    ```

    A network that already holds adjoint ops is left alone; one with
    learnable parameters but no loss is rejected by the verifier before
    this pass runs.
  }];
  let statistics = [
    Statistic<"numAdjointPopulations", "adjoint-populations",
              "Adjoint populations created">,
    Statistic<"numAdjointProjections", "adjoint-projections",
              "Adjoint projections created">,
    Statistic<"numPrunedPopulations", "pruned-populations",
              "Populations that need no adjoint">
  ];
}

def SNNInstrumentTraffic : Pass<"snn-instrument-traffic", "mlir::ModuleOp"> {
  let summary = "make compiled kernels count their own memory traffic";
  let description = [{
    Gives every kernel (a `func.func` with an `snn.kernel` attribute, as
    `convert-snn-to-ev` and `convert-snn-to-timestep` build them) a last
    argument `memref<36xi64>` of byte counters and, in front of every
    memory access, an increment of the counter of the access's memory
    class and phase (DESIGN.md section 4) by the bytes it moves. The
    counting is done by the kernel as it runs, never estimated afterwards.

    The counter of direction `d` (0 read, 1 written), phase `p` (0
    forward, 1 backward, 2 update) and class `c` (0 synapse, 1 state,
    2 record, 3 queue, 4 grad, 5 noc) is entry `18 d + 6 p + c`: the
    layout of `runtime::TrafficCounters`' `bytesRead` followed by its
    `bytesWritten`, so a host passes `&counters.bytesRead[0][0]`.

    - The phase comes from the kernel kind: `propagator`, `advance`,
      `crossing`, `fanout`, `step`, `record` and `deliver` are forward;
      `adjoint_jump`, `weight_grad`, `backward_step` and
      `backward_deliver` are backward. No kernel runs in the update phase.
    - The class comes from the memref the access goes through: an
      argument's `snn.memory` attribute, a constant global's `snn.memory`
      attribute, or, for the event kernels, their ABI (weights are
      synapse, voltages, currents, adjoints and propagator output state,
      gradients grad).
    - `memref.load` reads and `memref.store` writes one element (f64 and
      index 8 bytes, i32 4, i8 1). `ev.fanout` reads a column of weights
      and reads and writes a row of currents, `ev.accumulate` reads a row
      of adjoints and reads and writes a column of gradients, 8 bytes per
      target each; the increments go in front of the op, so it lowers to
      LLVM unchanged.

    Before:

    ```mlir
    func.func @net_in_out_fanout(%w: memref<3x2xf64>, %pre: index,
        %current: memref<3xf64>) attributes {snn.kernel = "fanout"} {
      ev.fanout %w[%pre] into %current : memref<3x2xf64>, memref<3xf64>
      return
    }
    ```

    After (one of the three increments shown):

    ```mlir
    func.func @net_in_out_fanout(%w: memref<3x2xf64>, %pre: index,
        %current: memref<3xf64>,
        %counters: memref<36xi64> {snn.traffic_counters})
        attributes {snn.kernel = "fanout"} {
      %c0 = arith.constant 0 : index
      %old = memref.load %counters[%c0] : memref<36xi64>
      %bytes = arith.constant 24 : i64
      %new = arith.addi %old, %bytes : i64
      memref.store %new, %counters[%c0] : memref<36xi64>
      ...
      ev.fanout %w[%pre] into %current : memref<3x2xf64>, memref<3xf64>
      return
    }
    ```

    A kernel that already has a counters argument is left alone; an
    access whose memory class cannot be told, or an unknown kernel kind,
    is an error.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect"
  ];
  let statistics = [
    Statistic<"numKernels", "kernels", "Kernels instrumented">,
    Statistic<"numIncrements", "increments", "Counter increments inserted">
  ];
}

#endif // SNNC_TRANSFORMS_PASSES_TD
