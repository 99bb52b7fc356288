//===- ONNXImporterImpl.h - Importer internals shared by its files -*- C++ -*-===//
//
// Private to lib/Importer/ONNX. The graph importer (ONNXImporter.cpp) walks
// the nodes in topological order and hands each one, wrapped in a
// NodeContext, to the converter registered for its (domain, op type). Each
// registration carries the op's version history (the `since_version` of each
// of its ONNX schemas); a node's op version is resolved from the model's
// opset import for its domain, as ONNX defines it, and converters branch on
// that version, never on the opset number. The converters (Convert*.cpp,
// grouped by op family) read inputs and attributes through the context, which
// reports malformed attributes once, naming the node, its op type and
// version, domain and opset.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_IMPORTER_ONNX_ONNXIMPORTERIMPL_H
#define NIBBLE_LIB_IMPORTER_ONNX_ONNXIMPORTERIMPL_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "onnx/onnx_pb.h"

#include <initializer_list>
#include <optional>
#include <string>

namespace nibble {
struct ONNXImportOptions;

namespace onnx_import {

//===----------------------------------------------------------------------===//
// Types and tensors (ONNXTypes.cpp)
//===----------------------------------------------------------------------===//

/// The MLIR element type of an ONNX TensorProto::DataType, or null for types
/// the nb dialect has no element type for (strings, complex numbers).
/// Signed integers are signless, unsigned ones `ui<N>`, bool is `i1`.
mlir::Type convertElementType(int32_t dataType, mlir::MLIRContext &context);

/// The ONNX name of a data type, for diagnostics.
llvm::StringRef dataTypeName(int32_t dataType);

/// The tensor type of a TypeProto: unranked without a shape, `?` for symbolic
/// or missing dims. Fails (with a diagnostic at `loc`) for non-tensor types
/// and element types nb cannot hold.
mlir::FailureOr<mlir::TensorType> convertType(const onnx::TypeProto &type,
                                              mlir::Location loc);

/// Where external data may be read from.
struct ExternalDataPolicy {
  /// Folder the `location` keys are relative to and confined to; empty when
  /// the model came from memory without an external-data folder.
  std::string baseDir;
};

/// Turns a TensorProto into an elements attribute. Tensors of at least
/// `kResourceThreshold` elements become dense resource blobs that own the
/// protobuf's raw bytes (moved out of `tensor`, not copied) or a memory map
/// of their external data file; smaller ones become DenseElementsAttr so that
/// folders see them. Errors name the tensor.
mlir::FailureOr<mlir::ElementsAttr>
convertTensor(onnx::TensorProto &tensor, mlir::Location loc,
              const ExternalDataPolicy &policy);

/// Same for a SparseTensorProto, densified.
mlir::FailureOr<mlir::ElementsAttr>
convertSparseTensor(onnx::SparseTensorProto &tensor, mlir::Location loc,
                    const ExternalDataPolicy &policy);

inline constexpr int64_t kResourceThreshold = 64;

//===----------------------------------------------------------------------===//
// Node conversion
//===----------------------------------------------------------------------===//

/// The state of one graph's import: names to values, the types the model
/// (or ONNX shape inference) declares for them, and where weights live.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, ExternalDataPolicy policy,
                mlir::Location fileLoc)
      : context(context), policy(std::move(policy)), fileLoc(fileLoc) {}

  /// The value named `name`, or null.
  mlir::Value lookup(llvm::StringRef name) const {
    return values.lookup(name);
  }
  void bind(llvm::StringRef name, mlir::Value value) { values[name] = value; }
  /// The declared type of `name`, or null.
  mlir::TensorType getDeclaredType(llvm::StringRef name) const {
    return declaredTypes.lookup(name);
  }
  void declareType(llvm::StringRef name, mlir::TensorType type) {
    declaredTypes[name] = type;
  }
  const ExternalDataPolicy &getPolicy() const { return policy; }
  mlir::Location getFileLoc() const { return fileLoc; }
  mlir::MLIRContext &getContext() { return context; }

private:
  mlir::MLIRContext &context;
  ExternalDataPolicy policy;
  mlir::Location fileLoc;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<mlir::TensorType> declaredTypes;
};

