// RUN: snn-opt %s -split-input-file --convert-snn-to-timestep="dt=0.5 surrogate-slope=10.0" | FileCheck %s
// RUN: snn-opt %s -split-input-file --convert-snn-to-timestep="dt=0.25 surrogate-slope=4.0 keep-network" | FileCheck %s --check-prefix=FINE
// RUN: snn-opt %s -split-input-file --snn-lower-to-timestep="dt=0.5 instrument-traffic=true" | FileCheck %s --check-prefix=LLVM
// RUN: not snn-opt %s -split-input-file --convert-snn-to-timestep="dt=0.0" 2>&1 | FileCheck %s --check-prefix=BADDT
// RUN: not snn-opt %s -split-input-file --convert-snn-to-timestep="surrogate-slope=-1.0" 2>&1 | FileCheck %s --check-prefix=BADSLOPE

// BADDT: error: time step dt must be positive and finite, got 0.000000e+00 ms
// BADSLOPE: error: surrogate slope must be positive and finite, got -1.000000e+00

// A LIF layer with a learnable threshold fed by two inputs without delays,
// under a first-spike loss: 10 ms at dt = 0.5 ms are 20 steps, the decay
// factors e^{-0.5/20}, e^{-0.5/5} and the coupling are folded constants,
// and every ring has one slot.

// LLVM-COUNT-5: llvm.func @net_
// LLVM-NOT: func.func

// CHECK-NOT: snn.network
// CHECK-LABEL: func.func @net_in_record(
// CHECK-SAME:      %[[RING:[^:]+]]: memref<1x2xi8> {snn.memory = "queue"}, %[[TRACE:[^:]+]]: memref<20x2xi8> {snn.memory = "record"}, %[[STEP:[^:]+]]: index)
// CHECK-SAME:      attributes {snn.kernel = "record"}
// CHECK:         scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step
// CHECK:           %[[S:.+]] = memref.load %[[RING]][%{{.+}}, %[[J]]]
// CHECK:           memref.store %[[S]], %[[TRACE]][%[[STEP]], %[[J]]]

// CHECK-LABEL: func.func @net_hid_step(
// CHECK-SAME:      %[[V:[^:]+]]: memref<3xf64> {snn.memory = "state"}, %[[I:[^:]+]]: memref<3xf64> {snn.memory = "state"},
// CHECK-SAME:      %[[SPIKES:[^:]+]]: memref<1x3xi8> {snn.memory = "queue"}, %[[THETA:[^:]+]]: memref<3xf64> {snn.memory = "state"},
// CHECK-SAME:      %[[VTRACE:[^:]+]]: memref<20x3xf64> {snn.memory = "record"}, %[[FTRACE:[^:]+]]: memref<20x3xi8> {snn.memory = "record"},
// CHECK-SAME:      %[[STEP:[^:]+]]: index, %[[TRAINING:[^:]+]]: i1) attributes {snn.kernel = "step"}
// CHECK-DAG:     %[[A:.+]] = arith.constant 0.97530991202833261 : f64
// CHECK-DAG:     %[[B:.+]] = arith.constant 0.90483741803595952 : f64
// CHECK-DAG:     %[[C:.+]] = arith.constant 0.02349083133079103 : f64
// CHECK-DAG:     %[[RESET:.+]] = arith.constant -2.500000e-01 : f64
// CHECK-DAG:     %[[N:.+]] = arith.constant 3 : index
// CHECK:         scf.for %[[J:.+]] = %{{.+}} to %[[N]]
// CHECK-DAG:       %[[V0:.+]] = memref.load %[[V]][%[[J]]]
// CHECK-DAG:       %[[I0:.+]] = memref.load %[[I]][%[[J]]]
// CHECK-DAG:       %[[AV:.+]] = arith.mulf %[[A]], %[[V0]]
// CHECK-DAG:       %[[CI:.+]] = arith.mulf %[[C]], %[[I0]]
// CHECK:           %[[VPRE:.+]] = arith.addf %[[AV]], %[[CI]]
// CHECK:           %[[BI:.+]] = arith.mulf %[[B]], %[[I0]]
// CHECK:           memref.store %[[BI]], %[[I]][%[[J]]]
// CHECK:           %[[TH:.+]] = memref.load %[[THETA]][%[[J]]]
// CHECK:           %[[FIRE:.+]] = arith.cmpf oge, %[[VPRE]], %[[TH]]
// CHECK:           %[[FLAG:.+]] = arith.extui %[[FIRE]] : i1 to i8
// CHECK:           %[[VNEW:.+]] = arith.select %[[FIRE]], %[[RESET]], %[[VPRE]]
// CHECK:           memref.store %[[VNEW]], %[[V]][%[[J]]]
// CHECK:           memref.store %[[FLAG]], %[[SPIKES]][%{{.+}}, %[[J]]]
// CHECK:           scf.if %[[TRAINING]] {
// CHECK:             memref.store %[[VPRE]], %[[VTRACE]][%[[STEP]], %[[J]]] : memref<20x3xf64>
// CHECK:             memref.store %[[FLAG]], %[[FTRACE]][%[[STEP]], %[[J]]] : memref<20x3xi8>

