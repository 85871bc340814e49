//===- Mapping.cpp - What the ncore passes share --------------------------===//

#include "Mapping.h"

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

SmallVector<PopulationInfo>
snnc::ncore::collectPopulations(snn::NetworkOp network) {
  SmallVector<PopulationInfo> populations;
  for (Operation &op : network.getBody().front()) {
    PopulationInfo info;
    info.op = &op;
    if (auto source = dyn_cast<snn::SourceOp>(op)) {
      info.name = source.getName();
      info.size = source.getOutput().getType().getSize();
      info.kind = NeuronKind::source;
    } else if (auto lif = dyn_cast<snn::LIFOp>(op)) {
      info.name = lif.getName();
      info.size = lif.getSize();
      info.kind = NeuronKind::lif;
    } else if (auto li = dyn_cast<snn::LIOp>(op)) {
      info.name = li.getName();
      info.size = li.getSize();
      info.kind = NeuronKind::li;
    } else {
      continue;
    }
    info.value = op.getResult(0);
    populations.push_back(info);
  }
  for (auto project : network.getBody().getOps<snn::ProjectOp>()) {
    int64_t pre = findPopulation(populations, project.getPre());
    int64_t post = findPopulation(populations, project.getPost());
    if (pre < 0 || post < 0)
      continue;
    populations[pre].outgoing.push_back(project);
    populations[post].incoming.push_back(project);
  }
  return populations;
}

int64_t snnc::ncore::findPopulation(ArrayRef<PopulationInfo> populations,
                                    Value value) {
  for (auto [index, population] : llvm::enumerate(populations))
    if (population.value == value)
      return index;
  return -1;
}

bool snnc::ncore::hasDelays(snn::ProjectOp project) {
  // Delays that are learned need their storage even while they are zero.
  if (project.learnsDelay())
    return true;
  if (!project.getDelay())
    return false;
  SmallVector<double> delays;
  if (failed(snn::getScalarOrTensorValues(
          *project.getDelay(), project.getPreSize() * project.getPostSize(),
          delays)))
    return false;
  return llvm::any_of(delays, [](double delay) { return delay != 0; });
}

int64_t snnc::ncore::synapseBytesPerNeuron(const PopulationInfo &population,
                                           const runtime::NCoreTarget &target) {
  int64_t bytes = 0;
  for (snn::ProjectOp project : population.incoming)
    bytes +=
        project.getPreSize() * target.synapseEntryBytes(hasDelays(project));
  return bytes;
}

FailureOr<TargetAttr> snnc::ncore::getNetworkTarget(snn::NetworkOp network,
                                                    StringRef pass) {
  auto target = network->getAttrOfType<TargetAttr>(kTargetAttr);
  if (!target)
    return network.emitOpError("has no ")
           << kTargetAttr << " attribute; run snn-partition before " << pass;
  return target;
}

FailureOr<ArrayRef<int64_t>>
snnc::ncore::getMappingArray(Operation *op, StringRef name, StringRef pass) {
  auto array = op->getAttrOfType<DenseI64ArrayAttr>(name);
  if (!array)
    return op->emitOpError("has no ")
           << name << " attribute; run " << pass << " first";
  return array.asArrayRef();
}
