//===- QuantizeCommand.cpp - nibble quantize ------------------------------===//
//
// `nibble quantize model.onnx --scheme S [--calib table.json | --data DIR]
// ... -o out.mlir|out.mlirbc|out.onnx`: runs the scheme's pipeline
// (include/nibble/Pipelines/QuantizationPipelines.h) on the model and writes
// the result whole or not at all (temporary file, then rename).
//
// `--data` calibrates first, in process, with the loop `nibble calibrate`
// runs (nibble/Calibration/CalibrationRunner.h), into a temporary table (or
// --save-calib), so both make the same table from one implementation.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "nibble/Analysis/QuantizationReport.h"
#ifdef NIBBLE_HAVE_ONNX_EXPORTER
#include "nibble/Exporter/ONNX/ONNXExporter.h"
#endif
#include "nibble/Calibration/CalibrationRunner.h"
#include "nibble/InitAllNibble.h"
#include "nibble/Pipelines/QuantizationPipelines.h"
#include "nibble/Support/SampleReader.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <functional>
#include <optional>

using namespace llvm;
using namespace nibble;
using namespace nibble::driver;

namespace {
enum class Scheme {
  W8A8Static,
  W8A8Dynamic,
  Int8WeightOnly,
  Int4WeightOnly,
  FP16,
  BF16,
  FP8E4M3,
  FP8E5M2,
};

constexpr StringLiteral kSchemeNames =
    "w8a8-static, w8a8-dynamic, int8-weight-only, int4-weight-only, fp16, "
    "bf16, fp8-e4m3, fp8-e5m2";

struct QuantizeOptions {
  cl::OptionCategory category{"quantize options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.mlir>"),
                             cl::cat(category)};
  // cl::desc keeps a StringRef: the text must outlive the option.
  cl::opt<std::string> scheme{
      "scheme", cl::Required,
      cl::desc("Quantization scheme: w8a8-static, w8a8-dynamic, "
               "int8-weight-only, int4-weight-only, fp16, bf16, fp8-e4m3, "
               "fp8-e5m2"),
      cl::cat(category)};
  cl::opt<std::string> output{
      "o", cl::Required,
      cl::desc("Output: .mlir (text), .mlirbc (bytecode) or .onnx"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<std::string> calib{
      "calib", cl::desc("Calibration table from `nibble calibrate`"),
      cl::value_desc("table.json"), cl::cat(category)};
  cl::list<std::string> data{
      "data",
      cl::desc("Calibrate on these samples first (as `nibble calibrate "
               "--data`)"),
      cl::value_desc("path"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<std::string> calibMethod{
      "calib-method",
      cl::desc("With --data: minmax, percentile=P, entropy, mse"),
      cl::init("minmax"), cl::cat(category)};
  cl::opt<std::string> saveCalib{
      "save-calib", cl::desc("With --data: keep the table in this file"),
      cl::value_desc("table.json"), cl::cat(category)};
  cl::opt<int64_t> groupSize{
      "group-size",
      cl::desc("Weight-only: elements per group along the reduction axis, 0 "
               "for per channel (default: 128 for int4, 0 for int8)"),
      cl::init(-1), cl::cat(category)};
  cl::opt<bool> perTensor{
      "per-tensor", cl::desc("One weight scale per tensor, not per channel"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> symmetric{
      "symmetric",
      cl::desc("Static: zero point 0 for activations (default false); "
               "weight-only: symmetric weights (default true)"),
      cl::init(false), cl::cat(category)};
  cl::opt<std::string> activationType{
      "activation-type", cl::desc("Static: u8 (default) or i8 activations"),
      cl::init("u8"), cl::cat(category)};
  cl::opt<std::string> scaleType{
      "scale-type", cl::desc("Weight-only: f32 (default) or f16 scales"),
      cl::init("f32"), cl::cat(category)};
  cl::opt<bool> padGroups{
      "pad-groups",
      cl::desc("Weight-only: pad a reduction axis the group size does not "
               "divide instead of refusing"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> keepIOTypes{
      "keep-io-types",
      cl::desc("fp16/bf16: keep graph inputs and outputs in float32"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> noFuse{
      "no-fuse",
      cl::desc("Static: stop at the q/dq form (no integer op fusion)"),
      cl::init(false), cl::cat(category)};
  cl::opt<std::string> excludeNodes{
      "exclude-nodes",
      cl::desc("POSIX extended regex, matched against the whole node name; matching nodes stay float"),
      cl::value_desc("regex"), cl::cat(category)};
  cl::list<std::string> excludeOpTypes{
      "exclude-op-types", cl::desc("ONNX op types that stay float"),
      cl::value_desc("A,B"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<std::string> overrides{
      "overrides",
      cl::desc("Per-tensor overrides (JSON, docs/quantization.md)"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<bool> strict{
      "strict",
      cl::desc("An op the scheme cannot take is an error, not a note"),
      cl::init(false), cl::cat(category)};
  ModelInputOptions modelInput{category};
};
} // namespace

static int fail(const Twine &message) {
  WithColor::error(errs(), "nibble quantize") << message << "\n";
  return 1;
}

static std::optional<Scheme> parseScheme(StringRef name) {
  return StringSwitch<std::optional<Scheme>>(name)
      .Case("w8a8-static", Scheme::W8A8Static)
      .Case("w8a8-dynamic", Scheme::W8A8Dynamic)
      .Case("int8-weight-only", Scheme::Int8WeightOnly)
      .Case("int4-weight-only", Scheme::Int4WeightOnly)
      .Case("fp16", Scheme::FP16)
      .Case("bf16", Scheme::BF16)
      .Case("fp8-e4m3", Scheme::FP8E4M3)
      .Case("fp8-e5m2", Scheme::FP8E5M2)
      .Default(std::nullopt);
}

/// Schemes whose activation scales come from calibrated ranges.
static bool needsRanges(Scheme scheme) {
  return scheme == Scheme::W8A8Static || scheme == Scheme::FP8E4M3 ||
         scheme == Scheme::FP8E5M2;
}

static bool isWeightOnly(Scheme scheme) {
  return scheme == Scheme::Int8WeightOnly || scheme == Scheme::Int4WeightOnly;
}

/// Copies the options every scheme shares into a pipeline's options.
template <typename PipelineOptions>
static void setSelection(PipelineOptions &pipeline,
                         const QuantizeOptions &options) {
  pipeline.excludeNodes = options.excludeNodes.getValue();
  pipeline.excludeOpTypes = ArrayRef<std::string>(options.excludeOpTypes);
  pipeline.strict = options.strict.getValue();
}

/// Appends `scheme`'s pipeline to `pm`; `table` is the calibration table or
/// empty; `fuse` allows stage 2 (integer ops on quant types).
static void buildSchemePipeline(mlir::OpPassManager &pm, Scheme scheme,
                                const QuantizeOptions &options,
                                const std::string &table, bool fuse) {
  switch (scheme) {
  case Scheme::W8A8Static: {
    W8A8StaticPipelineOptions pipeline;
    setSelection(pipeline, options);
    pipeline.table = table;
    pipeline.activationType = options.activationType.getValue();
    pipeline.perTensorWeights = options.perTensor.getValue();
    pipeline.symmetricActivations = options.symmetric.getValue();
    pipeline.overrides = options.overrides.getValue();
    pipeline.fuse = fuse && !options.noFuse;
    buildW8A8StaticPipeline(pm, pipeline);
    return;
  }
  case Scheme::W8A8Dynamic: {
    W8A8DynamicPipelineOptions pipeline;
    setSelection(pipeline, options);
    pipeline.perTensorWeights = options.perTensor.getValue();
    buildW8A8DynamicPipeline(pm, pipeline);
    return;
  }
  case Scheme::Int8WeightOnly:
  case Scheme::Int4WeightOnly: {
    WeightOnlyPipelineOptions pipeline;
    setSelection(pipeline, options);
    bool int4 = scheme == Scheme::Int4WeightOnly;
    pipeline.bits = int4 ? 4 : 8;
    pipeline.groupSize = options.groupSize >= 0 ? options.groupSize
                         : int4                 ? 128
                                                : 0;
    // Weight-only defaults to symmetric; `--symmetric=false` asks for
    // asymmetric weights.
    pipeline.symmetric =
        options.symmetric.getNumOccurrences() ? bool(options.symmetric) : true;
    pipeline.scaleType = options.scaleType.getValue();
    pipeline.padGroups = options.padGroups.getValue();
    buildWeightOnlyPipeline(pm, pipeline);
    return;
  }
  case Scheme::FP16:
  case Scheme::BF16: {
    Float16PipelineOptions pipeline;
    setSelection(pipeline, options);
    pipeline.type = scheme == Scheme::FP16 ? "f16" : "bf16";
    pipeline.keepIOTypes = options.keepIOTypes.getValue();
    pipeline.table = table;
    buildFloat16Pipeline(pm, pipeline);
    return;
  }
  case Scheme::FP8E4M3:
  case Scheme::FP8E5M2: {
    FP8PipelineOptions pipeline;
    setSelection(pipeline, options);
    pipeline.format =
        scheme == Scheme::FP8E4M3 ? FP8Format::E4M3 : FP8Format::E5M2;
    pipeline.table = table;
    pipeline.perTensorWeights = options.perTensor.getValue();
    pipeline.overrides = options.overrides.getValue();
    buildFP8Pipeline(pm, pipeline);
    return;
  }
  }
}

Error nibble::driver::calibrateIntoTable(mlir::ModuleOp module,
                                        ArrayRef<std::string> data,
                                        StringRef method,
                                        StringRef functionName,
                                        StringRef modelPath, StringRef table,
                                        StringRef tool) {
  calibration::CalibrationOptions calibrationOptions;
  if (Error error =
          calibration::parseCalibrationMethod(method, calibrationOptions))
    return error;
  calibrationOptions.functionName = functionName.str();
  calibrationOptions.modelName = sys::path::filename(modelPath).str();
  calibration::CalibrationSamples samples;
  Expected<std::vector<std::string>> sources = expandSampleSources(data);
  if (!sources)
    return sources.takeError();
  samples.sources = std::move(*sources);
  Expected<calibration::CalibrationResult> result =
      calibration::runCalibration(
          module, samples, calibrationOptions, /*progress=*/nullptr,
          [&](const Twine &message) {
            WithColor::warning(errs(), tool) << "calibration: " << message
                                              << "\n";
          });
  if (!result)
    return result.takeError();
  return calibration::writeCalibrationTable(
      table, json::Value(std::move(result->table)));
}

/// Writes `module` to `path` (.mlirbc: bytecode; otherwise text) through a
/// temporary file beside it, so a failed write leaves nothing behind.
static Error writeModuleAtomically(mlir::ModuleOp module, StringRef path) {
  bool bytecode = sys::path::extension(path) == ".mlirbc";
  return writeToOutput(path, [&](raw_ostream &os) -> Error {
    if (!bytecode) {
      module.print(os);
      return Error::success();
    }
    if (mlir::failed(mlir::writeBytecodeToFile(module, os)))
      return createStringError("cannot write bytecode to '" + path + "'");
    return Error::success();
  });
}

/// Removes a temporary calibration table when the command ends.
struct TemporaryFile {
  SmallString<256> path;
  ~TemporaryFile() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};

int nibble::driver::runQuantizeCommand(int argc, char **argv) {
  // --auto chooses a precision per op instead of one --scheme, with options
  // of its own.
  for (int i = 1; i < argc; ++i)
    if (StringRef(argv[i]) == "--auto" || StringRef(argv[i]) == "-auto")
      return runAutoQuantizeCommand(argc, argv);
  static QuantizeOptions options;
  parseCommandOptions(argc, argv,
                      "Quantizes a model with one scheme and writes the "
                      "result as MLIR (text or bytecode) or ONNX.\n",
                      options.category);

  std::optional<Scheme> scheme = parseScheme(options.scheme);
  if (!scheme)
    return fail("unknown --scheme '" + options.scheme + "' (" + kSchemeNames +
                ")");
  if (!options.calib.empty() && !options.data.empty())
    return fail("give either --calib or --data, not both");
  StringRef ext = sys::path::extension(options.output);
  if (ext != ".mlir" && ext != ".mlirbc" && ext != ".onnx")
    return fail("-o '" + options.output +
                "': the output must end in .mlir, .mlirbc or .onnx");
#ifndef NIBBLE_HAVE_ONNX_EXPORTER
  if (ext == ".onnx")
    return fail("-o '" + options.output +
                "': this build has no ONNX exporter; write .mlir or .mlirbc");
#endif
  bool modelIsONNX = sys::path::extension(options.model).equals_insensitive(
      ".onnx");
  // An ONNX model has no ranges of its own; an MLIR one may carry them
  // (nb-import-calibration-table run earlier), and the pass says if not.
  if (needsRanges(*scheme) && modelIsONNX && options.calib.empty() &&
      options.data.empty())
    return fail("--scheme " + options.scheme +
                " needs activation ranges: give --calib table.json (from "
                "`nibble calibrate`) or --data with calibration samples");
  if (!isWeightOnly(*scheme) && options.groupSize.getNumOccurrences())
    return fail("--group-size applies to the weight-only schemes only");
  if (!options.calib.empty() && !sys::fs::exists(options.calib))
    return fail("--calib '" + options.calib + "': no such file");
  if (!options.overrides.empty() && !sys::fs::exists(options.overrides))
    return fail("--overrides '" + options.overrides + "': no such file");

  mlir::DialectRegistry registry;
  nibble::registerNibbleDialects(registry);
  mlir::MLIRContext context(registry);
  DiagnosticPrinter diagnosticPrinter(context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(options.model, options.modelInput, context);
  if (!module)
    return 1;

  // The table: as given, made from --data, or none.
  std::string table = options.calib;
  TemporaryFile temporaryTable;
  if (!options.data.empty()) {
    if (!options.saveCalib.empty()) {
      table = options.saveCalib;
    } else {
      if (std::error_code ec = sys::fs::createTemporaryFile(
              "nibble-calib", "json", temporaryTable.path))
        return fail("cannot create a temporary table: " + ec.message());
      table = temporaryTable.path.str().str();
    }
    if (Error error = calibrateIntoTable(
            *module, options.data, options.calibMethod,
            options.modelInput.functionName, options.model, table,
            "nibble quantize"))
      return fail("calibration on --data failed: " +
                  toString(std::move(error)));
  }

  mlir::nb::QuantizationReport before =
      mlir::nb::QuantizationReport::compute(*module);
  // ONNX has no ops on quantized types: an ONNX output keeps the q/dq form
  // (a standard QDQ model) instead of fusing into stage 2.
  bool toONNX = ext == ".onnx";
  mlir::PassManager pm(&context);
  buildSchemePipeline(pm, *scheme, options, table, /*fuse=*/!toONNX);
  if (mlir::failed(pm.run(*module)))
    return fail("quantization failed; nothing written to '" + options.output +
                "'");
  mlir::nb::QuantizationReport after =
      mlir::nb::QuantizationReport::compute(*module);

  if (toONNX) {
#ifdef NIBBLE_HAVE_ONNX_EXPORTER
    nibble::ONNXExportOptions exportOptions;
    exportOptions.functionName = options.modelInput.functionName;
    if (mlir::failed(
            nibble::exportToONNXFile(*module, options.output, exportOptions)))
      return fail("cannot export the quantized model as ONNX; nothing "
                  "written to '" +
                  options.output + "'");
#endif
  } else if (Error error = writeModuleAtomically(*module, options.output)) {
    return fail(toString(std::move(error)));
  }

  auto totalBytes = [](const mlir::nb::QuantizationReport &report) {
    return report.getParameterTotal().bytes + report.scales.bytes +
           report.zeroPoints.bytes;
  };
  outs() << "quantized " << options.model << " (" << options.scheme
         << ") -> " << options.output << ": parameters "
         << totalBytes(before) << " -> " << totalBytes(after) << " bytes"
         << format(" (%.2f -> %.2f bits each)", before.getBitsPerParameter(),
                   after.getBitsPerParameter())
         << ", " << after.keptFloat.size() << " op(s) kept in float\n";
  return 0;
}
