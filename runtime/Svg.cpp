//===- Svg.cpp - Plots as plain SVG files ---------------------------------===//

#include "runtime/Svg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace snnc::runtime {

/// Okabe and Ito's palette: distinguishable with every common colour-vision
/// deficiency, and in print.
static const char *const kPalette[] = {"#0072B2", "#D55E00", "#009E73",
                                       "#CC79A7", "#E69F00", "#56B4E9",
                                       "#000000", "#F0E442"};
constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

static const char *const kAxisColor = "#333333";
static const char *const kGridColor = "#e3e3e3";
constexpr double kFontSize = 12;
/// Width of an average character of the sans-serif font at kFontSize, for
/// sizing boxes around text without a font engine.
constexpr double kCharWidth = 6.6;

/// `color`, or the palette's colour number `index` when it is empty.
static std::string pickColor(const std::string &color, size_t index) {
  return color.empty() ? kPalette[index % kPaletteSize] : color;
}

/// A coordinate with at most two decimals and no trailing zeros: compact
/// and more precise than any screen.
static std::string coord(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.')
    text.pop_back();
  return text == "-0" ? "0" : text;
}

/// Text made safe for XML character data and attribute values.
static std::string xmlEscape(const std::string &text) {
  std::string escaped;
  for (char character : text) {
    switch (character) {
    case '&':
      escaped += "&amp;";
      break;
    case '<':
      escaped += "&lt;";
      break;
    case '>':
      escaped += "&gt;";
      break;
    case '"':
      escaped += "&quot;";
      break;
    case '\'':
      escaped += "&apos;";
      break;
    default:
      // XML 1.0 forbids most control characters even when escaped.
      if (static_cast<unsigned char>(character) >= 0x20 || character == '\t' ||
          character == '\n')
        escaped += character;
    }
  }
  return escaped;
}

/// A tick label with as many decimals as the tick step needs.
static std::string formatTick(double value, double step) {
  char buffer[32];
  double magnitude = std::max(std::fabs(value), std::fabs(step));
  if (magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4)) {
    std::snprintf(buffer, sizeof buffer, "%.3g", value);
    return buffer;
  }
  int decimals = 0;
  if (step > 0)
    decimals =
        std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  return text == "-0" ? "0" : text;
}

std::vector<double> niceTicks(double low, double high, int32_t targetCount) {
  if (!std::isfinite(low) || !std::isfinite(high))
    return {};
  if (high < low)
    std::swap(low, high);
  if (high == low) {
    double pad = low == 0 ? 1 : std::fabs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  double roughStep = (high - low) / std::max(targetCount - 1, 1);
  double power = std::pow(10.0, std::floor(std::log10(roughStep)));
  double fraction = roughStep / power;
  double step = power * (fraction < 1.5 ? 1
                         : fraction < 3 ? 2
                         : fraction < 7 ? 5
                                        : 10);
  double first = std::floor(low / step + 1e-9);
  double last = std::ceil(high / step - 1e-9);
  std::vector<double> ticks;
  for (double multiple = first; multiple <= last + 0.5; multiple += 1) {
    // Multiplying rather than accumulating keeps 0.1 * 3 from drifting;
    // snapping removes a -0 or 1e-17 at zero.
    double tick = multiple * step;
    ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
  }
  return ticks;
}

namespace {
/// Maps a data interval onto a pixel interval.
struct Scale {
  double dataLow, dataHigh, pixelLow, pixelHigh;
  double operator()(double value) const {
    return pixelLow +
           (value - dataLow) / (dataHigh - dataLow) * (pixelHigh - pixelLow);
  }
};

/// The plotting area of a panel, in pixels.
struct Frame {
  double left, top, right, bottom;
};

/// Accumulates SVG markup.
class Svg {
public:
  Svg(double width, double height) : width(width), height(height) {}

  void text(double x, double y, const std::string &content,
            const char *anchor = "middle", double size = kFontSize,
            const char *extra = "") {
    body += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) +
            "\" text-anchor=\"" + anchor + "\" font-size=\"" + coord(size) +
            "\"" + extra + ">" + xmlEscape(content) + "</text>\n";
  }

  void line(double x1, double y1, double x2, double y2, const char *color,
            double strokeWidth = 1, const char *extra = "") {
    body += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" +
            coord(x2) + "\" y2=\"" + coord(y2) + "\" stroke=\"" + color +
            "\" stroke-width=\"" + coord(strokeWidth) + "\"" + extra + "/>\n";
  }

  void rect(double x, double y, double w, double h, const std::string &fill,
            const char *extra = "") {
    body += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" +
            coord(std::max(w, 0.0)) + "\" height=\"" + coord(std::max(h, 0.0)) +
            "\" fill=\"" + xmlEscape(fill) + "\"" + extra + "/>\n";
  }

  void raw(const std::string &markup) { body += markup; }

  /// A fresh id for a clip path, unique within this document.
  std::string newId() { return "clip" + std::to_string(nextId++); }

  std::string finish() const {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
           "width=\"" +
           coord(width) + "\" height=\"" + coord(height) + "\" viewBox=\"0 0 " +
           coord(width) + " " + coord(height) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
           "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" +
           body + "</svg>\n";
  }

private:
  double width, height;
  std::string body;
  int nextId = 0;
};
} // namespace

