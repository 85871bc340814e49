//===- NIRImport.cpp - NIR graphs to the snn dialect ----------------------===//
//
// A NIR graph is read in three steps:
//
//   HDF5 groups --read-->    RawGraph (nested, as stored)
//               --flatten--> FlatNode list (subgraphs inlined, ports resolved)
//               --route-->   snn.network (populations and projections)
//
// Routing starts at every spike emitter (an Input or a neuron node) and
// follows edges through the linear nodes (Affine, Linear, Scale, Delay,
// Flatten and subgraph ports) until it reaches a neuron node. The linear
// nodes met on the way compose into one weight and one delay per synapse,
// which is what an `snn.project` holds. docs/nir.md states the mapping.
//
//===----------------------------------------------------------------------===//

#include "snnc/NIR/NIR.h"

#include "lib/NIR/HDF5.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <memory>
#include <optional>

using namespace mlir;
using namespace snnc;
using namespace snnc::nir;
using llvm::StringRef;

/// NIR stores times in seconds, snn in milliseconds.
static constexpr double kMsPerSecond = 1000.0;

/// Prints a number the way a user wrote it, with no trailing zeros.
static std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", value);
  return text;
}

/// Turns a NIR node name into an snn name: letters, digits and underscores.
static std::string sanitizeName(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
  return result.empty() ? "node" : result;
}

namespace {

//===----------------------------------------------------------------------===//
// The graph as stored
//===----------------------------------------------------------------------===//

struct RawGraph;

/// One node of a NIR graph: a type and its fields, or a nested graph.
struct RawNode {
  std::string name;
  std::string path;
  std::string type;
  llvm::StringMap<Array> fields;
  std::unique_ptr<RawGraph> graph;
};

struct RawGraph {
  std::string path;
  std::vector<RawNode> nodes;
  std::vector<std::pair<std::string, std::string>> edges;
};

//===----------------------------------------------------------------------===//
// The graph flattened
//===----------------------------------------------------------------------===//

enum class Kind {
  /// A top-level Input node: an `snn.source`.
  Source,
  /// A top-level Output node: marks the population feeding it.
  Sink,
  /// A neuron node: an `snn.lif` or `snn.li`.
  Neuron,
  /// A linear node on the way between two spiking nodes.
  Linear,
  /// A port of a nested graph, which passes its input on unchanged.
  Pass,
};

struct FlatNode {
  const RawNode *raw = nullptr;
  Kind kind = Kind::Pass;
  /// Number of values the node takes and gives; -1 when it takes any.
  int64_t inSize = -1;
  int64_t outSize = -1;
  std::vector<unsigned> successors;
};

/// A linear map from the spikes of one emitter (columns) to the inputs of
/// some node (rows) with one delay per entry. `reach` marks the entries that
/// some path connects; their delay is defined, the others have none.
struct DelayedMap {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> weight;
  std::vector<double> delayMs;
  std::vector<char> reach;
  /// Whether the map is still the identity of its emitter.
  bool identity = true;

  static DelayedMap getIdentity(int64_t size) {
    DelayedMap map;
    map.rows = map.cols = size;
    map.weight.assign(size * size, 0.0);
    map.delayMs.assign(size * size, 0.0);
    map.reach.assign(size * size, 0);
    for (int64_t i = 0; i < size; ++i) {
      map.weight[i * size + i] = 1.0;
      map.reach[i * size + i] = 1;
    }
    return map;
  }
};

/// A path from an emitter to a neuron node, composed into one map.
struct Route {
  unsigned start;
  unsigned target;
  DelayedMap map;
  /// The NIR node that names the projection (the last weight on the path).
  std::string name;
};

/// What an snn population takes from one NIR neuron node.
struct NeuronParams {
  bool spiking = true;
  double tauMemMs = 0.0;
  double tauSynMs = 0.0;
  llvm::SmallVector<double> threshold;
  double reset = 0.0;
  /// Factor from a NIR input value to the snn synaptic current, per neuron.
  llvm::SmallVector<double> gain;
};

class Importer {
public:
  Importer(MLIRContext *context, Location loc, const NIRImportOptions &options)
      : context(context), loc(loc), options(options) {}

  OwningOpRef<ModuleOp> run(hid_t file, StringRef defaultName);

private:
  LogicalResult readNode(hid_t parent, StringRef name, StringRef prefix,
                         RawNode &node);
  LogicalResult readGraph(hid_t group, StringRef path, RawGraph &graph);

  LogicalResult flatten(const RawGraph &graph, bool top);
  LogicalResult connect(const RawGraph &graph);
  FailureOr<unsigned> resolve(const RawGraph &graph, StringRef name,
                              bool asTarget, bool quiet);
  LogicalResult classify(FlatNode &node, bool top);

  LogicalResult checkEdges();
  LogicalResult walk(unsigned start, unsigned nodeId, const DelayedMap &map,
                     StringRef name, llvm::SmallVectorImpl<unsigned> &stack);
  FailureOr<DelayedMap> apply(const FlatNode &node, const DelayedMap &map);
  FailureOr<NeuronParams> neuronParams(const FlatNode &node);

  // Field access with diagnostics naming the node and field.
  const Array *field(const FlatNode &node, StringRef name, bool required);
  FailureOr<double> uniform(const FlatNode &node, StringRef name,
                            llvm::ArrayRef<double> values);
  InFlightDiagnostic nodeError(const FlatNode &node);
  static std::string describe(const FlatNode &node);

  MLIRContext *context;
  Location loc;
  const NIRImportOptions &options;

