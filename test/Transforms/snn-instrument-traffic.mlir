// RUN: snn-opt %s -split-input-file --convert-snn-to-timestep=dt=0.5 --snn-instrument-traffic | FileCheck %s
// RUN: snn-opt %s -split-input-file --convert-snn-to-timestep=dt=0.5 --snn-instrument-traffic --snn-instrument-traffic | FileCheck %s --check-prefix=TWICE
// RUN: snn-opt %s -split-input-file --convert-snn-to-timestep=dt=0.5 --snn-instrument-traffic --convert-ev-to-llvm | FileCheck %s --check-prefix=LLVM

// Event kernels as convert-snn-to-ev builds them. The counters are
// entry 18 d + 6 p + c (d: 0 read, 1 written; p: 0 forward, 1 backward;
// c: 0 synapse, 1 state, 2 record, 3 queue, 4 grad). A fan-out to 3
// targets reads 24 bytes of weights (entry 0) and reads (1) and writes (19)
// 24 bytes of currents, counted in front of the op.

// CHECK-LABEL: func.func @net_in_out_fanout(
// CHECK-SAME:      %[[W:[^:]+]]: memref<3x2xf64>, %[[PRE:[^:]+]]: index, %[[CUR:[^:]+]]: memref<3xf64>,
// CHECK-SAME:      %[[CNT:[^:]+]]: memref<36xi64> {snn.traffic_counters}) attributes {snn.kernel = "fanout"}
// CHECK:         %[[E0:.+]] = arith.constant 0 : index
// CHECK:         %[[OLD0:.+]] = memref.load %[[CNT]][%[[E0]]] : memref<36xi64>
// CHECK:         %[[B0:.+]] = arith.constant 24 : i64
// CHECK:         %[[NEW0:.+]] = arith.addi %[[OLD0]], %[[B0]] : i64
// CHECK:         memref.store %[[NEW0]], %[[CNT]][%[[E0]]] : memref<36xi64>
// CHECK:         %[[E1:.+]] = arith.constant 1 : index
// CHECK:         %[[OLD1:.+]] = memref.load %[[CNT]][%[[E1]]]
// CHECK:         arith.constant 24 : i64
// CHECK:         memref.store %{{.+}}, %[[CNT]][%[[E1]]]
// CHECK:         %[[E19:.+]] = arith.constant 19 : index
// CHECK:         memref.load %[[CNT]][%[[E19]]]
// CHECK:         arith.constant 24 : i64
// CHECK:         memref.store %{{.+}}, %[[CNT]][%[[E19]]]
// CHECK-NEXT:    ev.fanout %[[W]][%[[PRE]]] into %[[CUR]] : memref<3x2xf64>, memref<3xf64>

// TWICE-LABEL: func.func @net_in_out_fanout(
// TWICE-SAME:      memref<36xi64> {snn.traffic_counters})
// TWICE-COUNT-3: arith.addi
// TWICE-NOT:     arith.addi
// TWICE:         ev.fanout

// The instrumented fan-out still lowers to the LLVM dialect, with one
// pointer more.
// LLVM: llvm.func @net_in_out_fanout(%{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: i64, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr {snn.traffic_counters})
func.func @net_in_out_fanout(%w: memref<3x2xf64>, %pre: index,
                             %current: memref<3xf64>)
    attributes {snn.kernel = "fanout"} {
  ev.fanout %w[%pre] into %current : memref<3x2xf64>, memref<3xf64>
  return
}

// -----

// The weight gradient runs backward: 16 bytes of lambda_I read as state
// (entry 7), a column of gradients read (10) and written (28).

