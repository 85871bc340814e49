# lit configuration of the snnc regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "snnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py", "unit", "benchmark"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.snnc_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%snnc_src_root", config.snnc_src_root))
config.substitutions.append(("%snnc_obj_root", config.snnc_obj_root))
config.substitutions.append(("%shared_data", config.snnc_shared_data_dir))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.snnc_tools_dir, config.llvm_tools_dir]
tools = [
    ToolSubst("snn-opt", unresolved="fatal"),
    ToolSubst("snn-translate", unresolved="ignore"),
    ToolSubst("snnc", unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
