//===- ONNXImporter.cpp - ONNX ModelProto to the nb dialect ---------------===//
//
// Parses the model, checks its structure (opsets, names, cycles) before
// anything trusts it, optionally runs ONNX's shape inference, then walks the
// nodes in topological order and converts each through the converter table,
// after resolving the node's op version from the model's opset for its
// domain (ONNX's rule: the newest schema whose since_version is <= the
// opset). Afterwards constants are folded and shapes refined
// (ONNXCleanup.cpp).
//
//===----------------------------------------------------------------------===//
#include "nibble/Importer/ONNX/ONNXImporter.h"

#include "ONNXImporterImpl.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "nibble/Dialect/NB/IR/NBDialect.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>

#include <climits>
#include <queue>

using namespace mlir;
using namespace nibble;
using namespace nibble::onnx_import;

/// Opset 10 is where the quantized ops (ConvInteger, MatMulInteger,
/// QLinearConv, QLinearMatMul) begin; 28 is the newest opset onnx 1.23
/// defines, up to which the converters' version tables are complete (a newer
/// opset may bring op versions the importer has not seen).
static constexpr int64_t kMinOpset = 10, kMaxOpset = 28;
/// libonnx 1.12's schemas stop at opset 17; its inference is not trusted
/// beyond, where schemas of several ops changed.
static constexpr int64_t kMaxShapeInferenceOpset = 17;

static const ConverterTable &getConverterTable() {
  static const ConverterTable table = [] {
    ConverterTable t;
    addElementwiseConverters(t);
    addNNConverters(t);
    addShapeConverters(t);
    addQuantConverters(t);
    return t;
  }();
  return table;
}

static StringRef normalizeDomain(StringRef domain) {
  return domain == "ai.onnx" ? StringRef() : domain;
}

namespace {
/// Imports one top-level graph into a func.func.
class ModelImporter {
public:
  ModelImporter(onnx::ModelProto &model, StringRef sourceName,
                MLIRContext &context, const ONNXImportOptions &options,
                std::string externalDataDir)
      : model(model), context(context), options(options),
        fileLoc(FileLineColLoc::get(&context, sourceName, 0, 0)),
        graph(context, ExternalDataPolicy{std::move(externalDataDir)},
              fileLoc) {}

  OwningOpRef<ModuleOp> run();

private:
  /// The node's name, or `<op_type>_<index>` for unnamed nodes.
  static std::string displayName(const onnx::NodeProto &node, size_t index) {
    return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                               : node.name();
  }
  /// "node 'name' (OpType)" for structural diagnostics.
  static std::string describe(const onnx::NodeProto &node, size_t index) {
    return "node '" + displayName(node, index) + "' (" + node.op_type() + ")";
  }
  Location nodeLoc(const onnx::NodeProto &node, size_t index) const {
    return NameLoc::get(StringAttr::get(&context, displayName(node, index)),
                        fileLoc);
  }
  Location valueLoc(StringRef name) const {
    return NameLoc::get(StringAttr::get(&context, name), fileLoc);
  }

  LogicalResult checkOpsets();
  LogicalResult sortNodes();
  void collectDeclaredTypes();
  LogicalResult convertNode(const onnx::NodeProto &node, size_t index,
                            OpBuilder &builder);

  onnx::ModelProto &model;
  MLIRContext &context;
  const ONNXImportOptions &options;
  Location fileLoc;
  GraphImporter graph;
  llvm::StringMap<int64_t> opsets;
  /// Node indices in topological order.
  std::vector<size_t> order;
};
} // namespace

LogicalResult ModelImporter::checkOpsets() {
  for (const auto &opset : model.opset_import())
    opsets[normalizeDomain(opset.domain())] = opset.version();
  auto it = opsets.find("");
  if (it == opsets.end())
    return emitError(fileLoc)
           << "the model imports no version of the default ONNX domain; "
              "nibble imports opsets "
           << kMinOpset << " through " << kMaxOpset;
  if (it->second < kMinOpset || it->second > kMaxOpset)
    return emitError(fileLoc)
           << "the model uses ONNX opset " << it->second
           << "; nibble imports opsets " << kMinOpset << " through "
           << kMaxOpset
           << " (onnx.version_converter can convert the model to one)";
  return success();
}

