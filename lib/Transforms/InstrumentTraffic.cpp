//===- InstrumentTraffic.cpp - Kernels that count their own traffic -------===//
//
// Every memory access of a kernel is preceded by an increment of one entry
// of a counters array passed as the kernel's last argument:
//
//   %v = memref.load %w[%j, %pre]       %e = arith.constant 0 : index
//                                 ==>   %old = memref.load %counters[%e]
//                                       %new = arith.addi %old, 8 : i64
//                                       memref.store %new, %counters[%e]
//                                       %v = memref.load %w[%j, %pre]
//
// The entry is fixed at compile time from the direction of the access, the
// phase of the kernel and the memory class of the memref it goes through.
//
//===----------------------------------------------------------------------===//

#include "snnc/Transforms/Passes.h"

#include "dialects/EV/EVOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Debug.h"

#include <optional>

#define DEBUG_TYPE "snn-instrument-traffic"

namespace snnc {
#define GEN_PASS_DEF_SNNINSTRUMENTTRAFFIC
#include "snnc/Transforms/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;

namespace {
/// The indices of runtime/Traffic.h, which the counters layout follows.
enum MemoryClass : int64_t { Synapse, State, Record, Queue, Grad, Noc };
enum Phase : int64_t { Forward, Backward, Update };
enum Direction : int64_t { Read, Written };

constexpr int64_t kNumClasses = 6;
constexpr int64_t kNumPhases = 3;
constexpr int64_t kNumCounters = 2 * kNumPhases * kNumClasses;

/// One counter increment: which counter, by how many bytes.
struct Increment {
  Direction direction;
  MemoryClass memoryClass;
  int64_t bytes;
};
} // namespace

/// The memory class named by an `snn.memory` attribute.
static std::optional<MemoryClass> parseMemoryClass(StringRef name) {
  return llvm::StringSwitch<std::optional<MemoryClass>>(name)
      .Case("synapse", Synapse)
      .Case("state", State)
      .Case("record", Record)
      .Case("queue", Queue)
      .Case("grad", Grad)
      .Case("noc", Noc)
      .Default(std::nullopt);
}

/// The phase a kernel of kind `kind` runs in.
static std::optional<Phase> phaseOfKind(StringRef kind) {
  return llvm::StringSwitch<std::optional<Phase>>(kind)
      .Cases("propagator", "advance", "crossing", "fanout", Forward)
      .Cases("step", "record", "deliver", Forward)
      .Cases("adjoint_jump", "weight_grad", "backward_step", "backward_deliver",
             Backward)
      .Default(std::nullopt);
}

/// The memory class of memref argument `position` of an event kernel, from
/// the ABI of convert-snn-to-ev (docs/kernels.md), which names no classes.
static std::optional<MemoryClass> eventArgumentClass(StringRef kind,
                                                     unsigned position) {
  if (kind == "propagator" && position == 1)
    return State;
  if (kind == "advance" && position <= 1)
    return State;
  if (kind == "fanout")
    return position == 0   ? std::optional(Synapse)
           : position == 2 ? std::optional(State)
                           : std::nullopt;
  if (kind == "weight_grad")
    return position == 0   ? std::optional(State)
           : position == 1 ? std::optional(Grad)
                           : std::nullopt;
  return std::nullopt;
}

/// The memory class of the memref `memref` inside kernel `kernel`.
static std::optional<MemoryClass>
memoryClassOf(Value memref, func::FuncOp kernel, StringRef kind) {
  if (auto argument = dyn_cast<BlockArgument>(memref)) {
    if (argument.getOwner() != &kernel.getBody().front())
      return std::nullopt;
    unsigned position = argument.getArgNumber();
    if (auto name = kernel.getArgAttrOfType<StringAttr>(position, "snn.memory"))
      return parseMemoryClass(name.getValue());
    return eventArgumentClass(kind, position);
  }
  if (auto getGlobal = memref.getDefiningOp<memref::GetGlobalOp>()) {
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        kernel, getGlobal.getNameAttr());
    if (!global)
      return std::nullopt;
    if (auto name = global->getAttrOfType<StringAttr>("snn.memory"))
      return parseMemoryClass(name.getValue());
  }
  return std::nullopt;
}

/// Bytes of one element of `type`; index is 64 bits wide on every target
/// the kernels are built for.
static int64_t elementBytes(MemRefType type) {
  Type element = type.getElementType();
  if (element.isIndex())
    return 8;
  return (element.getIntOrFloatBitWidth() + 7) / 8;
}

