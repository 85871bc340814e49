//===- NCoreOps.td - Operations of the ncore dialect -------*- tablegen -*-===//

#ifndef SNNC_DIALECTS_NCORE_NCOREOPS_TD
#define SNNC_DIALECTS_NCORE_NCOREOPS_TD

include "NCoreDialect.td"
include "NCoreAttrs.td"
include "NCoreTypes.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NCore_ChipOp : NCore_Op<"chip", [
    Symbol, IsolatedFromAbove, NoTerminator, SingleBlock,
    DeclareOpInterfaceMethods<RegionKindInterface>]> {
  let summary = "a network mapped onto a chip";
  let description = [{
    Holds the cores, neuron blocks, synapse tables and routes of one
    network on the chip `target`. Each sample is simulated for `duration`
    ticks. The class of a sample is read from population `readout`: the
    neuron that spikes first (`ttfs`) or the one whose voltage peaks
    highest (`max_voltage`).

    The verifier checks that core indices are unique and that the readout
    population has blocks; `ncore-check-resources` checks the capacity of
    every core.

    ```mlir
    ncore.chip @tiny target(#ncore.target<"small">) duration(160)
        readout("out", ttfs) {
      %core = ncore.core 0 at(0, 0)
      %in = ncore.neuron_block "in" offset(0) size(2) source on %core
      %out = ncore.neuron_block "out" offset(0) size(2) lif on %core
          tau_mem(20.0) tau_syn(5.0) threshold([4096, 4096])
          reset(0) refractory(0) state_lsb(2.44140625e-4)
      ncore.synapse_table "in_out" %in -> %out
          weights(dense<[[127, 64], [64, 127]]> : tensor<2x2xi8>) scale(32)
      ncore.route %in -> %out hops(0)
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, NCore_TargetAttr:$target,
                       I64Attr:$duration, StrAttr:$readout,
                       NCore_ReadoutKind:$readout_kind);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `target` `(` $target `)` `duration` `(` $duration `)`
    `readout` `(` $readout `,` $readout_kind `)` attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def NCore_CoreOp : NCore_Op<"core", [HasParent<"ChipOp">, Pure]> {
  let summary = "one core of the chip and its place on the mesh";
  let description = [{
    Core `index` of the chip, at mesh coordinates (`x`, `y`). The verifier
    checks the coordinates against the target's mesh: core k sits at
    (k mod mesh_x, k div mesh_x).

    ```mlir
    %core = ncore.core 5 at(1, 1)
    ```
  }];
  let arguments = (ins I64Attr:$index, I64Attr:$x, I64Attr:$y);
  let results = (outs NCore_CoreType:$core);
  let assemblyFormat = "$index `at` `(` $x `,` $y `)` attr-dict";
  let hasVerifier = 1;
}

def NCore_NeuronBlockOp : NCore_Op<"neuron_block", [
    HasParent<"ChipOp">, Pure]> {
  let summary = "a slice of a population simulated by one core";
  let description = [{
    Neurons `[offset, offset + size)` of population `population`, run by
    `core`. A `source` block relays input spikes and has no parameters. A
    `lif` or `li` block has its time constants (milliseconds; the image
    turns them into fixed-point decay tables), its per-neuron thresholds
    (`lif` only), reset value and refractory period in ticks, all in state
    units of `state_lsb` model units each.

    ```mlir
    %hid = ncore.neuron_block "hidden" offset(0) size(2) lif on %core
        tau_mem(20.0) tau_syn(5.0) threshold([65536, 60000]) reset(0)
        refractory(0) state_lsb(1.52587890625e-05)
    ```
  }];
  let arguments = (ins
    NCore_CoreType:$core,
    StrAttr:$population,
    I64Attr:$offset,
    I64Attr:$size,
    NCore_NeuronKind:$kind,
    OptionalAttr<F64Attr>:$tau_mem,
    OptionalAttr<F64Attr>:$tau_syn,
    OptionalAttr<DenseI32ArrayAttr>:$threshold,
    OptionalAttr<I32Attr>:$reset,
    OptionalAttr<I32Attr>:$refractory,
    OptionalAttr<F64Attr>:$state_lsb);
  let results = (outs NCore_BlockType:$block);
  let assemblyFormat = [{
    $population `offset` `(` $offset `)` `size` `(` $size `)` $kind `on`
    $core
    (`tau_mem` `(` $tau_mem^ `)`)?
    (`tau_syn` `(` $tau_syn^ `)`)?
    (`threshold` `(` $threshold^ `)`)?
    (`reset` `(` $reset^ `)`)?
    (`refractory` `(` $refractory^ `)`)?
    (`state_lsb` `(` $state_lsb^ `)`)?
    attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The core op this block runs on.
    CoreOp getCoreOp();
  }];
}

def NCore_SynapseTableOp : NCore_Op<"synapse_table", [
    HasParent<"ChipOp">]> {
  let summary = "the quantized synapses from one block to another";
  let description = [{
    The part of projection `projection` that connects block `pre` to block
    `post`, stored in the synapse memory of the core of `post`. `weights`
    is a `post.size x pre.size` tensor of signed integers within the
    target's weight bits; a spike of presynaptic neuron i adds
    `weights[j, i] * scale` state units to the current of neuron j,
    `delays[j, i]` ticks later (0 without `delays`).

    ```mlir
    ncore.synapse_table "in_out" %in -> %out
        weights(dense<[[127, -3]]> : tensor<1x2xi8>) scale(129)
        delays(dense<[[0, 4]]> : tensor<1x2xi8>)
    ```
  }];
  let arguments = (ins StrAttr:$projection, NCore_BlockType:$pre,
                       NCore_BlockType:$post, AnyIntElementsAttr:$weights,
                       I64Attr:$scale, OptionalAttr<AnyIntElementsAttr>:$delays);
  let assemblyFormat = [{
    $projection $pre `->` $post `weights` `(` $weights `)`
    `scale` `(` $scale `)` (`delays` `(` $delays^ `)`)? attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    NeuronBlockOp getPreBlock();
    NeuronBlockOp getPostBlock();
  }];
}

def NCore_RouteOp : NCore_Op<"route", [HasParent<"ChipOp">]> {
  let summary = "the mesh route spikes take from one block to another";
  let description = [{
    Spikes of `pre` travel to the core of `post` over `hops` mesh links
    (0 when both blocks share a core). The verifier checks the hop count
    against the mesh coordinates of the two cores.

    ```mlir
    ncore.route %hid -> %out hops(2)
    ```
  }];
  let arguments = (ins NCore_BlockType:$pre, NCore_BlockType:$post,
                       I64Attr:$hops);
  let assemblyFormat = "$pre `->` $post `hops` `(` $hops `)` attr-dict";
  let hasVerifier = 1;
}

#endif // SNNC_DIALECTS_NCORE_NCOREOPS_TD
