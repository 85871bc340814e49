// RUN: snn-opt %s -split-input-file -convert-ev-to-llvm=std-only | FileCheck %s

// Distinct time constants (20, 5): the reciprocals, the rate gap and the
// coupling ratio are folded, and the coupling is chosen at run time between
// the expm1 form (|D rateGap| < 1) and the difference of exponentials.

// CHECK-LABEL: func.func @net_hidden_propagator
// CHECK-SAME:    (%[[DT:.*]]: f64, %[[OUT:.*]]: memref<3xf64>)
// CHECK-NOT:     ev.
// CHECK:         %[[NEG_INV_MEM:.*]] = arith.constant -5.000000e-02 : f64
// CHECK:         %[[MEM_ARG:.*]] = arith.mulf %[[DT]], %[[NEG_INV_MEM]]
// CHECK:         %[[MEM:.*]] = math.exp %[[MEM_ARG]]
// CHECK:         %[[NEG_INV_SYN:.*]] = arith.constant -2.000000e-01 : f64
// CHECK:         %[[SYN_ARG:.*]] = arith.mulf %[[DT]], %[[NEG_INV_SYN]]
// CHECK:         %[[SYN:.*]] = math.exp %[[SYN_ARG]]
// CHECK:         %[[RATE_GAP:.*]] = arith.constant 1.500000e-01 : f64
// CHECK:         %[[GAP:.*]] = arith.mulf %[[DT]], %[[RATE_GAP]]
// CHECK:         %[[ABS:.*]] = math.absf %[[GAP]]
// CHECK:         %[[SMALL:.*]] = arith.cmpf olt, %[[ABS]]
// CHECK:         %[[COUPLING:.*]] = scf.if %[[SMALL]] -> (f64) {
// CHECK:           math.expm1
// CHECK:           %[[INV_MEM:.*]] = arith.constant 5.000000e-02 : f64
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[DT]], %[[INV_MEM]]
// CHECK:           arith.mulf %[[SCALED]], %[[MEM]]
// CHECK:         } else {
// CHECK:           %[[DIFF:.*]] = arith.subf %[[MEM]], %[[SYN]]
// CHECK:           %[[RATIO:.*]] = arith.constant 0.33333333333333331 : f64
// CHECK:           arith.mulf %[[RATIO]], %[[DIFF]]
// CHECK:         }
// CHECK:         memref.store %[[MEM]], %[[OUT]]
// CHECK:         memref.store %[[SYN]], %[[OUT]]
// CHECK:         memref.store %[[COUPLING]], %[[OUT]]
func.func @net_hidden_propagator(%dt: f64, %out: memref<3xf64>) {
  %mem, %syn, %coupling = ev.propagator %dt tau_mem(20.0) tau_syn(5.0) : f64
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  memref.store %mem, %out[%c0] : memref<3xf64>
  memref.store %syn, %out[%c1] : memref<3xf64>
  memref.store %coupling, %out[%c2] : memref<3xf64>
  return
}

// -----

// Equal time constants (10, 10) are resolved at compile time: one
// exponential serves both decays and the coupling is (D/tau) e^{-D/tau},
// with no branch and no expm1.

// CHECK-LABEL: func.func @net_equal_propagator
// CHECK-SAME:    (%[[DT:.*]]: f64, %[[OUT:.*]]: memref<3xf64>)
// CHECK-NOT:     scf.if
// CHECK-NOT:     math.expm1
// CHECK:         %[[NEG_INV:.*]] = arith.constant -1.000000e-01 : f64
// CHECK:         %[[ARG:.*]] = arith.mulf %[[DT]], %[[NEG_INV]]
// CHECK:         %[[DECAY:.*]] = math.exp %[[ARG]]
// CHECK:         %[[INV:.*]] = arith.constant 1.000000e-01 : f64
// CHECK:         %[[SCALED:.*]] = arith.mulf %[[DT]], %[[INV]]
// CHECK:         %[[COUPLING:.*]] = arith.mulf %[[SCALED]], %[[DECAY]]
// CHECK-NOT:     math.exp
// CHECK:         memref.store %[[DECAY]], %[[OUT]]
// CHECK:         memref.store %[[DECAY]], %[[OUT]]
// CHECK:         memref.store %[[COUPLING]], %[[OUT]]
func.func @net_equal_propagator(%dt: f64, %out: memref<3xf64>) {
  %mem, %syn, %coupling = ev.propagator %dt tau_mem(10.0) tau_syn(10.0) : f64
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  memref.store %mem, %out[%c0] : memref<3xf64>
  memref.store %syn, %out[%c1] : memref<3xf64>
  memref.store %coupling, %out[%c2] : memref<3xf64>
  return
}

