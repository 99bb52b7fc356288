/* run_digits.c: classify held-out handwritten digits with a model compiled by
 * `nibble compile`, through the Nibble runtime alone (no MLIR, no LLVM).
 *
 *   run_digits <model_dir> <digits.bin> [logits.bin]
 *
 * <model_dir> holds model.so, weights.bin and model.h, compiled from a model
 * that maps a batch of 8x8 images to 10 logits (examples/digits/
 * digits_cnn.onnx takes [B,1,8,8], an MLP [B,64]; B is fixed at compile
 * time with --input-shape). <digits.bin> is what prepare_digits.py writes
 * from examples/digits/test_set.npz: int32 N, N*64 float32 pixels, N int32
 * labels, little-endian. The program runs the samples in batches of B,
 * prints each prediction and the accuracy, and writes the logits (float32
 * N x 10) to [logits.bin] if given. */
#include "nibble-c/runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIXELS 64
#define CLASSES 10

static int fail_runtime(const char *what) {
  fprintf(stderr, "run_digits: %s: %s\n", what, nibble_last_error());
  return 1;
}

static void *read_exactly(FILE *file, size_t bytes, const char *path) {
  void *data = malloc(bytes ? bytes : 1);
  if (!data || fread(data, 1, bytes, file) != bytes) {
    fprintf(stderr, "run_digits: '%s' is truncated\n", path);
    free(data);
    return NULL;
  }
  return data;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: run_digits <model_dir> <digits.bin> [logits.bin]\n");
    return 2;
  }
  nibble_model *model = NULL;
  if (nibble_model_load(argv[1], &model) != NIBBLE_OK)
    return fail_runtime("cannot load the model");

  nibble_tensor_info input, output;
  if (nibble_model_num_inputs(model) != 1 ||
      nibble_model_num_outputs(model) != 1 ||
      nibble_model_input_info(model, 0, &input) != NIBBLE_OK ||
      nibble_model_output_info(model, 0, &output) != NIBBLE_OK ||
      input.dtype != NIBBLE_DTYPE_FLOAT32 ||
      output.dtype != NIBBLE_DTYPE_FLOAT32 || input.rank < 1 ||
      input.num_elements != (size_t)input.shape[0] * PIXELS ||
      output.num_elements != (size_t)input.shape[0] * CLASSES) {
    fprintf(stderr, "run_digits: the model must map float32 [B,...64 pixels] "
                    "to float32 [B,10]\n");
    nibble_model_free(model);
    return 1;
  }
  size_t batch = (size_t)input.shape[0];
  printf("model: %s (target %s), input '%s' batch %zu, output '%s'\n",
         argv[1], nibble_model_target(model), input.name, batch, output.name);

  FILE *file = fopen(argv[2], "rb");
  int32_t count = 0;
  if (!file || fread(&count, sizeof(count), 1, file) != 1 || count < 0) {
    fprintf(stderr, "run_digits: cannot read '%s'\n", argv[2]);
    nibble_model_free(model);
    return 1;
  }
  float *pixels = read_exactly(file, (size_t)count * PIXELS * sizeof(float), argv[2]);
  int32_t *labels = pixels ? read_exactly(file, (size_t)count * sizeof(int32_t), argv[2]) : NULL;
  fclose(file);
  float *logits = malloc((size_t)count * CLASSES * sizeof(float) + 1);
  float *batch_in = calloc(batch * PIXELS, sizeof(float));
  float *batch_out = malloc(batch * CLASSES * sizeof(float));
  if (!labels || !logits || !batch_in || !batch_out) {
    nibble_model_free(model);
    return 1;
  }

  int correct = 0;
  for (size_t start = 0; start < (size_t)count; start += batch) {
    size_t n = (size_t)count - start < batch ? (size_t)count - start : batch;
    /* The last batch is padded with blank images. */
    memset(batch_in, 0, batch * PIXELS * sizeof(float));
    memcpy(batch_in, pixels + start * PIXELS, n * PIXELS * sizeof(float));
    nibble_buffer in = {NIBBLE_DTYPE_FLOAT32, batch_in, input.size_bytes};
    nibble_buffer out = {NIBBLE_DTYPE_FLOAT32, batch_out, output.size_bytes};
    if (nibble_model_run(model, &in, 1, &out, 1) != NIBBLE_OK)
      return fail_runtime("run failed");
    memcpy(logits + start * CLASSES, batch_out, n * CLASSES * sizeof(float));
    for (size_t i = 0; i < n; ++i) {
      const float *row = batch_out + i * CLASSES;
      int best = 0;
      for (int c = 1; c < CLASSES; ++c)
        if (row[c] > row[best])
          best = c;
      correct += best == labels[start + i];
      printf("sample %zu: predicted %d, label %d\n", start + i, best,
             labels[start + i]);
    }
  }
  printf("accuracy: %d/%d = %.2f%%\n", correct, count,
         count ? 100.0 * correct / count : 0.0);

  if (argc == 4) {
    FILE *out = fopen(argv[3], "wb");
    if (!out || fwrite(logits, sizeof(float) * CLASSES, (size_t)count, out) !=
                    (size_t)count) {
      fprintf(stderr, "run_digits: cannot write '%s'\n", argv[3]);
      return 1;
    }
    fclose(out);
  }
  free(pixels);
  free(labels);
  free(logits);
  free(batch_in);
  free(batch_out);
  nibble_model_free(model);
  return 0;
}
