//===- AutoQuantize.cpp - nibble quantize --auto --------------------------===//
//
// `nibble quantize model.onnx --auto --target-cosine X (or --target-sqnr,
// --max-output-error, --size-budget, --bits-per-param) --data DIR
// -o out.mlir --plan-out plan.json`: measures each op's sensitivity per
// candidate precision, chooses a plan (nibble/Precision/Assignment.h),
// checks it on held-out samples, and writes the quantized model, the plan,
// and the size/error curve of the plans considered (a table on stdout, an
// SVG beside the output). docs/precision-plan.md describes each step.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Precision/Assignment.h"
#include "nibble/Precision/PlanCurve.h"
#include "nibble/Precision/Sensitivity.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/WithColor.h"

#include <optional>

using namespace llvm;
using namespace nibble;
using namespace nibble::driver;
using namespace nibble::precision;

namespace {
struct AutoOptions {
  cl::OptionCategory category{"quantize --auto options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.mlir>"),
                             cl::cat(category)};
  cl::opt<bool> autoPlan{"auto",
                         cl::desc("Choose a precision per op (this mode)"),
                         cl::cat(category)};
  cl::opt<double> targetSQNR{"target-sqnr",
                             cl::desc("Output SQNR vs fp32 at least DB"),
                             cl::value_desc("DB"), cl::cat(category)};
  cl::opt<double> targetCosine{"target-cosine",
                               cl::desc("Output cosine vs fp32 at least X"),
                               cl::value_desc("X"), cl::cat(category)};
  cl::opt<double> maxOutputError{
      "max-output-error",
      cl::desc("Largest absolute output difference vs fp32 at most E"),
      cl::value_desc("E"), cl::cat(category)};
  cl::opt<double> sizeBudget{
      "size-budget",
      cl::desc("Smallest error with parameters of at most MB megabytes "
               "(10^6 bytes)"),
      cl::value_desc("MB"), cl::cat(category)};
  cl::opt<double> bitsPerParam{
      "bits-per-param",
      cl::desc("Smallest error with at most B bits per parameter"),
      cl::value_desc("B"), cl::cat(category)};
  cl::list<std::string> candidates{
      "candidates",
      cl::desc("Precisions to try per op (default int4-weight,int8,fp16,"
               "fp32); fp32 lets an op stay float"),
      cl::value_desc("P,Q"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<int64_t> groupSize{
      "group-size",
      cl::desc("Group size of weight-only candidates that name none "
               "(default 32; 0: per channel)"),
      cl::init(32), cl::cat(category)};
  cl::list<std::string> pins{
      "pin",
      cl::desc("Fix the precision of the nodes whose name or op type the "
               "regex matches whole"),
      cl::value_desc("REGEX=PRECISION"), cl::cat(category)};
  cl::opt<bool> bestEffort{
      "best-effort",
      cl::desc("When no plan meets the target, write the best and exit 0"),
      cl::init(false), cl::cat(category)};
  cl::opt<std::string> sensitivity{
      "sensitivity",
      cl::desc("exact (quantize each op alone and run the model, default) or "
               "proxy (weight and range estimates, no run)"),
      cl::init("exact"), cl::cat(category)};
  cl::opt<std::string> search{
      "search",
      cl::desc("greedy (upgrade by error reduction per byte, default) or "
               "knapsack (the estimates' best plan, exactly)"),
      cl::init("greedy"), cl::cat(category)};
  cl::list<std::string> data{
      "data", cl::desc("Samples: calibration (unless --calib), sensitivity, "
                       "and the held-out check (unless --check-data)"),
      cl::value_desc("path"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<std::string> calib{"calib",
                             cl::desc("Calibration table from `nibble "
                                      "calibrate` (else made from --data)"),
                             cl::value_desc("table.json"), cl::cat(category)};
  cl::list<std::string> checkData{
      "check-data",
      cl::desc("Held-out samples for the final check (default: the --data "
               "samples after the sensitivity ones)"),
      cl::value_desc("path"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<int64_t> samples{"samples",
                           cl::desc("Sensitivity samples (default 32)"),
                           cl::init(32), cl::cat(category)};
  cl::opt<int64_t> checkSamples{
      "check-samples", cl::desc("Held-out samples at most (default 1000)"),
      cl::init(1000), cl::cat(category)};
  cl::opt<std::string> output{"o", cl::Required,
                              cl::desc("Output: .mlir or .mlirbc"),
                              cl::value_desc("file"), cl::cat(category)};
  cl::opt<std::string> planOut{"plan-out",
                               cl::desc("Write the chosen plan (JSON)"),
                               cl::value_desc("plan.json"), cl::cat(category)};
  ModelInputOptions modelInput{category};
};

/// Removes a temporary file when the command ends.
struct TemporaryFile {
  SmallString<256> path;
  ~TemporaryFile() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble quantize --auto") << message << "\n";
  return 1;
}

static std::string describeChoice(const std::map<std::string, Precision> &choice,
                                  ArrayRef<OpSensitivity> ops) {
  std::string text;
  for (const OpSensitivity &op : ops) {
    auto it = choice.find(op.op.node);
    if (it != choice.end())
      text += (text.empty() ? "" : " ") + op.op.node + "=" +
              it->second.getName();
  }
  return text;
}

int nibble::driver::runAutoQuantizeCommand(int argc, char **argv) {
  static AutoOptions options;
  parseCommandOptions(argc, argv,
                      "Chooses a precision per op to meet an accuracy target "
                      "at the smallest size (or the smallest error within a "
                      "size), and writes the quantized model and its plan.\n",
                      options.category);

  // The target: exactly one.
  std::vector<AssignmentTarget> targets;
  using Kind = AssignmentTarget::Kind;
  if (options.targetSQNR.getNumOccurrences())
    targets.push_back({Kind::SQNR, options.targetSQNR});
  if (options.targetCosine.getNumOccurrences())
    targets.push_back({Kind::Cosine, options.targetCosine});
  if (options.maxOutputError.getNumOccurrences())
    targets.push_back({Kind::MaxAbs, options.maxOutputError});
  if (options.sizeBudget.getNumOccurrences())
    targets.push_back({Kind::SizeBytes, options.sizeBudget * 1e6});
  if (options.bitsPerParam.getNumOccurrences())
    targets.push_back({Kind::SizeBytes, -options.bitsPerParam});
  if (targets.size() != 1)
    return fail("give exactly one of --target-sqnr, --target-cosine, "
                "--max-output-error, --size-budget, --bits-per-param");
  if (options.data.empty())
    return fail("--auto needs --data: samples to measure the outputs on");
  if (options.samples <= 0 || options.checkSamples <= 0)
    return fail("--samples and --check-samples must be positive");
  SensitivityMode mode;
  if (options.sensitivity == "exact")
    mode = SensitivityMode::Exact;
  else if (options.sensitivity == "proxy")
    mode = SensitivityMode::Proxy;
  else
    return fail("--sensitivity '" + options.sensitivity +
                "': expected exact or proxy");
  if (options.search != "greedy" && options.search != "knapsack")
    return fail("--search '" + options.search +
                "': expected greedy or knapsack");
  StringRef ext = sys::path::extension(options.output);
  if (ext != ".mlir" && ext != ".mlirbc")
    return fail("-o '" + options.output + "': --auto writes .mlir or .mlirbc");

  // Candidates.
  std::vector<std::string> candidateNames(options.candidates.begin(),
                                          options.candidates.end());
  if (candidateNames.empty())
    candidateNames = {"int4-weight", "int8", "fp16", "fp32"};
  SensitivityOptions sensitivityOptions;
  sensitivityOptions.mode = mode;
  sensitivityOptions.functionName = options.modelInput.functionName;
  AssignmentOptions assignment;
  assignment.target = targets.front();
  assignment.allowFP32 = false;
  assignment.search = options.search == "knapsack" ? SearchKind::Knapsack
                                                   : SearchKind::Greedy;
  auto parsePrecision = [&](StringRef name) -> Expected<Precision> {
    Expected<Precision> precision = Precision::parseName(name);
    if (precision && precision->isWeightOnly() && precision->groupSize == 0 &&
        name == precision->getKindName())
      precision->groupSize = options.groupSize;
    return precision;
  };
  for (StringRef name : candidateNames) {
    Expected<Precision> precision = parsePrecision(name);
    if (!precision)
      return fail("--candidates: " + toString(precision.takeError()));
    if (precision->isFloat32())
      assignment.allowFP32 = true;
    else if (!llvm::is_contained(sensitivityOptions.candidates, *precision))
      sensitivityOptions.candidates.push_back(*precision);
  }

  std::string table = options.calib;
  if (!table.empty() && !sys::fs::exists(table))
    return fail("--calib '" + table + "': no such file");

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.model, options.modelInput, context);
  if (!module)
    return 1;

  // The calibration table: made in process from --data unless given.
  TemporaryFile temporaryTable;
  if (table.empty()) {
    if (std::error_code ec = sys::fs::createTemporaryFile(
            "nibble-calib", "json", temporaryTable.path))
      return fail("cannot create a temporary table: " + ec.message());
    table = temporaryTable.path.str().str();
    if (Error error = calibrateIntoTable(
            *module, options.data, "minmax", options.modelInput.functionName,
            options.model, table, "nibble quantize --auto"))
      return fail("calibration on --data failed: " +
                  toString(std::move(error)));
  }
  sensitivityOptions.table = table;
  std::vector<QuantizableOp> quantizable =
      findQuantizableOps(*module, options.modelInput.functionName);
  if (quantizable.empty())
    return fail("the model has no named Conv, ConvTranspose, MatMul or Gemm "
                "with a constant weight to choose a precision for");

  // Pins: REGEX=PRECISION against node names and op types; one node pinned
  // to two precisions is a contradiction.
  std::map<std::string, std::string> pinSource;
  for (StringRef pin : options.pins) {
    auto [pattern, name] = pin.rsplit('=');
    if (name.empty() || pattern.empty())
      return fail("--pin '" + pin + "': expected REGEX=PRECISION");
    Expected<Precision> precision = parsePrecision(name);
    if (!precision)
      return fail("--pin '" + pin + "': " + toString(precision.takeError()));
    Regex regex(("^(" + pattern + ")$").str(), Regex::NoFlags);
    std::string regexError;
    if (!regex.isValid(regexError))
      return fail("--pin '" + pin + "': " + regexError);
    bool matched = false;
    for (const QuantizableOp &op : quantizable) {
      if (!regex.match(op.node) && !regex.match(op.opType))
        continue;
      matched = true;
      auto [it, inserted] =
          assignment.pinned.try_emplace(op.node, *precision);
      if (!inserted && it->second != *precision)
        return fail("--pin '" + pin + "' and --pin '" + pinSource[op.node] +
                    "' contradict each other on node '" + op.node + "' (" +
                    precision->getName() + " vs " + it->second.getName() +
                    ")");
      pinSource.try_emplace(op.node, pin.str());
    }
    if (!matched)
      return fail("--pin '" + pin + "' matches no quantizable node");
  }
  sensitivityOptions.pinned = assignment.pinned;
  if (targets.front().kind == Kind::SizeBytes && targets.front().value < 0)
    assignment.target.value =
        -targets.front().value * getParameterCount(*module) / 8;

  // Samples: sensitivity from --data, the check held out.
  CPUExecutionOptions execution;
  execution.functionName = options.modelInput.functionName;
  Expected<std::vector<std::vector<HostArray>>> sensitivitySamples =
      readSamples(*module, execution.functionName, options.data, 0,
                  options.samples);
  if (!sensitivitySamples)
    return fail(toString(sensitivitySamples.takeError()));
  Expected<std::vector<std::vector<HostArray>>> checkSamples =
      options.checkData.empty()
          ? readSamples(*module, execution.functionName, options.data,
                        options.samples, options.checkSamples)
          : readSamples(*module, execution.functionName, options.checkData, 0,
                        options.checkSamples);
  if (!checkSamples)
    return fail(toString(checkSamples.takeError()));
  if (checkSamples->empty())
    return fail("no held-out samples for the final check: --data has no "
                "more than --samples=" +
                Twine(options.samples) + "; give --check-data");
  size_t numSensitivity = sensitivitySamples->size(),
         numCheck = checkSamples->size();
  std::optional<OutputEvaluator> sensitivityEvaluator;
  if (mode == SensitivityMode::Exact) {
    Expected<OutputEvaluator> evaluator = OutputEvaluator::create(
        *module, std::move(*sensitivitySamples), execution);
    if (!evaluator)
      return fail(toString(evaluator.takeError()));
    sensitivityEvaluator.emplace(std::move(*evaluator));
  }
  Expected<OutputEvaluator> checkEvaluator =
      OutputEvaluator::create(*module, std::move(*checkSamples), execution);
  if (!checkEvaluator)
    return fail(toString(checkEvaluator.takeError()));

  Expected<SensitivityResult> sensitivityResult = analyzeSensitivity(
      *module, sensitivityOptions,
      sensitivityEvaluator ? &*sensitivityEvaluator : nullptr);
  if (!sensitivityResult)
    return fail(toString(sensitivityResult.takeError()));

  PlanMeasurer measure =
      [&](const PrecisionPlan &plan) -> Expected<std::pair<int64_t, OutputError>> {
    Expected<mlir::OwningOpRef<mlir::ModuleOp>> quantized =
        quantizeWithPlan(*module, plan, table);
    if (!quantized)
      return quantized.takeError();
    Expected<OutputError> error = checkEvaluator->measure(**quantized);
    if (!error)
      return error.takeError();
    return std::make_pair(getParameterBytes(**quantized), *error);
  };
  Expected<AssignmentResult> result =
      assignPrecisions(*sensitivityResult, assignment, measure);
  if (!result)
    return fail(toString(result.takeError()));

  // Uniform plans of each candidate, on the same held-out samples, for the
  // curve: what one precision everywhere gives at its size.
  for (const Precision &precision : sensitivityOptions.candidates) {
    ConsideredPlan uniform;
    uniform.label = "uniform " + precision.getName();
    for (const OpSensitivity &op : sensitivityResult->ops)
      for (const CandidateMeasure &candidate : op.candidates)
        if (candidate.precision == precision)
          uniform.choice[op.op.node] = precision;
    if (uniform.choice.empty())
      continue;
    Expected<std::pair<int64_t, OutputError>> measured =
        measure(makePlan(*sensitivityResult, uniform.choice));
    if (!measured)
      return fail(toString(measured.takeError()));
    uniform.measuredBytes = measured->first;
    uniform.measured = measured->second;
    result->considered.push_back(std::move(uniform));
  }

  // Report: sensitivity per op, then the curve.
  outs() << formatv("sensitivity ({0}, {1} samples; output error with the op "
                    "alone quantized):\n",
                    options.sensitivity.getValue(),
                    mode == SensitivityMode::Exact ? numSensitivity : 0);
  outs() << formatv("  {0,-24} {1,-10} {2,-18} {3,10} {4,9} {5,10} {6,10}  "
                    "{7}\n",
                    "node", "op", "precision", "bytes", "SQNR dB", "cosine",
                    "max abs", "chosen");
  for (const OpSensitivity &op : sensitivityResult->ops) {
    Precision chosen = result->choice[op.op.node];
    outs() << formatv("  {0,-24} {1,-10} {2,-18} {3,10} {4,9} {5,10} {6,10}  "
                      "{7}\n",
                      op.op.node, op.op.opType, "fp32", op.fp32Bytes, "-", "-",
                      "-", chosen.isFloat32() ? "<-" : "");
    for (const CandidateMeasure &candidate : op.candidates)
      outs() << formatv("  {0,-24} {1,-10} {2,-18} {3,10} {4,9:F2} {5,10:F6} "
                        "{6,10:F4}  {7}\n",
                        "", "", candidate.precision.getName(), candidate.bytes,
                        candidate.error.sqnrDB, candidate.error.cosine,
                        candidate.error.maxAbs,
                        candidate.precision == chosen ? "<-" : "");
  }
  outs() << formatv("plans considered ({0} held-out samples; estimated from "
                    "the sensitivities, measured where checked):\n",
                    numCheck);
  outs() << formatv("  {0,-24} {1,12} {2,10} {3,12} {4,10} {5,10} {6,10}  "
                    "{7}\n",
                    "plan", "est. bytes", "est. dB", "bytes", "SQNR dB",
                    "cosine", "max abs", "precisions");
  for (const ConsideredPlan &plan : result->considered) {
    std::string estimated =
        StringRef(plan.label).starts_with("uniform")
            ? std::string("-")
            : formatv("{0:F2}", plan.estimated.sqnrDB).str();
    std::string estimatedBytes = StringRef(plan.label).starts_with("uniform")
                                     ? std::string("-")
                                     : std::to_string(plan.estimatedBytes);
    if (plan.measured)
      outs() << formatv("  {0,-24} {1,12} {2,10} {3,12} {4,10:F2} {5,10:F6} "
                        "{6,10:F4}  {7}\n",
                        plan.label, estimatedBytes, estimated,
                        *plan.measuredBytes, plan.measured->sqnrDB,
                        plan.measured->cosine, plan.measured->maxAbs,
                        describeChoice(plan.choice, sensitivityResult->ops));
    else
      outs() << formatv("  {0,-24} {1,12} {2,10} {3,12} {4,10} {5,10} {6,10}  "
                        "{7}\n",
                        plan.label, estimatedBytes, estimated, "-", "-", "-",
                        "-", describeChoice(plan.choice, sensitivityResult->ops));
  }

  // Outputs: the plan, the model, the plot.
  PrecisionPlan &plan = result->plan;
  plan.model = sys::path::filename(options.model).str();
  plan.summary["target"] = assignment.target.describe();
  plan.summary["target_met"] = result->targetMet;
  plan.summary["sensitivity"] = options.sensitivity.getValue();
  plan.summary["search"] = options.search.getValue();
  plan.summary["sensitivity_samples"] = int64_t(numSensitivity);
  plan.summary["check_samples"] = int64_t(numCheck);
  plan.summary["parameter_bytes"] = result->bytes;
  plan.summary["fp32_parameter_bytes"] = sensitivityResult->fp32Bytes;
  plan.summary["sqnr_db"] = result->measured.sqnrDB;
  plan.summary["cosine"] = result->measured.cosine;
  plan.summary["max_abs"] = result->measured.maxAbs;
  if (!options.planOut.empty())
    if (Error error = plan.save(options.planOut))
      return fail(toString(std::move(error)));
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> quantized =
      quantizeWithPlan(*module, plan, table);
  if (!quantized)
    return fail(toString(quantized.takeError()));
  if (Error error = writeToOutput(options.output, [&](raw_ostream &os) -> Error {
        if (ext == ".mlirbc") {
          if (mlir::failed(mlir::writeBytecodeToFile(**quantized, os)))
            return createStringError("cannot write bytecode");
        } else {
          (*quantized)->print(os);
        }
        return Error::success();
      }))
    return fail("cannot write '" + options.output +
                "': " + toString(std::move(error)));
  SmallString<256> svg(options.output);
  sys::path::replace_extension(svg, "svg");
  const ConsideredPlan *chosen = nullptr;
  for (const ConsideredPlan &considered : result->considered)
    if (considered.measured && considered.choice == result->choice)
      chosen = &considered;
  if (Error error = writeToOutput(svg, [&](raw_ostream &os) -> Error {
        writePlanCurveSVG(
            os, result->considered, chosen, assignment.target,
            sys::path::filename(options.model).str() +
                ": parameter size vs output SQNR of the plans considered");
        return Error::success();
      }))
    return fail("cannot write '" + svg + "': " + toString(std::move(error)));

  outs() << formatv("{0} {1}: {2} -> {3} bytes, output SQNR {4:F2} dB, cosine "
                    "{5:F6}, max abs {6:F4} on {7} held-out samples -> {8}, "
                    "{9}\n",
                    result->targetMet ? "met" : "NOT met",
                    assignment.target.describe(), sensitivityResult->fp32Bytes,
                    result->bytes, result->measured.sqnrDB,
                    result->measured.cosine, result->measured.maxAbs, numCheck,
                    options.output, svg);
  if (!result->targetMet) {
    WithColor(errs(), HighlightColor::Warning).get()
        << (options.bestEffort ? "warning" : "error");
    errs() << ": no plan meets " << assignment.target.describe()
           << formatv("; the best plan found ({0}) gives SQNR {1:F2} dB, "
                      "cosine {2:F6}, max abs {3:F4}\n",
                      describeChoice(result->choice, sensitivityResult->ops),
                      result->measured.sqnrDB, result->measured.cosine,
                      result->measured.maxAbs);
    return options.bestEffort ? 0 : 1;
  }
  return 0;
}
