// RUN: snn-opt %s -split-input-file -verify-diagnostics

// A membrane time constant must be positive.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op tau_mem must be positive and finite, got -20}}
  %p = snn.lif "p" tau_mem(-20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
}

// -----
// A synaptic time constant must be positive.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op tau_syn must be positive and finite, got 0}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(0.0) threshold(1.0) : !snn.lif<1>
}

// -----
// The readout's time constants follow the same rule.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.li' op tau_mem must be positive and finite, got 0}}
  %p = snn.li "p" tau_mem(0.0) tau_syn(5.0) : !snn.li<1>
}

// -----
// So does the readout's synaptic time constant.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.li' op tau_syn must be positive and finite, got -1}}
  %p = snn.li "p" tau_mem(10.0) tau_syn(-1.0) : !snn.li<1>
}

// -----
// An infinite time constant is rejected, not silently treated as no leak.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op tau_mem must be positive and finite, got inf}}
  %p = snn.lif "p" tau_mem(0x7FF0000000000000) tau_syn(5.0) threshold(1.0)
      : !snn.lif<1>
}

// -----
// The simulated interval must be positive.
// expected-error @+1 {{'snn.network' op duration must be positive and finite, got 0}}
snn.network @n duration(0.0) {
}

// -----
// A refractory period cannot be negative.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op refractory must be non-negative and finite, got -1}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) refractory(-1.0)
      : !snn.lif<1>
}

// -----
// A threshold must lie above the reset value.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op threshold must be finite and above reset 1, got 0.5}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(0.5) reset(1.0)
      : !snn.lif<1>
}

// -----
// A NaN threshold is named by its index.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op threshold[1] must be finite and above reset 0, got nan}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0)
      threshold(dense<[1.0, 0x7FF8000000000000]> : tensor<2xf64>) : !snn.lif<2>
}

// -----
// A NaN reset value is rejected.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op reset must be finite, got nan}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
      reset(0x7FF8000000000000) : !snn.lif<1>
}

// -----
// Per-neuron thresholds come one per neuron.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op threshold shape [3] does not match the population size [2]}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0)
      threshold(dense<1.0> : tensor<3xf64>) : !snn.lif<2>
}

// -----
// A population holds at least one neuron.
snn.network @n duration(10.0) {
  // expected-error @+1 {{lif size must be positive, got 0}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<0>
}

// -----
// A source holds at least one channel.
snn.network @n duration(10.0) {
  // expected-error @+1 {{source size must be positive, got -2}}
  %in = snn.source "in" : !snn.source<-2>
}

// -----
// The weight matrix is [post, pre].
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<3>
  // expected-error @+1 {{'snn.project' op weight shape [2, 3] does not match [post, pre] = [3, 2]}}
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<2x3xf64>)
      : !snn.source<2> -> !snn.lif<3>
}

// -----
// Weights must be finite.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op weight[0, 1] must be finite, got inf}}
  snn.project "in_p" %in -> %p
      weight(dense<[[1.0, 0x7FF0000000000000]]> : tensor<1x2xf64>)
      : !snn.source<2> -> !snn.lif<1>
}

// -----
// A shared delay cannot be negative.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<1>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op delay must be non-negative and finite, got -0.5}}
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<1x1xf64>)
      delay(-0.5) : !snn.source<1> -> !snn.lif<1>
}

// -----
// A per-synapse delay cannot be negative either; the message names it.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op delay[0, 1] must be non-negative and finite, got -2}}
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<1x2xf64>)
      delay(dense<[[0.0, -2.0]]> : tensor<1x2xf64>)
      : !snn.source<2> -> !snn.lif<1>
}

// -----
// Per-synapse delays have the weight's shape.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op delay shape [2, 1] does not match [post, pre] = [1, 2]}}
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<1x2xf64>)
      delay(dense<1.0> : tensor<2x1xf64>) : !snn.source<2> -> !snn.lif<1>
}

// -----
// A NaN delay is rejected.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<1>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op delay must be non-negative and finite, got nan}}
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<1x1xf64>)
      delay(0x7FF8000000000000 : f64) : !snn.source<1> -> !snn.lif<1>
}

// -----
// A readout never spikes, so it cannot be a projection's presynaptic end.
snn.network @n duration(10.0) {
  %r = snn.li "r" tau_mem(20.0) tau_syn(5.0) : !snn.li<1>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op operand #0 must be spike source or lif population, but got '!snn.li<1>'}}
  snn.project "r_p" %r -> %p weight(dense<1.0> : tensor<1x1xf64>)
      : !snn.li<1> -> !snn.lif<1>
}

// -----
// A source has no input, so it cannot be a projection's postsynaptic end.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<1>
  // expected-error @+1 {{'snn.project' op operand #1 must be lif or li population, but got '!snn.source<1>'}}
  snn.project "in_in" %in -> %in weight(dense<1.0> : tensor<1x1xf64>)
      : !snn.source<1> -> !snn.source<1>
}

// -----
// A projection learns weights and delays, not thresholds.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<1>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.project' op cannot learn 'threshold': a projection learns only 'weight, delay'}}
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<2x1xf64>)
      learn <weight, threshold> : !snn.source<1> -> !snn.lif<2>
  snn.ttfs_loss %p tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// -----
// A population learns thresholds, not weights.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.lif' op cannot learn 'weight': a lif population learns only 'threshold'}}
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) learn <weight>
      : !snn.lif<2>
  snn.ttfs_loss %p tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// -----
