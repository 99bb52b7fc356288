//===- QuantizationPipelines.h - one named pipeline per scheme --*- C++ -*-===//
//
// The quantization schemes as pass pipelines (docs/quantization.md), each
// reachable from `nibble-opt` by name and from `nibble quantize --scheme`:
//
//   nb-quantize-w8a8-static   [nb-import-calibration-table], nb-insert-qdq,
//                             [nb-fuse-quantized-ops], canonicalize
//   nb-quantize-w8a8-dynamic  nb-quantize-dynamic, canonicalize
//   nb-quantize-weight-only   nb-quantize-weights, canonicalize
//   nb-quantize-float16       [nb-import-calibration-table],
//                             nb-annotate-ranges,
//                             nb-convert-float-precision, canonicalize
//   nb-quantize-fp8           [nb-import-calibration-table], nb-insert-qdq
//                             with float8 storage, canonicalize
//
// The bracketed passes run when their option is given (`table=FILE`,
// `fuse=true`). Every pipeline carries the selection options that all
// quantization passes share (exclude-nodes, exclude-op-types, strict).
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PIPELINES_QUANTIZATIONPIPELINES_H
#define NIBBLE_PIPELINES_QUANTIZATIONPIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace nibble {

/// Options every scheme pipeline has: which ops it may touch.
template <typename Derived>
struct QuantizationSelectionOptions
    : public mlir::PassPipelineOptions<Derived> {
  using Base = mlir::PassPipelineOptions<Derived>;
  typename Base::template Option<std::string> excludeNodes{
      *this, "exclude-nodes",
      llvm::cl::desc("POSIX extended regex (whole node name); ops whose ONNX node name matches "
                     "stay float"),
      llvm::cl::init("")};
  typename Base::template ListOption<std::string> excludeOpTypes{
      *this, "exclude-op-types",
      llvm::cl::desc("ONNX op types (Conv, MatMul, Gemm, ...) that stay "
                     "float")};
  typename Base::template Option<bool> strict{
      *this, "strict",
      llvm::cl::desc("An op the scheme cannot take is an error instead of "
                     "a note"),
      llvm::cl::init(false)};
};

struct W8A8StaticPipelineOptions
    : public QuantizationSelectionOptions<W8A8StaticPipelineOptions> {
  Option<std::string> table{
      *this, "table",
      llvm::cl::desc("Calibration table (JSON) to import first; without it "
                     "the module must already carry ranges"),
      llvm::cl::init("")};
  Option<std::string> activationType{
      *this, "activation-type", llvm::cl::desc("u8 | i8"),
      llvm::cl::init("u8")};
  Option<bool> perTensorWeights{
      *this, "per-tensor-weights",
      llvm::cl::desc("One weight scale per tensor, not per channel"),
      llvm::cl::init(false)};
  Option<bool> symmetricActivations{
      *this, "symmetric-activations",
      llvm::cl::desc("Zero point 0 for activations"), llvm::cl::init(false)};
  Option<bool> quantizeAllOps{
      *this, "quantize-all-ops",
      llvm::cl::desc("Also quantize Add, Mul, pooling and data movement"),
      llvm::cl::init(true)};
  Option<std::string> overrides{
      *this, "overrides", llvm::cl::desc("Per-tensor override file (JSON)"),
      llvm::cl::init("")};
  Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Fuse dq -> op -> q chains into ops on quant types "
                     "(stage 2); false stops at the q/dq form"),
      llvm::cl::init(true)};
};

struct W8A8DynamicPipelineOptions
    : public QuantizationSelectionOptions<W8A8DynamicPipelineOptions> {
  Option<bool> perTensorWeights{
      *this, "per-tensor-weights",
      llvm::cl::desc("One weight scale per tensor, not per channel"),
      llvm::cl::init(false)};
};

