//===- EVToLLVM.cpp - Lower ev kernels to the LLVM dialect ----------------===//
//
// The ev ops become arith, math, scf and memref first, computing the same
// values with the same formulas as the runtime's LIFDynamics.h and
// Crossing.cpp, so that compiled kernels and the reference agree to the last
// bit. The upstream conversions then take everything to the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "snnc/Conversion/Passes.h"

#include "dialects/EV/EVOps.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/LoweringOptions.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <limits>

#define DEBUG_TYPE "convert-ev-to-llvm"

namespace snnc {
#define GEN_PASS_DEF_CONVERTEVTOLLVM
#include "snnc/Conversion/Passes.h.inc"
} // namespace snnc

using namespace mlir;
using namespace snnc;

/// The runtime gives up on a bracket after this many Newton or bisection
/// steps and returns its upper end (runtime/Crossing.cpp).
static constexpr int32_t kMaxCrossingIterations = 200;

//===----------------------------------------------------------------------===//
// Time constants
//===----------------------------------------------------------------------===//

namespace {
/// Everything a LIF kernel derives from its two time constants alone,
/// computed here in double precision with the same expressions as the
/// runtime's LIFConstants, so that the folded constants carry the same bits.
struct FoldedTimeConstants {
  double tauMem;
  double tauSyn;
  double invTauMem;
  double invTauSyn;
  /// 1/tau_syn - 1/tau_mem, written as the runtime writes it.
  double rateGap;
  /// tau_syn / (tau_mem - tau_syn), the coupling once the exponentials no
  /// longer cancel. Unused when the time constants are equal.
  double couplingRatio;
  /// (tau_mem - tau_syn) / tau_mem, which scales the extremum equation.
  double relativeGap;
  /// The rate gap is exactly zero: the propagator and the extremum take
  /// their equal-time-constant limits and nothing else is emitted.
  bool equal;

  static FoldedTimeConstants get(APFloat tauMemAttr, APFloat tauSynAttr) {
    FoldedTimeConstants constants;
    constants.tauMem = tauMemAttr.convertToDouble();
    constants.tauSyn = tauSynAttr.convertToDouble();
    constants.invTauMem = 1.0 / constants.tauMem;
    constants.invTauSyn = 1.0 / constants.tauSyn;
    constants.rateGap = (constants.tauMem - constants.tauSyn) /
                        (constants.tauMem * constants.tauSyn);
    constants.equal = constants.rateGap == 0.0;
    constants.couplingRatio =
        constants.equal
            ? 0.0
            : constants.tauSyn / (constants.tauMem - constants.tauSyn);
    constants.relativeGap =
        (constants.tauMem - constants.tauSyn) * constants.invTauMem;
    return constants;
  }
};

/// The three coefficients of the propagator over one interval.
struct PropagatorValues {
  Value memDecay;
  Value synDecay;
  Value coupling;
};

/// Builds the scalar arithmetic of one LIF population at the builder's
/// insertion point. Every helper mirrors a function of the runtime and keeps
/// its operation order, since floating-point results depend on it.
class LIFKernelBuilder {
public:
  LIFKernelBuilder(OpBuilder &builder, Location loc,
                   const FoldedTimeConstants &constants)
      : b(builder), loc(loc), constants(constants) {}

  Value constant(double value) {
    return b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(value));
  }

  /// The propagator over `elapsed` (runtime propagatorFor).
  PropagatorValues propagator(Value elapsed);

  /// V after `elapsed` without input from (v0, i0) (runtime freeVoltage).
  Value freeVoltage(Value v0, Value i0, Value elapsed);

  /// The offset of the zero of dV/dt, or +inf (runtime extremumOffset).
  Value extremumOffset(Value v0, Value i0);

  /// The first crossing of `threshold` in [0, horizon], or +inf (runtime
  /// thresholdCrossingOffset).
  Value crossing(Value v0, Value i0, Value threshold, Value horizon);

private:
  Value solveBracketed(Value v0, Value i0, Value threshold, Value lo, Value hi,
                       Value valueLo, Value valueHi);
  Value ulpAbove(Value value);