/// Orders the nodes so every input is defined before use, reporting names
/// defined twice, inputs nobody defines and cycles.
LogicalResult ModelImporter::sortNodes() {
  const auto &g = model.graph();
  // name -> producing node index, or -1 for graph inputs and initializers.
  llvm::StringMap<int64_t> producer;
  for (const auto &init : g.initializer())
    if (!producer.try_emplace(init.name(), -1).second)
      return emitError(valueLoc(init.name()))
             << "initializer '" << init.name() << "' is defined twice";
  for (const auto &input : g.input())
    producer.try_emplace(input.name(), -1);
  for (int i = 0, e = g.node_size(); i < e; ++i) {
    for (const auto &output : g.node(i).output()) {
      if (output.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(output, i);
      if (!inserted)
        return emitError(nodeLoc(g.node(i), i))
               << describe(g.node(i), i) << ": output '" << output
               << "' is already defined by "
               << (it->second < 0 ? std::string("a graph input or initializer")
                                  : describe(g.node(it->second), it->second));
    }
  }
  // Kahn's algorithm over node -> node edges, taking the lowest index first
  // so that a graph already in order keeps its order.
  std::vector<unsigned> pending(g.node_size(), 0);
  std::vector<SmallVector<size_t, 2>> users(g.node_size());
  for (int i = 0, e = g.node_size(); i < e; ++i) {
    for (const auto &input : g.node(i).input()) {
      if (input.empty())
        continue;
      auto it = producer.find(input);
      if (it == producer.end())
        return emitError(nodeLoc(g.node(i), i))
               << describe(g.node(i), i) << ": input '" << input
               << "' is not a graph input, an initializer or the output of "
                  "any node";
      if (it->second >= 0) {
        ++pending[i];
        users[it->second].push_back(i);
      }
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < pending.size(); ++i)
    if (pending[i] == 0)
      ready.push(i);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t user : users[i])
      if (--pending[user] == 0)
        ready.push(user);
  }
  if (order.size() != size_t(g.node_size())) {
    for (size_t i = 0; i < pending.size(); ++i)
      if (pending[i] != 0)
        return emitError(nodeLoc(g.node(i), i))
               << "the graph has a cycle through " << describe(g.node(i), i);
  }
  for (const auto &output : g.output())
    if (!producer.count(output.name()))
      return emitError(valueLoc(output.name()))
             << "graph output '" << output.name() << "' is never defined";
  return success();
}

void ModelImporter::collectDeclaredTypes() {
  const auto &g = model.graph();
  auto declare = [&](const onnx::ValueInfoProto &info) {
    if (!info.has_type())
      return;
    // Types nb cannot represent are reported where the value is used.
    ScopedDiagnosticHandler silence(&context, [](Diagnostic &) {
      return success();
    });
    auto type = convertType(info.type(), valueLoc(info.name()));
    if (succeeded(type))
      graph.declareType(info.name(), *type);
  };
  for (const auto &info : g.value_info())
    declare(info);
  for (const auto &info : g.output())
    declare(info);
}

