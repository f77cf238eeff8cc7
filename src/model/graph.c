typedef int bl_stub_model_graph; /* replaced by the real module */
