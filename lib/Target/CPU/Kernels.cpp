//===- Kernels.cpp - JIT and ahead-of-time compilation of kernels ---------===//

#include "snnc/Target/CPU/Kernels.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <mutex>

using namespace mlir;
using namespace snnc;
using namespace snnc::cpu;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The LLVM code generation level for an optimisation level 0-3.
static llvm::CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

void cpu::initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

/// Registers every target libLLVM was built with, once per process.
static void initializeAllTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

void cpu::registerTranslations(DialectRegistry &registry) {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

/// Makes sure the module's context can translate the LLVM dialect.
static void ensureTranslations(ModuleOp module) {
  DialectRegistry registry;
  registerTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);
}

//===----------------------------------------------------------------------===//
// JIT
//===----------------------------------------------------------------------===//

KernelLibrary::KernelLibrary(std::unique_ptr<ExecutionEngine> engine)
    : engine(std::move(engine)) {}

KernelLibrary::~KernelLibrary() = default;

llvm::Expected<std::unique_ptr<KernelLibrary>>
KernelLibrary::create(ModuleOp module, const JITOptions &options) {
  if (options.optLevel > 3)
    return makeError("optimisation level must be 0 to 3, got " +
                     llvm::Twine(options.optLevel));
  initializeNativeTarget();
  ensureTranslations(module);

  // The transformer runs the O<n> IR pipeline on the translated module
  // before code generation; the engine only borrows it.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                /*targetMachine=*/nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = codeGenLevel(options.optLevel);
  engineOptions.enableGDBNotificationListener = options.enableDebuggerListener;
  engineOptions.enablePerfNotificationListener = options.enablePerfListener;

  auto engine = ExecutionEngine::create(module, engineOptions);
  if (!engine)
    return makeError("cannot JIT-compile the module: " +
                     llvm::toString(engine.takeError()));
  return std::unique_ptr<KernelLibrary>(new KernelLibrary(std::move(*engine)));
}

llvm::Expected<void *> KernelLibrary::lookup(llvm::StringRef name) const {
  llvm::Expected<void *> address = engine->lookup(name);
  if (!address) {
    llvm::consumeError(address.takeError());
    return makeError("no function '" + name + "' in the compiled kernels");
  }
  return *address;
}

//===----------------------------------------------------------------------===//
// Ahead of time
//===----------------------------------------------------------------------===//

/// A target machine for the triple and CPU of `options` (the host when they
/// are empty) producing position-independent code.
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const AOTOptions &options) {
  initializeNativeTarget();
  std::optional<llvm::orc::JITTargetMachineBuilder> builder;
  if (options.triple.empty()) {
    auto host = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!host)
      return makeError("cannot describe the host: " +
                       llvm::toString(host.takeError()));
    builder.emplace(std::move(*host));
  } else {
    // Another architecture needs its target registered too.
    initializeAllTargets();
    builder.emplace(llvm::Triple(options.triple));
  }
  if (!options.cpu.empty()) {
    // The named CPU brings its own features; the host's may not apply.
    builder->setCPU(options.cpu);
    builder->getFeatures() = llvm::SubtargetFeatures();
  }
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(codeGenLevel(options.optLevel));
  auto machine = builder->createTargetMachine();
  if (!machine)
    return makeError("cannot create a target machine for '" +
                     builder->getTargetTriple().str() +
                     "': " + llvm::toString(machine.takeError()));
  return std::move(*machine);
}

/// Translates `module` to LLVM IR in `llvmContext` for `machine` and runs
/// the IR optimisation pipeline of `optLevel` on it.
static llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                     llvm::TargetMachine &machine, unsigned optLevel) {
  if (optLevel > 3)
    return makeError("optimisation level must be 0 to 3, got " +
                     llvm::Twine(optLevel));
  ensureTranslations(module);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return makeError("cannot translate the module to LLVM IR; is it in the "
                     "LLVM dialect?");
  ExecutionEngine::setupTargetTripleAndDataLayout(llvmModule.get(), &machine);

  auto optimize =
      makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &machine);
  if (llvm::Error error = optimize(llvmModule.get()))
    return makeError("cannot optimise the LLVM IR: " +
                     llvm::toString(std::move(error)));
  return std::move(llvmModule);
}

llvm::Expected<std::string> cpu::emitLLVMIR(ModuleOp module,
                                            const AOTOptions &options) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateAndOptimize(module, llvmContext, **machine, options.optLevel);
  if (!llvmModule)
    return llvmModule.takeError();

  std::string text;
  llvm::raw_string_ostream os(text);
  (*llvmModule)->print(os, /*AAW=*/nullptr);
  os.flush();
  return text;
}

llvm::Expected<llvm::SmallVector<char, 0>>
cpu::emitObjectFile(ModuleOp module, const AOTOptions &options) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateAndOptimize(module, llvmContext, **machine, options.optLevel);
  if (!llvmModule)
    return llvmModule.takeError();

  // Code generation still runs on the legacy pass manager.
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, os, /*DwoOut=*/nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit object files");
  codegen.run(**llvmModule);
  return bytes;
}
