typedef int bl_stub_store_store; /* replaced by the real module */
