//===- ONNXExporter.cpp - the nb dialect to an ONNX ModelProto ------------===//
//
// Builds the GraphProto of one function: graph inputs from the arguments,
// one node (or a few) per op in block order, which is a topological order,
// initializers for the constants nodes read, and graph outputs. A returned
// value that a node computes takes the output's name directly; a returned
// argument, constant or value returned twice goes through an Identity node,
// since ONNX names each output once and outputs are not initializers.
//
// The serialized model (and external data) is assembled in memory and only
// written once everything succeeded, through temporary files renamed into
// place, so a failed export leaves nothing behind.
//
//===----------------------------------------------------------------------===//
#include "nibble/Exporter/ONNX/ONNXExporter.h"

#include "ONNXExporterImpl.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Importer/ONNX/ONNXImporter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <climits>

using namespace mlir;
using namespace nibble;
using namespace nibble::onnx_export;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::string nibble::onnx_export::getLocName(Location loc) {
  if (auto nameLoc = loc->findInstanceOf<NameLoc>())
    return nameLoc.getName().str();
  return "";
}

std::string GraphExporter::uniqueName(StringRef base) {
  std::string name = base.empty() ? std::string("t") : base.str();
  if (usedNames.insert(name).second)
    return name;
  for (unsigned i = 1;; ++i) {
    std::string candidate = name + "_" + std::to_string(i);
    if (usedNames.insert(candidate).second)
      return candidate;
  }
}

bool GraphExporter::reserveName(Value value, StringRef name) {
  if (names.count(value))
    return false;
  names[value] = name.str();
  usedNames.insert(name);
  return true;
}

std::string GraphExporter::getResultName(Value value) {
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  auto result = cast<OpResult>(value);
  Operation *op = result.getOwner();
  unsigned index = result.getResultNumber();
  // The importer records each node output's tensor name in
  // `nb.output_names` (ONNXImporter.h); keeping it keeps calibration tables
  // keyed by tensor name valid for the exported model.
  std::string base;
  if (auto outputNames = op->getAttrOfType<ArrayAttr>("nb.output_names"))
    if (outputNames.size() == op->getNumResults())
      if (auto name = dyn_cast<StringAttr>(outputNames[index]))
        base = name.str();
  if (base.empty()) {
    // The naming rule of nb-instrument-observers: `<node>` for a single
    // result, `<node>:<i>` for result i of several.
    base = getLocName(op->getLoc());
    if (base.empty())
      base = op->getName().stripDialect().str();
    if (op->getNumResults() > 1)
      base += ":" + std::to_string(index);
  }
  std::string name = uniqueName(base);
  names[value] = name;
  return name;
}

LogicalResult GraphExporter::alias(Value aliasValue, Value value) {
  FailureOr<std::string> name = getName(value);
  if (failed(name))
    return failure();
  names[aliasValue] = *name;
  return success();
}

/// The constant a value is, looking through quant.scast: the nb.constant
/// and whether a scast re-typed it.
static nb::ConstantOp getConstant(Value value) {
  if (auto scast = value.getDefiningOp<quant::StorageCastOp>())
    value = scast.getInput();
  return value.getDefiningOp<nb::ConstantOp>();
}

FailureOr<std::string> GraphExporter::createInitializer(Value value) {
  nb::ConstantOp constant = getConstant(value);
  Location loc = value.getLoc();
  auto type = cast<ShapedType>(value.getType());
  int32_t dataType = getDataType(type.getElementType());
  if (!dataType)
    return emitError(loc) << "constant of element type "
                          << type.getElementType()
                          << " has no ONNX data type",
           failure();
  // Initializers keep their names through the importer's NameLocs; without
  // locations, a resource blob's key is the name it was imported under.
  std::string base = getLocName(constant.getLoc());
  if (base.empty())
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      base = resource.getRawHandle().getKey().str();
  if (base.empty())
    base = "const";
  std::string name = uniqueName(base);
  onnx::TensorProto &tensor = *graph.add_initializer();
  tensor.set_name(name);
  if (failed(convertElements(constant.getValue(), dataType, tensor,
                             constant.getLoc())))
    return failure();
  names[value] = name;
  return name;
}

std::string GraphExporter::addInitializer(StringRef base, ElementsAttr value,
                                          Operation *op) {
  std::string name = uniqueName(base);
  onnx::TensorProto &tensor = *graph.add_initializer();
  tensor.set_name(name);
  if (failed(convertElements(value, getDataType(value.getElementType()),
                             tensor, op->getLoc())))
    return "";
  return name;
}

