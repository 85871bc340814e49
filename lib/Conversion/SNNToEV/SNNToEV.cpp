//===- SNNToEV.cpp - Build per-network event kernels ----------------------===//
//
// Each population and projection of a network becomes a handful of small
// kernels in which its sizes and constants are fixed. For a LIF population
// `hidden` of network `@yinyang`:
//
//   func.func @yinyang_hidden_advance(%v: memref<120xf64>,
//                                     %i: memref<120xf64>, %dt: f64) {
//     %m, %s, %c = ev.propagator %dt tau_mem(20.0) tau_syn(5.0) : f64
//     scf.for %n = 0 to 120 { v[n] = m v[n] + c i[n];  i[n] = s i[n] }
//   }
//
// and likewise the propagator alone, the crossing solve and the adjoint
// jump; for a projection, the fan-out of one spike and the accumulation of
// its weight gradient.
//
//===----------------------------------------------------------------------===//

#include "snnc/Conversion/Passes.h"

#include "dialects/EV/EVOps.h"
#include "dialects/SNN/SNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "convert-snn-to-ev"

namespace snnc {
#define GEN_PASS_DEF_CONVERTSNNTOEV
#include "snnc/Conversion/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;

std::string snnc::kernelName(StringRef network, StringRef member,
                             StringRef kind) {
  std::string name = (network + "_" + member + "_" + kind).str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  return name;
}

namespace {
/// Builds the kernels of one network at the end of the module.
class KernelBuilder {
public:
  KernelBuilder(ModuleOp module, snn::NetworkOp network)
      : builder(module.getContext()), network(network),
        f64(builder.getF64Type()) {
    builder.setInsertionPointToEnd(module.getBody());
  }

  void buildPopulation(Operation *population, int64_t size, double tauMem,
                       double tauSyn);
  void buildCrossing(snn::LIFOp lif);
  void buildAdjointJump(snn::LIFOp lif);
  void buildFanout(snn::ProjectOp project);
  void buildWeightGrad(snn::ProjectOp project, double tauSyn);

  unsigned numKernels = 0;

private:
  /// Starts a kernel and leaves the builder in its body.
  func::FuncOp startKernel(StringRef member, StringRef kind,
                           TypeRange arguments, TypeRange results = {});

  MemRefType vectorType(int64_t size) { return MemRefType::get({size}, f64); }
  MemRefType matrixType(int64_t rows, int64_t columns) {
    return MemRefType::get({rows, columns}, f64);
  }

  OpBuilder builder;
  snn::NetworkOp network;
  Type f64;
};
} // namespace

func::FuncOp KernelBuilder::startKernel(StringRef member, StringRef kind,
                                        TypeRange arguments,
                                        TypeRange results) {
  Location loc = network.getLoc();
  auto function = builder.create<func::FuncOp>(
      loc, kernelName(network.getSymName(), member, kind),
      builder.getFunctionType(arguments, results));
  function->setAttr("snn.kernel", builder.getStringAttr(kind));
  Block *entry = function.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  ++numKernels;
  return function;
}

void KernelBuilder::buildPopulation(Operation *population, int64_t size,
                                    double tauMem, double tauSyn) {
  StringRef name = population->getAttrOfType<StringAttr>("name").getValue();
  Location loc = population->getLoc();
  OpBuilder::InsertionGuard guard(builder);
  FloatAttr tauMemAttr = builder.getF64FloatAttr(tauMem);
  FloatAttr tauSynAttr = builder.getF64FloatAttr(tauSyn);

  // The propagator alone, for callers that apply it themselves.
  func::FuncOp propagator =
      startKernel(name, "propagator", {f64, MemRefType::get({3}, f64)});
  auto coefficients = builder.create<ev::PropagatorOp>(
      loc, f64, f64, f64, propagator.getArgument(0), tauMemAttr, tauSynAttr);
  for (auto [index, value] : llvm::enumerate(coefficients.getResults())) {
    Value position = builder.create<arith::ConstantIndexOp>(loc, index);
    builder.create<memref::StoreOp>(loc, value, propagator.getArgument(1),
                                    position);
  }
  builder.create<func::ReturnOp>(loc);

  // Every neuron of the population advanced over the same interval.
  builder.setInsertionPointAfter(propagator);
  func::FuncOp advance =
      startKernel(name, "advance", {vectorType(size), vectorType(size), f64});
  Value voltage = advance.getArgument(0);
  Value current = advance.getArgument(1);
  auto step = builder.create<ev::PropagatorOp>(
      loc, f64, f64, f64, advance.getArgument(2), tauMemAttr, tauSynAttr);
  Value zero = builder.create<arith::ConstantIndexOp>(loc, 0);
  Value one = builder.create<arith::ConstantIndexOp>(loc, 1);
  Value count = builder.create<arith::ConstantIndexOp>(loc, size);
  builder.create<scf::ForOp>(
      loc, zero, count, one, ValueRange{},
      [&](OpBuilder &body, Location bodyLoc, Value neuron, ValueRange) {
        Value v = body.create<memref::LoadOp>(bodyLoc, voltage, neuron);
        Value i = body.create<memref::LoadOp>(bodyLoc, current, neuron);
        Value decayed =
            body.create<arith::MulFOp>(bodyLoc, step.getMemDecay(), v);
        Value coupled =
            body.create<arith::MulFOp>(bodyLoc, step.getCoupling(), i);
        Value newV = body.create<arith::AddFOp>(bodyLoc, decayed, coupled);
        Value newI = body.create<arith::MulFOp>(bodyLoc, step.getSynDecay(), i);
        body.create<memref::StoreOp>(bodyLoc, newV, voltage, neuron);
        body.create<memref::StoreOp>(bodyLoc, newI, current, neuron);
        body.create<scf::YieldOp>(bodyLoc);
      });
  builder.create<func::ReturnOp>(loc);
  builder.setInsertionPointAfter(advance);
}

void KernelBuilder::buildCrossing(snn::LIFOp lif) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = lif.getLoc();
  func::FuncOp crossing =
      startKernel(lif.getName(), "crossing", {f64, f64, f64, f64}, {f64});
  Value time = builder.create<ev::CrossingOp>(
      loc, f64, crossing.getArgument(0), crossing.getArgument(1),
      crossing.getArgument(2), crossing.getArgument(3), lif.getTauMemAttr(),
      lif.getTauSynAttr());
  builder.create<func::ReturnOp>(loc, time);
}

