// The exported file has the layout the NIR reference reader expects, as
// HDF5's own tools see it: a /version string, a /node NIRGraph with an N x 2
// edge list, and one group per node with its type and float64 fields.
//
// RUN: snn-translate --export-nir %s -o %t.nir 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: h5ls -r %t.nir | FileCheck %s --check-prefix=LS
// RUN: h5dump -H -p %t.nir | FileCheck %s --check-prefix=HEADER
// RUN: h5dump -d /node/edges -d /node/nodes/hid/type -d /node/nodes/hid/w_in %t.nir | FileCheck %s --check-prefix=DATA

// REMARK: remark: the loss is not written: NIR has no losses
// REMARK: remark: learn flags are not written: NIR has no training state

// LS:      /node                    Group
// LS-NEXT: /node/edges              Dataset {6, 2}
// LS-NEXT: /node/nodes              Group
// LS-NEXT: /node/nodes/hid          Group
// LS-NEXT: /node/nodes/hid/r        Dataset {3}
// LS-NEXT: /node/nodes/hid/tau_mem  Dataset {3}
// LS-NEXT: /node/nodes/hid/tau_syn  Dataset {3}
// LS-NEXT: /node/nodes/hid/type     Dataset {SCALAR}
// LS-NEXT: /node/nodes/hid/v_leak   Dataset {3}
// LS-NEXT: /node/nodes/hid/v_reset  Dataset {3}
// LS-NEXT: /node/nodes/hid/v_threshold Dataset {3}
// LS-NEXT: /node/nodes/hid/w_in     Dataset {3}
// LS-NEXT: /node/nodes/hid_out      Group
// LS-NEXT: /node/nodes/hid_out/type Dataset {SCALAR}
// LS-NEXT: /node/nodes/hid_out/weight Dataset {2, 3}
// LS-NEXT: /node/nodes/in           Group
// LS-NEXT: /node/nodes/in/shape     Dataset {1}
// LS-NEXT: /node/nodes/in/type      Dataset {SCALAR}
// LS-NEXT: /node/nodes/in_hid       Group
// LS-NEXT: /node/nodes/in_hid/type  Dataset {SCALAR}
// LS-NEXT: /node/nodes/in_hid/weight Dataset {3, 2}
// LS-NEXT: /node/nodes/in_hid.delay Group
// LS-NEXT: /node/nodes/in_hid.delay/delay Dataset {2}
// LS-NEXT: /node/nodes/in_hid.delay/type Dataset {SCALAR}
// LS-NEXT: /node/nodes/out          Group
// LS:      /node/nodes/output       Group
// LS-NEXT: /node/nodes/output/shape Dataset {1}
// LS-NEXT: /node/nodes/output/type  Dataset {SCALAR}
// LS-NEXT: /node/type               Dataset {SCALAR}
// LS-NEXT: /version                 Dataset {SCALAR}

// HEADER:      DATASET "edges" {
// HEADER-NEXT:   DATATYPE  H5T_STRING {
// HEADER-NEXT:     STRSIZE H5T_VARIABLE;
// HEADER:        CSET H5T_CSET_UTF8;
// HEADER:      DATASPACE  SIMPLE { ( 6, 2 ) / ( 6, 2 ) }
// HEADER:      DATASET "tau_mem" {
// HEADER-NEXT:   DATATYPE  H5T_IEEE_F64LE
// HEADER:        COMPRESSION DEFLATE { LEVEL 4 }
// HEADER:      DATASET "version" {
// HEADER-NEXT:   DATATYPE  H5T_STRING {

// DATA:      (0,0): "in", "in_hid.delay",
// DATA-NEXT: (1,0): "in_hid.delay", "in_hid",
// DATA-NEXT: (2,0): "in_hid", "hid",
// DATA-NEXT: (3,0): "hid", "hid_out",
// DATA-NEXT: (4,0): "hid_out", "out",
// DATA-NEXT: (5,0): "out", "output"
// DATA:      (0): "CubaLIF"
// w_in is tau_syn in seconds: a spike then adds exactly its weight to I.
// DATA:      (0): 0.005, 0.005, 0.005

snn.network @layout duration(30.0) {
  %in = snn.source "in" : !snn.source<2>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<3>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      : !snn.lif<2>
  snn.project "in_hid" %in -> %hid weight(dense<0.5> : tensor<3x2xf64>)
      delay(dense<[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]> : tensor<3x2xf64>)
      learn <weight, delay> : !snn.source<2> -> !snn.lif<3>
  snn.project "hid_out" %hid -> %out weight(dense<0.25> : tensor<2x3xf64>)
      : !snn.lif<3> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}
