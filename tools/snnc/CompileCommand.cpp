//===- CompileCommand.cpp - snnc compile ----------------------------------===//
//
// Lowers a model to the LLVM dialect with the CPU lowering pipeline and
// writes it as MLIR, LLVM IR text or a native object file, which a C or C++
// program links and calls through the kernel ABI (docs/kernels.md). With
// `--target ncore` it maps the model onto a neuromorphic chip instead and
// writes its core image (docs/ncore.md) for `snnc run`.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "snnc/Conversion/Passes.h"
#include "snnc/Driver/Model.h"
#include "snnc/InitAll.h"
#include "snnc/Target/CPU/Kernels.h"
#include "snnc/Target/NCore/Image.h"
#include "snnc/Target/NCore/Passes.h"

#include "runtime/NCoreImage.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace snnc;
using namespace snnc::driver;
namespace cl = llvm::cl;

cl::SubCommand
    snnc::driver::compileCommand("compile",
                                 "Lower a model for the CPU (MLIR, LLVM IR "
                                 "or an object file) or map it onto an "
                                 "ncore chip (a core image)");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::sub(compileCommand));
static cl::opt<std::string>
    emitKind("emit", cl::init("obj"),
             cl::desc("What to write: mlir (the LLVM dialect module), llvm "
                      "(LLVM IR text) or obj (a native object file)"),
             cl::value_desc("mlir|llvm|obj"), cl::sub(compileCommand));
static cl::opt<std::string>
    outputPath("o", cl::init("-"), cl::desc("Output file (default: stdout)"),
               cl::value_desc("file"), cl::sub(compileCommand));
static cl::opt<unsigned>
    optLevel("opt-level", cl::init(3),
             cl::desc("LLVM optimisation level 0-3 for llvm and obj"),
             cl::sub(compileCommand));
static cl::opt<std::string>
    targetTriple("triple",
                 cl::desc("Target triple for llvm and obj "
                          "(default: the host)"),
                 cl::sub(compileCommand));
static cl::opt<std::string>
    targetCPU("mcpu",
              cl::desc("Target CPU for llvm and obj (default: the "
                       "host's, with its features)"),
              cl::sub(compileCommand));

static cl::opt<std::string>
    target("target", cl::init("cpu"),
           cl::desc("What to compile for: cpu (kernels, see --emit) or "
                    "ncore (a core image for the core simulator)"),
           cl::value_desc("cpu|ncore"), cl::sub(compileCommand));
static cl::opt<std::string> ncoreTarget(
    "ncore-target", cl::init("loihi"),
    cl::desc("The chip for --target ncore: a preset (loihi, small) or a "
             "#ncore.target<...> attribute (default loihi)"),
    cl::sub(compileCommand));
static cl::opt<bool> ncoreEmitMLIR(
    "emit-ncore-mlir",
    cl::desc("With --target ncore, write the ncore dialect instead of the "
             "image"),
    cl::sub(compileCommand));

namespace {
enum class EmitKind { MLIR, LLVMIR, Object };
} // namespace

/// Writes `bytes` to the output file; a failure leaves no file behind.
static int writeOutput(llvm::StringRef bytes) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &error);
  if (!output)
    return fail(error);
  output->os() << bytes;
  output->os().flush();
  if (output->os().has_error()) {
    std::string message = output->os().error().message();
    output->os().clear_error();
    return fail("cannot write '" + outputPath + "': " + message);
  }
  output->keep();
  return 0;
}

/// `snnc compile --target ncore`: the ncore lowering pipeline, then the
/// core image of the chip it built.
static int compileForNCore() {
  if (!ncoreEmitMLIR && outputPath == "-" &&
      llvm::sys::Process::StandardOutIsDisplayed())
    return fail("not writing a core image to a terminal; use -o FILE");
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  // The mapping passes report through remarks; the op itself is noise.
  context.printOpOnDiagnostic(false);
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(modelPath, context);
  if (!module)
    return 1;

  mlir::PassManager pm(&context);
  buildNCoreLoweringPipeline(pm, ncoreTarget);
  if (mlir::failed(pm.run(*module)))
    return fail("cannot map '" + modelPath + "' onto the ncore target");
  if (ncoreEmitMLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return writeOutput(text);
  }
  mlir::FailureOr<runtime::NCoreImage> image =
      ncore::buildImageOfOnlyChip(*module);
  if (mlir::failed(image))
    return 1;
  std::vector<uint8_t> bytes = runtime::writeNCoreImage(*image);
  return writeOutput(llvm::StringRef(
      reinterpret_cast<const char *>(bytes.data()), bytes.size()));
}

int snnc::driver::runCompile() {
  if (target == "ncore")
    return compileForNCore();
  if (target != "cpu")
    return fail("unknown --target '" + target + "'; expected cpu or ncore");

  // Check the options before any work.
  std::optional<EmitKind> kind =
      llvm::StringSwitch<std::optional<EmitKind>>(emitKind)
          .Case("mlir", EmitKind::MLIR)
          .Case("llvm", EmitKind::LLVMIR)
          .Case("obj", EmitKind::Object)
          .Default(std::nullopt);
  if (!kind)
    return fail("unknown --emit kind '" + emitKind +
                "'; expected mlir, llvm or obj");
  if (optLevel > 3)
    return fail("--opt-level must be 0 to 3, got " +
                llvm::Twine(optLevel.getValue()));
  if (*kind == EmitKind::Object && outputPath == "-" &&
      llvm::sys::Process::StandardOutIsDisplayed())
    return fail("not writing an object file to a terminal; use -o FILE");

  // Parse with every dialect a model or its kernels may use.
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  cpu::registerTranslations(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(modelPath, context);
  if (!module)
    return 1;

  // Lower to the LLVM dialect; the pass diagnostics say what failed.
  mlir::PassManager pm(&context);
  buildCPULoweringPipeline(pm);
  if (mlir::failed(pm.run(*module)))
    return fail("cannot lower '" + modelPath + "' for the CPU");

  // Produce the whole output in memory, so that a failure leaves no file.
  std::string text;
  llvm::SmallVector<char, 0> bytes;
  cpu::AOTOptions options;
  options.optLevel = optLevel;
  options.triple = targetTriple;
  options.cpu = targetCPU;
  if (*kind == EmitKind::MLIR) {
    llvm::raw_string_ostream os(text);
    module->print(os);
  } else if (*kind == EmitKind::LLVMIR) {
    llvm::Expected<std::string> ir = cpu::emitLLVMIR(*module, options);
    if (!ir)
      return fail(modelPath + ": " + llvm::toString(ir.takeError()));
    text = std::move(*ir);
  } else {
    auto object = cpu::emitObjectFile(*module, options);
    if (!object)
      return fail(modelPath + ": " + llvm::toString(object.takeError()));
    bytes = std::move(*object);
  }

  // Write it.
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &error);
  if (!output)
    return fail(error);
  if (*kind == EmitKind::Object)
    output->os().write(bytes.data(), bytes.size());
  else
    output->os() << text;
  output->os().flush();
  if (output->os().has_error()) {
    std::string message = output->os().error().message();
    output->os().clear_error();
    return fail("cannot write '" + outputPath + "': " + message);
  }
  output->keep();
  return 0;
}
