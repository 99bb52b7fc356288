//===- CPUTarget.cpp - CPUs Nibble compiles for ---------------------------===//
#include "nibble/Pipelines/CPUTarget.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

/// Host features as LLVM's feature string, `+avx2,-avx512f,...`.
static std::string hostFeatureString() {
  SmallVector<std::string> features;
  for (const auto &feature : sys::getHostCPUFeatures())
    features.push_back((feature.second ? "+" : "-") + feature.first().str());
  llvm::sort(features);
  return join(features, ",");
}

Expected<nibble::CPUTarget> nibble::resolveCPUTarget(StringRef name) {
  CPUTarget target;
  target.name = name.str();
  if (name == "x86-64-v3") {
    target.cpu = "x86-64-v3";
    target.vectorBits = 256;
  } else if (name == "x86-64-v4") {
    target.cpu = "x86-64-v4";
    target.vectorBits = 512;
  } else if (name == "generic") {
    target.cpu = "x86-64";
    target.vectorBits = 128;
  } else if (name == "native") {
    target.cpu = sys::getHostCPUName().str();
    target.features = hostFeatureString();
    StringMap<bool> host = sys::getHostCPUFeatures();
    target.vectorBits = host.lookup("avx512f")  ? 512
                        : host.lookup("avx2") ? 256
                                               : 128;
  } else {
    return createStringError("unknown target '" + name +
                             "'; expected one of " + kCPUTargetNames);
  }
  return target;
}

Error nibble::checkHostCanRun(const CPUTarget &target) {
  static constexpr StringLiteral v3Features[] = {"avx2", "fma", "f16c",
                                                 "bmi2"};
  static constexpr StringLiteral v4Features[] = {"avx512f", "avx512bw",
                                                 "avx512vl", "avx512dq"};
  ArrayRef<StringLiteral> needed;
  if (target.cpu == "x86-64-v3")
    needed = v3Features;
  else if (target.cpu == "x86-64-v4")
    needed = v4Features;
  StringMap<bool> host = sys::getHostCPUFeatures();
  SmallVector<StringRef> missing;
  for (StringRef feature : needed)
    if (!host.lookup(feature))
      missing.push_back(feature);
  if (!missing.empty())
    return createStringError("this CPU (" + sys::getHostCPUName() +
                             ") cannot run code for target '" + target.name +
                             "': it lacks " + join(missing, ", "));
  return Error::success();
}

std::optional<nibble::CPUTarget>
nibble::getModuleCPUTarget(mlir::ModuleOp module) {
  auto name = module->getAttrOfType<mlir::StringAttr>(kTargetAttrName);
  auto cpu = module->getAttrOfType<mlir::StringAttr>(kTargetCPUAttrName);
  if (!name || !cpu)
    return std::nullopt;
  CPUTarget target;
  target.name = name.str();
  target.cpu = cpu.str();
  if (auto features =
          module->getAttrOfType<mlir::StringAttr>(kTargetFeaturesAttrName))
    target.features = features.str();
  if (auto bits = module->getAttrOfType<mlir::IntegerAttr>(kVectorBitsAttrName))
    target.vectorBits = bits.getInt();
  return target;
}
