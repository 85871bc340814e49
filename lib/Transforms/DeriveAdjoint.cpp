//===- DeriveAdjoint.cpp - Make the event-driven adjoint explicit ---------===//
//
// The adjoint of the exact method (DESIGN.md section 3) mirrors the forward
// network: every population has an adjoint state integrated backward in
// time, every projection carries errors from its postsynaptic adjoint to
// its presynaptic one and accumulates the gradients of its parameters.
// This pass writes that mirror into the network, pruned to what the
// learnable parameters need.
//
//===----------------------------------------------------------------------===//

#include "snnc/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "snn-derive-adjoint"

namespace snnc {
#define GEN_PASS_DEF_SNNDERIVEADJOINT
#include "snnc/Transforms/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;
using namespace snnc::snn;

/// Populations from which the loss population can be reached by following
/// projections forward: only their adjoints can be nonzero.
static llvm::DenseSet<Value> reachLoss(NetworkOp network, Value loss) {
  llvm::DenseSet<Value> reaches = {loss};
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto project : network.getBody().getOps<ProjectOp>())
      if (reaches.contains(project.getPost()) &&
          reaches.insert(project.getPre()).second)
        changed = true;
  }
  return reaches;
}

/// Populations at or downstream of a learnable parameter: the adjoint of a
/// population upstream of every learnable parameter carries an error that
/// nothing uses.
static llvm::DenseSet<Value> downstreamOfLearnable(NetworkOp network) {
  llvm::DenseSet<Value> downstream;
  for (auto lif : network.getBody().getOps<LIFOp>())
    if (lif.learnsThreshold())
      downstream.insert(lif.getOutput());
  for (auto project : network.getBody().getOps<ProjectOp>())
    if (project.learnsWeight() || project.learnsDelay())
      downstream.insert(project.getPost());
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto project : network.getBody().getOps<ProjectOp>())
      if (downstream.contains(project.getPre()) &&
          downstream.insert(project.getPost()).second)
        changed = true;
  }
  return downstream;
}

/// The gradient flags of a forward op, or null when it learns nothing.
static LearnFlagsAttr gradFlags(MLIRContext *context,
                                std::optional<LearnFlags> learn) {
  if (!learn || static_cast<uint32_t>(*learn) == 0)
    return nullptr;
  return LearnFlagsAttr::get(context, *learn);
}

namespace {
struct DeriveAdjointPass
    : public snnc::impl::SNNDeriveAdjointBase<DeriveAdjointPass> {
  void runOnOperation() override;
};
} // namespace

void DeriveAdjointPass::runOnOperation() {
  NetworkOp network = getOperation();
  Block &body = network.getBody().front();
  MLIRContext *context = &getContext();

  // Nothing to derive without a loss, and nothing twice.
  Operation *loss = network.getLoss();
  if (!loss)
    return;
  if (!network.getBody().getOps<AdjointLossOp>().empty())
    return;

  // A population needs an adjoint when errors reach it from the loss and
  // some learnable parameter lies at it or upstream of it.
  llvm::DenseSet<Value> reaches = reachLoss(network, loss->getOperand(0));
  llvm::DenseSet<Value> downstream = downstreamOfLearnable(network);
  auto needsAdjoint = [&](Value population) {
    return reaches.contains(population) && downstream.contains(population);
  };

  // Adjoint populations, in the order of their forward populations.
  OpBuilder builder = OpBuilder::atBlockEnd(&body);
  llvm::DenseMap<Value, Value> adjointOf;
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body)
    forwardOps.push_back(&op);
  for (Operation *op : forwardOps) {
    Value adjoint;
    if (auto lif = dyn_cast<LIFOp>(op)) {
      if (!needsAdjoint(lif.getOutput())) {
        ++numPrunedPopulations;
        continue;
      }
      auto type = AdjointType::get(context, lif.getSize());
      adjoint =
          builder.create<AdjointLIFOp>(lif.getLoc(), type, lif.getOutput(),
                                       gradFlags(context, lif.getLearn()));
    } else if (auto li = dyn_cast<LIOp>(op)) {
      if (!needsAdjoint(li.getOutput())) {
        ++numPrunedPopulations;
        continue;
      }
      auto type = AdjointType::get(context, li.getSize());
      adjoint = builder.create<AdjointLIOp>(li.getLoc(), type, li.getOutput());
    } else {
      continue;
    }
    adjointOf[op->getResult(0)] = adjoint;
    ++numAdjointPopulations;
  }

  // Adjoint projections: each one either accumulates a gradient or carries
  // the error on to a presynaptic population that has an adjoint.
  for (Operation *op : forwardOps) {
    auto project = dyn_cast<ProjectOp>(op);
    if (!project)
      continue;
    Value post = adjointOf.lookup(project.getPost());
    if (!post)
      continue;
    Value pre = adjointOf.lookup(project.getPre());
    LearnFlagsAttr grad = gradFlags(context, project.getLearn());
    if (!pre && !grad)
      continue;
    builder.create<AdjointProjectOp>(project.getLoc(), project.getNameAttr(),
                                     post, pre, grad);
    ++numAdjointProjections;
  }

  // The loss's errors enter at the adjoint of the loss population.
  if (Value lossAdjoint = adjointOf.lookup(loss->getOperand(0)))
    builder.create<AdjointLossOp>(loss->getLoc(), lossAdjoint);

  LLVM_DEBUG(llvm::dbgs() << "snn-derive-adjoint: @" << network.getSymName()
                          << ": " << numAdjointPopulations
                          << " adjoint populations\n");
}
