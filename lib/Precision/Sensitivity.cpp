//===- Sensitivity.cpp - per-op sensitivity to each precision -------------===//
//
// The exact measure quantizes one op at a time through the same pipeline a
// final plan goes through (nb-quantize-mixed), so what is measured is what
// will run; the proxy estimates the same quantity from the weights and the
// calibrated ranges alone (docs/precision-plan.md, "Sensitivity").
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/Sensitivity.h"

#include "nibble/Analysis/QuantizationReport.h"
#include "nibble/Dialect/NB/IR/NBOps.h"
#include "nibble/Dialect/NB/Transforms/Passes.h"
#include "nibble/Pipelines/QuantizationPipelines.h"
#include "nibble/Quantization/OpSelection.h"
#include "nibble/Quantization/WeightQuantization.h"
#include "nibble/Support/SampleReader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FileSystem.h"

#include <cmath>

using namespace llvm;
using namespace mlir;
using namespace nibble;
using namespace nibble::precision;

namespace {

bool isQuantizable(Operation *op) {
  return isa<nb::ConvOp, nb::ConvTransposeOp, nb::MatMulOp, nb::GemmOp>(op) &&
         op->getNumOperands() >= 2 &&
         matchPattern(op->getOperand(1), m_Constant());
}

/// Bytes of `op`'s constant operands in their float types (rank >= 1, as
/// the report counts parameters).
int64_t getConstantOperandBytes(Operation *op) {
  int64_t bytes = 0;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || type.getRank() == 0 || !type.hasStaticShape() ||
        !matchPattern(operand, m_Constant()))
      continue;
    bytes += type.getNumElements() *
             divideCeil(type.getElementTypeBitWidth(), 8);
  }
  return bytes;
}

/// Drops the passes' notes and warnings (every one-entry plan leaves most
/// ops float and says so); errors still reach the caller's handler.
struct QuietNotes {
  explicit QuietNotes(MLIRContext *context)
      : handler(context, [](Diagnostic &diagnostic) {
          return success(diagnostic.getSeverity() != DiagnosticSeverity::Error);
        }) {}
  ScopedDiagnosticHandler handler;
};

/// Removes a file when it goes out of scope.
struct TemporaryPath {
  SmallString<128> path;
  ~TemporaryPath() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};

/// Appends the float elements of `array` to `values`.
Error appendFloats(const HostArray &array, std::vector<double> &values) {
  int64_t n = array.getNumElements();
  if (array.type == ElementType::Float32) {
    const float *data = reinterpret_cast<const float *>(array.data.data());
    values.insert(values.end(), data, data + n);
  } else if (array.type == ElementType::Float64) {
    const double *data = reinterpret_cast<const double *>(array.data.data());
    values.insert(values.end(), data, data + n);
  } else {
    return createStringError("output '" + array.name + "' is " +
                             array.describe() +
                             "; only float outputs can be compared");
  }
  return Error::success();
}

