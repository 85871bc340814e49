//===- Place.cpp - Assign blocks to cores on the mesh ---------------------===//
//
// Greedy placement followed by local improvement (single-block moves and
// pairwise swaps) of the hop-weighted spike traffic: under one spike per
// neuron, a block sends each spike once to every core holding one of its
// targets, and each message costs its mesh hops.
//
//===----------------------------------------------------------------------===//

#include "Mapping.h"

#include "snnc/Target/NCore/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "snn-place"

namespace snnc {
#define GEN_PASS_DEF_SNNPLACE
#include "snnc/Target/NCore/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

namespace {
/// One block to place and what it needs.
struct BlockNeed {
  int64_t population = 0;
  int64_t offset = 0;
  int64_t size = 0;
  int64_t synapseBytes = 0;
  /// Blocks its spikes go to.
  SmallVector<int64_t> targets;
};

/// The placement problem: blocks, the chip and the populations feeding
/// each block (for input axons).
class Placement {
public:
  Placement(const runtime::NCoreTarget &chip,
            ArrayRef<PopulationInfo> populations, SmallVector<BlockNeed> blocks)
      : chip(chip), populations(populations), blocks(std::move(blocks)),
        coreOf(this->blocks.size(), -1) {}

  /// Hop-weighted spike traffic of the placed blocks.
  int64_t cost() const {
    int64_t total = 0;
    for (auto [index, block] : llvm::enumerate(blocks)) {
      if (coreOf[index] < 0)
        continue;
      llvm::SmallSet<int64_t, 8> cores;
      for (int64_t target : block.targets)
        if (coreOf[target] >= 0)
          cores.insert(coreOf[target]);
      for (int64_t core : cores)
        total += block.size * chip.hops(coreOf[index], core);
    }
    return total;
  }

  /// Whether `core` has room for block `index` beside what is on it.
  bool fits(int64_t index, int64_t core) const {
    int64_t neurons = blocks[index].size;
    int64_t synapseBytes = blocks[index].synapseBytes;
    llvm::SmallSet<int64_t, 8> feeding;
    auto addFeeding = [&](const BlockNeed &block) {
      for (snn::ProjectOp project : populations[block.population].incoming)
        feeding.insert(findPopulation(populations, project.getPre()));
    };
    addFeeding(blocks[index]);
    for (auto [other, block] : llvm::enumerate(blocks)) {
      if (static_cast<int64_t>(other) == index || coreOf[other] != core)
        continue;
      neurons += block.size;
      synapseBytes += block.synapseBytes;
      addFeeding(block);
    }
    int64_t axons = 0;
    for (int64_t population : feeding)
      axons += populations[population].size;
    return neurons <= chip.neuronsPerCore &&
           synapseBytes <= chip.synapseBytesPerCore && axons <= chip.fanIn;
  }

  /// Places block `index` on the core that adds least cost; false when no
  /// core has room.
  bool placeGreedily(int64_t index) {
    int64_t bestCore = -1;
    int64_t bestCost = 0;
    for (int64_t core = 0; core < chip.cores; ++core) {
      if (!fits(index, core))
        continue;
      coreOf[index] = core;
      int64_t candidate = cost();
      coreOf[index] = -1;
      if (bestCore < 0 || candidate < bestCost) {
        bestCore = core;
        bestCost = candidate;
      }
    }
    coreOf[index] = bestCore;
    return bestCore >= 0;
  }

