//===- Runtime.cpp - the Nibble CPU runtime (nibble-c/runtime.h) ----------===//
//
// Plain C++ and dlopen: no MLIR, no LLVM. A model is model.so (code, entry
// points and a text manifest, nibble-c/model_abi.h) plus weights.bin, whose
// payload is checked against the size and checksum model.so was built with
// before it is copied into the library's globals.
//
//===----------------------------------------------------------------------===//
#include "nibble-c/runtime.h"

#include "nibble-c/model_abi.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace {

thread_local std::string lastError;

nibble_status fail(nibble_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

struct TensorInfo {
  std::string name;
  nibble_dtype dtype;
  std::vector<int64_t> shape;
  size_t numElements = 1;
  size_t sizeBytes = 0;
};

using InitWeightsFn = void (*)(const void *);
using RunFn = void (*)(const void *const *, void *const *);

struct DlCloser {
  void operator()(void *handle) const {
    if (handle)
      dlclose(handle);
  }
};

struct FileCloser {
  void operator()(FILE *file) const {
    if (file)
      fclose(file);
  }
};

struct AlignedFree {
  void operator()(void *p) const { std::free(p); }
};

std::string describe(const TensorInfo &tensor) {
  std::string text = nibble_dtype_name(tensor.dtype);
  text += "[";
  if (tensor.shape.empty())
    text += "scalar";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(tensor.shape[i]);
  return text + "]";
}

std::string dtypeText(nibble_dtype dtype) {
  const char *name = nibble_dtype_name(dtype);
  return name ? name : "dtype code " + std::to_string(static_cast<int>(dtype));
}

/// `1x8x8` or `scalar`.
bool parseShape(const std::string &text, std::vector<int64_t> &shape) {
  shape.clear();
  if (text == "scalar")
    return true;
  std::stringstream stream(text);
  std::string extent;
  while (std::getline(stream, extent, 'x')) {
    char *end = nullptr;
    errno = 0;
    long long value = std::strtoll(extent.c_str(), &end, 10);
    if (extent.empty() || *end != '\0' || errno || value < 0)
      return false;
    shape.push_back(value);
  }
  return !shape.empty();
}

} // namespace

struct nibble_model {
  std::string dir;
  std::unique_ptr<void, DlCloser> library;
  RunFn run = nullptr;
  std::string function;
  std::string target;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
};