/// One node being converted: its inputs, attributes, result types and the
/// builder positioned where its ops go.
class NodeContext {
public:
  /// `version` is the op's resolved version (the since_version of the
  /// schema in force at `opset`), 0 when the op is not in the table.
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              llvm::StringRef domain, int64_t opset, int64_t version,
              mlir::Location loc, mlir::OpBuilder &builder)
      : importer(importer), node(node), domain(domain), opset(opset),
        version(version), loc(loc), builder(builder) {}

  const onnx::NodeProto &getNode() const { return node; }
  llvm::StringRef getOpType() const { return node.op_type(); }
  /// The model's opset for the node's domain.
  int64_t getOpset() const { return opset; }
  /// The op's version: what converters branch on.
  int64_t getVersion() const { return version; }
  mlir::Location getLoc() const { return loc; }
  mlir::OpBuilder &getBuilder() { return builder; }
  mlir::MLIRContext *getContext() { return builder.getContext(); }

  /// An error at the node, prefixed with its name, op type and version,
  /// domain and opset: "node 'n' (Cast-24, domain '', opset 25): ".
  mlir::InFlightDiagnostic emitError();
  /// True once an attribute getter reported an error.
  bool hasFailed() const { return hadError; }

  //===--- Inputs ---------------------------------------------------------===//
  /// Checks that between `min` and `max` inputs are given, the first `min`
  /// of them present.
  mlir::LogicalResult checkInputs(unsigned min, unsigned max);
  /// Number of inputs, trailing omitted ones excluded.
  unsigned getNumInputs() const;
  /// Whether input `i` is given (present and not the empty name).
  bool hasInput(unsigned i) const;
  /// Input `i`, or a null value when omitted.
  mlir::Value getInput(unsigned i) const;
  /// Input `i` when it is given and not an empty constant tensor (older
  /// opsets spell "absent" as an empty tensor for Resize's roi and scales).
  mlir::Value getNonEmptyInput(unsigned i) const;
  /// Element type of input `i` (null when omitted).
  mlir::Type getInputElementType(unsigned i) const;
  /// Rank of input `i`, if known.
  std::optional<int64_t> getInputRank(unsigned i) const;

  //===--- Outputs --------------------------------------------------------===//
  unsigned getNumOutputs() const { return node.output_size(); }
  /// Whether output `i` is requested (present and not the empty name).
  bool hasOutput(unsigned i) const;
  /// The type of output `i`: what the model or ONNX shape inference declared
  /// for it, else an unranked tensor of `elementType` (input 0's element type
  /// when null) that the nb-infer-shapes pass refines.
  mlir::TensorType getResultType(unsigned i, mlir::Type elementType = {});
  /// Binds the node's outputs, in order, to `values`, and records each
  /// output's tensor name in `nb.output_names` on the op producing it.
  mlir::LogicalResult setResults(mlir::ValueRange values);

  //===--- Attributes -----------------------------------------------------===//
  // Each getter returns the attribute's value or `def` when it is absent; a
  // present attribute of the wrong type is reported and flags the node.
  const onnx::AttributeProto *getAttr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return getAttr(name); }
  int64_t getInt(llvm::StringRef name, int64_t def);
  float getFloat(llvm::StringRef name, float def);
  std::string getString(llvm::StringRef name, llvm::StringRef def);
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name);
  llvm::SmallVector<int64_t> getIntsOr(llvm::StringRef name,
                                       llvm::ArrayRef<int64_t> def = {});
  /// A TENSOR attribute as an elements attribute.
  std::optional<mlir::ElementsAttr> getTensor(llvm::StringRef name);
  /// Reports a string attribute outside its closed set of values.
  void reportBadEnum(llvm::StringRef name, llvm::StringRef value);
  /// Every attribute, converted to builtin attributes (for nb.opaque).
  mlir::DictionaryAttr getAttrDictionary();

  //===--- Constants ------------------------------------------------------===//
  /// An nb.constant holding `values` as a 1-D i64 tensor.
  mlir::Value createI64Constant(llvm::ArrayRef<int64_t> values);
  /// An nb.constant of `attr`.
  mlir::Value createConstant(mlir::ElementsAttr attr);
  /// A rank-0 nb.constant of float type `elementType` holding `value`
  /// (rounded to nearest even); null with an error for non-float types.
  mlir::Value createFloatScalar(mlir::Type elementType, double value,
                                llvm::StringRef what);
  /// `value` converted to `elementType` by an nb.cast (saturating), or
  /// `value` itself when it already has that element type.
  mlir::Value castTo(mlir::Value value, mlir::Type elementType);

private:
  void recordOutputName(mlir::Value value, llvm::StringRef name);
  bool checkType(const onnx::AttributeProto &attr, int expected,
                 llvm::StringRef expectedName);

  GraphImporter &importer;
  const onnx::NodeProto &node;
  llvm::StringRef domain;
  int64_t opset;
  int64_t version;
  mlir::Location loc;
  mlir::OpBuilder &builder;
  bool hadError = false;
};

using ConvertFn = mlir::LogicalResult (*)(NodeContext &);

/// A converter and its op's version history.
struct OpConverter {
  ConvertFn convert;
  /// The since_version of every schema of the op, ascending, up to the
  /// newest opset the importer accepts (onnx.defs of onnx 1.23). Versions
  /// before the one in force at opset 10 are listed for completeness; the
  /// importer never resolves to them.
  llvm::SmallVector<int64_t, 10> versions;

  /// The version in force in `opset` of the op's domain: the greatest
  /// since_version <= opset; nullopt when the op did not exist yet.
  std::optional<int64_t> resolve(int64_t opset) const {
    std::optional<int64_t> found;
    for (int64_t version : versions)
      if (version <= opset)
        found = version;
    return found;
  }
};

/// (domain, op type) -> converter. Domain "" is the default ONNX domain.
class ConverterTable {
public:
  void add(llvm::StringRef domain, llvm::StringRef opType,
           std::initializer_list<int64_t> versions, ConvertFn fn) {
    table[(domain + "::" + opType).str()] = OpConverter{fn, versions};
  }
  const OpConverter *lookup(llvm::StringRef domain,
                            llvm::StringRef opType) const {
    auto it = table.find((domain + "::" + opType).str());
    return it == table.end() ? nullptr : &it->second;
  }

private:
  llvm::StringMap<OpConverter> table;
};

void addElementwiseConverters(ConverterTable &table);
void addNNConverters(ConverterTable &table);
void addShapeConverters(ConverterTable &table);
void addQuantConverters(ConverterTable &table);

/// Runs ONNX's shape inference on `model` in place, tolerating node errors.
/// Returns false (leaving the model as it was) when the library's schemas
/// are too old for the model's opset or inference threw.
bool runONNXShapeInference(onnx::ModelProto &model, std::string &error);

/// Post-import cleanup: constant folding and shape refinement.
mlir::LogicalResult runImportCleanup(mlir::ModuleOp module,
                                     const ONNXImportOptions &options);

} // namespace onnx_import
} // namespace nibble

#endif // NIBBLE_LIB_IMPORTER_ONNX_ONNXIMPORTERIMPL_H
