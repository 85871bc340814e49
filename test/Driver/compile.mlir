// snnc compile lowers ev kernels with the CPU pipeline and writes the LLVM
// dialect module, LLVM IR text or a native object file.

// RUN: snnc compile %s --emit=mlir -o - | FileCheck %s --check-prefix=MLIR
// RUN: snnc compile %s --emit=llvm -o %t.ll && FileCheck %s --check-prefix=LLVM < %t.ll
// RUN: snnc compile %s --emit=obj -o %t.o
// RUN: head -c4 %t.o | od -An -c | FileCheck %s --check-prefix=ELF
// RUN: llvm-nm %t.o | FileCheck %s --check-prefix=SYMBOLS

// The MLIR output is the LLVM dialect with bare-pointer signatures.
// MLIR-LABEL: llvm.func @tiny_out_propagator(%{{.*}}: f64, %{{.*}}: !llvm.ptr)
// MLIR:         llvm.intr.exp
// MLIR-LABEL: llvm.func @tiny_out_crossing(
// MLIR-SAME:    f64) -> f64
// MLIR-LABEL: llvm.func @tiny_in_out_fanout(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: !llvm.ptr)
// MLIR-NOT:   ev.
// MLIR-NOT:   func.func

// The LLVM IR defines plain C functions.
// LLVM-DAG: define void @tiny_out_propagator(double {{.*}}, ptr {{.*}})
// LLVM-DAG: define double @tiny_out_crossing(double {{.*}}, double {{.*}}, double {{.*}}, double {{.*}})
// LLVM-DAG: define void @tiny_in_out_fanout(ptr {{.*}}, i64 {{.*}}, ptr {{.*}})
// LLVM-DAG: declare double @expm1(double)

// ELF: 177   E   L   F

// SYMBOLS-DAG: U expm1
// SYMBOLS-DAG: T tiny_in_out_fanout
// SYMBOLS-DAG: T tiny_out_crossing
// SYMBOLS-DAG: T tiny_out_propagator

// Errors name the problem and exit non-zero.
// RUN: not snnc compile %s --emit=asm -o %t.s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-EMIT
// BAD-EMIT: error: unknown --emit kind 'asm'; expected mlir, llvm or obj
// RUN: not snnc compile %t.missing.mlir --emit=mlir 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING
// MISSING: error: cannot read model '{{.*}}missing.mlir'
// RUN: not snnc compile %s --emit=obj -o %t.no-such-dir/kernels.o 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNWRITABLE
// UNWRITABLE: error: cannot open output file '{{.*}}no-such-dir/kernels.o'

func.func @tiny_out_propagator(%dt: f64, %out: memref<3xf64>) {
  %mem, %syn, %coupling = ev.propagator %dt tau_mem(20.0) tau_syn(5.0) : f64
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  memref.store %mem, %out[%c0] : memref<3xf64>
  memref.store %syn, %out[%c1] : memref<3xf64>
  memref.store %coupling, %out[%c2] : memref<3xf64>
  return
}

func.func @tiny_out_crossing(%v: f64, %i: f64, %theta: f64,
                             %horizon: f64) -> f64 {
  %t = ev.crossing %v, %i, %theta, %horizon tau_mem(20.0) tau_syn(5.0) : f64
  return %t : f64
}

func.func @tiny_in_out_fanout(%weight: memref<2x3xf64>, %pre: index,
                              %current: memref<2xf64>) {
  ev.fanout %weight[%pre] into %current : memref<2x3xf64>, memref<2xf64>
  return
}