FailureOr<std::string> GraphExporter::getName(Value value) {
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  if (getConstant(value))
    return createInitializer(value);
  // Ops are exported in block order, so this is a value of an op that
  // failed or was skipped.
  return emitError(value.getLoc()) << "value used before it is exported",
         failure();
}

NodeBuilder GraphExporter::createNode(Operation *op, StringRef opType) {
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type(opType.str());
  std::string base = getLocName(op->getLoc());
  if (base.empty())
    base = opType.str();
  std::string name = base;
  for (unsigned i = 1; !usedNodeNames.insert(name).second; ++i)
    name = base + "_" + std::to_string(i);
  node.set_name(name);
  return NodeBuilder(*this, node, op);
}

NodeBuilder nibble::onnx_export::createPlainNode(GraphExporter &exporter,
                                                 Operation *op,
                                                 StringRef opType) {
  NodeBuilder node = exporter.createNode(op, opType);
  node.addInputs(op->getOperands()).addOutputs(op->getResults());
  return node;
}

//===----------------------------------------------------------------------===//
// NodeBuilder
//===----------------------------------------------------------------------===//

NodeBuilder &NodeBuilder::setDomain(StringRef domain) {
  node.set_domain(domain.str());
  return *this;
}

NodeBuilder &NodeBuilder::addInput(Value value) {
  if (!value) {
    node.add_input("");
    return *this;
  }
  FailureOr<std::string> name = exporter.getName(value);
  if (failed(name))
    hadError = true;
  node.add_input(succeeded(name) ? *name : "");
  return *this;
}

NodeBuilder &NodeBuilder::addInputs(ValueRange values) {
  for (Value value : values)
    addInput(value);
  return *this;
}

NodeBuilder &NodeBuilder::addOutput(Value value) {
  node.add_output(value ? exporter.getResultName(value) : "");
  return *this;
}

NodeBuilder &NodeBuilder::addOutputs(ValueRange values) {
  for (Value value : values)
    addOutput(value);
  return *this;
}

onnx::AttributeProto &
NodeBuilder::addAttr(StringRef name, onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto &attr = *node.add_attribute();
  attr.set_name(name.str());
  attr.set_type(type);
  return attr;
}

NodeBuilder &NodeBuilder::setInt(StringRef name, int64_t value) {
  addAttr(name, onnx::AttributeProto::INT).set_i(value);
  return *this;
}

NodeBuilder &NodeBuilder::setFloat(StringRef name, float value) {
  addAttr(name, onnx::AttributeProto::FLOAT).set_f(value);
  return *this;
}

NodeBuilder &NodeBuilder::setString(StringRef name, StringRef value) {
  addAttr(name, onnx::AttributeProto::STRING).set_s(value.str());
  return *this;
}

NodeBuilder &NodeBuilder::setInts(StringRef name, ArrayRef<int64_t> values) {
  auto &attr = addAttr(name, onnx::AttributeProto::INTS);
  for (int64_t value : values)
    attr.add_ints(value);
  return *this;
}

NodeBuilder &NodeBuilder::setFloats(StringRef name, ArrayRef<float> values) {
  auto &attr = addAttr(name, onnx::AttributeProto::FLOATS);
  for (float value : values)
    attr.add_floats(value);
  return *this;
}

NodeBuilder &NodeBuilder::setStrings(StringRef name,
                                     ArrayRef<std::string> values) {
  auto &attr = addAttr(name, onnx::AttributeProto::STRINGS);
  for (const std::string &value : values)
    attr.add_strings(value);
  return *this;
}

NodeBuilder &NodeBuilder::setTensor(StringRef name, ElementsAttr value) {
  auto &attr = addAttr(name, onnx::AttributeProto::TENSOR);
  int32_t dataType = getDataType(value.getElementType());
  if (!dataType) {
    emitError(op->getLoc()) << "attribute '" << name << "' has element type "
                            << value.getElementType()
                            << ", which ONNX has no data type for";
    hadError = true;
    return *this;
  }
  if (failed(convertElements(value, dataType, *attr.mutable_t(),
                             op->getLoc())))
    hadError = true;
  return *this;
}

LogicalResult NodeBuilder::finish() {
  while (node.input_size() > 0 && node.input(node.input_size() - 1).empty())
    node.mutable_input()->RemoveLast();
  while (node.output_size() > 0 && node.output(node.output_size() - 1).empty())
    node.mutable_output()->RemoveLast();
  return failure(hadError);
}

