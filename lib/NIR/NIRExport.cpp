//===- NIRExport.cpp - The snn dialect to NIR graphs ----------------------===//
//
// Writes an `snn.network` in the layout of the NIR reference writer:
//
//   /version                  "1.0.0"
//   /node/type                "NIRGraph"
//   /node/edges               N x 2 node names
//   /node/nodes/<name>/type   node type, then one dataset per field
//
// A population becomes a CubaLIF or CubaLI node with r = 1 and
// w_in = tau_syn, which makes NIR's equations snn's exactly when a spike is a
// unit impulse; a projection becomes a Linear node, with a Delay node before
// or after it when it has delays. docs/nir.md lists every case.
//
//===----------------------------------------------------------------------===//

#include "snnc/NIR/NIR.h"

#include "lib/NIR/HDF5.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"

#include <cmath>

using namespace mlir;
using namespace snnc;
using namespace snnc::nir;
using llvm::StringRef;

/// The version of the NIR layout written: the CubaLIF fields `w_in` and
/// `v_reset` date from it.
static constexpr const char *kNIRVersion = "1.0.0";

/// Converts milliseconds to seconds so that the importer's `* 1000` gives
/// the same double back, which plain division does not always do.
static double toSeconds(double ms) {
  double seconds = ms / 1000.0;
  double up = seconds, down = seconds;
  for (int step = 0; step < 8; ++step) {
    if (up * 1000.0 == ms)
      return up;
    if (down * 1000.0 == ms)
      return down;
    up = std::nextafter(up, INFINITY);
    down = std::nextafter(down, -INFINITY);
  }
  return seconds;
}

namespace {

/// One NIR node to write: its type and its fields.
struct NodeRecord {
  std::string name;
  std::string type;
  struct Field {
    std::string name;
    llvm::SmallVector<int64_t> shape;
    std::vector<double> values;
    bool integer = false;
  };
  std::vector<Field> fields;

  void add(StringRef field, llvm::ArrayRef<int64_t> shape,
           std::vector<double> values, bool integer = false) {
    fields.push_back({field.str(), llvm::SmallVector<int64_t>(shape),
                      std::move(values), integer});
  }
};

class Exporter {
public:
  explicit Exporter(snn::NetworkOp network) : network(network) {}

  LogicalResult run(llvm::raw_ostream &os);

private:
  LogicalResult addPopulation(Operation *op);
  LogicalResult addProjection(snn::ProjectOp project);
  std::string freshName(StringRef base);
  LogicalResult write(llvm::raw_ostream &os);

  snn::NetworkOp network;
  std::vector<NodeRecord> records;
  std::vector<std::pair<std::string, std::string>> edges;
  llvm::StringSet<> usedNames;
};

} // namespace

std::string Exporter::freshName(StringRef base) {
  std::string name = base.str();
  for (unsigned suffix = 1; !usedNames.insert(name).second; ++suffix)
    name = (base + "_" + std::to_string(suffix)).str();
  return name;
}

/// The name of the population op defining `value`.
static StringRef populationName(Value value) {
  return value.getDefiningOp()->getAttrOfType<StringAttr>("name").getValue();
}

