//===- NBOpsFolders.cpp - constant folding of nb ops ----------------------===//
//
// Folders for the shape arithmetic that ONNX exporters emit
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains, Range,
// ConstantOfShape) and for identities. Constant folding is limited to
// kMaxFoldElements elements: the point is shape math, not evaluating weights.
// Float arithmetic folds with IEEE round-to-nearest-even, which is what the
// runtime computes for a single add/sub/mul/div.
//
//===----------------------------------------------------------------------===//
#include "NBOpsUtils.h"
#include "nibble/Dialect/NB/IR/NBOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::nb;
using namespace mlir::nb::detail;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A static result type small enough to fold into, or null.
static RankedTensorType foldableResultType(Value result) {
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements ||
      isQuant(type.getElementType()))
    return {};
  return type;
}

/// A constant operand small enough to fold.
static DenseElementsAttr smallConstant(Attribute attr) {
  auto elements = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!elements ||
      (!elements.isSplat() && elements.getNumElements() > kMaxFoldElements))
    return {};
  return elements;
}

/// The input as the result type when only the shape changes (reshape-like
/// ops): the input itself if the types are equal, or a reshaped constant.
static OpFoldResult foldReshapeLike(Value input, Attribute inputAttr,
                                    Value result) {
  if (input.getType() == result.getType() &&
      cast<ShapedType>(result.getType()).hasStaticShape())
    return input;
  auto type = dyn_cast<RankedTensorType>(result.getType());
  auto elements = dyn_cast_if_present<DenseElementsAttr>(inputAttr);
  if (!type || !type.hasStaticShape() || !elements ||
      elements.getElementType() != type.getElementType() ||
      elements.getNumElements() != type.getNumElements())
    return {};
  // Reshaping copies non-splat data; keep that to small tensors.
  if (!elements.isSplat() && elements.getNumElements() > kMaxFoldElements)
    return {};
  return elements.reshape(type);
}

/// The linear index into a broadcast operand of shape `shape` for the
/// result multi-index `index` (right-aligned, size-1 dims broadcast).
static int64_t broadcastLinearIndex(ArrayRef<int64_t> index,
                                    ArrayRef<int64_t> shape) {
  int64_t linear = 0;
  size_t offset = index.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    linear = linear * shape[i] + (shape[i] == 1 ? 0 : index[offset + i]);
  return linear;
}

static void delinearize(int64_t linear, ArrayRef<int64_t> shape,
                        SmallVectorImpl<int64_t> &index) {
  index.assign(shape.size(), 0);
  for (int64_t i = shape.size() - 1; i >= 0; --i) {
    index[i] = linear % shape[i];
    linear /= shape[i];
  }
}

/// Folds an elementwise op with broadcasting over constant operands. `fn`
/// computes one result element from one element per operand, or returns a
/// null attribute to abandon the fold (e.g. division by zero).
static Attribute
foldBroadcastElementwise(ArrayRef<Attribute> operands, Value result,
                         function_ref<Attribute(ArrayRef<Attribute>)> fn) {
  RankedTensorType resultType = foldableResultType(result);
  if (!resultType)
    return {};
  SmallVector<DenseElementsAttr> inputs;
  SmallVector<SmallVector<Attribute>> values;
  for (Attribute operand : operands) {
    DenseElementsAttr elements = smallConstant(operand);
    if (!elements || elements.getType().getRank() > resultType.getRank())
      return {};
    inputs.push_back(elements);
    values.push_back(
        elements.isSplat()
            ? SmallVector<Attribute>{elements.getSplatValue<Attribute>()}
            : llvm::to_vector(elements.getValues<Attribute>()));
  }
  SmallVector<Attribute> resultValues;
  SmallVector<int64_t> index;
  SmallVector<Attribute> args(inputs.size());
  for (int64_t r = 0, e = resultType.getNumElements(); r < e; ++r) {
    delinearize(r, resultType.getShape(), index);
    for (size_t i = 0; i < inputs.size(); ++i)
      args[i] = inputs[i].isSplat()
                    ? values[i][0]
                    : values[i][broadcastLinearIndex(
                          index, inputs[i].getType().getShape())];
    Attribute value = fn(args);
    if (!value)
      return {};
    resultValues.push_back(value);
  }
  return DenseElementsAttr::get(resultType, resultValues);
}