/// The increments one access op needs, or failure when a memref it
/// touches has no known class. Ops that touch no memory need none.
static LogicalResult incrementsOf(Operation *op, func::FuncOp kernel,
                                  StringRef kind,
                                  SmallVectorImpl<Increment> &increments) {
  auto classify = [&](Value memref) {
    std::optional<MemoryClass> memoryClass =
        memoryClassOf(memref, kernel, kind);
    if (!memoryClass)
      op->emitOpError("accesses memory whose class cannot be told; give the "
                      "kernel argument an snn.memory attribute");
    return memoryClass;
  };

  if (auto load = dyn_cast<memref::LoadOp>(op)) {
    std::optional<MemoryClass> memoryClass = classify(load.getMemRef());
    if (!memoryClass)
      return failure();
    increments.push_back(
        {Read, *memoryClass, elementBytes(load.getMemRefType())});
  } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
    std::optional<MemoryClass> memoryClass = classify(store.getMemRef());
    if (!memoryClass)
      return failure();
    increments.push_back(
        {Written, *memoryClass, elementBytes(store.getMemRefType())});
  } else if (auto fanout = dyn_cast<ev::FanoutOp>(op)) {
    // A column of weights read; a row of currents read and written.
    std::optional<MemoryClass> weightClass = classify(fanout.getWeight());
    std::optional<MemoryClass> currentClass = classify(fanout.getCurrent());
    if (!weightClass || !currentClass)
      return failure();
    int64_t rowBytes =
        cast<MemRefType>(fanout.getCurrent().getType()).getDimSize(0) * 8;
    increments.push_back({Read, *weightClass, rowBytes});
    increments.push_back({Read, *currentClass, rowBytes});
    increments.push_back({Written, *currentClass, rowBytes});
  } else if (auto accumulate = dyn_cast<ev::AccumulateOp>(op)) {
    // A row of adjoints read; a column of gradients read and written.
    std::optional<MemoryClass> adjointClass = classify(accumulate.getAdjoint());
    std::optional<MemoryClass> gradientClass =
        classify(accumulate.getGradient());
    if (!adjointClass || !gradientClass)
      return failure();
    int64_t rowBytes =
        cast<MemRefType>(accumulate.getAdjoint().getType()).getDimSize(0) * 8;
    increments.push_back({Read, *adjointClass, rowBytes});
    increments.push_back({Read, *gradientClass, rowBytes});
    increments.push_back({Written, *gradientClass, rowBytes});
  }
  return success();
}

/// Adds `increment` to its counter in front of the builder's insertion
/// point.
static void emitIncrement(OpBuilder &builder, Location loc, Value counters,
                          Phase phase, const Increment &increment) {
  int64_t entry = increment.direction * kNumPhases * kNumClasses +
                  phase * kNumClasses + increment.memoryClass;
  Value position = builder.create<arith::ConstantIndexOp>(loc, entry);
  Value old = builder.create<memref::LoadOp>(loc, counters, position);
  Value bytes = builder.create<arith::ConstantIntOp>(loc, increment.bytes,
                                                     builder.getI64Type());
  Value updated = builder.create<arith::AddIOp>(loc, old, bytes);
  builder.create<memref::StoreOp>(loc, updated, counters, position);
}

namespace {
struct SNNInstrumentTrafficPass
    : public snnc::impl::SNNInstrumentTrafficBase<SNNInstrumentTrafficPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult instrument(func::FuncOp kernel, StringRef kind);
};
} // namespace

LogicalResult SNNInstrumentTrafficPass::instrument(func::FuncOp kernel,
                                                   StringRef kind) {
  std::optional<Phase> phase = phaseOfKind(kind);
  if (!phase)
    return kernel.emitOpError() << "has unknown kernel kind '" << kind << "'";

  // Classify every access before anything is added, so that the counter
  // updates themselves are not counted and a failure leaves no half-done
  // kernel.
  SmallVector<std::pair<Operation *, SmallVector<Increment>>> accesses;
  WalkResult walk = kernel.walk([&](Operation *op) {
    SmallVector<Increment> increments;
    if (failed(incrementsOf(op, kernel, kind, increments)))
      return WalkResult::interrupt();
    if (!increments.empty())
      accesses.emplace_back(op, std::move(increments));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  // The counters argument, last so that the kernel's ABI only grows.
  OpBuilder builder(kernel.getContext());
  auto countersType = MemRefType::get({kNumCounters}, builder.getI64Type());
  NamedAttribute marker(builder.getStringAttr("snn.traffic_counters"),
                        builder.getUnitAttr());
  unsigned position = kernel.getNumArguments();
  (void)kernel.insertArgument(position, countersType,
                              builder.getDictionaryAttr(marker),
                              kernel.getLoc());
  Value counters = kernel.getArgument(position);

  // The increments, each in front of its access.
  for (auto &[op, increments] : accesses) {
    builder.setInsertionPoint(op);
    for (const Increment &increment : increments) {
      emitIncrement(builder, op->getLoc(), counters, *phase, increment);
      ++numIncrements;
    }
  }
  ++numKernels;
  LLVM_DEBUG(llvm::dbgs() << kernel.getSymName() << ": " << accesses.size()
                          << " accesses instrumented\n");
  return success();
}

void SNNInstrumentTrafficPass::runOnOperation() {
  // Every kernel with a body that is not instrumented yet.
  SmallVector<func::FuncOp> kernels;
  for (auto kernel : getOperation().getOps<func::FuncOp>()) {
    if (!kernel->hasAttr("snn.kernel") || kernel.isExternal())
      continue;
    bool instrumented = llvm::any_of(
        llvm::seq<unsigned>(0, kernel.getNumArguments()), [&](unsigned i) {
          return kernel.getArgAttr(i, "snn.traffic_counters") != nullptr;
        });
    if (!instrumented)
      kernels.push_back(kernel);
  }

  // Instrument each; a kernel that fails is reported and fails the pass.
  for (func::FuncOp kernel : kernels) {
    auto kind = kernel->getAttrOfType<StringAttr>("snn.kernel");
    if (!kind) {
      kernel.emitOpError("snn.kernel must be a string");
      return signalPassFailure();
    }
    if (failed(instrument(kernel, kind.getValue())))
      return signalPassFailure();
  }
}
