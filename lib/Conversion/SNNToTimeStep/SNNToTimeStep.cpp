//===- SNNToTimeStep.cpp - Build time-stepped BPTT kernels ----------------===//
//
// The surrogate-gradient baseline as compiled kernels. A network runs on a
// grid of N steps; per step the host calls, for a LIF population `hidden`
// of network `@net` fed by a projection `in_hidden`:
//
//   forward, n = 0 .. N-1                 backward, n = N-1 .. 0
//   ---------------------                 ----------------------
//   @net_hidden_step(v, i, spikes, ...)   @net_in_hidden_backward_deliver(...)
//     decay, threshold, reset,              aS(pre) += W^T aI, dL/dW
//     spikes[n mod D], traces[n]          @net_hidden_backward_step(av, ...)
//   @net_in_record(spikes, trace, n)        surrogate, dL/dtheta,
//   @net_in_hidden_deliver(w, spikes, i)    transposed decay
//     i += W S(n - delay)
//
// The constants of the step (decay factors, reset, surrogate slope, ring
// depths, delay steps) are computed here and appear as arith.constant ops
// or a constant memref.global; sizes are memref shapes.
//
//===----------------------------------------------------------------------===//

#include "snnc/Conversion/Passes.h"

#include "dialects/SNN/SNNOps.h"
#include "runtime/LIFDynamics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "convert-snn-to-timestep"

namespace snnc {
#define GEN_PASS_DEF_CONVERTSNNTOTIMESTEP
#include "snnc/Conversion/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;

/// The memory classes of DESIGN.md section 4, as `snn.memory` spells them.
static constexpr StringLiteral kSynapse = "synapse";
static constexpr StringLiteral kState = "state";
static constexpr StringLiteral kRecord = "record";
static constexpr StringLiteral kQueue = "queue";
static constexpr StringLiteral kGrad = "grad";

/// The spike flags of the stored record, as in runtime/TimeStep.cpp.
static constexpr int64_t kSpikeFlag = 1;
static constexpr int64_t kClampFlag = 2;

namespace {
/// One kernel argument: its type and, for memrefs, its memory class.
struct KernelArgument {
  Type type;
  StringRef memoryClass;
};

/// What the grid makes of one population.
struct GridPopulation {
  Operation *op = nullptr;
  StringRef name;
  int64_t size = 0;
  /// One more than the largest delay, in steps, of a projection leaving it.
  int64_t ringDepth = 1;
  int64_t refractorySteps = 0;
  runtime::Propagator propagator;
};

/// Small builders for the arithmetic of the kernels at one location.
struct Emitter {
  OpBuilder &builder;
  Location loc;

  Value index(int64_t value) {
    return builder.create<arith::ConstantIndexOp>(loc, value);
  }
  Value f64(double value) {
    return builder.create<arith::ConstantOp>(loc,
                                             builder.getF64FloatAttr(value));
  }
  Value integer(int64_t value, unsigned width) {
    return builder.create<arith::ConstantIntOp>(loc, value, width);
  }
  Value load(Value memref, ValueRange indices) {
    return builder.create<memref::LoadOp>(loc, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    builder.create<memref::StoreOp>(loc, value, memref, indices);
  }
  Value add(Value lhs, Value rhs) {
    return builder.create<arith::AddFOp>(loc, lhs, rhs);
  }
  Value sub(Value lhs, Value rhs) {
    return builder.create<arith::SubFOp>(loc, lhs, rhs);
  }
  Value mul(Value lhs, Value rhs) {
    return builder.create<arith::MulFOp>(loc, lhs, rhs);
  }
  Value select(Value condition, Value ifTrue, Value ifFalse) {
    return builder.create<arith::SelectOp>(loc, condition, ifTrue, ifFalse);
  }
  /// The ring slot of `step`: `step mod depth`, folded for a depth of one.
  Value ringSlot(Value step, int64_t depth) {
    if (depth == 1)
      return index(0);
    return builder.create<arith::RemUIOp>(loc, step, index(depth));
  }
  /// A byte of spike count or flags as a multiplier.
  Value toF64(Value byte) {
    return builder.create<arith::UIToFPOp>(loc, builder.getF64Type(), byte);
  }
  /// Whether the bits `mask` of the flag byte `flags` are set.
  Value hasFlag(Value flags, int64_t mask) {
    Value bits = builder.create<arith::AndIOp>(loc, flags, integer(mask, 8));
    return builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, bits,
                                         integer(0, 8));
  }

