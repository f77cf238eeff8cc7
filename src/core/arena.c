typedef int bl_stub_core_arena; /* replaced by the real module */
