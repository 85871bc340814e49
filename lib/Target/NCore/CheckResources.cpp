//===- CheckResources.cpp - Check every core against the chip ------------===//

#include "snnc/Target/NCore/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallSet.h"

#define DEBUG_TYPE "ncore-check-resources"

namespace snnc {
#define GEN_PASS_DEF_NCORECHECKRESOURCES
#include "snnc/Target/NCore/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

namespace {
/// What the blocks on one core need.
struct CoreNeed {
  int64_t neurons = 0;
  int64_t synapseBytes = 0;
  llvm::SmallSet<Operation *, 8> feedingBlocks;
  int64_t outputAxons = 0;
};

struct CheckResourcesPass
    : public snnc::impl::NCoreCheckResourcesBase<CheckResourcesPass> {
  void runOnOperation() override;
};
} // namespace

void CheckResourcesPass::runOnOperation() {
  ChipOp chip = getOperation();
  runtime::NCoreTarget target = chip.getTarget().getDescription();
  Block &body = chip.getBody().front();

  // Neurons, synapse memory and input axons of each core.
  llvm::DenseMap<Operation *, CoreNeed> needs;
  for (auto block : body.getOps<NeuronBlockOp>())
    needs[block.getCoreOp()].neurons += block.getSize();
  for (auto table : body.getOps<SynapseTableOp>()) {
    CoreNeed &need = needs[table.getPostBlock().getCoreOp()];
    int64_t entries =
        table.getPreBlock().getSize() * table.getPostBlock().getSize();
    need.synapseBytes +=
        entries * target.synapseEntryBytes(table.getDelays().has_value());
    need.feedingBlocks.insert(table.getPreBlock());
  }

  // Output axons: one per neuron and destination core.
  llvm::DenseMap<Operation *, llvm::SmallSet<int64_t, 8>> destinations;
  for (auto route : body.getOps<RouteOp>()) {
    auto post = route.getPost().getDefiningOp<NeuronBlockOp>();
    destinations[route.getPre().getDefiningOp()].insert(
        post.getCoreOp().getIndex());
  }
  for (auto block : body.getOps<NeuronBlockOp>())
    needs[block.getCoreOp()].outputAxons +=
        block.getSize() * destinations[block].size();

  bool failedAny = false;
  for (auto core : body.getOps<CoreOp>()) {
    CoreNeed &need = needs[core];
    int64_t inputAxons = 0;
    for (Operation *block : need.feedingBlocks)
      inputAxons += cast<NeuronBlockOp>(block).getSize();
    maxNeurons = std::max<uint64_t>(maxNeurons, need.neurons);
    maxSynapseBytes = std::max<uint64_t>(maxSynapseBytes, need.synapseBytes);
    auto check = [&](const char *limit, int64_t needed, int64_t capacity,
                     const char *unit) {
      if (needed <= capacity)
        return;
      core.emitError("core ") << core.getIndex() << ": " << limit << " needs "
                              << needed << unit << ", capacity " << capacity;
      failedAny = true;
    };
    check("neuron memory", need.neurons, target.neuronsPerCore, " neurons");
    check("synapse memory", need.synapseBytes, target.synapseBytesPerCore,
          " bytes");
    check("fan-in", inputAxons, target.fanIn, " input axons");
    check("fan-out", need.outputAxons, target.fanOut, " output axons");
  }
  if (failedAny)
    signalPassFailure();
}
