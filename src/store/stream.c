typedef int bl_stub_store_stream; /* replaced by the real module */