/// Noise-to-signal ratio of rounding `weight` per group of `groupSize`
/// along its reduction (0: per channel) to symmetric integers in
/// [-qmax, qmax], or (qmax = 0) to `semantics` after scaling each channel's
/// largest magnitude to `floatMax` (1 for fp16/bf16: no scaling).
double weightNoiseRatio(ArrayRef<float> weight, ArrayRef<int64_t> shape,
                        int64_t channelAxis, ArrayRef<int64_t> reductionAxes,
                        int64_t groupSize, int64_t qmax,
                        const fltSemantics *semantics, double floatMax) {
  // Each element's (channel key, reduction index): channels are the
  // non-reduction axes flattened, reductions the reduction axes flattened
  // in order, so groups run along the reduction as nb-quantize-weights
  // forms them (Conv's flattened C*kh*kw, MatMul's K).
  int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  int64_t reductionSize = 1;
  for (int64_t axis : reductionAxes)
    reductionSize *= shape[axis];
  int64_t group = groupSize > 0 ? groupSize : reductionSize;
  int64_t groupsPerChannel = divideCeil(reductionSize, group);
  int64_t channels = weight.size() / std::max<int64_t>(reductionSize, 1);
  (void)channelAxis;
  std::vector<int64_t> groupOf(weight.size());
  for (int64_t index = 0, e = weight.size(); index < e; ++index) {
    int64_t channel = 0, reduction = 0;
    for (int64_t axis = 0; axis < rank; ++axis) {
      int64_t coordinate = (index / strides[axis]) % shape[axis];
      if (llvm::is_contained(reductionAxes, axis))
        reduction = reduction * shape[axis] + coordinate;
      else
        channel = channel * shape[axis] + coordinate;
    }
    groupOf[index] = channel * groupsPerChannel + reduction / group;
  }
  std::vector<double> amax(channels * groupsPerChannel, 0.0);
  for (int64_t index = 0, e = weight.size(); index < e; ++index)
    amax[groupOf[index]] =
        std::max(amax[groupOf[index]], double(std::fabs(weight[index])));
  double signal = 0, noise = 0;
  for (int64_t index = 0, e = weight.size(); index < e; ++index) {
    double w = weight[index], m = amax[groupOf[index]], q;
    if (m == 0) {
      q = w;
    } else if (qmax > 0) {
      double scale = m / qmax;
      q = std::clamp(std::nearbyint(w / scale), double(-qmax), double(qmax)) *
          scale;
    } else {
      double scale = floatMax == 1 ? 1 : m / floatMax;
      APFloat value(float(w / scale));
      bool losesInfo;
      value.convert(*semantics, APFloat::rmNearestTiesToEven, &losesInfo);
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      q = value.convertToDouble() * scale;
    }
    signal += w * w;
    noise += (q - w) * (q - w);
  }
  return signal > 0 ? noise / signal : 0;
}

std::optional<std::pair<double, double>> getCalibratedRange(Value value) {
  auto toPair = [](Attribute attr) -> std::optional<std::pair<double, double>> {
    auto range = dyn_cast_if_present<DenseF64ArrayAttr>(attr);
    if (!range || range.size() != 2 || !(range[0] <= range[1]))
      return std::nullopt;
    return std::pair{range[0], range[1]};
  };
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    return func ? toPair(func.getArgAttr(arg.getArgNumber(), "nb.range"))
                : std::nullopt;
  }
  Operation *op = value.getDefiningOp();
  if (op->getNumResults() == 1)
    return toPair(op->getAttr("nb.calibrated_range"));
  return std::nullopt;
}

/// Noise-to-signal ratio of rounding a tensor with calibrated range
/// [lo, hi] to 8-bit integers: step s = (hi - lo) / 255 gives noise
/// s^2 / 12; the signal is taken as that of values uniform over [-m, m],
/// m = max(|lo|, |hi|), i.e. m^2 / 3. Without a range, a range [0, m].
double integerActivationNoiseRatio(Value value) {
  std::optional<std::pair<double, double>> range = getCalibratedRange(value);
  double lo = range ? std::min(range->first, 0.0) : 0.0;
  double hi = range ? std::max(range->second, 0.0) : 1.0;
  double m = std::max(std::fabs(lo), std::fabs(hi));
  if (m == 0)
    return 0;
  double step = (hi - lo) / 255;
  return (step * step / 12) / (m * m / 3);
}

} // namespace

std::vector<QuantizableOp>
nibble::precision::findQuantizableOps(ModuleOp module, StringRef functionName) {
  std::vector<QuantizableOp> ops;
  auto func = module.lookupSymbol<func::FuncOp>(functionName);
  if (!func)
    return ops;
  func.walk([&](Operation *op) {
    if (!isQuantizable(op))
      return;
    StringRef node = nb::quantization::getNodeName(op);
    if (node.empty())
      return;
    auto weightType = dyn_cast<ShapedType>(op->getOperand(1).getType());
    ops.push_back({node.str(), nb::quantization::getONNXOpType(op),
                   weightType && weightType.hasStaticShape()
                       ? weightType.getNumElements()
                       : 0});
  });
  return ops;
}

int64_t nibble::precision::getParameterBytes(ModuleOp module) {
  nb::QuantizationReport report = nb::QuantizationReport::compute(module);
  return report.getParameterTotal().bytes + report.scales.bytes +
         report.zeroPoints.bytes;
}

int64_t nibble::precision::getParameterCount(ModuleOp module) {
  return nb::QuantizationReport::compute(module).getParameterTotal().count;
}

