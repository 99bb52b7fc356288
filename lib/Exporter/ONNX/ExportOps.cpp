//===- ExportOps.cpp - nb ops to ONNX nodes (opset 21) --------------------===//
//
// One node per op, in opset 21's form, the inverse of the importer's
// converters. nb ops already have the newest form (values older opsets took
// as attributes are operands), so operands map to inputs one to one, with ""
// for an omitted optional input before a present one. Attributes equal to
// ONNX's default are left out.
//
// Two ops have no single-node form in opset 21:
//   nb.simplified_layer_norm: ONNX Runtime's contrib op lives in the default
//     domain, where onnx.checker rejects it, and RMSNormalization only came
//     with opset 23; it is written as its definition, Mul -> ReduceMean ->
//     Add(epsilon) -> Sqrt -> Div -> Mul(scale).
//   nb.opaque: written back verbatim, when it came from opset 21 or from
//     another domain (whose version is kept).
//
// Quant types: Q/DQ take them (stage 1; the ONNX type is the storage type),
// and so do ops that only move data when every quant type they touch is the
// same (their storage values move unchanged). Any other quant-typed op is
// stage 2 (nb-fuse-quantized-ops) and is refused: ONNX's QLinear* ops cover
// only part of what it expresses, so it is exported before fusion.
//
//===----------------------------------------------------------------------===//
#include "ONNXExporterImpl.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "nibble/Exporter/ONNX/ONNXExporter.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace nibble::onnx_export;
namespace nb = mlir::nb;

