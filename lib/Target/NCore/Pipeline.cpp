//===- Pipeline.cpp - The snn-lower-to-ncore pipeline ---------------------===//
//
// `snn-opt --snn-lower-to-ncore` and `snnc compile --target ncore` run the
// same function, so the two never drift apart.
//
//===----------------------------------------------------------------------===//

#include "snnc/Target/NCore/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace {
struct NCoreLoweringOptions : public PassPipelineOptions<NCoreLoweringOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Target chip: a preset name or a #ncore.target<...> "
                     "attribute (default loihi)"),
      llvm::cl::init("loihi")};
};
} // namespace

void snnc::buildNCoreLoweringPipeline(OpPassManager &pm,
                                      const std::string &target) {
  SNNPartitionOptions partition;
  partition.target = target;
  pm.addNestedPass<snn::NetworkOp>(createSNNPartition(partition));
  pm.addNestedPass<snn::NetworkOp>(createSNNPlace());
  pm.addNestedPass<snn::NetworkOp>(createSNNQuantize());
  pm.addPass(createConvertSNNToNCore());
  pm.addNestedPass<ncore::ChipOp>(createNCoreCheckResources());
}

void snnc::registerNCorePasses() {
  registerSNNCNCorePasses();
  PassPipelineRegistration<NCoreLoweringOptions>(
      "snn-lower-to-ncore",
      "Partition, place and quantize networks and map them onto an ncore "
      "chip",
      [](OpPassManager &pm, const NCoreLoweringOptions &options) {
        buildNCoreLoweringPipeline(pm, options.target);
      });
}
