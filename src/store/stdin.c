typedef int bl_stub_store_stdin; /* replaced by the real module */