LogicalResult Exporter::addPopulation(Operation *op) {
  NodeRecord record;
  record.name = op->getAttrOfType<StringAttr>("name").getValue().str();
  if (auto source = dyn_cast<snn::SourceOp>(op)) {
    record.type = "Input";
    int64_t size = source.getOutput().getType().getSize();
    record.add("shape", {1}, {static_cast<double>(size)}, /*integer=*/true);
    records.push_back(std::move(record));
    return success();
  }

  // Both kinds: r = 1 and w_in = tau_syn turn NIR's
  // tau_syn dI/dt = -I + w_in x into dI/dt = -I / tau_syn + x, so a unit
  // impulse adds 1 to I, and tau_mem dv/dt = -v + r I is snn's voltage.
  double tauMemMs, tauSynMs;
  int64_t size;
  if (auto lif = dyn_cast<snn::LIFOp>(op)) {
    if (lif.getRefractory().convertToDouble() != 0.0)
      return lif.emitOpError()
             << "has refractory " << lif.getRefractory().convertToDouble()
             << " ms, which NIR cannot express; NIR neurons have no "
                "refractory period";
    tauMemMs = lif.getTauMem().convertToDouble();
    tauSynMs = lif.getTauSyn().convertToDouble();
    size = lif.getSize();
    record.type = "CubaLIF";
  } else {
    auto li = cast<snn::LIOp>(op);
    tauMemMs = li.getTauMem().convertToDouble();
    tauSynMs = li.getTauSyn().convertToDouble();
    size = li.getSize();
    record.type = "CubaLI";
  }
  auto perNeuron = [&](double value) {
    return std::vector<double>(size, value);
  };
  double tauSyn = toSeconds(tauSynMs);
  record.add("tau_mem", {size}, perNeuron(toSeconds(tauMemMs)));
  record.add("tau_syn", {size}, perNeuron(tauSyn));
  record.add("r", {size}, perNeuron(1.0));
  record.add("w_in", {size}, perNeuron(tauSyn));
  record.add("v_leak", {size}, perNeuron(0.0));
  if (auto lif = dyn_cast<snn::LIFOp>(op)) {
    llvm::SmallVector<double> threshold = lif.getThresholdValues();
    if (static_cast<int64_t>(threshold.size()) != size)
      return lif.emitOpError() << "has unreadable thresholds";
    record.add("v_threshold", {size},
               std::vector<double>(threshold.begin(), threshold.end()));
    record.add("v_reset", {size}, perNeuron(lif.getReset().convertToDouble()));
  }
  records.push_back(std::move(record));
  return success();
}

