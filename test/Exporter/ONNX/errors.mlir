// RUN: nibble-translate --export-onnx %s -split-input-file -verify-diagnostics -o /dev/null

// Stage 2 (after nb-fuse-quantized-ops) is refused: export the q/dq form.
func.func @main(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{'nb.conv' op on quantized types (stage 2, after nb-fuse-quantized-ops) has no ONNX export; export the q/dq form}}
  %y = nb.conv %x, %w : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2:128>>
  return %y : tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// A data-movement op that changes the quant type requantizes: refused too.
func.func @main(%x: tensor<2x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x2x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{'nb.transpose' op on quantized types}}
  %y = nb.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x2x!quant.uniform<u8:f32, 0.2:128>>
  return %y : tensor<3x2x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// An op of another dialect has no ONNX form.
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'tensor.empty' op has no ONNX export}}
  %e = tensor.empty() : tensor<2xf32>
  %y = nb.add %x, %e : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// A storage cast of a computed value that changes the ONNX type (int8 bits
// read as uint8) has no ONNX op.
func.func @main(%x: tensor<4xi8>) -> tensor<4xf32> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<0> : tensor<ui8>
  // expected-error @+1 {{'quant.scast' op reinterprets 'i8' as '!quant.uniform<u8:f32, 5.000000e-01>', which ONNX has no op for}}
  %q = quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5>>
  %y = nb.dequantize_linear %q, %s, %z : (tensor<4x!quant.uniform<u8:f32, 0.5>>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// An opaque node of an older default-domain opset cannot be converted.
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nb.opaque' op keeps ONNX node 'Celu' of opset 13, which cannot be converted to the export opset 21}}
  %y = nb.opaque "Celu"(%x) {domain = "", version = 13 : i64, onnx_attributes = {alpha = 1.0 : f32}} : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// expected-error @+1 {{the module has 2 functions and none is named 'main'; choose one with --export-function}}
module {
  func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
  func.func @g(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

func.func @main(%x: tensor<2xf32>) -> (tensor<2xf32> {nb.name = "y"}, tensor<2xf32> {nb.name = "y"}) {
  %y = nb.relu %x : (tensor<2xf32>) -> tensor<2xf32>
  // expected-error @+1 {{graph output name 'y' is used twice}}
  return %y, %y : tensor<2xf32>, tensor<2xf32>
}
