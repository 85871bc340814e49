//===- NIROptions.h - Command-line options of the NIR importer --*- C++ -*-===//
//
// The `--nir-*` flags shared by every tool that reads NIR files
// (`snn-translate --import-nir` and each `snnc` command), so that one import
// means the same thing everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef SNNC_NIR_NIROPTIONS_H
#define SNNC_NIR_NIROPTIONS_H

#include "snnc/NIR/NIR.h"

#include "mlir/Support/LogicalResult.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace snnc {

/// Registers the `--nir-*` flags for the top level and every subcommand.
/// Call before parsing the command line.
void registerNIRCommandLineOptions();

/// The import options the command line asked for; emits an error and fails
/// for values out of range.
mlir::FailureOr<NIRImportOptions>
getNIRImportOptionsFromCommandLine(mlir::MLIRContext *context);

} // namespace snnc

#endif // SNNC_NIR_NIROPTIONS_H
