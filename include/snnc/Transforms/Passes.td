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

#endif // SNNC_TRANSFORMS_PASSES_TD
