//===- KernelsTest.cpp - Compiled ev kernels against the runtime ----------===//
//
// Hand-written kernels in the ABI of convert-snn-to-ev are lowered with
// snn-lower-to-cpu, JIT-compiled at O3 and called through plain function
// pointers; their results must match the runtime's reference implementation
// (propagatorFor, thresholdCrossingOffset) on many random states.
//
//===----------------------------------------------------------------------===//

#include "snnc/Target/CPU/Kernels.h"
#include "snnc/Conversion/Passes.h"
#include "snnc/InitAll.h"

#include "runtime/Crossing.h"
#include "runtime/LIFDynamics.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace snnc;

namespace {

constexpr int64_t kTargets = 7;
constexpr int64_t kSources = 5;

using PropagatorFn = void(double, double *);
using AdvanceFn = void(double *, double *, double);
using CrossingFn = double(double, double, double, double);
using AdjointJumpFn = double(double, double, double, double, double);
using FanoutFn = void(double *, int64_t, double *);
using WeightGradFn = void(double *, double *, int64_t);

/// The kernels of network @net for one population "hidden" of kTargets LIF
/// neurons and one projection "in_hidden" from kSources inputs, written as
/// convert-snn-to-ev will emit them.
std::string kernelSource(double tauMem, double tauSyn) {
  std::string source;
  llvm::raw_string_ostream os(source);
  auto tau = [&](double value) { return llvm::format("%.17e", value); };
  os << "func.func @net_hidden_propagator(%dt: f64, %out: memref<3xf64>) {\n"
     << "  %m, %s, %c = ev.propagator %dt tau_mem(" << tau(tauMem)
     << ") tau_syn(" << tau(tauSyn) << ") : f64\n"
     << R"mlir(
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  memref.store %m, %out[%c0] : memref<3xf64>
  memref.store %s, %out[%c1] : memref<3xf64>
  memref.store %c, %out[%c2] : memref<3xf64>
  return
}
func.func @net_hidden_advance(%v: memref<7xf64>, %i: memref<7xf64>,
                              %dt: f64) {
)mlir"
     << "  %m, %s, %c = ev.propagator %dt tau_mem(" << tau(tauMem)
     << ") tau_syn(" << tau(tauSyn) << ") : f64\n"
     << R"mlir(
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 7 : index
  scf.for %j = %c0 to %n step %c1 {
    %vj = memref.load %v[%j] : memref<7xf64>
    %ij = memref.load %i[%j] : memref<7xf64>
    %decayed = arith.mulf %m, %vj : f64
    %coupled = arith.mulf %c, %ij : f64
    %vn = arith.addf %decayed, %coupled : f64
    %in = arith.mulf %s, %ij : f64
    memref.store %vn, %v[%j] : memref<7xf64>
    memref.store %in, %i[%j] : memref<7xf64>
  }
  return
}
func.func @net_hidden_crossing(%v: f64, %i: f64, %theta: f64,
                               %horizon: f64) -> f64 {
)mlir"
     << "  %t = ev.crossing %v, %i, %theta, %horizon tau_mem(" << tau(tauMem)
     << ") tau_syn(" << tau(tauSyn) << ") : f64\n"
     << R"mlir(
  return %t : f64
}
func.func @net_hidden_adjoint_jump(%after: f64, %current: f64, %theta: f64,
                                   %fanout: f64, %dldt: f64) -> f64 {
  %reset = arith.constant 0.0 : f64
  %before = ev.adjoint_jump %after, %current, %theta, %reset, %fanout, %dldt
      : f64
  return %before : f64
}
func.func @net_in_hidden_fanout(%w: memref<7x5xf64>, %pre: index,
                                %current: memref<7xf64>) {
  ev.fanout %w[%pre] into %current : memref<7x5xf64>, memref<7xf64>
  return
}
func.func @net_in_hidden_weight_grad(%lambda_i: memref<7xf64>,
                                     %grad: memref<7x5xf64>, %pre: index) {
)mlir"
     << "  %scale = arith.constant " << tau(-tauSyn) << " : f64\n"
     << R"mlir(
  ev.accumulate %lambda_i scale(%scale) into %grad[%pre]
      : memref<7xf64>, memref<7x5xf64>
  return
}
)mlir";
  return source;
}

