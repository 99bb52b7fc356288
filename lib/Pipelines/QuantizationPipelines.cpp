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
#include "nibble/Precision/PrecisionPlan.h"
#include "nibble/Quantization/Passes.h"

#include <set>

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

/// Imports a calibration table and intersects its ranges with the proved
/// ones: a measured range the op's semantics rule out (a Relu output below
/// 0) would otherwise become a scale, warned about by tensor name.
static void addTableImport(OpPassManager &pm, const std::string &table) {
  if (table.empty())
    return;
  nb::ImportCalibrationTableOptions importOptions;
  importOptions.tablePath = table;
  pm.addPass(nb::createImportCalibrationTable(importOptions));
  pm.addPass(nb::createReconcileRanges());
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

void nibble::buildMixedPrecisionPipeline(
    OpPassManager &pm, const MixedPrecisionPipelineOptions &options) {
  nb::ApplyPrecisionPlanOptions apply;
  apply.planPath = options.plan;
  pm.addPass(nb::createApplyPrecisionPlan(apply));
  llvm::Expected<precision::PrecisionPlan> plan =
      precision::PrecisionPlan::load(options.plan);
  if (!plan) {
    // nb-apply-precision-plan reports it, at the module.
    llvm::consumeError(plan.takeError());
    return;
  }
  std::set<precision::Precision> used = {plan->defaultPrecision};
  for (const precision::PlanEntry &entry : plan->entries)
    used.insert(entry.precision);
  auto uses = [&](precision::PrecisionKind kind) {
    return llvm::any_of(used, [&](const precision::Precision &p) {
      return p.kind == kind;
    });
  };
  using precision::PrecisionKind;

  addTableImport(pm, options.table);
  if (uses(PrecisionKind::FP16) || uses(PrecisionKind::BF16)) {
    // As nb-quantize-float16: the proved ranges decide which ops overflow.
    // First, on the float program: the range analysis does not see through
    // quantized ops, so after them every range downstream is unbounded.
    pm.addPass(nb::createAnnotateRanges());
    for (StringRef type : {"f16", "bf16"}) {
      if (!uses(type == "f16" ? PrecisionKind::FP16 : PrecisionKind::BF16))
        continue;
      nb::ConvertFloatPrecisionOptions convert;
      convert.targetType = type.str();
      // The neighbours of a half op are other precisions.
      convert.keepIOTypes = true;
      pm.addPass(nb::createConvertFloatPrecision(convert));
    }
  }
  // Each pass takes only the ops whose nb.precision it implements, so the
  // order does not decide which op gets what.
  auto addInsertQDQ = [&](StringRef type) {
    nb::InsertQDQOptions insert;
    insert.activationType = type.str();
    insert.weightType = type == "u8" ? "i8" : type.str();
    // Float8 has no zero point.
    insert.symmetricActivations = type != "u8";
    pm.addPass(nb::createInsertQDQ(insert));
  };
  if (uses(PrecisionKind::Int8))
    addInsertQDQ("u8");
  if (uses(PrecisionKind::FP8E4M3))
    addInsertQDQ("f8e4m3");
  if (uses(PrecisionKind::FP8E5M2))
    addInsertQDQ("f8e5m2");
  if (uses(PrecisionKind::Int8Dynamic))
    pm.addPass(nb::createQuantizeDynamic());
  for (const precision::Precision &p : used) {
    if (!p.isWeightOnly())
      continue;
    // One run per (bits, group size): the pass takes one of each. Groups
    // that do not divide a reduction axis are padded, since a plan chooses
    // one group size for ops of any shape.
    nb::QuantizeWeightsOptions weights;
    weights.bits = p.getWeightBits();
    weights.groupSize = p.groupSize;
    weights.padGroups = true;
    pm.addPass(nb::createQuantizeWeights(weights));
  }
  if (options.fuse && uses(PrecisionKind::Int8))
    pm.addPass(nb::createFuseQuantizedOps());
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
  PassPipelineRegistration<MixedPrecisionPipelineOptions>(
      "nb-quantize-mixed",
      "One precision per op from a precision plan, each scheme pass taking "
      "its own ops",
      buildMixedPrecisionPipeline);
}