  Value add(Value lhs, Value rhs) {
    return b.create<arith::AddFOp>(loc, lhs, rhs);
  }
  Value sub(Value lhs, Value rhs) {
    return b.create<arith::SubFOp>(loc, lhs, rhs);
  }
  Value mul(Value lhs, Value rhs) {
    return b.create<arith::MulFOp>(loc, lhs, rhs);
  }
  Value div(Value lhs, Value rhs) {
    return b.create<arith::DivFOp>(loc, lhs, rhs);
  }
  Value cmp(arith::CmpFPredicate predicate, Value lhs, Value rhs) {
    return b.create<arith::CmpFOp>(loc, predicate, lhs, rhs);
  }
  Value select(Value condition, Value onTrue, Value onFalse) {
    return b.create<arith::SelectOp>(loc, condition, onTrue, onFalse);
  }
  Value logicalAnd(Value lhs, Value rhs) {
    return b.create<arith::AndIOp>(loc, lhs, rhs);
  }
  Value logicalOr(Value lhs, Value rhs) {
    return b.create<arith::OrIOp>(loc, lhs, rhs);
  }
  Value logicalNot(Value value) {
    Value one = b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
    return b.create<arith::XOrIOp>(loc, value, one);
  }

  /// `scf.if %condition -> f64` whose branches yield what the callbacks
  /// build; each callback runs with the insertion point in its branch.
  Value ifElse(Value condition, function_ref<Value()> thenValue,
               function_ref<Value()> elseValue);

  /// Opens `scf.if %condition -> f64 { yield %exitValue } else { ... }`
  /// and moves the insertion point into the else branch.
  void exitIf(Value condition, Value exitValue,
              SmallVectorImpl<scf::IfOp> &exits);

  /// Yields `value` out of every branch `exitIf` opened, innermost first,
  /// and returns the outermost result.
  Value closeExits(Value value, ArrayRef<scf::IfOp> exits);

  OpBuilder &b;
  Location loc;
  const FoldedTimeConstants &constants;
};
} // namespace