Expected<OwningOpRef<ModuleOp>>
nibble::precision::quantizeWithPlan(ModuleOp module, const PrecisionPlan &plan,
                                    StringRef table) {
  TemporaryPath planFile;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("nibble-plan", "json", planFile.path))
    return createStringError("cannot create a temporary plan: " +
                             ec.message());
  if (Error error = plan.save(planFile.path))
    return std::move(error);
  OwningOpRef<ModuleOp> clone(module.clone());
  MixedPrecisionPipelineOptions options;
  options.plan = planFile.path.str().str();
  options.table = table.str();
  PassManager pm(module.getContext());
  buildMixedPrecisionPipeline(pm, options);
  QuietNotes quiet(module.getContext());
  if (failed(pm.run(*clone)))
    return createStringError("nb-quantize-mixed failed on a plan");
  return std::move(clone);
}

Expected<std::vector<std::vector<HostArray>>>
nibble::precision::readSamples(ModuleOp module, StringRef functionName,
                               ArrayRef<std::string> paths, int64_t skip,
                               int64_t count) {
  CPUExecutionOptions options;
  options.functionName = functionName.str();
  Expected<std::unique_ptr<CPUExecutable>> executable =
      CPUExecutable::create(module, options);
  if (!executable)
    return executable.takeError();
  Expected<std::vector<std::string>> sources = expandSampleSources(paths);
  if (!sources)
    return sources.takeError();
  std::vector<std::vector<HostArray>> samples;
  int64_t seen = 0;
  for (const std::string &source : *sources) {
    Expected<std::unique_ptr<SampleReader>> reader = SampleReader::open(source);
    if (!reader)
      return reader.takeError();
    ArrayRef<HostArray> arrays = (*reader)->getArrays();
    int64_t available = arrays.empty() || arrays.front().shape.empty()
                            ? 0
                            : arrays.front().shape.front();
    for (const HostArray &array : arrays)
      if (array.shape.empty())
        return createStringError("'" + source + "': array '" + array.name +
                                 "' is a scalar; samples lie along axis 0");
      else
        available = std::min(available, array.shape.front());
    std::vector<HostArray> sample(arrays.size());
    for (int64_t s = 0; s < available; ++s, ++seen) {
      if (int64_t(samples.size()) >= count)
        return std::move(samples);
      for (unsigned i = 0, e = arrays.size(); i < e; ++i)
        if (Error error = (*reader)->readNextSample(i, sample[i]))
          return std::move(error);
      if (seen < skip)
        continue;
      Expected<std::vector<const HostArray *>> bound =
          (*executable)->bindInputs(sample);
      if (!bound)
        return createStringError("'" + source +
                                 "': " + toString(bound.takeError()));
      std::vector<HostArray> inputs;
      for (const HostArray *array : *bound)
        inputs.push_back(*array);
      samples.push_back(std::move(inputs));
    }
  }
  return std::move(samples);
}

Expected<OutputEvaluator>
OutputEvaluator::create(ModuleOp fp32Module,
                        std::vector<std::vector<HostArray>> samples,
                        const CPUExecutionOptions &options) {
  if (samples.empty())
    return createStringError("no samples to measure the outputs on");
  OutputEvaluator evaluator;
  evaluator.samples = std::move(samples);
  evaluator.options = options;
  Expected<std::vector<double>> reference = evaluator.runAll(fp32Module);
  if (!reference)
    return reference.takeError();
  evaluator.reference = std::move(*reference);
  return std::move(evaluator);
}

Expected<std::vector<double>> OutputEvaluator::runAll(ModuleOp module) const {
  // Input ranges an imported table put on the arguments mean nothing to
  // the LLVM translation, which would warn about each.
  OwningOpRef<ModuleOp> clone(module.clone());
  if (auto func = clone->lookupSymbol<func::FuncOp>(options.functionName))
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      func.removeArgAttr(i, "nb.range");
  Expected<std::unique_ptr<CPUExecutable>> executable =
      CPUExecutable::create(*clone, options);
  if (!executable)
    return executable.takeError();
  std::vector<double> values;
  for (const std::vector<HostArray> &sample : samples) {
    std::vector<const HostArray *> inputs;
    for (const HostArray &array : sample)
      inputs.push_back(&array);
    Expected<std::vector<HostArray>> outputs = (*executable)->run(inputs);
    if (!outputs)
      return outputs.takeError();
    for (const HostArray &output : *outputs)
      if (Error error = appendFloats(output, values))
        return std::move(error);
  }
  return std::move(values);
}

