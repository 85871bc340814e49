// RUN: snn-opt %snnc_src_root/examples/yinyang.mlir --snn-lower-to-ncore 2>/dev/null | FileCheck %s --check-prefix=LOIHI
// RUN: snn-opt %snnc_src_root/examples/yinyang.mlir --snn-lower-to-ncore=target=small 2>&1 | FileCheck %s --check-prefix=SMALL
// RUN: snn-opt %snnc_src_root/examples/yinyang.mlir '--snn-lower-to-ncore=target=#ncore.target<"small",neurons_per_core=40>' 2>/dev/null | FileCheck %s --check-prefix=FOUR
// RUN: not snn-opt %snnc_src_root/examples/yinyang.mlir '--snn-lower-to-ncore=target=#ncore.target<"small",neurons_per_core=30>' 2>&1 | FileCheck %s --check-prefix=TOOBIG

// The Yin-Yang network (5 inputs, 120 hidden, 3 outputs) fits one Loihi
// core: 128 neurons and 5 x 120 + 120 x 3 one-byte synapses.
// LOIHI: ncore.chip @yinyang target(<"loihi">) duration(480) readout("out", ttfs)
// LOIHI: ncore.core 0 at(0, 0)
// LOIHI-NOT: ncore.core
// LOIHI-COUNT-2: ncore.route {{.*}} hops(0)

// On the small preset (64 neurons per core) the hidden layer is split in
// two blocks of 60, which share a core with nothing but the 3 outputs, so
// the network takes three cores.
// SMALL: remark: placed 4 blocks on 3 cores: hop-weighted spike traffic 75 (greedy 130)
// SMALL: ncore.chip @yinyang target(<"small">)
// SMALL: ncore.core 0 at(0, 0)
// SMALL: ncore.core 1 at(1, 0)
// SMALL: ncore.core 2 at(0, 1)
// SMALL: ncore.neuron_block "hidden" offset(0) size(60) lif
// SMALL: ncore.neuron_block "hidden" offset(60) size(60) lif
// SMALL-COUNT-4: ncore.route

// At 40 neurons per core all four cores are used.
// FOUR: ncore.core 3 at(1, 1)
// FOUR: ncore.neuron_block "hidden" offset(80) size(40) lif on

// At 30 neurons per core, 128 neurons need five cores: refused, naming the
// limit.
// TOOBIG: error: 'snn.network' op needs at least 5 cores, the chip has 4 (cores): 128 neurons at 30 per core (neurons_per_core)
