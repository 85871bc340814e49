//===- snn-translate.cpp - Translations into and out of snnc IR -----------===//
//
// `--import-nir` reads a NIR file (HDF5) into an `snn.network`;
// `--export-nir` writes an `snn.network` as a NIR file. The NIR options
// below decide what NIR leaves open; docs/nir.md documents them.
// `--ncore-to-image` writes an `ncore.chip` as a core image and
// `--image-to-json` dumps one (docs/ncore.md).
//
//===----------------------------------------------------------------------===//

#include "snnc/InitAll.h"
#include "snnc/NIR/NIR.h"
#include "snnc/NIR/NIROptions.h"
#include "snnc/Target/NCore/Image.h"

#include "runtime/NCoreImage.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace snnc;

static llvm::cl::OptionCategory nirCategory("NIR options");

static llvm::cl::opt<std::string> nirNetwork(
    "nir-network",
    llvm::cl::desc("Import: name of the network (default: the file's "
                   "stem). Export: the network to write (default: the only "
                   "one)"),
    llvm::cl::init(""), llvm::cl::cat(nirCategory));

/// Checks the numeric options, which the importer takes as given.
static void registerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
}

static OwningOpRef<Operation *> importFromSource(llvm::SourceMgr &sourceMgr,
                                                 MLIRContext *context) {
  FailureOr<NIRImportOptions> options =
      getNIRImportOptionsFromCommandLine(context);
  if (failed(options))
    return nullptr;
  options->networkName = nirNetwork;
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  OwningOpRef<ModuleOp> module =
      importNIR(buffer->getMemBufferRef(), context, *options);
  if (!module)
    return nullptr;
  return OwningOpRef<Operation *>(module.release());
}

static LogicalResult exportToStream(Operation *op, llvm::raw_ostream &os) {
  llvm::SmallVector<snn::NetworkOp> networks;
  op->walk([&](snn::NetworkOp network) {
    if (nirNetwork.empty() || network.getSymName() == nirNetwork)
      networks.push_back(network);
  });
  if (networks.size() == 1)
    return exportNIR(networks.front(), os);
  if (networks.empty())
    return op->emitError() << "no snn.network"
                           << (nirNetwork.empty() ? "" : " named @")
                           << nirNetwork << " to export";
  return op->emitError() << networks.size()
                         << " snn.network ops; name the one to export with "
                            "--nir-network";
}

static LogicalResult writeImage(Operation *op, llvm::raw_ostream &os) {
  FailureOr<runtime::NCoreImage> image = ncore::buildImageOfOnlyChip(op);
  if (failed(image))
    return failure();
  std::vector<uint8_t> bytes = runtime::writeNCoreImage(*image);
  os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return success();
}

static LogicalResult dumpImage(const std::shared_ptr<llvm::SourceMgr> &sources,
                               llvm::raw_ostream &os, MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sources->getMemoryBuffer(sources->getMainFileID());
  runtime::NCoreImage image;
  std::string error;
  if (!runtime::readNCoreImage(
          reinterpret_cast<const uint8_t *>(buffer->getBufferStart()),
          buffer->getBufferSize(), image, error))
    return emitError(UnknownLoc::get(context))
           << buffer->getBufferIdentifier() << ": " << error;
  os << runtime::ncoreImageToJson(image);
  return success();
}

int main(int argc, char **argv) {
  registerNIRCommandLineOptions();
  TranslateToMLIRRegistration importRegistration(
      "import-nir", "read a NIR file (HDF5) into the snn dialect",
      importFromSource, registerDialects);
  TranslateFromMLIRRegistration exportRegistration(
      "export-nir", "write an snn network as a NIR file (HDF5)", exportToStream,
      registerDialects);
  TranslateFromMLIRRegistration imageRegistration(
      "ncore-to-image", "write an ncore.chip as a core image", writeImage,
      registerDialects);
  TranslateRegistration jsonRegistration(
      "image-to-json", "dump a core image as JSON", dumpImage);
  return failed(mlirTranslateMain(argc, argv, "snnc translation driver\n"));
}
