//===- Svg.h - Plots as plain SVG files -------------------------*- C++ -*-===//
//
// Line plots (training curves), spike rasters and histograms (learned delays
// and thresholds) written as standalone SVG 1.1 text, with nothing to
// install: axes with 1-2-5 ticks, labels, a legend. Non-finite values are
// left out of a plot rather than breaking it. Times are in milliseconds.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_RUNTIME_SVG_H
#define SNNC_RUNTIME_SVG_H

#include <cstdint>
#include <string>
#include <vector>

namespace snnc::runtime {

/// One curve of a line plot. Points with a non-finite coordinate break the
/// line.
struct PlotSeries {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
  /// Any SVG colour; empty picks the next one of a colour-blind-safe palette.
  std::string color;
  bool dashed = false;
  /// Draws a dot at every point, useful for short curves.
  bool markers = false;
};

struct LinePlot {
  std::string title;
  std::string xLabel;
  std::string yLabel;
  std::vector<PlotSeries> series;
  /// Fixes the y axis (for example [0, 1] for an accuracy) instead of
  /// fitting it to the data.
  bool fixedYRange = false;
  double yMin = 0;
  double yMax = 1;
  double width = 640;
  double height = 400;
};

struct RasterSpike {
  int32_t neuron = 0;
  double timeMs = 0;
};

/// One population of a raster: a band of `size` rows, neuron 0 at the top.
struct RasterGroup {
  std::string name;
  int32_t size = 0;
  std::vector<RasterSpike> spikes;
  std::string color;
};

struct RasterPlot {
  std::string title;
  /// The time axis runs over [0, durationMs].
  double durationMs = 0;
  /// Stacked top to bottom in this order.
  std::vector<RasterGroup> groups;
  double width = 720;
  double height = 480;
};

struct HistogramPlot {
  std::string title;
  std::string xLabel;
  std::string yLabel = "count";
  std::vector<double> values;
  int32_t bins = 30;
  /// Fixes the binned range instead of fitting it to the values; values
  /// outside it are counted in the legend line but not drawn.
  bool fixedRange = false;
  double low = 0;
  double high = 1;
  std::string color;
  double width = 640;
  double height = 400;
};

/// Complete SVG documents.
std::string renderLinePlot(const LinePlot &plot);
std::string renderRaster(const RasterPlot &plot);
std::string renderHistogram(const HistogramPlot &plot);

/// Several line plots in one document, `columns` to a row, each keeping its
/// own size (for example loss and accuracy side by side).
std::string renderLinePlots(const std::vector<LinePlot> &plots,
                            int32_t columns);

/// Round tick values covering [low, high]: steps of 1, 2 or 5 times a power
/// of ten, about `targetCount` of them.
std::vector<double> niceTicks(double low, double high, int32_t targetCount);

/// Writes `text` to `path`; on failure sets `error` naming the file.
bool writeTextFile(const std::string &path, const std::string &text,
                   std::string &error);

} // namespace snnc::runtime

#endif // SNNC_RUNTIME_SVG_H