/// Title above the frame and the axis labels below and left of it.
static void drawLabels(Svg &svg, const Frame &frame, double panelLeft,
                       double panelTop, const std::string &title,
                       const std::string &xLabel, const std::string &yLabel) {
  double centerX = (frame.left + frame.right) / 2;
  if (!title.empty())
    svg.text(centerX, panelTop + 22, title, "middle", 14,
             " font-weight=\"bold\"");
  if (!xLabel.empty())
    svg.text(centerX, frame.bottom + 38, xLabel);
  if (!yLabel.empty()) {
    double centerY = (frame.top + frame.bottom) / 2;
    std::string rotate = " transform=\"rotate(-90 " + coord(panelLeft + 16) +
                         " " + coord(centerY) + ")\"";
    svg.text(panelLeft + 16, centerY, yLabel, "middle", kFontSize,
             rotate.c_str());
  }
}

/// Ticks, tick labels and grid lines of the x axis at the frame's bottom;
/// ticks outside [low, high] are skipped.
static void drawXAxis(Svg &svg, const Frame &frame, const Scale &scale,
                      const std::vector<double> &ticks, bool grid) {
  double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
  double tolerance = std::fabs(scale.dataHigh - scale.dataLow) * 1e-9;
  for (double tick : ticks) {
    if (tick < scale.dataLow - tolerance || tick > scale.dataHigh + tolerance)
      continue;
    double x = scale(tick);
    if (grid)
      svg.line(x, frame.top, x, frame.bottom, kGridColor);
    svg.line(x, frame.bottom, x, frame.bottom + 5, kAxisColor);
    svg.text(x, frame.bottom + 18, formatTick(tick, step));
  }
}

/// The same for the y axis at the frame's left.
static void drawYAxis(Svg &svg, const Frame &frame, const Scale &scale,
                      const std::vector<double> &ticks, bool grid) {
  double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
  double tolerance = std::fabs(scale.dataHigh - scale.dataLow) * 1e-9;
  for (double tick : ticks) {
    if (tick < scale.dataLow - tolerance || tick > scale.dataHigh + tolerance)
      continue;
    double y = scale(tick);
    if (grid)
      svg.line(frame.left, y, frame.right, y, kGridColor);
    svg.line(frame.left - 5, y, frame.left, y, kAxisColor);
    svg.text(frame.left - 8, y + 4, formatTick(tick, step), "end");
  }
}