// -----

// The crossing with distinct time constants: early exits as nested scf.if,
// the extremum through log1p scaled by the folded (tau_mem - tau_syn) /
// tau_mem, and the bracketed solve as one scf.while of at most 200 steps
// whose upper bracket end is the result when it runs out.

// CHECK-LABEL: func.func @net_hidden_crossing
// CHECK-SAME:    (%[[V:.*]]: f64, %[[I:.*]]: f64, %[[THETA:.*]]: f64, %[[HORIZON:.*]]: f64) -> f64
// CHECK:         %[[BELOW:.*]] = arith.cmpf olt, %[[V]], %[[THETA]]
// CHECK:         scf.if
// CHECK:           arith.cmpf ogt, %[[HORIZON]]
// CHECK:           scf.if
// CHECK:             %[[NEG_TAU_SYN:.*]] = arith.constant -5.000000e+00 : f64
// CHECK:             %[[REL_GAP:.*]] = arith.constant 7.500000e-01 : f64
// CHECK:             %[[U:.*]] = arith.mulf %[[REL_GAP]]
// CHECK:             math.log1p %[[U]]
// CHECK:             %[[RISING:.*]] = arith.cmpf ogt, %[[I]], %[[V]]
// CHECK:             scf.while (%[[IT:.*]] = %{{.*}}, %[[LO:.*]] = %{{.*}}, %[[HI:.*]] = %{{.*}}, %[[GUESS:.*]] = %{{.*}}, %[[RESULT:.*]] = %{{.*}}, %[[DONE:.*]] = %{{.*}}) : (i32, f64, f64, f64, f64, i1)
// CHECK:               %[[MAX:.*]] = arith.constant 200 : i32
// CHECK:               arith.cmpi slt, %[[IT]], %[[MAX]]
// CHECK:               scf.condition
// CHECK:             } do {
// CHECK:               math.exp
// CHECK:               math.exp
// CHECK:               scf.if
// CHECK:               arith.bitcast %{{.*}} : f64 to i64
// CHECK:               arith.constant 4.000000e+00 : f64
// CHECK:               arith.divf
// CHECK:               arith.constant 2.000000e+00 : f64
// CHECK:               scf.yield
// CHECK:             }
// CHECK:             %[[CROSSING:.*]] = arith.select %[[FINAL:.*]]#5, %[[FINAL]]#4, %[[FINAL]]#2 : f64
// CHECK:             scf.yield %[[CROSSING]]
// CHECK-NOT:     ev.
// CHECK:         return
func.func @net_hidden_crossing(%v: f64, %i: f64, %theta: f64,
                               %horizon: f64) -> f64 {
  %t = ev.crossing %v, %i, %theta, %horizon tau_mem(20.0) tau_syn(5.0) : f64
  return %t : f64
}

// -----

// The crossing with equal time constants: the extremum is -tau (v/i - 1)
// without log1p, and the Newton step uses the single exponential.

// CHECK-LABEL: func.func @net_equal_crossing
// CHECK-NOT:     math.log1p
// CHECK-NOT:     math.expm1
// CHECK:         %[[NEG_TAU:.*]] = arith.constant -1.000000e+01 : f64
// CHECK:         arith.mulf %[[NEG_TAU]]
// CHECK:         scf.while
// CHECK:         } do {
// CHECK:           math.exp
// CHECK-NOT:       math.exp
// CHECK-NOT:       scf.if
// CHECK:           scf.yield
// CHECK-NOT:     math.log1p
// CHECK:         return
func.func @net_equal_crossing(%v: f64, %i: f64, %theta: f64,
                              %horizon: f64) -> f64 {
  %t = ev.crossing %v, %i, %theta, %horizon tau_mem(10.0) tau_syn(10.0) : f64
  return %t : f64
}

