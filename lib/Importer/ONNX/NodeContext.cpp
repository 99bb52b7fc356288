//===- NodeContext.cpp - What a converter sees of one ONNX node -----------===//
#include "ONNXImporterImpl.h"

#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Importer/ONNX/ONNXImporter.h"

using namespace mlir;
using namespace nibble::onnx_import;

InFlightDiagnostic NodeContext::emitError() {
  hadError = true;
  auto diag = mlir::emitError(loc)
              << "node '" << cast<NameLoc>(loc).getName().getValue() << "' ("
              << node.op_type();
  if (version > 0)
    diag << "-" << version;
  return std::move(diag) << ", domain '" << domain << "', opset " << opset
                         << "): ";
}

//===----------------------------------------------------------------------===//
// Inputs and outputs
//===----------------------------------------------------------------------===//

LogicalResult NodeContext::checkInputs(unsigned min, unsigned max) {
  unsigned n = getNumInputs();
  if (n < min || n > max) {
    auto diag = emitError() << "expects ";
    if (min == max)
      diag << min;
    else
      diag << min << " to " << max;
    diag << " inputs, got " << n;
    return failure();
  }
  for (unsigned i = 0; i < min; ++i)
    if (!hasInput(i))
      return emitError() << "input #" << i << " is required", failure();
  return success();
}

unsigned NodeContext::getNumInputs() const {
  unsigned n = node.input_size();
  while (n > 0 && node.input(n - 1).empty())
    --n;
  return n;
}

bool NodeContext::hasInput(unsigned i) const {
  return i < unsigned(node.input_size()) && !node.input(i).empty();
}

Value NodeContext::getInput(unsigned i) const {
  return hasInput(i) ? importer.lookup(node.input(i)) : Value();
}

Value NodeContext::getNonEmptyInput(unsigned i) const {
  Value value = getInput(i);
  if (!value)
    return {};
  if (auto type = dyn_cast<RankedTensorType>(value.getType()))
    if (type.hasStaticShape() && type.getNumElements() == 0)
      return {};
  return value;
}

Type NodeContext::getInputElementType(unsigned i) const {
  Value value = getInput(i);
  return value ? cast<ShapedType>(value.getType()).getElementType() : Type();
}

std::optional<int64_t> NodeContext::getInputRank(unsigned i) const {
  Value value = getInput(i);
  if (!value)
    return std::nullopt;
  if (auto type = dyn_cast<RankedTensorType>(value.getType()))
    return type.getRank();
  return std::nullopt;
}

bool NodeContext::hasOutput(unsigned i) const {
  return i < unsigned(node.output_size()) && !node.output(i).empty();
}

TensorType NodeContext::getResultType(unsigned i, Type elementType) {
  if (!elementType)
    elementType = getInputElementType(0);
  if (!elementType)
    elementType = builder.getF32Type();
  if (hasOutput(i))
    if (TensorType declared = importer.getDeclaredType(node.output(i))) {
      // A declared element type that disagrees with the op's semantics
      // (a malformed value_info) would only produce verifier errors later.
      if (declared.getElementType() == elementType)
        return declared;
    }
  return UnrankedTensorType::get(elementType);
}

LogicalResult NodeContext::setResults(ValueRange values) {
  for (int i = 0, e = node.output_size(); i < e; ++i) {
    if (node.output(i).empty())
      continue;
    if (unsigned(i) >= values.size() || !values[i]) {
      emitError() << "output #" << i << " ('" << node.output(i)
                  << "') is not supported";
      return failure();
    }
    importer.bind(node.output(i), values[i]);
    recordOutputName(values[i], node.output(i));
  }
  return success();
}

