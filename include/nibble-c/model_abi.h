/*===- model_abi.h - what a compiled model exports --------------*- C -*-===*
 *
 * The contract between `nibble compile --target cpu` and the runtime: the
 * symbols model.so exports, the manifest it embeds and the layout of
 * weights.bin. docs/runtime.md describes them in prose. Both sides include
 * this header, so they cannot drift apart; applications use runtime.h.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NIBBLE_C_MODEL_ABI_H
#define NIBBLE_C_MODEL_ABI_H

/* Bumped on any change below; the runtime refuses other versions. */
#define NIBBLE_MODEL_ABI_VERSION 1

/* File names inside a compiled model directory. */
#define NIBBLE_MODEL_LIBRARY_FILE "model.so"
#define NIBBLE_MODEL_WEIGHTS_FILE "weights.bin"
#define NIBBLE_MODEL_HEADER_FILE "model.h"

/* Symbols of model.so.
 *
 *   const char nibble_model_manifest[];      NUL-terminated text, below
 *   const uint64_t nibble_model_weights_size;      payload bytes expected
 *   const uint64_t nibble_model_weights_checksum;  FNV-1a 64 of the payload
 *   void nibble_model_init_weights(const void *payload);
 *       copies the weights out of the payload (64-byte aligned) into the
 *       library's globals; call once, before any run
 *   void nibble_model_run(const void *const *inputs, void *const *outputs);
 *       inputs[i] / outputs[j] point to dense C-order buffers of the
 *       manifest's types and shapes; reentrant once the weights are set
 */
#define NIBBLE_SYMBOL_MANIFEST "nibble_model_manifest"
#define NIBBLE_SYMBOL_WEIGHTS_SIZE "nibble_model_weights_size"
#define NIBBLE_SYMBOL_WEIGHTS_CHECKSUM "nibble_model_weights_checksum"
#define NIBBLE_SYMBOL_INIT_WEIGHTS "nibble_model_init_weights"
#define NIBBLE_SYMBOL_RUN "nibble_model_run"

/* The manifest: lines of text, fields separated by one space.
 *
 *   nibble-model <abi version>
 *   function <entry function name>
 *   target <cpu target name>
 *   input <dtype code> <shape> <name>      one line per input, in order
 *   output <dtype code> <shape> <name>     one line per output, in order
 *
 * <dtype code> is ONNX's TensorProto.DataType number (nibble_dtype in
 * runtime.h), <shape> is `1x1x8x8` or `scalar`, and the name is the rest of
 * the line (it may contain spaces, never a newline). */
#define NIBBLE_MANIFEST_MAGIC "nibble-model"

/* weights.bin: a little-endian header, a table, then the payload.
 *
 *   offset  size  field
 *   0       8     magic "NBWEIGHT"
 *   8       4     u32 format version (NIBBLE_WEIGHTS_VERSION)
 *   12      4     u32 entry count N
 *   16      8     u64 payload offset from the file's start (multiple of 64)
 *   24      8     u64 payload size in bytes
 *   32      8     u64 FNV-1a 64 checksum of the payload
 *   40      ...   N entries: u64 offset in the payload (multiple of 64),
 *                 u64 size in bytes, u32 name length, name bytes (the
 *                 global's symbol), in payload order
 *   ...           zero padding up to the payload offset, then the payload
 *
 * Each entry holds a constant's elements in C order, little-endian, as the
 * generated code reads them; gaps between entries are zeros. */
#define NIBBLE_WEIGHTS_MAGIC "NBWEIGHT"
#define NIBBLE_WEIGHTS_VERSION 1
#define NIBBLE_WEIGHTS_HEADER_SIZE 40
#define NIBBLE_WEIGHTS_ALIGNMENT 64

#endif /* NIBBLE_C_MODEL_ABI_H */