  /// One round of improving moves and swaps; true when anything changed.
  bool improve() {
    bool changed = false;
    int64_t current = cost();
    for (size_t index = 0; index < blocks.size(); ++index) {
      for (int64_t core = 0; core < chip.cores; ++core) {
        int64_t from = coreOf[index];
        if (core == from || !fits(index, core))
          continue;
        coreOf[index] = core;
        int64_t candidate = cost();
        if (candidate < current) {
          current = candidate;
          changed = true;
        } else {
          coreOf[index] = from;
        }
      }
    }
    for (size_t first = 0; first < blocks.size(); ++first) {
      for (size_t second = first + 1; second < blocks.size(); ++second) {
        int64_t firstCore = coreOf[first];
        int64_t secondCore = coreOf[second];
        if (firstCore == secondCore)
          continue;
        std::swap(coreOf[first], coreOf[second]);
        if (fits(first, secondCore) && fits(second, firstCore) &&
            cost() < current) {
          current = cost();
          changed = true;
        } else {
          std::swap(coreOf[first], coreOf[second]);
        }
      }
    }
    return changed;
  }

  const runtime::NCoreTarget &chip;
  ArrayRef<PopulationInfo> populations;
  SmallVector<BlockNeed> blocks;
  SmallVector<int64_t> coreOf;
};

struct PlacePass : public snnc::impl::SNNPlaceBase<PlacePass> {
  using SNNPlaceBase::SNNPlaceBase;
  void runOnOperation() override;
};
} // namespace

void PlacePass::runOnOperation() {
  snn::NetworkOp network = getOperation();
  FailureOr<TargetAttr> targetAttr = getNetworkTarget(network, "snn-place");
  if (failed(targetAttr))
    return signalPassFailure();
  runtime::NCoreTarget chip = targetAttr->getDescription();
  SmallVector<PopulationInfo> populations = collectPopulations(network);

  // The blocks of every population, in network order.
  SmallVector<BlockNeed> blocks;
  SmallVector<int64_t> firstBlock;
  for (auto [index, population] : llvm::enumerate(populations)) {
    FailureOr<ArrayRef<int64_t>> sizes =
        getMappingArray(population.op, kBlocksAttr, "snn-partition");
    if (failed(sizes))
      return signalPassFailure();
    firstBlock.push_back(blocks.size());
    int64_t perNeuron = synapseBytesPerNeuron(population, chip);
    int64_t offset = 0;
    for (int64_t size : *sizes) {
      BlockNeed block;
      block.population = index;
      block.offset = offset;
      block.size = size;
      block.synapseBytes = size * perNeuron;
      blocks.push_back(block);
      offset += size;
    }
  }
  firstBlock.push_back(blocks.size());
  for (BlockNeed &block : blocks)
    for (snn::ProjectOp project : populations[block.population].outgoing) {
      int64_t post = findPopulation(populations, project.getPost());
      for (int64_t target = firstBlock[post]; target < firstBlock[post + 1];
           ++target)
        block.targets.push_back(target);
    }

  // Greedy, then local improvement.
  Placement placement(chip, populations, std::move(blocks));
  for (size_t index = 0; index < placement.blocks.size(); ++index) {
    if (placement.placeGreedily(index))
      continue;
    const BlockNeed &block = placement.blocks[index];
    network.emitOpError("block ")
        << populations[block.population].name << "[" << block.offset << ":"
        << block.offset + block.size << "] fits on no core: all " << chip.cores
        << " cores of the chip are full (cores)";
    return signalPassFailure();
  }
  int64_t greedy = placement.cost();
  for (unsigned round = 0; round < rounds && placement.improve(); ++round)
    ;
  int64_t improved = placement.cost();
  greedyCost = greedy;
  finalCost = improved;

  // Record the cores and report.
  MLIRContext *context = &getContext();
  llvm::SmallSet<int64_t, 16> used;
  for (auto [index, population] : llvm::enumerate(populations)) {
    SmallVector<int64_t> cores(placement.coreOf.begin() + firstBlock[index],
                               placement.coreOf.begin() +
                                   firstBlock[index + 1]);
    used.insert(cores.begin(), cores.end());
    population.op->setAttr(kCoresAttr, DenseI64ArrayAttr::get(context, cores));
  }
  coresUsed = used.size();
  network.emitRemark("placed ")
      << placement.blocks.size() << " blocks on " << used.size()
      << " cores: hop-weighted spike traffic " << improved << " (greedy "
      << greedy << ")";
}
