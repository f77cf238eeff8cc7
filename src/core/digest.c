typedef int bl_stub_core_digest; /* replaced by the real module */
