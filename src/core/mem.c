typedef int bl_stub_core_mem; /* replaced by the real module */
