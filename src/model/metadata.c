typedef int bl_stub_model_metadata; /* replaced by the real module */
