//===- OpSelection.cpp - PLACEHOLDER, being written -----------------------===//
#include "nibble/Quantization/OpSelection.h"