LogicalResult ModelImporter::convertNode(const onnx::NodeProto &node,
                                         size_t index, OpBuilder &builder) {
  Location loc = nodeLoc(node, index);
  StringRef domain = normalizeDomain(node.domain());
  auto opsetIt = opsets.find(domain);
  int64_t opset = opsetIt == opsets.end() ? 1 : opsetIt->second;
  // Version 0 until the op is found in the converter table.
  NodeContext ctx(graph, node, domain, opset, /*version=*/0, loc, builder);

  for (const auto &attr : node.attribute())
    if (!attr.ref_attr_name().empty()) {
      ctx.emitError() << "attribute '" << attr.name()
                      << "' refers to a function attribute outside a function";
      return failure();
    }

  if (const OpConverter *converter =
          getConverterTable().lookup(domain, node.op_type())) {
    std::optional<int64_t> version = converter->resolve(opset);
    if (!version) {
      ctx.emitError() << "'" << node.op_type() << "' does not exist in opset "
                      << opset << " of its domain; its first version is "
                      << converter->versions.front();
      return failure();
    }
    NodeContext versioned(graph, node, domain, opset, *version, loc, builder);
    if (failed(converter->convert(versioned)) || versioned.hasFailed())
      return failure();
    return success();
  }

  if (!options.allowUnregisteredOps) {
    ctx.emitError() << "unsupported op '" << node.op_type()
                    << "' (pass --allow-unregistered-ops to keep it as "
                       "nb.opaque)";
    return failure();
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0, e = ctx.getNumInputs(); i < e; ++i)
    if (Value input = ctx.getInput(i))
      inputs.push_back(input);
  SmallVector<Type> resultTypes;
  // Nothing is known of an opaque op's semantics: declared types win, and
  // undeclared results are guessed to share the first input's element type.
  for (unsigned i = 0, e = ctx.getNumOutputs(); i < e; ++i) {
    TensorType declared = graph.getDeclaredType(node.output(i));
    resultTypes.push_back(declared ? declared : ctx.getResultType(i));
  }
  DictionaryAttr attrs = ctx.getAttrDictionary();
  if (ctx.hasFailed())
    return failure();
  auto opaque = nb::OpaqueOp::create(
      builder, loc, resultTypes, inputs, builder.getStringAttr(node.op_type()),
      builder.getStringAttr(domain), builder.getI64IntegerAttr(opset), attrs);
  return ctx.setResults(opaque.getResults());
}