// The dense product of the step's spikes, summed per target before it is
// added to the current, as the runtime does.
// CHECK-LABEL: func.func @net_in_hid_deliver(
// CHECK-SAME:      %[[W:[^:]+]]: memref<3x2xf64> {snn.memory = "synapse"}, %[[RING:[^:]+]]: memref<1x2xi8> {snn.memory = "queue"},
// CHECK-SAME:      %[[CUR:[^:]+]]: memref<3xf64> {snn.memory = "state"}, %{{[^:]+}}: index) attributes {snn.kernel = "deliver"}
// CHECK:         scf.for %[[POST:.+]] = %{{.+}} to
// CHECK:           %[[SUM:.+]] = scf.for %[[PRE:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (f64)
// CHECK-DAG:         %[[WV:.+]] = memref.load %[[W]][%[[POST]], %[[PRE]]]
// CHECK-DAG:         %[[SV:.+]] = memref.load %[[RING]][%{{.+}}, %[[PRE]]]
// CHECK:             %[[SF:.+]] = arith.uitofp %[[SV]] : i8 to f64
// CHECK:             %[[WS:.+]] = arith.mulf %[[WV]], %[[SF]]
// CHECK:             %[[NEXT:.+]] = arith.addf %[[ACC]], %[[WS]]
// CHECK:             scf.yield %[[NEXT]]
// CHECK:           %[[OLD:.+]] = memref.load %[[CUR]][%[[POST]]]
// CHECK:           %[[NEW:.+]] = arith.addf %[[OLD]], %[[SUM]]
// CHECK:           memref.store %[[NEW]], %[[CUR]][%[[POST]]]

