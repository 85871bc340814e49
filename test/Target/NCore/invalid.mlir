// RUN: snn-opt %s -split-input-file -verify-diagnostics

// An unknown preset is named with the ones that exist.
// expected-error @below {{unknown ncore target preset 'truenorth'; expected one of: loihi, small}}
ncore.chip @bad target(#ncore.target<"truenorth">) duration(10)
    readout("out", ttfs) {
}

// -----

// An override must name a field of the target.
// expected-error @below {{unknown ncore target field 'synapses'}}
ncore.chip @bad target(#ncore.target<"small", synapses = 4>) duration(10)
    readout("out", ttfs) {
}

// -----

// Overrides are checked like the presets.
// expected-error @below {{ncore target: mesh 2x2 has fewer than 8 cores}}
ncore.chip @bad target(#ncore.target<"small", cores = 8>) duration(10)
    readout("out", ttfs) {
}

// -----

// The mesh coordinates of a core follow from its index.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("in", ttfs) {
  // expected-error @below {{core 3 sits at (1, 1) on a 2x2 mesh, not (0, 1)}}
  %core = ncore.core 3 at(0, 1)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %core
}

// -----

// A core outside the chip.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("in", ttfs) {
  // expected-error @below {{core index 4 is outside the chip's 4 cores}}
  %core = ncore.core 4 at(0, 2)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %core
}

// -----

// The duration must fit the time bits.
// expected-error @below {{duration of 70000 ticks does not fit 16 time bits (at most 65535)}}
ncore.chip @bad target(#ncore.target<"small">) duration(70000)
    readout("in", ttfs) {
}

// -----

// The readout population must be on the chip.
// expected-error @below {{readout population 'out' has no neuron block}}
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %core
}

// -----

// One threshold per neuron of a LIF block.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  // expected-error @below {{threshold has 1 values for 2 neurons}}
  %out = ncore.neuron_block "out" offset(0) size(2) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
}

// -----

// A threshold must fit the state bits (24 on the small preset).
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  // expected-error @below {{threshold 8388608 is outside (0, 8388607]}}
  %out = ncore.neuron_block "out" offset(0) size(1) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([8388608]) reset(0) refractory(0)
      state_lsb(1.0e-05)
}

// -----

// A source block has no neuron parameters.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("in", ttfs) {
  %core = ncore.core 0 at(0, 0)
  // expected-error @below {{a source block has no neuron parameters}}
  %in = ncore.neuron_block "in" offset(0) size(1) source on %core
      tau_mem(20.0)
}

// -----

// Weights must fit the weight bits: 8 bits hold -127..127.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %core
  %out = ncore.neuron_block "out" offset(0) size(1) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
  // expected-error @below {{weights value 200 is outside [-127, 127]}}
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<200> : tensor<1x1xi16>) scale(1)
}

// -----

// Delays must fit the delay bits: 6 bits hold 0..63 ticks.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %core
  %out = ncore.neuron_block "out" offset(0) size(1) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
  // expected-error @below {{delays value 64 is outside [0, 63]}}
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<1> : tensor<1x1xi8>) scale(1)
      delays(dense<64> : tensor<1x1xi8>)
}

// -----

// A table's shape is post x pre.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  %in = ncore.neuron_block "in" offset(0) size(2) source on %core
  %out = ncore.neuron_block "out" offset(0) size(1) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
  // expected-error @below {{weights must be a 1x2 tensor, got 'tensor<2x1xi8>'}}
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<1> : tensor<2x1xi8>) scale(1)
}

// -----

// The hop count of a route follows from the cores' coordinates.
ncore.chip @bad target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %c0 = ncore.core 0 at(0, 0)
  %c3 = ncore.core 3 at(1, 1)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %c0
  %out = ncore.neuron_block "out" offset(0) size(1) lif on %c3
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
  // expected-error @below {{route from core 0 to core 3 takes 2 hops, not 1}}
  ncore.route %in -> %out hops(1)
}
