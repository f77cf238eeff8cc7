typedef int bl_stub_core_text; /* replaced by the real module */