// The backward step: fast sigmoid 1/(1 + 10 |Vpre - theta|)^2 of the
// recorded pre-reset voltage, the threshold gradient, the transposed decay.
// CHECK-LABEL: func.func @net_hid_backward_step(
// CHECK-SAME:      %[[AV:[^:]+]]: memref<3xf64> {snn.memory = "state"}, %[[AI:[^:]+]]: memref<3xf64> {snn.memory = "state"},
// CHECK-SAME:      %[[AS:[^:]+]]: memref<1x3xf64> {snn.memory = "state"}, %[[THETA:[^:]+]]: memref<3xf64> {snn.memory = "state"},
// CHECK-SAME:      %[[VTRACE:[^:]+]]: memref<20x3xf64> {snn.memory = "record"}, %[[FTRACE:[^:]+]]: memref<20x3xi8> {snn.memory = "record"},
// CHECK-SAME:      %[[TGRAD:[^:]+]]: memref<3xf64> {snn.memory = "grad"}, %[[STEP:[^:]+]]: index) attributes {snn.kernel = "backward_step"}
// CHECK-DAG:     %[[A:.+]] = arith.constant 0.97530991202833261 : f64
// CHECK-DAG:     %[[SLOPE:.+]] = arith.constant 1.000000e+01 : f64
// CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK:         scf.for %[[J:.+]] = %{{.+}} to
// CHECK:           %[[ERR:.+]] = memref.load %[[AS]][%{{.+}}, %[[J]]]
// CHECK:           memref.store %[[ZERO]], %[[AS]][%{{.+}}, %[[J]]]
// CHECK:           %[[FLAGS:.+]] = memref.load %[[FTRACE]][%[[STEP]], %[[J]]]
// CHECK:           %[[VPRE:.+]] = memref.load %[[VTRACE]][%[[STEP]], %[[J]]]
// CHECK:           %[[TH:.+]] = memref.load %[[THETA]][%[[J]]]
// CHECK:           %[[DIFF:.+]] = arith.subf %[[VPRE]], %[[TH]]
// CHECK:           %[[ABS:.+]] = math.absf %[[DIFF]]
// CHECK:           %[[SCALED:.+]] = arith.mulf %[[SLOPE]], %[[ABS]]
// CHECK:           %[[DEN:.+]] = arith.addf %[[ONE]], %[[SCALED]]
// CHECK:           %[[SQ:.+]] = arith.mulf %[[DEN]], %[[DEN]]
// CHECK:           %[[SURR:.+]] = arith.divf %[[ONE]], %[[SQ]]
// CHECK:           %[[PASS:.+]] = arith.mulf %[[ERR]], %[[SURR]]
// CHECK:           %[[G:.+]] = memref.load %[[TGRAD]][%[[J]]]
// CHECK:           %[[GNEW:.+]] = arith.subf %[[G]], %[[PASS]]
// CHECK:           %[[GSEL:.+]] = arith.select %{{.+}}, %[[G]], %[[GNEW]]
// CHECK:           memref.store %[[GSEL]], %[[TGRAD]][%[[J]]]
// CHECK:           %[[AVN:.+]] = arith.mulf %[[A]], %[[AVSEL:.+]] : f64
// CHECK:           memref.store %[[AVN]], %[[AV]][%[[J]]]

// Inputs take no error back: only the weight gradient, for the inputs
// that spiked at this step.
// CHECK-LABEL: func.func @net_in_hid_backward_deliver(
// CHECK-SAME:      %{{[^:]+}}: memref<3x2xf64> {snn.memory = "synapse"}, %[[AI:[^:]+]]: memref<3xf64> {snn.memory = "state"},
// CHECK-SAME:      %[[FTRACE:[^:]+]]: memref<20x2xi8> {snn.memory = "record"}, %[[WGRAD:[^:]+]]: memref<3x2xf64> {snn.memory = "grad"},
// CHECK-SAME:      %[[STEP:[^:]+]]: index) attributes {snn.kernel = "backward_deliver"}
// CHECK:         scf.for %[[PRE:.+]] = %{{.+}} to
// CHECK:           %[[COUNT:.+]] = memref.load %[[FTRACE]][%[[STEP]], %[[PRE]]]
// CHECK:           %[[FIRED:.+]] = arith.cmpi ne, %[[COUNT]]
// CHECK:           scf.if %[[FIRED]] {
// CHECK:             scf.for %[[POST:.+]] = %{{.+}} to
// CHECK:               %[[E:.+]] = memref.load %[[AI]][%[[POST]]]
// CHECK:               %[[G:.+]] = memref.load %[[WGRAD]][%[[POST]], %[[PRE]]]
// CHECK:               memref.store %{{.+}}, %[[WGRAD]][%[[POST]], %[[PRE]]]

// FINE: snn.network @net
// FINE-LABEL: func.func @net_hid_step(
// FINE-SAME:      memref<40x3xf64>
// FINE-LABEL: func.func @net_hid_backward_step(
// FINE:         arith.constant 4.000000e+00 : f64
snn.network @net duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %hid = snn.lif "hid" tau_mem(20.0) tau_syn(5.0) threshold(1.0) reset(-0.25)
      learn <threshold> : !snn.lif<3>
  snn.project "in_hid" %in -> %hid
      weight(dense<[[1.0, 0.5], [0.5, 1.0], [0.25, 0.75]]> : tensor<3x2xf64>)
      learn <weight> : !snn.source<2> -> !snn.lif<3>
  snn.ttfs_loss %hid tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<3>
}

// -----