/// The frame's border, drawn last so that data never covers it.
static void drawBorder(Svg &svg, const Frame &frame) {
  svg.rect(frame.left, frame.top, frame.right - frame.left,
           frame.bottom - frame.top, "none",
           " stroke=\"#333333\" stroke-width=\"1\"");
}

/// Lower and upper bounds of the finite values of `values`; false if none.
static bool finiteRange(const std::vector<double> &values, double &low,
                        double &high) {
  bool any = false;
  for (double value : values) {
    if (!std::isfinite(value))
      continue;
    low = any ? std::min(low, value) : value;
    high = any ? std::max(high, value) : value;
    any = true;
  }
  return any;
}

/// Draws one line plot into the panel at (panelLeft, panelTop).
static void drawLinePlot(Svg &svg, const LinePlot &plot, double panelLeft,
                         double panelTop) {
  Frame frame{panelLeft + 70, panelTop + (plot.title.empty() ? 16 : 36),
              panelLeft + plot.width - 20, panelTop + plot.height - 50};
  drawLabels(svg, frame, panelLeft, panelTop, plot.title, plot.xLabel,
             plot.yLabel);

  // Ranges: x spans the data exactly (epochs start and end at the frame);
  // y is widened to round ticks unless fixed.
  double xLow = 0, xHigh = 1, yLow = 0, yHigh = 1;
  bool anyX = false, anyY = false;
  for (const PlotSeries &series : plot.series) {
    double low, high;
    if (finiteRange(series.x, low, high)) {
      xLow = anyX ? std::min(xLow, low) : low;
      xHigh = anyX ? std::max(xHigh, high) : high;
      anyX = true;
    }
    if (finiteRange(series.y, low, high)) {
      yLow = anyY ? std::min(yLow, low) : low;
      yHigh = anyY ? std::max(yHigh, high) : high;
      anyY = true;
    }
  }
  if (xHigh <= xLow) {
    xLow -= 0.5;
    xHigh += 0.5;
  }
  std::vector<double> xTicks = niceTicks(xLow, xHigh, 7);
  std::vector<double> yTicks;
  if (plot.fixedYRange && plot.yMax > plot.yMin) {
    yLow = plot.yMin;
    yHigh = plot.yMax;
    yTicks = niceTicks(yLow, yHigh, 6);
  } else {
    yTicks = niceTicks(yLow, yHigh, 6);
    yLow = yTicks.front();
    yHigh = yTicks.back();
  }
  Scale xScale{xLow, xHigh, frame.left, frame.right};
  Scale yScale{yLow, yHigh, frame.bottom, frame.top};
  drawXAxis(svg, frame, xScale, xTicks, true);
  drawYAxis(svg, frame, yScale, yTicks, true);

  // Curves, clipped to the frame in case a fixed range cuts them.
  std::string clipId = svg.newId();
  svg.raw("<clipPath id=\"" + clipId + "\"><rect x=\"" + coord(frame.left) +
          "\" y=\"" + coord(frame.top) + "\" width=\"" +
          coord(frame.right - frame.left) + "\" height=\"" +
          coord(frame.bottom - frame.top) + "\"/></clipPath>\n");
  svg.raw("<g clip-path=\"url(#" + clipId +
          ")\" fill=\"none\" "
          "stroke-width=\"2\" stroke-linejoin=\"round\" "
          "stroke-linecap=\"round\">\n");
  for (size_t index = 0; index < plot.series.size(); ++index) {
    const PlotSeries &series = plot.series[index];
    std::string color = xmlEscape(pickColor(series.color, index));
    std::string dash = series.dashed ? " stroke-dasharray=\"6 4\"" : "";
    size_t count = std::min(series.x.size(), series.y.size());
    std::string points;
    auto flush = [&] {
      if (!points.empty())
        svg.raw("<polyline stroke=\"" + color + "\"" + dash + " points=\"" +
                points + "\"/>\n");
      points.clear();
    };
    for (size_t point = 0; point < count; ++point) {
      double x = series.x[point], y = series.y[point];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        flush();
        continue;
      }
      points += (points.empty() ? "" : " ") + coord(xScale(x)) + "," +
                coord(yScale(y));
    }
    flush();
    if (!series.markers)
      continue;
    for (size_t point = 0; point < count; ++point) {
      double x = series.x[point], y = series.y[point];
      if (std::isfinite(x) && std::isfinite(y))
        svg.raw("<circle cx=\"" + coord(xScale(x)) + "\" cy=\"" +
                coord(yScale(y)) + "\" r=\"3\" fill=\"" + color +
                "\" stroke=\"none\"/>\n");
    }
  }
  svg.raw("</g>\n");
  drawBorder(svg, frame);

  // Legend in the top right corner of the frame.
  size_t longest = 0;
  size_t labelled = 0;
  for (const PlotSeries &series : plot.series) {
    longest = std::max(longest, series.label.size());
    labelled += series.label.empty() ? 0 : 1;
  }
  if (labelled == 0)
    return;
  double entryHeight = 18;
  double boxWidth = 44 + longest * kCharWidth;
  double boxHeight = labelled * entryHeight + 8;

  // The corner that covers the fewest data points, top right on a tie.
  double lefts[] = {frame.right - boxWidth - 8, frame.left + 8};
  double tops[] = {frame.top + 8, frame.bottom - boxHeight - 8};
  double boxLeft = lefts[0], boxTop = tops[0];
  size_t fewest = SIZE_MAX;
  for (double top : tops) {
    for (double left : lefts) {
      size_t covered = 0;
      for (const PlotSeries &series : plot.series) {
        size_t count = std::min(series.x.size(), series.y.size());
        for (size_t point = 0; point < count; ++point) {
          double x = xScale(series.x[point]), y = yScale(series.y[point]);
          covered += x >= left - 4 && x <= left + boxWidth + 4 &&
                     y >= top - 4 && y <= top + boxHeight + 4;
        }
      }
      if (covered < fewest) {
        fewest = covered;
        boxLeft = left;
        boxTop = top;
      }
    }
  }
  svg.rect(boxLeft, boxTop, boxWidth, boxHeight, "#ffffff",
           " fill-opacity=\"0.85\" stroke=\"#bbbbbb\"");
  double y = boxTop + 4 + entryHeight / 2;
  for (size_t index = 0; index < plot.series.size(); ++index) {
    const PlotSeries &series = plot.series[index];
    if (series.label.empty())
      continue;
    std::string color = xmlEscape(pickColor(series.color, index));
    std::string extra = series.dashed ? " stroke-dasharray=\"6 4\"" : "";
    svg.line(boxLeft + 8, y, boxLeft + 32, y, color.c_str(), 2, extra.c_str());
    svg.text(boxLeft + 38, y + 4, series.label, "start");
    y += entryHeight;
  }
}