OwningOpRef<ModuleOp> ModelImporter::run() {
  if (!model.has_graph())
    return emitError(fileLoc) << "the model has no graph", nullptr;
  if (failed(checkOpsets()) || failed(sortNodes()))
    return nullptr;

  if (opsets.lookup("") <= kMaxShapeInferenceOpset) {
    std::string error;
    // Best effort: failures only leave types to nb-infer-shapes.
    (void)runONNXShapeInference(model, error);
  }
  collectDeclaredTypes();

  context.loadDialect<nb::NBDialect, func::FuncDialect,
                      tensor::TensorDialect>();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  const auto &g = model.graph();

  llvm::StringSet<> initializerNames;
  for (const auto &init : g.initializer())
    initializerNames.insert(init.name());
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &input : g.input()) {
    if (initializerNames.contains(input.name()))
      continue; // IR < 4 lists initializers as inputs too: they are weights.
    if (!input.has_type())
      return emitError(valueLoc(input.name()))
                 << "graph input '" << input.name() << "' has no type",
             nullptr;
    auto type = convertType(input.type(), valueLoc(input.name()));
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&input);
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [index, arg, info] :
       llvm::enumerate(body->getArguments(), args)) {
    arg.setLoc(valueLoc(info->name()));
    func.setArgAttr(index, kONNXNameAttr, builder.getStringAttr(info->name()));
    graph.bind(info->name(), arg);
  }
  builder.setInsertionPointToStart(body);

  onnx::GraphProto &mutableGraph = *model.mutable_graph();
  for (auto &init : *mutableGraph.mutable_initializer()) {
    std::string name = init.name();
    Location loc = valueLoc(name);
    auto value = convertTensor(init, loc, graph.getPolicy());
    if (failed(value))
      return nullptr;
    graph.bind(name, nb::ConstantOp::create(builder, loc, value->getType(),
                                            *value));
  }

  for (size_t index : order)
    if (failed(convertNode(g.node(index), index, builder)))
      return nullptr;

  // Graph outputs keep their declared types.
  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &output : g.output()) {
    Value value = graph.lookup(output.name());
    Type declared = graph.getDeclaredType(output.name());
    if (declared && declared != value.getType()) {
      if (!tensor::CastOp::areCastCompatible(value.getType(), declared))
        return emitError(valueLoc(output.name()))
                   << "graph output '" << output.name() << "' is declared as "
                   << declared << " but computed as " << value.getType(),
               nullptr;
      value = tensor::CastOp::create(builder, valueLoc(output.name()),
                                     declared, value);
    }
    results.push_back(value);
    resultTypes.push_back(value.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  // Results have no locations of their own: their names travel as attributes,
  // the way the runners and the compiled model's manifest read them.
  for (auto [index, output] : llvm::enumerate(g.output()))
    func.setResultAttr(index, kONNXNameAttr,
                       builder.getStringAttr(output.name()));

  if (failed(verify(*module)) || failed(runImportCleanup(*module, options)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static OwningOpRef<ModuleOp> importModelBytes(StringRef bytes,
                                              StringRef sourceName,
                                              MLIRContext &context,
                                              const ONNXImportOptions &options,
                                              std::string externalDataDir) {
  Location fileLoc = FileLineColLoc::get(&context, sourceName, 0, 0);
  if (bytes.empty())
    return emitError(fileLoc) << "'" << sourceName
                              << "' is empty; not an ONNX model",
           nullptr;
  if (bytes.size() > size_t(INT_MAX))
    return emitError(fileLoc)
               << "'" << sourceName
               << "' is over 2 GB; store its weights as external data",
           nullptr;
  // Diagnostics from nb's verifiers and passes are located at NameLocs,
  // which a SourceMgr-based handler prints as their file position only; add
  // the ONNX node's name to each message so it always names the node.
  ScopedDiagnosticHandler nameNodes(&context, [](Diagnostic &diag) {
    if (auto nameLoc = diag.getLocation()->findInstanceOf<NameLoc>()) {
      StringRef name = nameLoc.getName().getValue();
      std::string message = diag.str();
      if (!StringRef(message).contains("'" + name.str() + "'"))
        diag << " [ONNX node '" << name << "']";
    }
    return failure(); // Let the enclosing handler report it.
  });
  onnx::ModelProto model;
  {
    // Protobuf would print its own parse errors; ours says more.
    google::protobuf::LogSilencer silence;
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(bytes.data()), int(bytes.size()));
    stream.SetTotalBytesLimit(INT_MAX);
    if (!model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage())
      return emitError(fileLoc) << "cannot parse '" << sourceName
                                << "' as an ONNX model: truncated or corrupt "
                                   "protobuf",
             nullptr;
  }
  if (model.ir_version() <= 0 || !model.has_graph())
    return emitError(fileLoc) << "'" << sourceName
                              << "' is not an ONNX model (no ir_version or "
                                 "graph)",
           nullptr;
  return ModelImporter(model, sourceName, context, options,
                       std::move(externalDataDir))
      .run();
}

OwningOpRef<ModuleOp> nibble::importONNXFile(StringRef path,
                                             MLIRContext &context,
                                             const ONNXImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(FileLineColLoc::get(&context, path, 0, 0))
               << "cannot open '" << path
               << "': " << buffer.getError().message(),
           nullptr;
  std::string dir = options.externalDataDir;
  if (dir.empty()) {
    dir = llvm::sys::path::parent_path(path).str();
    if (dir.empty())
      dir = ".";
  }
  return importModelBytes((*buffer)->getBuffer(), path, context, options, dir);
}

OwningOpRef<ModuleOp> nibble::importONNXBuffer(StringRef bytes,
                                               StringRef sourceName,
                                               MLIRContext &context,
                                               const ONNXImportOptions &options) {
  return importModelBytes(bytes, sourceName, context, options,
                          options.externalDataDir);
}
