// RUN: rm -rf %t && mkdir -p %t
// RUN: echo '{"version": 1, "tensors": {"x": {"min": 2, "max": 1}}}' > %t/inverted.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/inverted.json 2>&1 | FileCheck %s --check-prefix=INVERTED
// INVERTED: error: malformed calibration table '{{.*}}inverted.json': tensor 'x': expected {"min": number, "max": number} with min <= max
// RUN: echo '{"version": 2, "tensors": {}}' > %t/version.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/version.json 2>&1 | FileCheck %s --check-prefix=VERSION
// VERSION: error: malformed calibration table '{{.*}}version.json': expected "version": 1
// RUN: echo '{"version": 1, "tensors": {' > %t/truncated.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/truncated.json 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: error: malformed calibration table '{{.*}}truncated.json': not JSON:
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/absent.json 2>&1 | FileCheck %s --check-prefix=ABSENT
// ABSENT: error: cannot read calibration table '{{.*}}absent.json'

func.func @f(%x: tensor<4xf32> {nb.name = "x"}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