/// Parses and lowers the kernels of one pair of time constants.
mlir::OwningOpRef<mlir::ModuleOp> lowerKernels(mlir::MLIRContext &context,
                                               double tauMem, double tauSyn) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kernelSource(tauMem, tauSyn),
                                              &context);
  if (!module)
    return nullptr;
  mlir::PassManager pm(&context);
  buildCPULoweringPipeline(pm);
  if (mlir::failed(pm.run(*module)))
    return nullptr;
  return module;
}

/// |actual - expected| / |expected|, 0 when both are equal (also both
/// infinite), +inf when only one is not a number.
double relativeError(double actual, double expected) {
  if (actual == expected || (std::isnan(actual) && std::isnan(expected)))
    return 0.0;
  if (expected == 0.0 || !std::isfinite(expected))
    return std::numeric_limits<double>::infinity();
  return std::fabs(actual - expected) / std::fabs(expected);
}

struct TimeConstants {
  double tauMem;
  double tauSyn;
};

std::string describe(const testing::TestParamInfo<TimeConstants> &info) {
  static const char *names[] = {"Mem20Syn5", "Equal10", "NearlyEqual10",
                                "Mem5Syn20"};
  return names[info.index];
}

class KernelsTest : public testing::TestWithParam<TimeConstants> {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    cpu::registerTranslations(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();

    constants =
        runtime::LIFConstants::make(GetParam().tauMem, GetParam().tauSyn);
    module = lowerKernels(context, GetParam().tauMem, GetParam().tauSyn);
    ASSERT_TRUE(module) << "the kernels do not lower";
    auto compiled = cpu::KernelLibrary::create(*module);
    ASSERT_TRUE(static_cast<bool>(compiled))
        << llvm::toString(compiled.takeError());
    library = std::move(*compiled);
  }