// Delays of 0, 1.0, 0.4 and 1.6 ms at dt = 0.5 ms round to 0, 2, 1 and 3
// steps: a constant table, and a spike ring of 4 slots for the input,
// indexed (step - delay) mod 4. A refractory period of 1 ms clamps for 2
// steps; an LI readout keeps its running maximum.

// CHECK-LABEL: func.func @delayed_hid_step(
// CHECK-SAME:      memref<1x2xi8> {snn.memory = "queue"}, %{{[^:]+}}: memref<2xf64> {snn.memory = "state"},
// CHECK-SAME:      %[[CLAMP:[^:]+]]: memref<2xi32> {snn.memory = "state"}, %{{[^:]+}}: memref<8x2xf64> {snn.memory = "record"}, %[[FTRACE:[^:]+]]: memref<8x2xi8> {snn.memory = "record"}
// CHECK:         scf.for %[[J:.+]] = %{{.+}} to
// CHECK:           %[[LEFT:.+]] = memref.load %[[CLAMP]][%[[J]]]
// CHECK:           %[[CLAMPED:.+]] = arith.cmpi sgt, %[[LEFT]], %{{.+}} : i32
// CHECK:           %[[R:.+]] = arith.constant 2 : i32
// CHECK:           %[[START:.+]] = arith.select %{{.+}}, %[[R]], %[[LEFT]] : i32
// CHECK:           %[[NEXT:.+]] = arith.select %[[CLAMPED]], %{{.+}}, %[[START]] : i32
// CHECK:           memref.store %[[NEXT]], %[[CLAMP]][%[[J]]]
// CHECK:           %[[CF:.+]] = arith.constant 2 : i8
// CHECK:           %[[FLAGS:.+]] = arith.select %[[CLAMPED]], %[[CF]], %{{.+}} : i8
// CHECK:           memref.store %[[FLAGS]], %[[FTRACE]]

// CHECK-LABEL: func.func @delayed_out_step(
// CHECK-SAME:      %[[MAXV:[^:]+]]: memref<2xf64> {snn.memory = "state"}, %[[MAXS:[^:]+]]: memref<2xi32> {snn.memory = "state"}, %[[STEP:[^:]+]]: index)
// CHECK:         %[[STEP32:.+]] = arith.index_cast %[[STEP]] : index to i32
// CHECK:           %[[HIGHER:.+]] = arith.cmpf ogt
// CHECK:           memref.store %{{.+}}, %[[MAXV]]
// CHECK:           %[[BEST:.+]] = arith.select %[[HIGHER]], %[[STEP32]], %{{.+}} : i32
// CHECK:           memref.store %[[BEST]], %[[MAXS]]

// CHECK: memref.global "private" constant @delayed_in_hid_delay_steps : memref<2x2xi32> = dense<{{\[}}[0, 2], [1, 3]]> {snn.memory = "synapse"}

// CHECK-LABEL: func.func @delayed_in_hid_deliver(
// CHECK-SAME:      %[[W:[^:]+]]: memref<2x2xf64> {snn.memory = "synapse"}, %[[RING:[^:]+]]: memref<4x2xi8> {snn.memory = "queue"}, %{{[^:]+}}: memref<2xf64> {snn.memory = "state"}, %[[STEP:[^:]+]]: index)
// CHECK:         %[[TABLE:.+]] = memref.get_global @delayed_in_hid_delay_steps : memref<2x2xi32>
// CHECK:         scf.for %[[POST:.+]] = %{{.+}} to
// CHECK:           scf.for %[[PRE:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}})
// CHECK:             %[[D32:.+]] = memref.load %[[TABLE]][%[[POST]], %[[PRE]]]
// CHECK:             %[[D:.+]] = arith.index_cast %[[D32]] : i32 to index
// CHECK:             %[[ACTIVE:.+]] = arith.cmpi uge, %[[STEP]], %[[D]] : index
// CHECK:             scf.if %[[ACTIVE]] -> (f64) {
// CHECK:               %[[SENT:.+]] = arith.subi %[[STEP]], %[[D]] : index
// CHECK:               %[[DEPTH:.+]] = arith.constant 4 : index
// CHECK:               %[[SLOT:.+]] = arith.remui %[[SENT]], %[[DEPTH]] : index
// CHECK:               memref.load %[[W]][%[[POST]], %[[PRE]]]
// CHECK:               memref.load %[[RING]][%[[SLOT]], %[[PRE]]]
// CHECK:             } else {
// CHECK:               scf.yield %[[ACC]] : f64

