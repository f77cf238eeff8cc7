typedef int bl_stub_store_ocidir; /* replaced by the real module */
