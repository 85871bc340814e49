//===- SNNDialectTest.cpp - The snn dialect through its C++ API -----------===//

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace mlir;
using namespace snnc::snn;

namespace {

class SNNDialectTest : public ::testing::Test {
protected:
  SNNDialectTest() : builder(&context) {
    context.loadDialect<SNNDialect>();
    // Diagnostics are expected in the negative tests; keep them quiet.
    context.getDiagEngine().registerHandler([](Diagnostic &) {});
  }

  /// A 2 -> 3 network built through the C++ API.
  OwningOpRef<ModuleOp> buildNetwork(ArrayRef<double> weights,
                                     double tauMem = 20.0) {
    Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    auto network = builder.create<NetworkOp>(loc, "net", 40.0);
    builder.setInsertionPointToEnd(&network.getBody().front());

    auto source = builder.create<SourceOp>(loc, SourceType::get(&context, 2),
                                           builder.getStringAttr("in"));
    auto hidden = builder.create<LIFOp>(
        loc, LIFType::get(&context, 3), builder.getStringAttr("hid"),
        builder.getF64FloatAttr(tauMem), builder.getF64FloatAttr(5.0),
        builder.getF64FloatAttr(1.0), builder.getF64FloatAttr(0.0),
        builder.getF64FloatAttr(0.0),
        LearnFlagsAttr::get(&context, LearnFlags::threshold));
    auto weightType = RankedTensorType::get({3, 2}, builder.getF64Type());
    builder.create<ProjectOp>(
        loc, builder.getStringAttr("in_hid"), source.getOutput(),
        hidden.getOutput(), DenseElementsAttr::get(weightType, weights),
        /*delay=*/nullptr,
        LearnFlagsAttr::get(&context, LearnFlags::weight | LearnFlags::delay));
    builder.create<TTFSLossOp>(
        loc, hidden.getOutput(), builder.getF64FloatAttr(0.5),
        builder.getF64FloatAttr(6.4), builder.getF64FloatAttr(3e-3));
    return module;
  }

  MLIRContext context;
  OpBuilder builder;
};

TEST_F(SNNDialectTest, builtNetworkVerifiesAndExposesItsParameters) {
  OwningOpRef<ModuleOp> module = buildNetwork({1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(succeeded(verify(*module)));

  auto network = *module->getOps<NetworkOp>().begin();
  auto projection = *network.getBody().getOps<ProjectOp>().begin();
  EXPECT_EQ(projection.getPreSize(), 2);
  EXPECT_EQ(projection.getPostSize(), 3);
  EXPECT_TRUE(projection.learnsWeight());
  EXPECT_TRUE(projection.learnsDelay());
  EXPECT_FALSE(projection.isRecurrent());

  SmallVector<double> weights;
  ASSERT_TRUE(succeeded(getF64Values(projection.getWeight(), weights)));
  EXPECT_EQ(weights, (SmallVector<double>{1, 2, 3, 4, 5, 6}));

  auto lif = *network.getBody().getOps<LIFOp>().begin();
  EXPECT_TRUE(lif.learnsThreshold());
  EXPECT_EQ(lif.getThresholdValues(), (SmallVector<double>{1, 1, 1}));
  EXPECT_NE(network.getLoss(), nullptr);
}

TEST_F(SNNDialectTest, verifierRejectsNaNWeightAndBadTimeConstant) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(failed(verify(*buildNetwork({1, 2, nan, 4, 5, 6}))));
  EXPECT_TRUE(failed(verify(*buildNetwork({1, 2, 3, 4, 5, 6}, -1.0))));
}

TEST_F(SNNDialectTest, printedModelParsesBackBitExactly) {
  // Values whose shortest decimal forms are long, plus a subnormal: the
  // printer must keep every bit of a trained model.
  SmallVector<double> weights = {0.1,       1.0 / 3.0, std::nextafter(1.0, 2.0),
                                 -2.5e-300, 4.9e-324,  123456.789};
  OwningOpRef<ModuleOp> module = buildNetwork(weights);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);

  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(parsed);
  auto network = *parsed->getOps<NetworkOp>().begin();
  auto projection = *network.getBody().getOps<ProjectOp>().begin();
  SmallVector<double> roundTrip;
  ASSERT_TRUE(succeeded(getF64Values(projection.getWeight(), roundTrip)));
  ASSERT_EQ(roundTrip.size(), weights.size());
  for (size_t i = 0; i < weights.size(); ++i)
    EXPECT_EQ(std::memcmp(&roundTrip[i], &weights[i], sizeof(double)), 0)
        << "weight " << i << " changed from " << weights[i] << " to "
        << roundTrip[i];
}

TEST_F(SNNDialectTest, resourceBlobValuesAreRead) {
  const char *text = R"mlir(
    snn.network @n duration(10.0) {
      %in = snn.source "in" : !snn.source<1>
      %p = snn.lif "p" tau_mem(20.0) tau_syn(5.0) threshold(1.0)
          : !snn.lif<2>
      snn.project "in_p" %in -> %p
          weight(dense_resource<w> : tensor<2x1xf64>)
          : !snn.source<1> -> !snn.lif<2>
    }
    {-# dialect_resources: { builtin: {
      w: "0x08000000000000000000F83F000000000000E0BF"
    } } #-}
  )mlir";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(module);
  auto network = *module->getOps<NetworkOp>().begin();
  auto projection = *network.getBody().getOps<ProjectOp>().begin();
  SmallVector<double> weights;
  ASSERT_TRUE(succeeded(getF64Values(projection.getWeight(), weights)));
  EXPECT_EQ(weights, (SmallVector<double>{1.5, -0.5}));
}

TEST_F(SNNDialectTest, scalarDelayExpandsToEverySynapse) {
  SmallVector<double> values;
  ASSERT_TRUE(succeeded(
      getScalarOrTensorValues(builder.getF64FloatAttr(2.5), 4, values)));
  EXPECT_EQ(values, (SmallVector<double>{2.5, 2.5, 2.5, 2.5}));
}

} // namespace