std::string renderLinePlot(const LinePlot &plot) {
  Svg svg(plot.width, plot.height);
  drawLinePlot(svg, plot, 0, 0);
  return svg.finish();
}

std::string renderLinePlots(const std::vector<LinePlot> &plots,
                            int32_t columns) {
  columns = std::max<int32_t>(columns, 1);
  // Each row is as tall as its tallest plot, each column as wide as its
  // widest.
  size_t rows = (plots.size() + columns - 1) / columns;
  std::vector<double> columnWidth(columns, 0), rowHeight(rows, 0);
  for (size_t index = 0; index < plots.size(); ++index) {
    columnWidth[index % columns] =
        std::max(columnWidth[index % columns], plots[index].width);
    rowHeight[index / columns] =
        std::max(rowHeight[index / columns], plots[index].height);
  }
  double width = 0, height = 0;
  for (double value : columnWidth)
    width += value;
  for (double value : rowHeight)
    height += value;
  Svg svg(std::max(width, 1.0), std::max(height, 1.0));
  double top = 0;
  for (size_t row = 0; row < rows; ++row) {
    double left = 0;
    for (int32_t column = 0; column < columns; ++column) {
      size_t index = row * columns + column;
      if (index < plots.size())
        drawLinePlot(svg, plots[index], left, top);
      left += columnWidth[column];
    }
    top += rowHeight[row];
  }
  return svg.finish();
}