//===----------------------------------------------------------------------===//
// The model
//===----------------------------------------------------------------------===//

namespace {
/// Ops that vanish in ONNX: tensor.cast only changes static type knowledge.
Value lookThroughAliases(Value value) {
  while (auto cast = value.getDefiningOp<tensor::CastOp>())
    value = cast.getSource();
  return value;
}

FailureOr<func::FuncOp> findFunction(ModuleOp module, StringRef name) {
  SmallVector<func::FuncOp> funcs;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal())
      funcs.push_back(func);
  if (!name.empty() || funcs.size() != 1) {
    StringRef wanted = name.empty() ? StringRef("main") : name;
    for (func::FuncOp func : funcs)
      if (func.getSymName() == wanted)
        return func;
    InFlightDiagnostic diag = emitError(module.getLoc());
    if (funcs.empty())
      diag << "the module has no function with a body to export";
    else
      diag << "the module has " << funcs.size()
           << " functions and none is named '" << wanted
           << "'; choose one with --export-function";
    return failure();
  }
  return funcs.front();
}

LogicalResult buildModel(ModuleOp module, const ONNXExportOptions &options,
                         onnx::ModelProto &model) {
  FailureOr<func::FuncOp> found = findFunction(module, options.functionName);
  if (failed(found))
    return failure();
  func::FuncOp func = *found;
  if (!func.getBody().hasOneBlock())
    return func.emitError("only functions of one block can be exported");
  Block &body = func.getBody().front();
  auto returnOp = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!returnOp)
    return func.emitError("the function must end in func.return");

  model.set_ir_version(kONNXExportIRVersion);
  model.set_producer_name("nibble");
  model.set_producer_version("0.1.0");
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name(options.graphName.empty() ? func.getSymName().str()
                                           : options.graphName);
  GraphExporter exporter(graph, *module.getContext());

  // Graph inputs.
  SmallVector<std::string> inputNames;
  for (BlockArgument arg : body.getArguments()) {
    unsigned index = arg.getArgNumber();
    std::string name = "input_" + std::to_string(index);
    if (auto attr = func.getArgAttrOfType<StringAttr>(index, kONNXNameAttr))
      name = attr.str();
    inputNames.push_back(name);
    if (exporter.isNamed(arg) || !exporter.reserveName(arg, name))
      return emitError(arg.getLoc())
             << "graph input name '" << name << "' is used twice";
    onnx::ValueInfoProto &info = *graph.add_input();
    info.set_name(name);
    if (failed(convertType(arg.getType(), *info.mutable_type(), arg.getLoc())))
      return failure();
  }

  // Graph output names; a value that a node computes is named after its
  // output, anything else is copied out by an Identity node.
  SmallVector<std::string> outputNames;
  llvm::StringSet<> seenOutputs;
  for (unsigned i = 0, e = returnOp.getNumOperands(); i < e; ++i) {
    std::string name = "output_" + std::to_string(i);
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, kONNXNameAttr))
      name = attr.str();
    if (!seenOutputs.insert(name).second)
      return returnOp.emitError()
             << "graph output name '" << name << "' is used twice";
    outputNames.push_back(name);
  }
  SmallVector<std::pair<Value, std::string>> identities;
  for (auto [operand, name] : llvm::zip(returnOp.getOperands(), outputNames)) {
    Value value = lookThroughAliases(operand);
    bool nodeResult = isa<OpResult>(value) && !getConstant(value);
    bool taken = llvm::is_contained(inputNames, name);
    auto arg = dyn_cast<BlockArgument>(value);
    if (taken && !(arg && inputNames[arg.getArgNumber()] == name))
      return returnOp.emitError()
             << "graph output '" << name
             << "' has the name of a graph input it does not return";
    if (taken)
      continue; // The output is the input of the same name.
    if (nodeResult && exporter.reserveName(value, name))
      continue;
    exporter.reserve(name);
    identities.emplace_back(value, name);
  }

  for (Operation &op : body.without_terminator())
    if (failed(exportOp(exporter, &op)))
      return failure();

  for (auto &[value, name] : identities) {
    FailureOr<std::string> input = exporter.getName(value);
    if (failed(input))
      return failure();
    onnx::NodeProto &node = *graph.add_node();
    node.set_op_type("Identity");
    node.set_name(exporter.uniqueName(name + "_identity"));
    node.add_input(*input);
    node.add_output(name);
  }

  for (auto [index, name] : llvm::enumerate(outputNames)) {
    onnx::ValueInfoProto &info = *graph.add_output();
    info.set_name(name);
    if (failed(convertType(func.getResultTypes()[index], *info.mutable_type(),
                           returnOp.getLoc())))
      return failure();
  }

  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kONNXExportOpset);
  for (const auto &[domain, version] : exporter.getDomains()) {
    if (domain.empty())
      continue;
    auto *import = model.add_opset_import();
    import->set_domain(domain);
    import->set_version(version);
  }
  return success();
}

