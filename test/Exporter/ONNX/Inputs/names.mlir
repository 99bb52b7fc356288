// A function whose outputs are a node result, a graph input (through a
// tensor.cast), a constant and the node result again; a 16 KiB splat weight
// for the external data test.
module {
  func.func @main(%x: tensor<2x64xf32> {nb.name = "x"}) -> (tensor<2x64xf32> {nb.name = "y"}, tensor<?x64xf32> {nb.name = "x_again"}, tensor<64xf32> {nb.name = "bias_out"}, tensor<2x64xf32> {nb.name = "y_twice"}) {
    %w = nb.constant dense<0.5> : tensor<64x64xf32> loc("weight")
    %b = nb.constant dense<2.0> : tensor<64xf32> loc("bias")
    %m = nb.matmul %x, %w : (tensor<2x64xf32>, tensor<64x64xf32>) -> tensor<2x64xf32> loc("mm")
    %y = nb.add %m, %b : (tensor<2x64xf32>, tensor<64xf32>) -> tensor<2x64xf32> loc("add_bias")
    %xc = tensor.cast %x : tensor<2x64xf32> to tensor<?x64xf32>
    return %y, %xc, %b, %y : tensor<2x64xf32>, tensor<?x64xf32>, tensor<64xf32>, tensor<2x64xf32>
  }
}
