//===- SNNToNCore.cpp - Build an ncore.chip from a mapped network ---------===//
//
// The shape of what the conversion builds for a network whose population
// P was split into blocks P0, P1 on cores 0 and 1:
//
//   ncore.chip @net target(...) duration(ticks) readout("out", ttfs) {
//     %c0 = ncore.core 0 at(0, 0)          one per used core
//     %P0 = ncore.neuron_block "P" offset(0) size(n0) lif on %c0 ...
//     %P1 = ncore.neuron_block "P" offset(n0) size(n1) lif on %c1 ...
//     ncore.synapse_table "R" %Q0 -> %P0 weights(rows of P0, columns of Q0)
//     ncore.route %Q0 -> %P0 hops(h)       one per table
//     ...
//   }
//
//===----------------------------------------------------------------------===//

#include "Mapping.h"

#include "snnc/Target/NCore/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallSet.h"

#include <cmath>

#define DEBUG_TYPE "convert-snn-to-ncore"

namespace snnc {
#define GEN_PASS_DEF_CONVERTSNNTONCORE
#include "snnc/Target/NCore/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;
using namespace snnc::ncore;

/// Rows [rowBegin, rowEnd) and columns [columnBegin, columnEnd) of a
/// row-major integer matrix with `columns` columns.
static DenseIntElementsAttr slice(DenseIntElementsAttr matrix, int64_t columns,
                                  int64_t rowBegin, int64_t rowEnd,
                                  int64_t columnBegin, int64_t columnEnd) {
  SmallVector<APInt> values(matrix.getValues<APInt>());
  SmallVector<APInt> part;
  for (int64_t row = rowBegin; row < rowEnd; ++row)
    for (int64_t column = columnBegin; column < columnEnd; ++column)
      part.push_back(values[row * columns + column]);
  auto type =
      RankedTensorType::get({rowEnd - rowBegin, columnEnd - columnBegin},
                            matrix.getType().getElementType());
  return DenseIntElementsAttr::get(type, part);
}

namespace {
/// One block as built.
struct BuiltBlock {
  Value value;
  int64_t offset = 0;
  int64_t size = 0;
};

struct ConvertSNNToNCorePass
    : public snnc::impl::ConvertSNNToNCoreBase<ConvertSNNToNCorePass> {
  using ConvertSNNToNCoreBase::ConvertSNNToNCoreBase;
  void runOnOperation() override;
  LogicalResult convert(snn::NetworkOp network);
};
} // namespace

LogicalResult ConvertSNNToNCorePass::convert(snn::NetworkOp network) {
  FailureOr<TargetAttr> targetAttr =
      getNetworkTarget(network, "convert-snn-to-ncore");
  if (failed(targetAttr))
    return failure();
  runtime::NCoreTarget chip = targetAttr->getDescription();
  SmallVector<PopulationInfo> populations = collectPopulations(network);

  // The readout is the loss population.
  Operation *loss = network.getLoss();
  if (!loss)
    return network.emitOpError(
        "has no loss, so the chip has no population to read a class from");
  int64_t readout = findPopulation(populations, loss->getOperand(0));
  ReadoutKind readoutKind =
      isa<snn::TTFSLossOp>(loss) ? ReadoutKind::ttfs : ReadoutKind::max_voltage;
  int64_t duration = static_cast<int64_t>(
      std::ceil(network.getDuration().convertToDouble() / chip.timeStepMs));

  OpBuilder builder(network);
  auto chipOp = builder.create<ChipOp>(
      network.getLoc(), builder.getStringAttr(network.getSymName()),
      *targetAttr, builder.getI64IntegerAttr(duration),
      builder.getStringAttr(populations[readout].name),
      ReadoutKindAttr::get(&getContext(), readoutKind));
  chipOp.getBody().emplaceBlock();
  builder.setInsertionPointToEnd(&chipOp.getBody().front());

  // Cores first, in index order.
  std::map<int64_t, Value> cores;
  for (const PopulationInfo &population : populations) {
    FailureOr<ArrayRef<int64_t>> placed =
        getMappingArray(population.op, kCoresAttr, "snn-place");
    if (failed(placed))
      return failure();
    for (int64_t core : *placed)
      cores[core] = nullptr;
  }
  for (auto &[index, value] : cores)
    value =
        builder.create<CoreOp>(network.getLoc(), builder.getType<CoreType>(),
                               builder.getI64IntegerAttr(index),
                               builder.getI64IntegerAttr(chip.coreX(index)),
                               builder.getI64IntegerAttr(chip.coreY(index)));

  // Blocks of every population.
  llvm::DenseMap<Value, SmallVector<BuiltBlock>> blocksOf;
  for (const PopulationInfo &population : populations) {
    FailureOr<ArrayRef<int64_t>> sizes =
        getMappingArray(population.op, kBlocksAttr, "snn-partition");
    FailureOr<ArrayRef<int64_t>> placed =
        getMappingArray(population.op, kCoresAttr, "snn-place");
    if (failed(sizes) || failed(placed))
      return failure();
    if (sizes->size() != placed->size())
      return population.op->emitOpError("has ")
             << sizes->size() << " blocks but " << placed->size() << " cores";
    FloatAttr tauMem, tauSyn, stateLsb;
    IntegerAttr reset, refractory;
    if (population.kind != NeuronKind::source) {
      if (auto lif = dyn_cast<snn::LIFOp>(population.op)) {
        tauMem = lif.getTauMemAttr();
        tauSyn = lif.getTauSynAttr();
      } else {
        auto li = cast<snn::LIOp>(population.op);
        tauMem = li.getTauMemAttr();
        tauSyn = li.getTauSynAttr();
      }
      stateLsb = population.op->getAttrOfType<FloatAttr>(kStateLsbAttr);
      reset = population.op->getAttrOfType<IntegerAttr>(kResetAttr);
      refractory = population.op->getAttrOfType<IntegerAttr>(kRefractoryAttr);
      if (!stateLsb || !reset || !refractory)
        return population.op->emitOpError(
            "has no fixed-point parameters; run snn-quantize first");
    }
    auto thresholds =
        population.op->getAttrOfType<DenseI32ArrayAttr>(kThresholdAttr);
    if (population.kind == NeuronKind::lif && !thresholds)
      return population.op->emitOpError(
          "has no fixed-point thresholds; run snn-quantize first");

    int64_t offset = 0;
    for (auto [size, core] : llvm::zip(*sizes, *placed)) {
      DenseI32ArrayAttr blockThresholds;
      if (thresholds)
        blockThresholds = DenseI32ArrayAttr::get(
            &getContext(), thresholds.asArrayRef().slice(offset, size));
      Value block = builder.create<NeuronBlockOp>(
          population.op->getLoc(), builder.getType<BlockType>(), cores[core],
          builder.getStringAttr(population.name),
          builder.getI64IntegerAttr(offset), builder.getI64IntegerAttr(size),
          NeuronKindAttr::get(&getContext(), population.kind), tauMem, tauSyn,
          blockThresholds, reset, refractory, stateLsb);
      blocksOf[population.value].push_back({block, offset, size});
      offset += size;
    }
  }

  // A synapse table and a route per pair of connected blocks.
  for (auto project : network.getBody().getOps<snn::ProjectOp>()) {
    auto weights = project->getAttrOfType<DenseIntElementsAttr>(kWeightsAttr);
    auto scale = project->getAttrOfType<IntegerAttr>(kScaleAttr);
    if (!weights || !scale)
      return project.emitOpError(
          "has no fixed-point weights; run snn-quantize first");
    auto delays = project->getAttrOfType<DenseIntElementsAttr>(kDelaysAttr);
    int64_t columns = project.getPreSize();
    for (const BuiltBlock &pre : blocksOf[project.getPre()]) {
      for (const BuiltBlock &post : blocksOf[project.getPost()]) {
        auto part = [&](DenseIntElementsAttr matrix) {
          return slice(matrix, columns, post.offset, post.offset + post.size,
                       pre.offset, pre.offset + pre.size);
        };
        builder.create<SynapseTableOp>(project.getLoc(), project.getNameAttr(),
                                       pre.value, post.value, part(weights),
                                       scale, delays ? part(delays) : nullptr);
        auto preCore = pre.value.getDefiningOp<NeuronBlockOp>().getCoreOp();
        auto postCore = post.value.getDefiningOp<NeuronBlockOp>().getCoreOp();
        builder.create<RouteOp>(project.getLoc(), pre.value, post.value,
                                builder.getI64IntegerAttr(chip.hops(
                                    preCore.getIndex(), postCore.getIndex())));
        ++numTables;
      }
    }
  }
  return success();
}

void ConvertSNNToNCorePass::runOnOperation() {
  SmallVector<snn::NetworkOp> networks(
      getOperation().getBody()->getOps<snn::NetworkOp>());
  for (snn::NetworkOp network : networks) {
    if (failed(convert(network)))
      return signalPassFailure();
    network.erase();
  }
}
