typedef int bl_stub_core_vec; /* replaced by the real module */