Value LIFKernelBuilder::ifElse(Value condition, function_ref<Value()> thenValue,
                               function_ref<Value()> elseValue) {
  auto ifOp = b.create<scf::IfOp>(loc, b.getF64Type(), condition,
                                  /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  b.create<scf::YieldOp>(loc, thenValue());
  b.setInsertionPointToStart(ifOp.elseBlock());
  b.create<scf::YieldOp>(loc, elseValue());
  return ifOp.getResult(0);
}

void LIFKernelBuilder::exitIf(Value condition, Value exitValue,
                              SmallVectorImpl<scf::IfOp> &exits) {
  auto ifOp = b.create<scf::IfOp>(loc, b.getF64Type(), condition,
                                  /*withElseRegion=*/true);
  b.setInsertionPointToStart(ifOp.thenBlock());
  b.create<scf::YieldOp>(loc, exitValue);
  b.setInsertionPointToStart(ifOp.elseBlock());
  exits.push_back(ifOp);
}

Value LIFKernelBuilder::closeExits(Value value, ArrayRef<scf::IfOp> exits) {
  for (scf::IfOp ifOp : llvm::reverse(exits)) {
    b.create<scf::YieldOp>(loc, value);
    value = ifOp.getResult(0);
    b.setInsertionPointAfter(ifOp);
  }
  return value;
}

PropagatorValues LIFKernelBuilder::propagator(Value elapsed) {
  // The decays: exp(-D/tau). Negating the folded rate instead of D gives the
  // same product bit for bit.
  PropagatorValues values;
  values.memDecay =
      b.create<math::ExpOp>(loc, mul(elapsed, constant(-constants.invTauMem)));

  // Equal time constants: the decays coincide and the coupling is exactly
  // (D/tau) e^{-D/tau}; no branch on the interval is needed.
  if (constants.equal) {
    values.synDecay = values.memDecay;
    values.coupling =
        mul(mul(elapsed, constant(constants.invTauMem)), values.memDecay);
    return values;
  }
  values.synDecay =
      b.create<math::ExpOp>(loc, mul(elapsed, constant(-constants.invTauSyn)));

  // Distinct time constants: the relaxation form (1 - e^{-x})/x with
  // x = D * rateGap while |x| < 1, where the difference of exponentials
  // would cancel; the direct difference beyond.
  Value gap = mul(elapsed, constant(constants.rateGap));
  Value gapMagnitude = b.create<math::AbsFOp>(loc, gap);
  Value cancels = cmp(arith::CmpFPredicate::OLT, gapMagnitude, constant(1.0));
  values.coupling = ifElse(
      cancels,
      [&] {
        Value negExpm1 = b.create<arith::NegFOp>(
            loc,
            b.create<math::ExpM1Op>(loc, b.create<arith::NegFOp>(loc, gap)));
        Value relaxation =
            select(cmp(arith::CmpFPredicate::OEQ, gap, constant(0.0)),
                   constant(1.0), div(negExpm1, gap));
        Value scaled = mul(elapsed, constant(constants.invTauMem));
        return mul(mul(scaled, values.memDecay), relaxation);
      },
      [&] {
        return mul(constant(constants.couplingRatio),
                   sub(values.memDecay, values.synDecay));
      });
  return values;
}

Value LIFKernelBuilder::freeVoltage(Value v0, Value i0, Value elapsed) {
  PropagatorValues values = propagator(elapsed);
  return add(mul(values.memDecay, v0), mul(values.coupling, i0));
}

Value LIFKernelBuilder::extremumOffset(Value v0, Value i0) {
  // dV/dt = 0 where I = V. With r = v0/i0 - 1 the offset is
  // -tau_syn r log1p(u)/u, u = relativeGap r; at equal time constants u is
  // zero and the offset is -tau r. No current means no extremum.
  Value infinity = constant(std::numeric_limits<double>::infinity());
  Value noCurrent = cmp(arith::CmpFPredicate::OEQ, i0, constant(0.0));
  Value ratioMinusOne = sub(div(v0, i0), constant(1.0));
  Value offset = mul(constant(-constants.tauSyn), ratioMinusOne);
  Value noExtremum = noCurrent;
  if (!constants.equal) {
    Value u = mul(constant(constants.relativeGap), ratioMinusOne);
    Value positiveArgument =
        cmp(arith::CmpFPredicate::OGT, add(constant(1.0), u), constant(0.0));
    Value logRatio =
        select(cmp(arith::CmpFPredicate::OEQ, u, constant(0.0)), constant(1.0),
               div(b.create<math::Log1pOp>(loc, u), u));
    offset = mul(offset, logRatio);
    noExtremum = logicalOr(noCurrent, logicalNot(positiveArgument));
  }

  // A non-finite offset (an overflowing ratio, a NaN state) is no extremum.
  Value finite = cmp(arith::CmpFPredicate::OLT,
                     b.create<math::AbsFOp>(loc, offset), infinity);
  return select(noExtremum, infinity, select(finite, offset, infinity));
}

Value LIFKernelBuilder::ulpAbove(Value value) {
  // nextafter(value, +inf) - value through the bit pattern: one step up in
  // magnitude for a positive finite value, down for a negative one, the
  // smallest subnormal from a zero; +inf and NaN stay as they are.
  Type i64 = b.getI64Type();
  Value bits = b.create<arith::BitcastOp>(loc, i64, value);
  Value one = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1));
  Value up = b.create<arith::BitcastOp>(
      loc, b.getF64Type(), b.create<arith::AddIOp>(loc, bits, one));
  Value down = b.create<arith::BitcastOp>(
      loc, b.getF64Type(), b.create<arith::SubIOp>(loc, bits, one));
  Value infinity = constant(std::numeric_limits<double>::infinity());
  Value next =
      select(cmp(arith::CmpFPredicate::OLT, value, infinity), up, value);
  next =
      select(cmp(arith::CmpFPredicate::OLT, value, constant(0.0)), down, next);
  next = select(cmp(arith::CmpFPredicate::OEQ, value, constant(0.0)),
                constant(std::numeric_limits<double>::denorm_min()), next);
  return sub(next, value);
}

