//===- ONNXExporterImpl.h - Exporter internals shared by its files -*- C++ -*-=//
//
// Private to lib/Exporter/ONNX. The GraphExporter (ONNXExporter.cpp) owns the
// GraphProto being built: it names values (graph inputs and outputs from
// `nb.name`, node outputs from the producing op's NameLoc, uniqued), turns
// constants into initializers the first time a node reads them, and hands
// every other op to exportOp (ExportOps.cpp), which writes the op's node in
// the export opset's form through a NodeBuilder.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_EXPORTER_ONNX_ONNXEXPORTERIMPL_H
#define NIBBLE_LIB_EXPORTER_ONNX_ONNXEXPORTERIMPL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "onnx/onnx_pb.h"

#include <map>
#include <string>

namespace nibble {
struct ONNXExportOptions;

namespace onnx_export {

//===----------------------------------------------------------------------===//
// Types and tensors (ExportTensors.cpp)
//===----------------------------------------------------------------------===//

/// The ONNX TensorProto::DataType of an element type (a quant type counts as
/// its storage type), or 0 for types ONNX has no data type for.
int32_t getDataType(mlir::Type elementType);

/// The element type a value has in ONNX: the storage type of a quant type
/// (signed or unsigned as the quant type says), else the type itself.
mlir::Type getONNXElementType(mlir::Type elementType);

/// Fills `type` with the tensor type of `value` (unranked: no shape; `?`
/// dims: dimensions without a value). Fails with an error at `loc` for
/// non-tensor types and element types ONNX lacks.
mlir::LogicalResult convertType(mlir::Type type, onnx::TypeProto &proto,
                                mlir::Location loc);

/// Fills `tensor`'s dims, data_type (`dataType`) and raw_data from `attr`,
/// in ONNX's layout: little-endian, bool one byte per element, 2/4-bit types
/// packed low bits first. Errors at `loc` name the tensor.
mlir::LogicalResult convertElements(mlir::ElementsAttr attr, int32_t dataType,
                                    onnx::TensorProto &tensor,
                                    mlir::Location loc);

//===----------------------------------------------------------------------===//
// Graph state
//===----------------------------------------------------------------------===//

class GraphExporter;

/// Builds one NodeProto: inputs by value (a null value is an omitted
/// optional input, spelled ""), outputs named for the op's results.
class NodeBuilder {
public:
  NodeBuilder(GraphExporter &exporter, onnx::NodeProto &node,
              mlir::Operation *op)
      : exporter(exporter), node(node), op(op) {}

  NodeBuilder &setDomain(llvm::StringRef domain);
  /// Appends inputs; trailing omitted ones are dropped when the node is done.
  NodeBuilder &addInput(mlir::Value value);
  NodeBuilder &addInputs(mlir::ValueRange values);
  /// Appends an output for `value` (a result of the op), or "" for a null
  /// value (an optional output the op does not produce).
  NodeBuilder &addOutput(mlir::Value value);
  NodeBuilder &addOutputs(mlir::ValueRange values);

  NodeBuilder &setInt(llvm::StringRef name, int64_t value);
  NodeBuilder &setFloat(llvm::StringRef name, float value);
  NodeBuilder &setString(llvm::StringRef name, llvm::StringRef value);
  NodeBuilder &setInts(llvm::StringRef name, llvm::ArrayRef<int64_t> values);
  NodeBuilder &setFloats(llvm::StringRef name, llvm::ArrayRef<float> values);
  NodeBuilder &setStrings(llvm::StringRef name,
                          llvm::ArrayRef<std::string> values);
  NodeBuilder &setTensor(llvm::StringRef name, mlir::ElementsAttr value);
  /// Sets `name` unless `values` is empty (ONNX's default for the array
  /// attributes of conv and pooling).
  NodeBuilder &setIntsIfAny(llvm::StringRef name,
                            llvm::ArrayRef<int64_t> values) {
    return values.empty() ? *this : setInts(name, values);
  }

  /// Drops trailing omitted inputs; fails if an input or attribute could not
  /// be converted (already reported).
  mlir::LogicalResult finish();

  onnx::NodeProto &getNode() { return node; }

private:
  onnx::AttributeProto &addAttr(llvm::StringRef name,
                                onnx::AttributeProto::AttributeType type);

  GraphExporter &exporter;
  onnx::NodeProto &node;
  mlir::Operation *op;
  bool hadError = false;
};

class GraphExporter {
public:
  GraphExporter(onnx::GraphProto &graph, mlir::MLIRContext &context)
      : graph(graph), context(context) {}

  /// A new node named after `op`'s NameLoc (else its ONNX op type), unique
  /// in the graph.
  NodeBuilder createNode(mlir::Operation *op, llvm::StringRef opType);

  /// The ONNX name of `value`, creating its initializer first if it is a
  /// constant; fails (with an error) for values no node defines.
  mlir::FailureOr<std::string> getName(mlir::Value value);
  /// The name of a result of the op being exported, fixed on first request.
  std::string getResultName(mlir::Value value);
  /// Gives `alias` the name of `value` (ops that vanish in ONNX).
  mlir::LogicalResult alias(mlir::Value alias, mlir::Value value);
  /// Reserves `name` for `value` (graph inputs, outputs). False if taken.
  bool reserveName(mlir::Value value, llvm::StringRef name);
  /// Claims `name` so that no generated name uses it.
  void reserve(llvm::StringRef name) { usedNames.insert(name); }
  bool isNamed(mlir::Value value) const { return names.count(value); }

  /// Records that the model uses `domain` at `version`.
  void useDomain(llvm::StringRef domain, int64_t version) {
    opsets[domain.str()] = version;
  }
  const std::map<std::string, int64_t> &getDomains() const { return opsets; }

  onnx::GraphProto &getGraph() { return graph; }
  mlir::MLIRContext &getContext() { return context; }

  /// A name not used yet, `base` itself when free.
  std::string uniqueName(llvm::StringRef base);

  /// Adds an initializer that no nb value holds (constants an op's
  /// expansion needs) and returns its name; empty after an error at `op`.
  std::string addInitializer(llvm::StringRef base, mlir::ElementsAttr value,
                             mlir::Operation *op);

private:
  /// Adds the initializer for a constant (nb.constant, or quant.scast of
  /// one, which is stored in the quant type's storage type).
  mlir::FailureOr<std::string> createInitializer(mlir::Value value);

  onnx::GraphProto &graph;
  mlir::MLIRContext &context;
  llvm::DenseMap<mlir::Value, std::string> names;
  llvm::StringSet<> usedNames;
  llvm::StringSet<> usedNodeNames;
  std::map<std::string, int64_t> opsets;
};

/// A node whose inputs and outputs are the op's operands and results in
/// order: for ops without optional operands before present ones.
NodeBuilder createPlainNode(GraphExporter &exporter, mlir::Operation *op,
                            llvm::StringRef opType);

/// The ONNX name of an op for diagnostics and default node names: its
/// NameLoc's name, or empty.
std::string getLocName(mlir::Location loc);

/// Writes the node (or nodes) of `op`. Ops without an ONNX form, and
/// quant-typed ops past the q/dq form, are reported at the op.
mlir::LogicalResult exportOp(GraphExporter &exporter, mlir::Operation *op);

/// Writes shape and data-movement ops (ExportShapeOps.cpp): true when `op`
/// is one of them.
mlir::FailureOr<bool> exportShapeOp(GraphExporter &exporter,
                                    mlir::Operation *op);

} // namespace onnx_export
} // namespace nibble

#endif // NIBBLE_LIB_EXPORTER_ONNX_ONNXEXPORTERIMPL_H
