// RUN: snn-opt %s -convert-ev-to-llvm | FileCheck %s \
// RUN:   --implicit-check-not="{{(ev|arith|math|scf|memref|func|cf)\.[a-z]}}" \
// RUN:   --implicit-check-not=unrealized_conversion_cast
// RUN: snn-opt %s -convert-ev-to-llvm="bare-ptr-memref-call-conv=false" \
// RUN:   | FileCheck %s --check-prefix=DESCRIPTOR
// RUN: snn-opt %s -snn-lower-to-cpu | FileCheck %s \
// RUN:   --implicit-check-not="{{(ev|arith|math|scf|memref|func|cf)\.[a-z]}}"

// The whole lowering leaves only LLVM dialect ops. Memrefs become bare
// pointers and indices i64, so every kernel is a plain C function; expm1
// and log1p become libm calls rather than their imprecise expansions.

// CHECK-DAG:   llvm.func @expm1(f64) -> f64
// CHECK-DAG:   llvm.func @log1p(f64) -> f64
// CHECK-LABEL: llvm.func @net_hidden_propagator(%{{.*}}: f64, %{{.*}}: !llvm.ptr)
// CHECK:         llvm.intr.exp
// CHECK:         llvm.call @expm1
// CHECK:         llvm.store
// CHECK-LABEL: llvm.func @net_hidden_crossing(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64) -> f64
// CHECK:         llvm.call @log1p
// CHECK:         llvm.cond_br
// CHECK-LABEL: llvm.func @net_in_hidden_fanout(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: !llvm.ptr)
// CHECK:         llvm.getelementptr
// CHECK:         llvm.fadd
// CHECK:         llvm.store
// CHECK-LABEL: llvm.func @net_hidden_adjoint_jump
// CHECK:         llvm.fdiv

// Without the bare-pointer convention memrefs travel as descriptors.
// DESCRIPTOR-LABEL: llvm.func @net_hidden_propagator
// DESCRIPTOR-SAME:    (%{{.*}}: f64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64)

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

func.func @net_hidden_crossing(%v: f64, %i: f64, %theta: f64,
                               %horizon: f64) -> f64 {
  %t = ev.crossing %v, %i, %theta, %horizon tau_mem(20.0) tau_syn(5.0) : f64
  return %t : f64
}

func.func @net_in_hidden_fanout(%weight: memref<4x3xf64>, %pre: index,
                                %current: memref<4xf64>) {
  ev.fanout %weight[%pre] into %current : memref<4x3xf64>, memref<4xf64>
  return
}

func.func @net_hidden_adjoint_jump(%after: f64, %current: f64, %theta: f64,
                                   %fanout: f64, %dldt: f64) -> f64 {
  %reset = arith.constant 0.0 : f64
  %before = ev.adjoint_jump %after, %current, %theta, %reset, %fanout, %dldt
      : f64
  return %before : f64
}
