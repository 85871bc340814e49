// RUN: snn-opt %s | FileCheck %s
// RUN: snn-opt %s | snn-opt | FileCheck %s
// RUN: snn-opt %s -mlir-print-op-generic | snn-opt | FileCheck %s

// A feed-forward network with every population kind and a shared threshold.
// CHECK-LABEL: snn.network @feed_forward duration(4.000000e+01) {
// CHECK:   %[[IN:.+]] = snn.source "in" : !snn.source<2>
// CHECK:   %[[HID:.+]] = snn.lif "hid" tau_mem(2.000000e+01) tau_syn(5.000000e+00) threshold(1.000000e+00 : f64) : !snn.lif<3>
// CHECK:   %[[OUT:.+]] = snn.li "out" tau_mem(1.000000e+01) tau_syn(1.000000e+01) : !snn.li<2>
// CHECK:   snn.project "in_hid" %[[IN]] -> %[[HID]] weight(dense<{{\[\[}}1.000000e+00, -5.000000e-01], [2.500000e-01, 0.000000e+00], [1.500000e+00, 2.000000e+00]]> : tensor<3x2xf64>) : !snn.source<2> -> !snn.lif<3>
// CHECK:   snn.project "hid_out" %[[HID]] -> %[[OUT]] weight(dense<1.000000e+00> : tensor<2x3xf64>) : !snn.lif<3> -> !snn.li<2>
// CHECK:   snn.max_voltage_loss %[[OUT]] : !snn.li<2>
snn.network @feed_forward duration(40.0) {
  %in = snn.source "in" : !snn.source<2>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0 : f64)
      : !snn.lif<3>
  %out = snn.li "out" tau_mem(10.0) tau_syn(10.0) : !snn.li<2>
  snn.project "in_hid" %in -> %hid
      weight(dense<[[1.0, -0.5], [0.25, 0.0], [1.5, 2.0]]> : tensor<3x2xf64>)
      : !snn.source<2> -> !snn.lif<3>
  snn.project "hid_out" %hid -> %out weight(dense<1.0> : tensor<2x3xf64>)
      : !snn.lif<3> -> !snn.li<2>
  snn.max_voltage_loss %out : !snn.li<2>
}

// Per-neuron thresholds, reset, refractory period and every learn flag.
// CHECK-LABEL: snn.network @learnable
// CHECK:   snn.lif "hid" tau_mem(2.000000e+01) tau_syn(2.000000e+01) threshold(dense<[1.000000e+00, 1.250000e+00]> : tensor<2xf64>) reset(-2.500000e-01) refractory(2.000000e+00) learn <threshold> : !snn.lif<2>
// CHECK:   snn.project "in_hid" %{{.+}} -> %{{.+}} weight(dense<5.000000e-01> : tensor<2x1xf64>) delay(1.500000e+00 : f64) learn <weight, delay> : !snn.source<1> -> !snn.lif<2>
// CHECK:   snn.project "hid_out" %{{.+}} -> %{{.+}} weight(dense<{{\[\[}}1.000000e+00, 2.000000e+00]]> : tensor<1x2xf64>) delay(dense<{{\[\[}}0.000000e+00, 3.000000e+00]]> : tensor<1x2xf64>) learn <delay> : !snn.lif<2> -> !snn.lif<1>
// CHECK:   snn.ttfs_loss %{{.+}} tau0(5.000000e-01) tau1(6.400000e+00) alpha(3.000000e-03) : !snn.lif<1>
snn.network @learnable duration(10.0) {
  %in = snn.source "in" : !snn.source<1>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(20.0)
      threshold(dense<[1.0, 1.25]> : tensor<2xf64>) reset(-0.25)
      refractory(2.0) learn <threshold> : !snn.lif<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<1>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<2x1xf64>)
      delay(1.5) learn <weight, delay> : !snn.source<1> -> !snn.lif<2>
  snn.project "hid_out" %hid -> %out
      weight(dense<[[1.0, 2.0]]> : tensor<1x2xf64>)
      delay(dense<[[0.0, 3.0]]> : tensor<1x2xf64>) learn <delay>
      : !snn.lif<2> -> !snn.lif<1>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<1>
}

