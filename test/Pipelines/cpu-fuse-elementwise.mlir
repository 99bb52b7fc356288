// RUN: nibble-opt %s --nb-cpu-fuse-elementwise --split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// An elementwise chain becomes one generic.
// CHECK-LABEL: func.func @chain
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
func.func @chain(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e0 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<4x8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %out: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %relu : tensor<4x8xf32>
}

// -----

// An in-place update (out += bias) fuses into an elementwise consumer...
// CHECK-LABEL: func.func @init_reader_into_parallel
// CHECK: linalg.generic
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @init_reader_into_parallel(%acc: tensor<4x8xf32>, %bias: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %biased = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%acc : tensor<4x8xf32>) {
  ^bb0(%b: f32, %out: f32):
    %s = arith.addf %out, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%biased : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %out: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %relu : tensor<4x8xf32>
}

// -----

// ...but not into a consumer with reduction loops, which would apply the
// update once per reduction step.
// CHECK-LABEL: func.func @init_reader_into_reduction
// CHECK: %[[BIASED:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[BIASED]], %{{.+}} : tensor<2x16xf32>, tensor<16x10xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d2, d1)>
#res = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @init_reader_into_reduction(%conv: tensor<2x16xf32>, %bias: tensor<16xf32>, %w: tensor<16x10xf32>, %acc: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %biased = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%conv : tensor<2x16xf32>) {
  ^bb0(%b: f32, %out: f32):
    %s = arith.addf %out, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x16xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #res], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%biased, %w : tensor<2x16xf32>, tensor<16x10xf32>) outs(%acc : tensor<2x10xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x10xf32>
  return %r : tensor<2x10xf32>
}

// -----

// ...nor into a consumer that broadcasts it (squeeze-excitation's
// x * gate[n, c, 0, 0] after gate = conv + bias): the fused op would keep the
// conv as a 1x4x1x1 output indexed (d0, d1, 0, 0) and add the bias once per
// (d2, d3), 6 times here.
// CHECK-LABEL: func.func @init_reader_into_broadcast
// CHECK: %[[BIASED:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<4xf32>) outs(%{{.+}} : tensor<1x4x1x1xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[BIASED]] : tensor<1x4x2x3xf32>, tensor<1x4x1x1xf32>)
// CHECK-NOT: linalg.generic
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>
#gate = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
func.func @init_reader_into_broadcast(%x: tensor<1x4x2x3xf32>, %conv: tensor<1x4x1x1xf32>, %bias: tensor<4xf32>) -> tensor<1x4x2x3xf32> {
  %biased = linalg.generic {indexing_maps = [#chan, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<4xf32>) outs(%conv : tensor<1x4x1x1xf32>) {
  ^bb0(%b: f32, %out: f32):
    %s = arith.addf %out, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x4x1x1xf32>
  %e = tensor.empty() : tensor<1x4x2x3xf32>
  %y = linalg.generic {indexing_maps = [#id4, #gate, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %biased : tensor<1x4x2x3xf32>, tensor<1x4x1x1xf32>) outs(%e : tensor<1x4x2x3xf32>) {
  ^bb0(%a: f32, %g: f32, %out: f32):
    %m = arith.mulf %a, %g : f32
    linalg.yield %m : f32
  } -> tensor<1x4x2x3xf32>
  return %y : tensor<1x4x2x3xf32>
}

// -----

// A producer that only writes its init fuses into a broadcasting consumer:
// each visit recomputes the same value.
// CHECK-LABEL: func.func @pure_producer_into_broadcast
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<1x4x2x3xf32>, tensor<1x4x1x1xf32>, tensor<4xf32>)
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>
#gate = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
func.func @pure_producer_into_broadcast(%x: tensor<1x4x2x3xf32>, %conv: tensor<1x4x1x1xf32>, %bias: tensor<4xf32>) -> tensor<1x4x2x3xf32> {
  %e0 = tensor.empty() : tensor<1x4x1x1xf32>
  %biased = linalg.generic {indexing_maps = [#id4, #chan, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %bias : tensor<1x4x1x1xf32>, tensor<4xf32>) outs(%e0 : tensor<1x4x1x1xf32>) {
  ^bb0(%c: f32, %b: f32, %out: f32):
    %s = arith.addf %c, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x4x1x1xf32>
  %e = tensor.empty() : tensor<1x4x2x3xf32>
  %y = linalg.generic {indexing_maps = [#id4, #gate, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %biased : tensor<1x4x2x3xf32>, tensor<1x4x1x1xf32>) outs(%e : tensor<1x4x2x3xf32>) {
  ^bb0(%a: f32, %g: f32, %out: f32):
    %m = arith.mulf %a, %g : f32
    linalg.yield %m : f32
  } -> tensor<1x4x2x3xf32>
  return %y : tensor<1x4x2x3xf32>
}