Expected<OutputError> OutputEvaluator::measure(ModuleOp module) const {
  Expected<std::vector<double>> values = runAll(module);
  if (!values)
    return values.takeError();
  if (values->size() != reference.size())
    return createStringError("the quantized model has " +
                             Twine(values->size()) + " output elements, fp32 " +
                             Twine(reference.size()));
  double signal = 0, noise = 0, dot = 0, norm = 0, maxAbs = 0;
  for (auto [x, ref] : llvm::zip_equal(*values, reference)) {
    double difference = x - ref;
    signal += ref * ref;
    noise += difference * difference;
    dot += x * ref;
    norm += x * x;
    // NaN compares false: make it the largest error.
    if (!(std::fabs(difference) <= maxAbs))
      maxAbs = std::isnan(difference) ? INFINITY : std::fabs(difference);
  }
  OutputError error;
  error.sqnrDB = noise == 0 ? kExactSQNRDB
                            : std::min(kExactSQNRDB,
                                       10 * std::log10(signal / noise));
  if (std::isnan(noise))
    error.sqnrDB = -kExactSQNRDB;
  error.cosine = signal > 0 && norm > 0 ? dot / std::sqrt(signal * norm)
                 : signal == norm       ? 1.0
                                        : 0.0;
  error.maxAbs = maxAbs;
  return error;
}

Expected<OutputError>
nibble::precision::estimateProxyError(Operation *op,
                                      const Precision &precision) {
  OutputError error;
  if (precision.isFloat32()) {
    error.sqnrDB = kExactSQNRDB;
    return error;
  }
  FailureOr<SmallVector<float>> weight =
      nb::quantization::getConstantFloatValues(op->getOperand(1));
  auto type = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  if (failed(weight) || !type || !type.hasStaticShape() || type.getRank() < 2)
    return createStringError("node '" + nb::quantization::getNodeName(op) +
                             "': the proxy needs a constant weight of "
                             "static shape and rank >= 2");
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size();
  // Where the output channels and the reduction lie (nb-quantize-weights'
  // layouts; ConvTranspose's W is [C, M/group, k...]).
  int64_t channelAxis;
  SmallVector<int64_t> reductionAxes;
  if (isa<nb::ConvOp>(op)) {
    channelAxis = 0;
    for (int64_t axis = 1; axis < rank; ++axis)
      reductionAxes.push_back(axis);
  } else if (isa<nb::ConvTransposeOp>(op)) {
    channelAxis = 1;
    for (int64_t axis = 0; axis < rank; ++axis)
      if (axis != 1)
        reductionAxes.push_back(axis);
  } else if (auto gemm = dyn_cast<nb::GemmOp>(op)) {
    channelAxis = gemm.getTransB() ? 0 : 1;
    reductionAxes.push_back(1 - channelAxis);
  } else {
    channelAxis = rank - 1;
    reductionAxes.push_back(rank - 2);
  }
  auto integerNoise = [&](int64_t qmax, int64_t groupSize) {
    return weightNoiseRatio(*weight, shape, channelAxis, reductionAxes,
                            groupSize, qmax, nullptr, 1);
  };
  auto floatNoise = [&](const fltSemantics &semantics, double floatMax) {
    return weightNoiseRatio(*weight, shape, channelAxis, reductionAxes, 0, 0,
                            &semantics, floatMax);
  };
  // A float format with p mantissa bits rounds within 2^-(p+1) relative:
  // noise (2^-(p+1))^2 / 3 = 2^-2p / 12 of the signal, once at the input
  // and once at the output.
  auto floatActivationNoise = [](int mantissaBits) {
    return 2 * std::ldexp(1.0, -2 * mantissaBits) / 12;
  };
  double ratio = 0;
  switch (precision.kind) {
  case PrecisionKind::FP32:
    break;
  case PrecisionKind::FP16:
    ratio = floatNoise(APFloat::IEEEhalf(), 1) + floatActivationNoise(10);
    break;
  case PrecisionKind::BF16:
    ratio = floatNoise(APFloat::BFloat(), 1) + floatActivationNoise(7);
    break;
  case PrecisionKind::FP8E4M3:
    ratio = floatNoise(APFloat::Float8E4M3FN(), 448) + floatActivationNoise(3);
    break;
  case PrecisionKind::FP8E5M2:
    ratio = floatNoise(APFloat::Float8E5M2(), 57344) + floatActivationNoise(2);
    break;
  case PrecisionKind::Int8:
    // Static: the input and the result are rounded to 8 bits.
    ratio = integerNoise(127, 0) +
            integerActivationNoiseRatio(op->getOperand(0)) +
            integerActivationNoiseRatio(op->getResult(0));
    break;
  case PrecisionKind::Int8Dynamic:
    ratio = integerNoise(127, 0) +
            integerActivationNoiseRatio(op->getOperand(0));
    break;
  case PrecisionKind::Int8Weight:
    ratio = integerNoise(127, precision.groupSize);
    break;
  case PrecisionKind::Int4Weight:
    ratio = integerNoise(7, precision.groupSize);
    break;
  }
  error.sqnrDB = ratio > 0 ? std::min(kExactSQNRDB, -10 * std::log10(ratio))
                           : kExactSQNRDB;
  error.cosine = 1 / std::sqrt(1 + ratio);
  return error;
}

