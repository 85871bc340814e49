//===- SvgTest.cpp - SVG plots: well-formed, with the expected parts ------===//

#include "runtime/Svg.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cmath>
#include <map>

using namespace snnc::runtime;

namespace {

/// The parts of a parsed SVG document a test looks at.
struct Parsed {
  bool wellFormed = false;
  std::string rootName;
  std::string rootNamespace;
  /// Element name -> how many there are.
  std::map<std::string, int> counts;
  /// Every text element's content, in document order.
  std::vector<std::string> texts;
  /// The attributes of every element of a name, in document order.
  std::map<std::string, std::vector<std::map<std::string, std::string>>>
      attributes;
};

/// Walks the element tree under `node` collecting Parsed's fields.
void collect(xmlNode *node, Parsed &parsed) {
  for (; node; node = node->next) {
    if (node->type != XML_ELEMENT_NODE)
      continue;
    std::string name = reinterpret_cast<const char *>(node->name);
    parsed.counts[name] += 1;
    std::map<std::string, std::string> attributes;
    for (xmlAttr *attribute = node->properties; attribute;
         attribute = attribute->next) {
      xmlChar *value = xmlNodeGetContent(attribute->children);
      attributes[reinterpret_cast<const char *>(attribute->name)] =
          value ? reinterpret_cast<const char *>(value) : "";
      xmlFree(value);
    }
    parsed.attributes[name].push_back(attributes);
    if (name == "text") {
      xmlChar *content = xmlNodeGetContent(node);
      parsed.texts.push_back(reinterpret_cast<const char *>(content));
      xmlFree(content);
    }
    collect(node->children, parsed);
  }
}

/// Parses `svg` strictly: any XML error makes it not well formed.
Parsed parse(const std::string &svg) {
  Parsed parsed;
  xmlDoc *document = xmlReadMemory(
      svg.data(), static_cast<int>(svg.size()), "plot.svg", nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!document)
    return parsed;
  parsed.wellFormed = true;
  xmlNode *root = xmlDocGetRootElement(document);
  parsed.rootName = reinterpret_cast<const char *>(root->name);
  if (root->ns && root->ns->href)
    parsed.rootNamespace = reinterpret_cast<const char *>(root->ns->href);
  collect(root, parsed);
  xmlFreeDoc(document);
  return parsed;
}

bool hasText(const Parsed &parsed, const std::string &text) {
  for (const std::string &candidate : parsed.texts)
    if (candidate == text)
      return true;
  return false;
}

} // namespace

