//===- LLVMCrashRecovery.h - LLVM fatal errors as llvm::Error ----*- C++ -*-===//
//
// Code generation (the JIT's and `nibble compile`'s) runs inside
// runRecoveringFromLLVMFatalErrors, so that an LLVM fatal error or crash
// becomes an error naming what was compiled instead of ending the process
// with a stack dump.
//
//===----------------------------------------------------------------------===//
#ifndef NIBBLE_PIPELINES_LLVMCRASHRECOVERY_H
#define NIBBLE_PIPELINES_LLVMCRASHRECOVERY_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace nibble {

/// Runs `body`, which drives LLVM, so that an LLVM fatal error in it (a
/// backend's "Cannot select" or "Do not know how to ...", reported with
/// report_fatal_error) or a crash (a signal: SIGSEGV, the SIGABRT of an
/// abort) becomes an error "LLVM failed while compiling <what>: <reason>".
/// `abandon` is called after such a failure: objects the body left half
/// built must be leaked, not destroyed (an ORC session waiting on a symbol
/// query that was unwound crashes in its destructor).
///
/// How: a fatal-error handler records LLVM's reason and calls
/// sys::Process::Exit, which inside a CrashRecoveryContext jumps back to
/// RunSafely instead of exiting; CrashRecoveryContext::Enable (once per
/// process) installs the signal handlers that do the same for crashes.
///
/// Limits: the recovery is a longjmp, so what LLVM built is leaked and locks
/// it held may stay held (report and stop; later compiles in the process
/// worked in the tests, but nothing guarantees it); llvm_unreachable in a
/// release LLVM (no assertions, as Debian builds it) is undefined behaviour,
/// caught only if it happens to trap; errors LLVM reports through an
/// LLVMContext's diagnostic handler (inline assembly) call exit() directly;
/// only the calling thread is covered. The fatal-error handler is
/// process-wide, so calls are serialized.
llvm::Error
runRecoveringFromLLVMFatalErrors(const llvm::Twine &what,
                                 llvm::function_ref<llvm::Error()> body,
                                 llvm::function_ref<void()> abandon);

} // namespace nibble

#endif // NIBBLE_PIPELINES_LLVMCRASHRECOVERY_H
