//===- ONNXShapeInference.cpp - ONNX's own shape inference, contained -----===//
//
// libonnx reports shape-inference problems by throwing; this file is the one
// place those exceptions are caught, so none escapes into MLIR code.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporterImpl.h"

#include "onnx/shape_inference/implementation.h"

#include <exception>

bool nibble::onnx_import::runONNXShapeInference(onnx::ModelProto &model,
                                                std::string &error) {
  // In place: a copy would duplicate every weight. Inference only adds
  // value_info entries, each of which holds even if a later node throws.
  try {
    onnx::ShapeInferenceOptions options(/*check_type_val=*/false,
                                        /*strict_mode_val=*/0,
                                        /*data_prop_val=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    error = e.what();
    return false;
  }
  return true;
}
