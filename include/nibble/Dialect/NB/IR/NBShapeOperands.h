//===- NBShapeOperands.h - operands whose values are shape information ----===//
//
// Some nb operands (Slice starts, Reshape shape, Resize scales, ...) carry
// shape information in their values: the result's shape, or the static
// structure of the computation, depends on them. The importer makes them
// constants when the model does; when a graph takes them as inputs, their
// values are known only at run time, and the JIT specializes on them.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_DIALECT_NB_IR_NBSHAPEOPERANDS_H
#define NIBBLE_DIALECT_NB_IR_NBSHAPEOPERANDS_H

#include "mlir/IR/Value.h"

namespace mlir::nb {

/// Whether `operand` is a shape-like operand of an nb op: one whose value
/// the CPU lowering needs as a constant (it decides the result's shape or
/// the slices, pads and interpolation taps the lowering builds). These are
/// Slice starts/ends/axes/steps, Split split, ReduceMean, Squeeze and
/// Unsqueeze axes, Pad pads and axes, Reshape, Expand and ConstantOfShape
/// shape, Resize roi, scales and sizes. Operands read as data at run time
/// (Pad constant_value, Trilu k, Gather indices, Range bounds) are not.
bool isShapeOperand(OpOperand &operand);

} // namespace mlir::nb

#endif // NIBBLE_DIALECT_NB_IR_NBSHAPEOPERANDS_H
