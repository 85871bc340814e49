// RUN: snn-opt %s | snn-opt | FileCheck %s

// A chip on a preset prints as the preset's name; overrides are listed.
// CHECK-LABEL: ncore.chip @tiny target(<"small">) duration(240)
// CHECK-SAME: readout("out", ttfs)
// CHECK: %[[CORE:.+]] = ncore.core 0 at(0, 0)
// CHECK: %[[IN:.+]] = ncore.neuron_block "in" offset(0) size(2) source on %[[CORE]]
// CHECK: %[[OUT:.+]] = ncore.neuron_block "out" offset(0) size(2) lif on %[[CORE]]
// CHECK-SAME: threshold([65536, 60000]) reset(0) refractory(4)
// CHECK: ncore.synapse_table "in_out" %[[IN]] -> %[[OUT]]
// CHECK-SAME: weights(dense<{{\[}}[127, -64], [64, 127]]> : tensor<2x2xi8>) scale(516)
// CHECK-SAME: delays(dense<{{\[}}[0, 3], [63, 1]]> : tensor<2x2xi8>)
// CHECK: ncore.route %[[IN]] -> %[[OUT]] hops(0)
ncore.chip @tiny target(#ncore.target<"small">) duration(240)
    readout("out", ttfs) {
  %core = ncore.core 0 at(0, 0)
  %in = ncore.neuron_block "in" offset(0) size(2) source on %core
  %out = ncore.neuron_block "out" offset(0) size(2) lif on %core
      tau_mem(20.0) tau_syn(5.0) threshold([65536, 60000]) reset(0)
      refractory(4) state_lsb(1.52587890625e-05)
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<[[127, -64], [64, 127]]> : tensor<2x2xi8>) scale(516)
      delays(dense<[[0, 3], [63, 1]]> : tensor<2x2xi8>)
  ncore.route %in -> %out hops(0)
}

// Blocks on two cores of an overridden Loihi, an LI readout, and a route
// over the mesh.
// CHECK-LABEL: ncore.chip @split
// CHECK-SAME: target(<"loihi", cores = 16, mesh_x = 4, mesh_y = 4, time_step = 1.000000e-01>)
// CHECK-SAME: readout("out", max_voltage)
// CHECK: ncore.core 5 at(1, 1)
// CHECK: ncore.neuron_block "out" offset(1) size(1) li on
// CHECK: ncore.route %{{.+}} -> %{{.+}} hops(2)
ncore.chip @split target(#ncore.target<"loihi", cores = 16, mesh_x = 4,
                                       mesh_y = 4, time_step = 0.1>)
    duration(600) readout("out", max_voltage) {
  %c0 = ncore.core 0 at(0, 0)
  %c5 = ncore.core 5 at(1, 1)
  %in = ncore.neuron_block "in" offset(0) size(1) source on %c0
  %out0 = ncore.neuron_block "out" offset(0) size(1) li on %c0
      tau_mem(20.0) tau_syn(5.0) reset(0) refractory(0) state_lsb(1.0e-05)
  %out1 = ncore.neuron_block "out" offset(1) size(1) li on %c5
      tau_mem(20.0) tau_syn(5.0) reset(0) refractory(0) state_lsb(1.0e-05)
  ncore.synapse_table "in_out" %in -> %out0
      weights(dense<[[100]]> : tensor<1x1xi8>) scale(1)
  ncore.synapse_table "in_out" %in -> %out1
      weights(dense<[[-100]]> : tensor<1x1xi8>) scale(1)
  ncore.route %in -> %out0 hops(0)
  ncore.route %in -> %out1 hops(2)
}
