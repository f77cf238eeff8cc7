typedef int bl_stub_core_json; /* replaced by the real module */