void KernelBuilder::buildAdjointJump(snn::LIFOp lif) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = lif.getLoc();
  func::FuncOp jump = startKernel(lif.getName(), "adjoint_jump",
                                  {f64, f64, f64, f64, f64}, {f64});
  // The reset value is a constant of the population, folded in here.
  Value reset = builder.create<arith::ConstantOp>(loc, lif.getResetAttr());
  Value before = builder.create<ev::AdjointJumpOp>(
      loc, f64, jump.getArgument(0), jump.getArgument(1), jump.getArgument(2),
      reset, jump.getArgument(3), jump.getArgument(4));
  builder.create<func::ReturnOp>(loc, before);
}

void KernelBuilder::buildFanout(snn::ProjectOp project) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = project.getLoc();
  int64_t rows = project.getPostSize();
  int64_t columns = project.getPreSize();
  func::FuncOp fanout = startKernel(
      project.getName(), "fanout",
      {matrixType(rows, columns), builder.getIndexType(), vectorType(rows)});
  builder.create<ev::FanoutOp>(loc, fanout.getArgument(0),
                               fanout.getArgument(1), fanout.getArgument(2));
  builder.create<func::ReturnOp>(loc);
}

void KernelBuilder::buildWeightGrad(snn::ProjectOp project, double tauSyn) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = project.getLoc();
  int64_t rows = project.getPostSize();
  int64_t columns = project.getPreSize();
  func::FuncOp grad = startKernel(
      project.getName(), "weight_grad",
      {vectorType(rows), matrixType(rows, columns), builder.getIndexType()});
  // dL/dw_ji = -tau_syn lambda_I,j at each arrival (DESIGN.md section 3).
  Value scale =
      builder.create<arith::ConstantOp>(loc, builder.getF64FloatAttr(-tauSyn));
  builder.create<ev::AccumulateOp>(loc, grad.getArgument(0), scale,
                                   grad.getArgument(1), grad.getArgument(2));
  builder.create<func::ReturnOp>(loc);
}

/// The synaptic time constant of the population a projection ends in.
static double postTauSyn(snn::ProjectOp project) {
  Operation *post = project.getPost().getDefiningOp();
  if (auto lif = dyn_cast<snn::LIFOp>(post))
    return lif.getTauSyn().convertToDouble();
  return cast<snn::LIOp>(post).getTauSyn().convertToDouble();
}

namespace {
struct ConvertSNNToEVPass
    : public snnc::impl::ConvertSNNToEVBase<ConvertSNNToEVPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void ConvertSNNToEVPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<snn::NetworkOp> networks(module.getOps<snn::NetworkOp>());

  for (snn::NetworkOp network : networks) {
    KernelBuilder kernels(module, network);
    Block &body = network.getBody().front();

    // Forward kernels: every integrating population and every projection.
    for (Operation &op : body) {
      if (auto lif = dyn_cast<snn::LIFOp>(op)) {
        kernels.buildPopulation(lif, lif.getSize(),
                                lif.getTauMem().convertToDouble(),
                                lif.getTauSyn().convertToDouble());
        kernels.buildCrossing(lif);
      } else if (auto li = dyn_cast<snn::LIOp>(op)) {
        kernels.buildPopulation(li, li.getSize(),
                                li.getTauMem().convertToDouble(),
                                li.getTauSyn().convertToDouble());
      } else if (auto project = dyn_cast<snn::ProjectOp>(op)) {
        kernels.buildFanout(project);
      }
    }

    // Adjoint kernels: only what snn-derive-adjoint made explicit.
    for (Operation &op : body) {
      if (auto adjoint = dyn_cast<snn::AdjointLIFOp>(op)) {
        kernels.buildAdjointJump(
            adjoint.getPopulation().getDefiningOp<snn::LIFOp>());
      } else if (auto adjoint = dyn_cast<snn::AdjointProjectOp>(op)) {
        std::optional<snn::LearnFlags> grad = adjoint.getGrad();
        if (grad && snn::bitEnumContainsAll(*grad, snn::LearnFlags::weight))
          kernels.buildWeightGrad(adjoint.getForward(),
                                  postTauSyn(adjoint.getForward()));
      }
    }
    numKernels += kernels.numKernels;

    // The kernels carry everything the LLVM lowering needs.
    if (!keepNetwork)
      network.erase();
  }
}