LogicalResult Exporter::addProjection(snn::ProjectOp project) {
  int64_t post = project.getPostSize();
  int64_t pre = project.getPreSize();
  llvm::SmallVector<double> weight, delay;
  if (failed(snn::getF64Values(project.getWeight(), weight)) ||
      static_cast<int64_t>(weight.size()) != post * pre)
    return project.emitOpError() << "has unreadable weights";
  if (Attribute delayAttr = project.getDelayAttr()) {
    if (failed(snn::getScalarOrTensorValues(delayAttr, post * pre, delay)) ||
        static_cast<int64_t>(delay.size()) != post * pre)
      return project.emitOpError() << "has unreadable delays";
  } else {
    delay.assign(post * pre, 0.0);
  }

  // Which one-dimensional delay vector, if any, describes every synapse.
  auto at = [&](int64_t row, int64_t col) { return delay[row * pre + col]; };
  bool shared = llvm::all_equal(delay);
  bool perPre = true, perPost = true;
  for (int64_t row = 0; row < post; ++row)
    for (int64_t col = 0; col < pre; ++col) {
      perPre &= at(row, col) == at(0, col);
      perPost &= at(row, col) == at(row, 0);
    }

  // Projection names are unique in the network, so they name nodes as is.
  std::string name = project.getName().str();
  std::string preName = populationName(project.getPre()).str();
  std::string postName = populationName(project.getPost()).str();
  auto linear = [&](StringRef nodeName, int64_t rows, int64_t cols,
                    std::vector<double> values) {
    NodeRecord record;
    record.name = nodeName.str();
    record.type = "Linear";
    record.add("weight", {rows, cols}, std::move(values));
    records.push_back(std::move(record));
  };
  auto delayNode = [&](StringRef nodeName, std::vector<double> valuesMs) {
    NodeRecord record;
    record.name = nodeName.str();
    record.type = "Delay";
    for (double &value : valuesMs)
      value = toSeconds(value);
    int64_t size = valuesMs.size();
    record.add("delay", {size}, std::move(valuesMs));
    records.push_back(std::move(record));
  };
  std::vector<double> weights(weight.begin(), weight.end());

  // pre -> Linear -> post, or with one delay per target after the weights.
  if (perPost) {
    linear(name, post, pre, std::move(weights));
    edges.emplace_back(preName, name);
    if (shared && delay.front() == 0.0) {
      edges.emplace_back(name, postName);
      return success();
    }
    std::vector<double> values(post);
    for (int64_t row = 0; row < post; ++row)
      values[row] = at(row, 0);
    std::string delayName = freshName(name + ".delay");
    delayNode(delayName, std::move(values));
    edges.emplace_back(name, delayName);
    edges.emplace_back(delayName, postName);
    return success();
  }

  // One delay per source: pre -> Delay -> Linear -> post.
  if (perPre) {
    std::vector<double> values(pre);
    for (int64_t col = 0; col < pre; ++col)
      values[col] = at(0, col);
    std::string delayName = freshName(name + ".delay");
    delayNode(delayName, std::move(values));
    linear(name, post, pre, std::move(weights));
    edges.emplace_back(preName, delayName);
    edges.emplace_back(delayName, name);
    edges.emplace_back(name, postName);
    return success();
  }

  // One delay per synapse: a channel for every synapse (j, i) copies source
  // i, is delayed by delay[j, i], and is weighted into target j.
  //
  //   pre --fanout (post*pre x pre)--> delay (post*pre) --weight (post x
  //   post*pre)--> post
  int64_t channels = post * pre;
  std::vector<double> fanout(channels * pre, 0.0);
  std::vector<double> gather(post * channels, 0.0);
  for (int64_t row = 0; row < post; ++row)
    for (int64_t col = 0; col < pre; ++col) {
      int64_t channel = row * pre + col;
      fanout[channel * pre + col] = 1.0;
      gather[row * channels + channel] = weight[channel];
    }
  std::string fanoutName = freshName(name + ".fanout");
  std::string delayName = freshName(name + ".delay");
  linear(fanoutName, channels, pre, std::move(fanout));
  delayNode(delayName, std::vector<double>(delay.begin(), delay.end()));
  linear(name, post, channels, std::move(gather));
  edges.emplace_back(preName, fanoutName);
  edges.emplace_back(fanoutName, delayName);
  edges.emplace_back(delayName, name);
  edges.emplace_back(name, postName);
  return success();
}

LogicalResult Exporter::write(llvm::raw_ostream &os) {
  silenceHDF5Errors();
  Handle file = createImage();
  if (!file.valid())
    return network.emitError() << "cannot create an HDF5 file in memory";

  auto check = [&](llvm::Error error) -> LogicalResult {
    if (!error)
      return success();
    return network.emitError()
           << "cannot write the NIR file: " << llvm::toString(std::move(error));
  };
  if (failed(check(writeStrings(file.get(), "version", {}, {kNIRVersion}))))
    return failure();
  Handle root = createGroup(file.get(), "node");
  Handle nodesGroup = createGroup(root.get(), "nodes");
  if (!root.valid() || !nodesGroup.valid())
    return network.emitError() << "cannot create group '/node/nodes'";
  if (failed(check(writeStrings(root.get(), "type", {}, {"NIRGraph"}))))
    return failure();

  for (const NodeRecord &record : records) {
    Handle group = createGroup(nodesGroup.get(), record.name);
    if (!group.valid())
      return network.emitError()
             << "cannot create group for node '" << record.name << "'";
    if (failed(check(writeStrings(group.get(), "type", {}, {record.type}))))
      return failure();
    for (const NodeRecord::Field &field : record.fields) {
      llvm::Error error = llvm::Error::success();
      if (field.integer) {
        std::vector<int64_t> ints(field.values.begin(), field.values.end());
        error = writeInts(group.get(), field.name, field.shape, ints);
      } else {
        error =
            writeDoubles(group.get(), field.name, field.shape, field.values);
      }
      if (failed(check(std::move(error))))
        return failure();
    }
  }

  std::vector<std::string> names;
  for (const auto &[from, to] : edges) {
    names.push_back(from);
    names.push_back(to);
  }
  int64_t edgeCount = edges.size();
  if (failed(check(writeStrings(root.get(), "edges", {edgeCount, 2}, names))))
    return failure();

  nodesGroup.reset();
  root.reset();
  llvm::Expected<std::vector<char>> image = takeImage(file.get());
  if (!image)
    return check(image.takeError());
  os.write(image->data(), image->size());
  return success();
}

