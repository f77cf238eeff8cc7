typedef int bl_stub_store_descriptor; /* replaced by the real module */