Expected<SensitivityResult>
nibble::precision::analyzeSensitivity(ModuleOp module,
                                      const SensitivityOptions &options,
                                      const OutputEvaluator *evaluator) {
  if (options.mode == SensitivityMode::Exact && !evaluator)
    return createStringError("the exact sensitivity needs samples");
  SensitivityResult result;
  result.fp32Bytes = getParameterBytes(module);
  result.parameterCount = getParameterCount(module);

  // The proxy reads activation ranges from the table imported onto a clone.
  OwningOpRef<ModuleOp> ranged(module.clone());
  if (options.mode == SensitivityMode::Proxy && !options.table.empty()) {
    PassManager pm(module.getContext());
    nb::ImportCalibrationTableOptions import;
    import.tablePath = options.table;
    pm.addPass(nb::createImportCalibrationTable(import));
    if (failed(pm.run(*ranged)))
      return createStringError("cannot import the calibration table '" +
                               options.table + "'");
  }
  llvm::DenseMap<StringRef, Operation *> opOfNode;
  if (auto func = ranged->lookupSymbol<func::FuncOp>(options.functionName))
    func.walk([&](Operation *op) {
      if (isQuantizable(op))
        opOfNode.try_emplace(nb::quantization::getNodeName(op), op);
    });

  for (QuantizableOp &op : findQuantizableOps(module, options.functionName)) {
    OpSensitivity sensitivity;
    sensitivity.op = op;
    Operation *rangedOp = opOfNode.lookup(op.node);
    sensitivity.fp32Bytes = getConstantOperandBytes(rangedOp);
    std::vector<Precision> candidates = options.candidates;
    if (auto pin = options.pinned.find(op.node); pin != options.pinned.end())
      candidates = {pin->second};
    for (const Precision &precision : candidates) {
      if (precision.isFloat32())
        continue;
      PrecisionPlan plan;
      plan.entries.push_back({op.node, op.opType, precision, {}, {}});
      Expected<OwningOpRef<ModuleOp>> quantized =
          quantizeWithPlan(module, plan, options.table);
      if (!quantized)
        return createStringError("node '" + op.node + "' at " +
                                 precision.getName() + ": " +
                                 toString(quantized.takeError()));
      int64_t delta = getParameterBytes(**quantized) - result.fp32Bytes;
      // The pass left the op as it was (e.g. no weight-only ConvTranspose):
      // not a candidate for this op.
      if (delta >= 0)
        continue;
      CandidateMeasure measure;
      measure.precision = precision;
      measure.bytes = sensitivity.fp32Bytes + delta;
      Expected<OutputError> error =
          options.mode == SensitivityMode::Exact
              ? evaluator->measure(**quantized)
              : estimateProxyError(rangedOp, precision);
      if (!error)
        return createStringError("node '" + op.node + "' at " +
                                 precision.getName() + ": " +
                                 toString(error.takeError()));
      measure.error = *error;
      sensitivity.candidates.push_back(measure);
    }
    result.ops.push_back(std::move(sensitivity));
  }
  return std::move(result);
}
