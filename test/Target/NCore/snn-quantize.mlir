// RUN: snn-opt %s -split-input-file -snn-partition=target=small -snn-place -snn-quantize -verify-diagnostics | FileCheck %s

// The largest threshold is 2^16 state units (24 state bits less 8), so one
// unit is 1/65536; the 8-bit weight step max|w|/127 = 1/127 is 516 units,
// so 1.0 and 0.5 become 127 and 64 (0.5/(516/65536) = 63.5 rounds away
// from zero). Delays and the refractory period round to 0.125 ms ticks:
// 1.1 ms to 9 ticks, 0.4 ms to 3 and 0.3 ms to 2 (2.4 ticks).
// CHECK-LABEL: snn.network @tiny
// CHECK: snn.lif "out"
// CHECK-SAME: ncore.refractory = 8 : i32
// CHECK-SAME: ncore.reset = 0 : i32
// CHECK-SAME: ncore.state_lsb = 1.52587890625E-5 : f64
// CHECK-SAME: ncore.threshold = array<i32: 65536, 52429>
// CHECK: snn.project "in_out"
// CHECK-SAME: ncore.delays = dense<{{\[}}[0, 9], [3, 2]]> : tensor<2x2xi8>
// CHECK-SAME: ncore.scale = 516 : i64
// CHECK-SAME: ncore.weights = dense<{{\[}}[127, 64], [-64, 127]]> : tensor<2x2xi8>
// expected-remark @below {{placed 2 blocks on 1 cores}}
snn.network @tiny duration(20.0) {
  %in = snn.source "in" : !snn.source<2>
  // expected-remark @below {{population 'out': state step 1.52588e-05, threshold error max 3.05176e-06 mean 1.52588e-06}}
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0)
      threshold(dense<[1.0, 0.8]> : tensor<2xf64>) refractory(1.0)
      : !snn.lif<2>
  // expected-remark @below {{projection 'in_out': 8-bit weights, step 0.00787354 (scale 516), weight error max 0.00390625 mean 0.00198364, delay error max 0.05 ms mean 0.025 ms}}
  snn.project "in_out" %in -> %out
      weight(dense<[[1.0, 0.5], [-0.5, 1.0]]> : tensor<2x2xf64>)
      delay(dense<[[0.0, 1.1], [0.4, 0.3]]> : tensor<2x2xf64>)
      : !snn.source<2> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}

// -----

// Six delay bits of 0.125 ms hold at most 7.875 ms; longer delays
// saturate with a warning that counts them.
// CHECK-LABEL: snn.network @late
// CHECK: ncore.delays = dense<{{\[}}[63, 63, 40]]> : tensor<1x3xi8>
// expected-remark @below {{placed 2 blocks on 1 cores}}
snn.network @late duration(40.0) {
  %in = snn.source "in" : !snn.source<3>
  // expected-remark @below {{population 'out'}}
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<1>
  // expected-remark @+2 {{projection 'in_out': 8-bit weights}}
  // expected-warning @below {{projection 'in_out': 2 of 3 delays exceed 7.875 ms (6 delay bits of 0.125 ms ticks) and saturate}}
  snn.project "in_out" %in -> %out
      weight(dense<[[1.0, 0.5, 0.25]]> : tensor<1x3xf64>)
      delay(dense<[[8.0, 30.0, 5.0]]> : tensor<1x3xf64>)
      : !snn.source<3> -> !snn.lif<1>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<1>
}
