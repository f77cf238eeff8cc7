typedef int bl_stub_core_ref; /* replaced by the real module */
