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
#include <vector>

using namespace llvm;
using namespace nibble::driver;

#ifndef NIBBLE_VERSION
#define NIBBLE_VERSION "unknown"
#endif

static const Command commands[] = {
    {"summary", "ops by type, parameter count and bytes per precision",
     runSummaryCommand},
    {"run", "compile for the CPU and run on inputs (.npz, .npy, .pb)",
     runRunCommand},
    {"compile", "compile ahead of time into a deployable directory (.so)",
     runCompileCommand},
    {"calibrate", "observe tensor ranges on sample data (JSON table)",
     runCalibrateCommand},
    {"quantize", "quantize with a scheme (w8a8, weight-only, fp16, fp8)",
     runQuantizeCommand},
    {"report", "parameters, bits and compute by precision; ops kept float",
     runReportCommand},
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

static const Command *findCommand(StringRef name) {
  const Command *found = find_if(
      commands, [&](const Command &command) { return command.name == name; });
  return found == std::end(commands) ? nullptr : found;
}

static void reportUnknownCommand(StringRef name) {
  auto &error = WithColor::error(errs(), "nibble");
  error << "unknown command '" << name << "'";
  // Suggest the closest command for a typo (`sumary` -> `summary`).
  const Command *closest = nullptr;
  unsigned bestDistance = 3;
  for (const Command &command : commands) {
    unsigned distance = name.edit_distance(command.name);
    if (distance < bestDistance) {
      bestDistance = distance;
      closest = &command;
    }
  }
  if (closest)
    error << "; did you mean '" << closest->name << "'?";
  error << "\n";
  printUsage(errs());
}

/// Runs `command` on `args` (the arguments after the command's name). The
/// command sees itself as the program, `nibble summary`, in its usage line
/// and messages.
static int runCommand(const Command &command, StringRef programPath,
                      ArrayRef<char *> args) {
  std::string programName = (programPath + " " + command.name).str();
  std::vector<char *> commandArgv;
  commandArgv.push_back(programName.data());
  commandArgv.insert(commandArgv.end(), args.begin(), args.end());
  commandArgv.push_back(nullptr);
  return command.run(static_cast<int>(commandArgv.size() - 1),
                     commandArgv.data());
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);

  if (argc < 2) {
    printUsage(errs());
    return 1;
  }
  StringRef first = argv[1];
  if (first == "--version" || first == "-version") {
    printVersion(outs());
    return 0;
  }
  if (first == "--help" || first == "-help" || first == "-h") {
    printUsage(outs());
    return 0;
  }
  if (first == "help") {
    if (argc == 2) {
      printUsage(outs());
      return 0;
    }
    // `nibble help <command>` is `nibble <command> --help`.
    const Command *command = findCommand(argv[2]);
    if (!command) {
      reportUnknownCommand(argv[2]);
      return 1;
    }
    static char helpFlag[] = "--help";
    return runCommand(*command, argv[0], {helpFlag});
  }

  const Command *command = findCommand(first);
  if (!command) {
    reportUnknownCommand(first);
    return 1;
  }
  return runCommand(*command, argv[0], ArrayRef<char *>(argv + 2, argv + argc));
}