// A recurrent projection written before the population it reads (graph
// region) and a reset/refractory left at their defaults, which print nothing.
// CHECK-LABEL: snn.network @recurrent
// CHECK:   snn.project "rec_rec" %[[REC:.+]] -> %[[REC]] weight(dense<{{\[\[}}0.000000e+00, -1.000000e+00], [-1.000000e+00, 0.000000e+00]]> : tensor<2x2xf64>) learn <weight> : !snn.lif<2> -> !snn.lif<2>
// CHECK:   %[[REC]] = snn.lif "rec" tau_mem(1.000000e+01) tau_syn(5.000000e+00) threshold(1.000000e+00 : f64) : !snn.lif<2>
// CHECK-NOT: reset
// CHECK:   snn.ttfs_loss %[[REC]]
snn.network @recurrent duration(20.0) {
  snn.project "rec_rec" %rec -> %rec
      weight(dense<[[0.0, -1.0], [-1.0, 0.0]]> : tensor<2x2xf64>)
      learn <weight> : !snn.lif<2> -> !snn.lif<2>
  %rec = snn.lif "rec" tau_mem(10.0) tau_syn(5.0) threshold(1.0) reset(0.0)
      refractory(0.0) : !snn.lif<2>
  snn.ttfs_loss %rec tau0(1.0) tau1(10.0) alpha(0.0) : !snn.lif<2>
}

// The adjoint ops that snn-derive-adjoint writes, in every form.
// CHECK-LABEL: snn.network @adjoint
// CHECK:   %[[HID:.+]] = snn.adjoint_lif %hid grad <threshold> : !snn.lif<2> -> !snn.adjoint<2>
// CHECK:   %[[OUT:.+]] = snn.adjoint_li %out : !snn.li<2> -> !snn.adjoint<2>
// CHECK:   snn.adjoint_project "in_hid" %[[HID]] grad <weight, delay> : !snn.adjoint<2>{{$}}
// CHECK:   snn.adjoint_project "hid_out" %[[OUT]] -> %[[HID]] : !snn.adjoint<2> -> !snn.adjoint<2>
// CHECK:   snn.adjoint_loss %[[OUT]] : !snn.adjoint<2>
snn.network @adjoint duration(10.0) {
  %in = snn.source "in" : !snn.source<1>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      learn <threshold> : !snn.lif<2>
  %out = snn.li "out" tau_mem(20.0) tau_syn(5.0) : !snn.li<2>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<2x1xf64>)
      delay(1.0) learn <weight, delay> : !snn.source<1> -> !snn.lif<2>
  snn.project "hid_out" %hid -> %out weight(dense<1.0> : tensor<2x2xf64>)
      : !snn.lif<2> -> !snn.li<2>
  snn.max_voltage_loss %out : !snn.li<2>
  %hid_adj = snn.adjoint_lif %hid grad <threshold>
      : !snn.lif<2> -> !snn.adjoint<2>
  %out_adj = snn.adjoint_li %out : !snn.li<2> -> !snn.adjoint<2>
  snn.adjoint_project "in_hid" %hid_adj grad <weight, delay>
      : !snn.adjoint<2>
  snn.adjoint_project "hid_out" %out_adj -> %hid_adj
      : !snn.adjoint<2> -> !snn.adjoint<2>
  snn.adjoint_loss %out_adj : !snn.adjoint<2>
}

// Parameters in resource blobs stay out of the op text and keep every bit:
// 0x3FB999999999999A is the double nearest 0.1, 0x0000000000000001 the
// smallest subnormal.
// CHECK-LABEL: snn.network @resources
// CHECK:   snn.project "in_out" %{{.+}} -> %{{.+}} weight(dense_resource<trained_weight> : tensor<2x2xf64>) : !snn.source<2> -> !snn.lif<2>
// CHECK: dialect_resources
// CHECK: trained_weight: "0x080000009A9999999999B93F0100000000000000000000000000F03F000000000000F0BF"
snn.network @resources duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_out" %in -> %out
      weight(dense_resource<trained_weight> : tensor<2x2xf64>)
      : !snn.source<2> -> !snn.lif<2>
}

{-#
  dialect_resources: {
    builtin: {
      trained_weight: "0x080000009A9999999999B93F0100000000000000000000000000F03F000000000000F0BF"
    }
  }
#-}
