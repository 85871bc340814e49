// RUN: snn-opt %s --snn-derive-adjoint --convert-snn-to-ev | FileCheck %s
// RUN: snn-opt %s --convert-snn-to-ev | FileCheck %s --check-prefix=FORWARD
// RUN: snn-opt %s --convert-snn-to-ev=keep-network | FileCheck %s --check-prefix=KEEP

// A LIF hidden layer with equal time constants, an LI readout and a
// recurrent projection: sizes become memref shapes, time constants and the
// reset value become attributes and constants of the kernels.

// CHECK-NOT: snn.network
// CHECK-LABEL: func.func @net_hid_propagator(
// CHECK-SAME:      %[[DT:.+]]: f64, %[[OUT:.+]]: memref<3xf64>)
// CHECK:         %[[M:.+]], %[[S:.+]], %[[C:.+]] = ev.propagator %[[DT]] tau_mem(1.000000e+01) tau_syn(1.000000e+01)
// CHECK:         memref.store %[[M]], %[[OUT]]
// CHECK:         memref.store %[[S]], %[[OUT]]
// CHECK:         memref.store %[[C]], %[[OUT]]

// CHECK-LABEL: func.func @net_hid_advance(
// CHECK-SAME:      %[[V:.+]]: memref<4xf64>, %[[I:.+]]: memref<4xf64>, %[[STEP:.+]]: f64)
// CHECK:         %[[M:.+]], %[[S:.+]], %[[C:.+]] = ev.propagator %[[STEP]]
// CHECK:         %[[N:.+]] = arith.constant 4 : index
// CHECK:         scf.for %[[J:.+]] = %{{.+}} to %[[N]]
// CHECK:           %[[V0:.+]] = memref.load %[[V]][%[[J]]]
// CHECK:           %[[I0:.+]] = memref.load %[[I]][%[[J]]]
// CHECK:           %[[MV:.+]] = arith.mulf %[[M]], %[[V0]]
// CHECK:           %[[CI:.+]] = arith.mulf %[[C]], %[[I0]]
// CHECK:           %[[V1:.+]] = arith.addf %[[MV]], %[[CI]]
// CHECK:           %[[I1:.+]] = arith.mulf %[[S]], %[[I0]]
// CHECK:           memref.store %[[V1]], %[[V]][%[[J]]]
// CHECK:           memref.store %[[I1]], %[[I]][%[[J]]]

// CHECK-LABEL: func.func @net_hid_crossing(
// CHECK:         ev.crossing %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} tau_mem(1.000000e+01) tau_syn(1.000000e+01)

// CHECK-LABEL: func.func @net_out_advance(
// CHECK-SAME:      memref<2xf64>
// CHECK:         ev.propagator %{{.+}} tau_mem(2.000000e+01) tau_syn(5.000000e+00)
// The readout never spikes: no crossing kernel.
// CHECK-NOT:   func.func @net_out_crossing

// CHECK-LABEL: func.func @net_in_hid_fanout(
// CHECK-SAME:      %[[W:.+]]: memref<4x3xf64>, %[[PRE:.+]]: index, %[[CUR:.+]]: memref<4xf64>)
// CHECK:         ev.fanout %[[W]][%[[PRE]]] into %[[CUR]] : memref<4x3xf64>, memref<4xf64>
// CHECK-LABEL: func.func @net_hid_hid_fanout(
// CHECK-SAME:      memref<4x4xf64>
// CHECK-LABEL: func.func @net_hid_out_fanout(
// CHECK-SAME:      memref<2x4xf64>

// The jump folds the population's reset value.
// CHECK-LABEL: func.func @net_hid_adjoint_jump(
// CHECK-SAME:      %[[AFTER:[^:]+]]: f64, %[[CURRENT:[^:]+]]: f64, %[[THETA:[^:]+]]: f64, %[[FANOUT:[^:]+]]: f64, %[[DLDT:[^:]+]]: f64) -> f64
// CHECK:         %[[RESET:.+]] = arith.constant -2.500000e-01 : f64
// CHECK:         ev.adjoint_jump %[[AFTER]], %[[CURRENT]], %[[THETA]], %[[RESET]], %[[FANOUT]], %[[DLDT]]

// Weight gradients are scaled by -tau_syn of the postsynaptic population:
// 10 ms for the recurrent layer, 5 ms for the readout.
// CHECK-LABEL: func.func @net_in_hid_weight_grad(
// CHECK-SAME:      %[[LAMBDA:.+]]: memref<4xf64>, %[[GRAD:.+]]: memref<4x3xf64>, %[[P:.+]]: index)
// CHECK:         %[[SCALE:.+]] = arith.constant -1.000000e+01 : f64
// CHECK:         ev.accumulate %[[LAMBDA]] scale(%[[SCALE]]) into %[[GRAD]][%[[P]]]
// CHECK-LABEL: func.func @net_hid_hid_weight_grad(
// CHECK-LABEL: func.func @net_hid_out_weight_grad(
// CHECK:         arith.constant -5.000000e+00 : f64

// Without snn-derive-adjoint only forward kernels are built.
// FORWARD-NOT: adjoint_jump
// FORWARD-NOT: weight_grad
// FORWARD: func.func @net_hid_out_fanout
// FORWARD-NOT: adjoint_jump
// FORWARD-NOT: weight_grad

// KEEP: snn.network @net
// KEEP: func.func @net_hid_propagator

snn.network @net duration(30.0) {
  %in = snn.source "in" : !snn.source<3>
  %hid = snn.lif "hid" tau_mem(10.0) tau_syn(10.0) threshold(1.0)
      reset(-0.25) : !snn.lif<4>
  %out = snn.li "out" tau_mem(20.0) tau_syn(5.0) : !snn.li<2>
  snn.project "in_hid" %in -> %hid weight(dense<1.0> : tensor<4x3xf64>)
      learn <weight> : !snn.source<3> -> !snn.lif<4>
  snn.project "hid_hid" %hid -> %hid weight(dense<0.5> : tensor<4x4xf64>)
      learn <weight> : !snn.lif<4> -> !snn.lif<4>
  snn.project "hid_out" %hid -> %out weight(dense<1.0> : tensor<2x4xf64>)
      learn <weight> : !snn.lif<4> -> !snn.li<2>
  snn.max_voltage_loss %out : !snn.li<2>
}