  std::vector<FlatNode> nodes;
  llvm::DenseMap<const RawNode *, unsigned> flatId;
  std::vector<Route> routes;
  /// Emitters that feed a top-level Output node directly.
  llvm::SmallVector<unsigned> outputs;
  bool stepHintGiven = false;
};

} // namespace

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

std::string Importer::describe(const FlatNode &node) {
  return "node '" + node.raw->path + "' (" + node.raw->type + ")";
}

InFlightDiagnostic Importer::nodeError(const FlatNode &node) {
  return emitError(loc) << describe(node) << ": ";
}

const Array *Importer::field(const FlatNode &node, StringRef name,
                             bool required) {
  auto it = node.raw->fields.find(name);
  if (it == node.raw->fields.end()) {
    if (required)
      nodeError(node) << "missing field '" << name << "'";
    return nullptr;
  }
  if (it->second.isString) {
    nodeError(node) << "field '" << name << "' holds strings, not numbers";
    return nullptr;
  }
  return &it->second;
}

FailureOr<double> Importer::uniform(const FlatNode &node, StringRef name,
                                    llvm::ArrayRef<double> values) {
  for (double value : values) {
    if (value == values.front())
      continue;
    nodeError(node) << "field '" << name
                    << "' must be the same for every neuron (snn has one "
                       "per population), got "
                    << formatNumber(values.front()) << " and "
                    << formatNumber(value);
    return failure();
  }
  return values.empty() ? 0.0 : values.front();
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// Reads the `type` string of a node group, stored as a dataset by the NIR
/// reference writer and as an attribute by some others.
static llvm::Expected<std::string> readType(hid_t group) {
  llvm::Expected<Array> type =
      isDataset(group, "type") ? readDataset(group, "type")
      : hasAttribute(group, "type")
          ? readAttribute(group, "type")
          : llvm::createStringError(llvm::inconvertibleErrorCode(),
                                    "missing field 'type'");
  if (!type)
    return type.takeError();
  if (!type->isString || type->strings.size() != 1)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "field 'type' is not one string");
  return type->strings.front();
}

