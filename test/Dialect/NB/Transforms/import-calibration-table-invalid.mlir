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
// Malformed per_channel entries.
// RUN: echo '{"version": 1, "tensors": {"x": {"min": 0, "max": 1, "per_channel": {"axis": 0, "min": [0, 1], "max": [1]}}}}' > %t/counts.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/counts.json 2>&1 | FileCheck %s --check-prefix=COUNTS
// COUNTS: error: malformed calibration table '{{.*}}counts.json': tensor 'x': expected "per_channel": {"axis": integer >= 0, "min": [numbers], "max": [as many numbers]}
// RUN: echo '{"version": 1, "tensors": {"x": {"min": 0, "max": 1, "per_channel": {"axis": 0, "min": [0, 2], "max": [1, 1]}}}}' > %t/channel.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/channel.json 2>&1 | FileCheck %s --check-prefix=CHANNEL
// CHANNEL: error: malformed calibration table '{{.*}}channel.json': tensor 'x': per_channel channel 1: min > max (or NaN)
// RUN: echo '{"version": 1, "tensors": {"x": {"min": 0, "max": 1, "per_channel": [0, 1]}}}' > %t/notobject.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/notobject.json 2>&1 | FileCheck %s --check-prefix=NOTOBJECT
// NOTOBJECT: error: malformed calibration table '{{.*}}notobject.json': tensor 'x': expected an object

// Per-channel entries that do not fit the tensor, at the value's op (or
// function): a channel count other than the static extent, an axis past the
// rank.
// RUN: echo '{"version": 1, "tensors": {"x": {"min": 0, "max": 1, "per_channel": {"axis": 0, "min": [0, 0, 0], "max": [1, 1, 1]}}, "n": {"min": 0, "max": 1, "per_channel": {"axis": 1, "min": [0], "max": [1]}}}}' > %t/fit.json
// RUN: not nibble-opt %s -nb-import-calibration-table=table=%t/fit.json 2>&1 | FileCheck %s --check-prefix=FIT
// FIT-DAG: error: calibration table: tensor 'x' has 3 per-channel ranges along axis 0, its extent there is 4
// FIT-DAG: error: calibration table: per-channel axis 1 of tensor 'n' is past its rank 1

func.func @f(%x: tensor<4xf32> {nb.name = "x"}) -> tensor<4xf32> {
  %n = nb.neg %x {nb.output_names = ["n"]} : (tensor<4xf32>) -> tensor<4xf32>
  return %n : tensor<4xf32>
}
