// Two inputs for `nibble calibrate --generate`: x declares its range
// (nb.range), w does not; the batch dimension is dynamic.
func.func @main(%x: tensor<?x4xf32> {nb.name = "x", nb.range = array<f64: -3.0, -2.0>},
                %w: tensor<?x4xf32> {nb.name = "w"}) -> (tensor<?x4xf32> {nb.name = "s"}) {
  %s = nb.add %x, %w {nb.output_names = ["s"]} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("add")
  return %s : tensor<?x4xf32>
}
