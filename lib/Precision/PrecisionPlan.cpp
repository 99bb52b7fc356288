//===- PrecisionPlan.cpp - per-op precision plans -------------------------===//
//
// The JSON schema is docs/precision-plan.md's.
//
//===----------------------------------------------------------------------===//
#include "nibble/Precision/PrecisionPlan.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;
using namespace nibble::precision;

StringRef Precision::getKindName() const {
  switch (kind) {
  case PrecisionKind::FP32:
    return "fp32";
  case PrecisionKind::FP16:
    return "fp16";
  case PrecisionKind::BF16:
    return "bf16";
  case PrecisionKind::FP8E4M3:
    return "fp8-e4m3";
  case PrecisionKind::FP8E5M2:
    return "fp8-e5m2";
  case PrecisionKind::Int8:
    return "int8";
  case PrecisionKind::Int8Dynamic:
    return "int8-dynamic";
  case PrecisionKind::Int8Weight:
    return "int8-weight";
  case PrecisionKind::Int4Weight:
    return "int4-weight";
  }
  return "fp32";
}

std::string Precision::getName() const {
  std::string name = getKindName().str();
  if (isWeightOnly() && groupSize > 0)
    name += "-g" + std::to_string(groupSize);
  return name;
}

unsigned Precision::getWeightBits() const {
  switch (kind) {
  case PrecisionKind::FP32:
    return 32;
  case PrecisionKind::FP16:
  case PrecisionKind::BF16:
    return 16;
  case PrecisionKind::FP8E4M3:
  case PrecisionKind::FP8E5M2:
  case PrecisionKind::Int8:
  case PrecisionKind::Int8Dynamic:
  case PrecisionKind::Int8Weight:
    return 8;
  case PrecisionKind::Int4Weight:
    return 4;
  }
  return 32;
}

Expected<Precision> Precision::parse(StringRef kindName, int64_t groupSize) {
  std::optional<PrecisionKind> kind =
      StringSwitch<std::optional<PrecisionKind>>(kindName)
          .Case("fp32", PrecisionKind::FP32)
          .Case("fp16", PrecisionKind::FP16)
          .Case("bf16", PrecisionKind::BF16)
          .Case("fp8-e4m3", PrecisionKind::FP8E4M3)
          .Case("fp8-e5m2", PrecisionKind::FP8E5M2)
          .Case("int8", PrecisionKind::Int8)
          .Case("int8-dynamic", PrecisionKind::Int8Dynamic)
          .Case("int8-weight", PrecisionKind::Int8Weight)
          .Case("int4-weight", PrecisionKind::Int4Weight)
          .Default(std::nullopt);
  if (!kind)
    return createStringError("unknown precision '" + kindName + "' (" +
                             kPrecisionKindNames + ")");
  Precision precision{*kind, 0};
  if (groupSize < 0)
    return createStringError("group_size must be >= 0, got " +
                             Twine(groupSize));
  if (groupSize > 0 && !precision.isWeightOnly())
    return createStringError("group_size applies to int8-weight and "
                             "int4-weight only, not to '" +
                             kindName + "'");
  precision.groupSize = groupSize;
  return precision;
}

Expected<Precision> Precision::parseName(StringRef name) {
  // `int4-weight-g32`: the group suffix follows a weight-only kind only.
  StringRef kindName = name;
  int64_t groupSize = 0;
  size_t suffix = name.rfind("-g");
  if (suffix != StringRef::npos && name.starts_with("int") &&
      name.substr(0, suffix).ends_with("-weight")) {
    if (name.substr(suffix + 2).getAsInteger(10, groupSize) || groupSize <= 0)
      return createStringError("malformed group size in precision '" + name +
                               "' (expected e.g. int4-weight-g32)");
    kindName = name.substr(0, suffix);
  }
  return parse(kindName, groupSize);
}

/// Reads an OutputError object; missing fields keep their defaults.
static OutputError parseOutputError(const json::Object &object) {
  OutputError error;
  if (std::optional<double> v = object.getNumber("sqnr_db"))
    error.sqnrDB = *v;
  if (std::optional<double> v = object.getNumber("cosine"))
    error.cosine = *v;
  if (std::optional<double> v = object.getNumber("max_abs"))
    error.maxAbs = *v;
  return error;
}

static json::Object toJSON(const OutputError &error) {
  // JSON has no infinity; an exact match (no error) is written as a large
  // finite SQNR.
  double sqnr = std::isfinite(error.sqnrDB) ? error.sqnrDB : 999.0;
  return json::Object{{"sqnr_db", sqnr},
                      {"cosine", error.cosine},
                      {"max_abs", error.maxAbs}};
}

