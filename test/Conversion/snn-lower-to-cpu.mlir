// RUN: snn-opt %s --snn-lower-to-cpu | FileCheck %s

// The named pipeline takes a network all the way to the LLVM dialect: the
// adjoint is derived, the kernels are built and lowered, and nothing of the
// snn, ev, scf, arith, math, memref or func dialects is left.

// CHECK-NOT: snn.
// CHECK-NOT: ev.
// CHECK-DAG: llvm.func @tiny_out_propagator(%{{.+}}: f64, %{{.+}}: !llvm.ptr)
// CHECK-DAG: llvm.func @tiny_out_advance(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: f64)
// CHECK-DAG: llvm.func @tiny_out_crossing(%{{.+}}: f64, %{{.+}}: f64, %{{.+}}: f64, %{{.+}}: f64) -> f64
// CHECK-DAG: llvm.func @tiny_out_adjoint_jump(%{{.+}}: f64, %{{.+}}: f64, %{{.+}}: f64, %{{.+}}: f64, %{{.+}}: f64) -> f64
// CHECK-DAG: llvm.func @tiny_in_out_fanout(%{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: !llvm.ptr)
// CHECK-DAG: llvm.func @tiny_in_out_weight_grad(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: i64)
// CHECK-NOT: {{ (scf|arith|math|memref|func|cf)\.}}

snn.network @tiny duration(20.0) {
  %in = snn.source "in" : !snn.source<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_out" %in -> %out weight(dense<1.0> : tensor<2x2xf64>)
      learn <weight> : !snn.source<2> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}
