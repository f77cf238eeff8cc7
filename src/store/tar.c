typedef int bl_stub_store_tar; /* replaced by the real module */