namespace {

std::string joinPath(const std::string &dir, const char *file) {
  if (dir.empty() || dir.back() == '/')
    return dir + file;
  return dir + "/" + file;
}

/// Parses the manifest model.so embeds into `model`.
nibble_status parseManifest(const char *text, const std::string &libraryPath,
                            nibble_model &model) {
  auto invalid = [&](const std::string &why) {
    return fail(NIBBLE_ERROR_INVALID_MODEL,
                "'" + libraryPath + "' has a malformed model manifest: " + why);
  };
  std::stringstream stream(text);
  std::string line;
  bool sawHeader = false;
  while (std::getline(stream, line)) {
    if (line.empty())
      continue;
    std::string key = line.substr(0, line.find(' '));
    std::string rest =
        line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
    if (!sawHeader) {
      if (key != NIBBLE_MANIFEST_MAGIC)
        return invalid("it does not start with '" NIBBLE_MANIFEST_MAGIC "'");
      if (std::atoi(rest.c_str()) != NIBBLE_MODEL_ABI_VERSION)
        return fail(NIBBLE_ERROR_INVALID_MODEL,
                    "'" + libraryPath + "' was compiled for model ABI " + rest +
                        "; this runtime loads ABI " +
                        std::to_string(NIBBLE_MODEL_ABI_VERSION) +
                        " (recompile the model with a matching nibble)");
      sawHeader = true;
      continue;
    }
    if (key == "function") {
      model.function = rest;
      continue;
    }
    if (key == "target") {
      model.target = rest;
      continue;
    }
    if (key != "input" && key != "output")
      continue; // Lines a later minor revision may add.
    // `<dtype code> <shape> <name>`; the name may contain spaces.
    size_t first = rest.find(' ');
    size_t second =
        first == std::string::npos ? first : rest.find(' ', first + 1);
    if (second == std::string::npos)
      return invalid("bad line '" + line + "'");
    TensorInfo tensor;
    int code = std::atoi(rest.substr(0, first).c_str());
    tensor.dtype = static_cast<nibble_dtype>(code);
    if (!nibble_dtype_name(tensor.dtype))
      return invalid("unknown dtype code in '" + line + "'");
    if (!parseShape(rest.substr(first + 1, second - first - 1), tensor.shape))
      return invalid("bad shape in '" + line + "'");
    tensor.name = rest.substr(second + 1);
    for (int64_t extent : tensor.shape)
      tensor.numElements *= static_cast<size_t>(extent);
    tensor.sizeBytes = tensor.numElements * nibble_dtype_size(tensor.dtype);
    (key == "input" ? model.inputs : model.outputs).push_back(std::move(tensor));
  }
  if (!sawHeader)
    return invalid("it is empty");
  return NIBBLE_OK;
}

uint64_t readLE(const unsigned char *bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

uint64_t fnv1a64(const unsigned char *bytes, size_t size) {
  uint64_t state = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < size; ++i) {
    state ^= bytes[i];
    state *= 0x100000001b3ULL;
  }
  return state;
}

/// Reads weights.bin, checks it against what model.so expects, and hands the
/// payload to the library's init function.
nibble_status loadWeights(const std::string &path, uint64_t expectedSize,
                          uint64_t expectedChecksum, InitWeightsFn init) {
  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(NIBBLE_ERROR_IO, "cannot open '" + path +
                                     "': " + std::strerror(errno));
  auto corrupt = [&](const std::string &why) {
    return fail(NIBBLE_ERROR_INVALID_MODEL,
                "'" + path + "' is not a valid weights file: " + why);
  };
  unsigned char header[NIBBLE_WEIGHTS_HEADER_SIZE];
  if (std::fread(header, 1, sizeof(header), file.get()) != sizeof(header))
    return corrupt("it is shorter than its header");
  if (std::memcmp(header, NIBBLE_WEIGHTS_MAGIC, 8) != 0)
    return corrupt("bad magic (expected '" NIBBLE_WEIGHTS_MAGIC "')");
  uint64_t version = readLE(header + 8, 4);
  if (version != NIBBLE_WEIGHTS_VERSION)
    return corrupt("format version " + std::to_string(version) +
                   ", this runtime reads version " +
                   std::to_string(NIBBLE_WEIGHTS_VERSION));
  uint64_t payloadOffset = readLE(header + 16, 8);
  uint64_t payloadSize = readLE(header + 24, 8);
  uint64_t checksum = readLE(header + 32, 8);
  if (payloadSize != expectedSize || checksum != expectedChecksum)
    return fail(NIBBLE_ERROR_INVALID_MODEL,
                "'" + path + "' does not belong to this model.so (payload of " +
                    std::to_string(payloadSize) + " bytes, checksum " +
                    std::to_string(checksum) + "; the library expects " +
                    std::to_string(expectedSize) + " bytes, checksum " +
                    std::to_string(expectedChecksum) + ")");

  // The generated code copies whole constants; the payload keeps the
  // alignment the compiler laid it out with.
  size_t allocation =
      (payloadSize + NIBBLE_WEIGHTS_ALIGNMENT - 1) / NIBBLE_WEIGHTS_ALIGNMENT *
      NIBBLE_WEIGHTS_ALIGNMENT;
  std::unique_ptr<unsigned char, AlignedFree> payload(
      static_cast<unsigned char *>(std::aligned_alloc(
          NIBBLE_WEIGHTS_ALIGNMENT,
          allocation ? allocation : NIBBLE_WEIGHTS_ALIGNMENT)));
  if (!payload)
    return fail(NIBBLE_ERROR_OUT_OF_MEMORY,
                "cannot allocate " + std::to_string(payloadSize) +
                    " bytes for the weights in '" + path + "'");
  if (std::fseek(file.get(), static_cast<long>(payloadOffset), SEEK_SET) != 0 ||
      std::fread(payload.get(), 1, payloadSize, file.get()) != payloadSize)
    return corrupt("it is truncated (payload of " +
                   std::to_string(payloadSize) + " bytes at offset " +
                   std::to_string(payloadOffset) + ")");
  if (fnv1a64(payload.get(), payloadSize) != checksum)
    return corrupt("the payload does not match its checksum");
  init(payload.get());
  return NIBBLE_OK;
}

template <typename T>
nibble_status lookup(void *library, const char *symbol,
                     const std::string &libraryPath, T &result) {
  void *address = dlsym(library, symbol);
  if (!address)
    return fail(NIBBLE_ERROR_INVALID_MODEL,
                "'" + libraryPath + "' is not a Nibble model library: it "
                                    "does not define '" +
                    symbol + "'");
  result = reinterpret_cast<T>(address);
  return NIBBLE_OK;
}

nibble_status checkBuffers(const char *role, const std::vector<TensorInfo> &specs,
                           const nibble_buffer *buffers, size_t count) {
  if (count != specs.size())
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT,
                "the model takes " + std::to_string(specs.size()) + " " + role +
                    "(s), got " + std::to_string(count));
  if (count && !buffers)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT,
                std::string("the ") + role + " buffer array is NULL");
  for (size_t i = 0; i < count; ++i) {
    const TensorInfo &spec = specs[i];
    const nibble_buffer &buffer = buffers[i];
    std::string which = std::string(role) + " " + std::to_string(i) + " '" +
                        spec.name + "' (" + describe(spec) + ")";
    if (buffer.dtype != spec.dtype)
      return fail(NIBBLE_ERROR_INVALID_ARGUMENT,
                  which + ": the buffer has dtype " + dtypeText(buffer.dtype) +
                      ", expected " + dtypeText(spec.dtype));
    if (buffer.size_bytes != spec.sizeBytes)
      return fail(NIBBLE_ERROR_INVALID_ARGUMENT,
                  which + ": the buffer holds " +
                      std::to_string(buffer.size_bytes) + " bytes, expected " +
                      std::to_string(spec.sizeBytes));
    if (!buffer.data && spec.sizeBytes)
      return fail(NIBBLE_ERROR_INVALID_ARGUMENT, which + ": data is NULL");
  }
  return NIBBLE_OK;
}