namespace {
float toFloat(const APFloat &value) { return value.convertToFloat(); }

/// An error at `op` that names its ONNX node when it has one.
InFlightDiagnostic emitOpError(Operation *op) {
  InFlightDiagnostic diag = op->emitOpError();
  std::string node = getLocName(op->getLoc());
  if (!node.empty())
    diag << "(ONNX node '" << node << "') ";
  return diag;
}

//===----------------------------------------------------------------------===//
// Quant types
//===----------------------------------------------------------------------===//

bool hasQuantElementType(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && isa<quant::QuantizedType>(shaped.getElementType());
}

/// Ops whose result elements are copies of input elements: on one quant
/// type in and out they compute the same on the storage values.
bool movesDataOnly(Operation *op) {
  return isa<nb::ReshapeOp, nb::TransposeOp, nb::FlattenOp, nb::SqueezeOp,
             nb::UnsqueezeOp, nb::ExpandOp, nb::GatherOp, nb::SliceOp,
             nb::SplitOp, nb::ConcatOp, nb::MaxPoolOp>(op);
}

/// Rejects quant-typed ops beyond the q/dq form.
LogicalResult checkQuantTypes(Operation *op) {
  if (isa<nb::QuantizeLinearOp, nb::DequantizeLinearOp, nb::ConstantOp,
          quant::StorageCastOp, tensor::CastOp>(op))
    return success();
  Type quantType;
  bool mixed = false;
  for (Type type : llvm::concat<const Type>(op->getOperandTypes(),
                                            op->getResultTypes())) {
    if (!hasQuantElementType(type))
      continue;
    Type element = cast<ShapedType>(type).getElementType();
    mixed |= quantType && quantType != element;
    quantType = element;
  }
  if (!quantType || (movesDataOnly(op) && !mixed))
    return success();
  return emitOpError(op)
         << "on quantized types (stage 2, after nb-fuse-quantized-ops) has "
            "no ONNX export; export the q/dq form, before "
            "nb-fuse-quantized-ops, which ONNX runs as a QDQ model";
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

void setConvAttrs(NodeBuilder &node, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                  int64_t group, nb::AutoPad autoPad) {
  node.setIntsIfAny("strides", strides)
      .setIntsIfAny("pads", pads)
      .setIntsIfAny("dilations", dilations);
  if (group != 1)
    node.setInt("group", group);
  if (autoPad != nb::AutoPad::NotSet)
    node.setString("auto_pad", nb::stringifyAutoPad(autoPad).upper());
}

template <typename ConvLikeOp>
void setConvAttrs(NodeBuilder &node, ConvLikeOp op) {
  setConvAttrs(node, op.getStrides(), op.getPads(), op.getDilations(),
               int64_t(op.getGroup()), op.getAutoPad());
}

template <typename PoolOp>
void setPoolAttrs(NodeBuilder &node, PoolOp op) {
  node.setInts("kernel_shape", op.getKernelShape());
  setConvAttrs(node, op.getStrides(), op.getPads(), op.getDilations(),
               /*group=*/1, op.getAutoPad());
  if (op.getCeilMode())
    node.setInt("ceil_mode", 1);
}

//===----------------------------------------------------------------------===//
// Elementwise and activations
//===----------------------------------------------------------------------===//

LogicalResult exportCast(GraphExporter &ex, nb::CastOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Cast");
  node.setInt("to", getDataType(getElementTypeOrSelf(op.getType())));
  if (!op.getSaturate())
    node.setInt("saturate", 0);
  return node.finish();
}

LogicalResult exportClip(GraphExporter &ex, nb::ClipOp op) {
  return ex.createNode(op, "Clip")
      .addInput(op.getInput())
      .addInput(op.getMin())
      .addInput(op.getMax())
      .addOutput(op.getOutput())
      .finish();
}

LogicalResult exportGelu(GraphExporter &ex, nb::GeluOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Gelu");
  if (op.getApproximate() != nb::GeluApproximation::None)
    node.setString("approximate",
                   nb::stringifyGeluApproximation(op.getApproximate()));
  return node.finish();
}

//===----------------------------------------------------------------------===//
// Convolution, normalization, pooling
//===----------------------------------------------------------------------===//

LogicalResult exportConv(GraphExporter &ex, nb::ConvOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Conv");
  setConvAttrs(node, op);
  return node.finish();
}

LogicalResult exportConvTranspose(GraphExporter &ex, nb::ConvTransposeOp op) {
  NodeBuilder node = createPlainNode(ex, op, "ConvTranspose");
  setConvAttrs(node, op);
  node.setIntsIfAny("output_padding", op.getOutputPadding());
  if (auto outputShape = op.getOutputShape())
    node.setInts("output_shape", *outputShape);
  return node.finish();
}

LogicalResult exportBatchNorm(GraphExporter &ex, nb::BatchNormOp op) {
  NodeBuilder node = createPlainNode(ex, op, "BatchNormalization");
  node.setFloat("epsilon", toFloat(op.getEpsilon()));
  return node.finish();
}

LogicalResult exportLayerNorm(GraphExporter &ex, nb::LayerNormOp op) {
  NodeBuilder node = ex.createNode(op, "LayerNormalization");
  node.addInput(op.getInput()).addInput(op.getScale()).addInput(op.getBias());
  node.addOutput(op.getOutput())
      .addOutput(op.getMean())
      .addOutput(op.getInvStdDev());
  node.setInt("axis", int64_t(op.getAxis()))
      .setFloat("epsilon", toFloat(op.getEpsilon()));
  if (int64_t(op.getStashType()) != 1)
    node.setInt("stash_type", int64_t(op.getStashType()));
  return node.finish();
}

/// RMS normalization as its definition (see the file comment):
/// y = x / sqrt(mean(x * x over axes >= axis) + epsilon) * scale.
LogicalResult exportSimplifiedLayerNorm(GraphExporter &ex,
                                        nb::SimplifiedLayerNormOp op) {
  auto inputType = dyn_cast<RankedTensorType>(op.getInput().getType());
  if (!inputType)
    return emitOpError(op) << "needs a ranked input to be written as ONNX "
                              "ops (its normalized axes depend on the rank)";
  int64_t rank = inputType.getRank();
  int64_t axis = int64_t(op.getAxis());
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < rank; ++i)
    axes.push_back(i);
  Type elementType = inputType.getElementType();
  auto floatType = dyn_cast<FloatType>(elementType);
  if (!floatType)
    return emitOpError(op) << "needs a float input";
  std::string base = ex.getResultName(op.getOutput());
  Builder b(&ex.getContext());
  auto axesAttr = DenseElementsAttr::get(
      RankedTensorType::get({int64_t(axes.size())}, b.getI64Type()),
      ArrayRef<int64_t>(axes));
  APFloat epsilon = op.getEpsilon();
  bool losesInfo;
  epsilon.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
  auto epsilonAttr =
      DenseElementsAttr::get(RankedTensorType::get({}, elementType), epsilon);
  FailureOr<std::string> input = ex.getName(op.getInput());
  FailureOr<std::string> scale = ex.getName(op.getScale());
  if (failed(input) || failed(scale))
    return failure();
  std::string axesName = ex.addInitializer(base + "_axes", axesAttr, op);
  std::string epsilonName =
      ex.addInitializer(base + "_epsilon", epsilonAttr, op);
  if (axesName.empty() || epsilonName.empty())
    return failure();
  std::string squared = ex.uniqueName(base + "_squared");
  std::string mean = ex.uniqueName(base + "_mean");
  std::string shifted = ex.uniqueName(base + "_mean_eps");
  std::string rms = ex.uniqueName(base + "_rms");
  std::string normalized = ex.uniqueName(base + "_normalized");
  auto addNode = [&](StringRef opType, ArrayRef<std::string> inputs,
                     StringRef output) -> onnx::NodeProto & {
    onnx::NodeProto &node = ex.createNode(op, opType).getNode();
    for (const std::string &in : inputs)
      node.add_input(in);
    node.add_output(output.str());
    return node;
  };
  addNode("Mul", {*input, *input}, squared);
  addNode("ReduceMean", {squared, axesName}, mean);
  addNode("Add", {mean, epsilonName}, shifted);
  addNode("Sqrt", {shifted}, rms);
  addNode("Div", {*input, rms}, normalized);
  addNode("Mul", {normalized, *scale}, base);
  return success();
}

LogicalResult exportMaxPool(GraphExporter &ex, nb::MaxPoolOp op) {
  NodeBuilder node = createPlainNode(ex, op, "MaxPool");
  setPoolAttrs(node, op);
  if (op.getStorageOrder() != 0)
    node.setInt("storage_order", int64_t(op.getStorageOrder()));
  return node.finish();
}

LogicalResult exportAveragePool(GraphExporter &ex, nb::AveragePoolOp op) {
  NodeBuilder node = createPlainNode(ex, op, "AveragePool");
  setPoolAttrs(node, op);
  if (op.getCountIncludePad())
    node.setInt("count_include_pad", 1);
  return node.finish();
}

LogicalResult exportSoftmax(GraphExporter &ex, nb::SoftmaxOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Softmax");
  if (int64_t(op.getAxis()) != -1)
    node.setInt("axis", int64_t(op.getAxis()));
  return node.finish();
}

LogicalResult exportReduceMean(GraphExporter &ex, nb::ReduceMeanOp op) {
  NodeBuilder node = createPlainNode(ex, op, "ReduceMean");
  if (!op.getKeepdims())
    node.setInt("keepdims", 0);
  if (op.getNoopWithEmptyAxes())
    node.setInt("noop_with_empty_axes", 1);
  return node.finish();
}

LogicalResult exportGemm(GraphExporter &ex, nb::GemmOp op) {
  NodeBuilder node = createPlainNode(ex, op, "Gemm");
  if (toFloat(op.getAlpha()) != 1.0f)
    node.setFloat("alpha", toFloat(op.getAlpha()));
  if (toFloat(op.getBeta()) != 1.0f)
    node.setFloat("beta", toFloat(op.getBeta()));
  if (op.getTransA())
    node.setInt("transA", 1);
  if (op.getTransB())
    node.setInt("transB", 1);
  return node.finish();
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

LogicalResult exportQuantizeLinear(GraphExporter &ex,
                                   nb::QuantizeLinearOp op) {
  NodeBuilder node = createPlainNode(ex, op, "QuantizeLinear");
  if (int64_t(op.getAxis()) != 1)
    node.setInt("axis", int64_t(op.getAxis()));
  if (op.getBlockSize() != 0)
    node.setInt("block_size", int64_t(op.getBlockSize()));
  if (!op.getSaturate())
    node.setInt("saturate", 0);
  // Without a zero point, ONNX quantizes to uint8 unless told otherwise.
  int32_t dataType = getDataType(getElementTypeOrSelf(op.getType()));
  if (!op.getZeroPoint() && dataType != getDataType(IntegerType::get(
                                            op.getContext(), 8,
                                            IntegerType::Unsigned)))
    node.setInt("output_dtype", dataType);
  return node.finish();
}

LogicalResult exportDequantizeLinear(GraphExporter &ex,
                                     nb::DequantizeLinearOp op) {
  NodeBuilder node = createPlainNode(ex, op, "DequantizeLinear");
  if (int64_t(op.getAxis()) != 1)
    node.setInt("axis", int64_t(op.getAxis()));
  if (op.getBlockSize() != 0)
    node.setInt("block_size", int64_t(op.getBlockSize()));
  return node.finish();
}

LogicalResult exportMatMulInteger(GraphExporter &ex, nb::MatMulIntegerOp op) {
  return ex.createNode(op, "MatMulInteger")
      .addInput(op.getLhs())
      .addInput(op.getRhs())
      .addInput(op.getLhsZeroPoint())
      .addInput(op.getRhsZeroPoint())
      .addOutput(op.getOutput())
      .finish();
}

LogicalResult exportConvInteger(GraphExporter &ex, nb::ConvIntegerOp op) {
  NodeBuilder node = ex.createNode(op, "ConvInteger");
  node.addInput(op.getInput())
      .addInput(op.getWeight())
      .addInput(op.getInputZeroPoint())
      .addInput(op.getWeightZeroPoint())
      .addOutput(op.getOutput());
  setConvAttrs(node, op);
  return node.finish();
}

LogicalResult exportQLinearConv(GraphExporter &ex, nb::QLinearConvOp op) {
  NodeBuilder node = createPlainNode(ex, op, "QLinearConv");
  setConvAttrs(node, op);
  return node.finish();
}

//===----------------------------------------------------------------------===//
// Ops that vanish or are kept verbatim
//===----------------------------------------------------------------------===//

/// Constants become initializers in block order (the order the importer
/// reads them back in): the constant itself for readers other than
/// quant.scast, and each scast of it in its storage type. Unused constants
/// are dropped.
LogicalResult exportConstant(GraphExporter &ex, nb::ConstantOp op) {
  for (Operation *user : op->getUsers()) {
    Value value = op.getResult();
    if (auto scast = dyn_cast<quant::StorageCastOp>(user))
      value = scast.getResult();
    if (failed(ex.getName(value)))
      return failure();
  }
  return success();
}

/// quant.scast of a constant is an initializer in the storage type, made
/// when a node reads it. Any other scast reinterprets bits; it vanishes when
/// both sides have the same ONNX type (a quant type and its storage type).
LogicalResult exportStorageCast(GraphExporter &ex, quant::StorageCastOp op) {
  if (op.getInput().getDefiningOp<nb::ConstantOp>())
    return success();
  Type from = getElementTypeOrSelf(op.getInput().getType());
  Type to = getElementTypeOrSelf(op.getType());
  if (getDataType(from) != getDataType(to))
    return emitOpError(op) << "reinterprets " << from << " as " << to
                           << ", which ONNX has no op for";
  return ex.alias(op.getResult(), op.getInput());
}

LogicalResult exportOpaque(GraphExporter &ex, nb::OpaqueOp op) {
  StringRef domain = op.getDomain();
  int64_t version = int64_t(op.getVersion());
  if (domain.empty() && version != nibble::kONNXExportOpset)
    return emitOpError(op) << "keeps ONNX node '" << op.getOpType()
                           << "' of opset " << version
                           << ", which cannot be converted to the export "
                              "opset "
                           << nibble::kONNXExportOpset;
  if (!domain.empty())
    ex.useDomain(domain, version);
  NodeBuilder node = createPlainNode(ex, op, op.getOpType());
  node.setDomain(domain);
  for (NamedAttribute attr : op.getOnnxAttributes()) {
    StringRef name = attr.getName();
    Attribute value = attr.getValue();
    if (auto i = dyn_cast<IntegerAttr>(value)) {
      node.setInt(name, i.getInt());
    } else if (auto f = dyn_cast<FloatAttr>(value)) {
      node.setFloat(name, f.getValueAsDouble());
    } else if (auto s = dyn_cast<StringAttr>(value)) {
      // The importer keeps only the kind of graph and type attributes.
      if (s.getValue().starts_with("<") &&
          s.getValue().ends_with(" attribute>"))
        return emitOpError(op) << "attribute '" << name << "' of node '"
                               << op.getOpType() << "' was not kept ("
                               << s.getValue() << ")";
      node.setString(name, s.getValue());
    } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(value)) {
      node.setInts(name, ints.asArrayRef());
    } else if (auto floats = dyn_cast<DenseF32ArrayAttr>(value)) {
      node.setFloats(name, floats.asArrayRef());
    } else if (auto elements = dyn_cast<ElementsAttr>(value)) {
      node.setTensor(name, elements);
    } else if (auto array = dyn_cast<ArrayAttr>(value)) {
      SmallVector<std::string> strings;
      for (Attribute element : array) {
        auto string = dyn_cast<StringAttr>(element);
        if (!string)
          return emitOpError(op) << "attribute '" << name
                                 << "' is not a list of strings";
        strings.push_back(string.str());
      }
      node.setStrings(name, strings);
    } else {
      return emitOpError(op) << "attribute '" << name
                             << "' has no ONNX attribute form";
    }
  }
  return node.finish();
}
} // namespace

