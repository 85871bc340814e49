//===- Model.cpp - Loading models and moving them to the runtime ----------===//

#include "snnc/Driver/Model.h"
#include "snnc/Driver/CompiledKernels.h"

#include "snnc/NIR/NIROptions.h"

#include "dialects/SNN/SNNOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace snnc;

/// Prints every diagnostic of the driver's context, remarks included: the
/// NIR importer reports its assumptions as remarks, and a user must see
/// them.
static void printDiagnostics(MLIRContext &context) {
  context.getDiagEngine().registerHandler([](Diagnostic &diagnostic) {
    auto print = [](Diagnostic &diag) {
      llvm::raw_ostream &os = llvm::errs();
      if (!isa<UnknownLoc>(diag.getLocation()))
        os << diag.getLocation() << ": ";
      switch (diag.getSeverity()) {
      case DiagnosticSeverity::Error:
        os << "error: ";
        break;
      case DiagnosticSeverity::Warning:
        os << "warning: ";
        break;
      case DiagnosticSeverity::Note:
        os << "note: ";
        break;
      case DiagnosticSeverity::Remark:
        os << "remark: ";
        break;
      }
      os << diag << "\n";
    };
    print(diagnostic);
    for (Diagnostic &note : diagnostic.getNotes())
      print(note);
    return success();
  });
}

OwningOpRef<ModuleOp> snnc::loadModel(StringRef path, MLIRContext &context) {
  context.loadDialect<snn::SNNDialect>();
  printDiagnostics(context);

  // NIR files are imported with the `--nir-*` options of the command line.
  if (path.ends_with(".nir")) {
    FailureOr<NIRImportOptions> options =
        getNIRImportOptionsFromCommandLine(&context);
    if (failed(options))
      return nullptr;
    if (!llvm::sys::fs::exists(path)) {
      emitError(UnknownLoc::get(&context))
          << "cannot read model '" << path << "': no such file";
      return nullptr;
    }
    OwningOpRef<ModuleOp> module = importNIR(path, &context, *options);
    if (!module || failed(verify(*module)))
      return nullptr;
    return module;
  }

  llvm::SourceMgr sourceMgr;
  std::string includedFile;
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    emitError(UnknownLoc::get(&context))
        << "cannot read model '" << path
        << "': " << buffer.getError().message();
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module || failed(verify(*module)))
    return nullptr;
  return module;
}

snn::NetworkOp snnc::findNetwork(ModuleOp module, StringRef name) {
  SmallVector<snn::NetworkOp> networks(module.getOps<snn::NetworkOp>());
  if (networks.empty()) {
    module.emitError("the model holds no snn.network");
    return nullptr;
  }
  if (name.empty()) {
    if (networks.size() == 1)
      return networks.front();
    InFlightDiagnostic diag = module.emitError()
                              << "the model holds " << networks.size()
                              << " networks; choose one with --network:";
    for (snn::NetworkOp network : networks)
      diag << " @" << network.getSymName();
    return nullptr;
  }
  for (snn::NetworkOp network : networks)
    if (network.getSymName() == name)
      return network;
  module.emitError() << "no network @" << name << " in the model";
  return nullptr;
}

/// Reads a parameter tensor the verifier already accepted.
static LogicalResult readValues(Operation *op, StringRef field,
                                ElementsAttr attr, std::vector<double> &out) {
  SmallVector<double> values;
  if (failed(snn::getF64Values(attr, values)))
    return op->emitOpError() << field << " has no readable data";
  out.assign(values.begin(), values.end());
  return success();
}

