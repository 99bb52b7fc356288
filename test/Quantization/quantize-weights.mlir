// RUN: nibble-opt %s -split-input-file -nb-quantize-weights="bits=8 group-size=0" | FileCheck %s --check-prefix=CHANNEL8
// RUN: nibble-opt %s -split-input-file -nb-quantize-weights="bits=4 group-size=2" | FileCheck %s --check-prefix=GROUP4
// RUN: nibble-opt %s -split-input-file -nb-quantize-weights="bits=4 group-size=2 symmetric=false scale-type=f16" | FileCheck %s --check-prefix=ASYM16
// RUN: nibble-opt %s -split-input-file -nb-quantize-weights="bits=4 group-size=3 pad-groups=true" | FileCheck %s --check-prefix=PAD
// RUN: nibble-opt %s -split-input-file -nb-quantize-weights="bits=8 group-size=0 exclude-nodes=fc.* exclude-op-types=Conv" 2>&1 | FileCheck %s --check-prefix=EXCLUDE
// RUN: nibble-opt %s -split-input-file -nb-quantize-weights="bits=4 group-size=0 scale-type=f16" 2>&1 | FileCheck %s --check-prefix=HALF

// MatMul's B [K, N]: per channel along N (axis 1), groups along K (axis 0).
// Column 0 has max |w| 1 and column 1 max |w| 2: symmetric int8 scales are
// 1/127 and 2/127, values w * 127 / max rounded.
// CHANNEL8-LABEL: func.func @matmul
// CHANNEL8: %[[Q:.+]] = nb.constant dense<{{\[}}[127, -127], [32, 64], [-127, 16], [16, -48]]> : tensor<4x2xi8>
// CHANNEL8: %[[T:.+]] = quant.scast %[[Q]] : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32:1, {0.0078740157186985015,0.015748031437397003}>>
// CHANNEL8: %[[S:.+]] = nb.constant dense<[0.00787401571, 0.0157480314]> : tensor<2xf32>
// CHANNEL8: %[[Z:.+]] = nb.constant dense<0> : tensor<2xi8>
// CHANNEL8: %[[D:.+]] = nb.dequantize_linear %[[T]], %[[S]], %[[Z]] : ({{.+}}) -> tensor<4x2xf32>
// CHANNEL8: nb.matmul %arg0, %[[D]]

// int4 groups of 2 rows: scales per (group, column), max |w| / 7.
// GROUP4-LABEL: func.func @matmul
// GROUP4: %[[Q:.+]] = nb.constant dense<{{\[}}[7, -7], [2, 3], [-7, 2], [1, -7]]> : tensor<4x2xi4>
// GROUP4: quant.scast %[[Q]] : tensor<4x2xi4> to tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{\{}}{0.142857149, 0.285714298}, {0.142857149, 0.107142858}}>>
// GROUP4: nb.constant dense<{{\[}}[0.142857149, 0.285714298], [0.142857149, 0.107142858]]> : tensor<2x2xf32>
// GROUP4: nb.constant dense<0> : tensor<2x2xi4>
// GROUP4: nb.dequantize_linear {{.+}} {axis = 0 : i64, block_size = 2 : i64}

// Asymmetric: full [-8, 7] range and a zero point per group; f16 scales,
// the dequantize in f16 and a cast to the weight's f32.
// ASYM16-LABEL: func.func @matmul
// ASYM16: nb.constant dense<{{\[}}[7, -8], [-4, 7], [-8, 7], [7, -8]]> : tensor<4x2xi4>
// ASYM16: quant.scast {{.+}} to tensor<4x2x!quant.uniform<i4:f16:{0:2, 1:1}, {{.+}}>>
// ASYM16: %[[S:.+]] = nb.constant dense<{{.+}}> : tensor<2x2xf16>
// ASYM16: %[[Z:.+]] = nb.constant dense<{{\[}}[-8, 2], [5, 3]]> : tensor<2x2xi4>
// ASYM16: %[[D:.+]] = nb.dequantize_linear {{.+}}, %[[S]], %[[Z]] {axis = 0 : i64, block_size = 2 : i64} : ({{.+}}) -> tensor<4x2xf16>
// ASYM16: %[[C:.+]] = nb.cast %[[D]] : (tensor<4x2xf16>) -> tensor<4x2xf32>
// ASYM16: nb.matmul %arg0, %[[C]]

// K = 4 padded to 6 for groups of 3; the padding is sliced off.
// PAD-LABEL: func.func @matmul
// PAD: nb.constant dense<{{\[}}[7, -7], [2, 3], [-7, 1], [7, -7], [0, 0], [0, 0]]> : tensor<6x2xi4>
// PAD: %[[D:.+]] = nb.dequantize_linear {{.+}} {axis = 0 : i64, block_size = 3 : i64} : ({{.+}}) -> tensor<6x2xf32>
// PAD-DAG: %[[STEP:.+]] = nb.constant dense<0> : tensor<1xi64>
// PAD-DAG: %[[END:.+]] = nb.constant dense<4> : tensor<1xi64>
// PAD: %[[SL:.+]] = nb.slice %[[D]], %{{.+}}, %[[END]], %{{.+}} {{.+}} -> tensor<4x2xf32>
// PAD: nb.matmul %arg0, %[[SL]]