Expected<PrecisionPlan> PrecisionPlan::parse(StringRef text, StringRef source) {
  auto fail = [&](const Twine &message) -> Error {
    return createStringError(source + ": " + message);
  };
  Expected<json::Value> value = json::parse(text);
  if (!value)
    return fail("not valid JSON: " + toString(value.takeError()));
  const json::Object *root = value->getAsObject();
  if (!root)
    return fail("a precision plan is a JSON object");
  std::optional<int64_t> version = root->getInteger("version");
  if (!version)
    return fail("missing integer \"version\"");
  if (*version != kVersion)
    return fail("version " + Twine(*version) + " is not supported (this "
                "build reads version " + Twine(kVersion) + ")");
  PrecisionPlan plan;
  if (std::optional<StringRef> model = root->getString("model"))
    plan.model = model->str();
  if (const json::Value *defaultValue = root->get("default")) {
    std::optional<StringRef> name = defaultValue->getAsString();
    if (!name)
      return fail("\"default\" must be a precision name");
    Expected<Precision> precision = Precision::parseName(*name);
    if (!precision)
      return fail("\"default\": " + toString(precision.takeError()));
    plan.defaultPrecision = *precision;
  }
  if (const json::Object *summary = root->getObject("summary"))
    plan.summary = *summary;

  const json::Array *ops = root->getArray("ops");
  if (!ops)
    return fail("missing array \"ops\"");
  std::map<std::string, size_t> byNode;
  for (auto [index, item] : llvm::enumerate(*ops)) {
    std::string where = "ops[" + std::to_string(index) + "]";
    const json::Object *object = item.getAsObject();
    if (!object)
      return fail(where + " is not an object");
    std::optional<StringRef> node = object->getString("node");
    if (!node || node->empty())
      return fail(where + " has no \"node\" name");
    where += " (node '" + node->str() + "')";
    std::optional<StringRef> kindName = object->getString("precision");
    if (!kindName)
      return fail(where + " has no \"precision\"");
    int64_t groupSize = 0;
    if (const json::Value *group = object->get("group_size")) {
      std::optional<int64_t> integer = group->getAsInteger();
      if (!integer)
        return fail(where + ": \"group_size\" must be an integer");
      groupSize = *integer;
    }
    Expected<Precision> precision = Precision::parse(*kindName, groupSize);
    if (!precision)
      return fail(where + ": " + toString(precision.takeError()));

    PlanEntry entry;
    entry.node = node->str();
    entry.precision = *precision;
    if (std::optional<StringRef> opType = object->getString("op_type"))
      entry.opType = opType->str();
    if (std::optional<int64_t> params = object->getInteger("weight_params"))
      entry.weightParams = *params;
    if (const json::Object *sensitivity = object->getObject("sensitivity")) {
      for (const auto &[key, measured] : *sensitivity) {
        const json::Object *figures = measured.getAsObject();
        if (!figures)
          return fail(where + ": sensitivity of '" + key.str() +
                      "' is not an object");
        entry.sensitivity[key.str()] = parseOutputError(*figures);
      }
    }

    auto [it, inserted] = byNode.try_emplace(entry.node, plan.entries.size());
    if (!inserted) {
      const PlanEntry &first = plan.entries[it->second];
      if (first.precision != entry.precision)
        return fail("contradictory entries for node '" + entry.node +
                    "': ops[" + Twine(it->second) + "] says " +
                    first.precision.getName() + ", ops[" + Twine(index) +
                    "] says " + entry.precision.getName());
      continue;
    }
    plan.entries.push_back(std::move(entry));
  }
  return plan;
}

Expected<PrecisionPlan> PrecisionPlan::load(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return createStringError("cannot read precision plan '" + path +
                             "': " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

json::Value PrecisionPlan::toJSON() const {
  json::Array ops;
  for (const PlanEntry &entry : entries) {
    json::Object object{{"node", entry.node},
                        {"precision", entry.precision.getKindName()}};
    if (!entry.opType.empty())
      object["op_type"] = entry.opType;
    if (entry.precision.isWeightOnly() && entry.precision.groupSize > 0)
      object["group_size"] = entry.precision.groupSize;
    if (entry.weightParams)
      object["weight_params"] = *entry.weightParams;
    if (!entry.sensitivity.empty()) {
      json::Object sensitivity;
      for (const auto &[name, error] : entry.sensitivity)
        sensitivity[name] = ::toJSON(error);
      object["sensitivity"] = std::move(sensitivity);
    }
    ops.push_back(std::move(object));
  }
  json::Object root{{"version", kVersion},
                    {"model", model},
                    {"default", defaultPrecision.getName()},
                    {"ops", std::move(ops)}};
  if (!summary.empty())
    root["summary"] = json::Object(summary);
  return root;
}

Error PrecisionPlan::save(StringRef path) const {
  // writeToOutput writes a temporary file beside `path` and renames it, so
  // readers never see half a plan and a failed write leaves nothing.
  return writeToOutput(path, [&](raw_ostream &os) -> Error {
    os << formatv("{0:2}", toJSON()) << "\n";
    return Error::success();
  });
}

const PlanEntry *PrecisionPlan::lookup(StringRef node) const {
  for (const PlanEntry &entry : entries)
    if (entry.node == node)
      return &entry;
  return nullptr;
}
