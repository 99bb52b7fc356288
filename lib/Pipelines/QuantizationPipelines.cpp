//===- QuantizationPipelines.cpp - one named pipeline per scheme ----------===//
//
// Each scheme is a short composition of the quantization passes
// (include/nibble/Quantization/Passes.td); the pipelines only translate
// scheme-level options into pass options, so `nibble-opt
// --pass-pipeline='builtin.module(nb-quantize-...)'` and `nibble quantize`
// produce the same IR.
//
//===----------------------------------------------------------------------===//
#include "nibble/Pipelines/QuantizationPipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Quantization/Passes.h"

using namespace mlir;
using namespace nibble;

/// Copies the shared selection options into a pass's options struct (every
/// quantization pass's generated options have these three fields).
template <typename PassOptions, typename PipelineOptions>
static PassOptions withSelection(const PipelineOptions &options) {
  PassOptions passOptions;
  passOptions.excludeNodes = options.excludeNodes;
  passOptions.excludeOpTypes.assign(options.excludeOpTypes.begin(),
                                    options.excludeOpTypes.end());
  passOptions.strict = options.strict;
  return passOptions;
}

static void addTableImport(OpPassManager &pm, const std::string &table) {
  if (table.empty())
    return;
  nb::ImportCalibrationTableOptions importOptions;
  importOptions.tablePath = table;
  pm.addPass(nb::createImportCalibrationTable(importOptions));
}

void nibble::buildW8A8StaticPipeline(OpPassManager &pm,
                                     const W8A8StaticPipelineOptions &options) {
  addTableImport(pm, options.table);
  auto insert = withSelection<nb::InsertQDQOptions>(options);
  insert.activationType = options.activationType;
  insert.weightType = "i8";
  insert.perTensorWeights = options.perTensorWeights;
  insert.symmetricActivations = options.symmetricActivations;
  insert.quantizeAllOps = options.quantizeAllOps;
  insert.overridesPath = options.overrides;
  pm.addPass(nb::createInsertQDQ(insert));
  if (options.fuse)
    pm.addPass(nb::createFuseQuantizedOps());
  pm.addPass(createCanonicalizerPass());
}

void nibble::buildW8A8DynamicPipeline(
    OpPassManager &pm, const W8A8DynamicPipelineOptions &options) {
  auto dynamic = withSelection<nb::QuantizeDynamicOptions>(options);
  dynamic.perTensorWeights = options.perTensorWeights;
  pm.addPass(nb::createQuantizeDynamic(dynamic));
  pm.addPass(createCanonicalizerPass());
}

void nibble::buildWeightOnlyPipeline(OpPassManager &pm,
                                     const WeightOnlyPipelineOptions &options) {
  auto weights = withSelection<nb::QuantizeWeightsOptions>(options);
  weights.bits = options.bits;
  weights.groupSize = options.groupSize;
  weights.symmetric = options.symmetric;
  weights.scaleType = options.scaleType;
  weights.padGroups = options.padGroups;
  pm.addPass(nb::createQuantizeWeights(weights));
  pm.addPass(createCanonicalizerPass());
}

void nibble::buildFloat16Pipeline(OpPassManager &pm,
                                  const Float16PipelineOptions &options) {
  addTableImport(pm, options.table);
  // nb-convert-float-precision keeps f32 where the proved range leaves the
  // half type's finite range; the proof is nb-annotate-ranges' `nb.range`.
  pm.addPass(nb::createAnnotateRanges());
  auto convert = withSelection<nb::ConvertFloatPrecisionOptions>(options);
  convert.targetType = options.type;
  convert.keepIOTypes = options.keepIOTypes;
  pm.addPass(nb::createConvertFloatPrecision(convert));
  pm.addPass(createCanonicalizerPass());
}

void nibble::buildFP8Pipeline(OpPassManager &pm,
                              const FP8PipelineOptions &options) {
  addTableImport(pm, options.table);
  auto insert = withSelection<nb::InsertQDQOptions>(options);
  std::string type =
      options.format == FP8Format::E4M3 ? "f8e4m3" : "f8e5m2";
  insert.activationType = type;
  insert.weightType = type;
  insert.perTensorWeights = options.perTensorWeights;
  insert.overridesPath = options.overrides;
  // Float8 has no zero point; "symmetric" is what the storage can hold.
  insert.symmetricActivations = true;
  pm.addPass(nb::createInsertQDQ(insert));
  // No fusion: quant types cannot express float8 storage, so fp8 Q/DQ pairs
  // stay in ONNX form (docs/quantization.md) and nothing would match.
  pm.addPass(createCanonicalizerPass());
}

void nibble::registerQuantizationPipelines() {
  PassPipelineRegistration<W8A8StaticPipelineOptions>(
      "nb-quantize-w8a8-static",
      "Static W8A8: int8 weights, 8-bit activations from calibrated ranges, "
      "fused into integer ops",
      buildW8A8StaticPipeline);
  PassPipelineRegistration<W8A8DynamicPipelineOptions>(
      "nb-quantize-w8a8-dynamic",
      "Dynamic W8A8: int8 weights, activation scales computed at run time",
      buildW8A8DynamicPipeline);
  PassPipelineRegistration<WeightOnlyPipelineOptions>(
      "nb-quantize-weight-only",
      "Weight-only int8/int4 (RTN) by channel or group; activations float",
      buildWeightOnlyPipeline);
  PassPipelineRegistration<Float16PipelineOptions>(
      "nb-quantize-float16",
      "f16 or bf16 compute, keeping in f32 the ops whose ranges overflow",
      buildFloat16Pipeline);
  PassPipelineRegistration<FP8PipelineOptions>(
      "nb-quantize-fp8",
      "fp8 (e4m3 | e5m2) storage for weights and activations",
      buildFP8Pipeline);
}
