// Export to NIR and import again gives the same network, bit for bit:
// per-neuron and shared thresholds, a reset value, an LI readout, a
// recurrent projection, and delays shared, per source, per target and per
// synapse (the last three become Delay nodes). NIR has no duration, so the
// import is told it.
//
// RUN: snn-opt %s > %t.orig.mlir
// RUN: snn-translate --export-nir %s -o %t.nir
// RUN: snn-translate --import-nir %t.nir --nir-network=round_trip \
// RUN:   --nir-duration=40 2>/dev/null | snn-opt > %t.back.mlir
// RUN: diff %t.orig.mlir %t.back.mlir
// RUN: FileCheck %s < %t.back.mlir

// CHECK-LABEL: snn.network @round_trip duration(4.000000e+01)
// CHECK: %[[IN:.+]] = snn.source "in" : !snn.source<2>
// CHECK: %[[HID:.+]] = snn.lif "hid" tau_mem(2.000000e+01) tau_syn(5.000000e+00) threshold(dense<[1.000000e+00, 1.250000e+00, 7.500000e-01]> : tensor<3xf64>) reset(-2.500000e-01) : !snn.lif<3>
// CHECK: %[[OUT:.+]] = snn.lif "out" tau_mem(1.000000e+01) tau_syn(2.500000e+00) threshold(1.000000e+00 : f64) : !snn.lif<2>
// CHECK: %[[READ:.+]] = snn.li "readout" tau_mem(3.300000e+01) tau_syn(1.000000e-01) : !snn.li<2>
// CHECK: snn.project "in_hid" %[[IN]] -> %[[HID]] {{.*}} delay(1.500000e+00 : f64)
// CHECK: snn.project "hid_hid" %[[HID]] -> %[[HID]] {{.*}} delay(dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00]
// CHECK: snn.project "hid_out" %[[HID]] -> %[[OUT]] {{.*}} delay(dense<{{\[\[}}5.000000e-01, 5.000000e-01, 5.000000e-01], [2.000000e+00, 2.000000e+00, 2.000000e+00]]>
// CHECK: snn.project "hid_read" %[[HID]] -> %[[READ]] {{.*}} delay(dense<{{\[\[}}1.000000e-01, 2.000000e-01, 3.000000e-01], [4.000000e-01, 5.000000e-01, 6.000000e-01]]>
// CHECK: snn.project "out_read" %[[OUT]] -> %[[READ]] weight(dense<{{\[\[}}1.000000e+00, 0.000000e+00], [-3.000000e-01, 0.69999999999999996]]> : tensor<2x2xf64>) :

snn.network @round_trip duration(40.0) {
  %in = snn.source "in" : !snn.source<2>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0)
      threshold(dense<[1.0, 1.25, 0.75]> : tensor<3xf64>) reset(-0.25)
      : !snn.lif<3>
  %out = snn.lif "out" tau_mem(10.0) tau_syn(2.5) threshold(1.0)
      : !snn.lif<2>
  %readout = snn.li "readout" tau_mem(33.0) tau_syn(0.1) : !snn.li<2>
  snn.project "in_hid" %in -> %hid
      weight(dense<[[1.0, -0.5], [0.25, 0.125], [1.5, 2.0]]> : tensor<3x2xf64>)
      delay(1.5) : !snn.source<2> -> !snn.lif<3>
  snn.project "hid_hid" %hid -> %hid
      weight(dense<[[0.0, -1.0, 0.1], [-1.0, 0.0, 0.2], [0.3, 0.4, 0.0]]>
             : tensor<3x3xf64>)
      delay(dense<[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]>
            : tensor<3x3xf64>) : !snn.lif<3> -> !snn.lif<3>
  snn.project "hid_out" %hid -> %out
      weight(dense<[[0.5, 0.6, 0.7], [0.8, 0.9, 1.1]]> : tensor<2x3xf64>)
      delay(dense<[[0.5, 0.5, 0.5], [2.0, 2.0, 2.0]]> : tensor<2x3xf64>)
      : !snn.lif<3> -> !snn.lif<2>
  snn.project "hid_read" %hid -> %readout
      weight(dense<[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]> : tensor<2x3xf64>)
      delay(dense<[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]> : tensor<2x3xf64>)
      : !snn.lif<3> -> !snn.li<2>
  snn.project "out_read" %out -> %readout
      weight(dense<[[1.0, 0.0], [-0.3, 0.7]]> : tensor<2x2xf64>)
      : !snn.lif<2> -> !snn.li<2>
}
