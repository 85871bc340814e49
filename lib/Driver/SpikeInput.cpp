//===- SpikeInput.cpp - Spike files and gradient reports ------------------===//

#include "snnc/Driver/SpikeInput.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace snnc;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

bool snnc::parseSpikeInput(llvm::StringRef text,
                           const runtime::Network &network,
                           runtime::Sample &sample, std::string &error) {
  llvm::Expected<Value> parsed = llvm::json::parse(text);
  if (!parsed) {
    error = "not valid JSON: " + llvm::toString(parsed.takeError());
    return false;
  }
  const Object *sources = parsed->getAsObject();
  if (!sources) {
    error = "expected an object from source name to a list of "
            "[channel, time_ms] pairs";
    return false;
  }

  sample.spikes.clear();
  for (const auto &[key, value] : *sources) {
    std::string name = key.str();
    int32_t population = network.findPopulation(name);
    if (population < 0 || network.populations[population].kind !=
                              runtime::PopulationKind::Source) {
      error = "unknown source '" + name + "'; the network's sources are:";
      for (const runtime::Population &candidate : network.populations)
        if (candidate.kind == runtime::PopulationKind::Source)
          error += " '" + candidate.name + "'";
      return false;
    }
    const Array *pairs = value.getAsArray();
    if (!pairs) {
      error = "source '" + name + "': expected a list of [channel, time_ms]";
      return false;
    }
    int32_t channels = network.populations[population].size;
    for (auto [index, entry] : llvm::enumerate(*pairs)) {
      std::string where = llvm::formatv("source '{0}', spike {1}", name, index);
      const Array *pair = entry.getAsArray();
      if (!pair || pair->size() != 2) {
        error = where + ": expected a pair [channel, time_ms]";
        return false;
      }
      std::optional<int64_t> channel = (*pair)[0].getAsInteger();
      std::optional<double> time = (*pair)[1].getAsNumber();
      if (!channel) {
        error = where + ": channel must be an integer";
        return false;
      }
      if (*channel < 0 || *channel >= channels) {
        error = llvm::formatv("{0}: channel {1} is out of range [0, {2})",
                              where, *channel, channels);
        return false;
      }
      if (!time || !std::isfinite(*time) || *time < 0) {
        error = where + ": time_ms must be a finite, non-negative number";
        return false;
      }
      sample.spikes.push_back(
          {population, static_cast<int32_t>(*channel), *time});
    }
  }
  return true;
}

/// A [rows][columns] nested array of a row-major matrix.
static Value matrix(const std::vector<double> &values, int32_t rows,
                    int32_t columns) {
  Array result;
  for (int32_t row = 0; row < rows; ++row) {
    Array line;
    for (int32_t column = 0; column < columns; ++column)
      line.push_back(values[row * columns + column]);
    result.push_back(std::move(line));
  }
  return result;
}

Value snnc::gradientReport(const runtime::Network &network,
                           const runtime::Sample &sample,
                           const runtime::ForwardResult &forward,
                           const runtime::Gradients *gradients) {
  Object report;
  report["network"] = network.name;
  if (sample.label >= 0) {
    report["label"] = sample.label;
    report["loss"] = forward.loss;
  }
  report["prediction"] = forward.prediction;
  report["outputs"] = Array(forward.outputs);

  Array spikes;
  for (size_t population = 0; population < forward.spikes.size(); ++population)
    for (const runtime::SpikeRecord &spike : forward.spikes[population])
      spikes.push_back(
          Object{{"population", network.populations[population].name},
                 {"neuron", spike.neuron},
                 {"time_ms", spike.timeMs}});
  report["spikes"] = std::move(spikes);

  if (!gradients)
    return report;
  Object projections;
  for (size_t index = 0; index < network.projections.size(); ++index) {
    const runtime::Projection &projection = network.projections[index];
    int32_t rows = network.populations[projection.post].size;
    int32_t columns = network.populations[projection.pre].size;
    projections[projection.name] =
        Object{{"weight", matrix(gradients->weight[index], rows, columns)},
               {"delay", matrix(gradients->delay[index], rows, columns)}};
  }
  Object populations;
  for (size_t index = 0; index < network.populations.size(); ++index) {
    if (network.populations[index].kind != runtime::PopulationKind::LIF)
      continue;
    const std::vector<double> &threshold = gradients->threshold[index];
    populations[network.populations[index].name] =
        Object{{"threshold", Array(threshold)}};
  }
  report["gradients"] = Object{{"projections", std::move(projections)},
                               {"populations", std::move(populations)}};
  return report;
}
