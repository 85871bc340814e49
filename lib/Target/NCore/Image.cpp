//===- Image.cpp - An ncore.chip as a core image --------------------------===//

#include "snnc/Target/NCore/Image.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

static runtime::PopulationKind toRuntimeKind(NeuronKind kind) {
  switch (kind) {
  case NeuronKind::source:
    return runtime::PopulationKind::Source;
  case NeuronKind::lif:
    return runtime::PopulationKind::LIF;
  case NeuronKind::li:
    return runtime::PopulationKind::LI;
  }
  return runtime::PopulationKind::Source;
}

FailureOr<runtime::NCoreImage> snnc::ncore::buildImage(ChipOp chip) {
  runtime::NCoreImage image;
  image.target = chip.getTarget().getDescription();
  image.network = chip.getSymName().str();
  image.durationTicks = static_cast<int32_t>(chip.getDuration());
  image.readout = chip.getReadoutKind() == ReadoutKind::ttfs
                      ? runtime::NCoreReadout::TimeToFirstSpike
                      : runtime::NCoreReadout::MaxVoltage;
  Block &body = chip.getBody().front();

  // Cores in the order they are defined.
  llvm::DenseMap<Operation *, int32_t> coreIndex;
  for (auto core : body.getOps<CoreOp>()) {
    coreIndex[core] = image.cores.size();
    image.cores.push_back({static_cast<int32_t>(core.getIndex()),
                           static_cast<int32_t>(core.getX()),
                           static_cast<int32_t>(core.getY())});
  }

  // Populations in the order their first block appears; a population's
  // size is the end of its furthest block.
  llvm::StringMap<int32_t> populationIndex;
  llvm::DenseMap<Operation *, int32_t> blockIndex;
  for (auto block : body.getOps<NeuronBlockOp>()) {
    auto [it, inserted] = populationIndex.try_emplace(block.getPopulation(),
                                                      image.populations.size());
    if (inserted)
      image.populations.push_back(
          {block.getPopulation().str(), toRuntimeKind(block.getKind()), 0});
    runtime::NCoreImagePopulation &population = image.populations[it->second];
    if (population.kind != toRuntimeKind(block.getKind()))
      return block.emitOpError("population '")
             << block.getPopulation() << "' has blocks of different kinds";
    int32_t end = block.getOffset() + block.getSize();
    population.size = std::max(population.size, end);

    runtime::NCoreImageBlock entry;
    entry.population = it->second;
    entry.offset = block.getOffset();
    entry.size = block.getSize();
    entry.core = coreIndex.lookup(block.getCoreOp());
    if (block.getKind() != NeuronKind::source) {
      entry.tauMemMs = block.getTauMem()->convertToDouble();
      entry.tauSynMs = block.getTauSyn()->convertToDouble();
      entry.stateLsb = block.getStateLsb()->convertToDouble();
      entry.reset = *block.getReset();
      entry.refractoryTicks = *block.getRefractory();
      if (auto thresholds = block.getThreshold())
        entry.threshold.assign(thresholds->begin(), thresholds->end());
    }
    blockIndex[block] = image.blocks.size();
    image.blocks.push_back(std::move(entry));
  }
  image.readoutPopulation = populationIndex.lookup(chip.getReadout());

  for (auto table : body.getOps<SynapseTableOp>()) {
    runtime::NCoreImageSynapses entry;
    entry.projection = table.getProjection().str();
    entry.pre = blockIndex.lookup(table.getPreBlock());
    entry.post = blockIndex.lookup(table.getPostBlock());
    entry.scale = static_cast<int32_t>(table.getScale());
    for (const APInt &weight :
         cast<DenseIntElementsAttr>(table.getWeights()).getValues<APInt>())
      entry.weight.push_back(static_cast<int16_t>(weight.getSExtValue()));
    if (auto delays = table.getDelays())
      for (const APInt &delay :
           cast<DenseIntElementsAttr>(*delays).getValues<APInt>())
        entry.delayTicks.push_back(static_cast<uint16_t>(delay.getZExtValue()));
    image.synapses.push_back(std::move(entry));
  }
  for (auto route : body.getOps<RouteOp>())
    image.routes.push_back({blockIndex.lookup(route.getPre().getDefiningOp()),
                            blockIndex.lookup(route.getPost().getDefiningOp()),
                            static_cast<int32_t>(route.getHops())});

  runtime::computeNCoreDecayTables(image);
  std::string error = image.validate();
  if (!error.empty())
    return chip.emitOpError("cannot be written as a core image: ") << error;
  return image;
}

FailureOr<runtime::NCoreImage>
snnc::ncore::buildImageOfOnlyChip(Operation *op) {
  SmallVector<ChipOp> chips;
  op->walk([&](ChipOp chip) { chips.push_back(chip); });
  if (chips.size() != 1)
    return op->emitError("expected one ncore.chip, found ") << chips.size();
  return buildImage(chips.front());
}