LogicalResult Importer::readNode(hid_t parent, StringRef name, StringRef prefix,
                                 RawNode &node) {
  node.name = name.str();
  node.path = prefix.empty() ? name.str() : (prefix + "." + name).str();
  Handle group(H5Gopen2(parent, node.name.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid())
    return emitError(loc) << "node '" << node.path << "': not a group";

  llvm::Expected<std::string> type = readType(group.get());
  if (!type)
    return emitError(loc) << "node '" << node.path
                          << "': " << llvm::toString(type.takeError());
  node.type = *type;

  if (node.type == "NIRGraph") {
    node.graph = std::make_unique<RawGraph>();
    return readGraph(group.get(), node.path, *node.graph);
  }

  // Every dataset is a field; groups (metadata, typed shapes of newer
  // writers) carry nothing the mapping uses.
  for (const std::string &member : listMembers(group.get())) {
    if (member == "type" || !isDataset(group.get(), member))
      continue;
    llvm::Expected<Array> value = readDataset(group.get(), member);
    if (!value)
      return emitError(loc)
             << "node '" << node.path << "' (" << node.type << "): field '"
             << member
             << "' is unreadable: " << llvm::toString(value.takeError());
    node.fields[member] = std::move(*value);
  }
  return success();
}

LogicalResult Importer::readGraph(hid_t group, StringRef path,
                                  RawGraph &graph) {
  graph.path = path.str();
  std::string where =
      path.empty() ? "graph '/node'" : "graph '" + path.str() + "'";
  if (!isGroup(group, "nodes"))
    return emitError(loc) << where << ": missing field 'nodes'";
  Handle nodesGroup(H5Gopen2(group, "nodes", H5P_DEFAULT), H5Gclose);
  for (const std::string &name : listMembers(nodesGroup.get())) {
    graph.nodes.emplace_back();
    if (failed(readNode(nodesGroup.get(), name, path, graph.nodes.back())))
      return failure();
  }

  if (!isDataset(group, "edges"))
    return emitError(loc) << where << ": missing field 'edges'";
  llvm::Expected<Array> edges = readDataset(group, "edges");
  if (!edges)
    return emitError(loc) << where << ": field 'edges' is unreadable: "
                          << llvm::toString(edges.takeError());
  int64_t count = edges->numElements();
  bool emptyList = count == 0;
  bool pairs = edges->shape.size() == 2 && edges->shape[1] == 2;
  if (!edges->isString || (!emptyList && !pairs)) {
    InFlightDiagnostic diag = emitError(loc)
                              << where
                              << ": field 'edges' must be an N x 2 array of "
                                 "node names, got shape [";
    llvm::interleave(edges->shape, diag, ", ");
    diag << "]" << (edges->isString ? "" : " of numbers");
    return diag;
  }
  for (int64_t i = 0; i + 1 < count; i += 2)
    graph.edges.emplace_back(edges->strings[i], edges->strings[i + 1]);
  return success();
}

//===----------------------------------------------------------------------===//
// Flattening
//===----------------------------------------------------------------------===//

LogicalResult Importer::classify(FlatNode &node, bool top) {
  StringRef type = node.raw->type;

  // Shape of a list of sizes (Input `shape`, Flatten `input_type`).
  auto product = [&](StringRef name, bool required) -> FailureOr<int64_t> {
    const Array *dims = field(node, name, required);
    if (!dims)
      return required ? FailureOr<int64_t>(failure()) : FailureOr<int64_t>(-1);
    int64_t size = 1;
    for (double dim : dims->numbers) {
      if (dim < 1 || dim != std::floor(dim)) {
        nodeError(node) << "field '" << name << "' holds " << formatNumber(dim)
                        << ", not a positive size";
        return failure();
      }
      size *= static_cast<int64_t>(dim);
    }
    return size;
  };

  if (type == "Input" || type == "Output") {
    if (!top) {
      node.kind = Kind::Pass;
      return success();
    }
    node.kind = type == "Input" ? Kind::Source : Kind::Sink;
    FailureOr<int64_t> size = product("shape", type == "Input");
    if (failed(size))
      return failure();
    node.inSize = node.outSize = *size;
    return success();
  }

  if (type == "Affine" || type == "Linear") {
    node.kind = Kind::Linear;
    const Array *weight = field(node, "weight", true);
    if (!weight)
      return failure();
    if (weight->shape.size() != 2) {
      nodeError(node) << "field 'weight' must be a matrix, got "
                      << weight->shape.size() << " dimensions";
      return failure();
    }
    node.outSize = weight->shape[0];
    node.inSize = weight->shape[1];
    if (type == "Linear")
      return success();

    // Affine: snn has no bias current, so a nonzero bias is refused or
    // dropped as the user chose.
    const Array *bias = field(node, "bias", true);
    if (!bias)
      return failure();
    if (bias->numElements() != node.outSize) {
      nodeError(node) << "field 'bias' has " << bias->numElements()
                      << " elements but 'weight' has " << node.outSize
                      << " rows";
      return failure();
    }
    auto nonzero =
        llvm::find_if(bias->numbers, [](double b) { return b != 0.0; });
    if (nonzero == bias->numbers.end())
      return success();
    int64_t index = nonzero - bias->numbers.begin();
    if (options.bias == NIRBiasMode::Error) {
      nodeError(node) << "field 'bias' is nonzero (" << formatNumber(*nonzero)
                      << " at index " << index
                      << ") and snn has no bias current; pass "
                         "--nir-bias=drop to import without it";
      return failure();
    }
    emitWarning(loc) << describe(node) << ": dropped nonzero field 'bias' ("
                     << formatNumber(*nonzero) << " at index " << index
                     << ") because of --nir-bias=drop";
    return success();
  }

  if (type == "Scale" || type == "Delay") {
    node.kind = Kind::Linear;
    StringRef name = type == "Scale" ? "scale" : "delay";
    const Array *values = field(node, name, true);
    if (!values)
      return failure();
    node.inSize = node.outSize = values->numElements();
    if (type == "Delay")
      for (double delay : values->numbers)
        if (!std::isfinite(delay) || delay < 0) {
          nodeError(node) << "field 'delay' holds " << formatNumber(delay)
                          << "; delays must be non-negative and finite";
          return failure();
        }
    return success();
  }

  if (type == "Flatten") {
    node.kind = Kind::Linear;
    FailureOr<int64_t> size = product("input_type", false);
    if (failed(size))
      return failure();
    node.inSize = node.outSize = *size;
    return success();
  }

  if (type == "CubaLIF" || type == "CubaLI" || type == "LIF" || type == "LI" ||
      type == "IF" || type == "I") {
    node.kind = Kind::Neuron;
    llvm::SmallVector<StringRef> required = {"r"};
    if (type == "CubaLIF" || type == "CubaLI")
      required.append({"tau_mem", "tau_syn", "v_leak"});
    if (type == "LIF" || type == "LI")
      required.append({"tau", "v_leak"});
    if (type == "CubaLIF" || type == "LIF" || type == "IF")
      required.push_back("v_threshold");
    int64_t size = -1;
    StringRef sizeField;
    for (StringRef name : required) {
      const Array *values = field(node, name, true);
      if (!values)
        return failure();
      if (size < 0) {
        size = values->numElements();
        sizeField = name;
      } else if (values->numElements() != size) {
        nodeError(node) << "field '" << name << "' has "
                        << values->numElements() << " elements but '"
                        << sizeField << "' has " << size;
        return failure();
      }
    }
    for (StringRef name : {"w_in", "v_reset"}) {
      const Array *values = field(node, name, false);
      if (values && values->numElements() != size &&
          values->numElements() != 1) {
        nodeError(node) << "field '" << name << "' has "
                        << values->numElements() << " elements but '"
                        << sizeField << "' has " << size;
        return failure();
      }
    }
    node.inSize = node.outSize = size;
    return success();
  }

  if (type == "Conv1d" || type == "Conv2d" || type == "SumPool2d" ||
      type == "AvgPool2d")
    return nodeError(node) << "convolution and pooling are not supported: "
                              "snn projections are dense; unroll the layer "
                              "into an Affine node before export";
  if (type == "Threshold")
    return nodeError(node)
           << "a Threshold node spikes on a continuous input, which an snn "
              "network cannot produce; use a neuron node instead";
  return emitError(loc) << "node '" << node.raw->path << "': unknown type '"
                        << type << "'";
}

LogicalResult Importer::flatten(const RawGraph &graph, bool top) {
  bool ok = true;
  for (const RawNode &raw : graph.nodes) {
    if (raw.graph) {
      ok &= succeeded(flatten(*raw.graph, false));
      continue;
    }
    flatId[&raw] = nodes.size();
    nodes.emplace_back();
    nodes.back().raw = &raw;
    // Check every node so one run lists every refused node.
    ok &= succeeded(classify(nodes.back(), top));
  }
  return success(ok);
}

FailureOr<unsigned> Importer::resolve(const RawGraph &graph, StringRef name,
                                      bool asTarget, bool quiet) {
  const RawNode *node = nullptr;
  StringRef port;
  for (const RawNode &candidate : graph.nodes)
    if (candidate.name == name)
      node = &candidate;

  // `sub.port` names a port of a nested graph.
  if (!node && name.contains('.')) {
    auto [prefix, rest] = name.split('.');
    for (const RawNode &candidate : graph.nodes)
      if (candidate.name == prefix && candidate.graph) {
        node = &candidate;
        port = rest;
      }
  }
  if (!node)
    return failure();
  if (!node->graph)
    return flatId.lookup(node);
  if (!port.empty())
    return resolve(*node->graph, port, asTarget, quiet);

  // A nested graph entered or left by name: through its only port.
  StringRef portType = asTarget ? "Input" : "Output";
  llvm::SmallVector<const RawNode *> ports;
  for (const RawNode &inner : node->graph->nodes)
    if (inner.type == portType)
      ports.push_back(&inner);
  if (ports.size() == 1)
    return flatId.lookup(ports.front());
  if (!quiet)
    emitError(loc) << "graph '" << node->path << "' has " << ports.size() << " "
                   << portType << " nodes; an edge must name one as '"
                   << node->name << ".<port>'";
  return failure();
}

LogicalResult Importer::connect(const RawGraph &graph) {
  for (const RawNode &node : graph.nodes)
    if (node.graph && failed(connect(*node.graph)))
      return failure();

  // Names that resolve, and the nodes no edge names.
  std::string where =
      graph.path.empty() ? "graph '/node'" : "graph '" + graph.path + "'";
  llvm::StringSet<> named;
  llvm::StringSet<> missing;
  for (const auto &[from, to] : graph.edges)
    for (StringRef name : {StringRef(from), StringRef(to)}) {
      const RawNode *found = nullptr;
      for (const RawNode &node : graph.nodes)
        if (node.name == name ||
            (!found && node.graph && name.starts_with(node.name + ".")))
          found = &node;
      if (found)
        named.insert(found->name);
      else
        missing.insert(name);
    }
  const RawNode *unnamed = nullptr;
  unsigned unnamedCount = 0;
  for (const RawNode &node : graph.nodes)
    if (!named.contains(node.name)) {
      unnamed = &node;
      ++unnamedCount;
    }
  bool repairable = missing.size() == 1 && unnamedCount == 1;

  for (const auto &[from, to] : graph.edges) {
    unsigned ends[2];
    bool repaired = false;
    for (int side = 0; side < 2; ++side) {
      StringRef name = side == 0 ? from : to;
      bool asTarget = side == 1;
      StringRef lookup = name;
      if (missing.contains(name)) {
        if (!(repairable && options.repairEdges)) {
          InFlightDiagnostic diag =
              emitError(loc) << where << ": edge '" << from << "' -> '" << to
                             << "' names missing node '" << name << "'";
          if (repairable)
            diag.attachNote(loc)
                << "node '" << unnamed->path
                << "' is named by no edge; --nir-repair-edges takes '" << name
                << "' to mean it";
          return diag;
        }
        lookup = unnamed->name;
        repaired = true;
      }
      FailureOr<unsigned> id = resolve(graph, lookup, asTarget, false);
      if (failed(id))
        return failure();
      ends[side] = *id;
    }
    if (repaired)
      emitWarning(loc) << where << ": edge '" << from << "' -> '" << to
                       << "' names missing node '" << missing.begin()->getKey()
                       << "', taken to mean '" << unnamed->name
                       << "' (--nir-repair-edges)";
    nodes[ends[0]].successors.push_back(ends[1]);
  }
  return success();
}

LogicalResult Importer::checkEdges() {
  for (FlatNode &node : nodes)
    for (unsigned next : node.successors) {
      const FlatNode &target = nodes[next];
      if (target.kind == Kind::Source)
        return emitError(loc)
               << "edge '" << node.raw->path << "' -> '" << target.raw->path
               << "': an Input node takes no input";
      if (node.kind == Kind::Sink)
        return emitError(loc)
               << "edge '" << node.raw->path << "' -> '" << target.raw->path
               << "': an Output node gives no output";
      if (node.outSize >= 0 && target.inSize >= 0 &&
          node.outSize != target.inSize)
        return emitError(loc)
               << "edge '" << node.raw->path << "' -> '" << target.raw->path
               << "': shape mismatch, " << describe(node) << " gives "
               << node.outSize << " values but " << describe(target)
               << " takes " << target.inSize;
    }
  return success();
}

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

FailureOr<DelayedMap> Importer::apply(const FlatNode &node,
                                      const DelayedMap &map) {
  StringRef type = node.raw->type;
  if (node.inSize >= 0 && node.inSize != map.rows) {
    nodeError(node) << "takes " << node.inSize << " values but " << map.rows
                    << " arrive";
    return failure();
  }
  if (node.kind == Kind::Pass || type == "Flatten")
    return map;

  DelayedMap result = map;
  result.identity = false;
  if (type == "Scale") {
    const Array *scale = field(node, "scale", true);
    for (int64_t row = 0; row < map.rows; ++row)
      for (int64_t col = 0; col < map.cols; ++col) {
        int64_t at = row * map.cols + col;
        result.weight[at] *= scale->numbers[row];
        result.reach[at] &= scale->numbers[row] != 0.0;
      }
    return result;
  }
  if (type == "Delay") {
    const Array *delay = field(node, "delay", true);
    for (int64_t row = 0; row < map.rows; ++row)
      for (int64_t col = 0; col < map.cols; ++col)
        result.delayMs[row * map.cols + col] +=
            delay->numbers[row] * kMsPerSecond;
    return result;
  }

  // Affine or Linear: a matrix product in which every path into one synapse
  // must carry the same delay, since an snn synapse has one.
  const Array *weight = field(node, "weight", true);
  int64_t rows = node.outSize;
  result.rows = rows;
  result.weight.assign(rows * map.cols, 0.0);
  result.delayMs.assign(rows * map.cols, 0.0);
  result.reach.assign(rows * map.cols, 0);
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t mid = 0; mid < map.rows; ++mid) {
      double factor = weight->numbers[row * map.rows + mid];
      if (factor == 0.0)
        continue;
      for (int64_t col = 0; col < map.cols; ++col) {
        int64_t from = mid * map.cols + col;
        if (!map.reach[from])
          continue;
        int64_t to = row * map.cols + col;
        result.weight[to] += factor * map.weight[from];
        if (result.reach[to] && result.delayMs[to] != map.delayMs[from]) {
          nodeError(node) << "sums paths with different delays ("
                          << formatNumber(result.delayMs[to]) << " ms and "
                          << formatNumber(map.delayMs[from])
                          << " ms) into output " << row
                          << "; an snn synapse has one delay";
          return failure();
        }
        result.reach[to] = 1;
        result.delayMs[to] = map.delayMs[from];
      }
    }
  return result;
}

