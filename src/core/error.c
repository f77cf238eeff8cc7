typedef int bl_stub_core_error; /* replaced by the real module */
