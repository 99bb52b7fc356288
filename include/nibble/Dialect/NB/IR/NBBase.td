//===- NBBase.td - nb dialect definition ------------------*- tablegen -*-===//
//
// The `nb` dialect: graph-level ops with ONNX semantics. One canonical op per
// ONNX operator (the importer normalizes opset differences, following the
// newest opset's form: values that became inputs in later opsets are operands
// here). Quantized tensors use upstream `!quant.uniform` element types.
//
//===----------------------------------------------------------------------===//

#ifndef NIBBLE_DIALECT_NB_IR_NBBASE_TD
#define NIBBLE_DIALECT_NB_IR_NBBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NB_Dialect : Dialect {
  let name = "nb";
  let cppNamespace = "::mlir::nb";
  let summary = "Nibble's graph-level dialect with ONNX semantics";
  let description = [{
    Ops with ONNX semantics, one per operator, independent of the opset the
    model was written against. A quantized op is the same op with `quant`
    element types on its operands and results (as in StableHLO), so passes
    that walk ops see quantized ones without a parallel op set.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class NB_Op<string mnemonic, list<Trait> traits = []>
    : Op<NB_Dialect, mnemonic, traits>;

class NB_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<NB_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Enums (ONNX string attributes with a closed set of values)
//===----------------------------------------------------------------------===//

def NB_AutoPad : I32EnumAttr<"AutoPad", "ONNX auto_pad", [
    I32EnumAttrCase<"NotSet", 0, "notset">,
    I32EnumAttrCase<"SameUpper", 1, "same_upper">,
    I32EnumAttrCase<"SameLower", 2, "same_lower">,
    I32EnumAttrCase<"Valid", 3, "valid">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_AutoPadAttr : EnumAttr<NB_Dialect, NB_AutoPad, "auto_pad">;

def NB_PadMode : I32EnumAttr<"PadMode", "ONNX Pad mode", [
    I32EnumAttrCase<"Constant", 0, "constant">,
    I32EnumAttrCase<"Reflect", 1, "reflect">,
    I32EnumAttrCase<"Edge", 2, "edge">,
    I32EnumAttrCase<"Wrap", 3, "wrap">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_PadModeAttr : EnumAttr<NB_Dialect, NB_PadMode, "pad_mode">;

def NB_ResizeMode : I32EnumAttr<"ResizeMode", "ONNX Resize mode", [
    I32EnumAttrCase<"Nearest", 0, "nearest">,
    I32EnumAttrCase<"Linear", 1, "linear">,
    I32EnumAttrCase<"Cubic", 2, "cubic">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_ResizeModeAttr : EnumAttr<NB_Dialect, NB_ResizeMode, "resize_mode">;

def NB_CoordinateTransformationMode : I32EnumAttr<
    "CoordinateTransformationMode", "ONNX Resize coordinate_transformation_mode", [
    I32EnumAttrCase<"HalfPixel", 0, "half_pixel">,
    I32EnumAttrCase<"HalfPixelSymmetric", 1, "half_pixel_symmetric">,
    I32EnumAttrCase<"PytorchHalfPixel", 2, "pytorch_half_pixel">,
    I32EnumAttrCase<"AlignCorners", 3, "align_corners">,
    I32EnumAttrCase<"Asymmetric", 4, "asymmetric">,
    I32EnumAttrCase<"TfCropAndResize", 5, "tf_crop_and_resize">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_CoordinateTransformationModeAttr : EnumAttr<NB_Dialect,
    NB_CoordinateTransformationMode, "coordinate_transformation_mode">;

def NB_NearestMode : I32EnumAttr<"NearestMode", "ONNX Resize nearest_mode", [
    I32EnumAttrCase<"RoundPreferFloor", 0, "round_prefer_floor">,
    I32EnumAttrCase<"RoundPreferCeil", 1, "round_prefer_ceil">,
    I32EnumAttrCase<"Floor", 2, "floor">,
    I32EnumAttrCase<"Ceil", 3, "ceil">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_NearestModeAttr : EnumAttr<NB_Dialect, NB_NearestMode, "nearest_mode">;

def NB_KeepAspectRatioPolicy : I32EnumAttr<"KeepAspectRatioPolicy",
    "ONNX Resize keep_aspect_ratio_policy", [
    I32EnumAttrCase<"Stretch", 0, "stretch">,
    I32EnumAttrCase<"NotLarger", 1, "not_larger">,
    I32EnumAttrCase<"NotSmaller", 2, "not_smaller">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_KeepAspectRatioPolicyAttr : EnumAttr<NB_Dialect,
    NB_KeepAspectRatioPolicy, "keep_aspect_ratio_policy">;

def NB_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "ONNX Gelu approximate", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Tanh", 1, "tanh">]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::nb";
}
def NB_GeluApproximationAttr : EnumAttr<NB_Dialect, NB_GeluApproximation,
    "gelu_approximation">;

#endif // NIBBLE_DIALECT_NB_IR_NBBASE_TD
