//===- Partition.cpp - Split populations into blocks that fit a core ------===//
//
// A population is split into as few nearly equal blocks as its largest
// admissible block allows. Three limits bound a block: the neurons of a
// core, the synapse memory its neurons' incoming synapses take, and the
// output axons its spikes need (one per neuron and destination core).
//
//===----------------------------------------------------------------------===//

#include "Mapping.h"

#include "snnc/Target/NCore/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "snn-partition"

namespace snnc {
#define GEN_PASS_DEF_SNNPARTITION
#include "snnc/Target/NCore/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

/// The target named by the pass option: a preset or a full attribute.
static TargetAttr parseTargetOption(MLIRContext *context, StringRef text) {
  if (text.starts_with("#"))
    return llvm::dyn_cast_or_null<TargetAttr>(parseAttribute(text, context));
  return TargetAttr::getPreset(context, text);
}

/// `size` split into `count` blocks whose sizes differ by at most one.
static SmallVector<int64_t> balancedBlocks(int64_t size, int64_t count) {
  SmallVector<int64_t> blocks;
  for (int64_t block = 0; block < count; ++block)
    blocks.push_back(size / count + (block < size % count ? 1 : 0));
  return blocks;
}

static int64_t ceilDiv(int64_t value, int64_t divisor) {
  return (value + divisor - 1) / divisor;
}

namespace {
struct PartitionPass : public snnc::impl::SNNPartitionBase<PartitionPass> {
  using SNNPartitionBase::SNNPartitionBase;
  void runOnOperation() override;
};
} // namespace

void PartitionPass::runOnOperation() {
  snn::NetworkOp network = getOperation();
  MLIRContext *context = &getContext();

  // The network's own target wins over the option.
  Attribute given = network->getAttr(kTargetAttr);
  auto targetAttr = llvm::dyn_cast_or_null<TargetAttr>(given);
  if (given && !targetAttr) {
    network.emitOpError() << kTargetAttr
                          << " must be a #ncore.target attribute, got "
                          << given;
    return signalPassFailure();
  }
  if (!targetAttr) {
    targetAttr = parseTargetOption(context, target);
    if (!targetAttr) {
      network.emitOpError("unknown ncore target '")
          << target << "'; expected a preset ("
          << llvm::join(runtime::ncoreTargetPresetNames(), ", ")
          << ") or a #ncore.target<...> attribute";
      return signalPassFailure();
    }
    network->setAttr(kTargetAttr, targetAttr);
  }
  runtime::NCoreTarget chip = targetAttr.getDescription();
  SmallVector<PopulationInfo> populations = collectPopulations(network);

  // The largest block each population admits by neurons and synapse
  // memory; fan-in cannot be split, since every block of a dense
  // projection hears every presynaptic neuron.
  SmallVector<int64_t> capacity;
  for (const PopulationInfo &population : populations) {
    int64_t fanIn = 0;
    for (snn::ProjectOp project : population.incoming)
      fanIn += project.getPreSize();
    if (fanIn > chip.fanIn) {
      population.op->emitError("population '")
          << population.name << "': fan-in needs " << fanIn
          << " input axons, capacity " << chip.fanIn << " (fan_in)";
      return signalPassFailure();
    }
    int64_t perNeuron = synapseBytesPerNeuron(population, chip);
    int64_t largest = chip.neuronsPerCore;
    if (perNeuron > 0)
      largest = std::min(largest, chip.synapseBytesPerCore / perNeuron);
    if (largest == 0) {
      population.op->emitError("population '")
          << population.name << "': one neuron needs " << perNeuron
          << " bytes of synapse memory, capacity " << chip.synapseBytesPerCore
          << " (synapse_bytes)";
      return signalPassFailure();
    }
    capacity.push_back(largest);
  }

  // Output axons: a neuron needs one per core its spikes reach, which
  // depends on how its targets were split; one refinement settles it for
  // feed-forward networks and is conservative for recurrent ones.
  SmallVector<int64_t> blockCount;
  for (auto [population, largest] : llvm::zip(populations, capacity))
    blockCount.push_back(ceilDiv(population.size, largest));
  for (auto [index, population] : llvm::enumerate(populations)) {
    int64_t destinations = 0;
    for (snn::ProjectOp project : population.outgoing)
      destinations +=
          blockCount[findPopulation(populations, project.getPost())];
    if (destinations == 0)
      continue;
    int64_t largest = chip.fanOut / destinations;
    if (largest == 0) {
      population.op->emitError("population '")
          << population.name << "': one neuron needs " << destinations
          << " output axons, capacity " << chip.fanOut << " (fan_out)";
      return signalPassFailure();
    }
    if (largest < capacity[index]) {
      capacity[index] = largest;
      blockCount[index] = ceilDiv(population.size, largest);
    }
  }

  // The chip must have enough cores for all neurons and all synapses,
  // however they are packed.
  int64_t neurons = 0;
  int64_t synapseBytes = 0;
  for (const PopulationInfo &population : populations) {
    neurons += population.size;
    synapseBytes += population.size * synapseBytesPerNeuron(population, chip);
  }
  int64_t coresForNeurons = ceilDiv(neurons, chip.neuronsPerCore);
  int64_t coresForSynapses = ceilDiv(synapseBytes, chip.synapseBytesPerCore);
  if (coresForNeurons > chip.cores || coresForSynapses > chip.cores) {
    bool byNeurons = coresForNeurons >= coresForSynapses;
    auto diag = network.emitOpError("needs at least ")
                << std::max(coresForNeurons, coresForSynapses)
                << " cores, the chip has " << chip.cores << " (cores): ";
    if (byNeurons)
      diag << neurons << " neurons at " << chip.neuronsPerCore
           << " per core (neurons_per_core)";
    else
      diag << synapseBytes << " bytes of synapses at "
           << chip.synapseBytesPerCore << " per core (synapse_bytes)";
    return signalPassFailure();
  }

  // Record the blocks.
  for (auto [population, count] : llvm::zip(populations, blockCount)) {
    SmallVector<int64_t> blocks = balancedBlocks(population.size, count);
    population.op->setAttr(kBlocksAttr,
                           DenseI64ArrayAttr::get(context, blocks));
    numBlocks += blocks.size();
    if (blocks.size() > 1)
      ++numSplitPopulations;
    LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE << ": " << population.name << ": "
                            << blocks.size() << " blocks\n");
  }
}