/// Moves initializers of at least `threshold` bytes into `data`, recording
/// `location` and their offsets (aligned to 64 bytes for memory mapping).
void moveToExternalData(onnx::ModelProto &model, int64_t threshold,
                        StringRef location, std::string &data) {
  for (onnx::TensorProto &tensor :
       *model.mutable_graph()->mutable_initializer()) {
    if (!tensor.has_raw_data() || int64_t(tensor.raw_data().size()) < threshold)
      continue;
    data.resize(llvm::alignTo(data.size(), 64), '\0');
    size_t offset = data.size();
    data += tensor.raw_data();
    tensor.clear_raw_data();
    tensor.set_data_location(onnx::TensorProto::EXTERNAL);
    auto addEntry = [&](StringRef key, StringRef value) {
      auto *entry = tensor.add_external_data();
      entry->set_key(key.str());
      entry->set_value(value.str());
    };
    addEntry("location", location);
    addEntry("offset", std::to_string(offset));
    addEntry("length", std::to_string(data.size() - offset));
  }
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
LogicalResult writeAtomically(StringRef path, StringRef bytes, Location loc) {
  auto temp = llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp)
    return emitError(loc) << "cannot create a temporary file next to '" << path
                          << "': " << llvm::toString(temp.takeError());
  {
    llvm::raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os << bytes;
    os.flush();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      llvm::consumeError(temp->discard());
      return emitError(loc) << "cannot write '" << path << "': " << message;
    }
  }
  if (llvm::Error error = temp->keep(path))
    return emitError(loc) << "cannot write '" << path
                          << "': " << llvm::toString(std::move(error));
  return success();
}

/// The serialized model and its external data (empty when none).
LogicalResult serialize(ModuleOp module, const ONNXExportOptions &options,
                        std::string &modelBytes, std::string &externalData) {
  onnx::ModelProto model;
  if (failed(buildModel(module, options, model)))
    return failure();
  if (options.externalDataThreshold >= 0) {
    std::string location = options.externalDataLocation;
    if (location.empty())
      location = llvm::sys::path::filename(options.externalDataPath).str();
    moveToExternalData(model, options.externalDataThreshold, location,
                       externalData);
    if (!externalData.empty() && options.externalDataPath.empty())
      return emitError(module.getLoc())
             << "weights cross the external data threshold but no external "
                "data file was given (--external-data-file)";
  }
  if (model.ByteSizeLong() > size_t(INT_MAX))
    return emitError(module.getLoc())
           << "the model is over 2 GB, protobuf's limit; store its weights "
              "as external data (--external-data-threshold)";
  if (!model.SerializeToString(&modelBytes))
    return emitError(module.getLoc()) << "cannot serialize the ONNX model";
  return success();
}
} // namespace

LogicalResult nibble::exportToONNX(ModuleOp module, llvm::raw_ostream &os,
                                   const ONNXExportOptions &options) {
  std::string modelBytes, externalData;
  if (failed(serialize(module, options, modelBytes, externalData)))
    return failure();
  if (!externalData.empty() &&
      failed(writeAtomically(options.externalDataPath, externalData,
                             module.getLoc())))
    return failure();
  os << modelBytes;
  return success();
}

LogicalResult nibble::exportToONNXFile(ModuleOp module, StringRef path,
                                       const ONNXExportOptions &options) {
  ONNXExportOptions fileOptions = options;
  if (fileOptions.externalDataPath.empty())
    fileOptions.externalDataPath = (path + ".data").str();
  std::string modelBytes, externalData;
  if (failed(serialize(module, fileOptions, modelBytes, externalData)))
    return failure();
  if (!externalData.empty() &&
      failed(writeAtomically(fileOptions.externalDataPath, externalData,
                             module.getLoc())))
    return failure();
  return writeAtomically(path, modelBytes, module.getLoc());
}