std::string renderRaster(const RasterPlot &plot) {
  Svg svg(plot.width, plot.height);
  Frame frame{120, plot.title.empty() ? 16.0 : 36.0, plot.width - 20,
              plot.height - 50};
  drawLabels(svg, frame, 0, 0, plot.title, "time (ms)", "");
  double duration = plot.durationMs > 0 ? plot.durationMs : 1;
  Scale time{0, duration, frame.left, frame.right};
  drawXAxis(svg, frame, time, niceTicks(0, duration, 8), true);

  // Bands get heights in proportion to their sizes, but never less than an
  // eighth or so of the whole, so a 3-neuron readout under a 1000-neuron layer
  // shows.
  double totalSize = 0;
  for (const RasterGroup &group : plot.groups)
    totalSize += std::max(group.size, 0);
  std::vector<double> weights;
  double totalWeight = 0;
  for (const RasterGroup &group : plot.groups) {
    double weight = std::max<double>(group.size, 0.12 * totalSize);
    weights.push_back(std::max(weight, 1.0));
    totalWeight += weights.back();
  }
  double gap = 8;
  double available = frame.bottom - frame.top -
                     gap * std::max<double>(plot.groups.size() - 1.0, 0.0);

  double bandTop = frame.top;
  for (size_t index = 0; index < plot.groups.size(); ++index) {
    const RasterGroup &group = plot.groups[index];
    double bandHeight = available * weights[index] / totalWeight;
    double bandBottom = bandTop + bandHeight;
    svg.rect(frame.left, bandTop, frame.right - frame.left, bandHeight,
             index % 2 ? "#f2f2f2" : "#f8f8f8", " fill-opacity=\"0.6\"");

    // Name and size to the left of the band, neuron 0 at its top.
    double middle = (bandTop + bandBottom) / 2;
    svg.text(frame.left - 10, middle, group.name, "end", kFontSize,
             " font-weight=\"bold\"");
    svg.text(frame.left - 10, middle + 15,
             std::to_string(group.size) +
                 (group.size == 1 ? " neuron" : " neurons"),
             "end", 10, " fill=\"#666666\"");

    // One path per band: a short vertical stroke per spike keeps the file
    // small for tens of thousands of spikes.
    if (group.size > 0) {
      double rowHeight = bandHeight / group.size;
      double tickHeight = std::max(rowHeight * 0.8, 1.0);
      std::string path;
      for (const RasterSpike &spike : group.spikes) {
        if (spike.neuron < 0 || spike.neuron >= group.size ||
            !(spike.timeMs >= 0 && spike.timeMs <= duration))
          continue;
        double rowCenter = bandTop + (spike.neuron + 0.5) * rowHeight;
        path += "M" + coord(time(spike.timeMs)) + " " +
                coord(rowCenter - tickHeight / 2) + "v" + coord(tickHeight);
      }
      if (!path.empty()) {
        double strokeWidth = group.spikes.size() > 5000 ? 1 : 1.5;
        svg.raw("<path fill=\"none\" stroke=\"" +
                xmlEscape(pickColor(group.color, index)) +
                "\" stroke-width=\"" + coord(strokeWidth) + "\" d=\"" + path +
                "\"/>\n");
      }
    }

    // A separator between this band and the next.
    if (index + 1 < plot.groups.size())
      svg.line(frame.left - 100, bandBottom + gap / 2, frame.right,
               bandBottom + gap / 2, "#999999", 1, " stroke-dasharray=\"4 3\"");
    bandTop = bandBottom + gap;
  }
  svg.line(frame.left, frame.bottom, frame.right, frame.bottom, kAxisColor);
  svg.line(frame.left, frame.top, frame.left, frame.bottom, kAxisColor);
  return svg.finish();
}

