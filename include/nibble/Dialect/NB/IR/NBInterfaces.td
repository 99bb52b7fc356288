//===- NBInterfaces.td - nb dialect op interfaces ----------*- tablegen -*-===//
//
// Result shape inference for nb ops. It lives on the ops (not in a pass) so
// that the verifier and `nb-infer-shapes` share one definition of every op's
// shape semantics: an op whose declared result type is incompatible with the
// inferred one fails verification, and the pass refines declared types to the
// inferred ones.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_DIALECT_NB_IR_NBINTERFACES_TD
#define NIBBLE_DIALECT_NB_IR_NBINTERFACES_TD

include "mlir/IR/OpBase.td"

def NB_InferResultShapesOpInterface
    : OpInterface<"InferResultShapesOpInterface"> {
  let cppNamespace = "::mlir::nb";
  let description = [{
    Infers one `ShapedTypeComponents` per result from the operand types, the
    attributes and constant operands (matched with `m_Constant`). What cannot
    be decided is left open: an unranked component, `ShapedType::kDynamic`
    dims, or a null element type, which means "whatever the result declares"
    (used for quantized element types whose parameters the op does not
    determine, e.g. a quantized convolution's output scale).

    Implementations may assume the op's own structural checks passed (ranks,
    axis ranges, attribute lengths); they never emit diagnostics.
  }];
  let methods = [
    InterfaceMethod<[{
        Appends exactly one component per result to `inferred`.
      }], "void", "inferResultShapes",
      (ins "::llvm::SmallVectorImpl<::mlir::ShapedTypeComponents> &":$inferred)>
  ];
}

#endif // NIBBLE_DIALECT_NB_IR_NBINTERFACES_TD