  /// `for index = 0 to count { body(index) }`.
  void loop(int64_t count, function_ref<void(Value)> body) {
    auto forOp =
        builder.create<scf::ForOp>(loc, index(0), index(count), index(1));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(forOp.getBody()->getTerminator());
    body(forOp.getInductionVar());
  }
  /// A sum over `count` terms carried through the loop, from 0.0.
  Value sum(int64_t count, function_ref<Value(Value, Value)> body) {
    auto forOp = builder.create<scf::ForOp>(loc, index(0), index(count),
                                            index(1), ValueRange{f64(0.0)});
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(forOp.getBody());
    Value next = body(forOp.getInductionVar(), forOp.getRegionIterArg(0));
    builder.create<scf::YieldOp>(loc, next);
    return forOp.getResult(0);
  }
  /// `if condition { body() }`.
  void when(Value condition, function_ref<void()> body) {
    auto ifOp = builder.create<scf::IfOp>(loc, condition,
                                          /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    body();
  }
  /// `condition ? body() : otherwise`, evaluating body only when taken.
  Value whenElse(Value condition, function_ref<Value()> body, Value otherwise) {
    auto ifOp = builder.create<scf::IfOp>(loc, TypeRange{otherwise.getType()},
                                          condition, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(ifOp.thenBlock());
    builder.create<scf::YieldOp>(loc, body());
    builder.setInsertionPointToStart(ifOp.elseBlock());
    builder.create<scf::YieldOp>(loc, otherwise);
    return ifOp.getResult(0);
  }
};

/// Builds the time-stepped kernels of one network at the end of the module.
class TimeStepBuilder {
public:
  TimeStepBuilder(ModuleOp module, snn::NetworkOp network, double dtMs,
                  double slope)
      : builder(module.getContext()), network(network), dtMs(dtMs),
        slope(slope), f64(builder.getF64Type()) {
    builder.setInsertionPointToEnd(module.getBody());
  }

  /// Computes the grid: step count, propagators, ring depths and delays.
  LogicalResult prepare();
  void buildLIFStep(snn::LIFOp lif);
  void buildLIStep(snn::LIOp li);
  void buildSourceRecord(snn::SourceOp source);
  void buildDeliver(snn::ProjectOp project);
  void buildLIFBackwardStep(snn::LIFOp lif);
  void buildLIBackwardStep(snn::LIOp li);
  void buildProjectionBackward(snn::ProjectOp project);

  unsigned numKernels = 0;

private:
  /// Starts a kernel and leaves the builder in its body.
  func::FuncOp startKernel(StringRef member, StringRef kind,
                           ArrayRef<KernelArgument> arguments);
  /// The delay table of a projection with delays as a constant global, or
  /// null when every delay rounds to zero steps.
  Value delayTable(snn::ProjectOp project, Emitter &emit);

  MemRefType vectorType(int64_t size, Type element) {
    return MemRefType::get({size}, element);
  }
  MemRefType matrixType(int64_t rows, int64_t columns, Type element) {
    return MemRefType::get({rows, columns}, element);
  }

  OpBuilder builder;
  snn::NetworkOp network;
  double dtMs;
  double slope;
  Type f64;
  int64_t steps = 1;
  llvm::DenseMap<Value, GridPopulation> populations;
  /// Per projection, its delays in steps ([post][pre]) when one is
  /// non-zero.
  llvm::DenseMap<Operation *, SmallVector<int32_t>> delaySteps;
  llvm::DenseMap<Operation *, memref::GlobalOp> delayGlobals;
};
} // namespace

LogicalResult TimeStepBuilder::prepare() {
  // The step count of runtime/TimeStep.cpp: the slack keeps T / dt =
  // 120.00000000000001 at 120 steps.
  double duration = network.getDuration().convertToDouble();
  double ratio = duration / dtMs;
  if (ratio > 1e7)
    return network.emitOpError()
           << "time step " << dtMs << " ms gives more than 1e7 steps over "
           << duration << " ms";
  steps = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(ratio - 1e-9)));

