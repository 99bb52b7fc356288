// Not valid IR: the result type of nb.relu is missing.
func.func @broken(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = nb.relu %x : (tensor<2xf32>) ->
  return %0 : tensor<2xf32>
}