LogicalResult nibble::onnx_export::exportOp(GraphExporter &ex, Operation *op) {
  if (failed(checkQuantTypes(op)))
    return failure();
  FailureOr<bool> handled = exportShapeOp(ex, op);
  if (failed(handled))
    return failure();
  if (*handled)
    return success();
  auto plain = [&](StringRef opType) {
    return createPlainNode(ex, op, opType).finish();
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<nb::ConstantOp>(
          [&](auto constant) { return exportConstant(ex, constant); })
      .Case<tensor::CastOp>([&](tensor::CastOp cast) {
        return ex.alias(cast.getResult(), cast.getSource());
      })
      .Case<quant::StorageCastOp>(
          [&](auto scast) { return exportStorageCast(ex, scast); })
      .Case<nb::ReluOp>([&](auto) { return plain("Relu"); })
      .Case<nb::SigmoidOp>([&](auto) { return plain("Sigmoid"); })
      .Case<nb::TanhOp>([&](auto) { return plain("Tanh"); })
      .Case<nb::ErfOp>([&](auto) { return plain("Erf"); })
      .Case<nb::SqrtOp>([&](auto) { return plain("Sqrt"); })
      .Case<nb::NegOp>([&](auto) { return plain("Neg"); })
      .Case<nb::SinOp>([&](auto) { return plain("Sin"); })
      .Case<nb::CosOp>([&](auto) { return plain("Cos"); })
      .Case<nb::ExpOp>([&](auto) { return plain("Exp"); })
      .Case<nb::LogOp>([&](auto) { return plain("Log"); })
      .Case<nb::AbsOp>([&](auto) { return plain("Abs"); })
      .Case<nb::ReciprocalOp>([&](auto) { return plain("Reciprocal"); })
      .Case<nb::HardSwishOp>([&](auto) { return plain("HardSwish"); })
      .Case<nb::LeakyReluOp>([&](nb::LeakyReluOp leaky) {
        return createPlainNode(ex, op, "LeakyRelu")
            .setFloat("alpha", toFloat(leaky.getAlpha()))
            .finish();
      })
      .Case<nb::HardSigmoidOp>([&](nb::HardSigmoidOp hard) {
        return createPlainNode(ex, op, "HardSigmoid")
            .setFloat("alpha", toFloat(hard.getAlpha()))
            .setFloat("beta", toFloat(hard.getBeta()))
            .finish();
      })
      .Case<nb::GeluOp>([&](auto gelu) { return exportGelu(ex, gelu); })
      .Case<nb::ClipOp>([&](auto clip) { return exportClip(ex, clip); })
      .Case<nb::CastOp>([&](auto cast) { return exportCast(ex, cast); })
      .Case<nb::AddOp>([&](auto) { return plain("Add"); })
      .Case<nb::SubOp>([&](auto) { return plain("Sub"); })
      .Case<nb::MulOp>([&](auto) { return plain("Mul"); })
      .Case<nb::DivOp>([&](auto) { return plain("Div"); })
      .Case<nb::PowOp>([&](auto) { return plain("Pow"); })
      .Case<nb::EqualOp>([&](auto) { return plain("Equal"); })
      .Case<nb::WhereOp>([&](auto) { return plain("Where"); })
      .Case<nb::ConvOp>([&](auto conv) { return exportConv(ex, conv); })
      .Case<nb::ConvTransposeOp>(
          [&](auto conv) { return exportConvTranspose(ex, conv); })
      .Case<nb::BatchNormOp>([&](auto bn) { return exportBatchNorm(ex, bn); })
      .Case<nb::LayerNormOp>([&](auto ln) { return exportLayerNorm(ex, ln); })
      .Case<nb::SimplifiedLayerNormOp>(
          [&](auto ln) { return exportSimplifiedLayerNorm(ex, ln); })
      .Case<nb::MaxPoolOp>([&](auto pool) { return exportMaxPool(ex, pool); })
      .Case<nb::AveragePoolOp>(
          [&](auto pool) { return exportAveragePool(ex, pool); })
      .Case<nb::GlobalAveragePoolOp>(
          [&](auto) { return plain("GlobalAveragePool"); })
      .Case<nb::SoftmaxOp>([&](auto sm) { return exportSoftmax(ex, sm); })
      .Case<nb::ReduceMeanOp>(
          [&](auto reduce) { return exportReduceMean(ex, reduce); })
      .Case<nb::MatMulOp>([&](auto) { return plain("MatMul"); })
      .Case<nb::GemmOp>([&](auto gemm) { return exportGemm(ex, gemm); })
      .Case<nb::QuantizeLinearOp>(
          [&](auto q) { return exportQuantizeLinear(ex, q); })
      .Case<nb::DequantizeLinearOp>(
          [&](auto dq) { return exportDequantizeLinear(ex, dq); })
      .Case<nb::DynamicQuantizeLinearOp>(
          [&](auto) { return plain("DynamicQuantizeLinear"); })
      .Case<nb::MatMulIntegerOp>(
          [&](auto mm) { return exportMatMulInteger(ex, mm); })
      .Case<nb::ConvIntegerOp>(
          [&](auto conv) { return exportConvInteger(ex, conv); })
      .Case<nb::QLinearMatMulOp>([&](auto) { return plain("QLinearMatMul"); })
      .Case<nb::QLinearConvOp>(
          [&](auto conv) { return exportQLinearConv(ex, conv); })
      .Case<nb::OpaqueOp>([&](auto opaque) { return exportOpaque(ex, opaque); })
      .Default([&](Operation *other) {
        return emitOpError(other) << "has no ONNX export";
      });
}