// CHECK-LABEL: func.func @net_in_out_weight_grad(
// CHECK-SAME:      %[[CNT:[^:]+]]: memref<36xi64> {snn.traffic_counters}) attributes {snn.kernel = "weight_grad"}
// CHECK:         %[[E7:.+]] = arith.constant 7 : index
// CHECK:         memref.load %[[CNT]][%[[E7]]]
// CHECK:         arith.constant 16 : i64
// CHECK:         %[[E10:.+]] = arith.constant 10 : index
// CHECK:         memref.load %[[CNT]][%[[E10]]]
// CHECK:         arith.constant 16 : i64
// CHECK:         %[[E28:.+]] = arith.constant 28 : index
// CHECK:         memref.load %[[CNT]][%[[E28]]]
// CHECK:         arith.constant 16 : i64
// CHECK:         ev.accumulate
func.func @net_in_out_weight_grad(%lambda: memref<2xf64>,
                                  %grad: memref<2x3xf64>, %pre: index)
    attributes {snn.kernel = "weight_grad"} {
  %scale = arith.constant -5.0 : f64
  ev.accumulate %lambda scale(%scale) into %grad[%pre]
      : memref<2xf64>, memref<2x3xf64>
  return
}

// -----

// Element-wise accesses count one element each: the advance reads (1) and
// writes (19) 8 bytes of state per load and store, inside the loop. A
// kernel without memory accesses gets the argument all the same.

// CHECK-LABEL: func.func @net_out_advance(
// CHECK-SAME:      %[[V:[^:]+]]: memref<2xf64>, %{{[^:]+}}: memref<2xf64>, %{{[^:]+}}: f64, %[[CNT:[^:]+]]: memref<36xi64> {snn.traffic_counters})
// CHECK:         scf.for %[[J:.+]] =
// CHECK:           %[[E1:.+]] = arith.constant 1 : index
// CHECK:           memref.load %[[CNT]][%[[E1]]]
// CHECK:           arith.constant 8 : i64
// CHECK:           memref.load %[[V]][%[[J]]]
// CHECK:           %[[E19:.+]] = arith.constant 19 : index
// CHECK:           memref.load %[[CNT]][%[[E19]]]
// CHECK:           arith.constant 8 : i64
// CHECK:           memref.store %{{.+}}, %[[V]][%[[J]]]
// CHECK-LABEL: func.func @net_out_crossing(
// CHECK-SAME:      memref<36xi64> {snn.traffic_counters}) -> f64
// A function that is not a kernel is left alone.
// CHECK-LABEL: func.func @helper(
// CHECK-SAME:      %{{[^:]+}}: memref<2xf64>)
// CHECK-NOT:     arith.addi
func.func @net_out_advance(%v: memref<2xf64>, %i: memref<2xf64>, %dt: f64)
    attributes {snn.kernel = "advance"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %m = arith.constant 0.9 : f64
  scf.for %j = %c0 to %c2 step %c1 {
    %vj = memref.load %v[%j] : memref<2xf64>
    %scaled = arith.mulf %m, %vj : f64
    memref.store %scaled, %v[%j] : memref<2xf64>
  }
  return
}
func.func @net_out_crossing(%v: f64, %i: f64, %theta: f64, %horizon: f64)
    -> f64 attributes {snn.kernel = "crossing"} {
  return %v : f64
}
func.func @helper(%v: memref<2xf64>) {
  %c0 = arith.constant 0 : index
  %x = memref.load %v[%c0] : memref<2xf64>
  memref.store %x, %v[%c0] : memref<2xf64>
  return
}

// -----

// Time-stepped kernels name the class of each argument in snn.memory. The
// forward step reads state (entry 1), writes the spike byte to the queue
// (21, 1 byte) and the record (20: 8 bytes of voltage, 1 byte of flags);
// the delay table global counts as synapse (0, 4 bytes per i32).

