//===- ModelHeader.h - model.h for a compiled model -------------*- C++ -*-===//
#ifndef NIBBLE_LIB_TARGET_CPU_MODELHEADER_H
#define NIBBLE_LIB_TARGET_CPU_MODELHEADER_H

#include "nibble/Target/CPU/ModelSignature.h"

#include "llvm/Support/Error.h"

namespace nibble {

/// Writes the C header describing `signature` to `path`.
llvm::Error writeModelHeader(const ModelSignature &signature,
                             llvm::StringRef target,
                             llvm::StringRef sourceName, llvm::StringRef path);

} // namespace nibble

#endif // NIBBLE_LIB_TARGET_CPU_MODELHEADER_H
