//===- NBOpsUtils.h - helpers shared by nb op verifiers and folders -------===//
//
// Internal to lib/Dialect/NB/IR: shape arithmetic with dynamic dims, constant
// operand matching and element type predicates used by the verifiers, the
// shape inference and the folders, so the three agree on ONNX semantics.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_LIB_DIALECT_NB_IR_NBOPSUTILS_H
#define NIBBLE_LIB_DIALECT_NB_IR_NBOPSUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace mlir::nb::detail {

/// Folders never materialize tensors larger than this: constants bigger than
/// a few thousand elements are weights, not shape arithmetic.
constexpr int64_t kMaxFoldElements = 4096;

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// The element type of a tensor-typed value or type.
Type getElementType(Value v);
/// A float or quantized (`!quant.*`) element type.
bool isFloatOrQuant(Type elementType);
/// An integer of the given width, any signedness.
bool isIntOfWidth(Type elementType, unsigned width);
/// A quantized element type.
bool isQuant(Type elementType);
/// `elementType` unless it is quantized: quantized parameters of a result are
/// not determined by shape semantics, so inference leaves them open.
Type inferableElementType(Type elementType);

/// The rank of a ranked tensor value, or std::nullopt.
std::optional<int64_t> getRank(Value v);
/// The shape of a ranked tensor value, or std::nullopt.
std::optional<ArrayRef<int64_t>> shapeOf(Value v);

/// Normalizes an ONNX axis in [-rank, rank) to [0, rank); nullopt if out of
/// range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Values of a constant integer tensor (any rank, at most kMaxFoldElements
/// elements), matched with m_Constant. Returns false if `v` is not one.
bool getConstantInts(Value v, SmallVectorImpl<int64_t> &values);
/// The constant elements behind `v`, if any, regardless of size.
DenseElementsAttr getConstantElements(Value v);

/// Numpy broadcasting of two ranked shapes with dynamic dims; nullopt if two
/// static dims disagree (neither is 1).
std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                    ArrayRef<int64_t> b);

/// The product of `dims`, or kDynamic if any is dynamic.
int64_t product(ArrayRef<int64_t> dims);
/// a + b, or kDynamic if either is dynamic.
int64_t addDims(int64_t a, int64_t b);
/// The number of elements of a static 1-D operand (e.g. a shape operand whose
/// values are unknown but whose length fixes the result rank).
std::optional<int64_t> staticLength(Value v);

/// Component helpers.
ShapedTypeComponents unrankedComponents(Type elementType = {});
ShapedTypeComponents rankedComponents(ArrayRef<int64_t> dims,
                                      Type elementType = {});
/// A component for `rank` dims, all dynamic.
ShapedTypeComponents dynamicComponents(int64_t rank, Type elementType = {});

/// The output size of a sliding window over one spatial dim (conv, pools).
/// Returns kDynamic if `input` is dynamic.
int64_t slidingWindowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceilMode = false);

/// Explicit pads for ONNX auto_pad SAME_UPPER/SAME_LOWER on one static
/// spatial dim: {begin, end}.
std::pair<int64_t, int64_t> samePadding(int64_t input, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        bool upper);

/// Checks that every declared result type of `op` is compatible with the
/// shapes its InferResultShapesOpInterface infers.
LogicalResult verifyInferredResultShapes(Operation *op);

/// Verifier checks that emit an op error naming `name` on failure.
LogicalResult expectFloatOrQuant(Operation *op, Value v, StringRef name);
LogicalResult expectInt8(Operation *op, Value v, StringRef name);
LogicalResult expectIndexLike(Operation *op, Value v, StringRef name);
LogicalResult expectI64(Operation *op, Value v, StringRef name);
LogicalResult expectRankAtMost1(Operation *op, Value v, StringRef name);
LogicalResult expectRank(Operation *op, Value v, int64_t rank, StringRef name);
/// `axis` is in [-rank, rank) when `v` is ranked.
LogicalResult expectAxis(Operation *op, int64_t axis, Value v,
                         StringRef name = "axis");
/// Element types of non-quantized operands/results agree (quant types carry
/// per-value parameters and may legitimately differ).
LogicalResult expectSameFloatTypes(Operation *op, ValueRange values);

} // namespace mlir::nb::detail

#endif // NIBBLE_LIB_DIALECT_NB_IR_NBOPSUTILS_H
