// Two inputs, two LIF outputs: small enough to check spikes and gradients by
// eye. Neuron 0 receives 10.0 from channel 0, which makes it fire; neuron 1
// receives 0.5 and stays silent.
snn.network @tiny duration(40.0) {
  %in = snn.source "in" : !snn.source<2>
  %out = snn.lif "out" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      learn <threshold> : !snn.lif<2>
  snn.project "in_out" %in -> %out
      weight(dense<[[10.0, 0.0], [0.5, 0.0]]> : tensor<2x2xf64>)
      delay(dense<[[1.0, 0.0], [0.0, 0.0]]> : tensor<2x2xf64>)
      learn <weight, delay> : !snn.source<2> -> !snn.lif<2>
  snn.ttfs_loss %out tau0(0.5) tau1(6.4) alpha(3.0e-3) : !snn.lif<2>
}
