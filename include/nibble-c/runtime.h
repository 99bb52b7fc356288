/*===- runtime.h - run models compiled by `nibble compile` ------*- C -*-===*
 *
 * The Nibble runtime loads a directory written by
 *   nibble compile model.onnx --target cpu -o model_dir/
 * (model.so, weights.bin, model.h) and runs it on buffers the caller owns.
 * It depends on neither MLIR nor LLVM: libnibble_runtime.so needs only the C
 * library and dlopen.
 *
 *   nibble_model *model;
 *   if (nibble_model_load("model_dir", &model) != NIBBLE_OK) {
 *     fprintf(stderr, "%s\n", nibble_last_error());
 *     return 1;
 *   }
 *   nibble_buffer in = {NIBBLE_DTYPE_FLOAT32, pixels, sizeof pixels};
 *   nibble_buffer out = {NIBBLE_DTYPE_FLOAT32, logits, sizeof logits};
 *   nibble_status status = nibble_model_run(model, &in, 1, &out, 1);
 *   nibble_model_free(model);
 *
 * Every function returning nibble_status leaves a message for
 * nibble_last_error() on failure. A loaded model may run on several threads
 * at once.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NIBBLE_C_RUNTIME_H
#define NIBBLE_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define NIBBLE_RUNTIME_API
#else
#define NIBBLE_RUNTIME_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nibble_status {
  NIBBLE_OK = 0,
  /* A null pointer, an index out of range, a buffer of the wrong dtype,
   * size or count. */
  NIBBLE_ERROR_INVALID_ARGUMENT = 1,
  /* A file is missing or unreadable. */
  NIBBLE_ERROR_IO = 2,
  /* The directory does not hold a model this runtime can load (corrupt or
   * mismatched files, another ABI version). */
  NIBBLE_ERROR_INVALID_MODEL = 3,
  NIBBLE_ERROR_OUT_OF_MEMORY = 4,
} nibble_status;

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum nibble_dtype {
  NIBBLE_DTYPE_FLOAT32 = 1,
  NIBBLE_DTYPE_UINT8 = 2,
  NIBBLE_DTYPE_INT8 = 3,
  NIBBLE_DTYPE_UINT16 = 4,
  NIBBLE_DTYPE_INT16 = 5,
  NIBBLE_DTYPE_INT32 = 6,
  NIBBLE_DTYPE_INT64 = 7,
  NIBBLE_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  NIBBLE_DTYPE_FLOAT16 = 10,
  NIBBLE_DTYPE_FLOAT64 = 11,
  NIBBLE_DTYPE_UINT32 = 12,
  NIBBLE_DTYPE_UINT64 = 13,
  NIBBLE_DTYPE_BFLOAT16 = 16,
} nibble_dtype;

/* An input or output as the model declares it. The strings and the shape
 * belong to the model and live as long as it does. */
typedef struct nibble_tensor_info {
  const char *name;
  nibble_dtype dtype;
  size_t rank;
  const int64_t *shape; /* rank extents; NULL for rank 0 */
  size_t num_elements;
  size_t size_bytes;
} nibble_tensor_info;

/* A buffer the caller owns: dense, C order, native byte order. Inputs are
 * only read. */
typedef struct nibble_buffer {
  nibble_dtype dtype;
  void *data;
  size_t size_bytes;
} nibble_buffer;

typedef struct nibble_model nibble_model;

/* Loads the compiled model in `dir`: opens model.so, checks that weights.bin
 * belongs to it (size and checksum) and copies the weights in. On failure
 * *model is NULL. */
NIBBLE_RUNTIME_API nibble_status nibble_model_load(const char *dir,
                                                   nibble_model **model);
/* Unloads a model; NULL is ignored. */
NIBBLE_RUNTIME_API void nibble_model_free(nibble_model *model);

NIBBLE_RUNTIME_API size_t nibble_model_num_inputs(const nibble_model *model);
NIBBLE_RUNTIME_API size_t nibble_model_num_outputs(const nibble_model *model);
NIBBLE_RUNTIME_API nibble_status nibble_model_input_info(
    const nibble_model *model, size_t index, nibble_tensor_info *info);
NIBBLE_RUNTIME_API nibble_status nibble_model_output_info(
    const nibble_model *model, size_t index, nibble_tensor_info *info);
/* The index of the input or output named `name`, or -1. */
NIBBLE_RUNTIME_API int64_t nibble_model_find_input(const nibble_model *model,
                                                   const char *name);
NIBBLE_RUNTIME_API int64_t nibble_model_find_output(const nibble_model *model,
                                                    const char *name);
/* The CPU target the model was compiled for (`x86-64-v3`, ...). */
NIBBLE_RUNTIME_API const char *nibble_model_target(const nibble_model *model);

/* Runs the model: inputs[i] and outputs[j] in the model's order, each of the
 * declared dtype and exactly size_bytes long. Outputs are written only when
 * every buffer checks out. */
NIBBLE_RUNTIME_API nibble_status nibble_model_run(nibble_model *model,
                                                  const nibble_buffer *inputs,
                                                  size_t num_inputs,
                                                  nibble_buffer *outputs,
                                                  size_t num_outputs);

/* The message of this thread's last failed call ("" if none). Valid until
 * the thread's next call into the runtime. */
NIBBLE_RUNTIME_API const char *nibble_last_error(void);
/* `NIBBLE_OK`, `NIBBLE_ERROR_IO`, ... */
NIBBLE_RUNTIME_API const char *nibble_status_name(nibble_status status);
/* numpy's name (`float32`) and the size of one element in bytes; NULL and 0
 * for codes that are no nibble_dtype. */
NIBBLE_RUNTIME_API const char *nibble_dtype_name(nibble_dtype dtype);
NIBBLE_RUNTIME_API size_t nibble_dtype_size(nibble_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* NIBBLE_C_RUNTIME_H */
