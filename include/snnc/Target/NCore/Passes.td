//===- Passes.td - Mapping networks onto ncore chips -------*- tablegen -*-===//

#ifndef SNNC_TARGET_NCORE_PASSES_TD
#define SNNC_TARGET_NCORE_PASSES_TD

include "mlir/Pass/PassBase.td"

def SNNPartition : Pass<"snn-partition", "snnc::snn::NetworkOp"> {
  let summary = "Split populations into blocks that fit one core";
  let description = [{
    Chooses the target chip of the network and splits every population into
    blocks of nearly equal size, each small enough for one core: at most
    `neurons_per_core` neurons, whose incoming synapses (one entry of
    `weight_bits + delay_bits` bits per synapse, rounded up to whole bytes)
    fit `synapse_bytes`, and whose spikes, sent once to every core that
    holds a block of a target population, fit `fan_out` output axons.

    The target is the network's `ncore.target` attribute when it has one,
    else the `target` option: a preset name or a full `#ncore.target<...>`.
    The pass writes it to the network and the block sizes to each
    population:

    ```mlir
    %h = snn.lif "hidden" ... {ncore.blocks = array<i64: 60, 60>}
        : !snn.lif<120>
    ```

    A population whose dense fan-in exceeds `fan_in`, a neuron whose
    synapses alone exceed a core's synapse memory, and a network that needs
    more cores than the chip has (by neuron count or synapse memory) are
    rejected with a diagnostic naming the limit, the need and the capacity.
  }];
  let dependentDialects = ["snnc::ncore::NCoreDialect"];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"loihi\"",
           "Target chip when the network names none: a preset name or a "
           "#ncore.target<...> attribute">
  ];
  let statistics = [
    Statistic<"numBlocks", "blocks", "Neuron blocks created">,
    Statistic<"numSplitPopulations", "split-populations",
              "Populations split over several blocks">
  ];
}

def SNNPlace : Pass<"snn-place", "snnc::snn::NetworkOp"> {
  let summary = "Assign blocks to cores, minimising hop-weighted spike traffic";
  let description = [{
    Places the blocks `snn-partition` made onto the cores of the chip.
    The cost of a placement is the hop-weighted spike traffic under one
    spike per neuron: every block sends each of its neurons' spikes once
    to every core that holds a block it projects to, and a message costs
    one per mesh hop (dimension-order routing, so the Manhattan distance);
    messages within a core cost nothing.

    Blocks are placed greedily, in network order, each on the core that
    adds least cost among those with room left (neurons, synapse memory
    and input axons); ties go to the lowest core index, so a network that
    fits one core stays on core 0. Then single-block moves and pairwise
    swaps that lower the cost are applied until none does or `rounds` is
    reached. A remark reports both costs; each population gets its cores:

    ```mlir
    %h = snn.lif "hidden" ... {ncore.blocks = array<i64: 60, 60>,
                               ncore.cores = array<i64: 0, 1>}
    ```
  }];
  let options = [
    Option<"rounds", "rounds", "unsigned", /*default=*/"8",
           "Rounds of move and swap improvement after the greedy placement">
  ];
  let statistics = [
    Statistic<"greedyCost", "greedy-cost",
              "Hop-weighted spike traffic of the greedy placement">,
    Statistic<"finalCost", "cost",
              "Hop-weighted spike traffic after improvement">,
    Statistic<"coresUsed", "cores-used", "Cores that hold a block">
  ];
}

def SNNQuantize : Pass<"snn-quantize", "snnc::snn::NetworkOp"> {
  let summary = "Fixed-point weights, delays and thresholds";
  let description = [{
    Converts the parameters of a partitioned network to the integers of its
    target chip:

    - state units: each LIF population has one state step, `state_lsb`,
      chosen so that its largest threshold is 2^(state_bits - 8) units,
      leaving 7 bits of headroom above it for currents and voltages; an LI
      readout uses its largest incoming |weight| the same way;
    - thresholds and reset: rounded to state units;
    - weights: per projection, the step `max |w| / (2^(weight_bits-1) - 1)`
      rounded to a whole number `scale` of state units of the
      postsynaptic population; each weight becomes the nearest multiple
      of `scale * state_lsb`, a signed `weight_bits` integer;
    - delays and refractory periods: rounded to ticks of `time_step`;
      delays saturate at 2^delay_bits - 1 ticks with a warning that counts
      them.

    Remarks give, per projection and population, the step and the maximum
    and mean error the rounding introduced, in model units. The integers
    are attached to the ops (`ncore.weights`, `ncore.scale`,
    `ncore.delays`, `ncore.state_lsb`, `ncore.threshold`, `ncore.reset`,
    `ncore.refractory`) for `convert-snn-to-ncore`.
  }];
  let statistics = [
    Statistic<"numSaturatedDelays", "saturated-delays",
              "Delays clipped to the largest representable delay">
  ];
}

def ConvertSNNToNCore : Pass<"convert-snn-to-ncore", "mlir::ModuleOp"> {
  let summary = "Build an ncore.chip from a partitioned, placed, quantized network";
  let description = [{
    Replaces every `snn.network` that `snn-partition`, `snn-place` and
    `snn-quantize` annotated by an `ncore.chip` of the same name: one
    `ncore.core` per used core, one `ncore.neuron_block` per block, one
    `ncore.synapse_table` per pair of blocks a projection connects (the
    rows and columns of its quantized weights that belong to them) and an
    `ncore.route` beside each with the mesh hops between their cores. The
    loss names the readout population and how a class is read from it.
    The chip takes the network's symbol, so the network is erased.
  }];
  let dependentDialects = ["snnc::ncore::NCoreDialect"];
  let statistics = [
    Statistic<"numTables", "synapse-tables", "Synapse tables built">
  ];
}

def NCoreCheckResources : Pass<"ncore-check-resources",
                               "snnc::ncore::ChipOp"> {
  let summary = "Check every core against the capacity of the chip";
  let description = [{
    Adds up, per core, what its blocks need and compares it with the
    target:

    | limit | need |
    |---|---|
    | `neurons_per_core` | neurons of the blocks on the core |
    | `synapse_bytes` | entries of the synapse tables into those blocks times the bytes of one entry |
    | `fan_in` | presynaptic neurons of the blocks whose tables reach the core |
    | `fan_out` | per block on the core, its neurons times the distinct cores its routes reach |

    Each excess is an error on the core, for example
    `core 3: synapse memory needs 140000 bytes, capacity 131072`.
  }];
  let statistics = [
    Statistic<"maxNeurons", "max-neurons", "Most neurons on one core">,
    Statistic<"maxSynapseBytes", "max-synapse-bytes",
              "Most synapse memory used on one core">
  ];
}

#endif // SNNC_TARGET_NCORE_PASSES_TD
