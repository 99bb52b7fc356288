// RUN: nibble-opt %s -split-input-file -verify-diagnostics

func.func @sigmoid_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{input must have a float or quantized element type}}
  %0 = nb.sigmoid %x : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @unary_type_mismatch(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{element types must agree unless quantized}}
  %0 = nb.exp %x : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @unary_shape(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = nb.relu %x : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @clip_bounds(%x: tensor<4xf32>, %b: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{min and max must be scalars}}
  %0 = nb.clip %x, %b {operandSegmentSizes = array<i32: 1, 1, 0>} : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @add_types(%x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{element types must agree unless quantized}}
  %0 = nb.add %x, %y : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @add_broadcast(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operands don't have broadcast-compatible shapes}}
  %0 = nb.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @equal_result(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{result must be a tensor of i1}}
  %0 = nb.equal %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @equal_operands(%x: tensor<4xf32>, %y: tensor<4xi64>) -> tensor<4xi1> {
  // expected-error @+1 {{operand element types must agree}}
  %0 = nb.equal %x, %y : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @where_condition(%c: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{condition must be a tensor of i1}}
  %0 = nb.where %c, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{weight rank 3 must equal input rank 4}}
  %0 = nb.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_input_rank(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input must have rank >= 3}}
  %0 = nb.conv %x, %w : (tensor<3x8xf32>, tensor<4x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input channels 3 do not match the weight (channels * group = 2)}}
  %0 = nb.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{group 4 must divide the output channels 6}}
  %0 = nb.conv %x, %w {group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{group must be positive}}
  %0 = nb.conv %x, %w {group = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{bias size 5 must equal the output channels 4}}
  %0 = nb.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{bias must be 1-D}}
  %0 = nb.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{strides must have 2 values for 2 spatial dims, got 3}}
  %0 = nb.conv %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{pads must have 4 values for 2 spatial dims, got 2}}
  %0 = nb.conv %x, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{dilations must be positive}}
  %0 = nb.conv %x, %w {dilations = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_negative_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{pads must be non-negative}}
  %0 = nb.conv %x, %w {pads = array<i64: -1, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_result_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{result #0 type 'tensor<1x4x8x8xf32>' is incompatible with the inferred type 'tensor<1x4x6x6xf32>'}}
  %0 = nb.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_int(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>) -> tensor<*xf32> {
  // expected-error @+1 {{input must have a float or quantized element type}}
  %0 = nb.conv %x, %w : (tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{output_padding must have 2 values, got 1}}
  %0 = nb.conv_transpose %x, %w {output_padding = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_shape(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<1x2x17x17xf32>'}}
  %0 = nb.conv_transpose %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x16x16xf32>
  return %0 : tensor<1x2x16x16xf32>
}

// -----

func.func @conv_integer_result(%x: tensor<1x3x8x8xui8>, %w: tensor<4x3x3x3xi8>) -> tensor<1x4x6x6xi64> {
  // expected-error @+1 {{result must be a tensor of i32}}
  %0 = nb.conv_integer %x, %w {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>) -> tensor<1x4x6x6xi64>
  return %0 : tensor<1x4x6x6xi64>
}

// -----

func.func @conv_integer_input(%x: tensor<1x3x8x8xi16>, %w: tensor<4x3x3x3xi8>) -> tensor<*xi32> {
  // expected-error @+1 {{input must have an 8-bit integer element type}}
  %0 = nb.conv_integer %x, %w {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x3x8x8xi16>, tensor<4x3x3x3xi8>) -> tensor<*xi32>
  return %0 : tensor<*xi32>
}

// -----

func.func @qlinear_conv_bias(%x: tensor<1x2x5x5xui8>, %w: tensor<4x2x3x3xi8>, %b: tensor<4xf32>, %s: tensor<f32>, %zu: tensor<ui8>, %z: tensor<i8>) -> tensor<*xui8> {
  // expected-error @+1 {{bias must be a tensor of i32}}
  %0 = nb.qlinear_conv %x, %s, %zu, %w, %s, %z, %s, %zu, %b : (tensor<1x2x5x5xui8>, tensor<f32>, tensor<ui8>, tensor<4x2x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>, tensor<4xf32>) -> tensor<*xui8>
  return %0 : tensor<*xui8>
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %c: tensor<3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{parameter size 3 must equal the channels 4}}
  %0 = nb.batch_norm %x, %c, %c, %c, %c : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nb.layer_norm %x, %s {axis = 2 : i64, resultSegmentSizes = array<i32: 1, 0, 0>} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @pool_kernel(%x: tensor<1x4x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel_shape must have 2 values, got 1}}
  %0 = nb.average_pool %x {kernel_shape = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_shape(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<1x4x4x4xf32>'}}
  %0 = nb.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

func.func @global_pool_rank(%x: tensor<4x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input must have rank >= 3}}
  %0 = nb.global_average_pool %x : (tensor<4x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = nb.softmax %x {axis = -3 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reduce_mean_axes(%x: tensor<2x4xf32>) -> tensor<*xf32> {
  %axes = nb.constant dense<[5]> : tensor<1xi64>
  // expected-error @+1 {{axis 5 is out of range for rank 2}}
  %0 = nb.reduce_mean %x, %axes : (tensor<2x4xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{contraction dims differ: 3 vs 4}}
  %0 = nb.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{batch dims are not broadcastable}}
  %0 = nb.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<2x5xf32>'}}
  %0 = nb.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_integer_result(%a: tensor<2x3xi8>, %b: tensor<3x5xi8>) -> tensor<2x5xf32> {
  // expected-error @+1 {{result must be a tensor of i32}}
  %0 = nb.matmul_integer %a, %b {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<2x3xi8>, tensor<3x5xi8>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_integer_zero_point(%a: tensor<2x3xi8>, %b: tensor<3x5xi8>, %z: tensor<ui8>) -> tensor<2x5xi32> {
  // expected-error @+1 {{lhs_zero_point element type must match lhs}}
  %0 = nb.matmul_integer %a, %b, %z {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<2x3xi8>, tensor<3x5xi8>, tensor<ui8>) -> tensor<2x5xi32>
  return %0 : tensor<2x5xi32>
}

// -----

func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{A must have rank 2}}
  %0 = nb.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gemm_inner(%a: tensor<3x4xf32>, %b: tensor<3x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{contraction dims differ: 4 vs 3}}
  %0 = nb.gemm %a, %b : (tensor<3x4xf32>, tensor<3x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inputs must have the same rank}}
  %0 = nb.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inputs differ in non-axis dim 1: 3 vs 4}}
  %0 = nb.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = nb.concat %a, %a {axis = -3 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>) -> tensor<5x3xf32> {
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<4x3xf32>'}}
  %0 = nb.concat %a, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

func.func @flatten_axis(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{axis 3 is out of range for rank 2}}
  %0 = nb.flatten %a {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_two_minus_one(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = nb.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape may contain at most one -1}}
  %0 = nb.reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_elements(%a: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<4x2xf32> {
  // expected-error @+1 {{input has 6 elements but the result has 8}}
  %0 = nb.reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @reshape_shape_type(%a: tensor<2x3xf32>, %s: tensor<2xi32>) -> tensor<*xf32> {
  // expected-error @+1 {{shape must be a tensor of i64}}
  %0 = nb.reshape %a, %s : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reshape_inferred(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %s = nb.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<2x3xf32>'}}
  %0 = nb.reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_perm(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{perm must be a permutation of [0, 2)}}
  %0 = nb.transpose %a {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @transpose_rank(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{perm has 3 entries for an input of rank 2}}
  %0 = nb.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<2x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unsqueeze_axis(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %axes = nb.constant dense<[3]> : tensor<1xi64>
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = nb.unsqueeze %a, %axes : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unsqueeze_repeated(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %axes = nb.constant dense<[0, -4]> : tensor<2xi64>
  // expected-error @+1 {{axis -4 is repeated}}
  %0 = nb.unsqueeze %a, %axes : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @squeeze_non_one(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %axes = nb.constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{cannot squeeze axis 0 of size 2}}
  %0 = nb.squeeze %a, %axes : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @expand_shape(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = nb.constant dense<[4, 3]> : tensor<2xi64>
  // expected-error @+1 {{is not broadcastable to the shape}}
  %0 = nb.expand %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @shape_result(%a: tensor<2x3xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{result must be a tensor of i64}}
  %0 = nb.shape %a : (tensor<2x3xf32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @shape_length(%a: tensor<2x3xf32>) -> tensor<3xi64> {
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<2xi64>'}}
  %0 = nb.shape %a : (tensor<2x3xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @gather_indices(%a: tensor<2x3xf32>, %i: tensor<2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{indices must be a tensor of i32 or i64}}
  %0 = nb.gather %a, %i : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_axis(%a: tensor<2x3xf32>, %i: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nb.gather %a, %i {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_steps(%a: tensor<4xf32>) -> tensor<*xf32> {
  %s = nb.constant dense<[0]> : tensor<1xi64>
  %z = nb.constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{steps must be non-zero}}
  %0 = nb.slice %a, %s, %s, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_result(%a: tensor<10xf32>) -> tensor<3xf32> {
  %s = nb.constant dense<[1]> : tensor<1xi64>
  %e = nb.constant dense<[8]> : tensor<1xi64>
  %ax = nb.constant dense<[0]> : tensor<1xi64>
  %st = nb.constant dense<[2]> : tensor<1xi64>
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<4xf32>'}}
  %0 = nb.slice %a, %s, %e, %ax, %st {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @split_count(%a: tensor<6xf32>) -> tensor<*xf32> {
  %s = nb.constant dense<[2, 2, 2]> : tensor<3xi64>
  // expected-error @+1 {{split has 3 sizes for 2 results}}
  %0:2 = nb.split %a, %s : (tensor<6xf32>, tensor<3xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0 : tensor<*xf32>
}

// -----

func.func @split_sum(%a: tensor<6xf32>) -> tensor<*xf32> {
  %s = nb.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{split sizes sum to 5 but the axis has size 6}}
  %0:2 = nb.split %a, %s : (tensor<6xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0 : tensor<*xf32>
}

// -----

func.func @pad_length(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %p = nb.constant dense<[1, 1]> : tensor<2xi64>
  // expected-error @+1 {{pads must have 4 values (begin and end per axis), got 2}}
  %0 = nb.pad %a, %p {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_both(%a: tensor<1x1x2x2xf32>, %s: tensor<4xf32>, %z: tensor<4xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{takes scales or sizes, not both}}
  %0 = nb.resize %a, %s, %z {operandSegmentSizes = array<i32: 1, 0, 1, 1>} : (tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @resize_count(%a: tensor<1x1x2x2xf32>, %s: tensor<3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{scales/sizes must have 4 values, got 3}}
  %0 = nb.resize %a, %s {operandSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<1x1x2x2xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @range_types(%s: tensor<i64>, %d: tensor<i32>) -> tensor<?xi64> {
  // expected-error @+1 {{start, limit, delta and result must have the same element type}}
  %0 = nb.range %s, %s, %d : (tensor<i64>, tensor<i64>, tensor<i32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @constant_of_shape_value(%s: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{value must have exactly one element}}
  %0 = nb.constant_of_shape %s {value = dense<1.0> : tensor<2xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @constant_of_shape_type(%s: tensor<2xi64>) -> tensor<?x?xi32> {
  // expected-error @+1 {{is incompatible with the inferred type 'tensor<?x?xf32>'}}
  %0 = nb.constant_of_shape %s {value = dense<1.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<?x?xi32>
  return %0 : tensor<?x?xi32>
}

// -----

func.func @quantize_input(%x: tensor<4xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xi8> {
  // expected-error @+1 {{input must be a float or i32 tensor}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @quantize_zero_point(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xi8> {
  // expected-error @+1 {{quantized element type 'i8' must match the zero_point element type 'ui8'}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @quantize_scale_type(%x: tensor<4xf32>, %s: tensor<i32>, %z: tensor<i8>) -> tensor<4xi8> {
  // expected-error @+1 {{scale must be a float tensor}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<i32>, tensor<i8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @quantize_per_axis_count(%x: tensor<2x4xf32>, %s: tensor<3xf32>, %z: tensor<3xi8>) -> tensor<2x4xi8> {
  // expected-error @+1 {{per-axis scale has 3 values for axis size 4}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}

// -----

func.func @quantize_axis(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xi8> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = nb.quantize_linear %x, %s {axis = 2 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}

// -----

func.func @quantize_block_shape(%x: tensor<2x8xf32>, %s: tensor<2x3xf32>) -> tensor<2x8xi8> {
  // expected-error @+1 {{blocked scale dim 1 is 3, expected 2}}
  %0 = nb.quantize_linear %x, %s {axis = 1 : i64, block_size = 4 : i64} : (tensor<2x8xf32>, tensor<2x3xf32>) -> tensor<2x8xi8>
  return %0 : tensor<2x8xi8>
}

// -----

func.func @quantize_zero_point_shape(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %z: tensor<i8>) -> tensor<2x4xi8> {
  // expected-error @+1 {{zero_point shape must match the scale shape}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<4xf32>, tensor<i8>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}

// -----

func.func @quantize_storage(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{quant storage type of '!quant.uniform<i8:f32, 5.000000e-01>' does not match the zero_point element type 'ui8'}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @quantize_expressed(%x: tensor<4xf32>, %s: tensor<f16>, %z: tensor<i8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{quant expressed type of '!quant.uniform<i8:f32, 5.000000e-01>' does not match the scale element type 'f16'}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f16>, tensor<i8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @quantize_params(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5:2>> {
  %s = nb.constant dense<0.25> : tensor<f32>
  %z = nb.constant dense<2> : tensor<i8>
  // expected-error @+1 {{does not match the constant scale and zero_point, expected '!quant.uniform<i8:f32, 2.500000e-01:2>'}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4x!quant.uniform<i8:f32, 0.5:2>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5:2>>
}

// -----

func.func @quantize_narrow_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>> {
  %s = nb.constant dense<0.5> : tensor<f32>
  %z = nb.constant dense<0> : tensor<i8>
  // ONNX saturates to the full storage range.
  // expected-error @+1 {{does not match the constant scale and zero_point}}
  %0 = nb.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>
  return %0 : tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>
}

// -----

func.func @dequantize_result(%q: tensor<4xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xf16> {
  // expected-error @+1 {{result element type must match the scale}}
  %0 = nb.dequantize_linear %q, %s, %z : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @dequantize_per_axis(%q: tensor<4x4x!quant.uniform<i8:f32:1, {0.5, 0.5, 0.5, 0.5}>>) -> tensor<4x4xf32> {
  %s = nb.constant dense<[0.5, 0.5, 0.5, 0.5]> : tensor<4xf32>
  %z = nb.constant dense<[0, 0, 0, 0]> : tensor<4xi8>
  // expected-error @+1 {{does not match the constant scale and zero_point, expected '!quant.uniform<i8:f32:0, {5.000000e-01,5.000000e-01,5.000000e-01,5.000000e-01}>'}}
  %0 = nb.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<4x4x!quant.uniform<i8:f32:1, {0.5, 0.5, 0.5, 0.5}>>, tensor<4xf32>, tensor<4xi8>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @dynamic_quantize_input(%x: tensor<4xf16>) -> tensor<4xui8> {
  // expected-error @+1 {{input must be a tensor of f32}}
  %0:3 = nb.dynamic_quantize_linear %x : (tensor<4xf16>) -> (tensor<4xui8>, tensor<f32>, tensor<ui8>)
  return %0#0 : tensor<4xui8>
}

// -----

func.func @dynamic_quantize_result(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{result #0 type 'tensor<4xi8>' is incompatible with the inferred type 'tensor<4xui8>'}}
  %0:3 = nb.dynamic_quantize_linear %x : (tensor<4xf32>) -> (tensor<4xi8>, tensor<f32>, tensor<ui8>)
  return %0#0 : tensor<4xi8>
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 2}}
  %0 = nb.trilu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @trilu_k(%x: tensor<4x4xf32>, %k: tensor<i32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{k must be a tensor of i64}}
  %0 = nb.trilu %x, %k : (tensor<4x4xf32>, tensor<i32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Averaging needs arithmetic on the values: only MaxPool takes 8-bit integers.
func.func @average_pool_uint8(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8> {
  // expected-error @+1 {{input must have a float or quantized element type}}
  %0 = nb.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}
