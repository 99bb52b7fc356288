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

} // namespace

std::vector<QuantizableOp>
nibble::precision::findQuantizableOps(ModuleOp module, StringRef functionName) {
  std::vector<QuantizableOp> ops;
  auto func = module.lookupSymbol<func::FuncOp>(functionName);
  if (!func)
    return ops;
  func.walk([&](Operation *op) {
    if (!isQuantizableOp(op))
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
      if (isQuantizableOp(op))
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
