/* Drives the runtime's C API for runtime-errors.test:
 *   runtime_check <model_dir> info|run|badsize|baddtype|badcount|badindex
 * prints what it did, or the status and nibble_last_error() on failure. */
#include "nibble-c/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(nibble_status status) {
  printf("status %s: %s\n", nibble_status_name(status), nibble_last_error());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  nibble_model *model = NULL;
  nibble_status status = nibble_model_load(argv[1], &model);
  if (status != NIBBLE_OK)
    return report(status);

  const char *mode = argv[2];
  nibble_tensor_info in, out;
  if ((status = nibble_model_input_info(model, 0, &in)) ||
      (status = nibble_model_output_info(model, 0, &out)))
    return report(status);
  if (!strcmp(mode, "info")) {
    printf("target %s, %zu input(s), %zu output(s)\n", nibble_model_target(model),
           nibble_model_num_inputs(model), nibble_model_num_outputs(model));
    printf("input '%s' %s rank %zu shape", in.name, nibble_dtype_name(in.dtype),
           in.rank);
    for (size_t i = 0; i < in.rank; ++i)
      printf(" %lld", (long long)in.shape[i]);
    printf(" bytes %zu\n", in.size_bytes);
    printf("output '%s' %s bytes %zu\n", out.name, nibble_dtype_name(out.dtype),
           out.size_bytes);
    printf("find x: %lld, find nope: %lld\n",
           (long long)nibble_model_find_input(model, "x"),
           (long long)nibble_model_find_input(model, "nope"));
    nibble_model_free(model);
    return 0;
  }
  if (!strcmp(mode, "badindex")) {
    nibble_tensor_info info;
    return report(nibble_model_input_info(model, 5, &info));
  }

  float *x = calloc(in.num_elements, sizeof(float));
  float *y = calloc(out.num_elements, sizeof(float));
  for (size_t i = 0; i < in.num_elements; ++i)
    x[i] = (float)(i % 7) * 0.25f - 0.5f;
  nibble_buffer input = {NIBBLE_DTYPE_FLOAT32, x, in.size_bytes};
  nibble_buffer output = {NIBBLE_DTYPE_FLOAT32, y, out.size_bytes};
  size_t inputs = 1;
  if (!strcmp(mode, "badsize"))
    input.size_bytes -= 4;
  else if (!strcmp(mode, "baddtype"))
    output.dtype = NIBBLE_DTYPE_INT8;
  else if (!strcmp(mode, "badcount"))
    inputs = 2;
  status = nibble_model_run(model, &input, inputs, &output, 1);
  if (status != NIBBLE_OK)
    return report(status);
  /* Reentrant and deterministic: a second run gives the same bytes. */
  float *again = calloc(out.num_elements, sizeof(float));
  nibble_buffer second = {NIBBLE_DTYPE_FLOAT32, again, out.size_bytes};
  if ((status = nibble_model_run(model, &input, 1, &second, 1)))
    return report(status);
  printf("ran: y[0] = %.6f, repeat %s\n", y[0],
         memcmp(y, again, out.size_bytes) ? "differs" : "matches");
  nibble_model_free(model);
  free(x);
  free(y);
  free(again);
  return 0;
}