// CHECK-LABEL: func.func @ts_hid_step(
// CHECK-SAME:      %[[RING:[^:]+]]: memref<1x2xi8> {snn.memory = "queue"}, %[[VT:[^:]+]]: memref<4x2xf64> {snn.memory = "record"}, %[[FT:[^:]+]]: memref<4x2xi8> {snn.memory = "record"}, %[[STEP:[^:]+]]: index, %[[CNT:[^:]+]]: memref<36xi64> {snn.traffic_counters})
// CHECK-SAME:      attributes {snn.kernel = "step"}
// CHECK:         %[[E21:.+]] = arith.constant 21 : index
// CHECK:         memref.load %[[CNT]][%[[E21]]]
// CHECK:         arith.constant 1 : i64
// CHECK:         memref.store %{{.+}}, %[[RING]]
// CHECK:         %[[E20:.+]] = arith.constant 20 : index
// CHECK:         memref.load %[[CNT]][%[[E20]]]
// CHECK:         arith.constant 8 : i64
// CHECK:         memref.store %{{.+}}, %[[VT]][%[[STEP]], %{{.+}}]
// CHECK:         %[[E20B:.+]] = arith.constant 20 : index
// CHECK:         memref.load %[[CNT]][%[[E20B]]]
// CHECK:         arith.constant 1 : i64
// CHECK:         memref.store %{{.+}}, %[[FT]][%[[STEP]], %{{.+}}]
// CHECK:         %[[TABLE:.+]] = memref.get_global @ts_delays
// CHECK:         %[[E0:.+]] = arith.constant 0 : index
// CHECK:         memref.load %[[CNT]][%[[E0]]]
// CHECK:         arith.constant 4 : i64
// CHECK:         memref.load %[[TABLE]]
memref.global "private" constant @ts_delays : memref<2xi32> = dense<[0, 1]>
    {snn.memory = "synapse"}
func.func @ts_hid_step(%ring: memref<1x2xi8> {snn.memory = "queue"},
                       %vtrace: memref<4x2xf64> {snn.memory = "record"},
                       %ftrace: memref<4x2xi8> {snn.memory = "record"},
                       %step: index) attributes {snn.kernel = "step"} {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i8
  %v = arith.constant 1.5 : f64
  memref.store %one, %ring[%c0, %c0] : memref<1x2xi8>
  memref.store %v, %vtrace[%step, %c0] : memref<4x2xf64>
  memref.store %one, %ftrace[%step, %c0] : memref<4x2xi8>
  %table = memref.get_global @ts_delays : memref<2xi32>
  %d = memref.load %table[%c0] : memref<2xi32>
  return
}

// -----

// The backward step of a generated network: the traces are read as record
// in the backward phase (entry 8) and the threshold gradient is read (10)
// and written (28) as grad.

// CHECK-LABEL: func.func @gen_hid_backward_step(
// CHECK-SAME:      %[[VT:[^:]+]]: memref<4x1xf64> {snn.memory = "record"}, %[[FT:[^:]+]]: memref<4x1xi8> {snn.memory = "record"}, %[[TG:[^:]+]]: memref<1xf64> {snn.memory = "grad"}, %{{[^:]+}}: index, %[[CNT:[^:]+]]: memref<36xi64> {snn.traffic_counters})
// CHECK:         %[[E8:.+]] = arith.constant 8 : index
// CHECK:         memref.load %[[CNT]][%[[E8]]]
// CHECK:         arith.constant 1 : i64
// CHECK:         memref.load %[[FT]]
// CHECK:         %[[E8B:.+]] = arith.constant 8 : index
// CHECK:         memref.load %[[CNT]][%[[E8B]]]
// CHECK:         arith.constant 8 : i64
// CHECK:         memref.load %[[VT]]
// CHECK:         %[[E10:.+]] = arith.constant 10 : index
// CHECK:         memref.load %[[CNT]][%[[E10]]]
// CHECK:         memref.load %[[TG]]
// CHECK:         %[[E28:.+]] = arith.constant 28 : index
// CHECK:         memref.load %[[CNT]][%[[E28]]]
// CHECK:         memref.store %{{.+}}, %[[TG]]
snn.network @gen duration(2.0) {
  %in = snn.source "in" : !snn.source<1>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      learn <threshold> : !snn.lif<1>
  snn.project "in_hid" %in -> %hid weight(dense<[[2.0]]> : tensor<1x1xf64>)
      : !snn.source<1> -> !snn.lif<1>
  snn.ttfs_loss %hid tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<1>
}
