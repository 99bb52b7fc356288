//===- WeightQuantization.cpp - PLACEHOLDER, being written ----------------===//
#include "nibble/Quantization/WeightQuantization.h"