// A time-to-first-spike loss needs spike times, which a readout lacks.
snn.network @n duration(10.0) {
  %r = snn.li "r" tau_mem(20.0) tau_syn(5.0) : !snn.li<2>
  // expected-error @+1 {{'snn.ttfs_loss' op population must be a lif population (it needs spike times), got '!snn.li<2>'}}
  snn.ttfs_loss %r tau0(0.5) tau1(6.4) alpha(0.0) : !snn.li<2>
}

// -----
// A max-voltage loss needs a voltage that does not reset.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.max_voltage_loss' op population must be an li readout (it needs a voltage that does not reset), got '!snn.lif<2>'}}
  snn.max_voltage_loss %p : !snn.lif<2>
}

// -----
// The loss's time constants must be positive.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.ttfs_loss' op tau0 must be positive and finite, got 0}}
  snn.ttfs_loss %p tau0(0.0) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// -----
// So must tau1.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.ttfs_loss' op tau1 must be positive and finite, got -6.4}}
  snn.ttfs_loss %p tau0(0.5) tau1(-6.4) alpha(0.0) : !snn.lif<2>
}

// -----
// The late-spike penalty cannot reward late spikes.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.ttfs_loss' op alpha must be non-negative and finite, got -0.1}}
  snn.ttfs_loss %p tau0(0.5) tau1(6.4) alpha(-0.1) : !snn.lif<2>
}

// -----
// Names must be unique: gradients and reports are keyed by them.
snn.network @n duration(10.0) {
  // expected-note @+1 {{first used here}}
  %a = snn.lif "layer" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.lif' op duplicate name 'layer' in network @n}}
  %b = snn.lif "layer" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
}

// -----
// A name cannot be empty.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'snn.source' op name must not be empty}}
  %in = snn.source "" : !snn.source<1>
}

// -----
// A network has at most one loss.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  snn.ttfs_loss %p tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.ttfs_loss' op second loss in network @n; a network has at most one}}
  snn.ttfs_loss %p tau0(1.0) tau1(6.4) alpha(0.0) : !snn.lif<2>
}

// -----
// Learnable parameters need a loss to learn from.
// expected-error @+1 {{'snn.network' op has learnable parameters ('threshold' of 'p') but no loss}}
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) learn <threshold>
      : !snn.lif<2>
}

// -----
// Only snn ops describe a network.
snn.network @n duration(10.0) {
  // expected-error @+1 {{'arith.constant' op is not part of an snn network}}
  %c = arith.constant 1.0 : f64
}

// -----
// Populations live inside a network.
// expected-error @+1 {{'snn.source' op expects parent op 'snn.network'}}
%in = snn.source "in" : !snn.source<1>

// -----
// A resource blob that holds fewer values than the tensor type needs is
// reported, not read past its end.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<1>
  // expected-error @+1 {{'snn.project' op weight has no readable data (missing or truncated resource blob?)}}
  snn.project "in_p" %in -> %p weight(dense_resource<short> : tensor<1x2xf64>)
      : !snn.source<2> -> !snn.lif<1>
}

{-#
  dialect_resources: {
    builtin: {
      short: "0x08000000000000000000F03F"
    }
  }
#-}

// -----
// An adjoint accumulates only gradients of parameters that are learned.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  snn.ttfs_loss %p tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.adjoint_lif' op accumulates the gradient of 'threshold' but 'p' does not learn it}}
  %a = snn.adjoint_lif %p grad <threshold> : !snn.lif<2> -> !snn.adjoint<2>
}

// -----
// An adjoint has one entry per neuron.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  // expected-error @+1 {{'snn.adjoint_lif' op adjoint size 3 does not match the population size 2}}
  %a = snn.adjoint_lif %p : !snn.lif<2> -> !snn.adjoint<3>
}

// -----
// An adjoint projection names an existing projection.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  %a = snn.adjoint_lif %p : !snn.lif<2> -> !snn.adjoint<2>
  // expected-error @+1 {{'snn.adjoint_project' op no projection named 'missing' in the network}}
  snn.adjoint_project "missing" %a : !snn.adjoint<2>
}

// -----
// A source has no adjoint to send errors to.
snn.network @n duration(10.0) {
  %in = snn.source "in" : !snn.source<2>
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  snn.project "in_p" %in -> %p weight(dense<1.0> : tensor<2x2xf64>)
      : !snn.source<2> -> !snn.lif<2>
  %a = snn.adjoint_lif %p : !snn.lif<2> -> !snn.adjoint<2>
  // expected-error @+1 {{'snn.adjoint_project' op sends errors to the presynaptic end of 'in_p', which is a source and has no adjoint}}
  snn.adjoint_project "in_p" %a -> %a : !snn.adjoint<2> -> !snn.adjoint<2>
}

// -----
// The loss's errors enter at the adjoint of the loss population.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  %q = snn.lif "q" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  snn.ttfs_loss %p tau0(0.5) tau1(6.4) alpha(0.0) : !snn.lif<2>
  %a = snn.adjoint_lif %q : !snn.lif<2> -> !snn.adjoint<2>
  // expected-error @+1 {{'snn.adjoint_loss' op adjoint must be the adjoint of the loss population}}
  snn.adjoint_loss %a : !snn.adjoint<2>
}

// -----
// A loss adjoint needs a loss.
snn.network @n duration(10.0) {
  %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0) : !snn.lif<2>
  %a = snn.adjoint_lif %p : !snn.lif<2> -> !snn.adjoint<2>
  // expected-error @+1 {{'snn.adjoint_loss' op the network has no loss}}
  snn.adjoint_loss %a : !snn.adjoint<2>
}