/// The solve inside a bracket is one scf.while loop whose body is straight
/// line code; a finished iteration sets `done` and the result:
///
///   guess = regula falsi point of [lo, hi] (or the midpoint)
///   scf.while (it, lo, hi, guess, result, done)
///       condition: !done && it < 200
///     body:
///       V, dV/dt at guess           (the propagator at guess)
///       shrink [lo, hi] to the side of the threshold
///       next = Newton step, or the midpoint when it leaves [lo, hi]
///       done = f == 0 | hi - lo <= 4 ulp(hi) | |next - guess| <= 2 ulp
///   crossing = done ? result : hi
Value LIFKernelBuilder::solveBracketed(Value v0, Value i0, Value threshold,
                                       Value lo, Value hi, Value valueLo,
                                       Value valueHi) {
  using Predicate = arith::CmpFPredicate;

  // A regula falsi first guess, never at the flat end of the bracket.
  Value falsi = add(lo, div(mul(sub(threshold, valueLo), sub(hi, lo)),
                            sub(valueHi, valueLo)));
  Value falsiInside = logicalAnd(cmp(Predicate::OGT, falsi, lo),
                                 cmp(Predicate::OLT, falsi, hi));
  Value midpoint = mul(constant(0.5), add(lo, hi));
  Value guess = select(falsiInside, falsi, midpoint);

  // Loop state: iteration, lo, hi, guess, result, done.
  Type f64 = b.getF64Type();
  Type i32 = b.getI32Type();
  Type i1 = b.getI1Type();
  Value zeroIteration =
      b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(0));
  Value notDone = b.create<arith::ConstantOp>(loc, b.getBoolAttr(false));
  Value nan = constant(std::numeric_limits<double>::quiet_NaN());
  SmallVector<Type> stateTypes = {i32, f64, f64, f64, f64, i1};
  SmallVector<Value> initialState = {zeroIteration, lo,  hi,
                                     guess,         nan, notDone};

  auto whileOp = b.create<scf::WhileOp>(
      loc, stateTypes, initialState,
      [&](OpBuilder &, Location, ValueRange state) {
        Value maxIterations = b.create<arith::ConstantOp>(
            loc, b.getI32IntegerAttr(kMaxCrossingIterations));
        Value budgetLeft = b.create<arith::CmpIOp>(
            loc, arith::CmpIPredicate::slt, state[0], maxIterations);
        Value keepGoing = logicalAnd(logicalNot(state[5]), budgetLeft);
        b.create<scf::ConditionOp>(loc, keepGoing, state);
      },
      [&](OpBuilder &, Location, ValueRange state) {
        Value iteration = state[0];
        Value bracketLo = state[1];
        Value bracketHi = state[2];
        Value current = state[3];

        // The residual and slope of V - threshold at the current guess.
        PropagatorValues values = propagator(current);
        Value voltage = add(mul(values.memDecay, v0), mul(values.coupling, i0));
        Value residual = sub(voltage, threshold);
        Value exact = cmp(Predicate::OEQ, residual, constant(0.0));

        // The guess replaces the end of the bracket on its side.
        Value belowThreshold = cmp(Predicate::OLT, residual, constant(0.0));
        Value newLo = select(belowThreshold, current, bracketLo);
        Value newHi = select(belowThreshold, bracketHi, current);
        Value narrow = cmp(Predicate::OLE, sub(newHi, newLo),
                           mul(constant(4.0), ulpAbove(newHi)));

        // Newton inside the bracket, bisection when it would leave it.
        Value slope = mul(sub(mul(values.synDecay, i0), voltage),
                          constant(constants.invTauMem));
        Value newton = sub(current, div(residual, slope));
        Value newtonInside = logicalAnd(cmp(Predicate::OGT, newton, newLo),
                                        cmp(Predicate::OLT, newton, newHi));
        Value step = b.create<math::AbsFOp>(loc, sub(newton, current));
        Value converged = logicalAnd(
            newtonInside,
            cmp(Predicate::OLE, step, mul(constant(2.0), ulpAbove(current))));
        Value next =
            select(newtonInside, newton, mul(constant(0.5), add(newLo, newHi)));

        // The first stopping rule that holds gives the result.
        Value result = select(exact, current, select(narrow, newHi, newton));
        Value done = logicalOr(exact, logicalOr(narrow, converged));
        Value one = b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(1));
        Value nextIteration = b.create<arith::AddIOp>(loc, iteration, one);
        b.create<scf::YieldOp>(
            loc, ValueRange{nextIteration, newLo, newHi, next, result, done});
      });

  // Out of iterations: the upper end of the bracket.
  return select(whileOp.getResult(5), whileOp.getResult(4),
                whileOp.getResult(2));
}

