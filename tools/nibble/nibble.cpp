//===- nibble.cpp - Nibble's driver ---------------------------------------===//
//
// `nibble <command> [options]`. The first argument picks the command; the
// command parses the rest with its own `llvm::cl` options. Commands grow with
// the compiler (quantize, compile, run, eval, bench come with their stages).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

using namespace llvm;
using namespace nibble::driver;

#ifndef NIBBLE_VERSION
#define NIBBLE_VERSION "unknown"
#endif

static const Command commands[] = {
    {"summary", "ops by type, parameter count and bytes per precision",
     runSummaryCommand},
#ifdef NIBBLE_HAVE_ONNX_IMPORTER
    {"import", "ONNX model to nb dialect MLIR", runImportCommand},
#endif
};

static void printVersion(raw_ostream &os) {
  os << "Nibble " << NIBBLE_VERSION << " (LLVM/MLIR " << LLVM_VERSION_STRING
     << ")\n";
}

static void printUsage(raw_ostream &os) {
  os << "OVERVIEW: Nibble, a quantization compiler on MLIR\n\n"
     << "USAGE: nibble <command> [options]\n\n"
     << "COMMANDS:\n";
  for (const Command &command : commands)
    os << "  " << left_justify(command.name, 10) << command.summary << "\n";
  os << "\nRun 'nibble <command> --help' for a command's options.\n"
     << "Other options: --help, --version\n";
}

void nibble::driver::parseCommandOptions(int argc, char **argv,
                                         StringRef overview,
                                         cl::OptionCategory &category) {
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(argc, argv, overview);
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);

  if (argc < 2) {
    printUsage(errs());
    return 1;
  }
  StringRef first = argv[1];
  if (first == "--help" || first == "-help" || first == "-h" ||
      first == "help") {
    // `nibble help <command>` is `nibble <command> --help`.
    if (first == "help" && argc > 2) {
      std::string helpFlag = "--help";
      char *helpArgv[] = {argv[0], argv[2], helpFlag.data(), nullptr};
      return main(3, helpArgv);
    }
    printUsage(outs());
    return 0;
  }
  if (first == "--version" || first == "-version") {
    printVersion(outs());
    return 0;
  }

  const Command *chosen = find_if(
      commands, [&](const Command &command) { return command.name == first; });
  if (chosen == std::end(commands)) {
    auto &error = WithColor::error(errs(), "nibble");
    error << "unknown command '" << first << "'";
    // Suggest the closest command for a typo (`sumary` -> `summary`).
    const Command *closest = nullptr;
    unsigned bestDistance = 3;
    for (const Command &command : commands) {
      unsigned distance = first.edit_distance(command.name);
      if (distance < bestDistance) {
        bestDistance = distance;
        closest = &command;
      }
    }
    if (closest)
      error << "; did you mean '" << closest->name << "'?";
    error << "\n";
    printUsage(errs());
    return 1;
  }

  // The command sees itself as the program, `nibble summary`, in its usage
  // line and messages.
  std::string programName = std::string(argv[0]) + " " + chosen->name.str();
  std::vector<char *> commandArgv(argv + 1, argv + argc);
  commandArgv[0] = programName.data();
  return chosen->run(static_cast<int>(commandArgv.size()), commandArgv.data());
}
