// RUN: nibble-opt %s --convert-nb-to-linalg --split-input-file -verify-diagnostics

// Spatial dims must be static (the driver specializes them before lowering).
func.func @conv_dynamic_spatial(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.conv'}}
  %0 = nb.conv %x, %w : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32>
  return %0 : tensor<1x4x?x6xf32>
}

// -----

// auto_pad VALID is not an ONNX ConvTranspose mode the lowering takes.
func.func @conv_transpose_valid(%x: tensor<1x2x3x3xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32> {
  // expected-error @+1 {{failed to legalize operation 'nb.conv_transpose'}}
  %0 = nb.conv_transpose %x, %w {strides = array<i64: 2, 2>, auto_pad = #nb<auto_pad valid>} : (tensor<1x2x3x3xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32>
  return %0 : tensor<1x3x7x7xf32>
}

// -----

// A per-channel input zero point is outside ONNX's ConvInteger.
func.func @conv_integer_input_zero_point(%x: tensor<1x2x5x5xui8>, %w: tensor<4x2x3x3xui8>, %xz: tensor<2xui8>) -> tensor<1x4x3x3xi32> {
  // expected-error @+1 {{failed to legalize operation 'nb.conv_integer'}}
  %0 = nb.conv_integer %x, %w, %xz {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<1x2x5x5xui8>, tensor<4x2x3x3xui8>, tensor<2xui8>) -> tensor<1x4x3x3xi32>
  return %0 : tensor<1x4x3x3xi32>
}