  template <typename Signature> Signature *kernel(llvm::StringRef name) {
    auto function = library->lookupFunction<Signature>(name);
    if (!function) {
      ADD_FAILURE() << llvm::toString(function.takeError());
      return nullptr;
    }
    return *function;
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<cpu::KernelLibrary> library;
  runtime::LIFConstants constants;
  std::mt19937_64 random{20240611};
};

TEST_P(KernelsTest, PropagatorMatchesRuntime) {
  auto *propagator = kernel<PropagatorFn>("net_hidden_propagator");
  ASSERT_NE(propagator, nullptr);

  // Intervals over 13 decades, and the special ones: zero, the boundary of
  // the expm1 form, and far beyond every time constant.
  std::vector<double> intervals = {0.0,  1e-300, 1e-12, 1.0, 5.0,
                                   10.0, 20.0,   1e3,   1e5};
  if (constants.rateGap != 0.0)
    intervals.push_back(std::fabs(1.0 / constants.rateGap));
  std::uniform_real_distribution<double> exponent(-9.0, 3.0);
  for (int sample = 0; sample < 20000; ++sample)
    intervals.push_back(std::pow(10.0, exponent(random)));

  double maxError = 0;
  for (double elapsed : intervals) {
    double out[3] = {};
    propagator(elapsed, out);
    runtime::Propagator expected = runtime::propagatorFor(constants, elapsed);
    double error = std::max({relativeError(out[0], expected.memDecay),
                             relativeError(out[1], expected.synDecay),
                             relativeError(out[2], expected.coupling)});
    maxError = std::max(maxError, error);
    ASSERT_LE(error, 1e-14)
        << "elapsed " << elapsed << " ms: got (" << out[0] << ", " << out[1]
        << ", " << out[2] << "), expected (" << expected.memDecay << ", "
        << expected.synDecay << ", " << expected.coupling << ")";
  }
  RecordProperty("max_relative_error", std::to_string(maxError));
  std::printf("propagator: %zu intervals, max relative error %.3g\n",
              intervals.size(), maxError);
}

TEST_P(KernelsTest, AdvanceMatchesRuntime) {
  auto *advance = kernel<AdvanceFn>("net_hidden_advance");
  ASSERT_NE(advance, nullptr);

  std::uniform_real_distribution<double> state(-2.0, 3.0);
  std::uniform_real_distribution<double> interval(0.0, 40.0);
  for (int sample = 0; sample < 1000; ++sample) {
    double v[kTargets], i[kTargets], expectedV[kTargets], expectedI[kTargets];
    for (int64_t j = 0; j < kTargets; ++j) {
      v[j] = state(random);
      i[j] = state(random);
    }
    double elapsed = interval(random);
    runtime::Propagator expected = runtime::propagatorFor(constants, elapsed);
    for (int64_t j = 0; j < kTargets; ++j) {
      expectedV[j] = expected.memDecay * v[j] + expected.coupling * i[j];
      expectedI[j] = expected.synDecay * i[j];
    }
    advance(v, i, elapsed);
    for (int64_t j = 0; j < kTargets; ++j) {
      ASSERT_LE(relativeError(v[j], expectedV[j]), 1e-14) << "neuron " << j;
      ASSERT_LE(relativeError(i[j], expectedI[j]), 1e-14) << "neuron " << j;
    }
  }
}

TEST_P(KernelsTest, CrossingMatchesRuntime) {
  auto *crossing = kernel<CrossingFn>("net_hidden_crossing");
  ASSERT_NE(crossing, nullptr);

  // States on every side of the threshold: rising, falling, through a
  // minimum, grazing it, already above it; finite and infinite horizons.
  std::uniform_real_distribution<double> voltage(-1.5, 1.2);
  std::uniform_real_distribution<double> current(-3.0, 6.0);
  std::uniform_real_distribution<double> horizonMs(0.0, 60.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double threshold = 1.0;
  const double infinity = std::numeric_limits<double>::infinity();

  int crossings = 0;
  int samples = 0;
  double maxError = 0;
  auto check = [&](double v, double i, double horizon) {
    double actual = crossing(v, i, threshold, horizon);
    double expected =
        runtime::thresholdCrossingOffset(constants, v, i, threshold, horizon);
    ++samples;
    if (std::isinf(expected)) {
      EXPECT_EQ(actual, expected)
          << "v " << v << " i " << i << " horizon " << horizon;
      return;
    }
    ++crossings;
    double error = std::fabs(actual - expected);
    maxError = std::max(maxError, error);
    EXPECT_LE(error, 1e-12) << "v " << v << " i " << i << " horizon " << horizon
                            << ": got " << actual << ", expected " << expected;
  };

  for (int sample = 0; sample < 20000; ++sample) {
    double v = voltage(random);
    double i = current(random);
    double horizon = unit(random) < 0.1 ? infinity : horizonMs(random);
    check(v, i, horizon);
  }
  // Near-grazing states: the peak of V sits within 1e-6 of the threshold.
  for (int sample = 0; sample < 2000; ++sample) {
    double i = 1.0 + 5.0 * unit(random);
    double v = 1.0 - 1e-6 * unit(random);
    check(v, i, 50.0);
    check(0.0, i * 0.5, 50.0);
  }
  // The special inputs: no current, at the threshold, zero horizon.
  check(0.5, 0.0, 10.0);
  check(1.0, 2.0, 10.0);
  check(0.2, 3.0, 0.0);
  check(-0.5, 4.0, infinity);

  EXPECT_GT(crossings, samples / 10) << "too few states cross to test much";
  std::printf("crossing: %d states, %d crossings, max error %.3g ms\n", samples,
              crossings, maxError);
}

TEST_P(KernelsTest, AdjointJumpMatchesFormula) {
  auto *jump = kernel<AdjointJumpFn>("net_hidden_adjoint_jump");
  ASSERT_NE(jump, nullptr);

  std::uniform_real_distribution<double> value(-2.0, 2.0);
  for (int sample = 0; sample < 1000; ++sample) {
    double after = value(random), current = 1.5 + value(random);
    double fanout = value(random), dldt = value(random);
    double threshold = 1.0;
    double expected =
        ((current - 0.0) * after + fanout + dldt) / (current - threshold);
    EXPECT_EQ(jump(after, current, threshold, fanout, dldt), expected);
  }
}

TEST_P(KernelsTest, FanoutAndWeightGradAreExact) {
  auto *fanout = kernel<FanoutFn>("net_in_hidden_fanout");
  auto *weightGrad = kernel<WeightGradFn>("net_in_hidden_weight_grad");
  ASSERT_NE(fanout, nullptr);
  ASSERT_NE(weightGrad, nullptr);

  std::uniform_real_distribution<double> value(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> source(0, kSources - 1);
  double weight[kTargets * kSources], grad[kTargets * kSources];
  double current[kTargets], lambdaI[kTargets];
  for (double &entry : weight)
    entry = value(random);
  for (double &entry : grad)
    entry = value(random);
  for (double &entry : current)
    entry = value(random);

  std::vector<double> expectedCurrent(current, current + kTargets);
  std::vector<double> expectedGrad(grad, grad + kTargets * kSources);
  for (int spike = 0; spike < 200; ++spike) {
    int64_t pre = source(random);
    for (double &entry : lambdaI)
      entry = value(random);
    for (int64_t j = 0; j < kTargets; ++j) {
      expectedCurrent[j] += weight[j * kSources + pre];
      expectedGrad[j * kSources + pre] += -constants.tauSynMs * lambdaI[j];
    }
    fanout(weight, pre, current);
    weightGrad(lambdaI, grad, pre);
  }
  for (int64_t j = 0; j < kTargets; ++j)
    EXPECT_EQ(current[j], expectedCurrent[j]) << "target " << j;
  for (int64_t k = 0; k < kTargets * kSources; ++k)
    EXPECT_EQ(grad[k], expectedGrad[k]) << "entry " << k;
}

TEST_P(KernelsTest, UnknownKernelIsAnError) {
  auto missing = library->lookup("net_hidden_nothing");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("net_hidden_nothing"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(TimeConstants, KernelsTest,
                         testing::Values(TimeConstants{20.0, 5.0},
                                         TimeConstants{10.0, 10.0},
                                         TimeConstants{10.0, 10.0 * (1 + 1e-9)},
                                         TimeConstants{5.0, 20.0}),
                         describe);

//===----------------------------------------------------------------------===//
// Ahead of time
//===----------------------------------------------------------------------===//

class AheadOfTimeTest : public testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    module = lowerKernels(context, 20.0, 5.0);
    ASSERT_TRUE(module);
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

constexpr const char *kKernelNames[] = {
    "net_hidden_propagator", "net_hidden_advance",
    "net_hidden_crossing",   "net_hidden_adjoint_jump",
    "net_in_hidden_fanout",  "net_in_hidden_weight_grad"};

TEST_F(AheadOfTimeTest, ObjectFileDefinesEveryKernel) {
  auto bytes = cpu::emitObjectFile(*module);
  ASSERT_TRUE(static_cast<bool>(bytes)) << llvm::toString(bytes.takeError());
  ASSERT_GT(bytes->size(), 4u);

  llvm::StringRef contents(bytes->data(), bytes->size());
  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(contents, "kernels.o"));
  ASSERT_TRUE(static_cast<bool>(object)) << llvm::toString(object.takeError());

  // Every kernel is a defined symbol; expm1 and log1p are left to libm.
  std::vector<std::string> defined, undefined;
  for (const llvm::object::SymbolRef &symbol : (*object)->symbols()) {
    auto name = symbol.getName();
    auto flags = symbol.getFlags();
    ASSERT_TRUE(static_cast<bool>(name) && static_cast<bool>(flags));
    if (*flags & llvm::object::SymbolRef::SF_Undefined)
      undefined.push_back(name->str());
    else
      defined.push_back(name->str());
  }
  for (const char *kernelName : kKernelNames)
    EXPECT_NE(std::find(defined.begin(), defined.end(), kernelName),
              defined.end())
        << kernelName << " is not defined in the object file";
  EXPECT_NE(std::find(undefined.begin(), undefined.end(), "expm1"),
            undefined.end());
}

TEST_F(AheadOfTimeTest, LLVMIRNamesEveryKernel) {
  auto text = cpu::emitLLVMIR(*module);
  ASSERT_TRUE(static_cast<bool>(text)) << llvm::toString(text.takeError());
  EXPECT_NE(text->find("define void @net_hidden_propagator(double"),
            std::string::npos);
  EXPECT_NE(text->find("define double @net_hidden_crossing(double"),
            std::string::npos);
  for (const char *kernelName : kKernelNames)
    EXPECT_NE(text->find(std::string("@") + kernelName), std::string::npos)
        << kernelName;
}

TEST_F(AheadOfTimeTest, BadOptionsAreErrors) {
  cpu::AOTOptions options;
  options.optLevel = 7;
  auto text = cpu::emitLLVMIR(*module, options);
  ASSERT_FALSE(static_cast<bool>(text));
  EXPECT_NE(llvm::toString(text.takeError()).find("optimisation level"),
            std::string::npos);

  options = {};
  options.triple = "nonsense-unknown-nowhere";
  auto bytes = cpu::emitObjectFile(*module, options);
  ASSERT_FALSE(static_cast<bool>(bytes));
  llvm::consumeError(bytes.takeError());
}

} // namespace
