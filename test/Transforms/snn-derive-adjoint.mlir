// RUN: snn-opt %s --snn-derive-adjoint | FileCheck %s
// RUN: snn-opt %s --snn-derive-adjoint --snn-derive-adjoint | FileCheck %s

// Feed-forward, two hidden layers: the error travels from the loss through
// both hidden adjoints; the first projection has a source as presynaptic end
// and only accumulates its weight gradient.
// CHECK-LABEL: snn.network @feed_forward
// CHECK:   %[[H1:.+]] = snn.adjoint_lif %h1 grad <threshold> : !snn.lif<4> -> !snn.adjoint<4>
// CHECK:   %[[H2:.+]] = snn.adjoint_lif %h2 : !snn.lif<3> -> !snn.adjoint<3>
// CHECK:   %[[OUT:.+]] = snn.adjoint_lif %out : !snn.lif<2> -> !snn.adjoint<2>
// CHECK:   snn.adjoint_project "in_h1" %[[H1]] grad <weight> : !snn.adjoint<4>{{$}}
// CHECK:   snn.adjoint_project "h1_h2" %[[H2]] -> %[[H1]] grad <weight> : !snn.adjoint<3> -> !snn.adjoint<4>
// CHECK:   snn.adjoint_project "h2_out" %[[OUT]] -> %[[H2]] grad <weight> : !snn.adjoint<2> -> !snn.adjoint<3>
// CHECK:   snn.adjoint_loss %[[OUT]] : !snn.adjoint<2>
// CHECK-NOT: snn.adjoint
// CHECK: }
snn.network @feed_forward duration(30.0) {
  %in = snn.source "in" : !snn.source<2>
  %h1 = snn.lif "h1" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      learn <threshold> : !snn.lif<4>
  %h2 = snn.lif "h2" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<3>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_h1" %in -> %h1 weight(dense<1.0> : tensor<4x2xf64>)
      learn <weight> : !snn.source<2> -> !snn.lif<4>
  snn.project "h1_h2" %h1 -> %h2 weight(dense<1.0> : tensor<3x4xf64>)
      learn <weight> : !snn.lif<4> -> !snn.lif<3>
  snn.project "h2_out" %h2 -> %out weight(dense<1.0> : tensor<2x3xf64>)
      learn <weight> : !snn.lif<3> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}

// Recurrent: the adjoint projection of a recurrent projection sends the
// error from the population's adjoint back to itself.
// CHECK-LABEL: snn.network @recurrent
// CHECK:   %[[REC:.+]] = snn.adjoint_lif %rec : !snn.lif<3> -> !snn.adjoint<3>
// CHECK:   %[[OUT:.+]] = snn.adjoint_li %out : !snn.li<2> -> !snn.adjoint<2>
// CHECK:   snn.adjoint_project "in_rec" %[[REC]] grad <weight>
// CHECK:   snn.adjoint_project "rec_rec" %[[REC]] -> %[[REC]] grad <weight> : !snn.adjoint<3> -> !snn.adjoint<3>
// CHECK:   snn.adjoint_project "rec_out" %[[OUT]] -> %[[REC]] grad <weight>
// CHECK:   snn.adjoint_loss %[[OUT]] : !snn.adjoint<2>
snn.network @recurrent duration(30.0) {
  %in = snn.source "in" : !snn.source<2>
  %rec = snn.lif "rec" tau_mem(10.0) tau_syn(10.0) threshold(1.0)
      : !snn.lif<3>
  %out = snn.li "out" tau_mem(20.0) tau_syn(5.0) : !snn.li<2>
  snn.project "in_rec" %in -> %rec weight(dense<1.0> : tensor<3x2xf64>)
      learn <weight> : !snn.source<2> -> !snn.lif<3>
  snn.project "rec_rec" %rec -> %rec weight(dense<0.5> : tensor<3x3xf64>)
      learn <weight> : !snn.lif<3> -> !snn.lif<3>
  snn.project "rec_out" %rec -> %out weight(dense<1.0> : tensor<2x3xf64>)
      learn <weight> : !snn.lif<3> -> !snn.li<2>
  snn.max_voltage_loss %out : !snn.li<2>
}

// Delays: a projection learning only its delays still gets an adjoint that
// accumulates them.
// CHECK-LABEL: snn.network @delayed
// CHECK:   snn.adjoint_project "in_hid" %{{.+}} grad <delay> : !snn.adjoint<2>{{$}}
// CHECK:   snn.adjoint_project "hid_out" %{{.+}} -> %{{.+}} grad <weight, delay>
snn.network @delayed duration(30.0) {
  %in = snn.source "in" : !snn.source<1>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_hid" %in -> %hid weight(dense<2.0> : tensor<2x1xf64>)
      delay(dense<[[1.0], [2.0]]> : tensor<2x1xf64>) learn <delay>
      : !snn.source<1> -> !snn.lif<2>
  snn.project "hid_out" %hid -> %out weight(dense<2.0> : tensor<2x2xf64>)
      delay(0.5) learn <weight, delay> : !snn.lif<2> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// Pruning: only the last layer learns, so no error needs to reach the
// hidden layer and it gets no adjoint; the output's adjoint only
// accumulates the gradient of its incoming weights.
// CHECK-LABEL: snn.network @last_layer_only
// CHECK-NOT:   snn.adjoint_lif %hid
// CHECK:   %[[OUT:.+]] = snn.adjoint_lif %out
// CHECK-NOT:   snn.adjoint_project "in_hid"
// CHECK:   snn.adjoint_project "hid_out" %[[OUT]] grad <weight> : !snn.adjoint<2>{{$}}
// CHECK:   snn.adjoint_loss %[[OUT]]
snn.network @last_layer_only duration(30.0) {
  %in = snn.source "in" : !snn.source<1>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_hid" %in -> %hid weight(dense<2.0> : tensor<2x1xf64>)
      : !snn.source<1> -> !snn.lif<2>
  snn.project "hid_out" %hid -> %out weight(dense<2.0> : tensor<2x2xf64>)
      learn <weight> : !snn.lif<2> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// A side branch that never reaches the loss gets no adjoint, even though it
// learns: its parameters do not affect the loss.
// CHECK-LABEL: snn.network @dead_branch
// CHECK-NOT:   snn.adjoint_lif %side
// CHECK-NOT:   snn.adjoint_project "in_side"
// CHECK:   snn.adjoint_loss
snn.network @dead_branch duration(30.0) {
  %in = snn.source "in" : !snn.source<1>
  %side = snn.lif "side" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      learn <threshold> : !snn.lif<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_side" %in -> %side weight(dense<2.0> : tensor<2x1xf64>)
      learn <weight> : !snn.source<1> -> !snn.lif<2>
  snn.project "in_out" %in -> %out weight(dense<2.0> : tensor<2x1xf64>)
      learn <weight> : !snn.source<1> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// Without a loss there is nothing to differentiate.
// CHECK-LABEL: snn.network @inference_only
// CHECK-NOT: snn.adjoint
// CHECK: }
snn.network @inference_only duration(30.0) {
  %in = snn.source "in" : !snn.source<1>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_out" %in -> %out weight(dense<2.0> : tensor<2x1xf64>)
      : !snn.source<1> -> !snn.lif<2>
}
