//===- ONNXCleanup.cpp - Folding and shape refinement after import --------===//
//
// The importer emits result types it can vouch for (declared by the model or
// by ONNX's inference) and unranked tensors elsewhere. Here the nb dialect's
// own shape inference refines them and its folders collapse constant
// subgraphs (Shape -> Gather -> Concat chains feeding Reshape). Passes are
// looked up by name so the importer does not link the transform library;
// a pass that is not registered is skipped.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "nibble/Importer/ONNX/ONNXImporter.h"

using namespace mlir;

/// Adds the pass registered as `name`, if any.
static LogicalResult addRegisteredPass(OpPassManager &pm, StringRef name,
                                       Location loc) {
  const PassInfo *info = PassInfo::lookup(name);
  if (!info)
    return success();
  return info->addToPipeline(pm, "", [&](const Twine &message) {
    return emitError(loc) << "cannot add pass '" << name << "': " << message;
  });
}

LogicalResult
nibble::onnx_import::runImportCleanup(ModuleOp module,
                                      const ONNXImportOptions &options) {
  PassManager pm(module->getContext(), ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  Location loc = module.getLoc();
  if (failed(addRegisteredPass(pm, "nb-infer-shapes", loc)))
    return failure();
  if (options.foldConstants) {
    // Folding exposes constant shapes; inferring again makes them static.
    pm.addPass(createCanonicalizerPass());
    if (failed(addRegisteredPass(pm, "nb-infer-shapes", loc)))
      return failure();
    pm.addPass(createCanonicalizerPass());
  }
  if (options.liftQDQ) {
    if (!PassInfo::lookup("nb-lift-qdq-to-quant-types"))
      return emitError(loc) << "--lift-qdq needs the nb-lift-qdq-to-quant-types "
                               "pass, which this build does not register";
    if (failed(addRegisteredPass(pm, "nb-lift-qdq-to-quant-types", loc)))
      return failure();
  }
  return pm.run(module);
}