// The readout's backward step is the transposed decay alone.
// CHECK-LABEL: func.func @delayed_out_backward_step(
// CHECK-SAME:      memref<2xf64> {snn.memory = "state"}, %{{[^:]+}}: memref<2xf64> {snn.memory = "state"}) attributes {snn.kernel = "backward_step"}
// CHECK-NOT:     math.absf
// CHECK:         return

// The gradient reads the input's flags at the step the spike was sent.
// CHECK-LABEL: func.func @delayed_in_hid_backward_deliver(
// CHECK-SAME:      %[[FTRACE:[^:]+]]: memref<8x2xi8> {snn.memory = "record"}, %{{[^:]+}}: memref<2x2xf64> {snn.memory = "grad"}, %[[STEP:[^:]+]]: index)
// CHECK:         memref.get_global @delayed_in_hid_delay_steps
// CHECK:               %[[SENT:.+]] = arith.subi %[[STEP]], %{{.+}} : index
// CHECK:               memref.load %[[FTRACE]][%[[SENT]], %{{.+}}]

// The error to a LIF population goes into its spike-adjoint ring: W^T aI.
// CHECK-LABEL: func.func @delayed_hid_out_backward_deliver(
// CHECK-SAME:      %[[W:[^:]+]]: memref<2x2xf64> {snn.memory = "synapse"}, %[[AI:[^:]+]]: memref<2xf64> {snn.memory = "state"}, %[[AS:[^:]+]]: memref<1x2xf64> {snn.memory = "state"}, %{{[^:]+}}: index)
// CHECK:         scf.for %[[POST:.+]] = %{{.+}} to
// CHECK:           %[[E:.+]] = memref.load %[[AI]][%[[POST]]]
// CHECK:           scf.for %[[PRE:.+]] = %{{.+}} to
// CHECK:             %[[WV:.+]] = memref.load %[[W]][%[[POST]], %[[PRE]]]
// CHECK:             %[[OLD:.+]] = memref.load %[[AS]][%{{.+}}, %[[PRE]]]
// CHECK:             %[[WE:.+]] = arith.mulf %[[WV]], %[[E]]
// CHECK:             %[[SUM:.+]] = arith.addf %[[OLD]], %[[WE]]
// CHECK:             memref.store %[[SUM]], %[[AS]][%{{.+}}, %[[PRE]]]
snn.network @delayed duration(4.0) {
  %in = snn.source "in" : !snn.source<2>
  %hid = snn.lif "hid" tau_mem(10.0) tau_syn(10.0)
      threshold(dense<[1.0, 0.5]> : tensor<2xf64>) refractory(1.0)
      : !snn.lif<2>
  %out = snn.li "out" tau_mem(20.0) tau_syn(5.0) : !snn.li<2>
  snn.project "in_hid" %in -> %hid
      weight(dense<[[1.0, 0.5], [0.5, 1.0]]> : tensor<2x2xf64>)
      delay(dense<[[0.0, 1.0], [0.4, 1.6]]> : tensor<2x2xf64>)
      learn <weight> : !snn.source<2> -> !snn.lif<2>
  snn.project "hid_out" %hid -> %out
      weight(dense<[[1.0, 0.5], [0.5, 1.0]]> : tensor<2x2xf64>)
      : !snn.lif<2> -> !snn.li<2>
  snn.max_voltage_loss %out : !snn.li<2>
}

// -----

// Without a loss there is nothing to differentiate: forward kernels only.

// CHECK-LABEL: func.func @inference_out_step(
// CHECK-LABEL: func.func @inference_in_out_deliver(
// CHECK-NOT:   backward
snn.network @inference duration(2.0) {
  %in = snn.source "in" : !snn.source<1>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  snn.project "in_out" %in -> %out weight(dense<[[2.0]]> : tensor<1x1xf64>)
      : !snn.source<1> -> !snn.lif<1>
}
