// RUN: nibble-opt %s | nibble-opt | FileCheck %s

// A sub-channel (blocked) quant type with negative zero points
// survives printing and parsing: the Q/DQ verifiers compare zero points by
// value, as the parser and the builders give them different element types.
// CHECK-LABEL: func.func @signed_blocks
// CHECK: nb.dequantize_linear {{.*}}!quant.uniform<i4:f32:{0:4, 1:1}, {{\{\{}}6.000000e-02:-5, 0.0933333337:-3}, {0.0466666669:-8, 0.0533333346:-8}}>
func.func @signed_blocks() -> tensor<8x2xf32> {
  %w = nb.constant dense<1> : tensor<8x2xi4>
  %q = quant.scast %w : tensor<8x2xi4> to tensor<8x2x!quant.uniform<i4:f32:{0:4, 1:1}, {{6.000000e-02:-5, 0.0933333337:-3}, {0.0466666669:-8, 0.0533333346:-8}}>>
  %s = nb.constant dense<[[6.000000e-02, 0.0933333337], [0.0466666669, 0.0533333346]]> : tensor<2x2xf32>
  %z = nb.constant dense<[[-5, -3], [-8, -8]]> : tensor<2x2xi4>
  %d = nb.dequantize_linear %q, %s, %z {axis = 0 : i64, block_size = 4 : i64} : (tensor<8x2x!quant.uniform<i4:f32:{0:4, 1:1}, {{6.000000e-02:-5, 0.0933333337:-3}, {0.0466666669:-8, 0.0533333346:-8}}>>, tensor<2x2xf32>, tensor<2x2xi4>) -> tensor<8x2xf32>
  return %d : tensor<8x2xf32>
}