FailureOr<runtime::Network> snnc::toRuntimeNetwork(snn::NetworkOp network,
                                                   KernelSource kernels) {
  runtime::Network result;
  result.name = network.getSymName().str();
  result.durationMs = network.getDuration().convertToDouble();
  llvm::DenseMap<Value, int32_t> populationIndex;

  // Populations first, so that projections written before the population
  // they name (graph region) still find it.
  for (Operation &op : network.getBody().front()) {
    runtime::Population population;
    Value output;
    if (auto source = dyn_cast<snn::SourceOp>(op)) {
      population.kind = runtime::PopulationKind::Source;
      population.name = source.getName().str();
      population.size = source.getOutput().getType().getSize();
      output = source.getOutput();
    } else if (auto lif = dyn_cast<snn::LIFOp>(op)) {
      population.kind = runtime::PopulationKind::LIF;
      population.name = lif.getName().str();
      population.size = lif.getSize();
      population.tauMemMs = lif.getTauMem().convertToDouble();
      population.tauSynMs = lif.getTauSyn().convertToDouble();
      SmallVector<double> thresholds = lif.getThresholdValues();
      if (static_cast<int64_t>(thresholds.size()) != lif.getSize())
        return lif.emitOpError("threshold has no readable data");
      population.threshold.assign(thresholds.begin(), thresholds.end());
      population.reset = lif.getReset().convertToDouble();
      population.refractoryMs = lif.getRefractory().convertToDouble();
      population.learnThreshold = lif.learnsThreshold();
      output = lif.getOutput();
    } else if (auto li = dyn_cast<snn::LIOp>(op)) {
      population.kind = runtime::PopulationKind::LI;
      population.name = li.getName().str();
      population.size = li.getSize();
      population.tauMemMs = li.getTauMem().convertToDouble();
      population.tauSynMs = li.getTauSyn().convertToDouble();
      output = li.getOutput();
    } else {
      continue;
    }
    populationIndex[output] = result.populations.size();
    result.populations.push_back(std::move(population));
  }

  for (Operation &op : network.getBody().front()) {
    if (auto project = dyn_cast<snn::ProjectOp>(op)) {
      runtime::Projection projection;
      projection.name = project.getName().str();
      projection.pre = populationIndex.lookup(project.getPre());
      projection.post = populationIndex.lookup(project.getPost());
      if (failed(readValues(project, "weight", project.getWeight(),
                            projection.weight)))
        return failure();
      if (std::optional<Attribute> delay = project.getDelay()) {
        SmallVector<double> delays;
        if (failed(snn::getScalarOrTensorValues(
                *delay, projection.weight.size(), delays)))
          return project.emitOpError("delay has no readable data");
        projection.delayMs.assign(delays.begin(), delays.end());
      }
      projection.learnWeight = project.learnsWeight();
      projection.learnDelay = project.learnsDelay();
      result.projections.push_back(std::move(projection));
    } else if (auto ttfs = dyn_cast<snn::TTFSLossOp>(op)) {
      result.loss.kind = runtime::LossKind::TimeToFirstSpike;
      result.loss.population = populationIndex.lookup(ttfs.getPopulation());
      result.loss.tau0Ms = ttfs.getTau0().convertToDouble();
      result.loss.tau1Ms = ttfs.getTau1().convertToDouble();
      result.loss.alpha = ttfs.getAlpha().convertToDouble();
    } else if (auto maxVoltage = dyn_cast<snn::MaxVoltageLossOp>(op)) {
      result.loss.kind = runtime::LossKind::MaxVoltage;
      result.loss.population =
          populationIndex.lookup(maxVoltage.getPopulation());
    }
  }

  std::string problem = result.validate();
  if (!problem.empty())
    return network.emitOpError() << "cannot be executed: " << problem;
  if (kernels == KernelSource::Compiled &&
      failed(attachCompiledKernels(network, result)))
    return failure();
  return result;
}

/// A resource key for parameter `field` of the op called `name`. Keys are
/// bare identifiers in the printed IR ([A-Za-z_][A-Za-z0-9_.$-]*), while op
/// names are any string (NIR names them "0", "1", ...), so other characters
/// become `_` and a leading digit gets a `p` in front.
static std::string blobKey(StringRef name, StringRef field) {
  std::string key = (name + "_" + field).str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.' && c != '$' && c != '-')
      c = '_';
  if (!llvm::isAlpha(key.front()) && key.front() != '_')
    key.insert(key.begin(), 'p');
  return key;
}

