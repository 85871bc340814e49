//===- SNNOps.td - Operations of the snn dialect -----------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_SNN_SNNOPS_TD
#define SNNC_DIALECTS_SNN_SNNOPS_TD

include "SNNDialect.td"
include "SNNTypes.td"
include "SNNAttrs.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// A dense tensor of f64 held inline or as a resource blob.
def SNN_F64TensorAttr : Attr<
    CPred<"::llvm::isa<::mlir::ElementsAttr>($_self) && "
          "::llvm::cast<::mlir::ElementsAttr>($_self)"
          ".getShapedType().getElementType().isF64()">,
    "f64 tensor"> {
  let storageType = "::mlir::ElementsAttr";
  let returnType = "::mlir::ElementsAttr";
  let convertFromStorage = "$_self";
}

/// One value shared by every element, or one value per element.
def SNN_F64ScalarOrTensorAttr : AnyAttrOf<[F64Attr, SNN_F64TensorAttr]>;

def SNN_AnyPopulationType
    : AnyTypeOf<[SNN_SourceType, SNN_LIFType, SNN_LIType], "population">;

//===----------------------------------------------------------------------===//
// Network
//===----------------------------------------------------------------------===//

def SNN_NetworkOp : SNN_Op<"network", [
    Symbol, IsolatedFromAbove, NoTerminator, SingleBlock,
    DeclareOpInterfaceMethods<RegionKindInterface>]> {
  let summary = "a spiking network: populations, projections and a loss";
  let description = [{
    Holds one network. Each sample is simulated over `[0, duration]`
    milliseconds. The body is a graph region, so a projection may name a
    population defined later (recurrent and cyclic networks).

    The verifier rejects two ops of the same name, more than one loss, and
    learnable parameters without a loss to learn them from.

    ```mlir
    snn.network @tiny duration(40.0) {
      %in = snn.source "in" : !snn.source<2>
      %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
          : !snn.lif<2>
      snn.project "in_out" %in -> %out
          weight(dense<[[1.0, 0.5], [0.5, 1.0]]> : tensor<2x2xf64>)
          learn <weight> : !snn.source<2> -> !snn.lif<2>
      snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$duration);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `duration` `(` $duration `)` attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "double":$durationMs)>
  ];
  let extraClassDeclaration = [{
    /// The loss op of the network, or null.
    ::mlir::Operation *getLoss();
  }];
}

//===----------------------------------------------------------------------===//
// Populations
//===----------------------------------------------------------------------===//

def SNN_SourceOp : SNN_Op<"source", [
    HasParent<"NetworkOp">, Pure,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "input spike channels";
  let description = [{
    `size` channels whose spikes the runtime supplies for each sample.

    ```mlir
    %in = snn.source "in" : !snn.source<5>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs SNN_SourceType:$output);
  let assemblyFormat = "$name attr-dict `:` custom<FullType>(type($output))";
}

def SNN_LIFOp : SNN_Op<"lif", [
    HasParent<"NetworkOp">, Pure,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "a population of current-based LIF neurons";
  let description = [{
    Current-based leaky integrate-and-fire neurons:
    `tau_mem dV/dt = -V + I`, `tau_syn dI/dt = -I`. A neuron spikes when
    `V` reaches its threshold from below; `V` is then set to `reset` and
    held there for `refractory` milliseconds.

    `threshold` is either one `f64` shared by all neurons or a
    `tensor<size x f64>` with one value per neuron. `learn <threshold>`
    marks the thresholds learnable.

    ```mlir
    %h = snn.lif "hidden" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
        reset(0.0) refractory(2.0) learn <threshold> : !snn.lif<120>
    ```
  }];
  let arguments = (ins
    StrAttr:$name,
    F64Attr:$tau_mem,
    F64Attr:$tau_syn,
    SNN_F64ScalarOrTensorAttr:$threshold,
    DefaultValuedAttr<F64Attr, "0.0">:$reset,
    DefaultValuedAttr<F64Attr, "0.0">:$refractory,
    OptionalAttr<SNN_LearnAttr>:$learn);
  let results = (outs SNN_LIFType:$output);
  let assemblyFormat = [{
    $name `tau_mem` `(` $tau_mem `)` `tau_syn` `(` $tau_syn `)`
    `threshold` `(` $threshold `)`
    (`reset` `(` $reset^ `)`)?
    (`refractory` `(` $refractory^ `)`)?
    (`learn` $learn^)?
    attr-dict `:` custom<FullType>(type($output))
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getSize() { return getOutput().getType().getSize(); }
    /// One threshold per neuron, expanding a shared one.
    ::llvm::SmallVector<double> getThresholdValues();
    bool learnsThreshold();
  }];
}

def SNN_LIOp : SNN_Op<"li", [
    HasParent<"NetworkOp">, Pure,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "a population of leaky-integrator readout neurons";
  let description = [{
    LIF dynamics without a threshold: the membrane voltage is read out, for
    example by `snn.max_voltage_loss`.

    ```mlir
    %out = snn.li "out" tau_mem(20.0) tau_syn(5.0) : !snn.li<3>
    ```
  }];
  let arguments = (ins StrAttr:$name, F64Attr:$tau_mem, F64Attr:$tau_syn);
  let results = (outs SNN_LIType:$output);
  let assemblyFormat = [{
    $name `tau_mem` `(` $tau_mem `)` `tau_syn` `(` $tau_syn `)`
    attr-dict `:` custom<FullType>(type($output))
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getSize() { return getOutput().getType().getSize(); }
  }];
}

//===----------------------------------------------------------------------===//
// Projections
//===----------------------------------------------------------------------===//

def SNN_ProjectOp : SNN_Op<"project", [HasParent<"NetworkOp">]> {
  let summary = "a dense projection with weights and transmission delays";
  let description = [{
    Connects every neuron `i` of `pre` to every neuron `j` of `post`. A
    spike of `i` at time `t` adds `weight[j, i]` to the synaptic current of
    `j` at time `t + delay[j, i]`. `weight` is a `tensor<post x pre x f64>`;
    `delay`, in milliseconds, is either one shared `f64` or a tensor of the
    same shape; without it every delay is zero. When `pre` and `post` are the
    same population the projection is recurrent.

    `learn` takes `weight`, `delay` or both.

    ```mlir
    snn.project "hid_hid" %h -> %h
        weight(dense_resource<recurrent> : tensor<120x120xf64>)
        delay(1.0) learn <weight, delay> : !snn.lif<120> -> !snn.lif<120>
    ```
  }];
  let arguments = (ins
    StrAttr:$name,
    SNN_SpikingType:$pre,
    SNN_IntegratingType:$post,
    SNN_F64TensorAttr:$weight,
    OptionalAttr<SNN_F64ScalarOrTensorAttr>:$delay,
    OptionalAttr<SNN_LearnAttr>:$learn);
  let assemblyFormat = [{
    $name $pre `->` $post `weight` `(` $weight `)`
    (`delay` `(` $delay^ `)`)?
    (`learn` $learn^)?
    attr-dict `:` type($pre) `->` type($post)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getPreSize();
    int64_t getPostSize();
    bool isRecurrent() { return getPre() == getPost(); }
    bool learnsWeight();
    bool learnsDelay();
  }];
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def SNN_TTFSLossOp : SNN_Op<"ttfs_loss", [HasParent<"NetworkOp">]> {
  let summary = "time-to-first-spike cross-entropy";
  let description = [{
    With `t` the first spike time of each neuron of a LIF population and
    `label` the target neuron:

        L = -log softmax(-t / tau0)[label] + alpha (exp(t[label] / tau1) - 1)

    `tau0` and `tau1` are in milliseconds; the second term penalises a late
    correct spike. A neuron that never fires counts as firing at the end of
    the simulated interval.

    ```mlir
    snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<3>
    ```
  }];
  let arguments = (ins SNN_AnyPopulationType:$population, F64Attr:$tau0,
                       F64Attr:$tau1, F64Attr:$alpha);
  let assemblyFormat = [{
    $population `tau0` `(` $tau0 `)` `tau1` `(` $tau1 `)`
    `alpha` `(` $alpha `)` attr-dict `:` type($population)
  }];
  let hasVerifier = 1;
}

def SNN_MaxVoltageLossOp : SNN_Op<"max_voltage_loss", [
    HasParent<"NetworkOp">]> {
  let summary = "cross-entropy of the maximum readout voltage";
  let description = [{
    With `v` the maximum over the simulated interval of the membrane voltage
    of each neuron of an LI population: `L = -log softmax(v)[label]`.

    ```mlir
    snn.max_voltage_loss %out : !snn.li<3>
    ```
  }];
  let arguments = (ins SNN_AnyPopulationType:$population);
  let assemblyFormat = "$population attr-dict `:` type($population)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// The event-driven adjoint (built by snn-derive-adjoint)
//===----------------------------------------------------------------------===//

def SNN_AdjointLIFOp : SNN_Op<"adjoint_lif", [
    HasParent<"NetworkOp">, Pure,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "the adjoint of a LIF population";
  let description = [{
    The backward dynamics of `population`: per neuron, (lambda_V, lambda_I)
    integrated from the end of the interval toward zero with

        lambda_V(t - D) = lambda_V(t) e^{-D/tau_mem}
        lambda_I(t - D) = lambda_I(t) e^{-D/tau_syn} + lambda_V(t)
            tau_mem/(tau_mem - tau_syn) (e^{-D/tau_mem} - e^{-D/tau_syn})

    and, at every spike recorded in the forward pass, the jump

        lambda_V^- = ((I - reset) lambda_V^+ + fanout + dL/dt_k)
                     / (I - threshold)

    where `I` is the synaptic current recorded at the crossing and
    `fanout` the error the spike's targets send back (see
    `snn.adjoint_project`). Nothing but the spike records is read.
    `grad <threshold>` accumulates dL/dtheta = tau_mem sum_k lambda_V^-.

    ```mlir
    %hidden_adj = snn.adjoint_lif %hidden grad <threshold>
        : !snn.lif<120> -> !snn.adjoint<120>
    ```
  }];
  let arguments = (ins SNN_LIFType:$population,
                       OptionalAttr<SNN_LearnAttr>:$grad);
  let results = (outs SNN_AdjointType:$adjoint);
  let assemblyFormat = [{
    $population (`grad` $grad^)? attr-dict `:`
    custom<FullType>(type($population)) `->` custom<FullType>(type($adjoint))
  }];
  let hasVerifier = 1;
}

def SNN_AdjointLIOp : SNN_Op<"adjoint_li", [
    HasParent<"NetworkOp">, Pure,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "the adjoint of an LI readout";
  let description = [{
    The backward dynamics of a readout: the same propagation as
    `snn.adjoint_lif` without spikes, so without jumps; the loss enters
    through `snn.adjoint_loss`.

    ```mlir
    %out_adj = snn.adjoint_li %out : !snn.li<3> -> !snn.adjoint<3>
    ```
  }];
  let arguments = (ins SNN_LIType:$population);
  let results = (outs SNN_AdjointType:$adjoint);
  let assemblyFormat = [{
    $population attr-dict `:` custom<FullType>(type($population)) `->`
    custom<FullType>(type($adjoint))
  }];
  let hasVerifier = 1;
}

def SNN_AdjointProjectOp : SNN_Op<"adjoint_project", [
    HasParent<"NetworkOp">]> {
  let summary = "the adjoint of a projection";
  let description = [{
    For every spike `k` of presynaptic neuron `i` recorded in the forward
    pass, reads the postsynaptic adjoint at the arrival time `t_k + d_ji`
    and

    - with `grad <weight>`, accumulates dL/dw_ji = -tau_syn lambda_I,j;
    - with `grad <delay>`, accumulates dL/dd_ji = w_ji (lambda_V,j -
      lambda_I,j);
    - when `pre` is given, sends the error sum_j w_ji (lambda_V,j -
      lambda_I,j) to the jump of presynaptic neuron `i`.

    `projection` names the forward `snn.project`; `post` is the adjoint of
    its postsynaptic population and `pre`, when the error must travel on,
    the adjoint of its presynaptic one.

    ```mlir
    snn.adjoint_project "hidden_out" %out_adj -> %hidden_adj grad <weight>
        : !snn.adjoint<3> -> !snn.adjoint<120>
    ```
  }];
  let arguments = (ins StrAttr:$projection, SNN_AdjointType:$post,
                       Optional<SNN_AdjointType>:$pre,
                       OptionalAttr<SNN_LearnAttr>:$grad);
  let assemblyFormat = [{
    $projection $post (`->` $pre^)? (`grad` $grad^)? attr-dict
    `:` custom<FullType>(type($post)) (`->` custom<FullType>(type($pre))^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The forward projection this op is the adjoint of, or null.
    ProjectOp getForward();
  }];
}

def SNN_AdjointLossOp : SNN_Op<"adjoint_loss", [HasParent<"NetworkOp">]> {
  let summary = "the error the loss injects into the adjoint";
  let description = [{
    For `snn.ttfs_loss`, dL/dt of each output neuron's first spike, which
    enters the jump at that spike; for `snn.max_voltage_loss`, dL/dv_max of
    each readout neuron, added to lambda_V at the time of its maximum.
    `adjoint` is the adjoint of the loss population.

    ```mlir
    snn.adjoint_loss %out_adj : !snn.adjoint<3>
    ```
  }];
  let arguments = (ins SNN_AdjointType:$adjoint);
  let assemblyFormat = [{
    $adjoint attr-dict `:` custom<FullType>(type($adjoint))
  }];
  let hasVerifier = 1;
}

#endif // SNNC_DIALECTS_SNN_SNNOPS_TD
