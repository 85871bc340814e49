//===- EVOps.td - Operations of the ev dialect -------------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_EV_EVOPS_TD
#define SNNC_DIALECTS_EV_EVOPS_TD

include "EVDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// Ops that read the time constants of one population.
class EV_LIFOp<string mnemonic, list<Trait> traits = []>
    : EV_Op<mnemonic, traits # [Pure]> {
  let hasVerifier = 1;
}

def EV_PropagatorOp : EV_LIFOp<"propagator"> {
  let summary = "the closed-form LIF propagator over an interval";
  let description = [{
    Returns the three coefficients that carry a LIF state over `elapsed`
    milliseconds: `V' = mem_decay V + coupling I`, `I' = syn_decay I`.
    When `tau_mem == tau_syn` the coupling is the exact `(D/tau) e^{-D/tau}`
    limit; when they are close it is computed without cancellation.
    The transpose carries the adjoint backward over the same interval.

    ```mlir
    %m, %s, %c = ev.propagator %dt tau_mem(20.0) tau_syn(5.0) : f64
    ```
  }];
  let arguments = (ins F64:$elapsed, F64Attr:$tau_mem, F64Attr:$tau_syn);
  let results = (outs F64:$mem_decay, F64:$syn_decay, F64:$coupling);
  let assemblyFormat = [{
    $elapsed `tau_mem` `(` $tau_mem `)` `tau_syn` `(` $tau_syn `)` attr-dict
    `:` type($elapsed)
  }];
}

def EV_CrossingOp : EV_LIFOp<"crossing"> {
  let summary = "first threshold crossing of a free LIF neuron";
  let description = [{
    The smallest `t` in `[0, horizon]` at which a neuron starting from
    `(v, i)` and receiving no input reaches `threshold` from below, or
    `+inf` when it does not. The crossing is bracketed using the single
    extremum of the free voltage and solved to machine precision by
    safeguarded Newton iteration.

    ```mlir
    %t = ev.crossing %v, %i, %theta, %horizon tau_mem(20.0) tau_syn(5.0)
        : f64
    ```
  }];
  let arguments = (ins F64:$v, F64:$i, F64:$threshold, F64:$horizon,
                       F64Attr:$tau_mem, F64Attr:$tau_syn);
  let results = (outs F64:$time);
  let assemblyFormat = [{
    $v `,` $i `,` $threshold `,` $horizon
    `tau_mem` `(` $tau_mem `)` `tau_syn` `(` $tau_syn `)` attr-dict
    `:` type($time)
  }];
}

def EV_AdjointJumpOp : EV_Op<"adjoint_jump", [Pure]> {
  let summary = "the adjoint membrane value before a recorded spike";
  let description = [{
    At a spike recorded with synaptic current `current`, returns

        lambda_V^- = ((current - reset) lambda_V^+ + fanout + time_error)
                     / (current - threshold)

    where `fanout` is the error the spike's targets send back,
    `sum_j w_jn (lambda_V,j - lambda_I,j)(t_k + d_jn)`, and `time_error`
    is `dL/dt_k` from the loss.

    ```mlir
    %before = ev.adjoint_jump %after, %current, %theta, %reset, %fanout,
        %dldt : f64
    ```
  }];
  let arguments = (ins F64:$after, F64:$current, F64:$threshold,
                       F64:$reset, F64:$fanout, F64:$time_error);
  let results = (outs F64:$before);
  let assemblyFormat = [{
    $after `,` $current `,` $threshold `,` $reset `,` $fanout `,`
    $time_error attr-dict `:` type($before)
  }];
}

def EV_FanoutOp : EV_Op<"fanout"> {
  let summary = "deliver one presynaptic spike to every target";
  let description = [{
    Adds column `pre` of the `[post, pre]` weight matrix to the synaptic
    currents of the targets: `current[j] += weight[j, pre]` for every `j`.

    ```mlir
    ev.fanout %weight[%pre] into %current
        : memref<120x5xf64>, memref<120xf64>
    ```
  }];
  let arguments = (ins
    Arg<MemRefRankOf<[F64], [2]>, "weights", [MemRead]>:$weight,
    Index:$pre,
    Arg<MemRefRankOf<[F64], [1]>, "synaptic currents",
        [MemRead, MemWrite]>:$current);
  let assemblyFormat = [{
    $weight `[` $pre `]` `into` $current attr-dict `:` type($weight) `,`
    type($current)
  }];
  let hasVerifier = 1;
}

def EV_AccumulateOp : EV_Op<"accumulate"> {
  let summary = "add a scaled adjoint column into a gradient matrix";
  let description = [{
    For one presynaptic spike of neuron `pre`, adds `scale * adjoint[j]` to
    `gradient[j, pre]` for every target `j`. With `adjoint = lambda_I` and
    `scale = -tau_syn` this is the weight gradient of the exact method.

    ```mlir
    ev.accumulate %lambda_i scale(%s) into %grad[%pre]
        : memref<3xf64>, memref<3x120xf64>
    ```
  }];
  let arguments = (ins
    Arg<MemRefRankOf<[F64], [1]>, "adjoint values", [MemRead]>:$adjoint,
    F64:$scale,
    Arg<MemRefRankOf<[F64], [2]>, "gradient", [MemRead, MemWrite]>:$gradient,
    Index:$pre);
  let assemblyFormat = [{
    $adjoint `scale` `(` $scale `)` `into` $gradient `[` $pre `]` attr-dict
    `:` type($adjoint) `,` type($gradient)
  }];
  let hasVerifier = 1;
}

#endif // SNNC_DIALECTS_EV_EVOPS_TD
