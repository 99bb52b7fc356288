//===- LLVMCrashRecovery.cpp - LLVM fatal errors as llvm::Error -----------===//
#include "nibble/Pipelines/LLVMCrashRecovery.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Process.h"

#include <cstring>
#include <mutex>
#include <string>

using namespace llvm;

Error nibble::runRecoveringFromLLVMFatalErrors(const Twine &what,
                                               function_ref<Error()> body,
                                               function_ref<void()> abandon) {
  static std::mutex serial;
  std::lock_guard<std::mutex> lock(serial);
  static std::once_flag enabled;
  std::call_once(enabled, [] { CrashRecoveryContext::Enable(); });
  std::string reason;
  ScopedFatalErrorHandler handler(
      [](void *reason, const char *message, bool) {
        *static_cast<std::string *>(reason) = message;
        sys::Process::Exit(1);
      },
      &reason);
  Error result = Error::success();
  CrashRecoveryContext recovery;
  if (recovery.RunSafely([&] { result = body(); }))
    return result;
  // `result` was never assigned: the body did not return, and what it left
  // half built may point into the stack it was unwound from.
  consumeError(std::move(result));
  abandon();
  // A crash's return code is 128 + the signal number.
  std::string cause = !reason.empty() ? reason
                      : CrashRecoveryContext::isCrash(recovery.RetCode)
                          ? "it crashed (" +
                                std::string(strsignal(recovery.RetCode - 128)) +
                                ")"
                          : "it exited with code " +
                                std::to_string(recovery.RetCode);
  return createStringError("LLVM failed while compiling " + what + ": " +
                           cause);
}