TEST(SvgTest, NiceTicks) {
  EXPECT_EQ(niceTicks(0, 1, 6),
            (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(niceTicks(0, 49, 7), (std::vector<double>{0, 10, 20, 30, 40, 50}));
  std::vector<double> covering = niceTicks(0.13, 0.97, 5);
  EXPECT_LE(covering.front(), 0.13);
  EXPECT_GE(covering.back(), 0.97);
  EXPECT_EQ(niceTicks(-3, 3, 4), (std::vector<double>{-4, -2, 0, 2, 4}));
  // A degenerate range still gets ticks around its value.
  EXPECT_FALSE(niceTicks(5, 5, 5).empty());
}

// Training curves: one polyline per series, a legend entry per label, the
// title escaped, a fixed accuracy range honoured by the tick labels.
TEST(SvgTest, LinePlot) {
  LinePlot plot;
  plot.title = "loss <train & validation>";
  plot.xLabel = "epoch";
  plot.yLabel = "loss";
  PlotSeries train{"train", {1, 2, 3, 4}, {1.2, 0.8, 0.6, 0.5},
                   "",      false,        true};
  PlotSeries validation{"validation", {1, 2, 3, 4}, {1.3, 0.9, NAN, 0.7},
                        "",           true,         false};
  plot.series = {train, validation};
  Parsed parsed = parse(renderLinePlot(plot));
  ASSERT_TRUE(parsed.wellFormed);
  EXPECT_EQ(parsed.rootName, "svg");
  EXPECT_EQ(parsed.rootNamespace, "http://www.w3.org/2000/svg");
  // The NaN splits the validation curve in two.
  EXPECT_EQ(parsed.counts["polyline"], 3);
  EXPECT_EQ(parsed.counts["circle"], 4);
  EXPECT_TRUE(hasText(parsed, "loss <train & validation>"));
  EXPECT_TRUE(hasText(parsed, "train"));
  EXPECT_TRUE(hasText(parsed, "validation"));
  EXPECT_TRUE(hasText(parsed, "epoch"));
  // y ticks widened to round values around 0.5..1.3.
  EXPECT_TRUE(hasText(parsed, "0.4"));
  EXPECT_TRUE(hasText(parsed, "1.4"));

  LinePlot accuracy;
  accuracy.fixedYRange = true;
  accuracy.yMin = 0;
  accuracy.yMax = 1;
  accuracy.series = {{"test", {0, 1}, {0.5, 0.9}, "#ff0000", false, false}};
  Parsed fixed = parse(renderLinePlots({plot, accuracy}, 2));
  ASSERT_TRUE(fixed.wellFormed);
  EXPECT_TRUE(hasText(fixed, "1.0"));
  EXPECT_TRUE(hasText(fixed, "0.0"));
  EXPECT_EQ(fixed.counts["polyline"], 4);
  EXPECT_EQ(fixed.attributes["svg"][0]["width"], "1280");
}

// A raster: one band per population, separators between bands, one stroke
// per spike inside the time range and the population.
TEST(SvgTest, Raster) {
  RasterPlot plot;
  plot.title = "sample 0";
  plot.durationMs = 50;
  RasterGroup input{"input", 5, {{0, 1}, {4, 49}, {2, 60}, {7, 3}}, ""};
  RasterGroup hidden{"hidden", 120, {}, ""};
  for (int neuron = 0; neuron < 120; neuron += 3)
    hidden.spikes.push_back({neuron, neuron * 0.4});
  RasterGroup output{"output", 3, {{1, 12.5}}, ""};
  plot.groups = {input, hidden, output};
  std::string svg = renderRaster(plot);
  Parsed parsed = parse(svg);
  ASSERT_TRUE(parsed.wellFormed);
  ASSERT_EQ(parsed.counts["path"], 3);
  auto strokes = [](const std::string &d) {
    return std::count(d.begin(), d.end(), 'M');
  };
  // Spikes at 60 ms and of neuron 7 are outside the plot.
  EXPECT_EQ(strokes(parsed.attributes["path"][0]["d"]), 2);
  EXPECT_EQ(strokes(parsed.attributes["path"][1]["d"]), 40);
  EXPECT_EQ(strokes(parsed.attributes["path"][2]["d"]), 1);
  int separators = 0;
  for (auto &line : parsed.attributes["line"])
    separators += line.count("stroke-dasharray");
  EXPECT_EQ(separators, 2);
  EXPECT_TRUE(hasText(parsed, "hidden"));
  EXPECT_TRUE(hasText(parsed, "120 neurons"));
  EXPECT_TRUE(hasText(parsed, "time (ms)"));
  EXPECT_TRUE(hasText(parsed, "50"));
}

// Bars have heights in proportion to their counts.
TEST(SvgTest, Histogram) {
  HistogramPlot plot;
  plot.title = "learned delays";
  plot.xLabel = "delay (ms)";
  plot.values = {0.5, 0.7, 1.5, 1.6, 1.9, 2.5, 7.0, NAN};
  plot.bins = 3;
  plot.fixedRange = true;
  plot.low = 0;
  plot.high = 3;
  Parsed parsed = parse(renderHistogram(plot));
  ASSERT_TRUE(parsed.wellFormed);
  std::vector<double> heights;
  for (auto &rect : parsed.attributes["rect"])
    if (rect["stroke"] == "#ffffff")
      heights.push_back(std::stod(rect["height"]));
  ASSERT_EQ(heights.size(), 3u);
  EXPECT_NEAR(heights[0] / heights[1], 2.0 / 3, 1e-2);
  EXPECT_NEAR(heights[2] / heights[1], 1.0 / 3, 1e-2);
  EXPECT_TRUE(hasText(parsed, "learned delays"));
  EXPECT_TRUE(hasText(parsed, "delay (ms)"));
  bool summary = false;
  for (const std::string &text : parsed.texts)
    summary |= text.find("n = 6") != std::string::npos &&
               text.find("1 outside") != std::string::npos;
  EXPECT_TRUE(summary);

  // All values equal: still a valid plot with one bar.
  HistogramPlot constant;
  constant.values = {1.0, 1.0, 1.0};
  Parsed single = parse(renderHistogram(constant));
  ASSERT_TRUE(single.wellFormed);
  int bars = 0;
  for (auto &rect : single.attributes["rect"])
    bars += rect["stroke"] == "#ffffff";
  EXPECT_EQ(bars, 1);
}

TEST(SvgTest, WriteFileReportsTheFile) {
  std::string error;
  EXPECT_FALSE(writeTextFile("/nonexistent-dir/plot.svg", "x", error));
  EXPECT_NE(error.find("/nonexistent-dir/plot.svg"), std::string::npos);
}