struct WeightOnlyPipelineOptions
    : public QuantizationSelectionOptions<WeightOnlyPipelineOptions> {
  Option<unsigned> bits{*this, "bits", llvm::cl::desc("4 | 8"),
                        llvm::cl::init(4)};
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Elements per group along the reduction axis; 0: per "
                     "channel"),
      llvm::cl::init(128)};
  Option<bool> symmetric{*this, "symmetric",
                         llvm::cl::desc("Zero point 0 (else asymmetric)"),
                         llvm::cl::init(true)};
  Option<std::string> scaleType{*this, "scale-type",
                                llvm::cl::desc("f32 | f16"),
                                llvm::cl::init("f32")};
  Option<bool> padGroups{
      *this, "pad-groups",
      llvm::cl::desc("Pad a reduction axis the group size does not divide"),
      llvm::cl::init(false)};
};

struct Float16PipelineOptions
    : public QuantizationSelectionOptions<Float16PipelineOptions> {
  Option<std::string> type{*this, "type", llvm::cl::desc("f16 | bf16"),
                           llvm::cl::init("f16")};
  Option<bool> keepIOTypes{
      *this, "keep-io-types",
      llvm::cl::desc("Keep graph inputs and outputs in their original type"),
      llvm::cl::init(false)};
  Option<std::string> table{
      *this, "table",
      llvm::cl::desc("Calibration table (JSON) whose ranges also decide which "
                     "ops stay f32"),
      llvm::cl::init("")};
};

enum class FP8Format { E4M3, E5M2 };

struct FP8PipelineOptions
    : public QuantizationSelectionOptions<FP8PipelineOptions> {
  Option<FP8Format> format{
      *this, "format", llvm::cl::desc("The float8 storage type"),
      llvm::cl::init(FP8Format::E4M3),
      llvm::cl::values(
          clEnumValN(FP8Format::E4M3, "e4m3", "f8E4M3FN: more precision"),
          clEnumValN(FP8Format::E5M2, "e5m2", "f8E5M2: more range"))};
  Option<std::string> table{
      *this, "table", llvm::cl::desc("Calibration table (JSON) to import"),
      llvm::cl::init("")};
  Option<bool> perTensorWeights{
      *this, "per-tensor-weights",
      llvm::cl::desc("One weight scale per tensor, not per channel"),
      llvm::cl::init(false)};
  Option<std::string> overrides{
      *this, "overrides", llvm::cl::desc("Per-tensor override file (JSON)"),
      llvm::cl::init("")};
};

/// nb-quantize-mixed: one precision per op from a plan
/// (docs/precision-plan.md).
struct MixedPrecisionPipelineOptions
    : public mlir::PassPipelineOptions<MixedPrecisionPipelineOptions> {
  Option<std::string> plan{*this, "plan",
                           llvm::cl::desc("Precision plan (JSON)"),
                           llvm::cl::init("")};
  Option<std::string> table{
      *this, "table",
      llvm::cl::desc("Calibration table (JSON) for the int8 and fp8 ops "
                     "(and the fp16/bf16 range checks)"),
      llvm::cl::init("")};
  Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Fuse the int8 ops' dq -> op -> q chains into ops on "
                     "quant types (stage 2)"),
      llvm::cl::init(true)};
};

void buildW8A8StaticPipeline(mlir::OpPassManager &pm,
                             const W8A8StaticPipelineOptions &options);
void buildW8A8DynamicPipeline(mlir::OpPassManager &pm,
                              const W8A8DynamicPipelineOptions &options);
void buildWeightOnlyPipeline(mlir::OpPassManager &pm,
                             const WeightOnlyPipelineOptions &options);
void buildFloat16Pipeline(mlir::OpPassManager &pm,
                          const Float16PipelineOptions &options);
void buildFP8Pipeline(mlir::OpPassManager &pm,
                      const FP8PipelineOptions &options);

/// nb-apply-precision-plan, [table import], then each scheme pass the plan
/// uses (taking only the ops the plan gives it), [fusion], canonicalize.
/// The plan is read here to know which passes it needs; a plan that cannot
/// be read adds nothing after nb-apply-precision-plan, which reports it.
void buildMixedPrecisionPipeline(mlir::OpPassManager &pm,
                                 const MixedPrecisionPipelineOptions &options);

/// Registers the five scheme pipelines by name.
void registerQuantizationPipelines();

} // namespace nibble

#endif // NIBBLE_PIPELINES_QUANTIZATIONPIPELINES_H