// EXCLUDE-LABEL: func.func @matmul
// EXCLUDE: tensor<4x2xi8>
func.func @matmul(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = nb.constant dense<[[1.0, -2.0], [0.25, 1.0], [-1.0, 0.25], [0.125, -0.75]]> : tensor<4x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("mm")
  return %y : tensor<2x2xf32>
}

// -----

// Gemm with trans_b: B is [N, K], channels along axis 0, groups along axis 1.
// CHANNEL8-LABEL: func.func @gemm_trans_b
// CHANNEL8: quant.scast {{.+}} : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32:0, {{.+}}>>
// CHANNEL8: %[[D:.+]] = nb.dequantize_linear {{.+}} {axis = 0 : i64}
// CHANNEL8: nb.gemm %arg0, %[[D]], %arg1 {trans_b = true}

// GROUP4-LABEL: func.func @gemm_trans_b
// GROUP4: quant.scast {{.+}} : tensor<3x4xi4> to tensor<3x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{.+}}>>
// GROUP4: nb.dequantize_linear {{.+}} {block_size = 2 : i64} : ({{.+}}, tensor<3x2xf32>, tensor<3x2xi4>) -> tensor<3x4xf32>

// The C bias and the A operand stay float.
// EXCLUDE-LABEL: func.func @gemm_trans_b
// EXCLUDE-NOT: quant.scast
// EXCLUDE: nb.gemm %arg0, %{{.+}}, %arg1 {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>)
func.func @gemm_trans_b(%x: tensor<2x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %w = nb.constant dense<[[1.0, -2.0, 0.5, 3.0], [0.25, 1.0, -4.0, 2.0], [-1.0, 0.5, 1.5, 0.0]]> : tensor<3x4xf32>
  %y = nb.gemm %x, %w, %c {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("fc")
  return %y : tensor<2x3xf32>
}

// -----

// Gemm without trans_b: B is [K, N], groups along axis 0.
// GROUP4-LABEL: func.func @gemm
// GROUP4: quant.scast {{.+}} : tensor<4x3xi4> to tensor<4x3x!quant.uniform<i4:f32:{0:2, 1:1}, {{.+}}>>
// GROUP4: nb.dequantize_linear {{.+}} {axis = 0 : i64, block_size = 2 : i64} : ({{.+}}, tensor<2x3xf32>, tensor<2x3xi4>) -> tensor<4x3xf32>
func.func @gemm(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = nb.constant dense<[[1.0, -2.0, 0.5], [3.0, 0.25, 1.0], [-4.0, 2.0, -1.0], [0.5, 1.5, 0.0]]> : tensor<4x3xf32>
  %y = nb.gemm %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Conv W [M, C, kh, kw]: per channel along M keeps the 4-D constant; groups
// run over the flattened C*kh*kw = 4: a [2, 4] constant reshaped back.
// CHANNEL8-LABEL: func.func @conv
// CHANNEL8: quant.scast {{.+}} : tensor<2x1x2x2xi8> to tensor<2x1x2x2x!quant.uniform<i8:f32:0, {{.+}}>>
// CHANNEL8: %[[D:.+]] = nb.dequantize_linear {{.+}} {axis = 0 : i64} : ({{.+}}) -> tensor<2x1x2x2xf32>
// CHANNEL8: nb.conv %arg0, %[[D]], %arg1

// GROUP4-LABEL: func.func @conv
// GROUP4: %[[Q:.+]] = nb.constant dense<{{\[}}[3, -7, 1, 7], [2, 7, -7, 3]]> : tensor<2x4xi4>
// GROUP4: %[[D:.+]] = nb.dequantize_linear {{.+}} {block_size = 2 : i64} : ({{.+}}) -> tensor<2x4xf32>
// GROUP4: %[[SHAPE:.+]] = nb.constant dense<[2, 1, 2, 2]> : tensor<4xi64>
// GROUP4: %[[R:.+]] = nb.reshape %[[D]], %[[SHAPE]] : (tensor<2x4xf32>, tensor<4xi64>) -> tensor<2x1x2x2xf32>
// GROUP4: nb.conv %arg0, %[[R]], %arg1

// Padded to 6 for groups of 3, sliced back to 4, then reshaped.
// PAD-LABEL: func.func @conv
// PAD: nb.constant {{.+}} : tensor<2x6xi4>
// PAD: %[[SL:.+]] = nb.slice {{.+}} -> tensor<2x4xf32>
// PAD: %[[R:.+]] = nb.reshape %[[SL]], %{{.+}} -> tensor<2x1x2x2xf32>
// PAD: nb.conv %arg0, %[[R]], %arg1

// exclude-op-types=Conv
// EXCLUDE-LABEL: func.func @conv
// EXCLUDE-NOT: quant.scast
// EXCLUDE: nb.conv %arg0, %{{.+}}, %arg1 : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>)
func.func @conv(%x: tensor<1x1x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %w = nb.constant dense<[[[[1.0, -2.0], [0.5, 3.0]]], [[[0.25, 1.0], [-4.0, 2.0]]]]> : tensor<2x1x2x2xf32>
  %y = nb.conv %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32> loc("conv")
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A weight shared by two MatMuls is quantized for each; the float constant
// goes once unused.
// CHANNEL8-LABEL: func.func @shared_weight
// CHANNEL8-NOT: : tensor<4x2xf32>{{$}}
// CHANNEL8: quant.scast
// CHANNEL8-NOT: : tensor<4x2xf32>{{$}}
// CHANNEL8: quant.scast
// CHANNEL8-NOT: : tensor<4x2xf32>{{$}}
// CHANNEL8: return
func.func @shared_weight(%x: tensor<2x4xf32>, %z: tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = nb.constant dense<[[1.0, -2.0], [0.25, 1.0], [-1.0, 0.25], [0.125, -0.75]]> : tensor<4x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  %v = nb.matmul %z, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y, %v : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A weight that arrives quantized (QDQ model) keeps its parameters.
// CHANNEL8-LABEL: func.func @already_quantized
// CHANNEL8: nb.constant dense<{{.+}}> : tensor<4x2xi8>
// CHANNEL8-NOT: quant.scast
// CHANNEL8: nb.dequantize_linear
// CHANNEL8-NOT: nb.dequantize_linear
// CHANNEL8: return
func.func @already_quantized(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %q = nb.constant dense<[[1, 2], [3, 4], [5, 6], [7, 8]]> : tensor<4x2xi8>
  %s = nb.constant dense<0.5> : tensor<f32>
  %w = nb.dequantize_linear %q, %s : (tensor<4x2xi8>, tensor<f32>) -> tensor<4x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Grouped Conv (group = 2): W [M, C/group, kh, kw] = [4, 2, 2, 2] reduces
// over C/group * kh * kw = 8 per output channel.
// GROUP4-LABEL: func.func @conv_grouped
// GROUP4: nb.constant {{.+}} : tensor<4x8xi4>
// GROUP4: nb.dequantize_linear {{.+}} {block_size = 2 : i64} : ({{.+}}, tensor<4x4xf32>, tensor<4x4xi4>) -> tensor<4x8xf32>
// GROUP4: nb.reshape {{.+}} -> tensor<4x2x2x2xf32>
// GROUP4: nb.conv {{.+}} {group = 2 : i64}
func.func @conv_grouped(%x: tensor<1x4x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %w = nb.constant dense<[[[[1.0, -2.0], [0.5, 3.0]], [[0.25, 1.0], [-4.0, 2.0]]], [[[1.0, 2.0], [0.5, 3.0]], [[0.25, 1.0], [4.0, 2.0]]], [[[1.5, -2.0], [0.5, 3.0]], [[0.25, 1.0], [-4.0, 2.5]]], [[[1.0, -2.0], [0.75, 3.0]], [[0.25, 1.5], [-4.0, 2.0]]]]> : tensor<4x2x2x2xf32>
  %y = nb.conv %x, %w {group = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// A batched MatMul weight [B, K, N]: channels along N, groups along K.
// CHANNEL8-LABEL: func.func @matmul_batched
// CHANNEL8: nb.dequantize_linear {{.+}} {axis = 2 : i64} : ({{.+}}, tensor<2xf32>, tensor<2xi8>) -> tensor<2x4x2xf32>
// GROUP4-LABEL: func.func @matmul_batched
// GROUP4: nb.dequantize_linear {{.+}} {block_size = 2 : i64} : ({{.+}}, tensor<2x2x2xf32>, tensor<2x2x2xi4>) -> tensor<2x4x2xf32>
func.func @matmul_batched(%x: tensor<2x3x4xf32>) -> tensor<2x3x2xf32> {
  %w = nb.constant dense<[[[1.0, -2.0], [0.25, 1.0], [-1.0, 0.25], [0.125, -0.75]], [[2.0, -1.0], [0.5, 1.5], [-1.5, 0.25], [0.25, -0.5]]]> : tensor<2x4x2xf32>
  %y = nb.matmul %x, %w : (tensor<2x3x4xf32>, tensor<2x4x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// f16 scales: a channel whose weights are all tiny (max 1.4e-5 / 7 is below
// f16's smallest normal, 6.1035e-05) gets the smallest normal as its scale
// and quantizes to zeros; the other channel keeps its own scale. Nothing
// stays float.
// HALF-LABEL: func.func @tiny_weights
// HALF-NOT: nb.kept_float
// HALF: nb.constant dense<{{\[}}[7, 0], [-7, 0]]> : tensor<2x2xi4>
// HALF: nb.constant dense<[1.428220e-01, 6.103520e-05]> : tensor<2xf16>
func.func @tiny_weights(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = nb.constant dense<[[1.0, 1.4e-5], [-1.0, -1.0e-5]]> : tensor<2x2xf32>
  %y = nb.matmul %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
