//===- Mapping.h - What the ncore passes share ---------------------*- C++
//-*-===//
//
// The attributes snn-partition, snn-place and snn-quantize leave on an
// snn.network for convert-snn-to-ncore, and the network facts they all
// compute: populations in network order and the synapses into each.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_LIB_TARGET_NCORE_MAPPING_H
#define SNNC_LIB_TARGET_NCORE_MAPPING_H

#include "dialects/NCore/NCoreOps.h"
#include "dialects/SNN/SNNOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace snnc::ncore {

// On the network.
constexpr llvm::StringLiteral kTargetAttr = "ncore.target";
// On populations.
constexpr llvm::StringLiteral kBlocksAttr = "ncore.blocks";
constexpr llvm::StringLiteral kCoresAttr = "ncore.cores";
constexpr llvm::StringLiteral kStateLsbAttr = "ncore.state_lsb";
constexpr llvm::StringLiteral kThresholdAttr = "ncore.threshold";
constexpr llvm::StringLiteral kResetAttr = "ncore.reset";
constexpr llvm::StringLiteral kRefractoryAttr = "ncore.refractory";
// On projections.
constexpr llvm::StringLiteral kWeightsAttr = "ncore.weights";
constexpr llvm::StringLiteral kScaleAttr = "ncore.scale";
constexpr llvm::StringLiteral kDelaysAttr = "ncore.delays";

/// One population of a network as the mapping sees it.
struct PopulationInfo {
  mlir::Operation *op = nullptr;
  mlir::Value value;
  llvm::StringRef name;
  int64_t size = 0;
  NeuronKind kind = NeuronKind::source;
  /// Projections into and out of it.
  llvm::SmallVector<snn::ProjectOp> incoming;
  llvm::SmallVector<snn::ProjectOp> outgoing;
};

/// The populations of `network` in the order they are defined.
llvm::SmallVector<PopulationInfo> collectPopulations(snn::NetworkOp network);

/// Index in `populations` of the population whose value is `value`.
int64_t findPopulation(llvm::ArrayRef<PopulationInfo> populations,
                       mlir::Value value);

/// Whether a projection has any nonzero delay.
bool hasDelays(snn::ProjectOp project);

/// Synapse memory one neuron of `population` needs on the target.
int64_t synapseBytesPerNeuron(const PopulationInfo &population,
                              const runtime::NCoreTarget &target);

/// The target the network was partitioned for; emits an error naming the
/// missing step and fails when there is none.
mlir::FailureOr<TargetAttr> getNetworkTarget(snn::NetworkOp network,
                                             llvm::StringRef pass);

/// The integer array attribute `name` of `op`, or an error naming the pass
/// that should have written it.
mlir::FailureOr<llvm::ArrayRef<int64_t>> getMappingArray(mlir::Operation *op,
                                                         llvm::StringRef name,
                                                         llvm::StringRef pass);

} // namespace snnc::ncore

#endif // SNNC_LIB_TARGET_NCORE_MAPPING_H