/// Names result `value` after ONNX tensor `name` in its op's
/// `nb.output_names`, so calibration tables can be keyed by tensor name.
/// The first name a value gets wins: a node that forwards a value it did not
/// create (Identity, or a converter folding the node away) aliases a tensor
/// that already has a name, or a graph input, which has its own. Constants
/// are not named: nothing observes them.
void NodeContext::recordOutputName(Value value, StringRef name) {
  auto result = dyn_cast<OpResult>(value);
  if (!result || isa<nb::ConstantOp>(result.getOwner()))
    return;
  Operation *op = result.getOwner();
  MLIRContext *context = getContext();
  SmallVector<Attribute> names(op->getNumResults(),
                               StringAttr::get(context, ""));
  if (auto old = op->getAttrOfType<ArrayAttr>(kONNXOutputNamesAttr)) {
    if (old.size() == names.size())
      names.assign(old.begin(), old.end());
  }
  unsigned index = result.getResultNumber();
  auto existing = dyn_cast<StringAttr>(names[index]);
  if (existing && !existing.getValue().empty())
    return;
  names[index] = StringAttr::get(context, name);
  op->setAttr(kONNXOutputNamesAttr, ArrayAttr::get(context, names));
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeContext::getAttr(StringRef name) const {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

bool NodeContext::checkType(const onnx::AttributeProto &attr, int expected,
                            StringRef expectedName) {
  using AP = onnx::AttributeProto;
  int actual = attr.type();
  if (actual == AP::UNDEFINED) {
    // Very old exporters leave `type` unset; go by the populated field.
    bool present = false;
    switch (expected) {
    case AP::FLOAT: present = attr.has_f(); break;
    case AP::INT: present = attr.has_i(); break;
    case AP::STRING: present = attr.has_s(); break;
    case AP::TENSOR: present = attr.has_t(); break;
    case AP::INTS: present = attr.ints_size() > 0; break;
    case AP::FLOATS: present = attr.floats_size() > 0; break;
    default: break;
    }
    if (present)
      return true;
  } else if (actual == expected) {
    return true;
  }
  emitError() << "attribute '" << attr.name() << "' must be " << expectedName
              << ", got "
              << (AP::AttributeType_IsValid(actual)
                      ? AP::AttributeType_Name(AP::AttributeType(actual))
                      : std::string("an unknown type"));
  return false;
}

int64_t NodeContext::getInt(StringRef name, int64_t def) {
  const auto *attr = getAttr(name);
  if (!attr || !checkType(*attr, onnx::AttributeProto::INT, "INT"))
    return def;
  return attr->i();
}

float NodeContext::getFloat(StringRef name, float def) {
  const auto *attr = getAttr(name);
  if (!attr || !checkType(*attr, onnx::AttributeProto::FLOAT, "FLOAT"))
    return def;
  return attr->f();
}

std::string NodeContext::getString(StringRef name, StringRef def) {
  const auto *attr = getAttr(name);
  if (!attr || !checkType(*attr, onnx::AttributeProto::STRING, "STRING"))
    return def.str();
  return attr->s();
}

std::optional<SmallVector<int64_t>> NodeContext::getInts(StringRef name) {
  const auto *attr = getAttr(name);
  if (!attr || !checkType(*attr, onnx::AttributeProto::INTS, "INTS"))
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

SmallVector<int64_t> NodeContext::getIntsOr(StringRef name,
                                            ArrayRef<int64_t> def) {
  if (auto values = getInts(name))
    return *values;
  return SmallVector<int64_t>(def);
}

std::optional<ElementsAttr> NodeContext::getTensor(StringRef name) {
  const auto *attr = getAttr(name);
  if (!attr || !checkType(*attr, onnx::AttributeProto::TENSOR, "TENSOR"))
    return std::nullopt;
  // Conversion may move the raw bytes out; convert a copy so the node stays
  // intact for diagnostics.
  onnx::TensorProto tensor = attr->t();
  if (tensor.name().empty())
    tensor.set_name((node.name() + "." + name).str());
  auto converted = convertTensor(tensor, loc, importer.getPolicy());
  if (failed(converted)) {
    hadError = true;
    return std::nullopt;
  }
  return *converted;
}

void NodeContext::reportBadEnum(StringRef name, StringRef value) {
  emitError() << "attribute '" << name << "' has unsupported value '" << value
              << "'";
}

DictionaryAttr NodeContext::getAttrDictionary() {
  using AP = onnx::AttributeProto;
  SmallVector<NamedAttribute> attrs;
  Builder b(getContext());
  for (const auto &attr : node.attribute()) {
    Attribute value;
    switch (attr.type()) {
    case AP::FLOAT: value = b.getF32FloatAttr(attr.f()); break;
    case AP::INT: value = b.getI64IntegerAttr(attr.i()); break;
    case AP::STRING: value = b.getStringAttr(attr.s()); break;
    case AP::FLOATS:
      value = b.getDenseF32ArrayAttr(
          SmallVector<float>(attr.floats().begin(), attr.floats().end()));
      break;
    case AP::INTS:
      value = b.getDenseI64ArrayAttr(
          SmallVector<int64_t>(attr.ints().begin(), attr.ints().end()));
      break;
    case AP::STRINGS: {
      SmallVector<Attribute> strings;
      for (const auto &s : attr.strings())
        strings.push_back(b.getStringAttr(s));
      value = b.getArrayAttr(strings);
      break;
    }
    case AP::TENSOR:
      if (auto tensor = getTensor(attr.name()))
        value = *tensor;
      break;
    default:
      // Graphs, type protos and sparse tensors have no builtin attribute;
      // keep their kind so the node stays recognizable.
      value = b.getStringAttr(
          "<" +
          (AP::AttributeType_IsValid(attr.type())
               ? AP::AttributeType_Name(AP::AttributeType(attr.type()))
               : std::string("unknown")) +
          " attribute>");
    }
    if (value)
      attrs.push_back(b.getNamedAttr(attr.name(), value));
  }
  return b.getDictionaryAttr(attrs);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

Value NodeContext::createI64Constant(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())},
                                    builder.getI64Type());
  return createConstant(DenseElementsAttr::get(type, values));
}

Value NodeContext::createConstant(ElementsAttr attr) {
  return mlir::nb::ConstantOp::create(builder, loc, attr.getType(), attr);
}

Value NodeContext::createFloatScalar(Type elementType, double value,
                                     StringRef what) {
  auto floatType = dyn_cast<FloatType>(elementType);
  if (!floatType) {
    emitError() << what << " needs a float input, got " << elementType;
    return {};
  }
  APFloat converted(value);
  bool losesInfo;
  converted.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
  return createConstant(DenseElementsAttr::get(
      RankedTensorType::get({}, elementType), converted));
}

Value NodeContext::castTo(Value value, Type elementType) {
  auto type = cast<ShapedType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  Type resultType =
      type.hasRank() ? Type(RankedTensorType::get(type.getShape(), elementType))
                     : Type(UnrankedTensorType::get(elementType));
  return mlir::nb::CastOp::create(builder, loc, resultType, value,
                                  /*saturate=*/true);
}