nibble_status fillInfo(const std::vector<TensorInfo> &tensors, const char *role,
                       size_t index, nibble_tensor_info *info) {
  if (!info)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT, "info is NULL");
  if (index >= tensors.size())
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT,
                std::string(role) + " index " + std::to_string(index) +
                    " is out of range (the model has " +
                    std::to_string(tensors.size()) + ")");
  const TensorInfo &tensor = tensors[index];
  info->name = tensor.name.c_str();
  info->dtype = tensor.dtype;
  info->rank = tensor.shape.size();
  info->shape = tensor.shape.empty() ? nullptr : tensor.shape.data();
  info->num_elements = tensor.numElements;
  info->size_bytes = tensor.sizeBytes;
  return NIBBLE_OK;
}

int64_t findByName(const std::vector<TensorInfo> &tensors, const char *name) {
  if (!name)
    return -1;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name)
      return static_cast<int64_t>(i);
  return -1;
}

} // namespace

extern "C" {

nibble_status nibble_model_load(const char *dir, nibble_model **result) {
  lastError.clear();
  if (!result)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT, "model is NULL");
  *result = nullptr;
  if (!dir)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT, "dir is NULL");

  auto model = std::unique_ptr<nibble_model>(new (std::nothrow) nibble_model);
  if (!model)
    return fail(NIBBLE_ERROR_OUT_OF_MEMORY, "out of memory");
  model->dir = dir;
  std::string libraryPath = joinPath(model->dir, NIBBLE_MODEL_LIBRARY_FILE);
  std::string weightsPath = joinPath(model->dir, NIBBLE_MODEL_WEIGHTS_FILE);

  // dlopen's own message for a missing file is less direct than this.
  for (const std::string &path : {libraryPath, weightsPath}) {
    if (FILE *probe = std::fopen(path.c_str(), "rb")) {
      std::fclose(probe);
      continue;
    }
    return fail(NIBBLE_ERROR_IO, "cannot load the model in '" + model->dir +
                                     "': cannot open '" + path +
                                     "': " + std::strerror(errno));
  }
  // A path with a slash makes dlopen take the file, not search for it.
  std::string dlopenPath =
      libraryPath.find('/') == std::string::npos ? "./" + libraryPath
                                                 : libraryPath;
  model->library.reset(dlopen(dlopenPath.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!model->library) {
    const char *why = dlerror();
    return fail(NIBBLE_ERROR_INVALID_MODEL,
                "cannot load '" + libraryPath + "': " + (why ? why : "?"));
  }

  const char *manifest = nullptr;
  const uint64_t *weightsSize = nullptr, *weightsChecksum = nullptr;
  InitWeightsFn init = nullptr;
  void *library = model->library.get();
  nibble_status status;
  if ((status = lookup(library, NIBBLE_SYMBOL_MANIFEST, libraryPath,
                       manifest)) ||
      (status = lookup(library, NIBBLE_SYMBOL_WEIGHTS_SIZE, libraryPath,
                       weightsSize)) ||
      (status = lookup(library, NIBBLE_SYMBOL_WEIGHTS_CHECKSUM, libraryPath,
                       weightsChecksum)) ||
      (status = lookup(library, NIBBLE_SYMBOL_INIT_WEIGHTS, libraryPath,
                       init)) ||
      (status = lookup(library, NIBBLE_SYMBOL_RUN, libraryPath, model->run)))
    return status;
  if ((status = parseManifest(manifest, libraryPath, *model)))
    return status;
  if ((status = loadWeights(weightsPath, *weightsSize, *weightsChecksum, init)))
    return status;
  *result = model.release();
  return NIBBLE_OK;
}

void nibble_model_free(nibble_model *model) { delete model; }

