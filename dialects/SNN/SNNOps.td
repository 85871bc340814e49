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

#endif // SNNC_DIALECTS_SNN_SNNOPS_TD