LogicalResult Importer::walk(unsigned start, unsigned nodeId,
                             const DelayedMap &map, StringRef name,
                             llvm::SmallVectorImpl<unsigned> &stack) {
  const FlatNode &node = nodes[nodeId];
  for (unsigned nextId : node.successors) {
    const FlatNode &next = nodes[nextId];
    switch (next.kind) {
    case Kind::Neuron:
      if (map.rows != next.inSize)
        return nodeError(next)
               << "has " << next.inSize << " neurons but " << map.rows
               << " values arrive from '" << node.raw->path << "'";
      routes.push_back({start, nextId, map, name.str()});
      continue;
    case Kind::Sink:
      if (!map.identity)
        return nodeError(next)
               << "reads '" << nodes[start].raw->path
               << "' through linear nodes; snn reads out neurons only";
      if (!llvm::is_contained(outputs, start))
        outputs.push_back(start);
      continue;
    case Kind::Source:
      return failure(); // Reported by checkEdges.
    case Kind::Linear:
    case Kind::Pass:
      break;
    }

    if (llvm::is_contained(stack, nextId))
      return nodeError(next) << "lies on a cycle with no neuron node; NIR "
                                "cycles must pass through a neuron";
    FailureOr<DelayedMap> composed = apply(next, map);
    if (failed(composed))
      return failure();
    if (next.successors.empty())
      emitWarning(loc) << describe(next)
                       << " feeds no node; its values are unused";
    StringRef type = next.raw->type;
    bool names = type == "Affine" || type == "Linear" ||
                 (name.empty() && next.kind == Kind::Linear);
    stack.push_back(nextId);
    LogicalResult result =
        walk(start, nextId, *composed, names ? next.raw->path : name, stack);
    stack.pop_back();
    if (failed(result))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Neurons
//===----------------------------------------------------------------------===//

FailureOr<NeuronParams> Importer::neuronParams(const FlatNode &node) {
  StringRef type = node.raw->type;
  int64_t size = node.inSize;
  NeuronParams params;
  params.spiking = type == "CubaLIF" || type == "LIF" || type == "IF";
  bool current = type == "CubaLIF" || type == "CubaLI";
  bool leaky = type != "IF" && type != "I";

  // Values of a field spread to one per neuron.
  auto values = [&](StringRef name, double fallback) {
    llvm::SmallVector<double> result(size, fallback);
    if (const Array *array = field(node, name, false))
      for (int64_t i = 0; i < size; ++i)
        result[i] = array->numbers[array->numbers.size() == 1 ? 0 : i];
    return result;
  };
  auto positive = [&](StringRef name,
                      llvm::ArrayRef<double> seconds) -> LogicalResult {
    for (double value : seconds)
      if (!std::isfinite(value) || value <= 0)
        return nodeError(node)
               << "field '" << name << "' holds " << formatNumber(value)
               << "; time constants must be positive";
    return success();
  };

  // snn's voltage has its rest at 0 and starts there; NIR's rests at v_leak
  // and its initial value is the simulator's. Only v_leak = 0 maps exactly.
  if (leaky)
    for (double leak : values("v_leak", 0.0))
      if (leak != 0.0)
        return nodeError(node) << "field 'v_leak' is " << formatNumber(leak)
                               << "; snn neurons rest at 0, so only a zero "
                                  "leak voltage maps exactly";

  // Neurons without a synaptic current or without a leak are approximated
  // only when the user names the missing time constants.
  if (!current && options.approxTauSynMs <= 0)
    return nodeError(node)
           << "snn neurons are current-based and this node has no synaptic "
              "current; pass --nir-approx-tau-syn=<ms> to approximate it "
              "with a short synaptic time constant";
  if (!leaky && options.approxTauMemMs <= 0)
    return nodeError(node)
           << "snn neurons leak and this node does not; pass "
              "--nir-approx-tau-mem=<ms> to approximate it with a long "
              "membrane time constant";

  // The area of one input spike, in seconds.
  double spikeArea = options.stepMs > 0 ? options.stepMs / kMsPerSecond : 1.0;
  llvm::SmallVector<double> r = values("r", 1.0);
  params.gain.resize(size);
  if (current) {
    llvm::SmallVector<double> tauMem = values("tau_mem", 0.0);
    llvm::SmallVector<double> tauSyn = values("tau_syn", 0.0);
    llvm::SmallVector<double> wIn = values("w_in", 1.0);
    if (failed(positive("tau_mem", tauMem)) ||
        failed(positive("tau_syn", tauSyn)))
      return failure();
    FailureOr<double> mem = uniform(node, "tau_mem", tauMem);
    FailureOr<double> syn = uniform(node, "tau_syn", tauSyn);
    if (failed(mem) || failed(syn))
      return failure();
    params.tauMemMs = *mem * kMsPerSecond;
    params.tauSynMs = *syn * kMsPerSecond;

    // tau_syn dI/dt = -I + w_in x: an impulse of area a adds w_in a / tau_syn
    // to I, and snn's current is r I. The ratio first, so that w_in equal to
    // tau_syn (what the exporter writes) gives exactly 1.
    for (int64_t i = 0; i < size; ++i)
      params.gain[i] = r[i] * (wIn[i] / tauSyn[i]) * spikeArea;

    // Discrete-time exporters write r = tau_mem / dt and w_in = tau_syn / dt.
    double memStep = tauMem[0] / r[0];
    double synStep = tauSyn[0] / wIn[0];
    if (options.stepMs <= 0 && !stepHintGiven &&
        std::abs(memStep - synStep) <= 1e-3 * std::abs(memStep)) {
      stepHintGiven = true;
      emitRemark(loc) << describe(node) << ": r = tau_mem / "
                      << formatNumber(memStep * kMsPerSecond)
                      << " ms and w_in = tau_syn / "
                      << formatNumber(synStep * kMsPerSecond)
                      << " ms, as a discrete-time exporter writes them; "
                         "--nir-dt="
                      << formatNumber(memStep * kMsPerSecond)
                      << " imports spikes as that exporter meant them";
    }
  } else {
    params.tauSynMs = options.approxTauSynMs;
    double tauSynSeconds = options.approxTauSynMs / kMsPerSecond;
    if (leaky) {
      // tau dv/dt = -v + r x: an impulse moves v by r a / tau. A current of
      // short time constant s moves snn's voltage by w s / tau in the limit.
      llvm::SmallVector<double> tau = values("tau", 0.0);
      if (failed(positive("tau", tau)))
        return failure();
      FailureOr<double> mem = uniform(node, "tau", tau);
      if (failed(mem))
        return failure();
      params.tauMemMs = *mem * kMsPerSecond;
      for (int64_t i = 0; i < size; ++i)
        params.gain[i] = r[i] * spikeArea / tauSynSeconds;
    } else {
      // dv/dt = r x: an impulse moves v by r a.
      params.tauMemMs = options.approxTauMemMs;
      for (int64_t i = 0; i < size; ++i)
        params.gain[i] =
            r[i] * spikeArea * options.approxTauMemMs / options.approxTauSynMs;
    }
    emitWarning(loc) << describe(node)
                     << ": approximated by a current-based neuron with "
                        "tau_syn "
                     << formatNumber(params.tauSynMs) << " ms"
                     << (leaky ? "" : " and tau_mem ")
                     << (leaky ? "" : formatNumber(params.tauMemMs))
                     << (leaky ? "" : " ms") << " (--nir-approx-tau-*)";
  }

  if (!params.spiking)
    return params;
  params.threshold = values("v_threshold", 0.0);
  for (double threshold : params.threshold)
    if (!std::isfinite(threshold))
      return nodeError(node)
             << "field 'v_threshold' holds " << formatNumber(threshold);

  // In continuous time a neuron spikes exactly at its threshold, so
  // subtracting the threshold and resetting to 0 agree.
  const Array *reset = field(node, "v_reset", false);
  if (!reset) {
    emitRemark(loc) << describe(node)
                    << ": no field 'v_reset', reset to 0 (NIR's default)";
    return params;
  }
  FailureOr<double> value = uniform(node, "v_reset", values("v_reset", 0.0));
  if (failed(value))
    return failure();
  if (options.reset == NIRResetMode::Zero) {
    if (*value != 0.0)
      emitRemark(loc) << describe(node) << ": field 'v_reset' "
                      << formatNumber(*value)
                      << " ignored, reset to 0 (--nir-reset=zero)";
    return params;
  }
  params.reset = *value;
  return params;
}

//===----------------------------------------------------------------------===//
// Building the network
//===----------------------------------------------------------------------===//

/// A threshold attribute: shared when every neuron has the same.
static Attribute thresholdAttr(Builder &builder,
                               llvm::ArrayRef<double> threshold) {
  if (llvm::all_equal(threshold))
    return builder.getF64FloatAttr(threshold.front());
  auto type = RankedTensorType::get({static_cast<int64_t>(threshold.size())},
                                    builder.getF64Type());
  return DenseElementsAttr::get(type, threshold);
}

/// One delay per synapse. A synapse of weight 0 has no path in NIR and so no
/// delay of its own; it takes the delay its source's other synapses share,
/// else the one its target's share, else 0. This gives back the delays of a
/// shared, per-source or per-target Delay node for every synapse.
static std::vector<double> fillDelays(const DelayedMap &map) {
  auto shared = [&](int64_t fixed, bool byColumn) -> std::optional<double> {
    std::optional<double> value;
    int64_t count = byColumn ? map.rows : map.cols;
    for (int64_t k = 0; k < count; ++k) {
      int64_t at = byColumn ? k * map.cols + fixed : fixed * map.cols + k;
      if (!map.reach[at])
        continue;
      if (value && *value != map.delayMs[at])
        return std::nullopt;
      value = map.delayMs[at];
    }
    return value;
  };
  std::vector<double> delays(map.delayMs.size(), 0.0);
  for (int64_t row = 0; row < map.rows; ++row)
    for (int64_t col = 0; col < map.cols; ++col) {
      int64_t at = row * map.cols + col;
      if (map.reach[at]) {
        delays[at] = map.delayMs[at];
        continue;
      }
      std::optional<double> value = shared(col, true);
      if (!value)
        value = shared(row, false);
      delays[at] = value.value_or(0.0);
    }
  return delays;
}

OwningOpRef<ModuleOp> Importer::run(hid_t file, StringRef defaultName) {
  // The graph as stored, then flat, then its edges checked.
  if (!isGroup(file, "node")) {
    emitError(loc) << "missing group '/node': not a NIR file";
    return nullptr;
  }
  std::string version = "unknown";
  if (isDataset(file, "version")) {
    llvm::Expected<Array> text = readDataset(file, "version");
    if (!text)
      llvm::consumeError(text.takeError());
    else if (text->isString && text->strings.size() == 1)
      version = text->strings.front();
  }
  Handle root(H5Gopen2(file, "node", H5P_DEFAULT), H5Gclose);
  llvm::Expected<std::string> rootType = readType(root.get());
  if (!rootType || *rootType != "NIRGraph") {
    if (!rootType)
      llvm::consumeError(rootType.takeError());
    emitError(loc) << "'/node' is not a NIRGraph";
    return nullptr;
  }
  RawGraph graph;
  if (failed(readGraph(root.get(), "", graph)) ||
      failed(flatten(graph, true)) || failed(connect(graph)) ||
      failed(checkEdges()))
    return nullptr;

  // Routes from every emitter to the neurons it reaches.
  for (unsigned id = 0; id < nodes.size(); ++id) {
    const FlatNode &node = nodes[id];
    if (node.kind != Kind::Source && node.kind != Kind::Neuron)
      continue;
    llvm::SmallVector<unsigned> stack;
    if (failed(walk(id, id, DelayedMap::getIdentity(node.outSize), "", stack)))
      return nullptr;
  }

  // Populations in the order spikes reach them from the inputs.
  std::vector<unsigned> order;
  llvm::DenseSet<unsigned> placed;
  for (unsigned id = 0; id < nodes.size(); ++id)
    if (nodes[id].kind == Kind::Source && placed.insert(id).second)
      order.push_back(id);
  for (size_t next = 0; next < order.size(); ++next)
    for (const Route &route : routes)
      if (route.start == order[next] && placed.insert(route.target).second)
        order.push_back(route.target);
  for (unsigned id = 0; id < nodes.size(); ++id)
    if (nodes[id].kind == Kind::Neuron && placed.insert(id).second)
      order.push_back(id);

  OpBuilder builder(context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  std::string networkName = options.networkName.empty()
                                ? sanitizeName(defaultName)
                                : options.networkName;
  auto network =
      builder.create<snn::NetworkOp>(loc, networkName, options.durationMs);
  builder.setInsertionPointToEnd(&network.getBody().front());

  llvm::StringSet<> usedNames;
  auto uniqueName = [&](StringRef nirName) {
    std::string base = sanitizeName(nirName);
    std::string name = base;
    for (unsigned suffix = 1; !usedNames.insert(name).second; ++suffix)
      name = base + "_" + std::to_string(suffix);
    return name;
  };

  emitRemark(loc) << "NIR " << version
                  << ": times converted from s to ms; duration "
                  << formatNumber(options.durationMs)
                  << " ms (--nir-duration); spikes taken as impulses of area "
                  << (options.stepMs > 0
                          ? formatNumber(options.stepMs) + " ms (--nir-dt)"
                          : std::string("1 s (NIR's continuous time; "
                                        "--nir-dt=<ms> for a discrete-time "
                                        "exporter)"));

  // One population per emitter, each with the gains its inputs need.
  llvm::DenseMap<unsigned, Value> populations;
  llvm::DenseMap<unsigned, NeuronParams> params;
  for (unsigned id : order) {
    const FlatNode &node = nodes[id];
    std::string name = uniqueName(node.raw->path);
    if (node.kind == Kind::Source) {
      populations[id] = builder.create<snn::SourceOp>(
          loc, snn::SourceType::get(context, node.outSize), name);
      continue;
    }
    FailureOr<NeuronParams> neuron = neuronParams(node);
    if (failed(neuron))
      return nullptr;
    if (neuron->spiking) {
      populations[id] = builder.create<snn::LIFOp>(
          loc, snn::LIFType::get(context, node.outSize),
          builder.getStringAttr(name),
          builder.getF64FloatAttr(neuron->tauMemMs),
          builder.getF64FloatAttr(neuron->tauSynMs),
          thresholdAttr(builder, neuron->threshold),
          builder.getF64FloatAttr(neuron->reset), builder.getF64FloatAttr(0.0),
          snn::LearnFlagsAttr());
    } else {
      populations[id] = builder.create<snn::LIOp>(
          loc, snn::LIType::get(context, node.outSize),
          builder.getStringAttr(name),
          builder.getF64FloatAttr(neuron->tauMemMs),
          builder.getF64FloatAttr(neuron->tauSynMs));
    }
    params[id] = std::move(*neuron);
  }

  // Routes between the same two populations add up, as NIR sums the inputs
  // of a node.
  llvm::MapVector<std::pair<unsigned, unsigned>, Route> merged;
  for (unsigned start : order)
    for (Route &route : routes) {
      if (route.start != start)
        continue;
      auto key = std::make_pair(route.start, route.target);
      auto [it, inserted] = merged.try_emplace(key, route);
      if (inserted)
        continue;
      DelayedMap &sum = it->second.map;
      for (size_t at = 0; at < sum.weight.size(); ++at) {
        if (!route.map.reach[at])
          continue;
        if (sum.reach[at] && sum.delayMs[at] != route.map.delayMs[at]) {
          emitError(loc) << "two paths from '" << nodes[start].raw->path
                         << "' to '" << nodes[route.target].raw->path
                         << "' give one synapse delays "
                         << formatNumber(sum.delayMs[at]) << " ms and "
                         << formatNumber(route.map.delayMs[at])
                         << " ms; an snn synapse has one delay";
          return nullptr;
        }
        sum.weight[at] += route.map.weight[at];
        sum.delayMs[at] = route.map.delayMs[at];
        sum.reach[at] = 1;
      }
    }

  // One projection per pair: weights scaled by the target's gains, delays
  // shared when they agree.
  snn::LearnFlagsAttr learn;
  if (options.loss != NIRLossKind::None)
    learn = snn::LearnFlagsAttr::get(context, snn::LearnFlags::weight);
  for (auto &[key, route] : merged) {
    const DelayedMap &map = route.map;
    const NeuronParams &target = params[route.target];
    std::vector<double> weight(map.weight.size());
    for (int64_t row = 0; row < map.rows; ++row)
      for (int64_t col = 0; col < map.cols; ++col)
        // `+ 0.0` turns the -0.0 of a negative gain times 0 into 0.
        weight[row * map.cols + col] =
            target.gain[row] * map.weight[row * map.cols + col] + 0.0;
    std::vector<double> delays = fillDelays(map);
    auto type =
        RankedTensorType::get({map.rows, map.cols}, builder.getF64Type());
    Attribute delay;
    if (!llvm::all_equal(delays))
      delay = DenseElementsAttr::get(type, llvm::ArrayRef<double>(delays));
    else if (!delays.empty() && delays.front() != 0.0)
      delay = builder.getF64FloatAttr(delays.front());
    std::string name = route.name.empty() ? nodes[key.first].raw->path + "_" +
                                                nodes[key.second].raw->path
                                          : route.name;
    builder.create<snn::ProjectOp>(
        loc, builder.getStringAttr(uniqueName(name)), populations[key.first],
        populations[key.second],
        DenseElementsAttr::get(type, llvm::ArrayRef<double>(weight)), delay,
        learn);
  }

  // The loss, on the one population read out by the Output node.
  if (options.loss == NIRLossKind::None)
    return module;
  if (outputs.size() != 1) {
    emitError(loc) << "--nir-loss needs one population feeding an Output "
                      "node, found "
                   << outputs.size();
    return nullptr;
  }
  Value readout = populations[outputs.front()];
  if (options.loss == NIRLossKind::TTFS) {
    if (!isa<snn::LIFType>(readout.getType())) {
      emitError(loc) << "--nir-loss=ttfs needs a spiking output population, "
                        "got "
                     << describe(nodes[outputs.front()]);
      return nullptr;
    }
    builder.create<snn::TTFSLossOp>(loc, readout, builder.getF64FloatAttr(0.5),
                                    builder.getF64FloatAttr(6.4),
                                    builder.getF64FloatAttr(3.0e-3));
  } else {
    if (!isa<snn::LIType>(readout.getType())) {
      emitError(loc) << "--nir-loss=max-voltage needs a non-spiking output "
                        "population (LI or CubaLI), got "
                     << describe(nodes[outputs.front()]);
      return nullptr;
    }
    builder.create<snn::MaxVoltageLossOp>(loc, readout);
  }
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> snnc::importNIR(llvm::MemoryBufferRef buffer,
                                      MLIRContext *context,
                                      const NIRImportOptions &options) {
  context->loadDialect<snn::SNNDialect>();
  StringRef fileName = buffer.getBufferIdentifier();
  Location loc = FileLineColLoc::get(context, fileName, 0, 0);
  silenceHDF5Errors();

  // HDF5 files begin with a fixed signature; anything else is refused before
  // the library sees it.
  StringRef bytes = buffer.getBuffer();
  if (!bytes.starts_with("\x89HDF\r\n\x1a\n")) {
    emitError(loc) << "not an HDF5 file (a NIR file is HDF5, which begins "
                      "with the bytes \\x89HDF)";
    return nullptr;
  }
  Handle file = openImage(llvm::ArrayRef<char>(bytes.data(), bytes.size()));
  if (!file.valid()) {
    emitError(loc) << "corrupt HDF5 file: the HDF5 library cannot open it";
    return nullptr;
  }
  StringRef stem = llvm::sys::path::stem(fileName);
  if (stem.empty() || stem.starts_with("<"))
    stem = "nir";
  Importer importer(context, loc, options);
  return importer.run(file.get(), stem);
}

OwningOpRef<ModuleOp> snnc::importNIR(StringRef path, MLIRContext *context,
                                      const NIRImportOptions &options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read the file: " << buffer.getError().message();
    return nullptr;
  }
  return importNIR((*buffer)->getMemBufferRef(), context, options);
}
