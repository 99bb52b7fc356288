//===- CPUCodegenPipeline.cpp - nibble-cpu-codegen ------------------------===//
#include "nibble/Pipelines/CPUCodegen.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "nibble/Conversion/Passes.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Pipelines/Passes.h"

using namespace mlir;

/// nb to vectorized linalg on tensors.
static void addTensorStages(OpPassManager &pm,
                            const nibble::CPUCodegenOptions &options) {
  nb::AnnotateCPUTargetOptions annotate;
  annotate.target = options.target;
  pm.addPass(nb::createAnnotateCPUTarget(annotate));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(nb::createInferShapes());
  nb::ConvertNBToLinalgOptions lowering;
  lowering.requantize = options.requantize;
  pm.addPass(nb::createConvertNBToLinalg(lowering));
  pm.addPass(createCanonicalizerPass());
  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  // Before fusion, so the bf16 <-> f32 conversions fuse into their
  // elementwise neighbours.
  funcPM.addPass(nb::createCPUComputeBF16InF32());
  funcPM.addPass(nb::createCPUFuseElementwise());
  funcPM.addPass(nb::createCPUExpandNarrowFloats());
  funcPM.addPass(nb::createCPUTileAndVectorize());
  funcPM.addPass(createCanonicalizerPass());
  funcPM.addPass(createCSEPass());
}

/// Tensors to buffers, with deallocations and owned results.
static void addBufferizationStages(OpPassManager &pm) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Callers (the JIT, C code) pass plain contiguous arrays.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.unknownTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  // The clones that give results unique ownership become alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// Buffers, vectors and loops to the LLVM dialect.
static void addLLVMStages(OpPassManager &pm) {
  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  funcPM.addPass(createConvertLinalgToLoopsPass());
  // convert-vector-to-llvm leaves multi-dimensional reductions alone.
  funcPM.addPass(vector::createLowerVectorMultiReductionPass());
  // Transfers of more than one dimension become 1-D transfers, unrolled
  // (tiles are vector-sized, so the unrolled code stays small).
  funcPM.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Math on f16/bf16 computes in f32; f32 tanh and erf become vector
  // polynomials; functions with an LLVM intrinsic use it, the rest call
  // libm, which the JIT process provides.
  pm.addPass(math::createMathExtendToSupportedTypes());
  pm.addPass(nb::createCPUApproximateMath());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void nibble::buildCPUCodegenPipeline(OpPassManager &pm,
                                     const CPUCodegenOptions &options) {
  addTensorStages(pm, options);
  addBufferizationStages(pm);
  addLLVMStages(pm);
}

void nibble::registerNibblePipelines() {
  nb::registerNibblePipelinesPasses();
  PassPipelineRegistration<CPUCodegenOptions>(
      "nibble-cpu-codegen",
      "Compile nb on tensors to the LLVM dialect for a CPU target",
      buildCPUCodegenPipeline);
}