/// The crossing is a chain of early exits, each an scf.if whose else branch
/// holds the rest, ending in the bracketed solve:
///
///   v0 >= threshold           -> 0
///   horizon <= 0              -> +inf
///   rising now:  [0, min(horizon, peak)];  else: [minimum, horizon] if any
///                             -> +inf when there is no such bracket
///   V(hi) < threshold         -> +inf
///   V(lo) >= threshold        -> lo
///   otherwise                 -> solveBracketed
Value LIFKernelBuilder::crossing(Value v0, Value i0, Value threshold,
                                 Value horizon) {
  using Predicate = arith::CmpFPredicate;
  Value infinity = constant(std::numeric_limits<double>::infinity());
  Value zero = constant(0.0);
  SmallVector<scf::IfOp> exits;

  // Already at or above the threshold, or nothing to search.
  exitIf(logicalNot(cmp(Predicate::OLT, v0, threshold)), zero, exits);
  exitIf(logicalNot(cmp(Predicate::OGT, horizon, zero)), infinity, exits);

  // The extremum splits [0, horizon] into monotone pieces: rising now, the
  // peak (if ahead) ends the bracket; falling now, only a minimum inside
  // the horizon starts one.
  Value extremum = extremumOffset(v0, i0);
  Value rising = cmp(Predicate::OGT, i0, v0);
  Value extremumInside = logicalAnd(cmp(Predicate::OGT, extremum, zero),
                                    cmp(Predicate::OLT, extremum, horizon));
  Value lo = select(rising, zero, extremum);
  Value hi = select(rising, select(extremumInside, extremum, horizon), horizon);
  exitIf(logicalNot(logicalOr(rising, extremumInside)), infinity, exits);

  // The threshold must lie between the values at the bracket's ends.
  Value valueHi = freeVoltage(v0, i0, hi);
  exitIf(cmp(Predicate::OLT, valueHi, threshold), infinity, exits);
  Value valueLo = ifElse(
      cmp(Predicate::OEQ, lo, zero), [&] { return v0; },
      [&] { return freeVoltage(v0, i0, lo); });
  exitIf(logicalNot(cmp(Predicate::OLT, valueLo, threshold)), lo, exits);

  Value time = solveBracketed(v0, i0, threshold, lo, hi, valueLo, valueHi);
  return closeExits(time, exits);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {
struct PropagatorOpLowering : OpRewritePattern<ev::PropagatorOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ev::PropagatorOp op,
                                PatternRewriter &rewriter) const override {
    FoldedTimeConstants constants =
        FoldedTimeConstants::get(op.getTauMem(), op.getTauSyn());
    LIFKernelBuilder builder(rewriter, op.getLoc(), constants);
    PropagatorValues values = builder.propagator(op.getElapsed());
    rewriter.replaceOp(op, {values.memDecay, values.synDecay, values.coupling});
    return success();
  }
};