/// A resource-backed f64 tensor holding `values`, under a key derived from
/// `name` (the blob manager makes it unique).
static ElementsAttr makeBlob(MLIRContext *context, StringRef name,
                             ArrayRef<int64_t> shape, ArrayRef<double> values) {
  auto type = RankedTensorType::get(shape, Float64Type::get(context));
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(values);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

LogicalResult snnc::updateParameters(snn::NetworkOp network,
                                     const runtime::Network &trained) {
  MLIRContext *context = network.getContext();
  Builder builder(context);
  size_t projectionIndex = 0;
  for (Operation &op : network.getBody().front()) {
    if (auto lif = dyn_cast<snn::LIFOp>(op)) {
      auto it = llvm::find_if(trained.populations, [&](const auto &p) {
        return p.name == lif.getName();
      });
      if (it == trained.populations.end())
        return lif.emitOpError("has no counterpart in the trained network");
      if (!lif.learnsThreshold())
        continue;
      lif.setThresholdAttr(makeBlob(context,
                                    blobKey(lif.getName(), "threshold"),
                                    {lif.getSize()}, it->threshold));
      continue;
    }
    auto project = dyn_cast<snn::ProjectOp>(op);
    if (!project)
      continue;
    if (projectionIndex >= trained.projections.size() ||
        trained.projections[projectionIndex].name != project.getName())
      return project.emitOpError("has no counterpart in the trained network");
    const runtime::Projection &projection =
        trained.projections[projectionIndex++];
    SmallVector<int64_t> shape = {project.getPostSize(), project.getPreSize()};
    if (project.learnsWeight())
      project.setWeightAttr(makeBlob(context,
                                     blobKey(project.getName(), "weight"),
                                     shape, projection.weight));
    if (project.learnsDelay() && !projection.delayMs.empty())
      project.setDelayAttr(makeBlob(context,
                                    blobKey(project.getName(), "delay"), shape,
                                    projection.delayMs));
  }
  return success();
}

LogicalResult snnc::writeModelAtomically(ModuleOp module, StringRef path,
                                         std::string &error) {
  SmallString<256> temporary;
  int fd = -1;
  StringRef folder = llvm::sys::path::parent_path(path);
  SmallString<256> model(folder.empty() ? "." : folder);
  llvm::sys::path::append(model,
                          llvm::sys::path::filename(path) + ".tmp-%%%%%%");
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(model, fd, temporary)) {
    error = "cannot create a file beside '" + path.str() + "': " + ec.message();
    return failure();
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    module.print(os);
    os.flush();
    if (os.has_error()) {
      error = "cannot write '" + temporary.str().str() +
              "': " + os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(temporary);
      return failure();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
    error = "cannot move the model into '" + path.str() + "': " + ec.message();
    llvm::sys::fs::remove(temporary);
    return failure();
  }
  return success();
}

void snnc::writeLearnFlags(snn::NetworkOp networkOp,
                           const runtime::Network &network) {
  mlir::MLIRContext *context = networkOp.getContext();
  size_t projectionIndex = 0;
  for (mlir::Operation &op : networkOp.getBody().front()) {
    if (auto lif = llvm::dyn_cast<snn::LIFOp>(op)) {
      int32_t index = network.findPopulation(lif.getName().str());
      if (index < 0)
        continue;
      if (network.populations[index].learnThreshold)
        lif.setLearnAttr(
            snn::LearnFlagsAttr::get(context, snn::LearnFlags::threshold));
      else
        lif.removeLearnAttr();
      continue;
    }
    auto project = llvm::dyn_cast<snn::ProjectOp>(op);
    if (!project || projectionIndex >= network.projections.size())
      continue;
    const runtime::Projection &projection =
        network.projections[projectionIndex++];
    auto flags = static_cast<snn::LearnFlags>(0);
    if (projection.learnWeight)
      flags = flags | snn::LearnFlags::weight;
    if (projection.learnDelay)
      flags = flags | snn::LearnFlags::delay;
    if (static_cast<uint32_t>(flags) != 0)
      project.setLearnAttr(snn::LearnFlagsAttr::get(context, flags));
    else
      project.removeLearnAttr();
  }
}