std::string renderHistogram(const HistogramPlot &plot) {
  Svg svg(plot.width, plot.height);
  Frame frame{70, plot.title.empty() ? 16.0 : 36.0, plot.width - 20,
              plot.height - 50};
  drawLabels(svg, frame, 0, 0, plot.title, plot.xLabel, plot.yLabel);

  // Binning range: fixed, or the values' own range; a single repeated
  // value gets a bin of its own around it.
  double low = 0, high = 1;
  bool anyValue = finiteRange(plot.values, low, high);
  if (plot.fixedRange && plot.high > plot.low) {
    low = plot.low;
    high = plot.high;
  } else if (anyValue && high <= low) {
    double pad = low == 0 ? 0.5 : std::fabs(low) * 0.05;
    low -= pad;
    high += pad;
  }
  int32_t bins = std::max<int32_t>(plot.bins, 1);
  std::vector<int64_t> counts(bins, 0);
  int64_t counted = 0, outside = 0;
  double sum = 0, sumSquares = 0;
  for (double value : plot.values) {
    if (!std::isfinite(value))
      continue;
    if (value < low || value > high) {
      ++outside;
      continue;
    }
    int32_t bin = static_cast<int32_t>((value - low) / (high - low) * bins);
    counts[std::min(bin, bins - 1)] += 1;
    ++counted;
    sum += value;
    sumSquares += value * value;
  }

  int64_t maxCount = 1;
  for (int64_t count : counts)
    maxCount = std::max(maxCount, count);
  std::vector<double> countTicks;
  for (double tick : niceTicks(0, static_cast<double>(maxCount), 6))
    if (tick == std::floor(tick))
      countTicks.push_back(tick);
  Scale xScale{low, high, frame.left, frame.right};
  Scale yScale{0, countTicks.back(), frame.bottom, frame.top};
  drawXAxis(svg, frame, xScale, niceTicks(low, high, 7), false);
  drawYAxis(svg, frame, yScale, countTicks, true);

  std::string color = pickColor(plot.color, 0);
  for (int32_t bin = 0; bin < bins; ++bin) {
    if (counts[bin] == 0)
      continue;
    double left = xScale(low + (high - low) * bin / bins);
    double right = xScale(low + (high - low) * (bin + 1) / bins);
    double top = yScale(static_cast<double>(counts[bin]));
    svg.rect(left, top, right - left, frame.bottom - top, color,
             " stroke=\"#ffffff\" stroke-width=\"0.5\"");
  }
  drawBorder(svg, frame);

  // Summary line in the top right corner.
  char summary[128];
  if (counted > 0) {
    double mean = sum / counted;
    double variance = std::max(sumSquares / counted - mean * mean, 0.0);
    std::snprintf(summary, sizeof summary, "n = %lld, mean = %.4g, sd = %.3g",
                  static_cast<long long>(counted), mean, std::sqrt(variance));
  } else {
    std::snprintf(summary, sizeof summary, "n = 0");
  }
  std::string line = summary;
  if (outside > 0)
    line += ", " + std::to_string(outside) + " outside the range";
  svg.text(frame.right - 8, frame.top + 18, line, "end", 11,
           " fill=\"#444444\"");
  return svg.finish();
}

bool writeTextFile(const std::string &path, const std::string &text,
                   std::string &error) {
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error = path + ": cannot open for writing";
    return false;
  }
  size_t written = std::fwrite(text.data(), 1, text.size(), file);
  bool closed = std::fclose(file) == 0;
  if (written != text.size() || !closed) {
    error = path + ": write failed";
    return false;
  }
  return true;
}

} // namespace snnc::runtime