size_t nibble_model_num_inputs(const nibble_model *model) {
  return model ? model->inputs.size() : 0;
}

size_t nibble_model_num_outputs(const nibble_model *model) {
  return model ? model->outputs.size() : 0;
}

nibble_status nibble_model_input_info(const nibble_model *model, size_t index,
                                      nibble_tensor_info *info) {
  lastError.clear();
  if (!model)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT, "model is NULL");
  return fillInfo(model->inputs, "input", index, info);
}

nibble_status nibble_model_output_info(const nibble_model *model, size_t index,
                                       nibble_tensor_info *info) {
  lastError.clear();
  if (!model)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT, "model is NULL");
  return fillInfo(model->outputs, "output", index, info);
}

int64_t nibble_model_find_input(const nibble_model *model, const char *name) {
  return model ? findByName(model->inputs, name) : -1;
}

int64_t nibble_model_find_output(const nibble_model *model, const char *name) {
  return model ? findByName(model->outputs, name) : -1;
}

const char *nibble_model_target(const nibble_model *model) {
  return model ? model->target.c_str() : "";
}

nibble_status nibble_model_run(nibble_model *model, const nibble_buffer *inputs,
                               size_t num_inputs, nibble_buffer *outputs,
                               size_t num_outputs) {
  lastError.clear();
  if (!model)
    return fail(NIBBLE_ERROR_INVALID_ARGUMENT, "model is NULL");
  nibble_status status;
  if ((status = checkBuffers("input", model->inputs, inputs, num_inputs)) ||
      (status = checkBuffers("output", model->outputs, outputs, num_outputs)))
    return status;
  std::vector<const void *> inputPointers(num_inputs + 1);
  std::vector<void *> outputPointers(num_outputs + 1);
  for (size_t i = 0; i < num_inputs; ++i)
    inputPointers[i] = inputs[i].data;
  for (size_t i = 0; i < num_outputs; ++i)
    outputPointers[i] = outputs[i].data;
  model->run(inputPointers.data(), outputPointers.data());
  return NIBBLE_OK;
}

const char *nibble_last_error(void) { return lastError.c_str(); }

const char *nibble_status_name(nibble_status status) {
  switch (status) {
  case NIBBLE_OK:
    return "NIBBLE_OK";
  case NIBBLE_ERROR_INVALID_ARGUMENT:
    return "NIBBLE_ERROR_INVALID_ARGUMENT";
  case NIBBLE_ERROR_IO:
    return "NIBBLE_ERROR_IO";
  case NIBBLE_ERROR_INVALID_MODEL:
    return "NIBBLE_ERROR_INVALID_MODEL";
  case NIBBLE_ERROR_OUT_OF_MEMORY:
    return "NIBBLE_ERROR_OUT_OF_MEMORY";
  }
  return "unknown nibble_status";
}

const char *nibble_dtype_name(nibble_dtype dtype) {
  switch (dtype) {
  case NIBBLE_DTYPE_FLOAT32:
    return "float32";
  case NIBBLE_DTYPE_UINT8:
    return "uint8";
  case NIBBLE_DTYPE_INT8:
    return "int8";
  case NIBBLE_DTYPE_UINT16:
    return "uint16";
  case NIBBLE_DTYPE_INT16:
    return "int16";
  case NIBBLE_DTYPE_INT32:
    return "int32";
  case NIBBLE_DTYPE_INT64:
    return "int64";
  case NIBBLE_DTYPE_BOOL:
    return "bool";
  case NIBBLE_DTYPE_FLOAT16:
    return "float16";
  case NIBBLE_DTYPE_FLOAT64:
    return "float64";
  case NIBBLE_DTYPE_UINT32:
    return "uint32";
  case NIBBLE_DTYPE_UINT64:
    return "uint64";
  case NIBBLE_DTYPE_BFLOAT16:
    return "bfloat16";
  }
  return nullptr;
}

size_t nibble_dtype_size(nibble_dtype dtype) {
  switch (dtype) {
  case NIBBLE_DTYPE_UINT8:
  case NIBBLE_DTYPE_INT8:
  case NIBBLE_DTYPE_BOOL:
    return 1;
  case NIBBLE_DTYPE_UINT16:
  case NIBBLE_DTYPE_INT16:
  case NIBBLE_DTYPE_FLOAT16:
  case NIBBLE_DTYPE_BFLOAT16:
    return 2;
  case NIBBLE_DTYPE_FLOAT32:
  case NIBBLE_DTYPE_INT32:
  case NIBBLE_DTYPE_UINT32:
    return 4;
  case NIBBLE_DTYPE_FLOAT64:
  case NIBBLE_DTYPE_INT64:
  case NIBBLE_DTYPE_UINT64:
    return 8;
  }
  return 0;
}

} // extern "C"
