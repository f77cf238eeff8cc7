typedef int bl_stub_model_tree; /* replaced by the real module */