LogicalResult Exporter::run(llvm::raw_ostream &os) {
  Block &body = network.getBody().front();

  // Names become HDF5 group names, in which '/' separates path components.
  for (Operation &op : body)
    if (auto name = op.getAttrOfType<StringAttr>("name")) {
      if (name.getValue().contains('/') || name.getValue() == ".")
        return op.emitOpError() << "name '" << name.getValue()
                                << "' cannot name a NIR node (HDF5 group "
                                   "names exclude '/' and '.')";
      usedNames.insert(name.getValue());
    }

  // Populations first, so projections can name them; then Output nodes for
  // the populations read out (the loss's, or those feeding nothing).
  for (Operation &op : body)
    if (isa<snn::SourceOp, snn::LIFOp, snn::LIOp>(op) &&
        failed(addPopulation(&op)))
      return failure();
  llvm::SmallPtrSet<Operation *, 8> feeding;
  for (auto project : body.getOps<snn::ProjectOp>()) {
    if (!project.isRecurrent())
      feeding.insert(project.getPre().getDefiningOp());
    if (failed(addProjection(project)))
      return failure();
  }
  Operation *loss = network.getLoss();
  Operation *lossPopulation =
      loss ? loss->getOperand(0).getDefiningOp() : nullptr;
  llvm::SmallVector<Operation *> readouts;
  for (Operation &op : body)
    if (isa<snn::LIFOp, snn::LIOp>(op) &&
        (&op == lossPopulation || !feeding.contains(&op)))
      readouts.push_back(&op);
  for (Operation *op : readouts) {
    StringRef popName = op->getAttrOfType<StringAttr>("name").getValue();
    std::string name =
        freshName(readouts.size() == 1 ? "output" : "output_" + popName.str());
    NodeRecord record;
    record.name = name;
    record.type = "Output";
    int64_t size = isa<snn::LIFOp>(op) ? cast<snn::LIFOp>(op).getSize()
                                       : cast<snn::LIOp>(op).getSize();
    record.add("shape", {1}, {static_cast<double>(size)}, /*integer=*/true);
    records.push_back(std::move(record));
    edges.emplace_back(popName.str(), name);
  }

  // NIR has no loss and no training state: say what is left behind.
  if (loss)
    emitRemark(network.getLoc())
        << "the loss is not written: NIR has no losses";
  bool learns = llvm::any_of(body, [](Operation &op) {
    auto learn = op.getAttrOfType<snn::LearnFlagsAttr>("learn");
    return learn && static_cast<uint32_t>(learn.getValue()) != 0;
  });
  if (learns)
    emitRemark(network.getLoc())
        << "learn flags are not written: NIR has no training state";
  emitRemark(network.getLoc())
      << "duration " << network.getDuration().convertToDouble()
      << " ms is not written: NIR graphs have none (--nir-duration on import)";
  return write(os);
}

LogicalResult snnc::exportNIR(snn::NetworkOp network, llvm::raw_ostream &os) {
  return Exporter(network).run(os);
}

LogicalResult snnc::exportNIR(snn::NetworkOp network, StringRef path) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_None);
  if (error)
    return network.emitError()
           << "cannot open '" << path << "': " << error.message();
  return exportNIR(network, os);
}
