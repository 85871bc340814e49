// RUN: snn-opt %s -split-input-file -snn-partition=target=small -verify-diagnostics | FileCheck %s
// RUN: not snn-opt %s -split-input-file -snn-partition=target=spinnaker 2>&1 | FileCheck %s --check-prefix=OPTION

// An unknown target option is named with the presets.
// OPTION: unknown ncore target 'spinnaker'; expected a preset (loihi, small) or a #ncore.target<...> attribute

// A population larger than a core (64 neurons on the small preset) is
// split into nearly equal blocks; the others stay whole, and the target
// is written to the network.
// CHECK-LABEL: snn.network @wide
// CHECK-SAME: ncore.target = #ncore.target<"small">
// CHECK: snn.source "in" {ncore.blocks = array<i64: 4>}
// CHECK: snn.lif "hid" {{.*}}ncore.blocks = array<i64: 50, 50>
// CHECK: snn.lif "out" {{.*}}ncore.blocks = array<i64: 2>
snn.network @wide duration(20.0) {
  %in = snn.source "in" : !snn.source<4>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<100>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<100x4xf64>)
      : !snn.source<4> -> !snn.lif<100>
  snn.project "hid_out" %hid -> %out weight(dense<0.1> : tensor<2x100xf64>)
      : !snn.lif<100> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}

// -----

// Synapse memory bounds a block too: 200 inputs with delays take 400 bytes
// per neuron, so a 4096-byte core holds 10 of them; the network's own
// target overrides the option.
// CHECK-LABEL: snn.network @dense
// CHECK-SAME: ncore.target = #ncore.target<"small", fan_in = 1024>
// CHECK: snn.lif "hid" {{.*}}ncore.blocks = array<i64: 10, 10>
snn.network @dense duration(20.0)
    attributes {ncore.target = #ncore.target<"small", fan_in = 1024>} {
  %in = snn.source "in" : !snn.source<200>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<20>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<20x200xf64>)
      delay(1.0) : !snn.source<200> -> !snn.lif<20>
  snn.ttfs_loss %hid tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<20>
}

// -----

// A network too large for the chip is refused, naming the limit.
// expected-error @below {{'snn.network' op needs at least 5 cores, the chip has 4 (cores): 300 neurons at 64 per core (neurons_per_core)}}
snn.network @huge duration(20.0) {
  %in = snn.source "in" : !snn.source<4>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<296>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<296x4xf64>)
      : !snn.source<4> -> !snn.lif<296>
  snn.ttfs_loss %hid tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<296>
}

// -----

// Dense fan-in cannot be split across cores.
snn.network @fanin duration(20.0) {
  %in = snn.source "in" : !snn.source<300>
  // expected-error @below {{population 'hid': fan-in needs 300 input axons, capacity 256 (fan_in)}}
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<2x300xf64>)
      : !snn.source<300> -> !snn.lif<2>
  snn.ttfs_loss %hid tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}

// -----

// The network's target must be a target attribute.
// expected-error @below {{ncore.target must be a #ncore.target attribute, got 3 : i64}}
snn.network @unknown duration(20.0) attributes {ncore.target = 3} {
}
