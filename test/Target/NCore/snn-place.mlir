// RUN: snn-opt %s -split-input-file -snn-partition=target=small -snn-place -verify-diagnostics | FileCheck %s

// A network that fits one core stays on core 0: no spike leaves it.
// CHECK-LABEL: snn.network @fits
// CHECK: snn.source "in" {{.*}}ncore.cores = array<i64: 0>
// CHECK: snn.lif "out" {{.*}}ncore.cores = array<i64: 0>
// expected-remark @below {{placed 2 blocks on 1 cores: hop-weighted spike traffic 0 (greedy 0)}}
snn.network @fits duration(20.0) {
  %in = snn.source "in" : !snn.source<4>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_out" %in -> %out weight(dense<0.5> : tensor<2x4xf64>)
      : !snn.source<4> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}

// -----

// Two hidden blocks of 50 cannot share a 64-neuron core. The input and
// the output join the first; the second sits one hop away, so its 50
// spikes travel one hop to the output and the 4 input spikes one hop to
// it: 54 hop-messages, the least any placement achieves.
// CHECK-LABEL: snn.network @wide
// CHECK: snn.source "in" {{.*}}ncore.cores = array<i64: 0>
// CHECK: snn.lif "hid" {{.*}}ncore.cores = array<i64: 0, 1>
// CHECK: snn.lif "out" {{.*}}ncore.cores = array<i64: 0>
// expected-remark @below {{placed 4 blocks on 2 cores: hop-weighted spike traffic 54 (greedy 54)}}
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

// Without snn-partition there is nothing to place.
// RUN: not snn-opt %s -split-input-file -snn-place 2>&1 | FileCheck %s --check-prefix=BARE
// BARE: 'snn.network' op has no ncore.target attribute; run snn-partition before snn-place
