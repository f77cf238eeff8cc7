typedef int bl_stub_model_query; /* replaced by the real module */