  // Populations: exact per-step propagators and refractory clamps.
  for (Operation &op : network.getBody().front()) {
    GridPopulation population;
    population.op = &op;
    if (auto lif = dyn_cast<snn::LIFOp>(op)) {
      population.size = lif.getSize();
      population.propagator = runtime::propagatorFor(
          runtime::LIFConstants::make(lif.getTauMem().convertToDouble(),
                                      lif.getTauSyn().convertToDouble()),
          dtMs);
      population.refractorySteps =
          std::llround(lif.getRefractory().convertToDouble() / dtMs);
    } else if (auto li = dyn_cast<snn::LIOp>(op)) {
      population.size = li.getSize();
      population.propagator = runtime::propagatorFor(
          runtime::LIFConstants::make(li.getTauMem().convertToDouble(),
                                      li.getTauSyn().convertToDouble()),
          dtMs);
    } else if (auto source = dyn_cast<snn::SourceOp>(op)) {
      population.size = source.getOutput().getType().getSize();
    } else {
      continue;
    }
    population.name = op.getAttrOfType<StringAttr>("name").getValue();
    populations[op.getResult(0)] = population;
  }

  // Delays rounded to whole steps; they set the depth of the spike rings.
  for (auto project : network.getBody().getOps<snn::ProjectOp>()) {
    if (!project.getDelayAttr())
      continue;
    int64_t synapses = project.getPreSize() * project.getPostSize();
    SmallVector<double> delaysMs;
    if (failed(snn::getScalarOrTensorValues(project.getDelayAttr(), synapses,
                                            delaysMs)))
      return project.emitOpError("cannot read the delay values");
    SmallVector<int32_t> rounded;
    int64_t largest = 0;
    for (double delay : delaysMs) {
      rounded.push_back(static_cast<int32_t>(std::llround(delay / dtMs)));
      largest = std::max<int64_t>(largest, rounded.back());
    }
    if (largest == 0)
      continue;
    delaySteps[project] = std::move(rounded);
    GridPopulation &pre = populations[project.getPre()];
    pre.ringDepth = std::max(pre.ringDepth, largest + 1);
  }
  return success();
}

func::FuncOp TimeStepBuilder::startKernel(StringRef member, StringRef kind,
                                          ArrayRef<KernelArgument> arguments) {
  Location loc = network.getLoc();
  SmallVector<Type> types;
  for (const KernelArgument &argument : arguments)
    types.push_back(argument.type);
  auto function = builder.create<func::FuncOp>(
      loc, kernelName(network.getSymName(), member, kind),
      builder.getFunctionType(types, {}));
  function->setAttr("snn.kernel", builder.getStringAttr(kind));
  for (auto [position, argument] : llvm::enumerate(arguments))
    if (!argument.memoryClass.empty())
      function.setArgAttr(position, "snn.memory",
                          builder.getStringAttr(argument.memoryClass));
  Block *entry = function.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  ++numKernels;
  return function;
}

Value TimeStepBuilder::delayTable(snn::ProjectOp project, Emitter &emit) {
  auto found = delaySteps.find(project);
  if (found == delaySteps.end())
    return nullptr;
  int64_t rows = project.getPostSize();
  int64_t columns = project.getPreSize();
  MemRefType type = matrixType(rows, columns, builder.getI32Type());
  memref::GlobalOp &global = delayGlobals[project];
  if (!global) {
    // A constant table, emitted once and shared by the forward and the
    // backward kernel; the instrumentation counts its reads as synapse
    // traffic, like the runtime's delay table.
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(builder.getInsertionBlock()->getParentOp());
    auto tensorType =
        RankedTensorType::get({rows, columns}, builder.getI32Type());
    global = builder.create<memref::GlobalOp>(
        project.getLoc(),
        kernelName(network.getSymName(), project.getName(), "delay_steps"),
        builder.getStringAttr("private"), type,
        DenseElementsAttr::get(tensorType, ArrayRef<int32_t>(found->second)),
        /*constant=*/true, /*alignment=*/nullptr);
    global->setAttr("snn.memory", builder.getStringAttr(kSynapse));
  }
  return builder.create<memref::GetGlobalOp>(emit.loc, type,
                                             global.getSymName());
}

void TimeStepBuilder::buildLIFStep(snn::LIFOp lif) {
  OpBuilder::InsertionGuard guard(builder);
  const GridPopulation &grid = populations[lif.getOutput()];
  int64_t size = grid.size;
  bool hasClamp = grid.refractorySteps > 0;
  Type i8 = builder.getI8Type();
  SmallVector<KernelArgument> arguments = {
      {vectorType(size, f64), kState},
      {vectorType(size, f64), kState},
      {matrixType(grid.ringDepth, size, i8), kQueue},
      {vectorType(size, f64), kState}};
  if (hasClamp)
    arguments.push_back({vectorType(size, builder.getI32Type()), kState});
  arguments.push_back({matrixType(steps, size, f64), kRecord});
  arguments.push_back({matrixType(steps, size, i8), kRecord});
  arguments.push_back({builder.getIndexType(), {}});
  arguments.push_back({builder.getI1Type(), {}});
  func::FuncOp kernel = startKernel(lif.getName(), "step", arguments);
  Value voltage = kernel.getArgument(0);
  Value current = kernel.getArgument(1);
  Value spikes = kernel.getArgument(2);
  Value threshold = kernel.getArgument(3);
  Value clamp = hasClamp ? kernel.getArgument(4) : Value();
  unsigned next = hasClamp ? 5 : 4;
  Value voltageTrace = kernel.getArgument(next);
  Value flagTrace = kernel.getArgument(next + 1);
  Value step = kernel.getArgument(next + 2);
  Value training = kernel.getArgument(next + 3);

  // The step's constants: exact decay factors, reset and the ring slot.
  Emitter emit{builder, lif.getLoc()};
  Value memDecay = emit.f64(grid.propagator.memDecay);
  Value synDecay = emit.f64(grid.propagator.synDecay);
  Value coupling = emit.f64(grid.propagator.coupling);
  Value reset = emit.f64(lif.getReset().convertToDouble());
  Value slot = emit.ringSlot(step, grid.ringDepth);

  emit.loop(size, [&](Value neuron) {
    // Decay over the step; this step's input arrives after the test.
    Value oldVoltage = emit.load(voltage, neuron);
    Value oldCurrent = emit.load(current, neuron);
    Value decayed = emit.mul(memDecay, oldVoltage);
    Value coupled = emit.mul(coupling, oldCurrent);
    Value preReset = emit.add(decayed, coupled);
    emit.store(emit.mul(synDecay, oldCurrent), current, neuron);

    // Threshold test, unless the refractory clamp holds the neuron.
    Value theta = emit.load(threshold, neuron);
    Value spike = builder.create<arith::CmpFOp>(
        emit.loc, arith::CmpFPredicate::OGE, preReset, theta);
    Value held = spike;
    Value spikeByte = builder.create<arith::ExtUIOp>(emit.loc, i8, spike);
    Value flags = spikeByte;
    if (hasClamp) {
      Value left = emit.load(clamp, neuron);
      Value clamped = builder.create<arith::CmpIOp>(
          emit.loc, arith::CmpIPredicate::sgt, left, emit.integer(0, 32));
      Value free =
          builder.create<arith::XOrIOp>(emit.loc, clamped, emit.integer(1, 1));
      spike = builder.create<arith::AndIOp>(emit.loc, spike, free);
      spikeByte = builder.create<arith::ExtUIOp>(emit.loc, i8, spike);
      held = builder.create<arith::OrIOp>(emit.loc, spike, clamped);
      Value counted =
          builder.create<arith::SubIOp>(emit.loc, left, emit.integer(1, 32));
      Value started =
          emit.select(spike, emit.integer(grid.refractorySteps, 32), left);
      emit.store(emit.select(clamped, counted, started), clamp, neuron);
      Value clampFlag = emit.integer(kClampFlag, 8);
      flags = emit.select(clamped, clampFlag, spikeByte);
    }

    // Reset, the spike into the ring, and the record BPTT reads back.
    emit.store(emit.select(held, reset, preReset), voltage, neuron);
    emit.store(spikeByte, spikes, ValueRange{slot, neuron});
    emit.when(training, [&] {
      emit.store(preReset, voltageTrace, ValueRange{step, neuron});
      emit.store(flags, flagTrace, ValueRange{step, neuron});
    });
  });
  builder.create<func::ReturnOp>(emit.loc);
}

void TimeStepBuilder::buildLIStep(snn::LIOp li) {
  OpBuilder::InsertionGuard guard(builder);
  const GridPopulation &grid = populations[li.getOutput()];
  int64_t size = grid.size;
  Type i32 = builder.getI32Type();
  func::FuncOp kernel = startKernel(li.getName(), "step",
                                    {{vectorType(size, f64), kState},
                                     {vectorType(size, f64), kState},
                                     {vectorType(size, f64), kState},
                                     {vectorType(size, i32), kState},
                                     {builder.getIndexType(), {}}});
  Value voltage = kernel.getArgument(0);
  Value current = kernel.getArgument(1);
  Value maxVoltage = kernel.getArgument(2);
  Value maxStep = kernel.getArgument(3);
  Value step = kernel.getArgument(4);

  // Decay, then the running maximum the max-voltage loss reads.
  Emitter emit{builder, li.getLoc()};
  Value memDecay = emit.f64(grid.propagator.memDecay);
  Value synDecay = emit.f64(grid.propagator.synDecay);
  Value coupling = emit.f64(grid.propagator.coupling);
  Value step32 = builder.create<arith::IndexCastOp>(emit.loc, i32, step);
  emit.loop(size, [&](Value neuron) {
    Value oldVoltage = emit.load(voltage, neuron);
    Value oldCurrent = emit.load(current, neuron);
    Value decayed = emit.mul(memDecay, oldVoltage);
    Value coupled = emit.mul(coupling, oldCurrent);
    Value newVoltage = emit.add(decayed, coupled);
    emit.store(newVoltage, voltage, neuron);
    emit.store(emit.mul(synDecay, oldCurrent), current, neuron);
    Value best = emit.load(maxVoltage, neuron);
    Value higher = builder.create<arith::CmpFOp>(
        emit.loc, arith::CmpFPredicate::OGT, newVoltage, best);
    emit.store(emit.select(higher, newVoltage, best), maxVoltage, neuron);
    Value bestStep = emit.load(maxStep, neuron);
    emit.store(emit.select(higher, step32, bestStep), maxStep, neuron);
  });
  builder.create<func::ReturnOp>(emit.loc);
}

void TimeStepBuilder::buildSourceRecord(snn::SourceOp source) {
  OpBuilder::InsertionGuard guard(builder);
  const GridPopulation &grid = populations[source.getOutput()];
  Type i8 = builder.getI8Type();
  func::FuncOp kernel =
      startKernel(source.getName(), "record",
                  {{matrixType(grid.ringDepth, grid.size, i8), kQueue},
                   {matrixType(steps, grid.size, i8), kRecord},
                   {builder.getIndexType(), {}}});
  Value spikes = kernel.getArgument(0);
  Value trace = kernel.getArgument(1);
  Value step = kernel.getArgument(2);

  // The step's binned input spike counts, kept for the weight gradient.
  Emitter emit{builder, source.getLoc()};
  Value slot = emit.ringSlot(step, grid.ringDepth);
  emit.loop(grid.size, [&](Value channel) {
    emit.store(emit.load(spikes, ValueRange{slot, channel}), trace,
               ValueRange{step, channel});
  });
  builder.create<func::ReturnOp>(emit.loc);
}

void TimeStepBuilder::buildDeliver(snn::ProjectOp project) {
  OpBuilder::InsertionGuard guard(builder);
  const GridPopulation &pre = populations[project.getPre()];
  int64_t rows = project.getPostSize();
  int64_t columns = project.getPreSize();
  func::FuncOp kernel = startKernel(
      project.getName(), "deliver",
      {{matrixType(rows, columns, f64), kSynapse},
       {matrixType(pre.ringDepth, columns, builder.getI8Type()), kQueue},
       {vectorType(rows, f64), kState},
       {builder.getIndexType(), {}}});
  Value weight = kernel.getArgument(0);
  Value spikes = kernel.getArgument(1);
  Value current = kernel.getArgument(2);
  Value step = kernel.getArgument(3);
  Emitter emit{builder, project.getLoc()};
  Value table = delayTable(project, emit);

  // Without delays, the dense product of the step's spike vector.
  if (!table) {
    Value slot = emit.ringSlot(step, pre.ringDepth);
    emit.loop(rows, [&](Value post) {
      Value sum = emit.sum(columns, [&](Value source, Value partial) {
        Value w = emit.load(weight, ValueRange{post, source});
        Value count = emit.toF64(emit.load(spikes, ValueRange{slot, source}));
        return emit.add(partial, emit.mul(w, count));
      });
      emit.store(emit.add(emit.load(current, post), sum), current, post);
    });
    builder.create<func::ReturnOp>(emit.loc);
    return;
  }

  // With delays each synapse reads the ring at its own past step; a synapse
  // whose delay reaches before step 0 stays idle and reads nothing more.
  emit.loop(rows, [&](Value post) {
    Value sum = emit.sum(columns, [&](Value source, Value partial) {
      Value delay = builder.create<arith::IndexCastOp>(
          emit.loc, builder.getIndexType(),
          emit.load(table, ValueRange{post, source}));
      Value active = builder.create<arith::CmpIOp>(
          emit.loc, arith::CmpIPredicate::uge, step, delay);
      return emit.whenElse(
          active,
          [&] {
            Value sent = builder.create<arith::SubIOp>(emit.loc, step, delay);
            Value slot = emit.ringSlot(sent, pre.ringDepth);
            Value w = emit.load(weight, ValueRange{post, source});
            Value count =
                emit.toF64(emit.load(spikes, ValueRange{slot, source}));
            return emit.add(partial, emit.mul(w, count));
          },
          partial);
    });
    emit.store(emit.add(emit.load(current, post), sum), current, post);
  });
  builder.create<func::ReturnOp>(emit.loc);
}

void TimeStepBuilder::buildLIFBackwardStep(snn::LIFOp lif) {
  OpBuilder::InsertionGuard guard(builder);
  const GridPopulation &grid = populations[lif.getOutput()];
  int64_t size = grid.size;
  bool learnsThreshold = lif.learnsThreshold();
  SmallVector<KernelArgument> arguments = {
      {vectorType(size, f64), kState},
      {vectorType(size, f64), kState},
      {matrixType(grid.ringDepth, size, f64), kState},
      {vectorType(size, f64), kState},
      {matrixType(steps, size, f64), kRecord},
      {matrixType(steps, size, builder.getI8Type()), kRecord}};
  if (learnsThreshold)
    arguments.push_back({vectorType(size, f64), kGrad});
  arguments.push_back({builder.getIndexType(), {}});
  func::FuncOp kernel = startKernel(lif.getName(), "backward_step", arguments);
  Value adjointV = kernel.getArgument(0);
  Value adjointI = kernel.getArgument(1);
  Value adjointSpikes = kernel.getArgument(2);
  Value threshold = kernel.getArgument(3);
  Value voltageTrace = kernel.getArgument(4);
  Value flagTrace = kernel.getArgument(5);
  Value thresholdGrad = learnsThreshold ? kernel.getArgument(6) : Value();
  Value step = kernel.getArgument(learnsThreshold ? 7 : 6);

  Emitter emit{builder, lif.getLoc()};
  Value memDecay = emit.f64(grid.propagator.memDecay);
  Value synDecay = emit.f64(grid.propagator.synDecay);
  Value coupling = emit.f64(grid.propagator.coupling);
  Value surrogateSlope = emit.f64(slope);
  Value one = emit.f64(1.0);
  Value zero = emit.f64(0.0);
  Value slot = emit.ringSlot(step, grid.ringDepth);

  emit.loop(size, [&](Value neuron) {
    // The spike's adjoint of this step, consumed from the ring.
    Value spikeError = emit.load(adjointSpikes, ValueRange{slot, neuron});
    emit.store(zero, adjointSpikes, ValueRange{slot, neuron});

    // Through the fast sigmoid 1 / (1 + slope |Vpre - theta|)^2 at the
    // recorded pre-reset voltage.
    Value flags = emit.load(flagTrace, ValueRange{step, neuron});
    Value preReset = emit.load(voltageTrace, ValueRange{step, neuron});
    Value theta = emit.load(threshold, neuron);
    Value distance =
        builder.create<math::AbsFOp>(emit.loc, emit.sub(preReset, theta));
    Value scaled = emit.add(one, emit.mul(surrogateSlope, distance));
    Value surrogate =
        builder.create<arith::DivFOp>(emit.loc, one, emit.mul(scaled, scaled));
    Value passed = emit.mul(spikeError, surrogate);

    // The reset is detached: a spike cuts aV; a clamp cuts everything.
    Value spiked = emit.hasFlag(flags, kSpikeFlag);
    Value clamped = emit.hasFlag(flags, kClampFlag);
    Value kept = emit.select(spiked, zero, emit.load(adjointV, neuron));
    Value voltageError = emit.select(clamped, zero, emit.add(kept, passed));
    if (thresholdGrad) {
      Value gradient = emit.load(thresholdGrad, neuron);
      emit.store(emit.select(clamped, gradient, emit.sub(gradient, passed)),
                 thresholdGrad, neuron);
    }

    // The transposed decay back to the previous step.
    Value currentError = emit.load(adjointI, neuron);
    emit.store(emit.mul(memDecay, voltageError), adjointV, neuron);
    Value coupled = emit.mul(coupling, voltageError);
    Value decayed = emit.mul(synDecay, currentError);
    emit.store(emit.add(coupled, decayed), adjointI, neuron);
  });
  builder.create<func::ReturnOp>(emit.loc);
}

void TimeStepBuilder::buildLIBackwardStep(snn::LIOp li) {
  OpBuilder::InsertionGuard guard(builder);
  const GridPopulation &grid = populations[li.getOutput()];
  func::FuncOp kernel = startKernel(li.getName(), "backward_step",
                                    {{vectorType(grid.size, f64), kState},
                                     {vectorType(grid.size, f64), kState}});
  Value adjointV = kernel.getArgument(0);
  Value adjointI = kernel.getArgument(1);

  // A readout has no spikes: only the transposed decay.
  Emitter emit{builder, li.getLoc()};
  Value memDecay = emit.f64(grid.propagator.memDecay);
  Value synDecay = emit.f64(grid.propagator.synDecay);
  Value coupling = emit.f64(grid.propagator.coupling);
  emit.loop(grid.size, [&](Value neuron) {
    Value voltageError = emit.load(adjointV, neuron);
    Value currentError = emit.load(adjointI, neuron);
    emit.store(emit.mul(memDecay, voltageError), adjointV, neuron);
    Value coupled = emit.mul(coupling, voltageError);
    Value decayed = emit.mul(synDecay, currentError);
    emit.store(emit.add(coupled, decayed), adjointI, neuron);
  });
  builder.create<func::ReturnOp>(emit.loc);
}

void TimeStepBuilder::buildProjectionBackward(snn::ProjectOp project) {
  const GridPopulation &pre = populations[project.getPre()];
  bool preIsLIF = isa<snn::LIFOp>(pre.op);
  bool learnsWeight = project.learnsWeight();
  // Errors to inputs are dropped and fixed weights get no gradient.
  if (!preIsLIF && !learnsWeight)
    return;

  OpBuilder::InsertionGuard guard(builder);
  int64_t rows = project.getPostSize();
  int64_t columns = project.getPreSize();
  SmallVector<KernelArgument> arguments = {
      {matrixType(rows, columns, f64), kSynapse},
      {vectorType(rows, f64), kState}};
  if (preIsLIF)
    arguments.push_back({matrixType(pre.ringDepth, columns, f64), kState});
  if (learnsWeight) {
    arguments.push_back(
        {matrixType(steps, columns, builder.getI8Type()), kRecord});
    arguments.push_back({matrixType(rows, columns, f64), kGrad});
  }
  arguments.push_back({builder.getIndexType(), {}});
  func::FuncOp kernel =
      startKernel(project.getName(), "backward_deliver", arguments);
  Value weight = kernel.getArgument(0);
  Value postError = kernel.getArgument(1);
  unsigned next = 2;
  Value adjointSpikes = preIsLIF ? kernel.getArgument(next++) : Value();
  Value flagTrace = learnsWeight ? kernel.getArgument(next++) : Value();
  Value weightGrad = learnsWeight ? kernel.getArgument(next++) : Value();
  Value step = kernel.getArgument(next);
  Emitter emit{builder, project.getLoc()};
  Value table = delayTable(project, emit);

  // The spike count a flag byte stands for: a LIF records flags, a source
  // its binned count.
  auto spikeCount = [&](Value flags) -> Value {
    if (!preIsLIF)
      return flags;
    return builder.create<arith::AndIOp>(emit.loc, flags,
                                         emit.integer(kSpikeFlag, 8));
  };
  // gradient[post, source] += error * count for a presynaptic spike.
  auto accumulate = [&](Value post, Value source, Value error, Value count) {
    Value fired = builder.create<arith::CmpIOp>(
        emit.loc, arith::CmpIPredicate::ne, count, emit.integer(0, 8));
    emit.when(fired, [&] {
      Value gradient = emit.load(weightGrad, ValueRange{post, source});
      emit.store(emit.add(gradient, emit.mul(error, emit.toF64(count))),
                 weightGrad, ValueRange{post, source});
    });
  };

  if (!table) {
    // The error sent back: W^T aI into this step's spike adjoints.
    if (preIsLIF) {
      Value slot = emit.ringSlot(step, pre.ringDepth);
      emit.loop(rows, [&](Value post) {
        Value error = emit.load(postError, post);
        emit.loop(columns, [&](Value source) {
          Value w = emit.load(weight, ValueRange{post, source});
          Value old = emit.load(adjointSpikes, ValueRange{slot, source});
          emit.store(emit.add(old, emit.mul(w, error)), adjointSpikes,
                     ValueRange{slot, source});
        });
      });
    }
    // dL/dW += aI S^T, only for the presynaptic neurons that spiked.
    if (learnsWeight) {
      emit.loop(columns, [&](Value source) {
        Value count =
            spikeCount(emit.load(flagTrace, ValueRange{step, source}));
        Value fired = builder.create<arith::CmpIOp>(
            emit.loc, arith::CmpIPredicate::ne, count, emit.integer(0, 8));
        emit.when(fired, [&] {
          Value weightCount = emit.toF64(count);
          emit.loop(rows, [&](Value post) {
            Value error = emit.load(postError, post);
            Value gradient = emit.load(weightGrad, ValueRange{post, source});
            emit.store(emit.add(gradient, emit.mul(error, weightCount)),
                       weightGrad, ValueRange{post, source});
          });
        });
      });
    }
    builder.create<func::ReturnOp>(emit.loc);
    return;
  }

  // With delays, per synapse at the step its spike was sent.
  emit.loop(rows, [&](Value post) {
    Value error = emit.load(postError, post);
    emit.loop(columns, [&](Value source) {
      Value delay = builder.create<arith::IndexCastOp>(
          emit.loc, builder.getIndexType(),
          emit.load(table, ValueRange{post, source}));
      Value active = builder.create<arith::CmpIOp>(
          emit.loc, arith::CmpIPredicate::uge, step, delay);
      emit.when(active, [&] {
        Value sent = builder.create<arith::SubIOp>(emit.loc, step, delay);
        if (preIsLIF) {
          Value slot = emit.ringSlot(sent, pre.ringDepth);
          Value w = emit.load(weight, ValueRange{post, source});
          Value old = emit.load(adjointSpikes, ValueRange{slot, source});
          emit.store(emit.add(old, emit.mul(w, error)), adjointSpikes,
                     ValueRange{slot, source});
        }
        if (learnsWeight)
          accumulate(
              post, source, error,
              spikeCount(emit.load(flagTrace, ValueRange{sent, source})));
      });
    });
  });
  builder.create<func::ReturnOp>(emit.loc);
}

namespace {
struct ConvertSNNToTimeStepPass
    : public snnc::impl::ConvertSNNToTimeStepBase<ConvertSNNToTimeStepPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void ConvertSNNToTimeStepPass::runOnOperation() {
  ModuleOp module = getOperation();

  // The options hold for every network; reject what the runtime rejects.
  if (!(dtMs > 0) || !std::isfinite(dtMs)) {
    module.emitError() << "time step dt must be positive and finite, got "
                       << dtMs << " ms";
    return signalPassFailure();
  }
  if (!(surrogateSlope > 0) || !std::isfinite(surrogateSlope)) {
    module.emitError() << "surrogate slope must be positive and finite, got "
                       << surrogateSlope;
    return signalPassFailure();
  }

  SmallVector<snn::NetworkOp> networks(module.getOps<snn::NetworkOp>());
  for (snn::NetworkOp network : networks) {
    TimeStepBuilder kernels(module, network, dtMs, surrogateSlope);
    if (failed(kernels.prepare()))
      return signalPassFailure();
    Block &body = network.getBody().front();

    // Forward kernels: a step per population, a delivery per projection.
    for (Operation &op : body) {
      if (auto lif = dyn_cast<snn::LIFOp>(op))
        kernels.buildLIFStep(lif);
      else if (auto li = dyn_cast<snn::LIOp>(op))
        kernels.buildLIStep(li);
      else if (auto source = dyn_cast<snn::SourceOp>(op))
        kernels.buildSourceRecord(source);
      else if (auto project = dyn_cast<snn::ProjectOp>(op))
        kernels.buildDeliver(project);
    }

    // Backward kernels, when there is a loss to differentiate.
    if (network.getLoss()) {
      for (Operation &op : body) {
        if (auto lif = dyn_cast<snn::LIFOp>(op))
          kernels.buildLIFBackwardStep(lif);
        else if (auto li = dyn_cast<snn::LIOp>(op))
          kernels.buildLIBackwardStep(li);
        else if (auto project = dyn_cast<snn::ProjectOp>(op))
          kernels.buildProjectionBackward(project);
      }
    }
    numKernels += kernels.numKernels;
    LLVM_DEBUG(llvm::dbgs() << network.getSymName() << ": "
                            << kernels.numKernels << " kernels\n");

    // The kernels carry everything the LLVM lowering needs.
    if (!keepNetwork)
      network.erase();
  }
}
