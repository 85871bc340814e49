// RUN: snn-translate --ncore-to-image %s -o %t.img
// RUN: snn-translate --image-to-json %t.img | FileCheck %s
//
// The loader rejects damaged images with a message saying what is wrong.
// RUN: python3 -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d[:10])" %t.img %t.short
// RUN: not snn-translate --image-to-json %t.short 2>&1 | FileCheck %s --check-prefix=SHORT
// RUN: python3 -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d[:-7])" %t.img %t.truncated
// RUN: not snn-translate --image-to-json %t.truncated 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[80]^=1; open(sys.argv[2],'wb').write(d)" %t.img %t.corrupt
// RUN: not snn-translate --image-to-json %t.corrupt 2>&1 | FileCheck %s --check-prefix=CORRUPT
// RUN: python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[8]=2; open(sys.argv[2],'wb').write(d)" %t.img %t.version
// RUN: not snn-translate --image-to-json %t.version 2>&1 | FileCheck %s --check-prefix=VERSION
// RUN: python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[0]=0; open(sys.argv[2],'wb').write(d)" %t.img %t.magic
// RUN: not snn-translate --image-to-json %t.magic 2>&1 | FileCheck %s --check-prefix=MAGIC

// CHECK: "version": 1,
// CHECK: "network": "tiny",
// CHECK: "preset": "small",
// CHECK: "cores": 4,
// CHECK: "time_step_ms": 0.125,
// CHECK: "duration_ticks": 8,
// CHECK: "readout_population": "out",
// CHECK: "readout": "ttfs",
// CHECK: "decay_fraction_bits": 20,
// CHECK: "name": "in",
// CHECK-NEXT: "kind": "source",
// CHECK-NEXT: "size": 2
// CHECK: "population": "out",
// CHECK: "core": 3,
// CHECK: "threshold": [65536, 60000],
// The decay factors over 0..8 ticks: 2^20 exp(-d * 0.125 / 20) and
// 2^20 exp(-d * 0.125 / 5); the coupling is 5/15 of their difference.
// CHECK: "mem_decay": [1048576, 1042043, 1035550, 1029098, 1022687, 1016315, 1009983, 1003690, 997436],
// CHECK: "syn_decay": [1048576, 1022687, 997436, 972810, 948791, 925365, 902518, 880234, 858501],
// CHECK: "coupling": [0, 6452, 12705, 18763, 24632, 30317, 35822, 41152, 46312]
// CHECK: "weight": [127, -64, 64, 127],
// CHECK: "delay_ticks": [0, 3, 63, 1]
// CHECK: "hops": 2

// SHORT: error: {{.*}}: truncated image: 10 bytes, shorter than the 32-byte header
// TRUNCATED: error: {{.*}}: truncated image: the header gives {{[0-9]+}} bytes, the file has {{[0-9]+}}
// CORRUPT: error: {{.*}}: corrupt image: checksum 0x{{[0-9a-f]+}}, the header says 0x{{[0-9a-f]+}}
// VERSION: error: {{.*}}: unsupported image version 2; this build reads version 1
// MAGIC: error: {{.*}}: not an ncore image: the file does not start with "SNNCCORE"

ncore.chip @tiny target(#ncore.target<"small">) duration(8)
    readout("out", ttfs) {
  %c0 = ncore.core 0 at(0, 0)
  %c3 = ncore.core 3 at(1, 1)
  %in = ncore.neuron_block "in" offset(0) size(2) source on %c0
  %out = ncore.neuron_block "out" offset(0) size(2) lif on %c3
      tau_mem(20.0) tau_syn(5.0) threshold([65536, 60000]) reset(0)
      refractory(4) state_lsb(1.52587890625e-05)
  ncore.synapse_table "in_out" %in -> %out
      weights(dense<[[127, -64], [64, 127]]> : tensor<2x2xi8>) scale(516)
      delays(dense<[[0, 3], [63, 1]]> : tensor<2x2xi8>)
  ncore.route %in -> %out hops(2)
}
