# -*- Python -*-
import os
import shutil
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "NIBBLE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nibble_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%nibble_src_root", config.nibble_src_root))
python = config.python_executable or sys.executable or shutil.which("python3")
config.substitutions.append(("%python", python))
config.environment["PYTHONPATH"] = os.path.join(config.nibble_src_root, "python")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# `not`, `count` and FileCheck at the start of a RUN line come from PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.nibble_tools_dir, config.llvm_tools_dir]
tools = ["nibble-opt", "nibble-translate", "nibble"]
llvm_config.add_tool_substitutions(
    [ToolSubst(t, unresolved="ignore") for t in tools], tool_dirs)
for t in tools:
    if shutil.which(t, path=config.nibble_tools_dir):
        config.available_features.add(t)

# Tests that generate ONNX models need the onnx Python package, in the
# interpreter %python runs (lit itself may run under another one, e.g.
# /usr/bin/python3 for Debian's lit).
import subprocess
if subprocess.run([python, "-c", "import onnx"], capture_output=True).returncode == 0:
    config.available_features.add("onnx")
