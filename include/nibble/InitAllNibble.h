//===- InitAllNibble.h - register Nibble's dialects and passes --*- C++ -*-===//
//
// One place for tools and embedders to register everything Nibble defines.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_INITALLNIBBLE_H
#define NIBBLE_INITALLNIBBLE_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace nibble {

/// Nibble's dialects plus the upstream ones its IR uses at the boundary
/// (func, quant, arith, tensor).
void registerNibbleDialects(mlir::DialectRegistry &registry);

/// Nibble's passes and pipelines, by command-line name.
void registerNibblePasses();

} // namespace nibble

#endif // NIBBLE_INITALLNIBBLE_H
