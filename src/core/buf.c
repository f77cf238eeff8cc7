typedef int bl_stub_core_buf; /* replaced by the real module */