struct CrossingOpLowering : OpRewritePattern<ev::CrossingOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ev::CrossingOp op,
                                PatternRewriter &rewriter) const override {
    FoldedTimeConstants constants =
        FoldedTimeConstants::get(op.getTauMem(), op.getTauSyn());
    LIFKernelBuilder builder(rewriter, op.getLoc(), constants);
    rewriter.replaceOp(op,
                       builder.crossing(op.getV(), op.getI(), op.getThreshold(),
                                        op.getHorizon()));
    return success();
  }
};

struct AdjointJumpOpLowering : OpRewritePattern<ev::AdjointJumpOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ev::AdjointJumpOp op,
                                PatternRewriter &rewriter) const override {
    // ((current - reset) after + fanout + time_error) / (current - theta)
    Location loc = op.getLoc();
    Value sinceReset =
        rewriter.create<arith::SubFOp>(loc, op.getCurrent(), op.getReset());
    Value carried =
        rewriter.create<arith::MulFOp>(loc, sinceReset, op.getAfter());
    Value withFanout =
        rewriter.create<arith::AddFOp>(loc, carried, op.getFanout());
    Value numerator =
        rewriter.create<arith::AddFOp>(loc, withFanout, op.getTimeError());
    Value denominator =
        rewriter.create<arith::SubFOp>(loc, op.getCurrent(), op.getThreshold());
    rewriter.replaceOpWithNewOp<arith::DivFOp>(op, numerator, denominator);
    return success();
  }
};

/// Builds `scf.for %j = 0 to dim(memref, 0)` and calls `body` with the
/// builder inside the loop and %j.
static void buildTargetLoop(PatternRewriter &rewriter, Location loc,
                            Value sized,
                            function_ref<void(Value target)> body) {
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  auto type = cast<MemRefType>(sized.getType());
  Value count =
      type.isDynamicDim(0)
          ? rewriter.create<memref::DimOp>(loc, sized, 0).getResult()
          : rewriter.create<arith::ConstantIndexOp>(loc, type.getDimSize(0))
                .getResult();
  auto loop = rewriter.create<scf::ForOp>(loc, zero, count, one);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(loop.getBody());
  body(loop.getInductionVar());
}

