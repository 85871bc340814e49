//===- NCoreDialect.td - The ncore dialect -----------------*- tablegen -*-===//
//
// A spiking network mapped onto the cores of a neuromorphic chip.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_DIALECTS_NCORE_NCOREDIALECT_TD
#define SNNC_DIALECTS_NCORE_NCOREDIALECT_TD

include "mlir/IR/OpBase.td"

def NCore_Dialect : Dialect {
  let name = "ncore";
  let cppNamespace = "::snnc::ncore";
  let summary = "Spiking networks mapped onto a many-core neuromorphic chip";
  let description = [{
    The `ncore` dialect describes a network after it has been mapped onto a
    chip of neuromorphic cores: which cores are used and where they sit on
    the mesh, which slice of which population each core simulates and with
    which fixed-point parameters, the quantized synapse tables each core
    stores, and the routes spikes take between cores.

    A chip is described by a `#ncore.target` attribute: a named preset
    (`loihi`, `small`) with optional overrides. Numbers in the dialect are
    the chip's own integers: weights in weight units, thresholds and
    currents in state units (`state_lsb` model units each), delays and
    times in ticks of the target's `time_step` milliseconds.

    `snn-opt --snn-lower-to-ncore` builds it from an `snn.network`, and
    `snn-translate --ncore-to-image` writes it as a core image
    (docs/ncore.md) for the simulator.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
}

class NCore_Op<string mnemonic, list<Trait> traits = []>
    : Op<NCore_Dialect, mnemonic, traits>;

#endif // SNNC_DIALECTS_NCORE_NCOREDIALECT_TD
