#!/usr/bin/env python3
"""Writes a feed-forward snn network with Gaussian initial weights.

The weights are drawn with Python's random.Random(seed).gauss and stored as
dense_resource blobs (little-endian f64 behind a 4-byte alignment word), so a
network file is reproducible from its header comment alone.

Usage: make-example-weights.py NAME SIZES MEANS STDS SEED [options] > FILE
  SIZES  comma-separated layer sizes, input first (e.g. 5,120,3)
  MEANS  comma-separated weight means, one per projection
  STDS   comma-separated weight standard deviations, one per projection

With --delays, each projection also gets delays in ms drawn uniformly from
[0, D) after all the weights (so the weights do not change), a comma-separated
D per projection, 0 meaning none; such projections learn weight and delay.
"""
import argparse
import random
import struct


def blob(values):
    data = struct.pack("<I", 8) + b"".join(struct.pack("<d", v) for v in values)
    return "0x" + data.hex().upper()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("sizes")
    parser.add_argument("means")
    parser.add_argument("stds")
    parser.add_argument("seed", type=int)
    parser.add_argument("--duration", default="60.0")
    parser.add_argument("--tau-mem", default="20.0")
    parser.add_argument("--tau-syn", default="5.0")
    parser.add_argument("--threshold", default="1.0")
    parser.add_argument("--loss", default="tau0(0.5) tau1(6.4) alpha(3.0e-3)")
    parser.add_argument("--layer-names", default="")
    parser.add_argument("--header", default="")
    parser.add_argument("--delays", default="")
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",")]
    means = [float(m) for m in args.means.split(",")]
    stds = [float(s) for s in args.stds.split(",")]
    names = (args.layer_names.split(",") if args.layer_names else
             ["in"] + ["hidden%d" % i if len(sizes) > 3 else "hidden"
                       for i in range(1, len(sizes) - 1)] + ["out"])
    rng = random.Random(args.seed)
    weights = []
    for index in range(len(sizes) - 1):
        count = sizes[index] * sizes[index + 1]
        weights.append([rng.gauss(means[index], stds[index])
                        for _ in range(count)])
    spans = ([float(d) for d in args.delays.split(",")] if args.delays
             else [0.0] * (len(sizes) - 1))
    delays = []
    for index in range(len(sizes) - 1):
        count = sizes[index] * sizes[index + 1]
        delays.append([rng.uniform(0.0, spans[index]) for _ in range(count)]
                      if spans[index] > 0 else None)

    lines = []
    for line in args.header.split("\\n"):
        lines.append(("// " + line).rstrip())
    if args.header:
        lines.append("")
    lines.append("snn.network @%s duration(%s) {" % (args.name, args.duration))
    lines.append('  %%%s = snn.source "%s" : !snn.source<%d>'
                 % (names[0], names[0], sizes[0]))
    for index in range(1, len(sizes)):
        lines.append('  %%%s = snn.lif "%s" tau_mem(%s) tau_syn(%s) '
                     'threshold(%s)' % (names[index], names[index],
                                        args.tau_mem, args.tau_syn,
                                        args.threshold))
        lines.append("      : !snn.lif<%d>" % sizes[index])
    for index in range(len(sizes) - 1):
        pre, post = names[index], names[index + 1]
        pre_type = ("!snn.source<%d>" if index == 0 else "!snn.lif<%d>") \
            % sizes[index]
        lines.append('  snn.project "%s_%s" %%%s -> %%%s' % (pre, post, pre,
                                                            post))
        lines.append("      weight(dense_resource<%s_%s_weight> : "
                     "tensor<%dx%dxf64>)" % (pre, post, sizes[index + 1],
                                             sizes[index]))
        if delays[index] is not None:
            lines.append("      delay(dense_resource<%s_%s_delay> : "
                         "tensor<%dx%dxf64>)" % (pre, post, sizes[index + 1],
                                                 sizes[index]))
        lines.append("      learn <%s> : %s -> !snn.lif<%d>"
                     % ("weight" if delays[index] is None else
                        "weight, delay", pre_type, sizes[index + 1]))
    lines.append("  snn.ttfs_loss %%%s %s : !snn.lif<%d>"
                 % (names[-1], args.loss, sizes[-1]))
    lines.append("}")
    lines.append("")
    lines.append("{-#")
    lines.append("  dialect_resources: {")
    lines.append("    builtin: {")
    entries = []
    for index in range(len(sizes) - 1):
        entries.append('      %s_%s_weight: "%s"' % (
            names[index], names[index + 1], blob(weights[index])))
        if delays[index] is not None:
            entries.append('      %s_%s_delay: "%s"' % (
                names[index], names[index + 1], blob(delays[index])))
    lines.append(",\n".join(entries))
    lines.append("    }")
    lines.append("  }")
    lines.append("#-}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
