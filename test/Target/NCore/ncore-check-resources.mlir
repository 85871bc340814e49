// RUN: snn-opt %s -split-input-file -ncore-check-resources -verify-diagnostics

// Within every limit nothing is reported: 3 + 2 neurons, 3x2 one-byte
// entries, 3 input axons and 3 output axons on one core.
ncore.chip @fits target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  %in = ncore.neuron_block "in" offset(0) size(3) source on %core
  %out = ncore.neuron_block "out" offset(0) size(2) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([100, 100]) reset(0)
      refractory(0) state_lsb(1.0e-05)
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<1> : tensor<2x3xi8>) scale(1)
  ncore.route %in -> %out hops(0)
}

// -----

// A core whose synapse tables exceed its memory is named with the need and
// the capacity: 40 x 60 entries of 2 bytes (8 weight and 6 delay bits)
// need 4800 bytes of the 4096 a small core has. Its 100 neurons exceed the
// 64 it can hold.
ncore.chip @full target(#ncore.target<"small">) duration(10)
    readout("out", ttfs) {
  %c0 = ncore.core 0 at(0, 0)
  // expected-error @below {{core 3: neuron memory needs 100 neurons, capacity 64}}
  // expected-error @+1 {{core 3: synapse memory needs 4800 bytes, capacity 4096}}
  %c3 = ncore.core 3 at(1, 1)
  %in = ncore.neuron_block "in" offset(0) size(60) source on %c0
  %out = ncore.neuron_block "out" offset(0) size(40) lif on %c3
      tau_mem(20.0) tau_syn(5.0) threshold([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
      100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
      100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100])
      reset(0) refractory(0) state_lsb(1.0e-05)
  %extra = ncore.neuron_block "extra" offset(0) size(60) source on %c3
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<1> : tensor<40x60xi8>) scale(1)
      delays(dense<1> : tensor<40x60xi8>)
  ncore.route %in -> %out hops(2)
}

// -----

// Input and output axons: 300 presynaptic neurons reach cores 1 and 2
// (fan-in 256), and each of them is sent to both (600 output axons from
// core 0, fan-out 256).
ncore.chip @axons target(#ncore.target<"small", neurons_per_core = 1024,
                                       synapse_bytes = 65536>)
    duration(10) readout("a", ttfs) {
  // expected-error @below {{core 0: fan-out needs 600 output axons, capacity 256}}
  %c0 = ncore.core 0 at(0, 0)
  // expected-error @below {{core 1: fan-in needs 300 input axons, capacity 256}}
  %c1 = ncore.core 1 at(1, 0)
  // expected-error @below {{core 2: fan-in needs 300 input axons, capacity 256}}
  %c2 = ncore.core 2 at(0, 1)
  %in = ncore.neuron_block "in" offset(0) size(300) source on %c0
  %a = ncore.neuron_block "a" offset(0) size(1) lif on %c1
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
  %b = ncore.neuron_block "b" offset(0) size(1) lif on %c2
      tau_mem(20.0) tau_syn(5.0) threshold([100]) reset(0) refractory(0)
      state_lsb(1.0e-05)
  ncore.synapse_table "in_a" %in -> %a
      weights(dense<1> : tensor<1x300xi8>) scale(1)
  ncore.route %in -> %a hops(1)
  ncore.synapse_table "in_b" %in -> %b
      weights(dense<1> : tensor<1x300xi8>) scale(1)
  ncore.route %in -> %b hops(1)
}