// -----

// The fan-out is a loop over the four targets adding column %pre of the
// weights to the currents.

// CHECK-LABEL: func.func @net_in_hidden_fanout
// CHECK-SAME:    (%[[W:.*]]: memref<4x3xf64>, %[[PRE:.*]]: index, %[[CUR:.*]]: memref<4xf64>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[FOUR:.*]] = arith.constant 4 : index
// CHECK:         scf.for %[[J:.*]] = %[[ZERO]] to %[[FOUR]] step %[[ONE]] {
// CHECK:           %[[WEIGHT:.*]] = memref.load %[[W]][%[[J]], %[[PRE]]]
// CHECK:           %[[OLD:.*]] = memref.load %[[CUR]][%[[J]]]
// CHECK:           %[[NEW:.*]] = arith.addf %[[OLD]], %[[WEIGHT]]
// CHECK:           memref.store %[[NEW]], %[[CUR]][%[[J]]]
// CHECK:         }
func.func @net_in_hidden_fanout(%weight: memref<4x3xf64>, %pre: index,
                                %current: memref<4xf64>) {
  ev.fanout %weight[%pre] into %current : memref<4x3xf64>, memref<4xf64>
  return
}

// -----

// The weight gradient is a loop over the targets adding the scaled adjoint
// into column %pre.

// CHECK-LABEL: func.func @net_in_hidden_weight_grad
// CHECK-SAME:    (%[[LAMBDA:.*]]: memref<4xf64>, %[[GRAD:.*]]: memref<4x3xf64>, %[[PRE:.*]]: index)
// CHECK:         %[[SCALE:.*]] = arith.constant -5.000000e+00 : f64
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           %[[ADJ:.*]] = memref.load %[[LAMBDA]][%[[J]]]
// CHECK:           %[[OLD:.*]] = memref.load %[[GRAD]][%[[J]], %[[PRE]]]
// CHECK:           %[[PART:.*]] = arith.mulf %[[SCALE]], %[[ADJ]]
// CHECK:           %[[NEW:.*]] = arith.addf %[[OLD]], %[[PART]]
// CHECK:           memref.store %[[NEW]], %[[GRAD]][%[[J]], %[[PRE]]]
// CHECK:         }
func.func @net_in_hidden_weight_grad(%lambda_i: memref<4xf64>,
                                     %grad: memref<4x3xf64>, %pre: index) {
  %scale = arith.constant -5.0 : f64
  ev.accumulate %lambda_i scale(%scale) into %grad[%pre]
      : memref<4xf64>, memref<4x3xf64>
  return
}

// -----

// The adjoint jump is straight-line arithmetic.

// CHECK-LABEL: func.func @net_hidden_adjoint_jump
// CHECK-SAME:    (%[[AFTER:.*]]: f64, %[[CUR:.*]]: f64, %[[THETA:.*]]: f64, %[[FANOUT:.*]]: f64, %[[DLDT:.*]]: f64)
// CHECK:         %[[RESET:.*]] = arith.constant 0.000000e+00 : f64
// CHECK:         %[[SINCE:.*]] = arith.subf %[[CUR]], %[[RESET]]
// CHECK:         %[[CARRIED:.*]] = arith.mulf %[[SINCE]], %[[AFTER]]
// CHECK:         %[[SUM:.*]] = arith.addf %[[CARRIED]], %[[FANOUT]]
// CHECK:         %[[NUM:.*]] = arith.addf %[[SUM]], %[[DLDT]]
// CHECK:         %[[DEN:.*]] = arith.subf %[[CUR]], %[[THETA]]
// CHECK:         %[[BEFORE:.*]] = arith.divf %[[NUM]], %[[DEN]]
// CHECK:         return %[[BEFORE]]
func.func @net_hidden_adjoint_jump(%after: f64, %current: f64, %theta: f64,
                                   %fanout: f64, %dldt: f64) -> f64 {
  %reset = arith.constant 0.0 : f64
  %before = ev.adjoint_jump %after, %current, %theta, %reset, %fanout, %dldt
      : f64
  return %before : f64
}