struct FanoutOpLowering : OpRewritePattern<ev::FanoutOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ev::FanoutOp op,
                                PatternRewriter &rewriter) const override {
    // current[j] += weight[j, pre] for every target j.
    Location loc = op.getLoc();
    buildTargetLoop(rewriter, loc, op.getCurrent(), [&](Value target) {
      Value weight = rewriter.create<memref::LoadOp>(
          loc, op.getWeight(), ValueRange{target, op.getPre()});
      Value current =
          rewriter.create<memref::LoadOp>(loc, op.getCurrent(), target);
      Value sum = rewriter.create<arith::AddFOp>(loc, current, weight);
      rewriter.create<memref::StoreOp>(loc, sum, op.getCurrent(), target);
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct AccumulateOpLowering : OpRewritePattern<ev::AccumulateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ev::AccumulateOp op,
                                PatternRewriter &rewriter) const override {
    // gradient[j, pre] += scale * adjoint[j] for every target j.
    Location loc = op.getLoc();
    buildTargetLoop(rewriter, loc, op.getAdjoint(), [&](Value target) {
      Value adjoint =
          rewriter.create<memref::LoadOp>(loc, op.getAdjoint(), target);
      SmallVector<Value, 2> element = {target, op.getPre()};
      Value gradient =
          rewriter.create<memref::LoadOp>(loc, op.getGradient(), element);
      Value scaled =
          rewriter.create<arith::MulFOp>(loc, op.getScale(), adjoint);
      Value sum = rewriter.create<arith::AddFOp>(loc, gradient, scaled);
      rewriter.create<memref::StoreOp>(loc, sum, op.getGradient(), element);
    });
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void snnc::populateEVToStandardPatterns(RewritePatternSet &patterns) {
  patterns.add<AccumulateOpLowering, AdjointJumpOpLowering, CrossingOpLowering,
               FanoutOpLowering, PropagatorOpLowering>(patterns.getContext());
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

/// Rewrites every ev op in `module` into arith, math, scf and memref.
static LogicalResult lowerEVToStandard(ModuleOp module) {
  ConversionTarget target(*module.getContext());
  target.addIllegalDialect<ev::EVDialect>();
  // Only the ev ops are rewritten here; everything else waits for the LLVM
  // stage, which has a type converter.
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(module.getContext());
  populateEVToStandardPatterns(patterns);
  return applyPartialConversion(module, target, std::move(patterns));
}

/// Turns math.expm1 and math.log1p into libm calls. The LLVM lowering of
/// math would expand them to exp(x) - 1 and log(1 + x), which lose every
/// digit when x is small, exactly the case these functions are used for.
static LogicalResult lowerPrecisionCriticalMathToLibm(ModuleOp module) {
  MLIRContext *context = module.getContext();
  ConversionTarget target(*context);
  // Every other math op keeps its exact LLVM intrinsic; only these two
  // leave the dialect here.
  target.addLegalDialect<arith::ArithDialect, func::FuncDialect,
                         math::MathDialect>();
  target.addIllegalOp<math::ExpM1Op, math::Log1pOp>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(context);
  populateMathToLibmConversionPatterns(patterns);
  return applyPartialConversion(module, target, std::move(patterns));
}

/// Converts the standard dialects in `module` to the LLVM dialect.
static LogicalResult lowerStandardToLLVM(ModuleOp module,
                                         bool barePtrMemrefCallConv) {
  MLIRContext *context = module.getContext();
  LowerToLLVMOptions options(context);
  options.useBarePtrCallConv = barePtrMemrefCallConv;
  LLVMTypeConverter typeConverter(context, options);

  RewritePatternSet patterns(context);
  populateSCFToControlFlowConversionPatterns(patterns);
  arith::populateArithToLLVMConversionPatterns(typeConverter, patterns);
  populateMathToLLVMConversionPatterns(typeConverter, patterns);
  populateFinalizeMemRefToLLVMConversionPatterns(typeConverter, patterns);
  cf::populateControlFlowToLLVMConversionPatterns(typeConverter, patterns);
  populateFuncToLLVMConversionPatterns(typeConverter, patterns);

  LLVMConversionTarget target(*context);
  target.addLegalOp<ModuleOp>();
  return applyFullConversion(module, target, std::move(patterns));
}

namespace {
struct ConvertEVToLLVMPass
    : public snnc::impl::ConvertEVToLLVMBase<ConvertEVToLLVMPass> {
  using ConvertEVToLLVMBase::ConvertEVToLLVMBase;

  void runOnOperation() override;
};
} // namespace

void ConvertEVToLLVMPass::runOnOperation() {
  ModuleOp module = getOperation();

  // Count the ops by kind before they disappear.
  module.walk([&](Operation *op) {
    if (isa<ev::PropagatorOp>(op))
      ++numPropagators;
    else if (isa<ev::CrossingOp>(op))
      ++numCrossings;
    else if (isa<ev::FanoutOp, ev::AccumulateOp>(op))
      ++numLoops;
  });

  // Stage one: ev to arith, math, scf and memref with folded constants.
  if (failed(lowerEVToStandard(module)))
    return signalPassFailure();
  LLVM_DEBUG(llvm::dbgs() << "after ev to standard:\n" << module << "\n");
  if (stdOnly)
    return;

  // Stage two: keep expm1 and log1p exact by calling libm.
  if (failed(lowerPrecisionCriticalMathToLibm(module)))
    return signalPassFailure();

  // Stage three: everything to the LLVM dialect.
  if (failed(lowerStandardToLLVM(module, barePtrMemrefCallConv)))
    return signalPassFailure();

  // Stage four: drop the casts the type conversions left back to back.
  OpPassManager reconcile(ModuleOp::getOperationName());
  reconcile.addPass(createReconcileUnrealizedCastsPass());
  if (failed(runPipeline(reconcile, module)))
    return signalPassFailure();
}
