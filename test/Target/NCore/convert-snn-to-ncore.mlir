// RUN: snn-opt %s -snn-partition=target=small -snn-place -snn-quantize -convert-snn-to-ncore 2>/dev/null | FileCheck %s
// RUN: not snn-opt %s -convert-snn-to-ncore 2>&1 | FileCheck %s --check-prefix=BARE

// The hidden population is split over cores 0 and 1; each synapse table
// holds the rows of its postsynaptic block and the columns of its
// presynaptic one, and each table has a route with the hops between the
// two cores. The duration is 20 ms in 0.125 ms ticks.
// CHECK-LABEL: ncore.chip @wide target(<"small">) duration(160) readout("out", ttfs)
// CHECK: %[[C0:.+]] = ncore.core 0 at(0, 0)
// CHECK: %[[C1:.+]] = ncore.core 1 at(1, 0)
// CHECK: %[[IN:.+]] = ncore.neuron_block "in" offset(0) size(4) source on %[[C0]]
// CHECK: %[[H0:.+]] = ncore.neuron_block "hid" offset(0) size(50) lif on %[[C0]]
// CHECK-SAME: state_lsb(1.52587890625E-5)
// CHECK: %[[H1:.+]] = ncore.neuron_block "hid" offset(50) size(50) lif on %[[C1]]
// CHECK: %[[OUT:.+]] = ncore.neuron_block "out" offset(0) size(2) lif on %[[C0]]
// CHECK: ncore.synapse_table "in_hid" %[[IN]] -> %[[H0]] weights(dense<127> : tensor<50x4xi8>) scale(516)
// CHECK: ncore.route %[[IN]] -> %[[H0]] hops(0)
// CHECK: ncore.synapse_table "in_hid" %[[IN]] -> %[[H1]] weights(dense<127> : tensor<50x4xi8>) scale(516)
// CHECK: ncore.route %[[IN]] -> %[[H1]] hops(1)
// CHECK: ncore.synapse_table "hid_out" %[[H0]] -> %[[OUT]] weights(dense<{{\[}}[127, {{.*}}]]> : tensor<2x50xi8>)
// CHECK: ncore.synapse_table "hid_out" %[[H1]] -> %[[OUT]] weights(dense<{{\[}}[64, {{.*}}, -127]]> : tensor<2x50xi8>)
// CHECK: ncore.route %[[H1]] -> %[[OUT]] hops(1)
// CHECK-NOT: snn.network

snn.network @wide duration(20.0) {
  %in = snn.source "in" : !snn.source<4>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<100>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_hid" %in -> %hid weight(dense<1.0> : tensor<100x4xf64>)
      : !snn.source<4> -> !snn.lif<100>
  snn.project "hid_out" %hid -> %out weight(dense<[[
      1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0]]>
      : tensor<2x100xf64>)
      : !snn.lif<100> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}

// A network the mapping passes have not seen is not converted.
// BARE: error: 'snn.network' op has no ncore.target attribute; run snn-partition before convert-snn-to-ncore