/// Binary arithmetic on integer or float constants of the result's type.
static Attribute foldArithmetic(
    ArrayRef<Attribute> operands, Value result,
    function_ref<std::optional<APInt>(const APInt &, const APInt &, bool)>
        intFn,
    function_ref<APFloat(const APFloat &, const APFloat &)> floatFn) {
  Type elementType = getElementType(result);
  return foldBroadcastElementwise(
      operands, result, [&](ArrayRef<Attribute> args) -> Attribute {
        auto lhsInt = dyn_cast<IntegerAttr>(args[0]);
        auto rhsInt = dyn_cast<IntegerAttr>(args[1]);
        if (lhsInt && rhsInt && lhsInt.getType() == elementType &&
            rhsInt.getType() == elementType) {
          std::optional<APInt> value =
              intFn(lhsInt.getValue(), rhsInt.getValue(),
                    elementType.isUnsignedInteger());
          return value ? IntegerAttr::get(elementType, *value) : Attribute();
        }
        auto lhsFloat = dyn_cast<FloatAttr>(args[0]);
        auto rhsFloat = dyn_cast<FloatAttr>(args[1]);
        if (lhsFloat && rhsFloat && lhsFloat.getType() == elementType &&
            rhsFloat.getType() == elementType)
          return FloatAttr::get(
              elementType, floatFn(lhsFloat.getValue(), rhsFloat.getValue()));
        return {};
      });
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    if (inner.getInput().getType() == getType())
      return inner.getInput();
  Type elementType = getElementType(getOutput());
  return foldBroadcastElementwise(
      {adaptor.getInput()}, getOutput(),
      [&](ArrayRef<Attribute> args) -> Attribute {
        if (auto i = dyn_cast<IntegerAttr>(args[0]);
            i && i.getType() == elementType && !elementType.isUnsignedInteger())
          return IntegerAttr::get(elementType, -i.getValue());
        if (auto f = dyn_cast<FloatAttr>(args[0]);
            f && f.getType() == elementType)
          return FloatAttr::get(elementType, -f.getValue());
        return {};
      });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Type target = getElementType(getOutput());
  Type source = getElementType(getInput());
  return foldBroadcastElementwise(
      {adaptor.getInput()}, getOutput(),
      [&](ArrayRef<Attribute> args) -> Attribute {
        if (auto i = dyn_cast<IntegerAttr>(args[0])) {
          // i1 and unsigned sources are zero-extended (true is 1, not -1).
          bool isUnsigned = source.isUnsignedInteger() || source.isInteger(1);
          const APInt &value = i.getValue();
          if (auto targetInt = dyn_cast<IntegerType>(target)) {
            if (targetInt.getWidth() == 1)
              return IntegerAttr::get(target, APInt(1, !value.isZero()));
            return IntegerAttr::get(
                target, isUnsigned ? value.zextOrTrunc(targetInt.getWidth())
                                   : value.sextOrTrunc(targetInt.getWidth()));
          }
          if (auto targetFloat = dyn_cast<FloatType>(target)) {
            APFloat f(targetFloat.getFloatSemantics());
            f.convertFromAPInt(value, !isUnsigned,
                               APFloat::rmNearestTiesToEven);
            return FloatAttr::get(target, f);
          }
          return {};
        }
        if (auto f = dyn_cast<FloatAttr>(args[0])) {
          auto targetFloat = dyn_cast<FloatType>(target);
          if (!targetFloat)
            return {}; // float -> int saturation rules differ by opset
          APFloat value = f.getValue();
          bool losesInfo;
          value.convert(targetFloat.getFloatSemantics(),
                        APFloat::rmNearestTiesToEven, &losesInfo);
          return FloatAttr::get(target, value);
        }
        return {};
      });
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getOutput(),
      [](const APInt &a, const APInt &b, bool) { return std::optional(a + b); },
      [](const APFloat &a, const APFloat &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getOutput(),
      [](const APInt &a, const APInt &b, bool) { return std::optional(a - b); },
      [](const APFloat &a, const APFloat &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getOutput(),
      [](const APInt &a, const APInt &b, bool) { return std::optional(a * b); },
      [](const APFloat &a, const APFloat &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getOutput(),
      [](const APInt &a, const APInt &b,
         bool isUnsigned) -> std::optional<APInt> {
        // Division by zero is undefined; INT_MIN / -1 overflows.
        if (b.isZero() ||
            (!isUnsigned && a.isMinSignedValue() && b.isAllOnes()))
          return std::nullopt;
        return isUnsigned ? a.udiv(b) : a.sdiv(b);
      },
      [](const APFloat &a, const APFloat &b) { return a / b; });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  Type i1 = IntegerType::get(getContext(), 1);
  return foldBroadcastElementwise(
      adaptor.getOperands(), getOutput(),
      [&](ArrayRef<Attribute> args) -> Attribute {
        if (auto a = dyn_cast<IntegerAttr>(args[0]))
          if (auto b = dyn_cast<IntegerAttr>(args[1]))
            return IntegerAttr::get(i1, APInt(1, a.getValue() == b.getValue()));
        if (auto a = dyn_cast<FloatAttr>(args[0]))
          if (auto b = dyn_cast<FloatAttr>(args[1]))
            return IntegerAttr::get(
                i1, APInt(1, a.getValue().compare(b.getValue()) ==
                                 APFloat::cmpEqual));
        return {};
      });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  // A splat condition selects one side whole.
  if (auto condition =
          dyn_cast_if_present<DenseElementsAttr>(adaptor.getCondition());
      condition && condition.isSplat()) {
    Value chosen = condition.getSplatValue<bool>() ? getX() : getY();
    if (chosen.getType() == getType())
      return chosen;
  }
  return foldBroadcastElementwise(
      adaptor.getOperands(), getOutput(),
      [](ArrayRef<Attribute> args) -> Attribute {
        auto condition = dyn_cast<IntegerAttr>(args[0]);
        if (!condition)
          return {};
        return condition.getValue().isZero() ? args[2] : args[1];
      });
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getOutput());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getOutput());
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getOutput());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getOutput());
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      cast<ShapedType>(getType()).hasStaticShape())
    return getInput();
  auto type = dyn_cast<RankedTensorType>(getType());
  auto input = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput());
  if (type && type.hasStaticShape() && input && input.isSplat() &&
      input.getElementType() == type.getElementType())
    return input.resizeSplat(type);
  return foldBroadcastElementwise(
      {adaptor.getInput()}, getOutput(),
      [](ArrayRef<Attribute> args) { return args[0]; });
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = !perm.empty();
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity && getInput().getType() == getType())
    return getInput();
  RankedTensorType resultType = foldableResultType(getOutput());
  DenseElementsAttr input = smallConstant(adaptor.getInput());
  if (!resultType || !input ||
      input.getElementType() != resultType.getElementType())
    return {};
  if (input.isSplat())
    return input.resizeSplat(resultType);
  ArrayRef<int64_t> inputShape = input.getType().getShape();
  SmallVector<int64_t> order(perm);
  if (order.empty())
    for (int64_t i = inputShape.size() - 1; i >= 0; --i)
      order.push_back(i);
  auto values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> result;
  SmallVector<int64_t> index, inputIndex(inputShape.size());
  for (int64_t r = 0, e = resultType.getNumElements(); r < e; ++r) {
    delinearize(r, resultType.getShape(), index);
    for (size_t i = 0; i < order.size(); ++i)
      inputIndex[order[i]] = index[i];
    int64_t linear = 0;
    for (size_t i = 0; i < inputShape.size(); ++i)
      linear = linear * inputShape[i] + inputIndex[i];
    result.push_back(values[linear]);
  }
  return DenseElementsAttr::get(resultType, result);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto inputType = dyn_cast<RankedTensorType>(getInput().getType());
  auto resultType = dyn_cast<RankedTensorType>(getType());
  if (!inputType || !resultType || !resultType.hasStaticShape())
    return {};
  int64_t rank = inputType.getRank();
  auto clamp = [rank](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t start = clamp(getStart());
  int64_t end = getEnd() ? clamp(*getEnd()) : rank;
  SmallVector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) {
    if (inputType.isDynamicDim(i))
      return {};
    dims.push_back(inputType.getDimSize(i));
  }
  if (static_cast<int64_t>(dims.size()) != resultType.getNumElements())
    return {};
  return DenseIntElementsAttr::get(resultType, dims);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  RankedTensorType resultType = foldableResultType(getOutput());
  DenseElementsAttr data = smallConstant(adaptor.getData());
  auto indices = dyn_cast_if_present<DenseIntElementsAttr>(
      smallConstant(adaptor.getIndices()));
  if (!resultType || !data || !indices ||
      data.getElementType() != resultType.getElementType())
    return {};
  ArrayRef<int64_t> shape = data.getType().getShape();
  std::optional<int64_t> axis = normalizeAxis(getAxis(), shape.size());
  if (!axis)
    return {};
  int64_t axisDim = shape[*axis];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= shape[i];
  for (int64_t i = *axis + 1, e = shape.size(); i < e; ++i)
    inner *= shape[i];
  auto values = llvm::to_vector(data.getValues<Attribute>());
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (const APInt &rawIndex : indices.getValues<APInt>()) {
      int64_t index = rawIndex.getSExtValue();
      if (index < 0)
        index += axisDim;
      if (index < 0 || index >= axisDim)
        return {}; // out of range: leave the error to runtime
      for (int64_t i = 0; i < inner; ++i)
        result.push_back(values[(o * axisDim + index) * inner + i]);
    }
  if (static_cast<int64_t>(result.size()) != resultType.getNumElements())
    return {};
  return DenseElementsAttr::get(resultType, result);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  RankedTensorType resultType = foldableResultType(getOutput());
  if (!resultType)
    return {};
  std::optional<int64_t> axis = normalizeAxis(getAxis(), resultType.getRank());
  if (!axis)
    return {};
  int64_t outer = 1;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= resultType.getDimSize(i);
  SmallVector<SmallVector<Attribute>> inputs;
  SmallVector<int64_t> chunks;
  for (Attribute operand : adaptor.getInputs()) {
    DenseElementsAttr elements = smallConstant(operand);
    if (!elements || elements.getElementType() != resultType.getElementType() ||
        !elements.getType().hasStaticShape())
      return {};
    int64_t count = elements.getNumElements();
    inputs.push_back(
        elements.isSplat()
            ? SmallVector<Attribute>(count, elements.getSplatValue<Attribute>())
            : llvm::to_vector(elements.getValues<Attribute>()));
    chunks.push_back(outer ? count / outer : 0);
  }
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < inputs.size(); ++i)
      result.append(inputs[i].begin() + o * chunks[i],
                    inputs[i].begin() + (o + 1) * chunks[i]);
  if (static_cast<int64_t>(result.size()) != resultType.getNumElements())
    return {};
  return DenseElementsAttr::get(resultType, result);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getData().getType() == getType() &&
      cast<ShapedType>(getType()).hasStaticShape()) {
    // A slice that keeps every element (e.g. [0, INT64_MAX) step 1).
    SmallVector<int64_t> steps;
    if (!getSteps() || (getConstantInts(getSteps(), steps) &&
                        llvm::all_of(steps, [](int64_t s) { return s == 1; })))
      return getData();
  }
  RankedTensorType resultType = foldableResultType(getOutput());
  DenseElementsAttr data = smallConstant(adaptor.getData());
  SmallVector<int64_t> starts, ends, axes, steps;
  if (!resultType || !data ||
      data.getElementType() != resultType.getElementType() ||
      !getConstantInts(getStarts(), starts) ||
      !getConstantInts(getEnds(), ends) ||
      (getAxes() && !getConstantInts(getAxes(), axes)) ||
      (getSteps() && !getConstantInts(getSteps(), steps)))
    return {};
  ArrayRef<int64_t> shape = data.getType().getShape();
  int64_t rank = shape.size();
  if (!getAxes())
    for (int64_t i = 0, e = starts.size(); i < e; ++i)
      axes.push_back(i);
  // Per-dim start and step; the result type already has the sizes.
  SmallVector<int64_t> begin(rank, 0), stride(rank, 1);
  for (size_t i = 0; i < axes.size() && i < starts.size(); ++i) {
    std::optional<int64_t> axis = normalizeAxis(axes[i], rank);
    if (!axis)
      return {};
    int64_t dim = shape[*axis], step = i < steps.size() ? steps[i] : 1;
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    start = step > 0 ? std::clamp<int64_t>(start, 0, dim)
                     : std::clamp<int64_t>(start, 0, dim - 1);
    begin[*axis] = start;
    stride[*axis] = step;
  }
  auto values = llvm::to_vector(data.getValues<Attribute>());
  SmallVector<Attribute> result;
  SmallVector<int64_t> index;
  for (int64_t r = 0, e = resultType.getNumElements(); r < e; ++r) {
    delinearize(r, resultType.getShape(), index);
    int64_t linear = 0;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t coordinate = begin[i] + index[i] * stride[i];
      if (coordinate < 0 || coordinate >= shape[i])
        return {};
      linear = linear * shape[i] + coordinate;
    }
    result.push_back(data.isSplat() ? values[0] : values[linear]);
  }
  return DenseElementsAttr::get(resultType, result);
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType resultType = foldableResultType(getOutput());
  if (!resultType)
    return {};
  auto scalar = [](Attribute attr) -> Attribute {
    auto elements = dyn_cast_if_present<DenseElementsAttr>(attr);
    if (!elements || elements.getNumElements() != 1)
      return {};
    return elements.getSplatValue<Attribute>();
  };
  Attribute start = scalar(adaptor.getStart());
  Attribute delta = scalar(adaptor.getDelta());
  if (!start || !delta || !scalar(adaptor.getLimit()))
    return {};
  Type elementType = resultType.getElementType();
  SmallVector<Attribute> result;
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
    if (auto s = dyn_cast<IntegerAttr>(start)) {
      APInt value = s.getValue() +
                    cast<IntegerAttr>(delta).getValue() *
                        APInt(s.getValue().getBitWidth(), i, /*isSigned=*/true);
      result.push_back(IntegerAttr::get(elementType, value));
    } else if (auto s = dyn_cast<FloatAttr>(start)) {
      // ONNX Range accumulates start + i * delta in the element type.
      APFloat value = cast<FloatAttr>(delta).getValue();
      APFloat index(value.getSemantics());
      index.convertFromAPInt(APInt(64, i), /*isSigned=*/false,
                             APFloat::rmNearestTiesToEven);
      value.multiply(index, APFloat::rmNearestTiesToEven);
      value.add(s.getValue(), APFloat::rmNearestTiesToEven);
      result.push_back(FloatAttr::get(elementType, value));
    } else {
      return {};
    }
  }
  return DenseElementsAttr::get(resultType, result);
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto resultType = dyn_cast<RankedTensorType>(getType());
  auto value = dyn_cast<DenseElementsAttr>(getValue());
  if (!resultType || !resultType.hasStaticShape() || !value ||
      value.getElementType() != resultType.getElementType())
    return {};
  return DenseElementsAttr::get(resultType, value.getSplatValue<Attribute>());
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }
