//===- InitAll.h - Register every snnc dialect and pass ---------*- C++ -*-===//

#ifndef SNNC_INITALL_H
#define SNNC_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace snnc {

/// Adds the snnc dialects and the upstream dialects its lowerings target.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every snnc pass and pipeline with the global pass registry.
void registerAllPasses();

} // namespace snnc

#endif // SNNC_INITALL_H
