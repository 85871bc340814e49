// RUN: snn-opt %s -split-input-file -verify-diagnostics --snn-instrument-traffic

// A kernel kind the pass has no phase for.

// expected-error @+1 {{has unknown kernel kind 'optimizer'}}
func.func @net_out_optimizer(%w: memref<2xf64>)
    attributes {snn.kernel = "optimizer"} {
  return
}

// -----

// A memref argument without snn.memory in a kernel whose ABI names none.

func.func @net_out_step(%v: memref<2xf64>) attributes {snn.kernel = "step"} {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{accesses memory whose class cannot be told}}
  %x = memref.load %v[%c0] : memref<2xf64>
  return
}

// -----

// Local scratch memory has no class either.

func.func @net_out_deliver() attributes {snn.kernel = "deliver"} {
  %c0 = arith.constant 0 : index
  %scratch = memref.alloca() : memref<2xf64>
  // expected-error @+1 {{accesses memory whose class cannot be told}}
  %x = memref.load %scratch[%c0] : memref<2xf64>
  return
}
